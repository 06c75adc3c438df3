# ruff: noqa: S603 (the script runs fixed commands of its own: manage.py, wrk)
"""The soak: `make soak` (or `.venv/bin/python -m bench.soak`). Not part of `make test`.

SOAK_SECONDS (600 by default) of wrk against gunicorn with the production settings and
the Redis page cache, on a copy of the 200,000-incident archive `make bench` builds
(bench/data/, gitignored), while the archive changes under it:

- a publisher's script edits, unpublishes and publishes again a few reports in a loop,
  through the functions the admin's actions use (reports.publishing);
- imports loop: import_incidents of a newly generated GTD CSV, and import_documents of a
  batch of documents whose text changes on every run, both with --publish.

wrk cycles through pages that stay published throughout (bench/soak.lua counts its
answers by status); any answer but a 2xx or 3xx is an error. A checker requests the
pages of the reports being toggled (a 404 is right there while one is unpublished)
and the same fixed pages, reading the archive's version from the database just before
each request: a page whose ETag (reports/caching.py) carries an older version than that
is stale.

It prints requests, errors, p99 latency and stale pages, writes them as the "Soak"
section of bench/RESULTS.md (below the notes marker, which `make bench` keeps), and
exits non-zero if any error, stale page or failed import was seen.
"""

import argparse
import itertools
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import run
from bench.run import BARE, CONNECTIONS, DATA, LIST_P1, PY, ROOT, THREADS

SOAK_SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
TOGGLED = 8  # reports the publisher's script edits, unpublishes and publishes again
MUTATE_PAUSE = 2  # seconds between two of its changes: an editor's pace, sped up
# Seconds without an answer before a request counts as an error. Longer than the bench's:
# every change sends the next requests past the page cache, to pages that recompute the
# archive's figures, on a machine the imports keep busy; slow is latency (p99), not loss.
TIMEOUT = 60
IMPORT_ROWS = 2000  # rows of each generated GTD CSV
IMPORT_DOCUMENTS = 100  # documents of each import_documents batch
SECTION_START = "<!-- soak: written by bench/soak.py; `make bench` keeps it -->"
SECTION_END = "<!-- /soak -->"
SOAK_LINE = re.compile(r"^SOAK (.*)$", re.MULTILINE)
ETAG_VERSION = re.compile(r'"archive-(\d+)-\d+"')


def log(message):
    print(f"[soak] {message}", file=sys.stderr, flush=True)


# --- Pure parts: what wrk said, what the checker saw, the verdict ----------------------


def parse_soak(output):
    """The figures of the line bench/soak.lua prints: latencies in ms, answers by status."""
    found = SOAK_LINE.search(output)
    if found is None:
        raise ValueError("wrk printed no SOAK line (did bench/soak.lua run?)")
    values = dict(item.split("=", 1) for item in found[1].split())
    statuses = Counter()
    for item in filter(None, values.pop("statuses").split(",")):
        status, count = item.split(":")
        statuses[int(status)] += int(count)
    values = {key: int(value) for key, value in values.items()}
    return {
        "requests": values["requests"],
        "rps": values["requests"] / (values["duration_us"] / 1e6),
        "p50": values["p50"] / 1000,
        "p99": values["p99"] / 1000,
        "max": values["max"] / 1000,
        "socket_errors": values["socket_errors"],
        "statuses": dict(sorted(statuses.items())),
    }


def wrk_errors(result):
    """wrk's errors: every answer but a 2xx or 3xx (its pages are never unpublished), and
    every request that got no answer."""
    wrong = sum(n for status, n in result["statuses"].items() if not 200 <= status < 400)
    return wrong + result["socket_errors"]


def etag_version(etag):
    """The archive version a public page's ETag was made at, or None if it has none."""
    found = ETAG_VERSION.fullmatch((etag or "").removeprefix("W/"))
    return int(found[1]) if found else None


@dataclass(frozen=True)
class Judgement:
    error: str | None  # why the answer is wrong, or None
    stale: bool | None  # None: the answer carries no version to judge


def judge(path, status, etag, version_before, toggled):
    """Judge one of the checker's answers.

    A 404 is right only for a page of an entry the publisher's script toggles (it may be
    unpublished at that moment). A page is stale if its ETag says an archive version
    older than the one committed before the request was sent.
    """
    if 200 <= status < 400 or (status == 404 and path in toggled):
        error = None
    else:
        error = f"HTTP {status}" if status else "no answer"
    served = etag_version(etag) if status == 200 else None
    return Judgement(error, None if served is None else served < version_before)


@dataclass
class Tally:
    """The checker's counts, with a few examples of what went wrong."""

    requests: int = 0
    judged: int = 0
    stale: int = 0
    not_found: int = 0  # 404s of toggled pages: expected while one is unpublished
    errors: int = 0
    examples: list = field(default_factory=list)

    def add(self, path, status, judgement):
        self.requests += 1
        self.not_found += status == 404 and judgement.error is None
        if judgement.stale is not None:
            self.judged += 1
            self.stale += judgement.stale
        if judgement.error:
            self.errors += 1
        if (judgement.error or judgement.stale) and len(self.examples) < 5:
            self.examples.append(f"{path}: {judgement.error or 'stale'}")


def failures(result):
    """Why the soak fails, [] if it passes."""
    found = []
    if result["wrk_errors"]:
        found.append(f"{result['wrk_errors']} wrk errors")
    tally = result["checker"]
    if tally.errors:
        found.append(f"{tally.errors} checker errors")
    if tally.stale:
        found.append(f"{tally.stale} stale pages")
    if result["imports_failed"]:
        found.append(f"{result['imports_failed']} failed imports")
    # A soak in which nothing changed proves nothing.
    if not result["imports_ok"] or not result["mutations"].get("published"):
        found.append("the archive did not change under load")
    if not tally.judged:
        found.append("no page's version could be judged")
    return found


def render(result):
    """The soak's section of bench/RESULTS.md."""
    wrk, tally, mutations = result["wrk"], result["checker"], result["mutations"]
    failed = failures(result)
    statuses = ", ".join(f"{status}: {n:,}" for status, n in wrk["statuses"].items())
    changes = ", ".join(f"{n:,} {what}" for what, n in sorted(mutations.items())) or "none"
    examples = "; ".join(tally.examples)
    about = (
        f"wrk ({THREADS} threads, {CONNECTIONS} connections) against gunicorn ({CONNECTIONS} "
        f"sync workers, production settings, {result['cache']}) on a copy of the "
        f"200,000-incident archive, cycling through {len(result['paths'])} pages that stay "
        "published. Meanwhile a publisher's script edited, unpublished and published again "
        f"{TOGGLED} reports (reports.publishing, as the admin's actions, pausing "
        f"{MUTATE_PAUSE} s after each change) and imports looped with --publish "
        f"(import_incidents of a generated {IMPORT_ROWS:,}-row GTD CSV, import_documents "
        f"of {IMPORT_DOCUMENTS} documents whose text changes each run). A checker requested "
        "the toggled reports' pages and the fixed ones in turn, reading the archive version "
        "just before each request."
    )
    took = (
        f"Took {result['took']:.0f} s in all: the archive built (or reused), copied and "
        f"served, and the {result['seconds']} s soak."
    )
    return f"""{SECTION_START}
## Soak (`make soak`)

Run {result["date"]} on {result["machine"]}.
Load average before / after: {result["load_before"]} / {result["load_after"]}.

{textwrap.fill(about, 92, break_on_hyphens=False)}

| measure | value | must be |
| --- | ---: | --- |
| wrk requests | {wrk["requests"]:,} ({wrk["rps"]:.0f} req/s) | |
| wrk answers by status | {statuses} | |
| wrk errors (not 2xx/3xx, or no answer within {TIMEOUT} s) | {result["wrk_errors"]:,} | 0 |
| wrk latency p50 / p99 / max | {wrk["p50"]:.1f} / {wrk["p99"]:.1f} / {wrk["max"]:.1f} ms | |
| checker requests (versions judged) | {tally.requests:,} ({tally.judged:,}) | |
| checker errors (a 404 is allowed only on a toggled page) | {tally.errors:,} | 0 |
| 404s of toggled pages while unpublished | {tally.not_found:,} | |
| pages staler than the archive version | {tally.stale:,} | 0 |
| publisher's changes | {changes} | |
| imports (runs, failed) | {result["imports_ok"] + result["imports_failed"]}, \
{result["imports_failed"]} | 0 failed |

Verdict: {"**FAIL**: " + "; ".join(failed) if failed else "pass"}.{
        f" Examples: {examples}." if examples else ""
    }
{textwrap.fill(took, 92)}
{SECTION_END}
"""


def place_section(text, section):
    """`text` (bench/RESULTS.md) with its soak section replaced, or the section added at
    the end: below the notes marker, the part of the file `make bench` keeps."""
    if SECTION_START in text and SECTION_END in text:
        before, rest = text.split(SECTION_START, 1)
        return before + section.rstrip("\n") + rest.split(SECTION_END, 1)[1]
    return text.rstrip("\n") + "\n\n" + section


# --- The publisher's script (runs inside Django, in a process of its own) --------------


def mutate(seconds, folder):
    """Import TOGGLED documents as published reports, then edit, unpublish and publish
    them again until `seconds` have passed, as a publisher does in the admin.

    Reports of its own: none of the generated incidents' facts is marked as resting on
    a citation, so the publish rule would refuse to publish one again. Prints the
    toggled pages as JSON first, then the counts of what it did.
    """
    import django

    django.setup()
    from django.contrib.auth.models import Group as Role
    from django.contrib.auth.models import User
    from django.db import OperationalError, transaction

    from reports.ingest.documents import import_documents
    from reports.models import Report, Status
    from reports.publishing import change_statuses

    user, _ = User.objects.get_or_create(username="soak-publisher", defaults={"is_staff": True})
    user.groups.add(Role.objects.get(name="Publishers"))
    sources = [(path.name, path.read_bytes()) for path in sorted(Path(folder).iterdir())]
    outcomes = import_documents(sources, method="soak", user=user, publish=True)
    reports = [outcome.report for outcome in outcomes]
    paths = [report.get_absolute_url() for report in reports]
    print(json.dumps({"paths": paths + [f"/es{path}" for path in paths]}), flush=True)
    titles = {report.pk: report.title for report in reports}
    done = Counter()

    def edit(report, number):
        with transaction.atomic():
            entry = Report.objects.get(pk=report.pk)
            entry.title = f"{titles[report.pk]} (revised {number})"
            entry._history_user = user
            entry.save()

    def move(report, status):
        changed, refused = change_statuses(user, Report.objects.filter(pk=report.pk), status)
        for _entry, problem in refused:
            done[f"refused: {problem}"] += 1
        return bool(changed)

    def step(name, report, number):
        """Take one step; return whether it changed the entry."""
        if name == "edited":
            edit(report, number)
            return True
        return move(report, Status.DRAFT if name == "unpublished" else Status.PUBLISHED)

    deadline = time.monotonic() + seconds
    for number in itertools.count(1):
        for report in reports:
            # Edited while live, then taken down and put back.
            for name in ("edited", "unpublished", "published"):
                if time.monotonic() >= deadline:
                    for left in reports:  # everything published again, as it was
                        move(left, Status.PUBLISHED)
                    print(json.dumps({"done": done}), flush=True)
                    return
                try:
                    if step(name, report, number):
                        done[name] += 1
                except OperationalError as error:  # an import held the lock too long
                    if "locked" not in str(error):
                        raise
                    done["waited past the busy timeout"] += 1
                time.sleep(MUTATE_PAUSE)


# --- The orchestra ---------------------------------------------------------------------


class Importer(threading.Thread):
    """Imports in a loop until `deadline`: a new GTD CSV, then a batch of documents."""

    def __init__(self, database, folder, deadline):
        super().__init__(daemon=True)
        self.database, self.folder, self.deadline = database, folder, deadline
        self.ok, self.failed = 0, 0

    def run(self):
        for number in itertools.count(1):
            if time.monotonic() >= self.deadline:
                return
            csv = self.folder / f"gtd-{number}.csv"
            run.manage(
                self.database,
                "generate_archive",
                "--csv",
                str(csv),
                f"--incidents={IMPORT_ROWS}",
                f"--seed={1000 + number}",
                capture=True,
            )
            self.attempt("import_incidents", "--publish", str(csv))
            csv.unlink()
            if time.monotonic() >= self.deadline:
                return
            # The same titles with other text on each run: every run updates the reports.
            self.attempt("import_documents", "--publish", str(self.folder / f"docs-{number % 2}"))

    def attempt(self, *command):
        done = subprocess.run(
            [PY, "manage.py", *command, "-v0"],
            cwd=ROOT,
            env=run.env_for(self.database),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            self.failed += 1
            with (self.folder / "failed-imports.log").open("a") as failed:
                failed.write(f"--- {' '.join(command)}\n{done.stdout}{done.stderr}\n")
            log(f"{command[0]} failed: {done.stderr.strip().splitlines()[-1:]}")
        else:
            self.ok += 1


class Checker(threading.Thread):
    """Requests the toggled pages and the fixed ones in turn until `deadline`, each after
    reading the archive's version from the database."""

    def __init__(self, base, database, fixed, toggled, deadline):
        super().__init__(daemon=True)
        self.base, self.database, self.deadline = base, database, deadline
        self.toggled = frozenset(toggled)
        # Two toggled pages for each fixed one: they are the pages that change.
        cycle = itertools.cycle(toggled)
        self.paths = itertools.cycle([p for f in fixed for p in (next(cycle), next(cycle), f)])
        self.tally = Tally()

    def run(self):
        database = sqlite3.connect(self.database, timeout=30)
        try:
            while time.monotonic() < self.deadline:
                path = next(self.paths)
                version = database.execute(
                    "SELECT version FROM reports_archivestate WHERE id = 1"
                ).fetchone()
                try:
                    status, headers = run.fetch(self.base + path, timeout=TIMEOUT)
                except OSError:
                    status, headers = 0, {}
                judgement = judge(path, status, headers.get("ETag"), version[0], self.toggled)
                self.tally.add(path, status, judgement)
        finally:
            database.close()


def read_line(mutator, key):
    """`key` of the next JSON line the publisher's script prints (Django logs there too)."""
    for line in mutator.stdout:
        if line.startswith("{"):
            return json.loads(line)[key]
    raise SystemExit(f"the publisher's script stopped (exit {mutator.wait()}); see above")


def copy_archive(source, target):
    for suffix in ("", "-wal", "-shm"):
        (target.parent / f"{target.name}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def fixed_pages(found):
    """The paths wrk drives: the bench's pages (less the bare view and the deep list page,
    whose number moves as imports add incidents) and an API list."""
    pages = [
        page["path"]
        for page in found["pages"]
        if page["name"] != BARE
        and not (
            run.english_name(page["name"]).startswith("incident list")
            and run.english_name(page["name"]) != LIST_P1
        )
    ]
    return [*pages, f"/api/incidents/?country={found['country']}&year={found['year']}"]


def soak(seconds, rebuild):
    started = time.monotonic()
    load_before = os.getloadavg()
    run.ensure_wrk()
    DATA.mkdir(parents=True, exist_ok=True)
    big, database = DATA / "archive-200k.sqlite3", DATA / "soak.sqlite3"
    run.build(big, run.BIG, rebuild)
    log(f"copying {big.name} to {database.name}: the soak changes it")
    copy_archive(big, database)
    run.manage(database, "collectstatic", "--noinput", "-v0")
    folder = DATA / "soak"
    shutil.rmtree(folder, ignore_errors=True)
    batches = {"docs-0": IMPORT_DOCUMENTS, "docs-1": IMPORT_DOCUMENTS, "desk": TOGGLED}
    write = (
        "import sys; from pathlib import Path; import django; django.setup()\n"
        "from bench.generate import write_documents\n"
        "write_documents(Path(sys.argv[1]), count=int(sys.argv[2]), seed=int(sys.argv[3]),"
        " series=sys.argv[4])\n"
    )
    for seed, (name, count) in enumerate(batches.items()):
        (folder / name).mkdir(parents=True)
        # docs-0 and docs-1: the same titles, other text.
        series = "Soak Desk" if name == "desk" else "Soak Bulletin"
        subprocess.run(
            [PY, "-c", write, str(folder / name), str(count), str(seed), series],
            cwd=ROOT,
            env=run.env_for(database),
            check=True,
            capture_output=True,
        )
    found = run.pages_of(database, count=False)
    fixed = fixed_pages(found)
    # A prefix of the soak's own in the shared Redis: no page of another run is read.
    os.environ["CACHE_KEY_PREFIX"] = f"soak-{os.getpid()}"
    server = run.Server(database, no_cache=False)
    mutator = None
    try:
        for path in fixed:  # each answers alone before the load starts
            status, _headers = run.fetch(server.base + path)
            if status != 200:
                raise SystemExit(f"{path} answered {status} before the soak")
        mutator = subprocess.Popen(
            [PY, "-m", "bench.soak", "--mutate", str(seconds), "--desk", str(folder / "desk")],
            cwd=ROOT,
            env=run.env_for(database),
            stdout=subprocess.PIPE,
            text=True,
        )
        toggled = read_line(mutator, "paths")
        deadline = time.monotonic() + seconds
        importer = Importer(database, folder, deadline)
        checker = Checker(server.base, database, fixed, toggled, deadline)
        importer.start()
        checker.start()
        log(f"{seconds} s of wrk on {len(fixed)} pages; {len(toggled)} toggled pages checked")
        command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s"]
        command += ["--timeout", f"{TIMEOUT}s", "-s", str(ROOT / "bench" / "soak.lua")]
        loaded = subprocess.run(
            [*command, server.base, "--", *fixed], capture_output=True, text=True, check=True
        )
        checker.join()
        importer.join()
        mutations = read_line(mutator, "done")
        mutator.wait(timeout=60)
    finally:
        if mutator is not None and mutator.poll() is None:
            mutator.kill()
        server.stop()
    wrk = parse_soak(loaded.stdout)
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": run.machine(),
        "seconds": seconds,
        "load_before": " ".join(f"{x:.2f}" for x in load_before),
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "cache": f"page cache in Redis at {run.redis_url()}"
        if run.redis_url()
        else "no Redis reachable: page cache in each worker's memory",
        "paths": fixed,
        "wrk": wrk,
        "wrk_errors": wrk_errors(wrk),
        "checker": checker.tally,
        "mutations": mutations,
        "imports_ok": importer.ok,
        "imports_failed": importer.failed,
        "took": time.monotonic() - started,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutate", type=int, metavar="SECONDS", help=argparse.SUPPRESS)
    parser.add_argument("--desk", help=argparse.SUPPRESS)
    parser.add_argument(
        "--seconds",
        type=int,
        default=SOAK_SECONDS,
        help=f"Length of the soak (default SOAK_SECONDS, else 600; now {SOAK_SECONDS}).",
    )
    parser.add_argument("--rebuild", action="store_true", help="Regenerate the archive.")
    args = parser.parse_args()
    if args.mutate is not None:
        mutate(args.mutate, args.desk)
        return
    if args.seconds < 10:
        parser.error("--seconds must be at least 10")
    result = soak(args.seconds, args.rebuild)
    section = render(result)
    print(section.removeprefix(SECTION_START + "\n").removesuffix(SECTION_END + "\n"))
    results = ROOT / "bench" / "RESULTS.md"
    results.write_text(place_section(results.read_text() if results.exists() else "", section))
    log(f"wrote the soak section of {results.relative_to(ROOT)}")
    if failures(result):
        sys.exit(1)


if __name__ == "__main__":
    main()
