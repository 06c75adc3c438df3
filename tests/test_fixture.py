"""The curated peru_1997 fixture: loads, reloads without duplicates, cites truthfully."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command

from reports.models import (
    Citation,
    Country,
    Group,
    GroupAlias,
    Incident,
    Leader,
    Organisation,
    Paragraph,
    Perpetration,
    Report,
    Status,
    find_quote,
)
from tests.conftest import SEED_PATH

MODELS = [
    Country,
    Organisation,
    Report,
    Paragraph,
    Group,
    GroupAlias,
    Leader,
    Incident,
    Perpetration,
    Citation,
]


def load():
    call_command("loaddata", "peru_1997", stdout=StringIO())


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def loaded(db):
    load()


def test_fixture_loads_the_report_groups_and_incidents(loaded):
    report = Report.objects.get()
    assert report.title == "Patterns of Global Terrorism 1997 - Peru"
    assert report.publisher.name == "United States Department of State"
    assert report.republisher.name == "UNHCR Refworld"
    assert report.country.code == "PE"
    assert report.paragraphs.count() == 3
    assert report.disclaimer.startswith("This is not a UNHCR publication.")
    assert set(Group.objects.values_list("acronym", flat=True)) == {"MRTA", "SL"}
    assert Incident.objects.count() == 4


def test_fixture_provenance_matches_the_sample_file(loaded):
    data = SEED_PATH.read_bytes()
    report = Report.objects.get()
    assert report.sha256 == hashlib.sha256(data).hexdigest()
    assert report.size_bytes == len(data)
    assert report.source_filename == SEED_PATH.name
    assert SEED_PATH.name in report.import_method


def test_loading_the_fixture_twice_duplicates_nothing(loaded):
    before = counts()
    load()
    assert counts() == before


def test_fixture_loads_over_an_imported_seed_without_duplicates(seed_report):
    load()
    assert Report.objects.count() == 1
    assert Paragraph.objects.count() == 3


def test_importing_the_seed_after_the_fixture_changes_nothing(loaded):
    before = counts()
    out = StringIO()
    call_command("import_documents", str(SEED_PATH), stdout=out)
    assert "unchanged" in out.getvalue()
    assert counts() == before


def test_everything_in_the_fixture_is_published(loaded):
    for model in (Report, Group, Incident):
        assert not model.objects.exclude(status=Status.PUBLISHED).exists()


def test_every_fixture_citation_quote_occurs_in_its_paragraph(loaded):
    citations = Citation.objects.select_related("report", "paragraph")
    assert citations.count() >= 10
    for citation in citations:
        assert citation.paragraph is not None, citation
        assert find_quote(citation.report, citation.quote, citation.paragraph)
        citation.full_clean()  # facts are known names, one subject


def test_every_published_incident_and_group_has_a_citation(loaded):
    for model in (Incident, Group):
        assert not model.objects.published().filter(citations__isnull=True).exists()


def test_hostage_crisis_figures_follow_the_report(loaded):
    crisis = Incident.objects.get(type="hostage_taking")
    assert str(crisis.start_date) == "1996-12-17" and crisis.start_precision == "day"
    assert str(crisis.end_date) == "1997-04-22" and crisis.end_precision == "day"
    assert crisis.hostages == 72
    assert crisis.killed == 16  # two soldiers and 14 MRTA; the one hostage's fate is not given
    assert crisis.injured is None
    assert list(crisis.perpetrators.values_list("acronym", flat=True)) == ["MRTA"]
    [hostage_citation] = [c for c in crisis.citations.all() if "hostages" in c.facts]
    assert "72 remaining hostages" in hostage_citation.quote


def test_car_bomb_injuries_are_unknown_not_invented(loaded):
    bomb = Incident.objects.get(slug="lima-police-station-car-bomb-1997")
    assert bomb.start_precision == "month" and bomb.start_date.month == 5
    assert bomb.injured is None and bomb.killed is None
    assert "more than a dozen civilians" in bomb.citations.get().quote
    assert "at least 21" in bomb.summary


def test_junin_kidnapping_is_stored_at_month_precision(loaded):
    junin = Incident.objects.get(type="kidnapping")
    assert junin.hostages == 30
    assert junin.region == "Junin"
    assert junin.start_precision == "month" and junin.start_date.month == 8
    assert junin.perpetrators.get().name == "Sendero Luminoso"


def test_groups_have_aliases_and_leaders(loaded):
    mrta = Group.objects.get(acronym="MRTA")
    assert set(mrta.aliases.values_list("name", "language")) == {
        ("Tupac Amaru Revolutionary Movement", "en"),
        ("Movimiento Revolucionario Tupac Amaru", "es"),
    }
    assert mrta.leaders.get().name == "Nestor Cerpa Cartolini"
    assert mrta.founded_year is None
    sendero = Group.objects.get(acronym="SL")
    assert {"Shining Path", "Sendero"} <= set(sendero.aliases.values_list("name", flat=True))
    assert sendero.leaders.get().role == "founder (arrested 1992)"
    assert sendero.founded_year is None
