"""The curated peru_1997 fixture: loads, reloads without duplicates, cites truthfully."""

import hashlib
import re
from io import StringIO

import pytest
from django.core.management import call_command

from reports.claims import estimate
from reports.models import (
    INCIDENT_FIGURES,
    Citation,
    Country,
    FigureClaim,
    Group,
    GroupAlias,
    GroupRelation,
    Incident,
    Leader,
    Organisation,
    Paragraph,
    Perpetration,
    Report,
    Status,
    find_quote,
    normalise_space,
)
from reports.publishing import publish_problem, unsourced_facts
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
    FigureClaim,
    GroupRelation,
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
    assert set(Group.objects.values_list("name", flat=True)) == {"MRTA", "Sendero Luminoso"}
    assert Incident.objects.count() == 4


def test_fixture_leaves_empty_what_the_seed_does_not_give(loaded):
    report = Report.objects.get()
    assert report.language == "en"
    # The seed names no URL, identifier or publication date of its original.
    assert (report.source_url, report.document_identifier, report.published_on) == ("", "", None)


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


def seed_text():
    return normalise_space(SEED_PATH.read_text(encoding="utf-8"))


def test_every_claim_rests_on_a_quote_of_the_seed_and_keeps_its_words(loaded):
    seed = seed_text()
    claims = FigureClaim.objects.select_related("citation")
    assert claims.count() == 7
    for claim in claims:
        claim.full_clean()
        quote = normalise_space(claim.citation.quote)
        assert quote in seed, claim
        assert normalise_space(claim.wording) in quote, claim
    for relation in GroupRelation.objects.select_related("citation"):
        assert normalise_space(relation.citation.quote) in seed


def test_names_in_the_fixture_are_the_seeds_words(loaded):
    seed = seed_text()
    names = [
        *Group.objects.values_list("name", flat=True),
        *Group.objects.exclude(acronym="").values_list("acronym", flat=True),
        *GroupAlias.objects.values_list("name", flat=True),
        *Leader.objects.values_list("name", flat=True),
        *Incident.objects.exclude(region="").values_list("region", flat=True),
        *Incident.objects.exclude(city="").values_list("city", flat=True),
    ]
    for name in names:
        assert name in seed, name


def test_each_row_figure_is_the_best_estimate_of_its_claims(loaded):
    for incident in Incident.objects.prefetch_related("claims"):
        for figure in INCIDENT_FIGURES:
            found = estimate(c for c in incident.claims.all() if c.figure == figure)
            assert getattr(incident, figure) == (found.best if found else None), (incident, figure)


def test_hostage_crisis_figures_follow_the_report(loaded):
    crisis = Incident.objects.get(type="hostage_taking")
    assert str(crisis.start_date) == "1996-12-17" and crisis.start_precision == "day"
    assert str(crisis.end_date) == "1997-04-22" and crisis.end_precision == "day"
    hostages = crisis.claims.filter(figure="hostages").order_by("moment_date")
    assert [(c.wording, c.low, c.high, str(c.moment_date)) for c in hostages] == [
        ("hundreds of hostages", 200, 999, "1996-12-17"),
        ("81 hostages", 81, 81, "1997-01-01"),
        ("the 72 remaining hostages", 72, 72, "1997-04-22"),
    ]
    assert hostages[0].best and crisis.hostages == 200
    # Two soldiers and 14 MRTA; the one hostage not rescued is not accounted for.
    killed = crisis.claims.get(figure="killed")
    assert (killed.low, killed.high) == (16, None) and crisis.killed == 16
    assert crisis.injured is None and not crisis.claims.filter(figure="injured").exists()
    assert list(crisis.perpetrators.values_list("name", flat=True)) == ["MRTA"]
    [end_date_citation] = [c for c in crisis.citations.all() if "end_date" in c.facts]
    assert "On 22 April" in end_date_citation.quote


def test_car_bomb_injuries_are_at_least_21(loaded):
    bomb = Incident.objects.get(slug="lima-police-station-car-bomb-1997")
    assert bomb.start_precision == "month" and bomb.start_date.month == 5
    injured = bomb.claims.get(figure="injured")
    assert (injured.low, injured.high) == (21, None)
    assert injured.wording == "eight policemen and more than a dozen civilians"
    assert bomb.injured == 21 and bomb.killed is None


def test_junin_kidnapping_is_stored_at_month_precision(loaded):
    junin = Incident.objects.get(type="kidnapping")
    assert junin.hostages == 30
    assert junin.region == "Junin"
    assert junin.start_precision == "month" and junin.start_date.month == 8
    assert junin.perpetrators.get().name == "Sendero Luminoso"


def test_groups_have_the_reports_names_leaders_and_relation(loaded):
    mrta = Group.objects.get(slug="mrta")
    assert mrta.name == "MRTA" and not mrta.aliases.exists()
    assert mrta.leaders.get().name == "Nestor Cerpa Cartolini"
    assert mrta.founded_year is None
    sendero = Group.objects.get(slug="sendero-luminoso")
    assert list(sendero.aliases.values_list("name", flat=True)) == ["Sendero"]
    assert sendero.leaders.get().role == "founder (arrested 1992)"
    assert sendero.founded_year is None
    relation = GroupRelation.objects.get()
    assert (relation.group, relation.kind, relation.other) == (mrta, "counterpart", sendero)
    assert "its larger and more violent counterpart" in relation.citation.quote


def test_every_fixture_entry_meets_the_publish_rule(loaded):
    for model in (Incident, Group):
        for entry in model.objects.all():
            assert unsourced_facts(entry) == [], entry
            assert publish_problem(entry) is None, entry


def test_the_hostage_crisis_page_shows_the_three_hostage_figures_with_footnotes(client, loaded):
    crisis = Incident.objects.get(type="hostage_taking")
    html = client.get(crisis.get_absolute_url()).content.decode()
    citations = list(Citation.objects.for_display().filter(incident=crisis))
    start = html.index('<ul class="claims"')
    items = html[start : html.index("</ul>", start)].split("<li>")[1:]
    hostages = crisis.claims.filter(figure="hostages").order_by("moment_date")
    assert len(items) == 3
    for item, claim in zip(items, hostages, strict=True):
        number = citations.index(claim.citation) + 1
        assert claim.wording in item and claim.moment in item, item
        assert f'href="#c{number}"' in item, item
        assert f'id="c{number}"' in html  # the footnote's passage is on the page
    for moment in ("taken on 17 December 1996", "still held at the beginning of 1997"):
        assert moment in html


def test_sendero_luminosos_page_shows_no_zero_the_source_does_not_give(client, loaded):
    sendero = Group.objects.get(slug="sendero-luminoso")
    html = client.get(sendero.get_absolute_url()).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Injured 0" not in text and "Killed 0" not in text
    assert "not given" in text  # no incident of 1997 gives its killed
    assert "at least 21" in text  # the car bomb's injured; the kidnapping gives none
