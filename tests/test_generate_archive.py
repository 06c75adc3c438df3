"""The synthetic data generator: generate_archive and bench.generate."""

import csv
import random
import re
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.generate import (
    COMMON_WORD,
    COUNTRY_CODES,
    GED_COLUMNS,
    MARK,
    RARE_REPORTS,
    RARE_WORD,
    _picker,
    _zipf,
    ged_country_names,
    write_ged_csv,
    write_gtd_csv,
    write_gtd_xlsx,
)
from reports.countries import resolve_country
from reports.ingest.bulk import DeferredIndexes
from reports.ingest.datasets import import_incidents
from reports.ingest.gtd_codebook import COLUMNS as GTD_COLUMNS
from reports.models import (
    Citation,
    Group,
    Incident,
    Paragraph,
    Perpetration,
    Report,
    Status,
    find_quote,
)
from tests.factories import make_incident


def generate(**sizes):
    sizes = {"reports": 20, "incidents": 150, "groups": 10, "seed": 7, **sizes}
    call_command("generate_archive", *[f"--{k}={v}" for k, v in sizes.items()], stdout=StringIO())


def test_generates_the_counts_asked_all_published_and_marked_synthetic(db):
    generate()
    assert Report.objects.count() == 20
    assert Incident.objects.count() == 150
    assert Group.objects.count() == 10
    for model in (Report, Incident, Group):
        assert not model.objects.exclude(status=Status.PUBLISHED).exists()
        assert not model.objects.filter(is_synthetic=False).exists()
    assert not Report.objects.exclude(title__startswith=MARK).exists()
    assert not Incident.objects.exclude(title__startswith=MARK).exists()
    assert not Group.objects.exclude(name__startswith=MARK).exists()
    assert Perpetration.objects.exists()
    # Every incident and group has a citation, so each may be published.
    assert not Incident.objects.filter(citations=None).exists()
    assert not Group.objects.filter(citations=None).exists()


def test_report_bodies_are_2_to_6_kb_in_paragraphs_with_the_common_word(db):
    generate()
    for report in Report.objects.all():
        text = report.text
        assert 2000 <= len(text) <= 7000
        assert report.paragraphs.count() >= 2
        assert COMMON_WORD in text.lower()


@pytest.mark.parametrize("reports", [20, 57])
def test_the_rare_word_is_in_ten_reports_whatever_the_size(db, reports):
    generate(reports=reports)
    having = [r for r in Report.objects.all() if RARE_WORD in r.text.lower()]
    assert len(having) == RARE_REPORTS


def test_every_citation_quote_occurs_in_its_paragraph(db):
    generate()
    for citation in Citation.objects.select_related("report", "paragraph"):
        assert find_quote(citation.report, citation.quote, citation.paragraph)


def test_same_seed_gives_the_same_archive(db):
    generate()
    first = list(Incident.objects.values_list("slug", "title", "killed", "country_id"))
    quotes = list(Citation.objects.values_list("quote", flat=True))
    texts = list(Paragraph.objects.values_list("text", flat=True))
    for model in (Citation, Perpetration, Incident, Paragraph, Report, Group):
        model.objects.all().delete()
    generate()
    assert list(Incident.objects.values_list("slug", "title", "killed", "country_id")) == first
    assert list(Citation.objects.values_list("quote", flat=True)) == quotes
    assert list(Paragraph.objects.values_list("text", flat=True)) == texts


def test_refuses_a_database_that_is_not_empty(db):
    make_incident()
    with pytest.raises(CommandError, match="already holds incidents"):
        generate()
    assert Incident.objects.count() == 1
    assert not Report.objects.exists()


def test_new_rows_after_generation_get_fresh_ids(db):
    generate(incidents=5)
    incident = make_incident(title="After")
    assert incident.pk == 6


def test_csv_has_the_gtd_columns_and_imports_cleanly(tmp_path, db):
    path = tmp_path / "gtd.csv"
    with path.open("w", newline="") as stream:
        write_gtd_csv(stream, rows=300, groups=20, seed=3)
    with path.open(newline="") as stream:
        header = next(csv.reader(stream))
    assert header == list(GTD_COLUMNS) and len(header) == 135
    with path.open("rb") as binary:
        summary = import_incidents(binary)
    assert (summary.created, summary.skipped) == (300, 0)
    assert Incident.objects.filter(source_row__dbsource="SYNTHETIC").count() == 300


def test_csv_option_writes_a_file_and_leaves_the_database_alone(tmp_path, db):
    path = tmp_path / "out.csv"
    call_command("generate_archive", "--csv", str(path), "--incidents", "10", stdout=StringIO())
    assert len(path.read_text().splitlines()) == 11
    assert not Incident.objects.exists()


def test_xlsx_option_writes_a_workbook_and_leaves_the_database_alone(tmp_path, db):
    path = tmp_path / "out.xlsx"
    call_command("generate_archive", "--xlsx", str(path), "--incidents", "10", stdout=StringIO())
    assert len(list(openpyxl.load_workbook(path, read_only=True).active.rows)) == 11
    assert not Incident.objects.exists()


def test_ged_option_writes_a_ged_csv_and_leaves_the_database_alone(tmp_path, db):
    path = tmp_path / "ged.csv"
    call_command("generate_archive", "--ged", str(path), "--incidents", "10", stdout=StringIO())
    with path.open(newline="") as stream:
        assert len(list(csv.DictReader(stream))) == 10
    assert not Incident.objects.exists()


def test_only_one_file_is_written_at_a_time(tmp_path):
    with pytest.raises(CommandError, match="not allowed with"):
        call_command("generate_archive", "--csv", "a.csv", "--ged", str(tmp_path / "b.csv"))


def gtd_csv_rows(**sizes):
    stream = StringIO()
    write_gtd_csv(stream, **sizes)
    stream.seek(0)
    return list(csv.reader(stream))


def test_the_workbook_holds_the_csv_s_rows_numbers_as_numbers_blanks_as_no_value(tmp_path):
    path = tmp_path / "gtd.xlsx"
    write_gtd_xlsx(path, rows=200, groups=20, seed=3)
    workbook = openpyxl.load_workbook(path, read_only=True)
    # A write-only sheet states no dimension, so a row read back ends at its last value.
    header, *cells = (
        row + (None,) * (len(GTD_COLUMNS) - len(row))
        for row in workbook.active.iter_rows(values_only=True)
    )
    assert header == tuple(GTD_COLUMNS)
    expected = gtd_csv_rows(rows=200, groups=20, seed=3)[1:]
    assert len(cells) == len(expected) == 200
    column = {name: index for index, name in enumerate(GTD_COLUMNS)}
    for row, text in zip(cells, expected, strict=True):
        # The same value in each cell as in the CSV: text, a number (an .xlsx number is
        # a double, 12.0 read back as 12), or none where the CSV is blank.
        assert [
            "" if value is None else value if isinstance(value, str) else float(value)
            for value in row
        ] == [
            cell if cell == "" or not re.fullmatch(r"-?[\d.]+", cell) else float(cell)
            for cell in text
        ]
        assert isinstance(row[column["eventid"]], int)
        assert isinstance(row[column["latitude"]], float)
        assert isinstance(row[column["iyear"]], int)
        assert isinstance(row[column["country_txt"]], str)
        assert row[column["approxdate"]] is None
    assert {type(row[column["nkill"]]) for row in cells} == {int, type(None)}


def test_a_workbook_cell_holds_text_only_where_the_csv_holds_text(tmp_path):
    path = tmp_path / "gtd.xlsx"
    write_gtd_xlsx(path, rows=50, groups=5, seed=1)
    for row in openpyxl.load_workbook(path, read_only=True).active.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
                with pytest.raises(ValueError):
                    float(cell.value)


def ged_rows(**sizes):
    stream = StringIO()
    write_ged_csv(stream, **sizes)
    stream.seek(0)
    header = next(csv.reader(StringIO(stream.getvalue())))
    return header, list(csv.DictReader(stream))


def test_ged_csv_has_the_ged_s_columns_and_consistent_figures():
    header, rows = ged_rows(rows=2000, groups=50, seed=5)
    assert header == list(GED_COLUMNS) and len(header) == 49
    assert len(rows) == 2000
    assert len({row["id"] for row in rows}) == 2000
    for row in rows:
        parts = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")
        best = int(row["best"])
        assert sum(int(row[part]) for part in parts) == best
        assert int(row["low"]) <= best <= int(row["high"])
        assert row["date_start"] <= row["date_end"]
        assert row["year"] == row["date_start"][:4]
        assert -90 <= float(row["latitude"]) <= 90 and -180 <= float(row["longitude"]) <= 180
        assert 1 <= int(row["where_prec"]) <= 7 and 1 <= int(row["date_prec"]) <= 5
        assert 1 <= int(row["event_clarity"]) <= 2
        assert 1 <= int(row["number_of_sources"]) <= 5
        assert row["source_headline"].count(MARK) == int(row["number_of_sources"])
        kind = row["type_of_violence"]
        if kind == "1":
            assert row["side_a"] == f"Government of {row['country']}"
        elif kind == "2":
            assert row["side_b"] != "Civilians" and row["side_a"] != row["side_b"]
            assert not row["side_a"].startswith("Government of ")
        else:
            assert kind == "3" and row["side_b"] == "Civilians"
        assert row["dyad_name"] == f"{row['side_a']} - {row['side_b']}"
    assert {row["type_of_violence"] for row in rows} == {"1", "2", "3"}
    # Quoting is exercised: quotes and commas inside cells.
    assert any('"' in row["where_description"] for row in rows)
    assert all('"' in row["source_article"] and "," in row["source_article"] for row in rows)
    assert any(row["date_start"] != row["date_end"] for row in rows)
    assert sum(row["date_start"] == row["date_end"] for row in rows) > len(rows) / 2


def test_every_ged_country_resolves_to_the_country_drawn():
    names = ged_country_names()
    assert set(names) == set(COUNTRY_CODES)
    for code, name in names.items():
        assert resolve_country(name)[0] == code
    _header, rows = ged_rows(rows=1000, groups=20, seed=2)
    for name in {row["country"] for row in rows}:
        resolve_country(name)  # raises LookupError if unknown


def test_ged_groups_are_the_gtd_file_s_some_by_acronym():
    _header, gtd = (
        gtd_csv_rows(rows=3000, groups=40, seed=9)[0],
        gtd_csv_rows(rows=3000, groups=40, seed=9)[1:],
    )
    gnames = {row[GTD_COLUMNS.index("gname")] for row in gtd} - {"Unknown"}
    names, acronyms = set(), set()
    for gname in gnames:
        name, acronym = gname.rsplit(" (", 1)
        names.add(name)
        acronyms.add(acronym.rstrip(")"))
    _header, rows = ged_rows(rows=3000, groups=40, seed=9)
    sides = {row[side] for row in rows for side in ("side_a", "side_b")}
    sides = {side for side in sides if side != "Civilians" and not side.startswith("Government")}
    assert sides & names and sides & acronyms
    assert sides <= names | acronyms


def test_ged_csv_is_the_same_for_the_same_seed():
    assert ged_rows(rows=300, groups=10, seed=4) == ged_rows(rows=300, groups=10, seed=4)
    assert ged_rows(rows=300, groups=10, seed=4) != ged_rows(rows=300, groups=10, seed=5)


def test_ged_csv_with_one_group_has_no_non_state_events():
    _header, rows = ged_rows(rows=200, groups=1, seed=1)
    assert {row["type_of_violence"] for row in rows} == {"1", "3"}


def test_picker_draws_what_random_choices_draws():
    # generate's _picker replaces rng.choices(...)[0]; the same seed must give the same
    # archive as before, so the draws must be the same numbers.
    population, weights = list(range(50)), _zipf(50)
    a, b = random.Random(5), random.Random(5)
    pick = _picker(b, population, weights)
    assert [a.choices(population, cum_weights=weights)[0] for _ in range(2000)] == [
        pick() for _ in range(2000)
    ]
    assert a.random() == b.random()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's schema")
def test_indexes_deferred_while_generating_are_built_again(db, monkeypatch):
    monkeypatch.setattr(DeferredIndexes, "min_rows", 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        before = cursor.fetchall()
        with CaptureQueriesContext(connection) as queries:
            generate()
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        assert cursor.fetchall() == before
        cursor.execute("PRAGMA integrity_check")
        assert cursor.fetchall() == [("ok",)]
    dropped = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DROP INDEX")]
    assert any("reports_citation" in sql for sql in dropped)
    assert len(dropped) == 8 + 3 + 4  # incident, perpetration, citation
    # The rebuilt indexes answer queries: each incident has its citation.
    assert Citation.objects.filter(incident__isnull=False).count() == 150
    assert not Incident.objects.filter(citations=None).exists()
