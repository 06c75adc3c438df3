"""Full-text search of the archive (placeholder during the move; see engine.py)."""

from reports.search.engine import *  # noqa: F403
from reports.search.engine import _reports  # noqa: F401
