"""bench/run.py's arithmetic on made-up wrk runs: medians, spreads, ratios, verdicts.

No timing is measured here; the figures are invented.
"""

import os

from bench import run
from bench.run import BARE, NOTES_MARKER, Spread, judge, parse_wrk, ratio, render, summarise

HEADERS = {"present": ["ETag", "Last-Modified", "Cache-Control"], "conditional": 304}


def wrk_run(p99=20.0, rps=300.0, p50=10.0, p95=15.0, requests=900, cpu_ms=6.0, **extra):
    figures = {"rps": rps, "p50": p50, "p95": p95, "p99": p99, "cpu_ms": cpu_ms, "errors": 0}
    return {**figures, "requests": requests, "headers": HEADERS, **extra}


def page(name, path="/"):
    return {"name": name, "path": path, "status": 200, "queries_first": 4, "queries_second": 4}


def context(cold, warm=None, small=None, pages=None):
    """A run's context: `cold` (and `warm`) {page name: [runs]}, `small` [[runs]] by position."""
    pages = pages or [page(name) for name in cold]
    warm = warm or {name: [wrk_run(rps=2400.0)] * len(runs) for name, runs in cold.items()}
    small = small or [cold[p["name"]] for p in pages]
    return {
        "date": "2026-12-04 12:00 UTC",
        "machine": "test machine",
        "load_before": "1.00 1.00 1.00",
        "load_after": "1.00 1.00 1.00",
        "pages": pages,
        "incidents": 200000,
        "cold": cold,
        "warm": warm,
        "small": small,
        "imports": [],
        "generate": 20.0,
        "repeats": 3,
        "seconds": 3,
        "redis_url": "",
    }


def verdicts(budgets):
    return {what: (ok, measured) for what, ok, measured in budgets}


def test_parse_wrk_reads_the_line_of_report_lua_among_wrk_s_own():
    output = (
        "Running 3s test @ http://127.0.0.1:8000/\n  2 threads and 4 connections\n"
        "BENCH requests=1200 duration_us=3000000 p50=11300 p95=20000 p99=25600 "
        "status_errors=2 socket_errors=1\n"
    )
    assert parse_wrk(output) == {
        "rps": 400.0,
        "p50": 11.3,
        "p95": 20.0,
        "p99": 25.6,
        "errors": 3,
        "requests": 1200,
    }


def test_the_cpu_a_run_costs_is_what_the_machine_worked_neither_idle_nor_stolen(tmp_path):
    stat = tmp_path / "stat"
    # user nice system idle iowait irq softirq steal guest guest_nice, in clock ticks
    stat.write_text("cpu  700 20 250 9000 40 20 10 300 0 0\ncpu0 350 10 125 4500 20 10 5 150 0 0\n")
    assert run.busy_seconds(stat) == 1000 / os.sysconf("SC_CLK_TCK")


def test_a_page_is_summarised_by_the_median_run_and_the_spread_of_all():
    summary = summarise([wrk_run(p99=30.0), wrk_run(p99=60.0), wrk_run(p99=45.0)])
    assert summary["p99"] == Spread(median=45.0, low=30.0, high=60.0, runs=3)
    assert summary["p99"].text(1, " ms") == "45.0 ms (30.0–60.0)"


def test_one_run_shows_no_spread():
    assert summarise([wrk_run(p99=30.0)])["p99"].text(1, " ms") == "30.0 ms"


def test_a_failed_run_is_not_outvoted_by_the_others():
    runs = [wrk_run(), {"error": "HTTP 500"}, wrk_run()]
    assert summarise(runs) == {"error": "HTTP 500 (in 1 of 3 runs)"}
    silent = [wrk_run(), wrk_run(requests=0), wrk_run()]
    assert summarise(silent) == {
        "error": f"no answer within {run.WRK_TIMEOUT} s under load (in 1 of 3 runs)"
    }
    assert summarise([]) == {"error": "not measured"}


def test_a_ratio_divides_the_medians_and_spreads_over_each_pass_s_own_ratio():
    page_runs = summarise([wrk_run(rps=1000.0), wrk_run(rps=1800.0), wrk_run(rps=1200.0)])
    bare_runs = summarise([wrk_run(rps=2000.0), wrk_run(rps=2000.0), wrk_run(rps=3000.0)])
    assert ratio(page_runs, bare_runs, "rps") == Spread(median=0.6, low=0.4, high=0.9, runs=3)
    assert ratio(page_runs, {"error": "HTTP 500"}, "rps") is None


def test_budgets_are_judged_on_the_median_with_the_spread_shown():
    cold = {
        "home": [wrk_run(p99=30.0), wrk_run(p99=70.0), wrk_run(p99=45.0)],  # one slow run
        "report detail": [wrk_run(p99=55.0), wrk_run(p99=40.0), wrk_run(p99=52.0)],  # one fast
        BARE: [wrk_run(p99=5.0)] * 3,
    }
    result = verdicts(judge(context(cold)))
    assert result["home: cold p99 < 50 ms"] == (True, "45.0 ms (30.0–70.0)")
    assert result["report detail: cold p99 < 50 ms"] == (False, "52.0 ms (40.0–55.0)")
    assert result["home: ETag/Last-Modified, Cache-Control, 304"][0]
    assert not any(what.startswith(BARE) for what in result)  # the yardstick has no budget


def test_warm_and_growth_ratios_are_judged_on_medians_of_the_same_run():
    cold = {"home": [wrk_run(p50=10.0)] * 3, BARE: [wrk_run()] * 3}
    warm = {
        "home": [wrk_run(rps=1000.0), wrk_run(rps=1800.0), wrk_run(rps=1200.0)],
        BARE: [wrk_run(rps=2000.0), wrk_run(rps=2000.0), wrk_run(rps=3000.0)],
    }
    small = [[wrk_run(p50=5.0), wrk_run(p50=8.0), wrk_run(p50=6.0)], [wrk_run()] * 3]
    result = verdicts(judge(context(cold, warm, small)))
    assert result["home: warm ≥ ½ bare"] == (True, "0.60 (0.40–0.90)")
    assert result["home: 200k within 1.5× of 1k"] == (False, "1.67× (1.25–2.00)")


def test_the_deep_page_is_compared_with_page_1_and_a_broken_page_fails():
    pages = [page("incident list ?country&year p1"), page("incident list ?country&year p9")]
    cold = {
        pages[0]["name"]: [wrk_run(p50=10.0), wrk_run(p50=12.0), wrk_run(p50=11.0)],
        pages[1]["name"]: [wrk_run(p50=30.0), {"error": "HTTP 500"}, wrk_run(p50=31.0)],
    }
    result = verdicts(judge(context(cold, pages=pages)))
    assert result["incident list ?country&year p9: page answered"] == (
        False,
        "HTTP 500 (in 1 of 3 runs)",
    )
    assert result["deep page (incident list ?country&year p9) within 2× of page 1"] == (
        False,
        "not measured",
    )


def test_the_report_shows_medians_spreads_and_the_count_of_failures():
    cold = {"home": [wrk_run(p99=30.0, cpu_ms=5.0), wrk_run(p99=70.0), wrk_run(p99=45.0)]}
    cold[BARE] = [wrk_run(p99=5.0)] * 3
    text = render(context(cold))
    assert (
        "| home | 4/4 | 300 (300–300) | 10.0 (10.0–10.0) | 45.0 (30.0–70.0) | 6.0 (5.0–6.0) |"
        in text
    )
    assert "3 runs" in text and "judged on the medians" in text
    assert "## Budgets: 0 of 5 fail" in text
    assert text.rstrip().endswith(NOTES_MARKER)


def test_the_spanish_pages_keep_the_same_budgets_against_their_own_page_1():
    names = ["incident list ?country&year p1", "incident list ?country&year p9", "search rare (x)"]
    pages = [page(name) for name in names]
    pages += [page(name, path) for name, path in (run.in_spanish(n, "/") for n in names)]
    cold = {p["name"]: [wrk_run(p50=10.0)] * 3 for p in pages}
    cold["incident list ?country&year p9 (es)"] = [wrk_run(p50=25.0)] * 3
    result = verdicts(judge(context(cold, pages=pages)))
    assert pages[-1]["path"] == "/es/"
    assert result["deep page (incident list ?country&year p9) within 2× of page 1"][0]
    assert result["deep page (incident list ?country&year p9 (es)) within 2× of page 1"] == (
        False,
        "2.50× (2.50–2.50)",
    )
    assert "search rare (x) (es): p95 < 50 ms" in result


def import_run(seconds, mb, returncode=0, rows=200000, out="Created 200000 incidents."):
    return {
        "seconds": seconds,
        "maxrss_kb": mb * 1024,
        "returncode": returncode,
        "rows": rows,
        "out": out,
        "err": "",
    }


def with_imports(*runs):
    """A run's context with one import of each file: `runs` in run.IMPORTS' order."""
    cold = {"home": [wrk_run()] * 3, BARE: [wrk_run()] * 3}
    return {
        **context(cold),
        "imports": [
            (source, "first run (creates)", result)
            for source, result in zip(run.IMPORTS, runs, strict=True)
        ],
    }


def import_verdicts(budgets):
    return {what: result for what, result in verdicts(budgets).items() if "import" in what}


def test_each_file_is_imported_within_its_own_budget_with_its_rows_a_second():
    gtd_csv, workbook, ged = run.IMPORTS
    assert [source.kind for source in run.IMPORTS] == ["GTD CSV", "GTD workbook", "UCDP GED CSV"]
    assert (gtd_csv.seconds, workbook.seconds, ged.seconds) == (30, 60, 30)
    assert {source.mb for source in run.IMPORTS} == {300}
    result = import_verdicts(
        judge(with_imports(import_run(20, 150), import_run(50, 250), import_run(25, 200)))
    )
    assert result == {
        "import_incidents GTD CSV, 200,000 rows, first run (creates): < 30 s and < 300 MB": (
            True,
            "20.0 s, 10,000 rows/s, 150 MB; Created 200000 incidents.",
        ),
        "import_incidents GTD workbook, 200,000 rows, first run (creates): < 60 s and < 300 MB": (
            True,
            "50.0 s, 4,000 rows/s, 250 MB; Created 200000 incidents.",
        ),
        "import_incidents UCDP GED CSV, 200,000 rows, first run (creates): < 30 s and < 300 MB": (
            True,
            "25.0 s, 8,000 rows/s, 200 MB; Created 200000 incidents.",
        ),
    }


def test_a_csv_import_as_slow_as_a_passing_workbook_fails_and_so_does_too_much_memory():
    slow = import_run(50, 150)
    result = import_verdicts(judge(with_imports(slow, slow, import_run(10, 300))))
    passed = [ok for ok, _measured in result.values()]
    assert passed == [False, True, False]  # the CSV over 30 s, the GED at 300 MB


def test_a_failed_import_fails_its_budget_showing_its_exit_and_its_last_line():
    failed = import_run(2, 90, returncode=1, out="INFO axes.apps AXES: BEGIN")
    failed["err"] = "CommandError: unknown file format: ged-200k.csv"
    result = import_verdicts(judge(with_imports(import_run(20, 150), import_run(50, 250), failed)))
    ged = result[
        "import_incidents UCDP GED CSV, 200,000 rows, first run (creates): < 30 s and < 300 MB"
    ]
    assert ged == (
        False,
        "exit 1 after 2.0 s, 90 MB; CommandError: unknown file format: ged-200k.csv",
    )


def test_the_report_says_what_the_imports_measure_only_when_they_ran():
    text = render(with_imports(import_run(20, 150), import_run(50, 250), import_run(25, 200)))
    assert (
        "Imports: `import_incidents` of generated files (GTD CSV, GTD workbook, UCDP GED CSV)"
        in text
    )
    assert "| pass | import_incidents GTD workbook, 200,000 rows, first run (creates)" in text
    assert "4,000 rows/s" in text
    cold = {"home": [wrk_run()] * 3, BARE: [wrk_run()] * 3}
    assert "Imports:" not in render(context(cold))


def test_the_backup_and_the_restore_are_each_held_to_300_mb():
    cold = {"home": [wrk_run()] * 3, BARE: [wrk_run()] * 3}
    export = {**import_run(90, 120, out="Wrote 715332 rows to backup-200k.jsonl."), "rows": None}
    restore = {**import_run(400, 310, out="Restored 715332 rows."), "rows": None}
    with_backup = {
        **context(cold),
        "backup": [("export_archive", export), ("import_archive", restore)],
    }
    result = {what: r for what, r in verdicts(judge(with_backup)).items() if "_archive of" in what}
    assert result == {
        "export_archive of the 200k archive < 300 MB": (
            True,
            "90.0 s, 120 MB; Wrote 715332 rows to backup-200k.jsonl.",
        ),
        "import_archive of the 200k archive < 300 MB": (
            False,
            "400.0 s, 310 MB; Restored 715332 rows.",
        ),
    }
    assert "Backup: `export_archive` of the 200k archive" in render(with_backup)
    assert "Backup:" not in render(context(cold))


# --- Both engines in one file -------------------------------------------------------


def engine_run(engine, rps, date):
    """A run's context on `engine`: two pages, every run at `rps` req/s."""
    cold = {"home": [wrk_run(rps=rps)] * 3, BARE: [wrk_run(rps=rps * 10)] * 3}
    return {**context(cold), "engine": engine, "date": date, "database": run.ENGINES[engine]}


def test_each_engine_writes_its_own_section_and_keeps_the_other_s():
    sqlite = render(engine_run("sqlite", 300.0, "2026-12-04 12:00 UTC"))
    both = render(engine_run("postgres", 150.0, "2026-12-05 12:00 UTC"), sqlite)
    sections = run.sections_of(both)
    assert list(sections) == ["sqlite", "postgres"]
    assert sections["sqlite"] == run.sections_of(sqlite)["sqlite"]  # kept as it was
    assert "## PostgreSQL" in sections["postgres"] and "Database: PostgreSQL," in both
    assert "Against Datasette: not run on PostgreSQL" in sections["postgres"]
    # SQLite again: its section is the new run's, PostgreSQL's stays.
    again = render(engine_run("sqlite", 400.0, "2026-12-06 12:00 UTC"), both)
    assert run.sections_of(again)["postgres"] == sections["postgres"]
    assert "Run 2026-12-06 12:00 UTC" in run.sections_of(again)["sqlite"]
    assert "Run 2026-12-04 12:00 UTC" not in again
    assert again.rstrip().endswith(NOTES_MARKER)


def test_the_engines_are_side_by_side_once_both_ran():
    sqlite = render(engine_run("sqlite", 300.0, "2026-12-04 12:00 UTC"))
    assert run.SIDE_BY_SIDE not in sqlite
    both = render(engine_run("postgres", 150.0, "2026-12-05 12:00 UTC"), sqlite)
    assert run.SIDE_BY_SIDE in both
    assert (
        "SQLite run 2026-12-04 12:00 UTC, 0 of 5 budgets fail; "
        "PostgreSQL run 2026-12-05 12:00 UTC, 0 of 5 budgets fail" in both
    )
    # Each bare view ran at 10× its page: against them the two engines are level.
    assert "| home | 300 | 150 | 0.50 | 1.00 | 10.0 | 10.0 | 20.0 | 20.0 | 6.0 | 6.0 |" in both
    assert f"| {BARE} | 3000 | 1500 | 0.50 | – |" in both


def test_the_side_by_side_ratio_divides_out_each_run_s_bare_view():
    sqlite = render(engine_run("sqlite", 300.0, "2026-12-04 12:00 UTC"))
    loaded = engine_run("postgres", 150.0, "2026-12-05 12:00 UTC")
    loaded["cold"][BARE] = [wrk_run(rps=1500.0)] * 3  # a machine twice as busy: bare ÷ 2
    loaded["cold"]["home"] = [wrk_run(rps=75.0)] * 3
    both = render(loaded, sqlite)
    assert "| home | 300 | 75 | 0.25 | 0.50 |" in both


def test_a_page_that_failed_on_one_engine_has_no_figures_there():
    postgres = engine_run("postgres", 150.0, "2026-12-05 12:00 UTC")
    postgres["cold"]["home"] = [{"error": "HTTP 500"}] * 3
    both = render(postgres, render(engine_run("sqlite", 300.0, "2026-12-04 12:00 UTC")))
    assert run.cold_figures(run.sections_of(both)["postgres"])["home"] is None
    assert "| home | 300 | – | – | – | 10.0 | – | 20.0 | – | 6.0 | – |" in both


def test_a_section_of_before_the_cpu_column_is_compared_without_it():
    older = render(engine_run("sqlite", 300.0, "2026-12-04 12:00 UTC"))
    older = older.replace(" cold CPU ms/req |", "").replace(" 6.0 (6.0–6.0) |", "")
    assert run.cold_figures(run.sections_of(older)["sqlite"])["home"] == (300, 10, 20, None)
    both = render(engine_run("postgres", 150.0, "2026-12-05 12:00 UTC"), older)
    assert "| home | 300 | 150 | 0.50 | 1.00 | 10.0 | 10.0 | 20.0 | 20.0 | – | 6.0 |" in both


def test_a_results_file_of_before_the_engines_is_kept_as_sqlite_s_section():
    legacy = render(engine_run("sqlite", 300.0, "2026-12-04 12:00 UTC"))
    legacy = legacy.replace(run.SECTION_START.format("sqlite") + "\n## SQLite\n\n", "")
    legacy = legacy.replace(run.SECTION_END.format("sqlite") + "\n", "").replace("### ", "## ")
    legacy += "## Notes\n\nhand-written\n"
    sections = run.sections_of(legacy)
    assert list(sections) == ["sqlite"]
    assert "### Budgets: 0 of 5 fail" in sections["sqlite"]
    assert "hand-written" not in sections["sqlite"]
    both = render(engine_run("postgres", 150.0, "2026-12-05 12:00 UTC"), legacy)
    assert "| home | 300 | 150 | 0.50 |" in both
