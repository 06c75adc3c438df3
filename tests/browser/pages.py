"""The reading room's page types and language prefixes, shared by the browser tests."""

from reports.models import Group, Incident, Report

# One URL of each public page type (formatted with `page_names()`).
PAGE_TYPES = [
    "/",
    "/reports/",
    "/reports/{report}/",
    "/incidents/",
    "/incidents/{incident}/",
    "/incidents/{incident}/report-error/",
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
# "" is the default language (English at the archive's own URLs); Spanish is under /es/.
LANGUAGE_PREFIXES = ["", "/es"]


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
