"""The browser harness itself: Chromium starts, the live server answers, CSS loads."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def test_home_page_renders_with_its_stylesheet_in_chromium(page, archive):
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The stylesheet is served (by whitenoise/staticfiles) and applied: the skip link is hidden.
    box = page.get_by_role("link", name="Skip to content").bounding_box()
    assert box is None or box["y"] < 0 or box["x"] < 0
    screenshot(page, "smoke-home")
