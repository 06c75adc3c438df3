"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live_server.

Run them alone with `make test-browser`. Screenshots go to test-artifacts/ (not committed).
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group as Role
from django.contrib.auth.models import Permission
from django.core.management import call_command

from reports.models import Group, Incident, IncidentType, Perpetration, Status
from reports.roles import ROLES
from tests.factories import make_user

# Playwright's sync API runs an event loop in the test thread, and Django refuses
# ORM calls from a thread with a running loop unless told it is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE, DESKTOP = 390, 1280
PASSWORD = "correct horse battery"  # the one tests.factories.make_user sets
# Synthetic incidents added to the fixture so the incident list has pages to turn.
# 30 of them in 1997, so filtering by MRTA and 1997 still gives two pages.
SYNTHETIC_INCIDENTS = 40


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not at {CHROMIUM}: run `apt-get install -y chromium`.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "viewport": {"width": DESKTOP, "height": 900},
    }


@pytest.fixture
def page(page):
    """The page, failing the test on any CSP violation or uncaught script error."""
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    assert problems == [], problems


@pytest.fixture
def roles(transactional_db):
    """The Editors and Publishers roles: a transactional test's flush removes them."""
    for name, codenames in ROLES.items():
        role, _created = Role.objects.get_or_create(name=name)
        role.permissions.set(
            Permission.objects.filter(content_type__app_label="reports", codename__in=codenames)
        )


@pytest.fixture
def archive(roles):
    """The curated Peru 1997 fixture plus enough synthetic MRTA incidents to page through."""
    call_command("loaddata", "peru_1997", verbosity=0)
    mrta = Group.objects.get(slug="mrta")
    for number in range(1, SYNTHETIC_INCIDENTS + 1):
        incident = Incident.objects.create(
            title=f"Synthetic MRTA incident {number:02d}",
            slug=f"synthetic-mrta-incident-{number:02d}",
            start_date=f"{1997 if number <= 30 else 1956 + number}-{1 + number % 12:02d}-"
            f"{1 + number % 28:02d}",
            type=IncidentType.BOMBING if number % 2 else IncidentType.ARMED_ASSAULT,
            killed=number % 3,
            status=Status.PUBLISHED,
            is_synthetic=True,
            country=mrta.country,
        )
        Perpetration.objects.create(incident=incident, group=mrta)


@pytest.fixture
def editor(roles):
    return make_user("editor", role="Editors")


@pytest.fixture
def publisher(roles):
    return make_user("publisher", role="Publishers")


def screenshot(page, name, selector=None):
    """Save screenshots at phone and desktop widths into test-artifacts/.

    The whole page, or only the first element matching `selector` (e.g. a chart).
    """
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 900})
        path = ARTIFACTS / f"{name}-{width}.png"
        if selector:
            page.locator(selector).first.screenshot(path=path)
        else:
            page.screenshot(path=path, full_page=True)
    page.set_viewport_size({"width": DESKTOP, "height": 900})


def serious_axe_violations(page):
    """Run axe-core on the page; return its serious and critical violations, readably."""
    page.add_script_tag(path=AXE)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def log_in(page, username):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
