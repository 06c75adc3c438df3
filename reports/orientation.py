"""The reading room's orientation pages: methodology and codebook, about, countries index.

The codebook lists every code the data uses straight from the model's choices, so
a code added to a model shows here (with its label) without anyone editing the page;
a description says more where the label alone is not enough.
"""

from dataclasses import dataclass

from django.db.models import Count
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from reports.caching import public_page
from reports.models import (
    Country,
    DatePrecision,
    Fact,
    Figure,
    Group,
    GroupActivity,
    Incident,
    IncidentType,
    PlacePrecision,
    RelationKind,
    Report,
    Role,
    Status,
    ViolenceType,
)
from reports.text import fold as folded

DESCRIPTIONS = {
    Status.DRAFT: _("Being written by an editor; readers never see it."),
    Status.REVIEW: _("Waiting for a publisher to check it against its sources; not public."),
    Status.PUBLISHED: _(
        "Public. An entry stays published only while at least one of its citations quotes "
        "a published report."
    ),
    DatePrecision.DAY: _("The source gives the day: “17 December 1996”."),
    DatePrecision.MONTH: _(
        "The source gives the month only: “December 1996”. A group's timeline places it "
        "after the month's dated entries."
    ),
    DatePrecision.YEAR: _(
        "The source gives the year only: “1996”. A group's timeline places it after the "
        "year's dated entries."
    ),
    GroupActivity.UNKNOWN: _("No source cited for the group says whether it is still active."),
    IncidentType.OTHER: _("Political violence that fits none of the other types."),
    Figure.STRENGTH: _("How many members a source says a group has."),
    Role.PERPETRATOR: _("The source holds the group responsible (or suspects it)."),
    Role.SIDE: _(
        "The source names the group as one side of a fight without saying who attacked "
        "whom (UCDP's state-based and non-state conflicts)."
    ),
    ViolenceType.STATE_BASED: _(
        "UCDP's type 1: fighting between a government and an armed group, or between states."
    ),
    ViolenceType.NON_STATE: _("UCDP's type 2: fighting between armed groups, no state a side."),
    ViolenceType.ONE_SIDED: _(
        "UCDP's type 3: a government or an armed group killing civilians; side A is its "
        "perpetrator."
    ),
    PlacePrecision.EXACT: _("UCDP's where_prec 1."),
    PlacePrecision.NEAR: _("UCDP's where_prec 2."),
    PlacePrecision.DISTRICT: _("UCDP's where_prec 3: placed at the district's centre."),
    PlacePrecision.PROVINCE: _("UCDP's where_prec 4: placed at the province's centre."),
    PlacePrecision.PART_OF_COUNTRY: _(
        "UCDP's where_prec 5: a region larger than a province, or along a road or a river."
    ),
    PlacePrecision.COUNTRY: _("UCDP's where_prec 6: placed at the country's centre."),
    PlacePrecision.INTERNATIONAL: _("UCDP's where_prec 7."),
}


@dataclass(frozen=True)
class Code:
    value: str
    label: str
    description: str


@dataclass(frozen=True)
class CodeSection:
    slug: str
    heading: str
    codes: list


def codes(choices):
    return [Code(c.value, c.label, DESCRIPTIONS.get(c, "")) for c in choices]


def codebook():
    """Every code the archive's data uses, by the field it fills, from the models' choices."""
    return [
        CodeSection("status", _("Editorial status"), codes(Status)),
        CodeSection("date-precision", _("Date precision"), codes(DatePrecision)),
        CodeSection("incident-type", _("Incident type"), codes(IncidentType)),
        CodeSection("violence-type", _("Type of violence"), codes(ViolenceType)),
        CodeSection("place-precision", _("Place precision"), codes(PlacePrecision)),
        CodeSection("role", _("A group's part in an incident"), codes(Role)),
        CodeSection("group-activity", _("Group activity status"), codes(GroupActivity)),
        CodeSection("figure", _("Figures"), codes(Figure)),
        CodeSection("relation-kind", _("Relations between groups"), codes(RelationKind)),
        CodeSection("fact", _("Facts a citation supports"), codes(Fact)),
    ]


@dataclass(frozen=True)
class CountryRow:
    url: str
    name: str
    code: str
    reports: int
    incidents: int
    groups: int


def countries_with_published_material():
    """Every country with a published report, incident or group, with their counts.

    One grouped query per kind of entry, whatever the number of countries.
    """

    def counts(queryset):
        rows = queryset.order_by().values("country").annotate(n=Count("pk"))
        return {row["country"]: row["n"] for row in rows}

    reports = counts(Report.objects.published())
    incidents = counts(Incident.objects.published())
    groups = counts(Group.objects.published())
    codes_ = set(reports) | set(incidents) | set(groups)
    codes_.discard(None)
    rows = [
        CountryRow(
            country.get_absolute_url(),
            country.local_name,
            country.code,
            reports.get(country.code, 0),
            incidents.get(country.code, 0),
            groups.get(country.code, 0),
        )
        for country in Country.objects.filter(code__in=codes_)
    ]
    # In the reader's alphabet: "Perú" among the P's, whatever its accents.
    return sorted(rows, key=lambda row: folded(row.name))


@public_page
def methodology(request):
    return render(request, "reports/orientation/methodology.html", {"codebook": codebook()})


@public_page
def about(request):
    return render(request, "reports/orientation/about.html")


@public_page
def country_list(request):
    return render(
        request,
        "reports/orientation/country_list.html",
        {"countries": countries_with_published_material()},
    )
