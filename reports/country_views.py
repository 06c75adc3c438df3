"""A page per country: its published reports, incidents and groups, and a chart."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from reports.caching import public_page
from reports.charts import incidents_and_casualties_per_year, yearly_totals
from reports.disclaimers import distinct_disclaimers
from reports.models import Country, Group, Incident, Report
from reports.rows import (
    GROUP_ROW_FIELDS,
    INCIDENT_ROW_FIELDS,
    REPORT_ROW_FIELDS,
    group_rows,
    incident_rows,
)

# The country page lists the latest incidents; the incident list has them all.
LATEST_INCIDENTS = 10


@public_page
def country_detail(request, code):
    country = get_object_or_404(Country, code=code.upper())
    if code != country.code:
        return redirect("reports:country-detail", code=country.code, permanent=True)
    reports = list(Report.objects.for_list().filter(country=country).only(*REPORT_ROW_FIELDS))
    incidents = Incident.objects.for_list(perpetrators=False).filter(country=country)
    incident_count = incidents.count()
    groups = list(Group.objects.for_list().filter(country=country).only(*GROUP_ROW_FIELDS))
    # A country with nothing published is not a page readers can reach.
    if not (reports or incident_count or groups):
        raise Http404(_("Nothing about this country is published."))
    latest = list(incidents.only(*INCIDENT_ROW_FIELDS)[:LATEST_INCIDENTS])
    context = {
        "country": country,
        "reports": reports,
        "groups": groups,
        "group_list_rows": group_rows(groups),
        "incidents": latest,
        "incident_list_rows": incident_rows(latest),
        "incident_count": incident_count,
        "chart": incidents_and_casualties_per_year(
            yearly_totals(Incident.objects.filter(country=country), by_type=True),
            title=_("Incidents in %(country)s per year, by type, and casualties")
            % {"country": country.local_name},
        ),
        "sources": sources_behind(country, latest, groups),
    }
    context["disclaimers"] = distinct_disclaimers(
        (r.disclaimer, r.language) for r in context["sources"]
    )
    return render(request, "reports/country_detail.html", context)


def sources_behind(country, incidents, groups):
    """Published reports about `country` or cited by the shown entries, one query."""
    cited = Q(citations__incident__in=[i.pk for i in incidents]) | Q(
        citations__group__in=[g.pk for g in groups]
    )
    return list(
        Report.objects.published()
        .with_provenance()
        .filter(Q(country=country) | cited)
        .distinct()
        .order_by("-year", "title")
    )
