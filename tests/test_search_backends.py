"""The full-text engines behind search_archive: PostgreSQL's on PostgreSQL, FTS5 on
SQLite. These run on whichever database the suite runs on (CI runs both), and
expect the very same results, so passing on both proves the engines agree."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from reports import search
from reports.models import Paragraph, Report, Status
from reports.search import search_archive
from tests.factories import make_report

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 only")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search only"
)


@pytest.fixture
def peru_1997(db):
    call_command("loaddata", "peru_1997", stdout=StringIO())


def report_hits(query):
    return [
        (hit.report.slug, hit.title_match, hit.paragraph.number if hit.paragraph else None)
        for hit in search_archive(query).reports
    ]


SEED = "patterns-of-global-terrorism-1997-peru"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Cerpa", [(SEED, False, 1)]),
        ("ambassador", [(SEED, False, 1)]),
        # Stemming: the plural finds "Ambassador's", "ambassadors".
        ("ambassadors", [(SEED, False, 1)]),
        ("Sendero", [(SEED, False, 3)]),
        ("Sendero Luminoso Guzman", [(SEED, False, 3)]),
        ("terrorism", [(SEED, True, None)]),
        ("Cerpa Sendero", []),  # every word, in one paragraph or the title
        ("zanzibar", []),
    ],
)
def test_seed_results_are_the_same_on_every_engine(peru_1997, query, expected):
    assert report_hits(query) == expected


def test_snippet_is_cut_around_the_matched_word(peru_1997):
    [hit] = search_archive("Cerpa").reports

    assert "Nestor Cerpa Cartolini" in hit.snippet
    assert "\x02" not in hit.snippet and "\x03" not in hit.snippet


def test_snippet_finds_a_stemmed_match(peru_1997):
    [hit] = search_archive("ambassadors").reports

    assert "mbassador" in hit.snippet


def test_a_word_in_title_and_body_is_a_title_match_with_its_best_paragraph(peru_1997):
    [hit] = search_archive("1997").reports

    assert hit.title_match
    assert hit.paragraph.number == 1
    assert "1997" in hit.snippet


def test_title_match_ranks_above_any_body_match(db):
    body_only = make_report(
        title="Patterns of Global Terrorism 1996 - Peru",
        body="Colombia, Colombia and Colombia again.\n\nColombia once more.",
    )
    titled = make_report(
        title="Patterns of Global Terrorism 1995 - Colombia", body="Nothing of note."
    )

    hits = search_archive("colombia").reports

    assert [(hit.report, hit.title_match) for hit in hits] == [
        (titled, True),
        (body_only, False),
    ]


def test_the_better_paragraph_ranks_its_report_higher(db):
    make_report(
        title="Patterns of Global Terrorism 1993 - Peru",
        body="A long paragraph that mentions the guerrilla once among many other words "
        "about elections, budgets, roads, schools, harvests and the weather in the Andes.",
    )
    dense = make_report(
        title="Patterns of Global Terrorism 1990 - Peru", body="Guerrilla guerrilla guerrilla."
    )

    hits = search_archive("guerrilla").reports

    assert hits[0].report == dense


def test_drafts_are_never_found_by_the_engine(db):
    make_report(title="Patterns of Global Terrorism 1991 - Chile", body="Quetzal.")
    make_report(
        title="Patterns of Global Terrorism 1992 - Chile", body="Quetzal.", status=Status.DRAFT
    )

    assert [hit.report.year for hit in search_archive("quetzal chile").reports] == []
    assert [hit.report.year for hit in search_archive("quetzal").reports] == [1991]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""""',
        '"unterminated phrase',
        "*",
        "cerpa*",
        "NEAR(",
        "NEAR(cerpa lima, 2)",
        "AND OR",
        "NOT",
        "cerpa OR",
        "title:peru",
        "body:cerpa",
        "-cerpa",
        "^cerpa",
        "()",
        "(cerpa",
        "'",
        "\\",
        "x\x00y",
        "cerpa & | ! :*",
        "<script>alert(1)</script>",
        "%_%",
    ],
)
def test_hostile_query_syntax_never_raises(peru_1997, query):
    results = search_archive(query)

    assert isinstance(results.reports, list)


def test_operators_in_the_query_are_searched_as_words(db):
    """FTS5 would obey NEAR(...), column filters and AND/OR/NOT; here they are words."""
    near = make_report(body="The hostages were held near the river.")

    assert [hit.report for hit in search_archive("NEAR(river").reports] == [near]
    assert [hit.report for hit in search_archive("body:river").reports] == []
    assert search_archive('title:"Global"').reports == []


def test_index_follows_edits_to_paragraphs_and_titles(db):
    report = make_report(title="Patterns of Global Terrorism 1994 - Peru", body="Old word: ocelot.")
    paragraph = report.paragraphs.get()

    paragraph.text = "New word: jaguarundi."
    paragraph.save()
    assert report_hits("ocelot") == []
    assert report_hits("jaguarundi") == [(report.slug, False, 1)]

    Report.objects.filter(pk=report.pk).update(title="Patterns of Global Terrorism 1994 - Tapir")
    assert report_hits("tapir") == [(report.slug, True, None)]

    Paragraph.objects.filter(pk=paragraph.pk).delete()
    assert report_hits("jaguarundi") == []
    report.delete()
    assert report_hits("tapir") == []


def test_search_makes_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    for year in range(1960, 1990):
        make_report(title=f"Patterns of Global Terrorism {year} - Peru", body="Vicuna herds.")

    with django_assert_max_num_queries(2):
        hits = search._reports(["vicuna"], limit=25)
        shown = [(hit.report.country.name, hit.paragraph.anchor, hit.snippet) for hit in hits]

    assert len(shown) == 25


# --- Engine specifics ------------------------------------------------------------


@on_sqlite
def test_sqlite_has_the_fts5_table_and_its_triggers_after_all_migrations(db):
    """A later migration that rebuilds reports_report or reports_paragraph drops the
    triggers; this catches it (see migration 0003)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'reports_search_%'")
        names = {name for _type, name in cursor.fetchall()}

    assert "reports_search_fts" in names
    assert set(search_migration().SQLITE_TRIGGERS) <= names


def search_migration():
    import importlib

    return importlib.import_module("reports.migrations.0003_search_indexes")


@on_sqlite
def test_sqlite_without_fts5_falls_back_to_substring_search(peru_1997, monkeypatch, caplog):
    monkeypatch.setattr(
        search, "FTS5_SQL", search.FTS5_SQL.replace("reports_search_fts", "no_such_fts")
    )

    assert report_hits("Cerpa") == [(SEED, False, 1)]
    assert "Full-text search unavailable" in caplog.text


@on_sqlite
def test_fts5_query_quotes_every_term():
    assert search.fts5_query(["NEAR(river", 'say"hi', "*", "AND"]) == (
        '"NEAR" "river" "say" "hi" "AND"'
    )
    assert search.fts5_query(["*", '"', "()"]) == ""


@on_postgresql
def test_postgresql_uses_the_gin_indexes(peru_1997):
    names = {"reports_paragraph_text_fts", "reports_report_title_fts"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [list(names)]
        )
        indexes = dict(cursor.fetchall())
        assert set(indexes) == names
        assert all("USING gin" in definition for definition in indexes.values())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM reports_paragraph WHERE "
            "to_tsvector('english'::regconfig, COALESCE(translate(text, '<>', '  '), '')) "
            "@@ websearch_to_tsquery('english'::regconfig, %s)",
            ["cerpa"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "reports_paragraph_text_fts" in plan


@on_postgresql
def test_postgresql_query_uses_the_indexed_expression(peru_1997):
    """The ORM's SearchVector must compile to the indexed expression, or the index
    is never used."""
    from django.contrib.postgres.search import SearchQuery

    query = (
        Paragraph.objects.annotate(document=search.pg_vector("text"))
        .filter(document=SearchQuery("cerpa", config=search.PG_CONFIG))
        .values("pk")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = query.explain()

    assert "reports_paragraph_text_fts" in plan
