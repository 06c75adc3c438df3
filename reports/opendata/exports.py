"""Streamed CSV and JSON exports of what a list's filters select, every page of it.

Rows are read with `QuerySet.iterator(chunk_size=...)`: one cursor, and the related
rows (perpetrators, aliases, citations) prefetched per chunk, so memory holds one
chunk whatever the number of rows.

Provenance of an export:
- every row has a `source_reports` column/field: the permanent URLs of the
  published reports that row rests on (for a report, its own URL), and a
  `disclaimers` column/field: those reports' disclaimers, each text once;
- HTTP headers `X-Archive-URL`, `X-Archive-Filter` and `X-Exported-At` say where
  it came from, which filter selected it and when;
- a JSON export opens with a `meta` object saying the same (plus the columns);
- a CSV export has no comment lines, which would break CSV readers and the
  `import_incidents` command; its provenance is the headers, the
  `source_reports` column and the file name (kind and time of export).

The incidents CSV uses the GTD codebook's column names that `import_incidents`
reads (reports.ingest.gtd_codebook), so an export imported into an empty archive
gives back the same incidents. Its figures (nkill, nwound, nhostkid) are the best
estimates of the published claims; `<column>_low` and `<column>_high` carry their
range (high blank when a source gives only a lower bound, both blank without a claim).
A group's row carries its strength the same way, its relations and its designations.
"""

import csv
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import zip_longest

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.dateformat import format as format_date

from reports.disclaimers import disclaimers_of_citations
from reports.filters import GroupFilter, IncidentFilter, ReportFilter
from reports.ingest import gtd_codebook as codebook
from reports.models import (
    DatePrecision,
    Figure,
    Group,
    Incident,
    Report,
    name_with_acronym,
)
from reports.opendata.claims import published_estimates

CHUNK_SIZE = 2000
SEPARATOR = " | "  # between several values in one CSV cell (e.g. source report URLs)

# An incident the archive curated (not imported) gets an eventid of its own.
ARCHIVE_EVENTID_PREFIX = "archive-"


class Links:
    """Absolute page URLs: the site's origin, found once, before each page's path
    (get_absolute_url() fills a cached pattern in: reports/links.py)."""

    def __init__(self, absolute):
        self.origin = absolute("/").removesuffix("/")

    def url(self, obj):
        return self.origin + obj.get_absolute_url()


def source_report_urls(citations, links):
    return list(dict.fromkeys(links.url(c.report) for c in citations))


def decimal_text(value):
    return "" if value is None else format(value.normalize(), "f")


def count_text(value):
    return "" if value is None else str(value)


# The GTD's column of each incident figure.
FIGURE_COLUMNS = {Figure.KILLED: "nkill", Figure.INJURED: "nwound", Figure.HOSTAGES: "nhostkid"}


def range_columns(column, found):
    """`<column>_low` and `<column>_high` of an estimate (blank: no claim, or high open)."""
    return {
        f"{column}_low": count_text(found.low if found else None),
        f"{column}_high": count_text(found.high if found else None),
    }


def relation_text(relation, links):
    """ "counterpart <the other group's page>": the relation's kind and whom it names."""
    return f"{relation.kind} {links.url(relation.other)}"


def designation_text(designation):
    """ "Authority: list (from 1997-10-08 to 2001-01-01)", the dates the source gives."""
    dates = [
        f"{word} {day.isoformat()}"
        for word, day in (
            ("from", designation.designated_from),
            ("to", designation.designated_to),
        )
        if day
    ]
    text = f"{designation.authority}: {designation.list_name}"
    return f"{text} ({' '.join(dates)})" if dates else text


# --- Row builders: (object, links) -> dict ---------------------------------


def report_row(report, links):
    url = links.url(report)
    return {
        "slug": report.slug,
        "title": report.title,
        "series": report.series,
        "year": report.year,
        "country_code": report.country_id,
        "country": report.country.name,
        "publisher": report.publisher.name if report.publisher else "",
        "republisher": report.republisher.name if report.republisher else "",
        "published_on": report.published_on.isoformat() if report.published_on else "",
        "language": report.language,
        "source_url": report.source_url,
        "document_identifier": report.document_identifier,
        "disclaimer": report.disclaimer,
        "source_filename": report.source_filename,
        "sha256": report.sha256,
        "size_bytes": report.size_bytes,
        "imported_at": report.imported_at.isoformat(),
        "updated_at": report.updated_at.isoformat(),
        "url": url,
        "source_reports": [url],
        "disclaimers": [report.disclaimer] if report.disclaimer else [],
    }


def group_row(group, links):
    strength = published_estimates(group)[Figure.STRENGTH]
    return {
        "slug": group.slug,
        "name": group.name,
        "acronym": group.acronym,
        "aliases": [alias.name for alias in group.aliases.all()],
        "country_code": group.country_id or "",
        "country": group.country.name if group.country else "",
        "founded_year": group.founded_year,
        "activity": group.activity,
        "leaders": [str(leader) for leader in group.leaders.all()],
        "strength": count_text(strength.best if strength else None),
        **range_columns("strength", strength),
        "relations": [relation_text(relation, links) for relation in group.published_relations],
        "designations": [designation_text(d) for d in group.published_designations],
        "description": group.description,
        "description_es": group.description_es,
        "updated_at": group.updated_at.isoformat(),
        "url": links.url(group),
        "source_reports": source_report_urls(group.published_citations, links),
        "disclaimers": disclaimers_of_citations(group.published_citations),
    }


def gtd_name(group):
    """ "Name (ACRONYM)", the GTD's way, which import_incidents splits back."""
    return name_with_acronym(group.name, group.acronym)


def scite(citation, links):
    link = links.url(citation.report)
    number = ""
    if citation.paragraph_id:
        number = f", ¶{citation.paragraph.number}"
        link += f"#{citation.paragraph.anchor}"
    return f"{citation.report.title}{number}: “{citation.quote}” {link}"


def incident_row(incident, links):
    """One incident in the GTD codebook's columns, plus the archive's own."""
    start, precision = incident.start_date, incident.start_precision
    original = incident.source_row or {}
    attack = (
        codebook.ATTACK_OF_INCIDENT_TYPE.get(incident.type)
        or original.get("attacktype1_txt")
        or codebook.UNKNOWN_TEXT
    )
    row = {
        "eventid": incident.external_id or f"{ARCHIVE_EVENTID_PREFIX}{incident.pk}",
        "iyear": start.year,
        "imonth": 0 if precision == DatePrecision.YEAR else start.month,
        "iday": start.day if precision == DatePrecision.DAY else 0,
        "approxdate": ""
        if precision == DatePrecision.DAY
        else format_date(start, "F Y" if precision == DatePrecision.MONTH else "Y"),
        "extended": 1 if incident.end_date and incident.end_date > start else 0,
        "resolution": incident.end_date.isoformat() if incident.end_date else "",
        "country_txt": incident.country.name,
        "provstate": incident.region,
        "city": incident.city,
        "latitude": decimal_text(incident.latitude),
        "longitude": decimal_text(incident.longitude),
        "attacktype1_txt": attack,
        "targtype1_txt": incident.target_type,
    }
    perpetrations = incident.published_perpetrations
    for n, (name, uncertain) in enumerate(codebook.PERPETRATOR_COLUMNS):
        p = perpetrations[n] if n < len(perpetrations) else None
        row[name] = gtd_name(p.group) if p else (codebook.UNKNOWN_TEXT if n == 0 else "")
        row[uncertain] = (1 if p.uncertain else 0) if p else ""
    for figure, found in published_estimates(incident).items():
        column = FIGURE_COLUMNS[figure]
        row[column] = count_text(getattr(incident, figure))  # the best estimate
        row.update(range_columns(column, found))
    citations = incident.published_citations
    scites = [scite(c, links) for c in citations[: len(codebook.SOURCE_COLUMNS)]]
    row.update(
        {
            "summary": incident.summary,
            **dict(zip_longest(codebook.SOURCE_COLUMNS, scites, fillvalue="")),
            "dbsource": incident.external_source or settings.ARCHIVE_NAME,
            "slug": incident.slug,
            "title": incident.title,
            "outcome": incident.outcome,
            # The editors' Spanish text, "" where there is none yet (reports.translated).
            "title_es": incident.title_es,
            "summary_es": incident.summary_es,
            "outcome_es": incident.outcome_es,
            "url": links.url(incident),
            "source_reports": source_report_urls(citations, links),
            "disclaimers": disclaimers_of_citations(citations),
        }
    )
    return row


# --- What each list exports ------------------------------------------------------


@dataclass(frozen=True)
class ExportKind:
    name: str
    filterset: type
    queryset: callable
    row: callable


KINDS = {
    "reports": ExportKind("reports", ReportFilter, Report.objects.for_list, report_row),
    "incidents": ExportKind(
        "incidents", IncidentFilter, Incident.objects.for_open_data, incident_row
    ),
    "groups": ExportKind("groups", GroupFilter, Group.objects.for_open_data, group_row),
}


class FilterInvalid(ValueError):
    def __init__(self, errors):
        self.errors = errors  # {field: [message]}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


def select(kind, params):
    """Return the queryset the list page shows for these query parameters, all pages.

    Raise FilterInvalid with the form's errors when a value does not parse.
    """
    export = KINDS[kind]
    params = params.copy()
    params.pop("page", None)
    filterset = export.filterset(params or None, queryset=export.queryset())
    if filterset.is_bound and not filterset.is_valid():
        raise FilterInvalid({k: list(v) for k, v in filterset.errors.items()})
    return filterset.qs


def rows(kind, queryset, absolute, chunk_size=None):
    """Yield one dict per object, reading the queryset chunk by chunk."""
    build, links = KINDS[kind].row, Links(absolute)
    for obj in queryset.iterator(chunk_size=chunk_size or CHUNK_SIZE):
        yield build(obj, links)


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value):
        return value


# A cell a spreadsheet would read as a formula starts with one of these (OWASP's CSV
# injection rule); a number such as a negative latitude is a number, not a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"[-+]?\d+(?:\.\d+)?")


def csv_cell(value):
    if isinstance(value, list):
        value = SEPARATOR.join(str(v) for v in value)
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return decimal_text(value)
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not NUMBER_RE.fullmatch(value)
    ):
        # Shown as text by every spreadsheet, never run: "'=HYPERLINK(...)".
        return "'" + value
    return value


def stream_csv(row_iter):
    """Yield CSV text: the header from the first row, then one line per row."""
    writer = csv.writer(_Echo())
    header = None
    for row in row_iter:
        if header is None:
            header = list(row)
            yield writer.writerow(header)
        yield writer.writerow([csv_cell(row[column]) for column in header])


def stream_json(meta, row_iter):
    """Yield a JSON document {"meta": {...}, "results": [...]} piece by piece."""
    yield '{"meta": ' + json.dumps(meta, cls=DjangoJSONEncoder, ensure_ascii=False)
    yield ', "results": ['
    for n, row in enumerate(row_iter):
        yield ("," if n else "") + "\n" + json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
    yield "\n]}\n"


def provenance(kind, params, archive_url):
    """What the export says about itself: archive, filter, time."""
    params = params.copy()
    params.pop("page", None)
    return {
        "archive": settings.ARCHIVE_NAME,
        "archive_url": archive_url,
        "kind": kind,
        "filter": params.urlencode(),
        "exported_at": timezone.now().replace(microsecond=0).isoformat(),
        "published_only": True,
        "source_reports": "Each row's source_reports lists the permanent URLs of the "
        "published reports it rests on.",
        "disclaimers": "Each row's disclaimers are those of the published reports it rests "
        "on, each text once; they apply to the row as they apply to those reports.",
    }
