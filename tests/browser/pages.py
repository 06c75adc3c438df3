"""The reading room's page types and language prefixes, shared by the browser tests."""

import pytest
from django.urls import Resolver404, resolve

from reports.models import Group, Incident, Report

# One URL of each public page type (formatted with `page_names()`).
PAGE_TYPES = [
    "/",
    "/reports/",
    "/reports/{report}/",
    "/incidents/",
    "/incidents/{incident}/",
    "/groups/",
    "/groups/{group}/",
    "/countries/",
    "/countries/PE/",
    "/search/?q=Cerpa",
    "/methodology/",
    "/about/",
    "/no-such-page/",
]
WIDTHS = [320, 390, 1280]
# "" is the default language; the Spanish pages live under /es/ once the archive's
# URLs have language prefixes (a prefix the URLconf does not know is skipped).
LANGUAGE_PREFIXES = ["", "/es"]


def skip_unless_served(prefix):
    """Skip the test if the URLconf has no pages under this language prefix."""
    if not prefix:
        return
    try:
        resolve(f"{prefix}/")
    except Resolver404:
        pytest.skip(f"{prefix}/ is not served: the archive has no {prefix} language prefix yet")


def page_names():
    """The slugs PAGE_TYPES needs, from the Peru fixture (tests/browser/conftest.py)."""
    report = Report.objects.published().first()
    incident = Incident.objects.get(slug="japanese-ambassadors-residence-hostage-crisis-lima")
    group = Group.objects.get(slug="mrta")
    return {
        "report": report.slug,
        "report_pk": report.pk,
        "incident": incident.slug,
        "incident_pk": incident.pk,
        "group": group.slug,
        "group_pk": group.pk,
    }
