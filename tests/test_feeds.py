"""Atom feeds: latest reports and incidents, per country and per group; drafts never."""

import xml.etree.ElementTree as ET

import pytest

from tests.open_data_helpers import DRAFT_MARK, archive_with_drafts

ATOM = {"atom": "http://www.w3.org/2005/Atom"}


@pytest.fixture
def archive(db):
    return archive_with_drafts()


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    assert DRAFT_MARK not in response.content.decode()
    root = ET.fromstring(response.content)  # noqa: S314 - our own output, in a test
    return [
        (e.find("atom:title", ATOM).text, e.find("atom:link", ATOM).get("href"))
        for e in root.iterfind("atom:entry", ATOM)
    ]


def test_latest_reports_feed_lists_published_reports(client, archive):
    assert entries(client, "/feeds/reports/") == [
        (archive.report.title, "http://testserver" + archive.report.get_absolute_url())
    ]


def test_latest_incidents_feed_lists_published_incidents(client, archive):
    titles = [title for title, _ in entries(client, "/feeds/incidents/")]
    assert len(titles) == 4
    assert archive.hostage_crisis.title in titles


def test_country_feed_mixes_reports_and_incidents_of_that_country(client, archive):
    titles = [title for title, _ in entries(client, "/feeds/countries/pe/")]
    assert archive.report.title in titles and archive.hostage_crisis.title in titles
    assert len(titles) == 5
    assert client.get("/feeds/countries/ZZ/").status_code == 404


def test_group_feed_lists_the_groups_incidents(client, archive):
    titles = [title for title, _ in entries(client, "/feeds/groups/sendero-luminoso/")]
    assert len(titles) == 3 and archive.hostage_crisis.title not in titles
    assert [t for t, _ in entries(client, "/feeds/groups/mrta/")] == [archive.hostage_crisis.title]


def test_a_draft_groups_feed_is_a_404(client, archive):
    assert client.get(f"/feeds/groups/{archive.draft_group.slug}/").status_code == 404


def test_feeds_are_linked_from_every_pages_head(client, archive):
    html = client.get("/").content.decode()
    assert 'type="application/atom+xml"' in html
    assert 'href="/feeds/reports/"' in html and 'href="/feeds/incidents/"' in html
    html = client.get(archive.mrta.get_absolute_url()).content.decode()
    assert 'href="/feeds/groups/mrta/"' in html
    html = client.get("/countries/PE/").content.decode()
    assert 'href="/feeds/countries/PE/"' in html


def test_a_country_with_only_drafts_has_no_feed_as_it_has_no_page(client, archive):
    from reports.models import Country, Incident, Status

    chile = Country.objects.resolve("CL")
    Incident.objects.create(
        title=f"{DRAFT_MARK} draft", slug="chile-draft", start_date="1997-01-01",
        country=chile, status=Status.DRAFT,
    )  # fmt: skip
    assert client.get("/countries/CL/").status_code == 404
    assert client.get("/feeds/countries/CL/").status_code == 404
