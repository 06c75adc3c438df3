"""The reading room on a phone and a desktop: no sideways scrolling on any page type,
filters folded on a phone, and a report's numbered markers."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from reports.models import Incident, Report
from tests.browser.pages import (
    LANGUAGE_PREFIXES,
    PAGE_TYPES,
    WIDTHS,
    page_names,
)

PHONE_HEIGHT = 844  # a 390 px wide phone's screen
LONG_WORD = "https://example.org/" + "verylongpathsegment" * 8


@pytest.fixture
def names(archive):
    # Text that cannot wrap at a space: a long URL in an incident's summary and in a
    # report's disclaimer, shown on detail pages, lists and search results.
    incident = Incident.objects.get(slug="japanese-ambassadors-residence-hostage-crisis-lima")
    incident.summary = f"{incident.summary} See {LONG_WORD}"
    incident.save()
    report = Report.objects.published().first()
    report.disclaimer = f"{report.disclaimer} {LONG_WORD}"
    report.save()
    return page_names()


def overflow(page):
    """The page's scroll width beyond its viewport, and the widest elements causing it."""
    return page.evaluate(
        """() => {
          const root = document.documentElement, width = root.clientWidth;
          const culprits = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 1)
            .slice(0, 5)
            .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                       + ' (' + Math.round(el.getBoundingClientRect().right) + ' px)');
          return {extra: root.scrollWidth - width, culprits};
        }"""
    )


@pytest.mark.parametrize("prefix", LANGUAGE_PREFIXES)
def test_no_page_type_scrolls_sideways_on_a_phone_or_a_desktop(page, names, prefix):
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": PHONE_HEIGHT})
        for url in PAGE_TYPES:
            page.goto(prefix + url.format(**names))
            measured = overflow(page)
            if measured["extra"] > 0:
                found[f"{prefix}{url} at {width} px"] = measured
    assert found == {}, "\n".join(f"{where}: {what}" for where, what in found.items())


@pytest.mark.parametrize("prefix", LANGUAGE_PREFIXES)
def test_filters_fold_on_a_phone_so_the_first_result_shows(page, archive, prefix):
    with translation.override(prefix.strip("/") or "en"):
        summary, apply = translation.gettext("Filter"), translation.gettext("Apply filters")
    for url in ("/incidents/", "/groups/", "/reports/"):
        page.set_viewport_size({"width": 390, "height": PHONE_HEIGHT})
        page.goto(prefix + url)
        filters = page.locator("details.filters")
        expect(filters).not_to_have_attribute("open", "")
        first_row = page.locator(".results .item-list > li").first
        box = first_row.bounding_box()
        assert box and box["y"] + min(box["height"], 40) <= PHONE_HEIGHT, (url, box)
        # The summary unfolds them.
        page.get_by_text(summary, exact=True).first.click()
        expect(page.get_by_role("button", name=apply)).to_be_visible()
        # On a wide screen they are open beside the results.
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(prefix + url)
        expect(filters).to_have_attribute("open", "")
        expect(page.get_by_role("button", name=apply)).to_be_visible()


def test_filters_with_errors_show_open_on_a_phone(page, archive):
    page.set_viewport_size({"width": 390, "height": PHONE_HEIGHT})
    page.goto("/incidents/?year=abc")
    expect(page.locator("details.filters")).to_have_attribute("open", "")
    expect(page.get_by_role("alert")).to_be_visible()


def test_filters_work_without_javascript(browser, live_server, archive):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto("/incidents/")
    page.locator("details.filters > summary").click()
    page.locator("#id_year").fill("1997")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"year=1997"))
    expect(page.locator(".filters__active")).to_have_text("(1 in use)")
    context.close()


def test_numbered_markers_lead_to_the_entries_quoting_each_passage_and_back(page, names):
    page.goto(f"/reports/{names['report']}/")
    marker = page.get_by_role("link", name="Passage 1: the entries quoting it")
    expect(marker).to_have_text("1")
    marker.click()
    expect(page).to_have_url(re.compile("#passage-1-entries$"))
    entries = page.locator("#passage-1-entries")
    expect(entries.locator("a.cited-by").first).to_be_visible()
    entries.get_by_role("link", name="Back to passage 1").click()
    expect(page).to_have_url(re.compile("#passage-1$"))
