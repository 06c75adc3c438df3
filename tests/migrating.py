"""Tests of a migration: the database taken to a past migration and forward again."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(target=None):
    """Migrate the test database to `target` ([(app, migration)]; the latest if None)
    and return the apps of that state, whose models have that schema."""
    executor = MigrationExecutor(connection)
    target = target or executor.loader.graph.leaf_nodes()
    executor.migrate(target)
    return executor.loader.project_state(target).apps
