"""The admin's reports list at a desktop width: titles and import dates read whole."""

from tests.browser.conftest import DESKTOP, log_in, screenshot

LINES = """element => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
}"""


def test_the_reports_list_shows_title_and_import_date_readably(page, archive, editor):
    log_in(page, "editor")
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    page.goto("/admin/reports/report/")
    title = page.locator("#result_list .field-title").first
    imported = page.locator("#result_list td.field-imported_at").first
    assert title.bounding_box()["width"] >= 300
    assert title.evaluate(LINES) == 1  # "Patterns of Global Terrorism 1997 - Peru"
    assert imported.evaluate(LINES) == 1
    screenshot(page, "admin-reports-list")
