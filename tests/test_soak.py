"""bench/soak.py's judgements on made-up answers: wrk's line, errors, stale pages, the
verdict, and its section of bench/RESULTS.md. No server, no timing."""

from bench import soak
from bench.run import NOTES_MARKER
from bench.soak import (
    Judgement,
    Tally,
    etag_version,
    failures,
    judge,
    parse_soak,
    place_section,
    render,
    wrk_errors,
)

WRK_OUTPUT = (
    "Running 10m test @ http://127.0.0.1:8000\n  2 threads and 4 connections\n"
    "SOAK requests=1200 duration_us=60000000 p50=11300 p99=250600 max=900000 "
    "socket_errors=0 statuses=200:1150,301:30,404:20\n"
)
TOGGLED = frozenset({"/reports/soak-desk-1/", "/es/reports/soak-desk-1/"})


def result(**changes):
    """A soak's result as soak.soak() returns it: a clean run unless changed."""
    tally = Tally(requests=300, judged=280, not_found=12)
    values = {
        "date": "2026-12-06 01:00 UTC",
        "machine": "test machine",
        "seconds": 600,
        "load_before": "1.00 1.00 1.00",
        "load_after": "2.00 2.00 2.00",
        "cache": "page cache in Redis",
        "paths": ["/", "/reports/"],
        "wrk": parse_soak(WRK_OUTPUT.replace(",404:20", "")),
        "wrk_errors": 0,
        "checker": tally,
        "mutations": {"edited": 40, "unpublished": 40, "published": 40},
        "imports_ok": 20,
        "imports_failed": 0,
        "took": 700.0,
    }
    return {**values, **changes}


def test_parse_soak_reads_the_line_of_soak_lua_among_wrk_s_own():
    found = parse_soak(WRK_OUTPUT)
    assert found["requests"] == 1200
    assert found["rps"] == 20.0
    assert (found["p50"], found["p99"], found["max"]) == (11.3, 250.6, 900.0)
    assert found["statuses"] == {200: 1150, 301: 30, 404: 20}


def test_a_run_with_no_answers_has_no_statuses():
    line = "SOAK requests=0 duration_us=1000000 p50=0 p99=0 max=0 socket_errors=4 statuses="
    assert parse_soak(line)["statuses"] == {}
    assert wrk_errors(parse_soak(line)) == 4


def test_every_answer_of_wrk_but_2xx_and_3xx_is_an_error_404_too():
    # wrk's pages are never unpublished: a 404 there is a fault.
    assert wrk_errors(parse_soak(WRK_OUTPUT)) == 20
    assert wrk_errors({"statuses": {200: 5, 304: 2, 503: 1}, "socket_errors": 3}) == 4


def test_etag_version_reads_the_archive_version_of_a_public_page():
    assert etag_version('"archive-12-1764979200000000"') == 12
    assert etag_version('W/"archive-7-1"') == 7
    assert etag_version(None) is None
    assert etag_version('"something-else"') is None


def test_a_404_is_right_only_on_a_toggled_page():
    assert judge("/reports/soak-desk-1/", 404, None, 5, TOGGLED) == Judgement(None, None)
    assert judge("/reports/", 404, None, 5, TOGGLED).error == "HTTP 404"
    assert judge("/reports/", 500, None, 5, TOGGLED).error == "HTTP 500"
    assert judge("/reports/", 0, None, 5, TOGGLED).error == "no answer"
    assert judge("/reports/", 301, None, 5, TOGGLED).error is None


def test_a_page_older_than_the_version_committed_before_the_request_is_stale():
    assert judge("/", 200, '"archive-4-1"', 5, TOGGLED) == Judgement(None, True)
    # The same version, or a newer one committed while the request ran: fresh.
    assert judge("/", 200, '"archive-5-1"', 5, TOGGLED) == Judgement(None, False)
    assert judge("/", 200, '"archive-6-1"', 5, TOGGLED) == Judgement(None, False)
    # No version to judge: not counted either way.
    assert judge("/api/reports/", 200, None, 5, TOGGLED) == Judgement(None, None)


def test_the_tally_counts_judged_stale_and_expected_404s_with_examples():
    tally = Tally()
    for path, status, etag in [
        ("/", 200, '"archive-4-1"'),
        ("/", 200, '"archive-5-1"'),
        ("/reports/soak-desk-1/", 404, None),
        ("/reports/", 500, None),
    ]:
        tally.add(path, status, judge(path, status, etag, 5, TOGGLED))
    assert (tally.requests, tally.judged, tally.stale) == (4, 2, 1)
    assert (tally.not_found, tally.errors) == (1, 1)
    assert tally.examples == ["/: stale", "/reports/: HTTP 500"]


def test_a_clean_soak_passes():
    assert failures(result()) == []
    assert "Verdict: pass." in render(result())


def test_errors_stale_pages_and_failed_imports_fail_the_soak():
    assert failures(result(wrk_errors=3)) == ["3 wrk errors"]
    assert failures(result(checker=Tally(requests=9, judged=9, stale=2))) == ["2 stale pages"]
    assert failures(result(checker=Tally(requests=9, judged=9, errors=1))) == ["1 checker errors"]
    assert failures(result(imports_failed=1)) == ["1 failed imports"]
    assert "**FAIL**: 3 wrk errors" in render(result(wrk_errors=3))


def test_a_soak_in_which_nothing_changed_or_nothing_was_judged_fails():
    unchanged = "the archive did not change under load"
    assert failures(result(imports_ok=0)) == [unchanged]
    assert failures(result(mutations={})) == [unchanged]
    assert failures(result(checker=Tally(requests=9))) == ["no page's version could be judged"]


def test_the_section_is_added_once_then_replaced_and_a_bench_run_keeps_it():
    bench_text = f"# Benchmark results\n\ntable\n\n{NOTES_MARKER}\n## Notes\n\nhand-written\n"
    first = place_section(bench_text, render(result()))
    assert first.startswith(bench_text.rstrip("\n"))
    assert first.count(soak.SECTION_START) == 1
    second = place_section(first, render(result(wrk_errors=3)))
    assert second.count(soak.SECTION_START) == second.count(soak.SECTION_END) == 1
    assert "3 wrk errors" in second
    assert "hand-written" in second
    # bench/run.py writes its new table and keeps what follows the notes marker.
    rerun = "# Benchmark results\n\nnew table\n\n" + NOTES_MARKER + second.split(NOTES_MARKER)[1]
    assert "3 wrk errors" in rerun
