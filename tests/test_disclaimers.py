"""The source documents' disclaimers go wherever their text or facts drawn from them go:
search results, feeds, exports and the API, besides the pages."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from reports.models import Status
from tests.factories import make_citation, make_incident, make_report
from tests.open_data_helpers import archive_with_drafts

ATOM = {"atom": "http://www.w3.org/2005/Atom"}
SECOND = "The second publisher disclaims."
DRAFT = "A draft report's disclaimer."


@pytest.fixture
def archive(db):
    """The Peru archive; the hostage crisis also cites a second published report (with
    its own disclaimer) and a draft report (whose disclaimer must reach no one)."""
    archive = archive_with_drafts()
    second = make_report(
        title="Patterns of Global Terrorism 1996 - Peru",
        body="Rebels took hostages.",
        disclaimer=SECOND,
    )
    archive.draft_report.disclaimer = DRAFT
    archive.draft_report.save()
    make_citation(second, "Rebels took hostages", incident=archive.hostage_crisis)
    make_citation(archive.draft_report, "secret paragraph", incident=archive.hostage_crisis)
    # Another incident citing the fixture's report too: its disclaimer is listed once.
    make_citation(archive.report, "Lima", incident=archive.hostage_crisis)
    archive.second = second
    return archive


def test_api_incident_detail_lists_each_published_sources_disclaimer_once(client, archive):
    data = client.get(f"/api/incidents/{archive.hostage_crisis.slug}/").json()
    assert data["disclaimers"] == [archive.report.disclaimer, SECOND] or data["disclaimers"] == [
        SECOND,
        archive.report.disclaimer,
    ]
    assert len(data["disclaimers"]) == 2
    assert DRAFT not in json.dumps(data)


def test_api_group_report_and_citation_details_carry_disclaimers(client, archive):
    group = client.get(f"/api/groups/{archive.mrta.slug}/").json()
    assert group["disclaimers"] == [archive.report.disclaimer]
    report = client.get(f"/api/reports/{archive.second.slug}/").json()
    assert report["disclaimers"] == [SECOND]
    citation = archive.hostage_crisis.citations.get(report=archive.second)
    assert client.get(f"/api/citations/{citation.pk}/").json()["disclaimers"] == [SECOND]


def test_api_schema_documents_the_disclaimers_field(client, archive):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for name in ("Incident", "Group", "Report", "Citation"):
        field = schema["components"]["schemas"][name]["properties"]["disclaimers"]
        assert field["type"] == "array" and field["items"]["type"] == "string", name
        assert "disclaimers of the published reports" in field["description"], name


def test_incident_exports_carry_the_disclaimers_of_each_rows_sources(client, archive):
    response = client.get("/incidents/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    crisis = next(row for row in rows if row["slug"] == archive.hostage_crisis.slug)
    assert set(crisis["disclaimers"].split(" | ")) == {archive.report.disclaimer, SECOND}
    response = client.get("/incidents/export.json")
    data = json.loads(b"".join(response.streaming_content))
    crisis = next(row for row in data["results"] if row["slug"] == archive.hostage_crisis.slug)
    assert sorted(crisis["disclaimers"]) == sorted([archive.report.disclaimer, SECOND])
    assert "disclaimers" in data["meta"]
    assert DRAFT not in json.dumps(data)


def test_group_and_report_exports_carry_disclaimers(client, archive):
    groups = json.loads(b"".join(client.get("/groups/export.json").streaming_content))
    mrta = next(row for row in groups["results"] if row["slug"] == "mrta")
    assert mrta["disclaimers"] == [archive.report.disclaimer]
    reports = json.loads(b"".join(client.get("/reports/export.json").streaming_content))
    assert {tuple(row["disclaimers"]) for row in reports["results"]} == {
        (archive.report.disclaimer,),
        (SECOND,),
    }


def feed_descriptions(client, url):
    root = ET.fromstring(client.get(url).content)  # noqa: S314 - our own output, in a test
    return {
        entry.find("atom:title", ATOM).text: entry.find("atom:summary", ATOM).text
        for entry in root.iterfind("atom:entry", ATOM)
    }


def test_feeds_carry_the_disclaimers_of_each_entrys_sources(client, archive):
    incidents = feed_descriptions(client, "/feeds/incidents/")
    crisis = incidents[archive.hostage_crisis.title]
    assert f"Disclaimer of the source document: {SECOND}" in crisis
    assert archive.report.disclaimer in crisis
    assert DRAFT not in "".join(incidents.values())
    reports = feed_descriptions(client, "/feeds/reports/")
    assert SECOND in reports[archive.second.title]


def test_feed_reads_disclaimers_with_a_fixed_number_of_queries(
    client, archive, django_assert_max_num_queries
):
    for number in range(10):
        incident = make_incident(title=f"Extra {number}")
        make_citation(archive.second, "Rebels took hostages", incident=incident)
    with django_assert_max_num_queries(4):
        client.get("/feeds/incidents/")


def test_search_results_page_shows_the_disclaimers(client, archive):
    page = client.get(reverse("reports:search"), {"q": "hostages"}).content.decode()
    assert SECOND in page
    assert DRAFT not in page


def test_draft_sources_disclaimer_is_never_shown_for_a_published_entry(client, archive):
    make_report(
        title="Patterns of Global Terrorism 2000 - Peru",
        body="x",
        disclaimer="Another draft.",
        status=Status.DRAFT,
    )
    data = client.get("/api/incidents/").json()
    assert "Another draft." not in json.dumps(data) and DRAFT not in json.dumps(data)
