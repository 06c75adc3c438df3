"""sitemap.xml of every public page: the lists, and each published report, incident and group.

Served as a sitemap index with one paginated section per kind, since the
incidents alone can pass the 50,000 URLs a sitemap file may hold.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse

from reports.models import Country, Group, Incident, Report


class PagesSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return [
            "reports:home",
            "reports:report-list",
            "reports:incident-list",
            "reports:group-list",
            "reports:search",
            "reports:country-list",
            "reports:methodology",
            "reports:about",
        ]

    def location(self, item):
        return reverse(item)


class EditorialSitemap(Sitemap):
    """Published entries of one model, with their last change."""

    model = None
    limit = 10000

    def items(self):
        # Only what lastmod and the URL need: keeps a 10,000-row page light.
        return self.model.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class ReportSitemap(EditorialSitemap):
    model = Report
    priority = 0.7


class IncidentSitemap(EditorialSitemap):
    model = Incident
    priority = 0.5


class GroupSitemap(EditorialSitemap):
    model = Group
    priority = 0.6


class CountrySitemap(Sitemap):
    """Country pages, where the archive has them: countries with something published."""

    priority = 0.5

    def items(self):
        return Country.objects.filter(
            Exists(Report.objects.published().filter(country=OuterRef("pk")))
            | Exists(Incident.objects.published().filter(country=OuterRef("pk")))
            | Exists(Group.objects.published().filter(country=OuterRef("pk")))
        ).order_by("code")

    def location(self, item):
        return reverse("reports:country-detail", kwargs={"code": item.code})


def sitemaps():
    """The sections; country pages join once the reading room has them."""
    sections = {
        "pages": PagesSitemap,
        "reports": ReportSitemap,
        "incidents": IncidentSitemap,
        "groups": GroupSitemap,
    }
    try:
        reverse("reports:country-detail", kwargs={"code": "PE"})
    except NoReverseMatch:  # no country pages yet
        return sections
    sections["countries"] = CountrySitemap
    return sections
