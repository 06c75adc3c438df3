# ruff: noqa: S603 (the script runs fixed commands of its own: manage.py, gunicorn, wrk, datasette)
"""The archive's benchmark: `make bench` (or `.venv/bin/python bench/run.py`), on SQLite;
`make bench DB=postgres` (`--db postgres`) runs the same on PostgreSQL.

1. Builds the databases with generate_archive: 200,000 incidents, and 1,000 for the
   "cost stays flat" comparison; SQLite files in bench/data/ (gitignored), or
   PostgreSQL databases archive_bench_200k and archive_bench_1k on BENCH_PG_URL
   (the machine's local server by default), created and dropped here and given a
   VACUUM ANALYZE. Either is built again only when missing or when its sizes, the
   migrations or the generator changed (a stamp in bench/data/ says which).
2. Counts SQL queries per page with Django's test client (first and second request).
3. Serves each database with gunicorn on 127.0.0.1 with the production settings
   (DJANGO_DEBUG=0; bench/settings.py adds only the bare view) and drives every
   page with wrk: "cold" with no page cache (DummyCache), "warm" with the
   project's cache after a warm-up. 4 connections, a few seconds a page; beside
   wrk's rate and latencies, the CPU time the whole machine worked per request.
   Every measurement is repeated (--repeats, 3 by default) in passes over all the
   pages, so a burst of load from elsewhere on the machine hits one run of a page,
   not all of them.
4. (SQLite only: Datasette reads SQLite files.) Serves the same 200,000-incident file
   with Datasette (a pinned version in a
   virtualenv of its own, bench/.peer-venv, gitignored) beside gunicorn with no page
   cache, and measures the same things on both in the same passes: the incident list
   (HTML and JSON), search, and the incidents' CSV export streamed whole (rows a
   second, and the serving process's memory). `--only peer` runs just this, and
   prints it without writing bench/RESULTS.md.
5. Times import_incidents on 200,000 generated rows in each format it reads: the
   GTD's CSV and its .xlsx workbook (the same rows), and UCDP GED's CSV. Each file
   is written once into bench/data and imported into a fresh database of the engine
   measured twice (creating, then unchanged): seconds, rows a second, peak RSS.
6. Times export_archive of the 200,000-incident archive and import_archive of that
   backup into a fresh database of the engine measured: seconds and peak RSS, under
   300 MB each.
7. Prints one table and writes the engine's section of bench/RESULTS.md, keeping the
   other engine's section, a table of the two side by side, and the hand-written notes.
   Each figure is the median of its runs, with their spread (min-max) beside it;
   budgets are judged on the medians. A ratio (warm / bare view, 200k / 1k, deep
   page / page 1) divides two medians of this run; its spread is that of the
   ratios within each pass.
"""

import argparse
import csv
import functools
import hashlib
import http.client
import io
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
BIG = {"reports": 10000, "incidents": 200000, "groups": 2000}
SMALL = {"reports": 50, "incidents": 1000, "groups": 20}
# A p99 of 4 clients on 2 shared cores moves by up to 2x from run to run: each page is
# measured REPEATS times and judged on the median. Runs of SECONDS (after WARMUP) keep
# three runs of every page (English and Spanish), cold, warm and at 1k, to about twelve
# minutes of wrk.
CONNECTIONS, THREADS, SECONDS, WARMUP, REPEATS = 4, 2, 3, 1, 3
WRK_TIMEOUT = 10  # seconds
PAGE_TIMEOUT = 20  # seconds; a slower page is an error row
NOTES_MARKER = "<!-- notes: everything below this line is kept by bench/run.py -->"
METRICS = ("rps", "p50", "p95", "p99", "cpu_ms")  # of one run (load)
BARE = "bare Django view"  # the yardstick: the framework's ceiling on this machine
SPANISH = " (es)"  # ends the name of a page's Spanish version
LIST_P1 = "incident list ?country&year p1"
# The peer: Datasette, pinned so that its figures move only when ours do.
PEER = "Datasette"
PEER_VERSION = "0.65.5"
PEER_VENV = ROOT / "bench" / ".peer-venv"
PEER_SQL_THREADS = CONNECTIONS  # its one process runs SQL in a pool as wide as our workers
PEER_CHUNK = 2000  # rows a query when it streams CSV: our export's chunk (exports.CHUNK_SIZE)
STREAM_TIMEOUT = 60  # seconds without a byte of an export before it counts as failed
EXPORT_READ = 1 << 20  # bytes the client reads of an export at a time
MEMORY_INTERVAL = 0.02  # seconds between two readings of the serving processes' RSS
# An export is flat if its serving process's peak stays this close to its size before
# the request: room for a chunk of rows, far below 200,000 rows held at once.
FLAT_MB = 50
EXPORT_ROWS_PER_S = 20000


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@functools.cache
def redis_url():
    """The Redis the warm runs cache in (REDIS_URL, else the machine's local one), or ""."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2")
    host, _, port = url.split("//", 1)[1].split("/", 1)[0].rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port or 6379)), timeout=1).close()
    except OSError:
        return ""
    return url


ENGINES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
# The PostgreSQL server `--db postgres` builds its databases on (without a database name).
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")


@dataclass(frozen=True)
class PgDatabase:
    """A PostgreSQL database of the bench's own on PG_SERVER: created and dropped here."""

    name: str

    @property
    def url(self):
        return f"{PG_SERVER}/{self.name}"

    @property
    def stem(self):
        return self.name

    def exists(self):
        with pg_server() as connection:
            found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name])
            return found.fetchone() is not None

    def create(self):
        """Drop the database if it is there (its connections too), then create it empty."""
        self.drop()
        with pg_server() as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        with pg_server() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def vacuum_analyze(self):
        """What an operator runs after a bulk load: the planner's statistics, and the
        visibility map that lets index-only scans skip the table."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")


def pg_server():
    """An autocommit connection to PG_SERVER's maintenance database, or a clear stop."""
    import psycopg

    try:
        return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        raise SystemExit(
            f"make bench DB=postgres needs a PostgreSQL server at {PG_SERVER} that lets this "
            f"user create databases (set BENCH_PG_URL to use another): {error}"
        ) from error


def database_url(database):
    return database.url if isinstance(database, PgDatabase) else f"sqlite:///{database}"


def databases(engine):
    """The 200,000- and 1,000-incident databases of `engine`."""
    if engine == "postgres":
        return PgDatabase("archive_bench_200k"), PgDatabase("archive_bench_1k")
    return DATA / "archive-200k.sqlite3", DATA / "archive-1k.sqlite3"


def env_for(database, no_cache=False):
    return {
        **os.environ,
        # Warm runs share one page cache across the gunicorn workers, as in production.
        "REDIS_URL": redis_url(),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # No TLS on the loopback; in production the proxy in front terminates it.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url(database),
        "BENCH_NO_CACHE": "1" if no_cache else "0",
        "PYTHONPATH": str(ROOT),
    }


SECRET = secrets.token_urlsafe(50)


def manage(database, *args, capture=False):
    return subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env_for(database),
        check=True,
        text=True,
        capture_output=capture,
    )


# --- Setup -------------------------------------------------------------------


def ensure_wrk():
    if shutil.which("wrk"):
        return
    log("wrk is missing: installing it from Debian's packages")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], check=True)


def generator_digest():
    """A digest of the generator's code: other code makes other data."""
    digest = hashlib.sha256()
    for path in (ROOT / "bench" / "generate.py", ROOT / "bench" / "management"):
        for file in sorted([path] if path.is_file() else path.rglob("*.py")):
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def build(database, sizes, rebuild):
    """Build a generated database unless one of the same sizes, migrations and generator
    exists; return its build time."""
    stamp = DATA / f"{database.stem}.json"
    # A new migration (an index, a search table) means the data must be built again.
    migrations = sorted(p.name for p in (ROOT / "reports" / "migrations").glob("0*.py"))
    generator = generator_digest()
    if not rebuild and database.exists() and stamp.exists():
        saved = json.loads(stamp.read_text())
        if (saved["sizes"], saved.get("migrations"), saved.get("generator")) == (
            sizes,
            migrations,
            generator,
        ):
            log(f"reusing {database.stem} (built in {saved['seconds']:.1f} s; --rebuild to redo)")
            return saved["seconds"]
    stamp.unlink(missing_ok=True)  # until the new build is whole
    if isinstance(database, PgDatabase):
        database.create()
    else:
        database.unlink(missing_ok=True)
    manage(database, "migrate", "--noinput", "-v0")
    log(f"generating {database.stem}: {sizes}")
    started = time.monotonic()
    manage(
        database,
        "generate_archive",
        *[f"--{key}={value}" for key, value in sizes.items()],
        "--seed=1",
    )
    seconds = time.monotonic() - started
    if isinstance(database, PgDatabase):
        database.vacuum_analyze()
    stamp.write_text(
        json.dumps(
            {"sizes": sizes, "seconds": seconds, "migrations": migrations, "generator": generator}
        )
    )
    return seconds


@dataclass(frozen=True)
class ImportFile:
    """A generated file the bench imports, and the import's budget."""

    kind: str  # as the report names it
    option: str  # generate_archive's option that writes it
    name: str  # its file name in bench/data, {k} the thousands of rows
    seconds: float
    mb: float


IMPORTS = (
    ImportFile("GTD CSV", "--csv", "gtd-{k}k.csv", 30, 300),
    # A workbook's cells are XML in a zip: more to parse per row than a CSV line.
    ImportFile("GTD workbook", "--xlsx", "gtd-{k}k.xlsx", 60, 300),
    ImportFile("UCDP GED CSV", "--ged", "ged-{k}k.csv", 30, 300),
)


def time_import(rows, engine="sqlite"):
    """Import each generated file twice into an empty database of `engine`.

    Return [(ImportFile, label, result)], result as time_import_of measured it.
    """
    return [
        (source, label, result)
        for source in IMPORTS
        for label, result in time_import_of(source, rows, engine)
    ]


def time_import_of(source, rows, engine="sqlite"):
    """Write `source`'s file if missing, then time two imports of it: [(label, result)]."""
    path = DATA / source.name.format(k=rows // 1000)
    if not path.exists():
        log(f"writing {path.name}")
        # Under another name until whole, so an interrupted write is not reused.
        partial = path.with_name(f"part-{path.name}")
        manage(
            DATA / "unused.sqlite3",
            "generate_archive",
            source.option,
            str(partial),
            f"--incidents={rows}",
            "--seed=1",
        )
        partial.rename(path)
    database = scratch_database(engine, "import")
    results = []
    for label in ("first run (creates)", "second run (unchanged)"):
        log(f"import_incidents {path.name}: {label}")
        result = peak_of(database, "import_incidents", str(path))
        results.append((label, {**result, "rows": rows}))
    drop(database)
    return results


def scratch_database(engine, name):
    """A freshly migrated, empty database of `engine` for a timed command to write into."""
    if engine == "postgres":
        database = PgDatabase(f"archive_bench_{name}")
        database.create()
    else:
        database = DATA / f"{name}.sqlite3"
        database.unlink(missing_ok=True)
    manage(database, "migrate", "--noinput", "-v0")
    return database


def drop(database):
    if isinstance(database, PgDatabase):
        database.drop()
    else:
        database.unlink(missing_ok=True)


# A process whose only child is the command, so RUSAGE_CHILDREN's peak is the command's own.
PEAK_WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.monotonic()\n"
    "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "print(json.dumps({'seconds': time.monotonic() - t, 'returncode': r.returncode,\n"
    "  'maxrss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,\n"
    "  'out': r.stdout.strip()[-300:], 'err': r.stderr.strip()[-300:]}))\n"
)


def peak_of(database, *command):
    """Run manage.py `command` on `database`: its seconds, exit code, peak RSS and output."""
    done = subprocess.run(
        [PY, "-c", PEAK_WRAPPER, PY, "manage.py", *command],
        cwd=ROOT,
        env=env_for(database),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


# --- Pages and query counts (runs inside Django, in a subprocess) --------------


def discover(count=True):
    """Print the benchmarked pages (name, path) and their query counts, as JSON, with
    the list's country and year; `count=False` leaves the counts out."""
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import ExtractYear
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.generate import COMMON_WORD, RARE_WORD
    from reports.models import Group, Incident, Report

    incidents = Incident.objects.published()
    country = incidents.values("country").annotate(n=Count("id")).order_by("-n").first()["country"]
    year = (
        incidents.filter(country=country)
        .annotate(y=ExtractYear("start_date"))
        .values("y")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["y"]
    )
    report = Report.objects.published().filter(country=country).order_by("pk").first()
    incident = incidents.filter(country=country).order_by("pk").first()
    # The group with the longest timeline: the worst case of its page.
    group = Group.objects.published().annotate(n=Count("incidents")).order_by("-n").first()
    client = Client()
    listing = f"/incidents/?country={country}&year={year}"
    deep = None
    try:
        signal.signal(signal.SIGALRM, _too_slow)
        signal.alarm(PAGE_TIMEOUT)
        response = client.get(listing)
        signal.alarm(0)
        page_obj = response.context and response.context.get("page_obj")
        if page_obj is not None and getattr(page_obj, "paginator", None) is not None:
            deep = page_obj.paginator.num_pages
    except Exception:  # noqa: BLE001, S110 (the page is reported as an error below)
        pass
    if not deep:
        deep = max(incidents.filter(country=country, start_date__year=year).count() // 25, 2)
    english = [
        ("home", "/"),
        ("report list ?country", f"/reports/?country={country}"),
        ("report detail", report.get_absolute_url() if report else "/reports/none/"),
        (LIST_P1, listing),
        (f"incident list ?country&year p{deep}", f"{listing}&page={deep}"),
        ("incident detail", incident.get_absolute_url() if incident else "/incidents/none/"),
        ("group detail (largest)", group.get_absolute_url() if group else "/groups/none/"),
        (f"search common ({COMMON_WORD})", f"/search/?q={COMMON_WORD}"),
        (f"search rare ({RARE_WORD})", f"/search/?q={RARE_WORD}"),
        # A researcher's narrowing: the common word in one country over five years.
        (
            f"search filtered ({COMMON_WORD}, country, years)",
            f"/search/?q={COMMON_WORD}&country={country}&year_from={year - 2}&year_to={year + 2}",
        ),
        # A phrase in every report's title: the common case of phrase search at its dearest.
        ('search phrase ("political violence")', "/search/?q=%22political+violence%22"),
        # One kind, paged: every result is reachable.
        (f"search reports p3 ({COMMON_WORD})", f"/search/?q={COMMON_WORD}&kind=reports&page=3"),
    ]
    # The same pages in Spanish: every budget holds in both languages.
    pages = [*english, *(in_spanish(name, url) for name, url in english), (BARE, "/bench/bare/")]
    result = []
    signal.signal(signal.SIGALRM, _too_slow)
    for name, url in pages:
        row = {"name": name, "path": url}
        if not count:
            result.append(row)
            continue
        log(f"  counting queries: {name}")
        try:
            counts = []
            for _ in range(2):
                signal.alarm(PAGE_TIMEOUT)  # a page that takes longer is reported, not waited for
                try:
                    with CaptureQueriesContext(connection) as queries:
                        response = client.get(url)
                finally:
                    signal.alarm(0)
                counts.append(len(queries))
            row.update(
                status=response.status_code, queries_first=counts[0], queries_second=counts[1]
            )
        except Exception as error:  # noqa: BLE001 (a broken page is a row, not a crash)
            row.update(status=f"{type(error).__name__}: {error}"[:120])
        result.append(row)
    found = {"pages": result, "incidents": incidents.count(), "country": country, "year": year}
    print(json.dumps({**found, "common_word": COMMON_WORD}))


def in_spanish(name, url):
    """(name, path) of a page's Spanish version: /es/ before the path."""
    return f"{name}{SPANISH}", f"/es{url}"


def english_name(name):
    """The page's name less the Spanish mark, for the budgets that depend on the page kind."""
    return name.removesuffix(SPANISH)


class TooSlow(Exception):
    pass


def _too_slow(signum, frame):
    raise TooSlow(f"no answer within {PAGE_TIMEOUT} s")


def pages_of(database, count=True):
    done = subprocess.run(
        [PY, str(ROOT / "bench" / "run.py"), "--discover", *([] if count else ["--no-count"])],
        cwd=ROOT,
        # No page cache: the query counts are those of rendering the page.
        env=env_for(database, no_cache=True),
        stdout=subprocess.PIPE,
        text=True,
    )
    if done.returncode:
        raise SystemExit("page discovery failed (see above)")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- Serving and load --------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the archive on a free port of the loopback."""

    probe = "/bench/bare/"  # does no work: answered at once by an idle server

    def __init__(self, database, no_cache):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "archive.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(CONNECTIONS),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env_for(database, no_cache),
            # The request log stays on (production does it) but out of the table.
            stdout=(DATA / "gunicorn.log").open("a"),  # noqa: SIM115 (lives with the server)
            stderr=subprocess.STDOUT,
        )
        self.wait_until_up("gunicorn")

    def wait_until_up(self, name):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + self.probe, timeout=2).read()  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"{name} did not start")

    def settle(self):
        """Wait (up to a minute) until no worker is still busy with a slow page's requests."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                fetch(self.base + self.probe, timeout=5)
            except OSError:
                continue
            if time.monotonic() - started < 0.1:
                return

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:  # a worker stuck in a slow request
            self.process.kill()
            self.process.wait()

    def serving_pids(self):
        """The processes that answer requests: gunicorn's workers."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # The parent's pid follows the command's name, which may hold spaces.
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids


PEER_SETTINGS = {
    # Never cut a query short where ours would still be answering.
    "sql_time_limit_ms": PAGE_TIMEOUT * 1000,
    "num_sql_threads": PEER_SQL_THREADS,
    "max_returned_rows": PEER_CHUNK,
    # Every row of the CSV, however large (its default stops at 100 MB).
    "max_csv_mb": 0,
    # Our list suggests no facets: spare it that work.
    "suggest_facets": "off",
}


class PeerServer(Server):
    """Datasette serving the same file read-only (--immutable), on another port."""

    probe = "/-/versions.json"

    def __init__(self, database):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [str(PEER_VENV / "bin" / "datasette"), "serve", "--immutable", str(database)]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        for name, value in PEER_SETTINGS.items():
            command += ["--setting", name, str(value)]
        self.process = subprocess.Popen(
            command,
            cwd=DATA,
            stdout=(DATA / "datasette.log").open("a"),  # noqa: SIM115 (lives with the server)
            stderr=subprocess.STDOUT,
        )
        self.wait_until_up(PEER)

    def serving_pids(self):
        return [self.process.pid]  # one process: asyncio, SQL in a pool of threads


def fetch(url, headers=None, timeout=PAGE_TIMEOUT):
    """Return (status, headers) of a GET; HTTP errors and 304 are answers, not exceptions."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def load(url, server, seconds):
    """Warm up, then drive `url` with wrk for `seconds`; return parse_wrk() of its output
    with the machine's CPU time per request served ("cpu_ms")."""
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        f"{WRK_TIMEOUT}s",
        "-s",
        str(ROOT / "bench" / "report.lua"),
        url,
    ]
    subprocess.run([*command[:3], f"-d{WARMUP}s", *command[4:]], capture_output=True, check=True)
    server.settle()
    busy = busy_seconds()
    result = parse_wrk(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    result["cpu_ms"] = (busy_seconds() - busy) * 1000 / max(result["requests"], 1)
    return result


def busy_seconds(stat=Path("/proc/stat")):
    """Seconds the machine's CPUs have worked since boot, all processes together (wrk,
    gunicorn, the database), from /proc/stat: neither idle, nor waiting for a disk, nor
    stolen by the host of a virtual machine."""
    cpu = stat.read_text().splitlines()[0].split()
    user, nice, system, _idle, _iowait, irq, softirq = map(int, cpu[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def parse_wrk(output):
    """One run's figures from the line bench/report.lua prints: req/s, latencies in ms."""
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    values = dict(item.split("=") for item in line.split()[1:])
    values = {key: int(value) for key, value in values.items()}
    return {
        "rps": values["requests"] / (values["duration_us"] / 1e6),
        "p50": values["p50"] / 1000,
        "p95": values["p95"] / 1000,
        "p99": values["p99"] / 1000,
        "errors": values["status_errors"] + values["socket_errors"],
        "requests": values["requests"],
    }


def measure(database, pages, no_cache, label, seconds=SECONDS):
    """One run of every page on one server: {page name: parse_wrk() result or {"error"}}."""
    log(f"serving {database.stem} ({label})")
    server = Server(database, no_cache)
    results = {}
    try:
        for page in pages:
            url = server.base + page["path"]
            error, headers = answer_alone(url)
            if error:
                results[page["name"]] = {"error": error}
                server.settle()
                continue
            result = load(url, server, seconds)
            server.settle()
            result["headers"] = conditional_get(url, headers)
            server.settle()
            results[page["name"]] = result
            log(
                f"  {page['name']}: {result['rps']:.0f} req/s p50 {result['p50']:.1f} ms "
                f"p99 {result['p99']:.1f} ms, CPU {result['cpu_ms']:.1f} ms a request"
            )
    finally:
        server.stop()
    return results


def answer_alone(url):
    """(None, headers) if one request alone is answered 200 in time, else (why not, {})."""
    started = time.monotonic()
    try:
        status, headers = fetch(url)
    except OSError as error:  # a timeout or a dropped connection
        return f"{type(error).__name__}: {error}", {}
    alone = time.monotonic() - started
    if status != 200:
        return f"HTTP {status}", {}
    if alone > WRK_TIMEOUT / 4:
        return f"one request alone took {alone:.1f} s; not put under load", {}
    return None, headers


def conditional_get(url, headers):
    """Describe the caching headers and whether a conditional GET answers 304."""
    present = [name for name in ("ETag", "Last-Modified", "Cache-Control") if headers.get(name)]
    conditions = {}
    if headers.get("ETag"):
        conditions["If-None-Match"] = headers["ETag"]
    if headers.get("Last-Modified"):
        conditions["If-Modified-Since"] = headers["Last-Modified"]
    answer = fetch(url, conditions)[0] if conditions else None
    return {"present": present, "conditional": answer}


# --- Against Datasette ---------------------------------------------------------


def ensure_peer():
    """Install the pinned Datasette into its own virtualenv unless it is there already."""
    datasette = PEER_VENV / "bin" / "datasette"
    if datasette.exists():
        done = subprocess.run([datasette, "--version"], capture_output=True, text=True)
        if done.stdout.split()[-1:] == [PEER_VERSION]:
            return
    log(f"installing {PEER} {PEER_VERSION} into {PEER_VENV.relative_to(ROOT)}")
    if not (PEER_VENV / "bin" / "python").exists():
        # The same interpreter as ours, so the same SQLite library serves both.
        subprocess.run([sys.executable, "-m", "venv", PEER_VENV], check=True)
    pip = [PEER_VENV / "bin" / "python", "-m", "pip", "install", "--quiet"]
    pip += ["--disable-pip-version-check", f"datasette=={PEER_VERSION}"]
    subprocess.run(pip, check=True)


@dataclass(frozen=True)
class Versus:
    """One of our pages against Datasette's nearest equivalent on the same file."""

    name: str
    ours: str  # path on gunicorn
    theirs: str  # path on Datasette
    least: float  # the budget: ours at least this many times Datasette's rate
    export: bool = False  # a CSV streamed whole (rows a second), not a page under wrk


def peer_comparisons(found, database):
    """The comparisons, on the list's country and year as the bench's own pages have them."""
    country, year, word = found["country"], found["year"], found["common_word"]
    paths = {page["name"]: page["path"] for page in found["pages"]}
    table = f"/{database.stem}/reports_incident"
    # The list's filter, written as Datasette's: published, the country, a start date in
    # the year (ours also counts an incident that began the year before and ran into
    # it), latest first.
    where = (
        f"status=published&country_id={country}&start_date__gte={year}-01-01"
        f"&start_date__lte={year}-12-31&_sort_desc=start_date"
    )
    return [
        Versus(f"{LIST_P1} (HTML, 25 a page)", paths[LIST_P1], f"{table}?{where}&_size=25", 3),
        Versus(
            "incident list ?country&year p1 (JSON, 100 a page)",
            f"/api/incidents/?country={country}&year={year}&page_size=100",
            f"{table}.json?{where}&_size=100&_shape=objects",
            1,
        ),
        Versus(
            f"search ({word}, HTML)",
            paths[f"search common ({word})"],
            f"/{database.stem}/reports_search_fts?_search={word}&_size=20",
            1,
        ),
        Versus(
            "incidents export.csv (every row)",
            "/incidents/export.csv",
            f"{table}.csv?_stream=on",
            0.6,
            export=True,
        ),
    ]


def measure_peer(database, comparisons, seconds, rows):
    """One run of every comparison, ours then Datasette's, both servers up throughout:
    {name: {"ours": result, "theirs": result}}, a result as parse_wrk()'s or
    stream_export()'s, or {"error": ...}."""
    log(f"serving {database.name} with gunicorn (no page cache) and with {PEER}")
    ours = Server(database, no_cache=True)
    try:
        theirs = PeerServer(database)
    except BaseException:
        ours.stop()
        raise
    results = {}
    try:
        for versus in comparisons:
            for side, server, path in (
                ("ours", ours, versus.ours),
                ("theirs", theirs, versus.theirs),
            ):
                label = f"  {versus.name}, {'ours' if side == 'ours' else PEER}"
                url = server.base + path
                if versus.export:
                    result = stream_export(url, server, rows)
                    if "error" not in result:
                        log(
                            f"{label}: {result['rows_per_s']:.0f} rows/s, "
                            f"peak {result['peak_mb']:.0f} MB"
                        )
                else:
                    error, _headers = answer_alone(url)
                    result = {"error": error} if error else load(url, server, seconds)
                    if not error:
                        log(f"{label}: {result['rps']:.0f} req/s p50 {result['p50']:.1f} ms")
                if "error" in result:
                    log(f"{label}: {result['error']}")
                server.settle()
                results.setdefault(versus.name, {})[side] = result
    finally:
        theirs.stop()
        ours.stop()
    return results


def rss_mb(pid):
    """A process's resident memory in MB, or None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(found[1]) / 1024 if found else None


def stream_export(url, server, expected):
    """Read a CSV export whole, counting its rows, while the serving processes' memory is
    read every MEMORY_INTERVAL; the figures of the process whose memory rose most."""
    pids = server.serving_pids()
    before = {pid: rss_mb(pid) for pid in pids}
    peaks = dict(before)
    done = threading.Event()

    def watch():
        while not done.wait(MEMORY_INTERVAL):
            for pid in pids:
                mb = rss_mb(pid)
                if mb is not None and peaks[pid] is not None:
                    peaks[pid] = max(peaks[pid], mb)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    received = 0
    started = time.monotonic()
    # Received into a file and parsed once the clock has stopped: the timed part is the
    # server's, not this client's parsing, which on two cores would slow the server.
    with tempfile.TemporaryFile() as body:
        try:
            with urllib.request.urlopen(url, timeout=STREAM_TIMEOUT) as response:  # noqa: S310
                while piece := response.read(EXPORT_READ):
                    body.write(piece)
                    received += len(piece)
            seconds = time.monotonic() - started
            body.seek(0)
            reader = csv.reader(io.TextIOWrapper(body, encoding="utf-8", newline=""))
            header = next(reader, None)
            rows = sum(1 for _row in reader)
        except (OSError, http.client.HTTPException, csv.Error, UnicodeDecodeError) as error:
            # A stream cut short (by a worker's timeout, say): how far it got, and how fast.
            seconds = time.monotonic() - started
            why = f"{type(error).__name__} after {received / 1e6:,.1f} MB in {seconds:.1f} s"
            return {"error": f"{why}: {error}"[:200]}
        finally:
            done.set()
            watcher.join()
    if not header or rows != expected:
        return {"error": f"{rows:,} rows streamed, {expected:,} expected"}
    measured = [pid for pid in pids if before[pid] is not None and peaks[pid] is not None]
    if not measured:
        return {"error": "the serving process's memory could not be read"}
    pid = max(measured, key=lambda pid: peaks[pid] - before[pid])
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "before_mb": before[pid],
        "peak_mb": peaks[pid],
        "rise_mb": peaks[pid] - before[pid],
    }


# --- Report ------------------------------------------------------------------


def database_text(database):
    """The engine as the report names it: PostgreSQL with its version and memory settings."""
    if not isinstance(database, PgDatabase):
        return "SQLite"
    import psycopg

    with psycopg.connect(database.url) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0].split()[0]
        settings = [
            f"{name} {connection.execute(f'SHOW {name}').fetchone()[0]}"
            for name in ("shared_buffers", "work_mem", "effective_cache_size")
        ]
    host = PG_SERVER.rsplit("@", 1)[-1].split("//")[-1]
    return (
        f"PostgreSQL {version} at {host} (the machine's own server: {', '.join(settings)}; "
        "VACUUM ANALYZE after the build)"
    )


def machine():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, TypeError):
        pass
    return (
        f"{platform.node()}: {cpu}, {os.cpu_count()} cores{memory}; {platform.platform()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


@dataclass(frozen=True)
class Spread:
    """A figure over several runs: the median, which budgets judge, and the extremes."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values):
        values = list(values)
        return cls(statistics.median(values), min(values), max(values), len(values))

    def text(self, digits=1, suffix=""):
        """ "23.2 (21.0–49.4)": the median, then the lowest and highest run."""
        median = f"{self.median:.{digits}f}{suffix}"
        if self.runs < 2:
            return median
        return f"{median} ({self.low:.{digits}f}–{self.high:.{digits}f})"


def summarise(runs):
    """One page's runs (parse_wrk() results, or {"error": ...}) as a Spread per metric,
    with the runs themselves and the first run's headers; {"error": ...} if any run
    failed or none was made: a failure is not noise, and is not outvoted."""
    if not runs:
        return {"error": "not measured"}
    failed = [run for run in runs if "error" in run or not run.get("requests")]
    if failed:
        why = failed[0].get("error") or f"no answer within {WRK_TIMEOUT} s under load"
        if len(failed) < len(runs):
            why += f" (in {len(failed)} of {len(runs)} runs)"
        return {"error": why}
    summary = {metric: Spread.of(run[metric] for run in runs) for metric in METRICS}
    summary["runs"] = runs
    summary["headers"] = runs[0].get("headers", {})
    return summary


def ratio(top, bottom, metric):
    """The median of `top` over the median of `bottom` (summaries of the same passes),
    spread over the ratio within each pass; None where either was not measured."""
    if "error" in top or "error" in bottom or not bottom[metric].median:
        return None
    pairs = zip(top["runs"], bottom["runs"], strict=True)
    by_pass = [a[metric] / b[metric] for a, b in pairs if b[metric]]
    return Spread(
        top[metric].median / bottom[metric].median,
        min(by_pass, default=0.0),
        max(by_pass, default=0.0),
        len(by_pass),
    )


def headers_text(summary):
    header = summary.get("headers", {})
    return (", ".join(header.get("present", [])) or "none") + (
        f"; {header['conditional']}" if header.get("conditional") else ""
    )


def page_summaries(context):
    """[(page, cold, warm, at 1k)] summaries; the 1k archive's pages match by position
    (its deep page has another number)."""
    small = context["small"]
    return [
        (
            page,
            summarise(context["cold"].get(page["name"], [])),
            summarise(context["warm"].get(page["name"], [])),
            summarise(small[index] if index < len(small) else []),
        )
        for index, page in enumerate(context["pages"])
    ]


EXPORT_METRICS = ("rows_per_s", "seconds", "before_mb", "peak_mb", "rise_mb")


def summarise_export(runs):
    """An export's runs (stream_export() results) as a Spread per figure, like summarise()."""
    if not runs:
        return {"error": "not measured"}
    failed = [run for run in runs if "error" in run]
    if failed:
        why = failed[0]["error"]
        if len(failed) < len(runs):
            why += f" (in {len(failed)} of {len(runs)} runs)"
        return {"error": why}
    summary = {metric: Spread.of(run[metric] for run in runs) for metric in EXPORT_METRICS}
    summary["runs"] = runs
    return summary


def peer_summaries(context):
    """[(Versus, ours, Datasette's)] summaries; [] if the comparison was not run."""
    peer = context.get("peer")
    if not peer:
        return []
    result = []
    for versus in peer["comparisons"]:
        runs = peer["runs"].get(versus.name, {})
        summary = summarise_export if versus.export else summarise
        result.append((versus, summary(runs.get("ours", [])), summary(runs.get("theirs", []))))
    return result


def judge_peer(context):
    """The budgets against Datasette, as judge()'s."""
    budgets = []
    for versus, ours, theirs in peer_summaries(context):
        metric, unit = ("rows_per_s", "rows/s") if versus.export else ("rps", "req/s")
        share = ratio(ours, theirs, metric)
        if share:
            measured = share.text(2, "×")
        else:
            measured = f"ours: {ours['error']}" if "error" in ours else f"{PEER}: {theirs['error']}"
        budgets.append(
            (
                f"vs {PEER}: {versus.name}: ours ≥ {versus.least:g}× its {unit}",
                share is not None and share.median >= versus.least,
                measured,
            )
        )
        if not versus.export:
            continue
        if "error" in ours:
            budgets.append((f"{versus.name}: streamed whole", False, ours["error"]))
            continue
        budgets.append(
            (
                f"{versus.name}: ≥ {EXPORT_ROWS_PER_S:,} rows/s",
                ours["rows_per_s"].median >= EXPORT_ROWS_PER_S,
                ours["rows_per_s"].text(0, " rows/s"),
            )
        )
        budgets.append(
            (
                f"{versus.name}: memory flat, the serving worker's peak < {FLAT_MB} MB above "
                "its size before the request (every run)",
                ours["rise_mb"].high < FLAT_MB,
                f"+{ours['rise_mb'].text(0, ' MB')}, peak {ours['peak_mb'].text(0, ' MB')}",
            )
        )
    return budgets


def judge(context):
    """The budgets as [(what, passed, measured)], each judged on medians."""
    budgets = []
    summaries = page_summaries(context)
    bare = next((w for page, _c, w, _s in summaries if page["name"] == BARE), {"error": ""})
    for page, c, w, s in summaries:
        name = page["name"]
        if "error" in c:
            budgets.append((f"{name}: page answered", False, c["error"] or str(page.get("status"))))
            continue
        if name == BARE:
            continue
        budgets.append((f"{name}: cold p99 < 50 ms", c["p99"].median < 50, c["p99"].text(1, " ms")))
        warm_share = ratio(w, bare, "rps")
        budgets.append(
            (
                f"{name}: warm ≥ ½ bare",
                warm_share is not None and warm_share.median >= 0.5,
                warm_share.text(2) if warm_share else "not measured",
            )
        )
        growth = ratio(c, s, "p50")
        budgets.append(
            (
                f"{name}: 200k within 1.5× of 1k",
                growth is not None and growth.median <= 1.5,
                growth.text(2, "×") if growth else "not measured",
            )
        )
        if english_name(name).startswith("search"):
            budgets.append((f"{name}: p95 < 50 ms", c["p95"].median < 50, c["p95"].text(1, " ms")))
        budgets.append(
            (
                f"{name}: ETag/Last-Modified, Cache-Control, 304",
                len(c["headers"].get("present", [])) >= 2
                and c["headers"].get("conditional") == 304,
                headers_text(c),
            )
        )
    for spanish in (False, True):  # the deep page against page 1 of its own language
        lists = [
            (p["name"], c)
            for p, c, _w, _s in summaries
            if english_name(p["name"]).startswith("incident list")
            and p["name"].endswith(SPANISH) == spanish
        ]
        first = next(((n, c) for n, c in lists if english_name(n).endswith(" p1")), None)
        deep = next(((n, c) for n, c in lists if first and n != first[0]), None)
        if first and deep:
            factor = ratio(deep[1], first[1], "p50")
            budgets.append(
                (
                    f"deep page ({deep[0]}) within 2× of page 1",
                    factor is not None and factor.median <= 2,
                    factor.text(2, "×") if factor else "not measured",
                )
            )
    for source, label, result in context["imports"]:
        mb = result["maxrss_kb"] / 1024
        seconds = result["seconds"]
        if result["returncode"] == 0:
            ok = seconds < source.seconds and mb < source.mb
            speed = f"{result['rows'] / seconds:,.0f} rows/s" if seconds else "–"
            measured = f"{seconds:.1f} s, {speed}, {mb:.0f} MB"
        else:
            ok, measured = False, f"exit {result['returncode']} after {seconds:.1f} s, {mb:.0f} MB"
        budgets.append(
            (
                f"import_incidents {source.kind}, {result['rows']:,} rows, {label}: "
                f"< {source.seconds} s and < {source.mb} MB",
                ok,
                f"{measured}; {_last_line(result)}",
            )
        )
    budgets.append(
        (
            "generate_archive full size < 60 s",
            context["generate"] < 60,
            f"{context['generate']:.1f} s",
        )
    )
    return budgets + judge_backup(context) + judge_peer(context)


# The heads of an engine's table; the side-by-side finds the cold figures by theirs.
COLD_COLUMNS = ("cold req/s", "cold p50 ms", "cold p99 ms", "cold CPU ms/req")
TABLE_HEADS = (
    "page",
    "queries (1st/2nd)",
    *COLD_COLUMNS,
    "warm req/s",
    "warm p50 ms",
    "warm p99 ms",
    "warm ÷ bare",
    "cold p50 at 1k",
    "200k ÷ 1k",
    "headers, 304",
)


def table(context):
    """The results table: each figure the median of its runs, (lowest–highest) beside it."""
    lines = [
        f"| {' | '.join(TABLE_HEADS)} |",
        "| --- | --- |" + " ---: |" * (len(TABLE_HEADS) - 3) + " --- |",
    ]
    summaries = page_summaries(context)
    bare = next((w for page, _c, w, _s in summaries if page["name"] == BARE), {"error": ""})

    def cell(summary, metric, digits=1):
        return summary[metric].text(digits) if metric in summary else "–"

    def ratio_cell(value):
        return value.text(2) if value else "–"

    for page, c, w, s in summaries:
        name = page["name"]
        if "error" in c:
            lines.append(
                f"| {name} | error: {c['error'] or page.get('status')} |"
                + " |" * (len(TABLE_HEADS) - 2)
            )
            continue
        queries = f"{page.get('queries_first', '?')}/{page.get('queries_second', '?')}"
        lines.append(
            f"| {name} | {queries} | {cell(c, 'rps', 0)} | {cell(c, 'p50')} | {cell(c, 'p99')} "
            f"| {cell(c, 'cpu_ms')} | {cell(w, 'rps', 0)} | {cell(w, 'p50')} | {cell(w, 'p99')} "
            f"| {ratio_cell(ratio(w, bare, 'rps'))} | {cell(s, 'p50')} "
            f"| {ratio_cell(ratio(c, s, 'p50'))} | {headers_text(c)} |"
        )
    return "\n".join(lines)


def _last_line(result):
    """The import's last line of output; of its errors if it failed (its log is on stdout)."""
    first, second = ("err", "out") if result["returncode"] else ("out", "err")
    lines = (result[first] or result[second]).splitlines()
    return lines[-1] if lines else ""


def imports_text(context):
    """What the import budgets measure, or "" if the imports were not timed."""
    if not context["imports"]:
        return ""
    kinds = ", ".join(dict.fromkeys(source.kind for source, _label, _result in context["imports"]))
    return (
        f"Imports: `import_incidents` of generated files ({kinds}), each into a fresh "
        "database, then again with nothing changed; peak RSS of the import's process, "
        "rows/s = rows ÷ seconds.\n"
    )


SECTION_START, SECTION_END = "<!-- engine: {} -->", "<!-- end of engine: {} -->"
TITLE = "# Benchmark results"
SIDE_BY_SIDE = "## SQLite and PostgreSQL side by side"


def render(context, previous=""):
    """bench/RESULTS.md above its notes: this run's engine's section, the other engine's
    as `previous` (the file as it was) has it, and the two engines side by side."""
    sections = sections_of(previous)
    sections[context.get("engine", "sqlite")] = render_section(context)
    body = "\n".join(sections[engine] for engine in ENGINES if engine in sections)
    return f"{TITLE}\n\n{body}\n{side_by_side(sections)}{NOTES_MARKER}\n"


def sections_of(text):
    """{engine: its section} of a RESULTS.md. A file of before the engines had sections
    holds SQLite's results alone: that becomes SQLite's section, its headings one
    level down."""
    text = text.split(NOTES_MARKER, 1)[0]
    sections = {}
    for engine in ENGINES:
        start, end = SECTION_START.format(engine), SECTION_END.format(engine)
        if start in text and end in text:
            sections[engine] = start + text.split(start, 1)[1].split(end, 1)[0] + end + "\n"
    if not sections and "| page | queries" in text:
        old = text.split(TITLE, 1)[-1].strip()
        old = re.sub(r"^## ", "### ", old, flags=re.MULTILINE)
        sections["sqlite"] = (
            f"{SECTION_START.format('sqlite')}\n## SQLite\n\n{old}\n\n"
            f"{SECTION_END.format('sqlite')}\n"
        )
    return sections


def render_section(context):
    """One engine's results: how they were measured, the table, the budgets."""
    engine = context.get("engine", "sqlite")
    budgets = judge(context)
    verdicts = "\n".join(
        f"| {'pass' if ok else '**FAIL**'} | {what} | {value} |" for what, ok, value in budgets
    )
    failed = sum(not ok for _, ok, _ in budgets)
    redis = context["redis_url"]
    database = context.get("database", ENGINES[engine])
    if engine == "sqlite":
        peer = peer_section(context)
    else:
        peer = (
            f"\nAgainst {PEER}: not run on {ENGINES[engine]} ({PEER} serves SQLite files only; "
            "the SQLite section compares it).\n"
        )
    return f"""{SECTION_START.format(engine)}
## {ENGINES[engine]}

Run {context["date"]} on {context["machine"]}.
Load average before / after the run: {context["load_before"]} / {context["load_after"]}
(other processes on the machine skew the numbers; compare runs on a quiet machine).

Database: {database}, {context["incidents"]:,} published synthetic incidents, {BIG["reports"]:,}
reports, {BIG["groups"]:,} groups (`generate_archive --seed 1`, built in
{context["generate"]:.1f} s). gunicorn, {CONNECTIONS} sync workers, production settings
(DJANGO_DEBUG=0, no TLS redirect on the loopback); public pages rendered by
{template_engine()}, the admin by Django's template language. wrk: {THREADS} threads, {CONNECTIONS}
connections, {context["seconds"]} s a page after a {WARMUP} s warm-up, {context["repeats"]} runs
of every page in passes over all of them. Each figure is the median of the runs, the lowest
and highest in brackets; budgets are judged on the medians. A ratio divides two medians
of this run; in brackets, the lowest and highest of the ratios within one pass.
"Cold": every cache is Django's DummyCache (no page cache); "warm": the project's own
cache settings ({"Redis at " + redis if redis else "no Redis reachable: per-process memory"}).
Queries: per request, first and second request from Django's test client.
"200k ÷ 1k": cold p50 against the same page on a 1,000-incident archive.
"Cold CPU ms/req": the CPU time the whole machine worked during a cold run (gunicorn, the
database, wrk), divided by the requests served. With more connections than cores, the
cores are busy throughout, and the p50 is near this times {CONNECTIONS} connections ÷ the cores.
{imports_text(context)}{backup_text(context)}
{table(context)}
{peer}
### Budgets: {failed} of {len(budgets)} fail

| verdict | budget | measured |
| --- | --- | --- |
{verdicts}

{SECTION_END.format(engine)}
"""


def cold_figures(section):
    """{page: (cold req/s, p50 ms, p99 ms, CPU ms/req)} as a section's table gives them
    (medians; None for the page where it failed, and for a column the table has not)."""
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    head = f"| {TABLE_HEADS[0]} | {TABLE_HEADS[1]} |"
    heads = next(
        ([cell.strip() for cell in line.split("|")] for line in lines if line.startswith(head)), []
    )
    figures = {}
    for line in lines:
        cells = [cell.strip() for cell in line.split("|")]
        if not re.fullmatch(r"\d+/\d+|\?/\?|error: .*", cells[2] if len(cells) > 2 else ""):
            continue  # the head, its rule, or a row of another table
        if cells[2].startswith("error"):
            figures[cells[1]] = None
            continue
        numbers = [
            re.match(r"[\d.]+", cells[heads.index(head)]) if head in heads else None
            for head in COLD_COLUMNS
        ]
        figures[cells[1]] = tuple(float(number[0]) if number else None for number in numbers)
    return figures


def side_by_side(sections):
    """Both engines' cold figures page by page, from their sections; "" until both ran."""
    if not all(engine in sections for engine in ENGINES):
        return ""
    sqlite, postgres = (cold_figures(sections[engine]) for engine in ENGINES)
    runs = []
    for engine, section in sections.items():
        date = re.search(r"^Run (.+?) on ", section, re.MULTILINE)
        fails = re.search(r"^### Budgets: (\d+ of \d+) fail", section, re.MULTILINE)
        runs.append(
            f"{ENGINES[engine]} run {date[1] if date else '?'}, "
            f"{fails[1] if fails else '?'} budgets fail"
        )

    def cell(figure, index, digits):
        return f"{figure[index]:.{digits}f}" if figure and figure[index] is not None else "–"

    def share(top, bottom):
        return f"{top / bottom:.2f}" if top and bottom else "–"

    # Each engine's rate over its own bare view's, in the same run: what is left of the
    # ratio once the load of the machine at each run is divided out.
    bare = [figures.get(BARE) for figures in (sqlite, postgres)]
    lines = [
        "| page | SQLite req/s | PostgreSQL req/s | PostgreSQL ÷ SQLite | the same, each ÷ its "
        "bare view | SQLite p50 ms | PostgreSQL p50 ms | SQLite p99 ms | PostgreSQL p99 ms "
        "| SQLite CPU ms/req | PostgreSQL CPU ms/req |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, ours in sqlite.items():
        theirs = postgres.get(name)
        rate = ours[0] if ours else None, theirs[0] if theirs else None
        bared = [
            rps / of[0] if rps and of and of[0] else None
            for rps, of in zip(rate, bare, strict=True)
        ]
        lines.append(
            f"| {name} | {cell(ours, 0, 0)} | {cell(theirs, 0, 0)} | {share(rate[1], rate[0])} "
            f"| {share(bared[1], bared[0]) if name != BARE else '–'} "
            f"| {cell(ours, 1, 1)} | {cell(theirs, 1, 1)} | {cell(ours, 2, 1)} "
            f"| {cell(theirs, 2, 1)} | {cell(ours, 3, 1)} | {cell(theirs, 3, 1)} |"
        )
    return f"""{SIDE_BY_SIDE}

Cold (no page cache), the medians of each engine's last run as its section gives them:
{"; ".join(runs)}. Each engine ran on its own, so the load of the machine may differ.
A page named differently on the two (the deep page's number) is on one row only.

{chr(10).join(lines)}

"""


def peer_section(context):
    """The comparison with Datasette: what each side serves, figures, ratios; "" if not run."""
    summaries = peer_summaries(context)
    if not summaries:
        return ""
    runs = context["peer"]["runs"]
    settings = ", ".join(f"`{name}` {value}" for name, value in PEER_SETTINGS.items())
    pages = [
        f"| comparison | ours | req/s | p50 ms | p99 ms | {PEER} | req/s | p50 ms | p99 ms "
        f"| ours ÷ {PEER} (req/s) |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    exports = [
        f"| export | ours | rows/s | s | peak MB | MB before | {PEER} | rows/s | s | peak MB "
        f"| MB before | ours ÷ {PEER} (rows/s) |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    streams = 0
    for versus, ours, theirs in summaries:
        metrics = (
            (("rows_per_s", 0), ("seconds", 1), ("peak_mb", 0), ("before_mb", 0))
            if versus.export
            else (("rps", 0), ("p50", 1), ("p99", 1))
        )

        def cells(summary, metrics=metrics):
            if "error" in summary:
                return f"error: {summary['error']} |" + " |" * (len(metrics) - 1)
            return " | ".join(summary[metric].text(digits) for metric, digits in metrics) + " |"

        share = ratio(ours, theirs, metrics[0][0])
        row = (
            f"| {versus.name} | `{versus.ours}` | {cells(ours)} `{versus.theirs}` | "
            f"{cells(theirs)} {share.text(2, '×') if share else '–'} |"
        )
        (exports if versus.export else pages).append(row)
        if versus.export:
            streams = max(streams, len(runs.get(versus.name, {}).get("ours", [])))
    about = (
        f"{PEER} {context['peer']['version']} serves the same file read-only "
        f"(`datasette serve --immutable`; {settings}) on another port: one process, asyncio, "
        f"its SQL in a pool of {PEER_SQL_THREADS} threads (it has no worker processes to "
        f"add), on the same Python and SQLite as ours. Ours: gunicorn, {CONNECTIONS} sync "
        'workers, no page cache (as "cold"). Both are up throughout; in each pass every '
        f"comparison is measured on ours, then on {PEER}'s, with the same wrk settings as "
        f"the pages. An export is read whole once a pass ({streams} in all) by a client "
        "that keeps it in a file, then (its time stopped) parses the CSV and counts its "
        "rows; memory is the resident size of the "
        f"process that served it (our gunicorn worker, {PEER}'s one process), read every "
        f"{MEMORY_INTERVAL * 1000:.0f} ms, and its size just before the request. What each "
        "side serves, and why it is the nearest equivalent: the notes at the foot."
    )
    return f"""
## Against {PEER}

{textwrap.fill(about, 92, break_on_hyphens=False)}

{chr(10).join(pages)}

{chr(10).join(exports)}
"""


def render_peer(context):
    """The comparison with Datasette alone (`--only peer`), with its budgets."""
    budgets = judge_peer(context)
    verdicts = "\n".join(
        f"| {'pass' if ok else '**FAIL**'} | {what} | {value} |" for what, ok, value in budgets
    )
    failed = sum(not ok for _, ok, _ in budgets)
    return f"""Run {context["date"]} on {context["machine"]} (`--only peer`: not written to
bench/RESULTS.md). Load average before / after: {context["load_before"]} / {context["load_after"]}.
{peer_section(context)}
## Budgets against {PEER}: {failed} of {len(budgets)} fail

| verdict | budget | measured |
| --- | --- | --- |
{verdicts}
"""


def template_engine():
    """The engine that renders the public pages, as the settings name it."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from archive import settings

    backend = settings.TEMPLATES[0]["BACKEND"].rsplit(".", 1)[-1]
    return {"Jinja2": "Jinja2", "DjangoTemplates": "Django's template language"}[backend]


def add_peer_runs(runs, measured):
    """Add one pass of measure_peer() to {name: {side: [results]}}."""
    for name, sides in measured.items():
        for side, result in sides.items():
            runs.setdefault(name, {}).setdefault(side, []).append(result)


def only_peer(big, args, load_before):
    """`--only peer`: the comparison with Datasette in passes of its own, printed."""
    if not big.exists():
        build(big, BIG, rebuild=False)
    manage(big, "collectstatic", "--noinput", "-v0")
    found = pages_of(big, count=False)
    comparisons = peer_comparisons(found, big)
    runs = {}
    for number in range(1, args.repeats + 1):
        log(f"pass {number} of {args.repeats}")
        add_peer_runs(runs, measure_peer(big, comparisons, args.seconds, found["incidents"]))
    context = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load_before": " ".join(f"{x:.2f}" for x in load_before),
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "peer": {"version": PEER_VERSION, "comparisons": comparisons, "runs": runs},
    }
    print(render_peer(context))


# --- Backup and restore of the 200k archive -------------------------------------

BACKUP_MB = 300  # peak RSS budget of the export and of the restore, each


def time_backup(big, engine="sqlite"):
    """export_archive of the 200k archive, then import_archive of that file into a fresh
    database of `engine`: [(command, result)], result as peak_of() gives it."""
    path = DATA / "backup-200k.jsonl"
    scratch = scratch_database(engine, "restore")
    results = []
    for command, database in (("export_archive", big), ("import_archive", scratch)):
        log(f"{command} {path.name}")
        results.append((command, peak_of(database, command, str(path))))
    path.unlink(missing_ok=True)
    drop(scratch)
    return results


def judge_backup(context):
    """The backup budgets, as judge()'s: each command under BACKUP_MB of peak RSS."""
    budgets = []
    for command, result in context.get("backup", []):
        mb = result["maxrss_kb"] / 1024
        measured = f"{result['seconds']:.1f} s, {mb:.0f} MB; {_last_line(result)}"
        if result["returncode"]:
            measured = f"exit {result['returncode']}: {measured}"
        budgets.append(
            (
                f"{command} of the {BIG['incidents'] // 1000}k archive < {BACKUP_MB} MB",
                result["returncode"] == 0 and mb < BACKUP_MB,
                measured,
            )
        )
    return budgets


def backup_text(context):
    """What the backup budgets measure, or "" if the backup was not timed."""
    if not context.get("backup"):
        return ""
    return (
        "Backup: `export_archive` of the 200k archive to one file, then `import_archive` "
        "of it into a freshly migrated database of the same engine; seconds and peak RSS of each "
        "command's process.\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--discover", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-count", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--only",
        choices=["peer"],
        help=f"Run only the comparison with {PEER} (on the existing 200k archive) and print "
        "it; bench/RESULTS.md is left as it is.",
    )
    parser.add_argument(
        "--db",
        choices=list(ENGINES),
        default="sqlite",
        help="The database engine measured (default sqlite); postgres builds its databases "
        f"on BENCH_PG_URL ({PG_SERVER}).",
    )
    parser.add_argument("--rebuild", action="store_true", help="Regenerate the databases.")
    parser.add_argument("--no-import", action="store_true", help="Skip the import timing.")
    parser.add_argument(
        "--no-backup", action="store_true", help="Skip the backup and restore timing."
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=REPEATS,
        help=f"Runs of every page, judged on the median (default {REPEATS}).",
    )
    parser.add_argument(
        "--seconds",
        type=int,
        default=SECONDS,
        help=f"Length of one wrk run, after a {WARMUP} s warm-up (default {SECONDS}).",
    )
    args = parser.parse_args()
    if args.discover:
        sys.path.insert(0, str(ROOT))
        discover(count=not args.no_count)
        return
    if args.repeats < 1 or args.seconds < 1:
        parser.error("--repeats and --seconds must be at least 1")
    sqlite = args.db == "sqlite"
    if args.only == "peer" and not sqlite:
        parser.error(f"--only peer compares with {PEER}, which serves SQLite files only")
    DATA.mkdir(parents=True, exist_ok=True)
    ensure_wrk()
    # Before the long runs, so a failed install stops the bench at once.
    if sqlite:
        ensure_peer()
    else:
        pg_server().close()  # before anything is built: a server that is not there says so
    load_before = os.getloadavg()
    big, small = databases(args.db)
    if args.only == "peer":
        only_peer(big, args, load_before)
        return
    generate_seconds = build(big, BIG, args.rebuild)
    build(small, SMALL, args.rebuild)
    manage(big, "collectstatic", "--noinput", "-v0")
    found = pages_of(big)
    pages = found["pages"]
    small_pages = pages_of(small)["pages"]
    comparisons = peer_comparisons(found, big) if sqlite else []
    # Passes over every page rather than a page's runs back to back: a burst of load
    # from elsewhere then lands in one run of several pages, which the medians drop.
    cold, warm, small_runs, peer_runs = {}, {}, [[] for _ in small_pages], {}
    for number in range(1, args.repeats + 1):
        log(f"pass {number} of {args.repeats}")
        for name, result in measure(big, pages, True, "cold: no page cache", args.seconds).items():
            cold.setdefault(name, []).append(result)
        warm_label = "warm: the project's cache"
        for name, result in measure(big, pages, False, warm_label, args.seconds).items():
            warm.setdefault(name, []).append(result)
        at_1k = measure(small, small_pages, True, "1,000 incidents, no page cache", args.seconds)
        for index, page in enumerate(small_pages):
            small_runs[index].append(at_1k.get(page["name"], {"error": "not measured"}))
        if comparisons:
            measured = measure_peer(big, comparisons, args.seconds, found["incidents"])
            add_peer_runs(peer_runs, measured)
    imports = [] if args.no_import else time_import(200000, args.db)
    backup = [] if args.no_backup else time_backup(big, args.db)
    context = {
        "engine": args.db,
        "database": database_text(big),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load_before": " ".join(f"{x:.2f}" for x in load_before),
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "pages": pages,
        "incidents": found["incidents"],
        "cold": cold,
        "warm": warm,
        "small": small_runs,
        "imports": imports,
        "backup": backup,
        "generate": generate_seconds,
        "repeats": args.repeats,
        "seconds": args.seconds,
        "redis_url": redis_url(),
        "peer": {"version": PEER_VERSION, "comparisons": comparisons, "runs": peer_runs},
    }
    results = ROOT / "bench" / "RESULTS.md"
    previous = results.read_text() if results.exists() else ""
    text = render(context, previous)
    if NOTES_MARKER in previous:
        text += previous.split(NOTES_MARKER, 1)[1].lstrip("\n")
    results.write_text(text)
    print(sections_of(text)[args.db])
    log(f"wrote {ENGINES[args.db]}'s section of {results.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
