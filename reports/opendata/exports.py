"""Streamed CSV and JSON exports of what a list's filters select, every page of it.

Rows are read with `QuerySet.iterator(chunk_size=...)`: one cursor, and the related
rows (perpetrators, aliases, citations) read per chunk, so memory holds one chunk
whatever the number of rows. Incidents, the largest export, are read as plain values
(not model instances), with one query per chunk each for their perpetrators, their
citations and their figure claims, and written as tuples: building the instances and
their prefetched relations cost most of the time of a large export.

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

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from urllib.parse import quote

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Case, F, JSONField, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateformat import format as format_date

from reports.claims import estimates
from reports.disclaimers import disclaimers_of_citations
from reports.filters import GroupFilter, IncidentFilter, ReportFilter
from reports.ingest import gtd_codebook as codebook
from reports.links import PLACEHOLDER, url_for
from reports.models import (
    INCIDENT_FIGURES,
    Citation,
    DatePrecision,
    Figure,
    FigureClaim,
    Group,
    Incident,
    Perpetration,
    Report,
    Role,
    by_published_group,
    by_published_report,
    name_with_acronym,
)
from reports.opendata.claims import published_estimates

CHUNK_SIZE = 2000
# The exports' format: change it with what any export's rows or meta say, so a file of
# an unfiltered export built by earlier code is not served (export_files.py).
FORMAT = 3
SEPARATOR = " | "  # between several values in one CSV cell (e.g. source report URLs)

# An incident the archive curated (not imported) gets an eventid of its own.
ARCHIVE_EVENTID_PREFIX = "archive-"

# What quote() leaves as it is: a slug's letters, digits, "-" and "_".
SLUG_RE = re.compile(r"[-\w]+", re.ASCII)


class Links:
    """Absolute page URLs: the site's origin, found once, before each page's path
    (get_absolute_url() fills a cached pattern in: reports/links.py)."""

    def __init__(self, absolute):
        self.origin = absolute("/").removesuffix("/")
        self.patterns = {}

    def url(self, obj):
        return self.origin + obj.get_absolute_url()

    def page(self, viewname, slug):
        """What url() gives for the page of `viewname` with this slug, without an object.

        url_for() asks for the active language and script prefix on every call, a cost a
        large export pays for every row; they stay the same for the whole export.
        """
        pattern = self.patterns.get(viewname)
        if pattern is None:
            url = self.origin + url_for(viewname, slug=PLACEHOLDER)
            pattern = self.patterns[viewname] = url.partition(PLACEHOLDER)[::2]
        head, tail = pattern
        # Quoted as url_for() quotes it.
        return f"{head}{slug if SLUG_RE.fullmatch(slug) else quote(slug, safe='')}{tail}"


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


# --- Incidents: plain values, a chunk at a time ------------------------------------

# Each figure's best estimate, then the range of its published claims.
FIGURE_RANGE_COLUMNS = tuple(
    f"{FIGURE_COLUMNS[figure]}{suffix}"
    for figure in INCIDENT_FIGURES
    for suffix in ("", "_low", "_high")
)

# One incident in the GTD codebook's columns, then the archive's own.
INCIDENT_COLUMNS = (
    "eventid",
    "iyear",
    "imonth",
    "iday",
    "approxdate",
    "extended",
    "resolution",
    "country_txt",
    "provstate",
    "city",
    "latitude",
    "longitude",
    "attacktype1_txt",
    "targtype1_txt",
    *chain.from_iterable(codebook.PERPETRATOR_COLUMNS),
    *FIGURE_RANGE_COLUMNS,
    "summary",
    *codebook.SOURCE_COLUMNS,
    "dbsource",
    "slug",
    "title",
    "outcome",
    # The editors' Spanish text, "" where there is none yet (reports.translated).
    "title_es",
    "summary_es",
    "outcome_es",
    "url",
    "source_reports",
    "disclaimers",
)

# What the incident row gives, in the order incident_rows() unpacks it.
INCIDENT_FIELDS = (
    "pk",
    "external_id",
    "start_date",
    "start_precision",
    "end_date",
    "country__name",
    "region",
    "city",
    "latitude",
    "longitude",
    "type",
    "target_type",
    *INCIDENT_FIGURES,
    "summary",
    "external_source",
    "slug",
    "title",
    "outcome",
    "title_es",
    "summary_es",
    "outcome_es",
)


def dataset_row():
    """The incident's dataset row, read only where the export needs it (the attack type
    of an incident the archive has no type for): the row can be long, and parsing it
    for every incident would cost more than everything else in the row."""
    return Case(
        When(type__in=list(codebook.ATTACK_OF_INCIDENT_TYPE), then=Value(None)),
        default=F("source_row"),
        output_field=JSONField(),
    )


def as_is(value):
    return value


def incident_chunks(queryset, absolute, cell=as_is, chunk_size=None):
    """Yield the selected incidents' rows (tuples in INCIDENT_COLUMNS' order), a list
    per chunk of the queryset's order.

    `cell` makes a cell of each value that holds text (or a list of texts): csv_field for
    a CSV, neutralising and quoting as the rows are made, which costs far less than
    checking each cell of each row afterwards. The cells the export writes itself
    (numbers, dates, the archive's own URL) can neither start a formula nor need quotes,
    and are left as they are.
    """
    size = chunk_size or CHUNK_SIZE
    values = queryset.prefetch_related(None).values_list(*INCIDENT_FIELDS, dataset_row())
    found = values.iterator(chunk_size=size)
    named = Named(Links(absolute), cell)
    while chunk := list(islice(found, size)):
        yield incident_rows(chunk, named)


def listed(ids):
    """`ids` as the right side of an `__in` lookup, a parameter each, passed as they are.

    Given a list, the ORM prepares each value in Python, which cost a chunk's three
    queries more than running them; these are primary keys just read from the database.
    """
    return RawSQL(", ".join(["%s"] * len(ids)), ids)  # noqa: S611 (placeholders only)


def published_perpetrators(ids, named):
    """{incident id: its perpetrator columns' cells} for these incidents: the published
    groups named, in the order the list pages name them, each as "Name (ACRONYM)" and 1
    or 0 for an uncertain attribution, as many as the columns hold."""
    most = 2 * len(codebook.PERPETRATOR_COLUMNS)
    rows = list(
        # The codebook's gname is a perpetrator: a side in the fighting (Role) is not one.
        Perpetration.objects.filter(
            by_published_group(), incident_id__in=listed(ids), role=Role.PERPETRATOR
        )
        .order_by("group__name", "group_id")
        .values_list("incident_id", "uncertain", "group_id")
    )
    groups = named.groups_of({row[2] for row in rows})
    cells = {}
    for incident_id, uncertain, group_id in rows:
        found = cells.get(incident_id)
        if found is None:
            found = cells[incident_id] = []
        if len(found) < most:
            found += (groups[group_id], 1 if uncertain else 0)
    blank = ("", "") * len(codebook.PERPETRATOR_COLUMNS)
    return {incident_id: (*found, *blank[len(found) :]) for incident_id, found in cells.items()}


# The perpetrator columns' cells without a published group: "Unknown" in the first.
NO_PERPETRATORS = (codebook.UNKNOWN_TEXT, "") + ("", "") * (len(codebook.PERPETRATOR_COLUMNS) - 1)


class FewCells(dict):
    """{value: its cell}, each made once: for the columns whose values repeat from row to
    row (a country, an attack type), where looking a cell up costs less than making it."""

    def __init__(self, cell):
        super().__init__()
        self.cell = cell

    def __missing__(self, value):
        made = self[value] = self.cell(value)
        return made


class Named:
    """The reports and groups an export's rows name, each read once for the whole export
    (a query per chunk for those not read before): a citation's or a perpetration's row
    then carries only an id, not the same texts again for every incident. They are kept
    to the end, as they are far fewer than incidents.

    `cell` makes each cell, as for the rows (incident_chunks).
    """

    def __init__(self, links, cell):
        self.links = links
        self.cell = cell
        self.reports = {}  # id: (title, page URL, disclaimer)
        self.groups = {}  # id: the cell of "Name (ACRONYM)"
        self.few = FewCells(cell)  # of the columns with few values (a country, a type)

    def reports_of(self, ids):
        for pk, slug, title, disclaimer in self.missing(Report, ids, self.reports).values_list(
            "pk", "slug", "title", "disclaimer"
        ):
            self.reports[pk] = (title, self.links.page("reports:report-detail", slug), disclaimer)
        return self.reports

    def groups_of(self, ids):
        for pk, name, acronym in self.missing(Group, ids, self.groups).values_list(
            "pk", "name", "acronym"
        ):
            self.groups[pk] = self.cell(name_with_acronym(name, acronym))
        return self.groups

    @staticmethod
    def missing(model, ids, known):
        missing = set(ids).difference(known)
        if not missing:
            return model.objects.none()
        return model.objects.filter(pk__in=listed(list(missing))).order_by()


def published_sources(ids, named):
    """{incident id: ([scite], [report URL], [disclaimer])} for these incidents, from
    their citations of published reports by report title and paragraph (as
    CitedQuerySet.with_published_citations orders them): each citation as a "scite"
    cell, and the reports' URLs and disclaimers each once."""
    rows = list(
        Citation.objects.filter(by_published_report(), incident_id__in=listed(ids))
        .order_by("report__title", "paragraph__number", "pk")
        .values_list("incident_id", "report_id", "paragraph_id", "paragraph__number", "quote")
    )
    reports, cell = named.reports_of({row[1] for row in rows}), named.cell
    sources = {}
    for incident_id, report_id, paragraph_id, number, passage in rows:
        title, url, disclaimer = reports[report_id]
        if paragraph_id:
            text = cell(f"{title}, ¶{number}: “{passage}” {url}#p{number}")
        else:
            text = cell(f"{title}: “{passage}” {url}")
        found = sources.get(incident_id)
        if found is None:
            sources[incident_id] = ([text], [url], [disclaimer] if disclaimer else [])
            continue
        scites, urls, disclaimers = found
        scites.append(text)
        if url not in urls:
            urls.append(url)
        if disclaimer and disclaimer not in disclaimers:
            disclaimers.append(disclaimer)
    return sources


NO_SCITES = ("",) * len(codebook.SOURCE_COLUMNS)


def published_claims(ids):
    """{incident id: [claim]} of these incidents' published figure claims, each a row with
    what reports.claims.estimate reads of a claim."""
    claims = {}
    rows = (
        FigureClaim.objects.published()
        .filter(incident_id__in=listed(ids))
        .values_list("incident_id", "figure", "low", "high", "point", "best", named=True)
    )
    for claim in rows:
        claims.setdefault(claim.incident_id, []).append(claim)
    return claims


def figure_cells(best, claims):
    """The figure columns' cells: each figure's best estimate (the incident row's), then
    the low and high of its published claims (blank without any)."""
    cells = []
    found_each = estimates(claims, INCIDENT_FIGURES).values()  # in INCIDENT_FIGURES' order
    for found, value in zip(found_each, best, strict=True):
        cells += (
            count_text(value),
            count_text(found.low if found else None),
            count_text(found.high if found else None),
        )
    return cells


def incident_rows(chunk, named):
    """Rows of a chunk of INCIDENT_FIELDS values (and the dataset row): three queries,
    and those of Named for reports and groups not named by an earlier chunk."""
    links, cell, few = named.links, named.cell, named.few
    ids = [values[0] for values in chunk]
    perpetrators = published_perpetrators(ids, named)
    sources = published_sources(ids, named)
    claims = published_claims(ids)
    archive_name = settings.ARCHIVE_NAME
    rows = []
    for (
        pk,
        external_id,
        start,
        precision,
        end,
        country,
        region,
        city,
        latitude,
        longitude,
        kind,
        target_type,
        killed,
        injured,
        hostages,
        summary,
        external_source,
        slug,
        title,
        outcome,
        title_es,
        summary_es,
        outcome_es,
        original,
    ) in chunk:
        if precision == DatePrecision.DAY:
            approximate = ""
        else:
            approximate = cell(
                format_date(start, "F Y" if precision == DatePrecision.MONTH else "Y")
            )
        attack = few[
            codebook.ATTACK_OF_INCIDENT_TYPE.get(kind)
            or (original or {}).get("attacktype1_txt")
            or codebook.UNKNOWN_TEXT
        ]
        if pk in claims:
            figures = figure_cells((killed, injured, hostages), claims[pk])
        else:
            figures = (count_text(killed), "", "", count_text(injured), "", "")
            figures += (count_text(hostages), "", "")
        scites, urls, disclaimers = sources.get(pk) or ((), [], [])
        scites = (*scites[: len(NO_SCITES)], *NO_SCITES[len(scites) :])
        rows.append(
            (
                cell(external_id) if external_id else f"{ARCHIVE_EVENTID_PREFIX}{pk}",
                start.year,
                0 if precision == DatePrecision.YEAR else start.month,
                start.day if precision == DatePrecision.DAY else 0,
                approximate,
                1 if end and end > start else 0,
                end.isoformat() if end else "",
                few[country],
                cell(region),
                cell(city),
                decimal_text(latitude),
                decimal_text(longitude),
                attack,
                few[target_type],
                *perpetrators.get(pk, NO_PERPETRATORS),
                *figures,
                cell(summary),
                *scites,
                few[external_source or archive_name],
                cell(slug),
                cell(title),
                cell(outcome) if outcome else "",
                # Empty until an editor translates: most incidents' (reports.translated).
                cell(title_es) if title_es else "",
                cell(summary_es) if summary_es else "",
                cell(outcome_es) if outcome_es else "",
                links.page("reports:incident-detail", slug),
                cell(urls),
                cell(disclaimers),
            )
        )
    return rows


# --- What each list exports ------------------------------------------------------


@dataclass(frozen=True)
class ExportKind:
    name: str
    filterset: type
    queryset: callable
    row: callable = None  # (object, links) -> dict; incidents are read as values instead


KINDS = {
    "reports": ExportKind("reports", ReportFilter, Report.objects.for_list, report_row),
    # incident_chunks() reads the related rows itself, a query each per chunk.
    "incidents": ExportKind("incidents", IncidentFilter, Incident.objects.published),
    "groups": ExportKind("groups", GroupFilter, Group.objects.for_open_data, group_row),
}


class FilterInvalid(ValueError):
    def __init__(self, errors):
        self.errors = errors  # {field: [message]}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


def select(kind, params):
    """Return the queryset the list page shows for these query parameters, all pages, in
    the list's `sort` if one is given, else in the order the rows entered the archive.

    Raise FilterInvalid with the form's errors when a value does not parse.
    """
    export = KINDS[kind]
    params = params.copy()
    params.pop("page", None)
    filterset = export.filterset(params or None, queryset=export.queryset())
    if filterset.is_bound and not filterset.is_valid():
        raise FilterInvalid({k: list(v) for k, v in filterset.errors.items()})
    if params.get("sort"):
        return filterset.qs
    # Without a sort, in the order of entry rather than the list's: the database reads a
    # table in its own order instead of jumping through it by date, and a later export of
    # the same filter gives the rows entered since at its end.
    return filterset.qs.order_by("pk")


def is_unfiltered(params):
    """Whether these query parameters select everything (a page number selects no less)."""
    return all(name == "page" for name in params)


def rows(kind, queryset, absolute, chunk_size=None):
    """Yield one dict per object, reading the queryset chunk by chunk."""
    if kind == "incidents":
        for chunk in incident_chunks(queryset, absolute, chunk_size=chunk_size):
            for row in chunk:
                yield dict(zip(INCIDENT_COLUMNS, row, strict=True))
        return
    build, links = KINDS[kind].row, Links(absolute)
    for obj in queryset.iterator(chunk_size=chunk_size or CHUNK_SIZE):
        yield build(obj, links)


def stream(kind, fmt, queryset, absolute, meta):
    """Yield the export of `queryset` as text, piece by piece: CSV, or JSON opening
    with `meta`."""
    if kind == "incidents" and fmt == "csv":
        return stream_csv_fields(INCIDENT_COLUMNS, incident_chunks(queryset, absolute, csv_field))
    found = rows(kind, queryset, absolute)
    return stream_csv(found) if fmt == "csv" else stream_json(meta, found)


# A cell a spreadsheet would read as a formula starts with one of these (OWASP's CSV
# injection rule); a number such as a negative latitude is a number, not a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"[-+]?\d+(?:\.\d+)?")


FORMULA_FIRST = frozenset(FORMULA_STARTS)


def csv_cell(value):
    if type(value) is str and value[:1] not in FORMULA_FIRST:
        return value  # nearly every cell: first, as it is asked for every cell of every row
    if isinstance(value, list):
        value = SEPARATOR.join(map(str, value))
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
    header = None
    for row in row_iter:
        if header is None:
            header = list(row)
            yield csv_line(map(csv_field, header))
        yield csv_line([csv_field(row[column]) for column in header])


def csv_line(fields):
    """A CSV line of fields as csv_field makes them (or numbers)."""
    return ",".join(map(str, fields)) + "\r\n"


# What makes csv.writer quote a field (QUOTE_MINIMAL, its default dialect).
CSV_QUOTED_RE = re.compile(r'[",\r\n]')


def csv_field(value):
    """csv_cell(value) as a field of a CSV line, quoted where csv.writer would quote it.

    A large export's rows are written by joining their fields (stream_csv_fields): the
    few cells that hold text are quoted as they are made, where csv.writer would scan
    every character of every field, which cost more than building the rows.
    """
    if type(value) is list:  # what several values in one cell make: first, it is common
        value = SEPARATOR.join(map(str, value))
    if type(value) is not str or value[:1] in FORMULA_FIRST:
        value = csv_cell(value)
        if type(value) is not str:
            return value
    if CSV_QUOTED_RE.search(value) is None:
        return value
    return '"' + value.replace('"', '""') + '"'


def stream_csv_fields(columns, chunks):
    """Yield CSV text, a piece per chunk of rows of fields (in `columns`' order, text as
    csv_field makes it, or numbers): what stream_csv writes for the same rows as dicts,
    the header only if there is a row."""
    header = True
    for chunk in chunks:
        if not chunk:
            continue
        if header:
            yield csv_line(map(csv_field, columns))
            header = False
        yield "".join(map(csv_line, chunk))


def stream_json(meta, row_iter):
    """Yield a JSON document {"meta": {...}, "results": [...]} piece by piece."""
    yield '{"meta": ' + json.dumps(meta, cls=DjangoJSONEncoder, ensure_ascii=False)
    yield ', "results": ['
    for n, row in enumerate(row_iter):
        yield ("," if n else "") + "\n" + json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
    yield "\n]}\n"


def export_meta(kind, params, archive_url):
    """What any download says about itself: archive, kind, selection, time."""
    params = params.copy()
    params.pop("page", None)
    return {
        "archive": settings.ARCHIVE_NAME,
        "archive_url": archive_url,
        "kind": kind,
        "filter": params.urlencode(),
        "exported_at": timezone.now().replace(microsecond=0).isoformat(),
        "published_only": True,
    }


def provenance(kind, params, archive_url):
    """What a list's export says about itself: export_meta() and where its rows rest."""
    return export_meta(kind, params, archive_url) | {
        "source_reports": "Each row's source_reports lists the permanent URLs of the "
        "published reports it rests on.",
        "disclaimers": "Each row's disclaimers are those of the published reports it rests "
        "on, each text once; they apply to the row as they apply to those reports.",
    }
