"""Migration 0011: the figures incidents held become claims where something supports them."""

import importlib

import pytest
from django.db import connection

from tests.factories import make_citation, make_incident, make_report
from tests.migrating import migrate_to

BEFORE = [("reports", "0010_aggregates")]
AFTER = [("reports", "0011_claims_from_figures")]


def claims(FigureClaim, incident_id):
    return sorted(
        FigureClaim.objects.filter(incident_id=incident_id).values_list(
            "figure", "low", "high", "from_dataset", "citation_id"
        )
    )


@pytest.fixture
def migrated_back(transactional_db):
    """The schema at 0010; the latest again after the test."""
    yield migrate_to(BEFORE)
    migrate_to()


def test_figures_become_claims_on_the_dataset_row_or_the_first_citation_listing_them(
    migrated_back,
):
    apps = migrated_back
    Incident = apps.get_model("reports", "Incident")
    Citation = apps.get_model("reports", "Citation")
    FigureClaim = apps.get_model("reports", "FigureClaim")
    # The schema of 0010, so the report is written with its models, not today's.
    Country = apps.get_model("reports", "Country")
    Country.objects.get_or_create(code="PE", defaults={"name": "Peru"})
    report = apps.get_model("reports", "Report").objects.create(
        title="Patterns of Global Terrorism 1998 - Peru",
        slug="pgt-1998-peru",
        series="Patterns of Global Terrorism",
        year=1998,
        country_id="PE",
        source_filename="pgt.txt",
        sha256="0" * 64,
        size_bytes=1,
        import_method="test",
    )
    apps.get_model("reports", "Paragraph").objects.create(
        report_id=report.pk,
        number=1,
        text="Two died. Thirty were taken hostage. Two soldiers died.",
    )
    common = {"start_date": "1997-05-01", "country_id": "PE", "status": "published"}
    imported = Incident.objects.create(
        title="GTD", slug="gtd", external_source="GTD", killed=3, injured=0, **common
    )
    curated = Incident.objects.create(
        title="Curated", slug="curated", killed=2, hostages=30, injured=5, **common
    )
    unsourced = Incident.objects.create(title="Bare", slug="bare", killed=7, **common)
    # Historical models send no signals: the quote key is the migration's concern only.
    Citation.objects.create(
        report_id=report.pk, incident=curated, quote="Two died.", facts=["place"], quote_key="a"
    )
    first = Citation.objects.create(
        report_id=report.pk, incident=curated, quote="Two died.", facts=["killed"], quote_key="b"
    )
    Citation.objects.create(
        report_id=report.pk,
        incident=curated,
        quote="Two soldiers died.",
        facts=["killed", "hostages"],
        quote_key="c",
    )
    hostages = Citation.objects.get(quote_key="c")

    apps = migrate_to(AFTER)
    FigureClaim = apps.get_model("reports", "FigureClaim")

    assert claims(FigureClaim, imported.pk) == [
        ("injured", 0, 0, True, None),
        ("killed", 3, 3, True, None),
    ]
    assert claims(FigureClaim, curated.pk) == [
        ("hostages", 30, 30, False, hostages.pk),
        ("killed", 2, 2, False, first.pk),
        # injured: no citation lists it, so it stays on the row alone
    ]
    assert claims(FigureClaim, unsourced.pk) == []
    assert Incident.objects.get(pk=unsourced.pk).killed == 7


def test_the_migration_leaves_a_claimed_figure_alone(db):
    migration = importlib.import_module("reports.migrations.0011_claims_from_figures")
    from django.apps import apps

    from reports.models import FigureClaim

    report = make_report(body="Four died.")
    incident = make_incident(killed=4)
    citation = make_citation(report, "Four died.", incident=incident, facts=["killed"])
    FigureClaim.objects.create(incident=incident, figure="killed", low=4, high=4, citation=citation)

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.claims_from_figures(apps, editor)
    migration.claims_from_figures(apps, editor)  # and runs twice to the same end
    assert FigureClaim.objects.count() == 1
