"""URLs of the open-data surfaces, beside the reading room's pages they belong to.

Exports and citation files sit under the pages' own paths (/incidents/export.csv,
/reports/<slug>/cite.bib); a slug has no dot, so these never shadow a page.
"""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from reports.opendata import feeds, oai, sitemaps, views

app_name = "open_data"


def sitemap_index(request):
    return sitemap_views.index(
        request, sitemaps.sitemaps(), sitemap_url_name="open_data:sitemap-section"
    )


def sitemap_section(request, section):
    return sitemap_views.sitemap(request, sitemaps.sitemaps(), section=section)


urlpatterns = [
    path("oai/", oai.endpoint, name="oai"),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<str:section>.xml", sitemap_section, name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("feeds/reports/", feeds.LatestReportsFeed(), name="feed-reports"),
    path("feeds/incidents/", feeds.LatestIncidentsFeed(), name="feed-incidents"),
    path("feeds/countries/<str:code>/", feeds.CountryFeed(), name="feed-country"),
    path("feeds/groups/<slug:slug>/", feeds.GroupFeed(), name="feed-group"),
]

for kind in ("reports", "incidents", "groups"):
    for fmt in ("csv", "json"):
        urlpatterns.append(
            path(
                f"{kind}/export.{fmt}",
                views.export_list,
                {"kind": kind, "fmt": fmt},
                name=f"{kind}-export-{fmt}",
            )
        )

for fmt in ("csv", "json"):
    urlpatterns.append(
        path(f"search/export.{fmt}", views.export_search, {"fmt": fmt}, name=f"search-export-{fmt}")
    )

for kind, prefix in (("report", "reports"), ("incident", "incidents"), ("group", "groups")):
    for fmt in ("bib", "ris", "json"):
        urlpatterns.append(
            path(
                f"{prefix}/<slug:slug>/cite.{fmt}",
                views.cite,
                {"kind": kind, "fmt": fmt},
                name=f"{kind}-cite-{fmt}",
            )
        )
