"""A reader's journey through the public site, in Chromium."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, screenshot

HOSTAGE_CRISIS = re.compile("Hostage crisis at the Japanese Ambassador")


def expect_disclaimer_and_provenance(page):
    expect(page.locator(".disclaimer").first).to_contain_text("This is not a UNHCR publication")
    expect(page.get_by_role("heading", name="Provenance")).to_be_visible()


def use_every_download_link(page):
    """Use each download link on the page as a reader would; each must give a non-empty file.

    Links marked `download` are clicked (opening their "Download" menu first) and the
    file saved under test-artifacts/downloads/; other links of the menu are fetched.
    """
    used = []
    for summary in page.locator("details.download-menu > summary").all():
        if summary.is_visible():
            summary.click()
    for link in page.locator("a[download]").all():
        if not link.is_visible():
            continue
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.failure() is None, download.failure()
        saved = ARTIFACTS / "downloads" / download.suggested_filename
        download.save_as(saved)
        assert saved.stat().st_size > 0, f"{download.url} is empty"
        used.append(download.url)
    for link in page.locator(".download-menu a:not([download])").all():
        href = link.get_attribute("href")
        response = page.request.get(href)
        assert response.ok and response.body(), f"{href}: {response.status}"
        used.append(href)
    return used


def test_reader_searches_reads_follows_a_citation_filters_and_pages(page, archive):
    downloads = []
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    downloads += use_every_download_link(page)
    screenshot(page, "reader-01-home")

    # Search for the MRTA's leader and open the hostage crisis.
    page.get_by_role("searchbox", name="Search the archive").fill("Cerpa")
    page.get_by_role("searchbox", name="Search the archive").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=Cerpa"))
    screenshot(page, "reader-02-search")
    page.get_by_role("link", name=HOSTAGE_CRISIS).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HOSTAGE_CRISIS)
    expect_disclaimer_and_provenance(page)
    downloads += use_every_download_link(page)
    screenshot(page, "reader-03-incident")

    # Follow a citation to its paragraph in the report: the paragraph is highlighted.
    citation = page.locator(".citation-list a[href*='#p']").first
    anchor = citation.get_attribute("href").split("#")[1]
    citation.click()
    expect(page).to_have_url(re.compile(f"/reports/.+#{anchor}$"))
    paragraph = page.locator(f"#{anchor}")
    expect(paragraph).to_be_in_viewport()
    highlighted = paragraph.evaluate("el => getComputedStyle(el).backgroundColor")
    plain = page.locator(".para:not(:target)").first.evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert highlighted != plain, "the cited paragraph is not highlighted"
    expect_disclaimer_and_provenance(page)
    downloads += use_every_download_link(page)
    screenshot(page, "reader-04-report-paragraph")

    # The country page, reached from the report's country.
    page.locator(".facts").get_by_role("link", name="Peru").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Peru")
    expect(page.locator(".chart svg title").first).to_contain_text("Incidents in Peru")
    expect_disclaimer_and_provenance(page)
    screenshot(page, "reader-05-country")
    screenshot(page, "chart-country", ".chart")

    # Filter the incident list by group and year, then page through it.
    page.get_by_role("link", name="Incidents", exact=True).first.click()
    # The group field suggests published groups as one types (static/js/group-suggest.js).
    group = page.get_by_role("combobox", name="Perpetrator group")
    group.press_sequentially("mrt", delay=20)
    option = page.get_by_role("option", name="MRTA", exact=True)
    option.click()
    expect(group).to_have_value("mrta")
    expect(page.locator("#id_group_helptext")).to_have_text("Chosen: MRTA.")
    page.get_by_label("Year").fill("1997")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"group=mrta.*year=1997|year=1997.*group=mrta"))
    expect(page.locator("#id_group_helptext")).to_contain_text("Chosen: MRTA")
    # 30 synthetic MRTA incidents in 1997 plus the fixture's own: two pages.
    expect(page.locator("#results-heading")).to_have_text(re.compile(r"^3\d incidents$"))
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    downloads += use_every_download_link(page)
    screenshot(page, "reader-06-incidents-filtered")
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page).to_have_url(re.compile(r"group=mrta"))
    expect(page.locator(".item-list li").first).to_be_visible()
    expect(page.locator("footer .disclaimer")).to_contain_text("This is not a UNHCR publication")
    screenshot(page, "reader-07-incidents-page-2")
    page.get_by_role("link", name="Previous page").click()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()

    # The group page: timeline and the chart of incidents and casualties.
    page.goto("/groups/mrta/")
    expect(page.locator(".chart svg title").first).to_contain_text("Incidents attributed to")
    expect(page.locator(".chart table")).to_contain_text("1997")
    expect_disclaimer_and_provenance(page)
    downloads += use_every_download_link(page)
    screenshot(page, "reader-08-group")
    screenshot(page, "chart-group", ".chart")
