"""sitemap.xml of every public page, and robots.txt pointing at it; drafts never."""

import xml.etree.ElementTree as ET

import pytest

from reports.models import Group, Incident, Report
from tests.open_data_helpers import archive_with_drafts

SM = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def archive(db):
    return archive_with_drafts()


def parse(content):
    return ET.fromstring(content)  # noqa: S314 - our own output, in a test


def all_sitemap_urls(client):
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    urls = []
    for loc in parse(index.content).iterfind("sm:sitemap/sm:loc", SM):
        section = client.get(loc.text.removeprefix("http://testserver"))
        assert section.status_code == 200, loc.text
        urls += [el.text for el in parse(section.content).iterfind("sm:url/sm:loc", SM)]
    return urls


def test_sitemap_lists_every_published_page_once(client, archive):
    urls = all_sitemap_urls(client)
    assert len(urls) == len(set(urls))
    paths = {url.removeprefix("http://testserver") for url in urls}
    for model in (Report, Incident, Group):
        for obj in model.objects.published():
            assert obj.get_absolute_url() in paths
    assert {"/", "/reports/", "/incidents/", "/groups/"} <= paths
    assert {"/countries/", "/methodology/", "/about/"} <= paths
    assert "/countries/PE/" in paths


def test_sitemap_never_lists_a_draft(client, archive):
    paths = {url.removeprefix("http://testserver") for url in all_sitemap_urls(client)}
    for draft in (archive.draft_report, archive.draft_incident, archive.draft_group):
        assert draft.get_absolute_url() not in paths


def test_every_page_in_the_sitemap_answers(client, archive):
    for url in all_sitemap_urls(client):
        assert client.get(url.removeprefix("http://testserver")).status_code == 200, url


def test_robots_txt_points_at_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
