"""JSON-LD (schema.org) in every detail page and Dublin Core on report pages."""

import json
import re
from html.parser import HTMLParser

import pytest

from reports.models import Group as ArmedGroup
from reports.models import GroupRelation, Incident, Organisation, RelationKind
from reports.templatetags.open_data import json_ld
from tests.factories import make_citation, make_group
from tests.open_data_helpers import DRAFT_MARK, add_claims, archive_with_drafts


class HeadData(HTMLParser):
    """Collects the JSON-LD blocks and the DC.* meta tags of a page."""

    def __init__(self):
        super().__init__()
        self.json_ld, self.meta, self._in_ld = [], {}, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")
        if tag == "meta" and attrs.get("name", "").startswith("DC."):
            self.meta.setdefault(attrs["name"], []).append(attrs["content"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data


def head_data(client, url):
    response = client.get(url)
    assert response.status_code == 200
    parser = HeadData()
    parser.feed(response.content.decode())
    assert len(parser.json_ld) == 1
    return json.loads(parser.json_ld[0]), parser.meta, response.content.decode()


@pytest.fixture
def archive(db):
    return archive_with_drafts()


@pytest.fixture
def claimed(archive):
    return add_claims(archive)


def test_report_page_describes_the_report_and_its_republished_copy(client, archive):
    data, meta, _ = head_data(client, archive.report.get_absolute_url())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Report"
    assert data["name"] == "Patterns of Global Terrorism 1997 - Peru"
    assert data["url"] == "http://testserver" + archive.report.get_absolute_url()
    assert data["author"]["name"] == "United States Department of State"
    assert data["publisher"]["name"] == "United States Department of State"
    assert data["datePublished"] == "1997"  # the document gives no date: the year covered
    assert data["contentLocation"] == {"@type": "Country", "name": "Peru", "identifier": "PE"}
    assert data["isBasedOn"]["publisher"]["name"] == "UNHCR Refworld"
    assert archive.report.sha256 in data["isBasedOn"]["description"]


def test_report_page_has_dublin_core_meta_tags(client, archive):
    _, meta, html = head_data(client, archive.report.get_absolute_url())
    assert 'rel="schema.DC"' in html
    assert meta["DC.title"] == ["Patterns of Global Terrorism 1997 - Peru"]
    assert meta["DC.creator"] == ["United States Department of State"]
    assert meta["DC.date"] == ["1997"]
    assert meta["DC.identifier"] == ["http://testserver" + archive.report.get_absolute_url()]
    assert meta["DC.coverage"] == ["Peru, 1997"]
    assert meta["DC.rights"][0].startswith("This is not a UNHCR publication")


def test_incident_page_is_an_event_at_the_precision_of_its_dates(client, archive):
    data, _, _ = head_data(client, archive.hostage_crisis.get_absolute_url())
    assert data["@type"] == "Event"
    assert data["startDate"] == "1996-12-17"
    assert data["endDate"] == "1997-04-22"
    assert data["location"]["address"]["addressCountry"] == "PE"
    assert data["location"]["address"]["addressLocality"] == "Lima"
    assert [o["name"] for o in data["about"]] == ["MRTA"]
    assert [r["name"] for r in data["subjectOf"]] == [archive.report.title]
    data, _, _ = head_data(client, "/incidents/junin-oil-company-kidnapping-1997/")
    assert data["startDate"] == "1997-08"
    assert "endDate" not in data


def test_group_page_is_an_organization_with_its_other_names(client, archive):
    archive.mrta.founded_year = 1982
    archive.mrta.save()
    archive.mrta.acronym = "TA"
    archive.mrta.save()
    archive.mrta.aliases.create(name="Tupac Amaru")
    data, _, _ = head_data(client, archive.mrta.get_absolute_url())
    assert data["@type"] == "Organization"
    assert data["name"] == "MRTA"
    assert "TA" in data["alternateName"]
    assert "Tupac Amaru" in data["alternateName"]
    assert data["foundingDate"] == "1982"


def test_document_text_cannot_close_the_json_ld_script(client, archive):
    hostile = 'Evil </script><script>alert(1)</script> & "co"'
    Organisation.objects.filter(pk=archive.report.publisher_id).update(name=hostile)
    data, meta, html = head_data(client, archive.report.get_absolute_url())
    assert data["author"]["name"] == hostile  # the value survives, escaped
    assert "<script>alert(1)" not in html
    assert re.search(r"\\u003C/script\\u003E", html)
    assert meta["DC.creator"] == [hostile]


def test_json_ld_never_names_a_draft(client, archive):
    _, _, html = head_data(client, archive.hostage_crisis.get_absolute_url())
    assert DRAFT_MARK not in html


# --- Figures, relations and designations ------------------------------------------


def test_incident_figures_carry_their_range_and_the_sources_words(client, claimed):
    data, _, _ = head_data(client, claimed.incident.get_absolute_url())
    figures = {p["propertyID"]: p for p in data["additionalProperty"]}

    assert set(figures) == {"killed", "injured", "hostages"}
    killed = figures["killed"]
    assert (killed["@type"], killed["value"], killed["minValue"], killed["maxValue"]) == (
        "PropertyValue",
        16,
        16,
        16,
    )
    injured = figures["injured"]
    assert (injured["value"], injured["minValue"]) == (21, 21)
    assert "maxValue" not in injured  # "more than a dozen": no upper bound
    [claim] = injured["valueReference"]
    assert claim["description"] == "eight policemen and more than a dozen civilians"
    hostages = figures["hostages"]
    assert (hostages["value"], hostages["minValue"], hostages["maxValue"]) == (72, 72, 81)
    assert [(c["value"], c["description"]) for c in hostages["valueReference"]] == [
        (81, "at the beginning of 1997"),
        (72, "at the rescue"),
    ]


def test_a_claim_on_a_draft_reports_passage_is_not_in_the_json_ld(client, claimed):
    data, _, html = head_data(client, claimed.incident.get_absolute_url())
    assert DRAFT_MARK not in html
    [killed] = [p for p in data["additionalProperty"] if p["propertyID"] == "killed"]
    assert len(killed["valueReference"]) == 1 and killed["minValue"] == 16
    _, _, html = head_data(client, claimed.group.get_absolute_url())
    assert DRAFT_MARK not in html


def test_group_carries_strength_relations_and_designations(client, claimed):
    faction = make_group(name="Claims Test Faction")
    citation = make_citation(
        claimed.relation.citation.report, "its larger and more violent counterpart", group=faction
    )
    GroupRelation.objects.create(
        group=faction, kind=RelationKind.FACTION_OF, other=claimed.group, citation=citation
    )

    data, _, _ = head_data(client, claimed.group.get_absolute_url())

    properties = {p["propertyID"]: p for p in data["additionalProperty"]}
    assert set(properties) == {"strength", "counterpart"}
    assert (properties["strength"]["value"], properties["strength"]["minValue"]) == (14, 14)
    assert properties["counterpart"]["value"] == "Sendero Luminoso"
    assert properties["counterpart"]["url"] == "http://testserver/groups/sendero-luminoso/"
    [designation] = data["memberOf"]
    assert designation["@type"] == "Role" and designation["startDate"] == "1997-01-01"
    assert designation["memberOf"]["programName"] == "Terrorist groups"
    assert designation["memberOf"]["hostingOrganization"]["name"] == "Government of Peru"
    assert "parentOrganization" not in data
    data, _, _ = head_data(client, faction.get_absolute_url())
    assert data["parentOrganization"] == [
        {
            "@type": "Organization",
            "name": "Claims Test Front",
            "url": "http://testserver" + claimed.group.get_absolute_url(),
        }
    ]


def test_an_entry_read_without_its_claims_prefetched_still_gets_them(rf, claimed):
    """A page that reads its entry some other way (not for_detail()) still shows its
    figures, read when the JSON-LD is made; and the same published ones only."""
    context = {"request": rf.get("/")}
    incident = Incident.objects.get(pk=claimed.incident.pk)
    group = ArmedGroup.objects.get(pk=claimed.group.pk)

    incident_data = json.loads(json_ld(context, incident))
    group_data = json.loads(json_ld(context, group))

    assert {p["propertyID"] for p in incident_data["additionalProperty"]} == {
        "killed",
        "injured",
        "hostages",
    }
    assert {p["propertyID"] for p in group_data["additionalProperty"]} == {
        "strength",
        "counterpart",
    }
    assert DRAFT_MARK not in json.dumps(incident_data) + json.dumps(group_data)
