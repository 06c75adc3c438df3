"""A search narrowed to a country and years: SQLite reads it from the index, whose rows
carry their report's country and year (migration 0020), and must find exactly what
testing every match against the reports finds. The behaviour tests run on either
engine (CI runs both); the ones about the index itself on SQLite."""

import importlib

import pytest
from django.db import connection

from reports.models import Country, Incident, Paragraph, Report
from reports.search import postgresql, search, sqlite
from reports.search.listing import Filters
from tests.factories import make_incident, make_report, sqlite_master_rows

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 only")


@pytest.fixture
def reports(db):
    made = []
    for year in range(1980, 2000):
        country = ("Peru", "Colombia", "Bolivia")[year % 3]
        made.append(
            make_report(
                title=f"Patterns of Global Terrorism {year} - {country}",
                body=f"A car bomb in {country}.\n\nAn ambush; a bomb."
                if year % 2
                else "Quiet year.\n\nA bomb was defused.",
            )
        )
    make_report(title="Car bomb 1995 - Peru", body="Nothing more.")
    return made


def found_years(text, kind, filters, sort="newest"):
    found = search(text, kind=kind, filters=filters, sort=sort)
    return found.counts, [hit.report.year for hit in found.page.object_list]


@pytest.mark.parametrize(
    "filters",
    [
        Filters(country="PE"),
        Filters(year_from=1985, year_to=1990),
        Filters(country="CO", year_from=1981, year_to=1999),
        Filters(country="BO", year_from=1990, year_to=1990),
        Filters(country="PE", year_from=1995),  # years open-ended: the country alone
        Filters(country="PE", year_from=1900, year_to=1999),  # too many years: likewise
        Filters(country="AR"),  # no such report
        Filters(year_from=1991, year_to=1989),  # an empty range
        Filters(country="PE", series="Patterns of Global Terrorism"),
    ],
)
@pytest.mark.parametrize("text", ["bomb", '"car bomb" OR ambush', "bomb -car", "bom*", "peru"])
@pytest.mark.parametrize("kind", ["reports", "passages"])
def test_narrowed_in_the_index_finds_what_testing_each_match_finds(
    reports, monkeypatch, filters, text, kind
):
    if connection.vendor == "sqlite":
        narrowed = {
            sort: found_years(text, kind, filters, sort) for sort in ("newest", "relevance")
        }
        monkeypatch.setattr(sqlite, "narrows", lambda kind, filters: False)
        monkeypatch.setattr(sqlite, "facet_match", lambda filters, years=True: "")
    else:
        narrowed = None
    tested = {sort: found_years(text, kind, filters, sort) for sort in ("newest", "relevance")}
    country, (first, last) = filters.country, filters.years
    expected = {
        report.year
        for report in reports
        if (not country or report.country_id == country)
        and (not first or report.year >= first)
        and (not last or report.year <= last)
    }
    assert set(tested["newest"][1]) <= expected | {1995}
    assert narrowed in (None, tested)


@on_sqlite
def test_a_country_and_years_are_read_from_the_index(reports):
    filters = Filters(country="PE", year_from=1985, year_to=1990)
    assert sqlite.narrows("reports", filters) and sqlite.narrows("passages", filters)
    assert sqlite.narrows("incidents", filters)  # its country (its years: its key)
    assert not sqlite.narrows("incidents", Filters(year_from=1985, year_to=1990))
    assert not sqlite.narrows("reports", Filters(series="Patterns"))
    assert not sqlite.narrows("reports", Filters(year_from=1985))
    assert sqlite.facet_match(filters) == (
        '"qqcPE" AND ("qqy1985" OR "qqy1986" OR "qqy1987" OR "qqy1988" OR "qqy1989" OR "qqy1990")'
    )
    assert sqlite.facet_match(Filters(country='P"E')) == '"qqcP""E"'


@pytest.mark.parametrize("country", ['P"E', 'PE" OR "qqcCO', "PE*", "NEAR(PE)", "P E", "-", "ü"])
def test_a_hostile_country_is_words_to_look_for_never_syntax(reports, country):
    for kind in ("reports", "passages", "incidents"):
        found = search("bomb", kind=kind, filters=Filters(country=country))
        assert found.counts[kind] == 0


def facets_of(report):
    """The facets of each of the report's rows in the search tables."""
    rowids = [-report.pk, *report.paragraphs.values_list("pk", flat=True)]
    marks = ", ".join(["%s"] * len(rowids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT facets FROM reports_search_fts WHERE rowid IN ({marks})"  # noqa: S608
            f" UNION ALL SELECT facets FROM reports_search_es WHERE rowid IN ({marks})",
            rowids * 2,
        )
        return sorted(row[0] for row in cursor.fetchall())


@on_sqlite
def test_the_index_follows_a_reports_country_year_and_language(db):
    report = make_report(
        title="Patterns of Global Terrorism 1997 - Peru", body="Okapi one.\n\nOkapi two."
    )
    assert facets_of(report) == ["qqcPE qqy1997"] * 3

    colombia, _ = Country.objects.get_or_create(code="CO", defaults={"name": "Colombia"})
    Report.objects.filter(pk=report.pk).update(country=colombia, year=1998)
    assert facets_of(report) == ["qqcCO qqy1998"] * 3
    report.refresh_from_db()
    report.title = "Okapi report"
    report.language = "es"
    report.save()
    assert facets_of(report) == ["qqcCO qqy1998"] * 3
    Paragraph.objects.create(report=report, number=3, text="Okapi three.")
    Paragraph.objects.filter(report=report, number=1).update(text="Okapi uno.")
    assert facets_of(report) == ["qqcCO qqy1998"] * 4

    narrowed = Filters(country="CO", year_from=1998, year_to=1998)
    assert search("okapi", kind="passages", filters=narrowed).counts["passages"] == 3
    assert search("okapi", kind="reports", filters=narrowed).counts["reports"] == 1
    assert search("okapi", kind="reports", filters=Filters(country="PE")).counts["reports"] == 0


@on_sqlite
def test_paragraphs_written_before_their_report_are_indexed_with_it(db):
    """A restore may write a report's paragraphs first (SQLite checks foreign keys at
    the end of the transaction): its report's insert indexes them again."""
    report = make_report(title="Patterns of Global Terrorism 1997 - Peru", body="Okapi.")
    later = report.pk + 1
    Paragraph.objects.create(report_id=later, number=1, text="An early okapi.")
    report.pk, report.slug, report.year, report.language = later, "informe-1996", 1996, "es"
    report.sha256 = "0" * 64
    report.save(force_insert=True)

    assert facets_of(report) == ["qqcPE qqy1996"] * 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reports_search_es WHERE report_id = %s", [later])
        assert cursor.fetchone()[0] == 2


@on_sqlite
def test_the_migration_reverses_and_applies_again_on_rows_that_exist(reports):
    migration = importlib.import_module("reports.migrations.0020_search_facets")
    editor = type("SchemaEditor", (), {"connection": connection})
    filters = Filters(country="PE", year_from=1985, year_to=1995)
    before = found_years("bomb", "passages", filters)

    migration.drop(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pragma_table_info('reports_search_fts')")
        assert cursor.fetchone()[0] == 3
    migration.create(None, editor)

    assert facets_of(reports[0]) == ["qqcPE qqy1980"] * 3
    assert found_years("bomb", "passages", filters) == before


@pytest.fixture
def incidents(db):
    countries = [Country.objects.resolve(name) for name in ("Peru", "Colombia", "Bolivia")]
    for n in range(30):
        make_incident(
            title=f"Car bomb {n}" if n % 4 else f"Ambush {n}",
            summary="A bomb went off." if n % 2 else "Nothing exploded.",
            start_date=f"{1980 + n}-0{1 + n % 9}-1{n % 10}",
            country=countries[n % 3],
        )


def found_titles(text, filters, sort):
    found = search(text, kind="incidents", filters=filters, sort=sort)
    return found.counts["incidents"], [incident.title for incident in found.page.object_list]


@pytest.mark.parametrize(
    "filters",
    [
        Filters(country="PE"),
        Filters(country="CO", year_from=1985, year_to=2000),
        Filters(country="BO", year_from=1990),
        Filters(country="AR"),
        Filters(country="PE", series="Patterns of Global Terrorism"),
    ],
)
@pytest.mark.parametrize("text", ["bomb", "car OR ambush", "bomb -car", "bom*"])
@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_incidents_narrowed_to_a_country_in_the_index_are_those_tested_one_by_one(
    incidents, monkeypatch, filters, text, sort
):
    narrowed = found_titles(text, filters, sort)
    if connection.vendor == "sqlite":
        assert sqlite.narrows("incidents", filters)
        monkeypatch.setattr(sqlite, "narrows", lambda kind, filters: False)
        monkeypatch.setattr(sqlite, "facet_match", lambda filters, years=True: "")
    if connection.vendor == "postgresql":
        assert postgresql.narrows("incidents", filters)
        monkeypatch.setattr(postgresql, "narrows", lambda kind, filters: False)
        monkeypatch.setattr(postgresql, "incident_filters", lambda filters: {})
    assert found_titles(text, filters, sort) == narrowed
    if text == "bomb" and filters.country == "PE" and not filters.series:
        assert narrowed[0] > 0


def test_an_incident_moved_to_another_country_is_found_there(db):
    incident = make_incident(title="Okapi raid", start_date="1997-01-01")
    colombia = Country.objects.resolve("Colombia")
    home = Filters(country=incident.country_id)
    assert search("okapi", kind="incidents", filters=home).counts["incidents"] == 1

    Incident.objects.filter(pk=incident.pk).update(country=colombia)
    assert search("okapi", kind="incidents", filters=home).counts["incidents"] == 0
    moved = search("okapi", kind="incidents", filters=Filters(country=colombia.code))
    assert [found.title for found in moved.page.object_list] == ["Okapi raid"]


@on_sqlite
def test_the_incident_migration_reverses_and_applies_again_on_rows_that_exist(incidents):
    migration = importlib.import_module("reports.migrations.0021_incident_search_facets")
    editor = type("SchemaEditor", (), {"connection": connection})
    schema = sqlite_master_rows("reports_search_%")
    before = found_titles("bomb", Filters(country="PE"), "newest")

    migration.drop(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pragma_table_info('reports_search_incidents')")
        assert cursor.fetchone()[0] == 3
    migration.create(None, editor)

    assert sqlite_master_rows("reports_search_%") == schema
    assert found_titles("bomb", Filters(country="PE"), "newest") == before
