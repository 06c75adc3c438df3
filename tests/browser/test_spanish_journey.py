"""A reader in Spanish, in Chromium, at a phone's widths and a desktop's."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reports.ingest.documents import import_documents
from reports.models import Status
from tests.browser.conftest import serious_axe_violations
from tests.browser.pages import WIDTHS


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script; the pages' CSP is tested elsewhere.
    return {**browser_context_args, "bypass_csp": True}


SPANISH_DOCUMENT = Path(__file__).parents[1] / "data" / "informe_sobre_terrorismo_2005_peru.txt"


@pytest.mark.parametrize("width", WIDTHS)
def test_reader_in_spanish_finds_a_spanish_report_by_a_stemmed_word(page, archive, width):
    """A Spanish document, imported as an operator would, read from the Spanish pages:
    found by another form of its word, its text and disclaimer marked Spanish, an English
    report's quote on the same journey marked English; axe-clean at every step."""
    [outcome] = import_documents(
        [(SPANISH_DOCUMENT.name, SPANISH_DOCUMENT.read_bytes())], method="test"
    )
    report = outcome.report
    report.set_status(Status.PUBLISHED)
    report.save()
    page.set_viewport_size({"width": width, "height": 844})

    def clean_and_not_scrolling_sideways():
        assert serious_axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.goto("/es/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    clean_and_not_scrolling_sideways()
    # "emboscada" is not in the text; "emboscó" and "emboscadas" are (Spanish stems).
    search = page.get_by_role("searchbox", name="Buscar en el archivo")
    search.fill("emboscada")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/es/search/\?q=emboscada"))
    clean_and_not_scrolling_sideways()
    page.locator(f"a[href='/es/reports/{report.slug}/']").first.click()
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("Informe sobre terrorismo 2005 - Perú")
    expect(title).to_have_attribute("lang", "es")
    disclaimer = page.locator(".disclaimer").first
    expect(disclaimer).to_contain_text("Esta no es una publicación del ACNUR")
    expect(page.locator("#p2 [lang='es']").first).to_contain_text("Aucayacu")
    clean_and_not_scrolling_sideways()

    # An incident drawn from the English report: the Spanish page marks the quote English.
    page.goto("/es/incidents/japanese-ambassadors-residence-hostage-crisis-lima/")
    expect(page.locator(".citation-list [lang='en']").first).to_be_visible()
    clean_and_not_scrolling_sideways()
    # The selector leads to the same page in English.
    page.locator(".language-selector").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r":\d+/incidents/japanese-ambassadors-residence-"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
