"""Accessibility in Chromium: axe-core on every page type, and keyboard-only use."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, serious_axe_violations
from tests.browser.pages import LANGUAGE_PREFIXES, PAGE_TYPES, WIDTHS, page_names

PUBLIC_PAGES = [
    "/",
    "/countries/",
    "/methodology/",
    "/about/",
    "/reports/",
    "/reports/{report}/",
    "/incidents/",
    "/incidents/?group=mrta&year=1997&page=2",
    "/incidents/?group=Front",  # the group field's error: no such group
    "/incidents/?year=abc",  # the filter form showing its errors
    "/incidents/{incident}/",
    "/incidents/{incident}/report-error/",
    "/groups/",
    "/groups/{group}/",
    "/countries/PE/",
    "/search/?q=Cerpa",
    "/search/?q=no+such+words+anywhere",
    "/no-such-page/",
    # The Spanish pages: their language selector, hreflang links, the Spanish words.
    "/es/",
    "/es/incidents/?group=mrta&year=1997&page=2",
    "/es/incidents/{incident}/",
    "/es/groups/{group}/",
    "/es/groups/{group}/report-error/",
    "/es/search/?q=Cerpa",
]
ADMIN_PAGES = [
    "/admin/",
    "/admin/reports/report/",
    "/admin/reports/report/import/",
    "/admin/reports/report/{report_pk}/change/",
    "/admin/reports/incident/",
    "/admin/reports/incident/add/?cite_report={report_pk}&cite_quote=Cerpa",
    "/admin/reports/incident/{incident_pk}/change/",
    "/admin/reports/group/{group_pk}/change/",
    "/admin/reports/citation/add/?report={report_pk}",
    "/admin/reports/incident/{incident_pk}/history/",
    "/admin/reports/errorreport/",
]


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe is injected as a script tag, which the site's strict CSP (rightly) refuses.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def names(archive):
    return page_names()


def violations_on(page, urls, names):
    found = {}
    for url in urls:
        page.goto(url.format(**names))
        page.wait_for_load_state("load")
        problems = serious_axe_violations(page)
        if problems:
            found[url] = problems
    return found


def test_no_serious_axe_violation_on_any_public_page_type(page, names):
    assert violations_on(page, PUBLIC_PAGES, names) == {}


@pytest.mark.parametrize("prefix", LANGUAGE_PREFIXES)
def test_no_serious_axe_violation_on_any_page_type_at_phone_and_desktop_widths(page, names, prefix):
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        for url in PAGE_TYPES:
            for problem in violations_on(page, [prefix + url], names).get(prefix + url, []):
                found.setdefault(f"{prefix}{url} at {width} px", []).append(problem)
    assert found == {}, "\n".join(
        f"{where}: {problem}" for where, ps in found.items() for problem in ps
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_api_docs_have_no_serious_axe_violation_once_drawn(page, archive, width):
    page.set_viewport_size({"width": width, "height": 844})
    page.goto("/api/docs/")
    # Swagger UI draws the operations after it has fetched the schema.
    page.locator(".opblock-tag").first.wait_for()
    assert serious_axe_violations(page) == []
    # An operation unfolded: its parameters, responses and "Try it out".
    page.locator(".opblock-summary").first.click()
    page.locator(".opblock-body").first.wait_for()
    assert serious_axe_violations(page) == []


def test_no_serious_axe_violation_on_the_admin_pages_editors_use(page, names, editor):
    page.goto("/admin/login/")
    assert serious_axe_violations(page) == []
    log_in(page, "editor")
    found = violations_on(page, ADMIN_PAGES, names)
    assert found == {}, "\n".join(
        f"{url}: {problem}" for url, ps in found.items() for problem in ps
    )


def focused(page):
    return page.evaluate(
        "() => { const el = document.activeElement;"
        " return {id: el.id, tag: el.tagName, text: el.textContent.trim(),"
        " outline: getComputedStyle(el).outlineStyle, width: getComputedStyle(el).outlineWidth,"
        " shadow: getComputedStyle(el).boxShadow}; }"
    )


def tab_to(page, predicate, limit=60):
    for _step in range(limit):
        page.keyboard.press("Tab")
        if predicate(focused(page)):
            return focused(page)
    raise AssertionError("not reachable with the Tab key")


def test_keyboard_only_skip_link_visible_focus_and_forms(page, archive, editor):
    page.goto("/")

    # The first Tab reaches the skip link, which then shows, with a visible focus ring.
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["text"] == "Skip to content"
    skip = page.get_by_role("link", name="Skip to content")
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["x"] >= 0, "the focused skip link is off screen"
    assert first["outline"] != "none" or first["shadow"] != "none"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    assert focused(page)["id"] == "main"

    # The search form works from the keyboard.
    field = tab_to(page, lambda el: el["tag"] == "INPUT")
    assert field["outline"] != "none" or field["shadow"] != "none"
    page.keyboard.type("Cerpa")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=Cerpa"))

    # Every link and control on the way shows where the focus is.
    page.goto("/incidents/")
    for _step in range(25):
        page.keyboard.press("Tab")
        element = focused(page)
        assert element["outline"] != "none" or element["shadow"] != "none", element
    # The filters are reachable and usable without a mouse: the group field suggests
    # groups as one types (a WAI-ARIA combobox), Down and Enter choose one.
    page.goto("/incidents/")
    tab_to(page, lambda el: el["id"] == "id_group")
    page.keyboard.type("send")
    group = page.get_by_role("combobox", name="Perpetrator group")
    expect(group).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status")).to_contain_text("1 group found")
    page.keyboard.press("Escape")  # closes the list, keeps the text
    expect(group).to_have_attribute("aria-expanded", "false")
    expect(group).to_have_value("send")
    page.keyboard.press("ArrowDown")  # opens it again
    expect(group).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(group).to_have_attribute("aria-activedescendant", "id_group-suggestions-0")
    expect(page.get_by_role("option", name="Sendero Luminoso")).to_have_attribute(
        "aria-selected", "true"
    )
    assert serious_axe_violations(page) == []  # the open list passes axe too
    page.keyboard.press("Enter")
    expect(group).to_have_value("sendero-luminoso")
    expect(group).to_have_attribute("aria-expanded", "false")
    tab_to(page, lambda el: el["text"] == "Apply filters")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"group=sendero-luminoso"))
    expect(page.locator("#id_group_helptext")).to_have_text("Chosen: Sendero Luminoso.")
    # Without choosing, Enter submits what was typed; the server resolves the name.
    page.goto("/incidents/")
    group.fill("Sendero")
    group.press("Enter")
    expect(page).to_have_url(re.compile(r"group=Sendero"))
    expect(page.locator("#id_group_helptext")).to_have_text("Chosen: Sendero Luminoso.")

    # The admin login form too.
    page.goto("/admin/login/")
    tab_to(page, lambda el: el["id"] == "id_username")
    page.keyboard.type("editor")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/admin/$"))
