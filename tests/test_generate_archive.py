"""The synthetic data generator: generate_archive and bench.generate."""

import csv
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.generate import (
    COMMON_WORD,
    MARK,
    RARE_REPORTS,
    RARE_WORD,
    _picker,
    _zipf,
    write_gtd_csv,
)
from reports.ingest.bulk import DeferredIndexes
from reports.ingest.gtd import import_incidents
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
