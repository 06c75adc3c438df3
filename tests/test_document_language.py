"""Document text carries its report's language on public pages; the original's URL,
identifier and publication date show in the provenance block and every citation format."""

import csv
import io
import json
import re
from datetime import date

import pytest
from django.urls import reverse

from reports.ingest.documents import import_documents
from reports.models import Report, Status
from reports.opendata import citing
from tests.conftest import ROOT, SEED_PATH
from tests.factories import make_citation, make_claim, make_incident

SPANISH_PATH = ROOT / "tests" / "data" / "informe_sobre_terrorismo_2005_peru.txt"
SPANISH_QUOTE = "dio muerte a ocho policías"
ENGLISH_QUOTE = "Two Peruvian soldiers and all 14 of the MRTA terrorists died in the assault."
ACCESSED = date(2026, 11, 24)


def imported(path, **details):
    [outcome] = import_documents([(path.name, path.read_bytes())], method="test", publish=True)
    report = outcome.report
    for name, value in details.items():
        setattr(report, name, value)
    report.save()
    return report


@pytest.fixture
def spanish_report(db):
    return imported(SPANISH_PATH)


@pytest.fixture
def both(db, spanish_report):
    """An incident quoting the English seed and the Spanish sample, each with a claim."""
    english = imported(SEED_PATH)
    incident = make_incident(title="Ambush", start_date="2005-12-20")
    make_claim(
        make_citation(english, ENGLISH_QUOTE, incident=incident, facts=["killed"]),
        "killed",
        16,
        wording="Two Peruvian soldiers and all 14 of the MRTA terrorists",
    )
    make_claim(
        make_citation(spanish_report, SPANISH_QUOTE, incident=incident, facts=["killed"]),
        "killed",
        8,
        wording="ocho policías",
    )
    return incident, english, spanish_report


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_spanish_reports_page_marks_its_title_text_and_disclaimer_as_spanish(
    client, spanish_report
):
    html = page(client, spanish_report.get_absolute_url())
    assert '<h1 lang="es">Informe sobre terrorismo 2005 - Perú</h1>' in html
    assert '<span lang="es">Durante 2005 el gobierno del Perú' in html
    assert '<p lang="es">Esta no es una publicación del ACNUR.' in html
    assert '<i lang="es">Informe sobre terrorismo 2005 - Perú</i>' in html  # cite this
    assert '<dd lang="es">Informe sobre terrorismo 2005 - Perú</dd>' in html  # provenance
    # Every paragraph's text is marked; the page's own words are not.
    assert html.count('<span lang="es">') == 3
    assert '<h2 id="text-heading">Text</h2>' in html


def test_an_english_reports_quotes_stay_english_beside_a_spanish_reports(client, both):
    incident, english, spanish = both
    html = page(client, incident.get_absolute_url())
    assert f'<p lang="en">{ENGLISH_QUOTE}</p></blockquote>' in html
    assert f'<p lang="es">{SPANISH_QUOTE}</p></blockquote>' in html
    assert f'<cite lang="en">{english.title}</cite>, paragraph 2' in html
    assert f'<cite lang="es">{spanish.title}</cite>, paragraph 2' in html
    # The claims' source words, in their source's language.
    assert '<span lang="es">“ocho policías”</span>' in html
    assert (
        '<span lang="en">“Two Peruvian soldiers and all 14 of the MRTA terrorists”</span>' in html
    )
    # Each disclaimer in its own language.
    assert '<p lang="en">This is not a UNHCR publication.' in html
    assert '<p lang="es">Esta no es una publicación del ACNUR.' in html


def test_list_pages_mark_report_titles_and_disclaimers(client, both):
    _incident, english, spanish = both
    html = page(client, reverse("reports:report-list"))
    assert f'lang="es">{spanish.title}</a>' in html
    assert f'lang="en">{english.title}</a>' in html
    assert '<p lang="es">Esta no es una publicación del ACNUR.' in html
    html = page(client, reverse("reports:incident-list"))
    assert '<p lang="es">Esta no es una publicación del ACNUR.' in html
    assert '<p lang="en">This is not a UNHCR publication.' in html
    html = page(client, spanish.country.get_absolute_url())
    assert '<p lang="es">Esta no es una publicación del ACNUR.' in html


def test_search_snippets_carry_their_reports_language(client, both):
    html = page(client, reverse("reports:search") + "?q=policías")
    snippet = re.search(r'<blockquote class="snippet"><p lang="(\w+)">', html)
    assert snippet and snippet.group(1) == "es"
    assert 'lang="es">' in html.split('<blockquote class="snippet">')[0]  # the title link


# --- the original: provenance and citations --------------------------------------------


def with_original(report):
    report.source_url = "https://www.refworld.org/es/docid/abc123.html"
    report.document_identifier = "abc123"
    report.published_on = date(2006, 4, 28)
    report.save()
    return report


def test_provenance_names_the_original_when_known(client, spanish_report):
    html = page(client, spanish_report.get_absolute_url())
    provenance = html[html.index('class="provenance"') :]
    assert "Original" not in provenance and "Document identifier" not in provenance
    assert '<time datetime="' not in provenance

    with_original(spanish_report)
    html = page(client, spanish_report.get_absolute_url())
    provenance = html[html.index('class="provenance"') :]
    assert (
        '<a href="https://www.refworld.org/es/docid/abc123.html" rel="external">'
        "https://www.refworld.org/es/docid/abc123.html</a>"
    ) in provenance
    assert "<dt>Document identifier</dt><dd>abc123</dd>" in provenance
    assert '<time datetime="2006-04-28">28 April 2006</time>' in provenance


def test_cite_this_names_the_original(client, spanish_report):
    with_original(spanish_report)
    html = page(client, spanish_report.get_absolute_url())
    line = re.search(r'<p class="citation-line">(.*?)</p>', html, re.S).group(1)
    assert "28 April 2006" in line
    assert (
        'Original: <a href="https://www.refworld.org/es/docid/abc123.html">'
        "https://www.refworld.org/es/docid/abc123.html</a>"
    ) in line
    assert "Document identifier: abc123" in line


def test_citation_formats_carry_the_language_original_and_identifier(spanish_report):
    report = with_original(spanish_report)
    url = "http://testserver" + report.get_absolute_url()
    bib = citing.to_bibtex(report, url, ACCESSED)
    assert "number = {abc123}" in bib and "language = {es}" in bib
    assert "year = {2006}" in bib and "month = {4}" in bib
    assert (
        "note = {Republished by UNHCR Refworld; original: "
        "https://www.refworld.org/es/docid/abc123.html}"
    ) in bib
    ris = citing.to_ris(report, url, ACCESSED).split("\r\n")
    assert "LA  - es" in ris and "AN  - abc123" in ris
    assert "L2  - https://www.refworld.org/es/docid/abc123.html" in ris
    assert "DA  - 2006/04/28" in ris
    csl = json.loads(citing.to_csl_json(report, url, ACCESSED))[0]
    assert (csl["language"], csl["number"]) == ("es", "abc123")
    assert csl["issued"] == {"date-parts": [[2006, 4, 28]]}
    assert "original: https://www.refworld.org/es/docid/abc123.html" in csl["note"]
    ld = citing.report_ld(report, url)
    assert ld["inLanguage"] == "es" and ld["identifier"] == "abc123"
    assert ld["datePublished"] == "2006-04-28"
    assert ld["isBasedOn"]["url"] == "https://www.refworld.org/es/docid/abc123.html"
    meta = citing.dublin_core(report, url)
    assert ("DC.language", "es") in meta and ("DC.identifier", "abc123") in meta
    assert ("DC.source", "https://www.refworld.org/es/docid/abc123.html") in meta
    assert ("DC.date", "2006-04-28") in meta


def test_citation_formats_say_nothing_of_an_unknown_original(db):
    report = imported(SEED_PATH)
    url = "http://testserver" + report.get_absolute_url()
    bib = citing.to_bibtex(report, url, ACCESSED)
    assert "number =" not in bib and "original:" not in bib and "language = {en}" in bib
    ris = citing.to_ris(report, url, ACCESSED)
    assert "AN  -" not in ris and "L2  -" not in ris and "LA  - en" in ris
    csl = citing.to_csl(report, url, ACCESSED)
    assert "number" not in csl and csl["language"] == "en"
    ld = citing.report_ld(report, url)
    assert "identifier" not in ld and "sameAs" not in ld and ld["inLanguage"] == "en"


def test_the_api_and_exports_carry_the_new_fields(client, spanish_report):
    with_original(spanish_report)
    data = client.get(f"/api/reports/{spanish_report.slug}/").json()
    assert data["language"] == "es"
    assert data["source_url"] == "https://www.refworld.org/es/docid/abc123.html"
    assert data["document_identifier"] == "abc123"
    assert data["published_on"] == "2006-04-28"
    response = client.get("/reports/export.csv")
    text = b"".join(response).decode("utf-8-sig") if response.streaming else response.text
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert (row["language"], row["document_identifier"]) == ("es", "abc123")
    assert row["source_url"] == "https://www.refworld.org/es/docid/abc123.html"
    assert Report.objects.get().status == Status.PUBLISHED
