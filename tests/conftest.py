"""Shared fixtures and small make_* helpers for the test suite."""

from pathlib import Path

import pytest
from django.test.signals import template_rendered

from reports.ingest.documents import import_documents
from reports.models import Country
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "sample_data" / "patterns-of-global-terrorism-1997-peru.txt"
BROWSER_TESTS = ROOT / "tests" / "browser"


def pytest_configure(config):
    """Compile the translation catalogues if their .po is newer (they are generated, not
    committed), so `pytest` alone tests the Spanish pages a fresh clone serves."""
    from archive.messages import compile_catalogs

    if compile_catalogs():
        from django.utils.translation import trans_real

        # Drop catalogues loaded before the compile (none, unless an import translated).
        trans_real._translations = {}
        trans_real._default = None


def pytest_collection_modifyitems(items):
    """Refuse a test outside tests/browser that takes Playwright's fixtures (`page`,
    `browser`, ..., even as a parameter's name): pytest-playwright then runs it once per
    browser and sorts it among the browser tests, after their database flushes, which
    remove the roles the migrations created."""
    strays = [
        item.nodeid
        for item in items
        if "browser_name" in getattr(getattr(item, "callspec", None), "params", ())
        and not Path(str(item.path)).is_relative_to(BROWSER_TESTS)
    ]
    if strays:
        raise pytest.UsageError(f"Playwright fixtures outside tests/browser: {strays}")


@pytest.fixture(autouse=True, scope="session")
def _jinja2_templates_report_their_context():
    """Give Jinja2 pages `response.context`, as Django's test set-up does for its own
    template engine (it sends template_rendered from every render in tests)."""
    from django.template.backends.jinja2 import Template

    render = Template.render

    def render_and_report(self, context=None, request=None):
        template_rendered.send(sender=self, template=self, context=dict(context or {}))
        return render(self, context, request)

    Template.render = render_and_report
    yield
    Template.render = render


@pytest.fixture(autouse=True)
def _axes_off(settings):
    """Let client.login() work: it calls authenticate() without a request, which
    django-axes refuses. tests/test_security.py turns axes back on to test throttling."""
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _export_files_in_a_temporary_directory(settings, tmp_path):
    """Keep the files of unfiltered exports (reports/opendata/export_files.py) out of the
    project's var/, and apart for each test: a rolled-back test can reach another's
    archive stamp only by chance, but the empty archive's stamp is every such test's."""
    settings.EXPORT_CACHE_DIR = str(tmp_path / "exports")


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with an empty page cache (reports/caching.py): rolled-back
    tests can reach the same archive version and time stamp only by chance, but the
    database-free tests would share the empty archive's key."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed_bytes():
    return SEED_PATH.read_bytes()


@pytest.fixture
def seed_report(db, seed_bytes):
    """The seed document, imported and published."""
    [outcome] = import_documents([(SEED_PATH.name, seed_bytes)], method="test", publish=True)
    return outcome.report


@pytest.fixture
def peru(db):
    return Country.objects.resolve("PE")


@pytest.fixture
def editor(db):
    return make_user("editor", role="Editors")


@pytest.fixture
def publisher(db):
    return make_user("publisher", role="Publishers")


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A request leaves its page's language active in the thread (a Spanish page's
    /es/ links are then what reverse() gives); each test starts in English."""
    from django.utils import translation

    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _reads_from_the_primary():
    """With DATABASE_REPLICA_URLS set, a test still reads where it wrote: a replica never
    sees a test's transaction. tests/test_replicas.py drives a real standby itself."""
    from django.conf import settings
    from django.test import override_settings

    if not settings.DATABASE_REPLICAS:
        yield
        return
    with override_settings(DATABASE_REPLICAS=[]):
        yield
