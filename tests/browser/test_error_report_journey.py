"""A reader reports an error on an incident's page, without an account or JavaScript's
help; an editor finds it on the desk and accepts it, in Chromium."""

import re

from playwright.sync_api import expect

from reports.models import ErrorReport, ErrorReportStatus
from tests.browser.conftest import PHONE, log_in, screenshot

INCIDENT = "/incidents/lima-police-station-car-bomb-1997/"
MESSAGE = "The passage says more than a dozen civilians were injured, not a dozen."


def test_a_reader_reports_an_error_and_an_editor_accepts_it(page, archive, editor):
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto(INCIDENT)
    page.get_by_role("link", name="Report an error on this page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report an error")
    page.get_by_label("Which fact (optional)").select_option("injured")
    page.get_by_label("What is wrong").fill(MESSAGE)
    # The honeypot is there for bots, not for people.
    expect(page.locator("input[name=website]")).to_be_hidden()
    screenshot(page, "reader-error-01-form")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    report = ErrorReport.objects.get()
    assert (report.incident.slug, report.fact, report.message) == (
        "lima-police-station-car-bomb-1997",
        "injured",
        MESSAGE,
    )

    # An editor sees it waiting on the desk, opens it and accepts it.
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "editor")
    desk = page.locator(".desk")
    row = desk.locator("tr", has_text="New error reports from readers")
    expect(row).to_contain_text("1")
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/admin/reports/errorreport/\?status__exact=new"))
    page.locator("#result_list tbody tr a").first.click()
    expect(page.locator(".field-message")).to_contain_text(MESSAGE)
    page.get_by_label("Status:").select_option(ErrorReportStatus.ACCEPTED)
    page.get_by_label("Editor's note:").fill("Injured: eight policemen and 13 or more civilians.")
    screenshot(page, "reader-error-02-triage")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    report.refresh_from_db()
    assert (report.status, report.handled_by.username) == (ErrorReportStatus.ACCEPTED, "editor")
    page.goto("/admin/")
    expect(page.locator(".desk tr", has_text="New error reports from readers")).to_contain_text("0")
