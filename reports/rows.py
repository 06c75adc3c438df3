"""The rows of the public lists, as data: what a row shows beyond its entry's own fields.

A view builds them for the entries of one page and hands them to the templates;
templates/reports/includes/rows.html writes every kind of row. A report's row shows
only the report's own fields, so the report is its own row.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import get_language_info

from reports.models import (
    Group,
    GroupActivity,
    IncidentType,
    Perpetration,
    PerpetratorName,
)
from reports.templatetags.formatting import date_span
from reports.translated import Localized, localized, reader_language

# What a row shows: the rest of an entry (summaries, source rows, provenance) is not
# read or converted. A template that used another field would cost a query per row,
# which the query-count tests catch.
INCIDENT_ROW_FIELDS = (
    "slug",
    "title",
    "title_es",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "country",
    "region",
    "city",
    "type",
    "killed",
    "injured",
    "external_source",
)
GROUP_ROW_FIELDS = ("slug", "name", "acronym", "country", "activity")
REPORT_ROW_FIELDS = (
    "slug",
    "title",
    "series",
    "year",
    "country",
    "publisher",
    "republisher",
    "disclaimer",
    "language",
)


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str


@dataclass(frozen=True, slots=True)
class IncidentRow:
    """What an incident's row shows, worked out in Python: the template only writes it
    (a call from a template costs several times the same call here)."""

    url: str
    title: Localized  # in the reader's language, or the other one where not translated
    dates: str  # at their precision
    type_label: str
    place: str
    country: Link
    perpetrators: Sequence[PerpetratorName]
    killed: int | None
    injured: int | None
    source: str  # the dataset it was imported from ("GTD"), if any


@dataclass(frozen=True, slots=True)
class OtherName:
    """An alias of a group as a reader sees it: its language's code (for `lang`) and name."""

    name: str
    language: str  # ISO 639-1, or "" when not recorded
    language_label: str  # "Spanish", in the reader's language; "" when not recorded


@dataclass(frozen=True, slots=True)
class GroupRow:
    group: Group
    activity_label: str
    aliases: Sequence[OtherName] = ()


def language_label(code):
    """The name of the language `code` in the reader's language, or the code itself."""
    if not code:
        return ""
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


def other_names(group):
    """The aliases of `group` (prefetched or not) but its own name and acronym, which
    the page shows already: OtherNames."""
    own = {group.name.casefold(), group.acronym.casefold()}
    return [
        OtherName(alias.name, alias.language, language_label(alias.language))
        for alias in group.aliases.all()
        if alias.name.casefold() not in own
    ]


def choice_labels(choices):
    """{value: label} in the current language, once a list: get_FOO_display() would hash
    every lazy label of the field's choices once a row."""
    return {value: str(label) for value, label in choices}


def incident_rows(incidents):
    """The rows of `incidents`: their type's label and their published perpetrators, read
    by Perpetration.objects.published_names (one query), the one way a list gets them."""
    labels = choice_labels(IncidentType.choices)
    names = Perpetration.objects.published_names([incident.pk for incident in incidents])
    countries = {}
    language = reader_language()  # once a list: asking for it costs more than a row
    return [
        IncidentRow(
            url=incident.get_absolute_url(),
            title=localized(incident, "title", language),
            dates=date_span(incident),
            type_label=labels.get(incident.type, incident.type),
            place=incident.place,
            country=country_link(incident.country, countries),
            perpetrators=names.get(incident.pk, ()),
            killed=incident.killed,
            injured=incident.injured,
            source=incident.external_source,
        )
        for incident in incidents
    ]


def country_link(country, seen):
    """The Link to `country`'s page, made once a list (`seen`: {code: Link})."""
    if country.code not in seen:
        seen[country.code] = Link(country.get_absolute_url(), country.local_name)
    return seen[country.code]


def group_rows(groups):
    """The rows of `groups` (their aliases prefetched, as Group.objects.for_list() does)."""
    labels = choice_labels(GroupActivity.choices)
    return [
        GroupRow(group, labels.get(group.activity, group.activity), other_names(group))
        for group in groups
    ]
