"""A UCDP event, imported as its dataset distributes it, read as a reader reads it."""

from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.test_import_ucdp import BATTLE, ged


def test_a_ucdp_events_deaths_show_best_low_and_high_with_their_source(page, archive, tmp_path):
    call_command("import_incidents", str(ged(tmp_path, BATTLE)), "--publish", verbosity=0)
    page.goto("/groups/sendero-luminoso/")
    page.get_by_role("link", name="State-based armed conflict in Uchiza town").click()

    killed = page.locator("dt", has_text="Killed").locator("xpath=following-sibling::dd[1]")
    expect(killed).to_contain_text("best 12 (low 10, high 15)")
    # Its source: the dataset row, one click away, with UCDP's own sources.
    killed.get_by_role("link", name="UCDP GED row").click()
    row = page.locator("#dataset-row")
    expect(row).to_be_in_viewport()
    expect(row).to_contain_text("UCDP Georeferenced Event Dataset")
    expect(row).to_contain_text("side A 2, side B 8, civilians 2, unknown 0")
    expect(row).to_contain_text("Rebels attack police post")
    expect(
        page.locator("dt", has_text="Sides").locator("xpath=following-sibling::dd[1]")
    ).to_contain_text("Government of Peru (state)")
    screenshot(page, "ucdp-event")
