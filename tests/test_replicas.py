"""Read replicas (archive/routers.py): the settings, the routing decisions, and a real
PostgreSQL standby with its replay paused (`make test-replica` sets up the clusters)."""

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from archive import routers
from archive.settings import replica_databases
from reports.models import ArchiveState, Incident

ROOT = Path(__file__).resolve().parent.parent
PG = "django.db.backends.postgresql"
PRIMARY_SETTINGS = {"ENGINE": PG, "OPTIONS": {"connect_timeout": 5}, "CONN_MAX_AGE": 60}


# --- Settings: DATABASE_REPLICA_URLS ------------------------------------------------------


def test_replica_urls_become_replica_aliases_with_the_primarys_options():
    replicas = replica_databases(
        ["postgres://postgres@10.0.0.2:5432/archive", "postgres://reader@10.0.0.3/archive"],
        PRIMARY_SETTINGS,
    )
    assert list(replicas) == ["replica_1", "replica_2"]
    first, second = replicas.values()
    assert (first["HOST"], first["PORT"], second["HOST"], second["USER"]) == (
        "10.0.0.2",
        5432,
        "10.0.0.3",
        "reader",
    )
    for replica in (first, second):
        assert replica["ENGINE"] == PG
        assert replica["OPTIONS"] == {"connect_timeout": 5}
        assert replica["CONN_MAX_AGE"] == 60
        # A test run makes no database on a read-only standby.
        assert replica["TEST"] == {"MIRROR": "default"}
    assert replica_databases([], PRIMARY_SETTINGS) == {}


@pytest.mark.parametrize(
    ("urls", "primary", "message"),
    [
        (["postgres://h/archive"], {"ENGINE": "django.db.backends.sqlite3"}, "PostgreSQL primary"),
        (
            ["sqlite:///replica.sqlite3"],
            PRIMARY_SETTINGS,
            "replica 1 is django.db.backends.sqlite3",
        ),
        (["mysql://h/archive"], PRIMARY_SETTINGS, "not django.db.backends.postgresql"),
        (["postgres://h/a", "nonsense"], PRIMARY_SETTINGS, "'nonsense' is not a database URL"),
    ],
)
def test_replicas_of_sqlite_or_of_another_engine_are_refused(urls, primary, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        replica_databases(urls, primary)


def test_a_bad_replica_url_stops_the_archive_before_it_starts(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DATABASE_REPLICA_URLS": "postgres://postgres@127.0.0.1:5434/archive",
    }
    result = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS needs a PostgreSQL primary" in result.stderr


# --- Routing decisions (any engine: no replica is connected to) ------------------------


@pytest.fixture
def two_replicas(settings):
    settings.DATABASE_REPLICAS = ["replica_1", "replica_2"]
    return settings.DATABASE_REPLICAS


@contextmanager
def reading(replica):
    """Inside a request that reads from `replica` (None: the primary)."""
    state = routers.Reading(replica=replica)
    token = routers._reading.set(state)
    try:
        yield state
    finally:
        routers._reading.reset(token)


def pin_cookie(age=0):
    """A pin cookie's value as ReadReplicaMiddleware signs it, `age` seconds ago."""
    response = HttpResponse()
    now = time.time()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.core.signing.time.time", lambda: now - age)
        response.set_signed_cookie(routers.PIN_COOKIE, "1", salt=routers.PIN_SALT)
    return response.cookies[routers.PIN_COOKIE].value


def test_anonymous_public_reads_go_to_a_replica(two_replicas):
    factory = RequestFactory()
    chosen = {routers.choose_replica(factory.get("/incidents/")) for _ in range(200)}
    assert chosen == {"replica_1", "replica_2"}  # spread over every replica
    assert routers.choose_replica(factory.head("/es/grupos/")) in two_replicas
    assert routers.choose_replica(factory.get("/api/incidents/")) in two_replicas


@pytest.mark.parametrize(
    "request_for",
    [
        lambda f: f.get("/admin/"),  # the editors' desk
        lambda f: f.get("/admin/reports/incident/"),
        lambda f: f.post("/incidents/"),
        lambda f: f.put("/api/incidents/"),
        lambda f: f.get("/incidents/", headers={"Cookie": "sessionid=abc"}),  # an editor
        lambda f: f.get("/incidents/", headers={"Cookie": f"archive_primary={pin_cookie(10)}"}),
    ],
    ids=["desk", "admin", "post", "put", "session", "pinned"],
)
def test_the_admin_writes_editors_and_pinned_browsers_read_from_the_primary(
    two_replicas, request_for
):
    assert routers.choose_replica(request_for(RequestFactory())) is None


def test_a_pin_expires_and_a_forged_one_is_ignored(two_replicas, settings):
    settings.REPLICA_PIN_SECONDS = 30
    factory = RequestFactory()
    expired = factory.get("/", headers={"Cookie": f"archive_primary={pin_cookie(31)}"})
    forged = factory.get("/", headers={"Cookie": "archive_primary=1:forged:signature"})
    assert routers.choose_replica(expired) in two_replicas
    assert routers.choose_replica(forged) in two_replicas


def test_without_replicas_everything_reads_from_the_primary(settings):
    settings.DATABASE_REPLICAS = []
    assert routers.choose_replica(RequestFactory().get("/incidents/")) is None


@pytest.fixture
def fake_connections(monkeypatch):
    """Connections that only name themselves: no replica is connected to here."""
    fakes = {alias: SimpleNamespace(alias=alias) for alias in ("default", "replica_1", "replica_2")}
    monkeypatch.setattr(routers, "connections", fakes)


def test_the_router_reads_published_content_from_the_requests_replica(fake_connections):
    router = routers.ReplicaRouter()
    with reading("replica_2"):
        assert router.db_for_read(Incident) == "replica_2"
        assert router.db_for_read(ArchiveState) == "replica_2"
        assert routers.reading_connection.alias == "replica_2"  # raw SQL reads there too
        # Users, sessions, the login throttle: only ever the primary.
        assert router.db_for_read(User) == "default"
        assert router.db_for_read(Session) == "default"
        # Related rows of an object read from the primary come from the primary.
        from_primary = Incident(pk=1)
        from_primary._state.db = "default"
        assert router.db_for_read(Incident, instance=from_primary) == "default"
        from_replica = Incident(pk=1)
        from_replica._state.db = "replica_2"
        assert router.db_for_read(Incident, instance=from_replica) == "replica_2"


def test_after_a_write_the_request_reads_from_the_primary(fake_connections):
    router = routers.ReplicaRouter()
    with reading("replica_1") as state:
        assert router.db_for_read(Incident) == "replica_1"
        assert router.db_for_write(Incident) == "default"
        assert state.wrote
        assert router.db_for_read(Incident) == "default"
        assert routers.reading_connection.alias == "default"


def test_outside_requests_everything_is_the_primary():
    router = routers.ReplicaRouter()
    assert routers.read_alias() == "default"
    assert router.db_for_read(Incident) == "default"
    assert router.db_for_write(Incident) == "default"
    with reading(None):  # a request the middleware sent to the primary
        assert router.db_for_read(Incident) == "default"


def test_migrations_run_on_the_primary_only():
    router = routers.ReplicaRouter()
    assert router.allow_migrate("default", "reports", "incident")
    assert not router.allow_migrate("replica_1", "reports", "incident")
    assert not router.allow_migrate("replica_1", "auth")


def run_middleware(request, writes=False):
    """ReadReplicaMiddleware around a view that notes where it reads (and writes if told)."""
    seen = []

    def view(request):
        seen.append(routers.read_alias())
        if writes:
            routers.ReplicaRouter().db_for_write(Incident)
            seen.append(routers.read_alias())
        return HttpResponse("ok")

    response = routers.ReadReplicaMiddleware(view)(request)
    assert routers.read_alias() == "default"  # nothing leaks past the request
    return seen, response


def test_the_middleware_pins_a_browser_to_the_primary_after_its_post_wrote(two_replicas):
    factory = RequestFactory()
    seen, response = run_middleware(factory.get("/incidents/"))
    assert seen[0] in two_replicas and not response.cookies
    seen, response = run_middleware(factory.post("/error-report/"), writes=True)
    assert seen == ["default", "default"]
    pin = response.cookies[routers.PIN_COOKIE]
    assert pin["max-age"] == 30 and pin["httponly"]
    later = factory.get("/incidents/", headers={"Cookie": f"archive_primary={pin.value}"})
    assert run_middleware(later)[0] == ["default"]


def test_a_get_that_writes_reads_the_rest_from_the_primary_but_pins_nothing(two_replicas):
    # A public page storing derived figures (reports/figures.py): still a cacheable page.
    seen, response = run_middleware(RequestFactory().get("/"), writes=True)
    assert seen[0] in two_replicas and seen[1] == "default"
    assert not response.cookies


def test_a_post_that_wrote_nothing_pins_nothing(two_replicas):
    assert not run_middleware(RequestFactory().post("/search/"))[1].cookies


# --- A real primary and standby ------------------------------------------------------------

PRIMARY_URL = os.environ.get("REPLICA_TEST_PRIMARY_URL", "")
STANDBY_URL = os.environ.get("REPLICA_TEST_STANDBY_URL", "")
needs_standby = pytest.mark.skipif(
    not (PRIMARY_URL and STANDBY_URL),
    reason="no PostgreSQL primary and standby: set REPLICA_TEST_PRIMARY_URL and "
    "REPLICA_TEST_STANDBY_URL (`make test-replica` makes them with .ci/replica-up)",
)
PASSWORD = "correct horse battery"  # tests.factories.make_user's
TITLE = "Ambush at the Huanta post"

# Run by `manage.py shell` against the fresh archive: a published report and a draft
# incident resting on it, ready to publish; a Publisher to publish it.
SETUP = f"""
from reports.models import Status
from tests.factories import make_citation, make_incident, make_report, make_user
from tests.factories import support_every_fact
report = make_report(body="Guerrillas ambushed the Huanta post at dawn.")
incident = make_incident(title={TITLE!r}, status=Status.DRAFT)
make_citation(report, "Guerrillas ambushed the Huanta post", incident=incident)
support_every_fact(incident)
make_user("publisher", role="Publishers")
print(incident.pk, incident.get_absolute_url())
"""


def server_url(url, database):
    return f"{url.rstrip('/')}/{database}"


def query(url, sql, params=()):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchone() if cursor.description else None


def write(url, *statements):
    """Run (sql, params) statements in one transaction, committed."""
    import psycopg

    with psycopg.connect(url) as conn:
        for sql, params in statements:
            conn.execute(sql, params)


def redis_answers():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Cluster:
    """The primary and the standby, as the test sees them (psycopg, autocommit)."""

    def __init__(self, database):
        self.primary = server_url(PRIMARY_URL, database)
        self.standby = server_url(STANDBY_URL, database)

    def version(self, url):
        return query(url, "SELECT version FROM reports_archivestate WHERE id = 1")[0]

    def pause(self):
        query(self.standby, "SELECT pg_wal_replay_pause()")
        wait_for(
            lambda: query(self.standby, "SELECT pg_get_wal_replay_pause_state()")[0] == "paused",
            "the standby's replay to pause",
        )

    def resume(self):
        query(self.standby, "SELECT pg_wal_replay_resume()")

    def catch_up(self):
        """Wait until the standby has replayed everything the primary has written so far."""
        target = query(self.primary, "SELECT pg_current_wal_lsn()::text")[0]
        wait_for(
            lambda: (
                query(
                    self.standby, "SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn())", [target]
                )[0]
                <= 0
            ),
            "the standby to replay the primary's WAL",
        )


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A fresh archive on the primary (replicated to the standby), served by gunicorn with
    DATABASE_URL at the primary and DATABASE_REPLICA_URLS at the standby; dropped after."""
    import requests

    database = f"archive_replica_test_{os.getpid()}"
    maintenance = server_url(PRIMARY_URL, "postgres")
    query(maintenance, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    query(maintenance, f'CREATE DATABASE "{database}"')
    cluster = Cluster(database)
    shared_cache = redis_answers()
    env = {
        **os.environ,
        "DATABASE_URL": cluster.primary,
        "DATABASE_REPLICA_URLS": cluster.standby,
        "DJANGO_LOG_LEVEL": "WARNING",
        # One page cache for both workers (Redis), under keys of this run's own.
        "REDIS_URL": "redis://127.0.0.1:6379/0" if shared_cache else "",
        "CACHE_KEY_PREFIX": f"replica-test-{uuid.uuid4().hex}",
        "EXPORT_CACHE_DIR": str(tmp_path_factory.mktemp("exports")),
    }
    server = None
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
            [*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        made = subprocess.run(  # noqa: S603 - our own manage.py and set-up script
            [*manage, "shell", "-c", SETUP],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        pk, path = made.stdout.split()[-2:]
        port = free_port()
        server = subprocess.Popen(  # noqa: S603 - gunicorn serving this archive
            [
                *(sys.executable, "-m", "gunicorn", "archive.wsgi:application"),
                *("--bind", f"127.0.0.1:{port}", "--workers", "2" if shared_cache else "1"),
            ],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"

        def up():
            try:
                return requests.get(f"{base}/healthz", timeout=2).status_code == 200
            except (requests.ConnectionError, requests.Timeout):
                return False

        wait_for(up, "gunicorn to answer")
        cluster.catch_up()
        yield {"base": base, "cluster": cluster, "pk": pk, "path": path}
    finally:
        query(server_url(STANDBY_URL, "postgres"), "SELECT pg_wal_replay_resume()")
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        query(maintenance, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def anonymous(base, path, **kwargs):
    import requests

    return requests.get(f"{base}{path}", timeout=10, allow_redirects=False, **kwargs)


def logged_in_publisher(base):
    import requests

    browser = requests.Session()
    form = browser.get(f"{base}/admin/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    done = browser.post(
        f"{base}/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": "publisher", "password": PASSWORD},
        timeout=10,
        allow_redirects=False,
    )
    assert done.status_code == 302, done.text[:500]
    return browser


def publish_in_the_admin(base, browser, pk):
    """The admin's bulk action "Publish selected incidents", as the publisher's browser."""
    changelist = f"{base}/admin/reports/incident/"
    browser.get(changelist, timeout=10)
    done = browser.post(
        changelist,
        data={
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "action": "publish",
            "_selected_action": pk,
            "index": "0",
        },
        timeout=10,
    )
    assert done.status_code == 200 and "moved to" in done.text, done.text[:2000]


@needs_standby
def test_a_publish_reaches_editors_at_once_and_readers_once_the_standby_replays_it(served):
    base, cluster, pk, path = served["base"], served["cluster"], served["pk"], served["path"]
    # Before: a draft is a 404 for readers, and the list (now in the page cache) lacks it.
    assert anonymous(base, path).status_code == 404
    before = anonymous(base, "/incidents/")
    assert before.status_code == 200 and TITLE not in before.text
    assert anonymous(base, "/incidents/").text == before.text  # a page cache hit
    publisher = logged_in_publisher(base)
    cluster.catch_up()

    cluster.pause()
    publish_in_the_admin(base, publisher, pk)
    assert cluster.version(cluster.primary) > cluster.version(cluster.standby)

    # The publisher (a session) reads the primary: the entry is there at once.
    assert TITLE in publisher.get(f"{base}{path}", timeout=10).text
    assert TITLE in publisher.get(f"{base}/incidents/", timeout=10).text
    # Readers read the standby, which has not replayed the publish: not yet, and no error.
    for _ in range(4):  # each gunicorn worker
        assert anonymous(base, path).status_code == 404
        listed = anonymous(base, "/incidents/")
        assert listed.status_code == 200 and TITLE not in listed.text
    not_modified = anonymous(base, "/incidents/", headers={"If-None-Match": before.headers["ETag"]})
    assert not_modified.status_code == 304  # the standby's version is still the list's

    cluster.resume()
    cluster.catch_up()
    # Replayed: every reader sees it, and the pre-publish list is never served again.
    for _ in range(6):
        shown = anonymous(base, path)
        assert shown.status_code == 200 and TITLE in shown.text
        listed = anonymous(base, "/incidents/")
        assert listed.status_code == 200 and TITLE in listed.text
        again = anonymous(base, "/incidents/", headers={"If-None-Match": before.headers["ETag"]})
        assert again.status_code == 200 and TITLE in again.text
        assert again.headers["ETag"] != before.headers["ETag"]


@needs_standby
def test_a_browser_that_wrote_reads_from_the_primary_while_readers_wait(served):
    base, cluster = served["base"], served["cluster"]
    publisher = logged_in_publisher(base)
    anonymous(base, "/incidents/")  # the list's derived figures stored at this version
    cluster.catch_up()
    cluster.pause()
    try:
        # A change the standby has not replayed: the incident published under a new title
        # on the primary (its citation of a published report was made with it).
        renamed = "Renamed while the standby waits"
        write(
            cluster.primary,
            (
                "UPDATE reports_incident SET title = %s, status = 'published' WHERE id = %s",
                [renamed, served["pk"]],
            ),
            (
                "UPDATE reports_archivestate SET version = version + 1, changed_at = now()"
                " WHERE id = 1",
                [],
            ),
        )
        assert renamed not in anonymous(base, "/incidents/").text  # the standby's list
        # Logging out is a POST that writes (the session): the browser, anonymous now,
        # is pinned to the primary for a while and reads its own world.
        token = publisher.cookies["csrftoken"]
        out = publisher.post(
            f"{base}/admin/logout/", data={"csrfmiddlewaretoken": token}, timeout=10
        )
        assert out.status_code == 200
        assert "sessionid" not in publisher.cookies and routers.PIN_COOKIE in publisher.cookies
        assert renamed in publisher.get(f"{base}/incidents/", timeout=10).text
        assert renamed not in anonymous(base, "/incidents/").text
    finally:
        cluster.resume()
    cluster.catch_up()
    assert renamed in anonymous(base, "/incidents/").text
