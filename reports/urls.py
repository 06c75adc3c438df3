from django.urls import path

from reports import country_views, orientation, views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("reports/", views.report_list, name="report-list"),
    path("reports/<slug:slug>/", views.report_detail, name="report-detail"),
    path("reports/<slug:slug>/original/", views.report_original, name="report-original"),
    path(
        "reports/<slug:slug>/report-error/",
        views.report_error,
        {"kind": "report"},
        name="report-error",
    ),
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents/<slug:slug>/", views.incident_detail, name="incident-detail"),
    path(
        "incidents/<slug:slug>/report-error/",
        views.report_error,
        {"kind": "incident"},
        name="incident-error",
    ),
    path("groups/", views.group_list, name="group-list"),
    path("groups/suggest.json", views.group_suggest, name="group-suggest"),
    path("groups/<slug:slug>/", views.group_detail, name="group-detail"),
    path(
        "groups/<slug:slug>/report-error/",
        views.report_error,
        {"kind": "group"},
        name="group-error",
    ),
    path("search/", views.search, name="search"),
    path("countries/", orientation.country_list, name="country-list"),
    path("countries/<str:code>/", country_views.country_detail, name="country-detail"),
    path("methodology/", orientation.methodology, name="methodology"),
    path("about/", orientation.about, name="about"),
]
