"""BibTeX, RIS and CSL-JSON downloads, consistent with the page's "Cite this" line."""

import html
import json
import re
from datetime import date

import pytest
from django.utils.dateformat import format as format_date

from reports.opendata import citing
from tests.open_data_helpers import archive_with_drafts

ACCESSED = date(2026, 11, 24)


@pytest.fixture
def archive(db):
    return archive_with_drafts()


def cite_line(client, url):
    html = client.get(url).content.decode()
    match = re.search(r'<p class="citation-line">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)), html


def test_report_bibtex(archive):
    url = "http://testserver" + archive.report.get_absolute_url()
    text = citing.to_bibtex(archive.report, url, ACCESSED)
    assert text.startswith("@techreport{report-patterns-of-global-terrorism-1997-peru,")
    assert "author = {{United States Department of State}}" in text
    assert "title = {Patterns of Global Terrorism 1997 - Peru}" in text
    assert "year = {1997}" in text
    assert f"url = {{{url}}}" in text
    assert "urldate = {2026-11-24}" in text
    assert "note = {Republished by UNHCR Refworld}" in text


def test_bibtex_escapes_special_characters(archive):
    archive.mrta.name = "Front 50% & {Co} #1_x"
    text = citing.to_bibtex(archive.mrta, "http://x/", ACCESSED)
    assert r"Front 50\% \& \{Co\} \#1\_x" in text


def test_report_ris(archive):
    url = "http://testserver" + archive.report.get_absolute_url()
    text = citing.to_ris(archive.report, url, ACCESSED)
    lines = text.split("\r\n")
    assert lines[0] == "TY  - RPRT"
    assert "AU  - United States Department of State" in lines
    assert "TI  - Patterns of Global Terrorism 1997 - Peru" in lines
    assert "PY  - 1997" in lines
    assert f"UR  - {url}" in lines
    assert "Y2  - 2026/11/24" in lines
    assert lines[-2] == "ER  - "


def test_incident_csl_json_is_a_webpage_of_the_archive(archive, settings):
    settings.ARCHIVE_NAME = "The Archive"
    item = json.loads(citing.to_csl_json(archive.hostage_crisis, "http://x/i/", ACCESSED))[0]
    assert item["type"] == "webpage"
    assert item["title"] == archive.hostage_crisis.title
    assert item["author"] == [{"literal": "The Archive"}]
    assert item["container-title"] == "The Archive"
    assert item["accessed"] == {"date-parts": [[2026, 11, 24]]}
    when = archive.hostage_crisis.status_changed_at
    assert item["issued"] == {"date-parts": [[when.year, when.month, when.day]]}


@pytest.mark.parametrize(
    "attr", ["report", "hostage_crisis", "mrta"], ids=["report", "incident", "group"]
)
def test_downloads_agree_with_the_cite_this_line(client, archive, attr):
    obj = getattr(archive, attr)
    line, html = cite_line(client, obj.get_absolute_url())
    kind = citing.kind_of(obj)
    prefix = {"report": "reports", "incident": "incidents", "group": "groups"}[kind]
    for fmt in ("bib", "ris", "json"):
        assert f'href="/{prefix}/{obj.slug}/cite.{fmt}"' in html  # linked from the page
    parts = citing.cite_parts(obj, "http://testserver" + obj.get_absolute_url())
    # The line says author, title, date and URL; so does each download.
    for piece in (parts.author, parts.title, parts.date_text, parts.url):
        assert piece.replace("'", "&#39;") in line or piece in line, piece
    bib = client.get(f"/{prefix}/{obj.slug}/cite.bib")
    ris = client.get(f"/{prefix}/{obj.slug}/cite.ris")
    csl = client.get(f"/{prefix}/{obj.slug}/cite.json")
    assert bib["Content-Type"].startswith("application/x-bibtex")
    assert ris["Content-Type"].startswith("application/x-research-info-systems")
    assert csl["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    item = json.loads(csl.content)[0]
    assert item["author"] == [{"literal": parts.author}]
    assert item["title"] == parts.title
    assert item["URL"] == parts.url
    assert item["issued"]["date-parts"][0][0] == parts.date_parts[0]
    assert f"AU  - {parts.author}" in ris.content.decode()
    assert f"UR  - {parts.url}" in ris.content.decode()
    assert parts.url in bib.content.decode()


@pytest.mark.parametrize(
    "attr", ["report", "hostage_crisis", "mrta"], ids=["report", "incident", "group"]
)
def test_the_cite_this_line_says_what_cite_parts_gives(client, archive, attr):
    """One rule: the page's line is written from citing.cite_parts, as the downloads are."""
    obj = getattr(archive, attr)
    response = client.get(obj.get_absolute_url())
    parts = citing.cite_parts(obj, "http://testserver" + obj.get_absolute_url())
    assert response.context["cite"] == parts
    line, _html = cite_line(client, obj.get_absolute_url())
    accessed = format_date(parts.accessed, "j F Y")
    assert html.unescape(line) == (
        f"{parts.author}, {parts.title}, {parts.date_text}, available at: {parts.url}"
        f" [accessed {accessed}]"
    )


def test_report_date_is_its_publication_date_when_known(archive):
    archive.report.published_on = date(1998, 4, 30)
    parts = citing.cite_parts(archive.report, "http://x/", ACCESSED)
    assert parts.date_text == format_date(date(1998, 4, 30), "j F Y")
    assert "DA  - 1998/04/30" in citing.to_ris(archive.report, "http://x/", ACCESSED)


def test_a_draft_has_no_citation_file(client, archive):
    for url in (
        f"/reports/{archive.draft_report.slug}/cite.bib",
        f"/incidents/{archive.draft_incident.slug}/cite.ris",
        f"/groups/{archive.draft_group.slug}/cite.json",
    ):
        assert client.get(url).status_code == 404, url
