"""Under load during a long write, SQLite answers readers: while `import_documents` writes
2,000 documents in one transaction, the public pages served by gunicorn (several workers
and threads, the production settings, a file database) are never a 500; a 503 with
Retry-After is the worst a request may get.

A real server and a real import, each a process of its own as in production: the test
database of the rest of the suite (in memory, one process) cannot show a lock between
processes.
"""

import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from bench.generate import MARK, write_documents
from reports.ingest.documents import import_documents
from reports.models import Report

on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's file locking; PostgreSQL has no such lock"
)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
DOCUMENTS = 2000
READERS = 3
# Each reader's pause between two requests: steady load that leaves the import a core,
# so the test stays short on a machine of two.
PAUSE = 0.1  # seconds
# Requests that must start while the import holds the write lock: far fewer than a
# loaded machine still makes, enough that the write was really under load.
MIN_DURING_WRITE = 40
REQUEST_TIMEOUT = 60  # seconds: longer than the database's busy timeout (20 s)
PROBE_INTERVAL = 0.1  # seconds between two looks at the write lock


@dataclass(frozen=True)
class Answer:
    path: str
    status: int  # 0: no HTTP answer at all (a dropped connection, a timeout)
    retry_after: str
    started: float
    ended: float
    error: str = ""


def acceptable(answer):
    """A page, a redirect, a 404, or a 503 that says when to come back: never a 500."""
    if 200 <= answer.status < 400 or answer.status == 404:
        return True
    return answer.status == 503 and answer.retry_after.isdigit()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database):
    return {
        **os.environ,
        # No page cache (DummyCache): every request reads the database.
        "DJANGO_SETTINGS_MODULE": "tests.load_settings",
        "BENCH_NO_CACHE": "1",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def manage(env, *args):
    return subprocess.run(  # noqa: S603 (manage.py of this project)
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def get(base, path):
    started = time.monotonic()
    try:
        with urllib.request.urlopen(base + path, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
            response.read()
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as error:
        error.read()
        status, headers = error.code, error.headers
    except OSError as error:
        return Answer(path, 0, "", started, time.monotonic(), f"{type(error).__name__}: {error}")
    return Answer(path, status, headers.get("Retry-After", ""), started, time.monotonic())


class LockWatch(threading.Thread):
    """Looks at the write lock every PROBE_INTERVAL: the moments a writer held it.

    BEGIN IMMEDIATE with no busy timeout fails at once while another connection holds
    the write lock; when it succeeds the probe rolls back at once, holding the lock for
    no longer than a writer's busy handler waits anyway.
    """

    def __init__(self, database):
        super().__init__(daemon=True)
        self.database = database
        self.held = []  # monotonic times at which a writer held the lock
        self.stop = threading.Event()

    def run(self):
        probe = sqlite3.connect(self.database, timeout=0, isolation_level=None)
        try:
            while not self.stop.wait(PROBE_INTERVAL):
                try:
                    probe.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError:
                    self.held.append(time.monotonic())
                else:
                    probe.execute("ROLLBACK")
        finally:
            probe.close()


def test_generated_documents_import_as_reports_of_their_own(db, tmp_path):
    paths = write_documents(tmp_path, count=3)
    outcomes = import_documents(
        [(path.name, path.read_bytes()) for path in paths], method="test", publish=True
    )
    assert [outcome.action for outcome in outcomes] == ["created"] * 3
    reports = Report.objects.published()
    assert reports.count() == 3
    assert all(title.startswith(MARK) for title in reports.values_list("title", flat=True))


@pytest.mark.load
@on_sqlite
def test_public_pages_answer_no_500_while_an_import_writes_2000_documents(tmp_path):
    database = tmp_path / "archive.sqlite3"
    env = environment(database)
    for step in (("migrate", "--noinput"), ("loaddata", "peru_1997")):
        done = manage(env, *step, "-v0")
        assert done.returncode == 0, done.stderr
    folder = tmp_path / "documents"
    folder.mkdir()
    write_documents(folder, count=DOCUMENTS)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 (gunicorn of this project's virtualenv)
        [GUNICORN, "archive.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        + ["--threads", "2", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "gunicorn.log").open("w"),  # noqa: SIM115 (lives with the server)
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while get(base, "/healthz").status != 200:
            assert time.monotonic() < deadline, "gunicorn did not start"
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.2)
        paths = [
            "/",
            "/reports/",
            "/reports/?country=PE",
            "/reports/patterns-of-global-terrorism-1997-peru/",
            "/incidents/",
            "/incidents/japanese-ambassadors-residence-hostage-crisis-lima/",
            "/groups/",
            "/groups/mrta/",
            "/search/?q=hostages",
            "/search/?q=violence",
            "/es/incidents/",
            "/api/reports/",
            "/api/incidents/?country=PE",
        ]
        # Once each before the import: the figures a page stores on its first request
        # after a change are stored, as on a live archive between two changes.
        for path in paths:
            assert get(base, path).status == 200, path

        answers, done = [], threading.Event()
        lock = LockWatch(database)

        def reader(offset):
            index = offset
            while not done.wait(PAUSE):
                answers.append(get(base, paths[index % len(paths)]))
                index += 1

        readers = [threading.Thread(target=reader, args=(n * 3,)) for n in range(READERS)]
        lock.start()
        for thread in readers:
            thread.start()
        try:
            imported = manage(env, "import_documents", "--publish", str(folder))
        finally:
            done.set()
            for thread in readers:
                thread.join()
            lock.stop.set()
            lock.join()
        # Committed: the new reports are the readers' at once.
        with urllib.request.urlopen(base + "/api/reports/?page_size=1", timeout=30) as r:  # noqa: S310
            published = json.load(r)["count"]
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert imported.returncode == 0, imported.stderr[-2000:]
    assert f"Imported: {DOCUMENTS} created." in imported.stdout
    assert lock.held, "the import was never seen holding the write lock"
    during = [a for a in answers if lock.held[0] <= a.started <= lock.held[-1]]
    bad = [a for a in answers if not acceptable(a)]
    assert not bad, f"{len(bad)} of {len(answers)} answers refused, e.g. {bad[:5]}"
    assert len(during) >= MIN_DURING_WRITE, (
        f"only {len(during)} requests while the import held the lock "
        f"({lock.held[-1] - lock.held[0]:.1f} s)"
    )
    assert published == DOCUMENTS + 1
    slowest = max(answers, key=lambda a: a.ended - a.started)
    print(  # shown with -s: what the load was
        f"{len(answers)} requests, {len(during)} while the import held the write lock "
        f"({lock.held[-1] - lock.held[0]:.1f} s); "
        f"statuses {sorted({a.status for a in answers})}; slowest {slowest.path} "
        f"{slowest.ended - slowest.started:.1f} s"
    )
