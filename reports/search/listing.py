"""Every result of one kind, filtered, sorted and counted: the search page's tabs and
pages, its exports and the API's search.

search_archive() shows the best few of every kind at once, by its engine's ranking;
here each kind is a whole list the ORM reads through the engine's SQL of the matching
ids (each engine's matching_sql; the portable engine's matching), so that filters,
sorts, counts and pages are the ORM's, the same on every engine:

    reports    title or a passage matches; passages  each matching paragraph
    incidents  title, summary or a cited quote;  groups  name, aliases, leaders, description

Sorts: relevance (title or name matches first, then newest), newest, oldest. Filters:
country, years, series, publisher, document language. A report or passage is filtered
by its report; an incident by its country and start date, and by the reports that
cite it for series, publisher and language; a group by its country, and by the
reports that cite it for the rest.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
)
from django.db.models.expressions import RawSQL

from archive.routers import reading_connection as connection
from reports.models import Citation, Group, Incident, Paragraph, Report, Status
from reports.search.results import ReportHit, group_rows, incident_rows, report_rows, snippet_of

KINDS = ("reports", "passages", "incidents", "groups")
SORTS = ("relevance", "newest", "oldest")

# The rows each kind (and each title condition) is of.
MODELS = {
    "reports": Report,
    "report_titles": Report,
    "passages": Paragraph,
    "incidents": Incident,
    "incident_titles": Incident,
    "groups": Group,
    "group_names": Group,
}
# Each kind's title (or name) condition, which relevance puts first.
TITLES = {
    "reports": "report_titles",
    "passages": "report_titles",
    "incidents": "incident_titles",
    "groups": "group_names",
}
# Each kind's sorts; relevance orders each of its two parts (ordered_ids) by "newest"
# unless the kind says otherwise.
ORDERS = {
    "reports": {"newest": ["-year", "title"], "oldest": ["year", "title"]},
    "passages": {
        "newest": ["-report__year", "report__title", "number"],
        "oldest": ["report__year", "report__title", "number"],
    },
    "incidents": {"newest": ["-start_date", "title"], "oldest": ["start_date", "title"]},
    "groups": {
        "newest": [F("founded_year").desc(nulls_last=True), "name"],
        "oldest": [F("founded_year").asc(nulls_last=True), "name"],
        "relevance": ["name"],
    },
}


@dataclass(frozen=True)
class Filters:
    country: str = ""
    year_from: int | None = None
    year_to: int | None = None
    series: str = ""
    publisher: str = ""
    language: str = ""

    def __bool__(self):
        return any(value not in ("", None) for value in vars(self).values())

    @property
    def years(self):
        return (self.year_from, self.year_to)

    @property
    def dates(self):
        """(first, last) start date of an incident of the years chosen, None where open."""
        first = date(self.year_from, 1, 1) if self.year_from else None
        last = date(self.year_to, 12, 31) if self.year_to else None
        return first, last

    @property
    def selective(self):
        """Whether the filters choose rows through indexes (country, years): few rows,
        found without reading the others (see matching())."""
        return bool(self.country or self.year_from or self.year_to)

    def probes(self, kind):
        """Whether `kind`'s rows are counted by testing the filtered rows against the
        matches (the filters are selective) rather than by reading the matches. An
        incident's matches of the years chosen are read alone (the engine's key starts
        with the date), so they are read even with a country chosen."""
        if kind == "incidents" and (self.year_from or self.year_to):
            return False
        return self.selective

    def of_reports(self, prefix=""):
        """The condition on reports (through `prefix`, e.g. "report__") of every filter."""
        report = {
            "country": self.country,
            "year__gte": self.year_from,
            "year__lte": self.year_to,
            "series": self.series,
            "publisher__name": self.publisher,
            "language": self.language,
        }
        return Q(
            **{prefix + key: value for key, value in report.items() if value not in ("", None)}
        )

    def through_citations(self, field, years=True):
        """Rows of an incident or group (`field` of Citation) cited by a published report
        of the series, publisher and language chosen (and years, if `years`)."""
        chosen = Filters(
            year_from=self.year_from if years else None,
            year_to=self.year_to if years else None,
            series=self.series,
            publisher=self.publisher,
            language=self.language,
        )
        if not chosen:
            return Q()
        citations = Citation.objects.filter(
            chosen.of_reports("report__"),
            report__status=Status.PUBLISHED,
            **{field: OuterRef("pk")},
        )
        return Q(Exists(citations))

    def of(self, kind):
        if kind == "reports":
            return self.of_reports()
        if kind == "passages":
            return self.of_reports("report__")
        country = Q(country=self.country) if self.country else Q()
        if kind == "groups":
            return country & self.through_citations("group")
        first, last = self.dates
        dates = Q()
        if first:
            dates &= Q(start_date__gte=first)
        if last:
            dates &= Q(start_date__lte=last)
        return country & dates & self.through_citations("incident", years=False)


PUBLISHED = {
    "reports": lambda: Report.objects.published(),
    "passages": lambda: Paragraph.objects.filter(report__status=Status.PUBLISHED),
    "incidents": lambda: Incident.objects.published(),
    "groups": lambda: Group.objects.published(),
}


def published(kind):
    return PUBLISHED[kind]()


def matching(kind, query, engine, filters=None, wanted=None, probe=None, few=False):
    """The condition on `kind`'s rows of matching `query`, from the engine's SQL.

    The database reads the rows either from the matches (each match, then its row) or
    from the table's own indexes (the rows the filters choose, then whether each is
    among the matches). Without filters the first is the cheaper by far, and also
    where the engine's index narrows the matches to the filters' (SQLite's facets:
    narrows()); when the filters choose through an index, the second: `probe`,
    Filters.selective unless given (SQLite needs telling, as it cannot know how many
    matches there are: probe_sql; PostgreSQL plans from its statistics). `wanted`:
    how many of the rows are read (a count's limit, a page's end); where the engine
    finds that many dense among the rows, it tests each row read in order rather than
    listing every match (seek_sql: SQLite's of reports, PostgreSQL's of incidents'
    titles). `few`: the matches are known to be few (counted up to COUNT_LIMIT): where
    the engine's planner would rather read the rows in order testing each (it prices
    a phrase or two words as in many rows, and may find them in a handful), they are
    listed whole first (its read_whole()).
    """
    if not hasattr(engine, "matching_sql"):
        return engine.matching(kind, query)  # the portable engine's own condition
    filters = filters or Filters()
    table = connection.ops.quote_name(MODELS[kind]._meta.db_table)
    if wanted and hasattr(engine, "seeks") and engine.seeks(kind, query, wanted):
        return condition(engine.seek_sql(kind, query, table, filters))
    probe = filters.selective if probe is None else probe
    if narrows(engine, kind, filters) or not (probe and hasattr(engine, "probe_sql")):
        sql, params = engine.matching_sql(kind, query, filters)
        if few and hasattr(engine, "read_whole"):
            return condition(engine.read_whole(table, sql, params))
        return Q(pk__in=RawSQL(sql, params))  # noqa: S611 - the engine's SQL, values as parameters
    return condition(engine.probe_sql(kind, query, table, filters))


def narrows(engine, kind, filters):
    """Whether the engine's matching_sql of `kind` holds only rows of `filters`."""
    return hasattr(engine, "narrows") and engine.narrows(kind, filters)


def condition(sql_params):
    """The engine's SQL of a true or false condition on a row, as a Q."""
    sql = RawSQL(*sql_params)  # noqa: S611 - the engine's SQL, values as parameters
    return Q(ExpressionWrapper(sql, output_field=BooleanField()))


def found(kind, query, filters, engine, wanted=None, few=False):
    """The published rows of `kind` that match `query` and `filters`, unordered;
    `wanted`: how many of them will be read at most; `few`: whether they are known to
    be few (matching())."""
    matches = matching(kind, query, engine, filters, wanted, few=few)
    return published(kind).filter(matches, filters.of(kind)).order_by()


# Results of a kind counted at most: more shows as "100+", and its pages go on while
# there are results. Counting every match of a common word means reading each matching
# row (a passage's paragraph, an incident), where the first COUNT_LIMIT cost about
# the same whatever the archive's size.
COUNT_LIMIT = 100


def counts(query, filters, engine, known=None):
    """{kind: how many rows of it match, up to COUNT_LIMIT + 1 (more)}; `known`: the
    counts of the kinds the caller has already (not counted again).

    Without selective filters, each count reads the engine's matches as they come
    (SQLite's FTS5 in rowid order) and tests each for publication and the filters,
    stopping at COUNT_LIMIT + 1, so it costs about the same at any size of the archive
    (through found(), the database first collects every match of a common word): one
    query for every kind so counted. With them, the filtered rows are fewer: each is
    tested against the matches (matching()), a query a kind (Filters.probes), unless
    the engine's matches are those of the filters already (narrows()).
    """
    wanted = COUNT_LIMIT + 1
    known = known or {}
    probed = [
        kind
        for kind in KINDS
        if kind not in known
        and (
            not hasattr(engine, "matching_sql")
            or (filters.probes(kind) and not narrows(engine, kind, filters))
        )
    ]
    found_counts = {
        **known,
        **{kind: found(kind, query, filters, engine, wanted)[:wanted].count() for kind in probed},
    }
    columns, params = [], []
    read = [kind for kind in KINDS if kind not in found_counts]
    for kind in read:
        ids, ids_params = engine.matching_sql(kind, query, filters)
        rows_sql, rows_params = published_row_sql(kind, filters)
        # DISTINCT reads every match before the first row; an engine whose SQL names
        # each row once (UNIQUE_MATCHES) is counted as its matches come.
        distinct = "" if getattr(engine, "UNIQUE_MATCHES", False) else "DISTINCT "
        columns.append(
            f"(SELECT count(*) FROM (SELECT {distinct}m.id FROM ({ids}) m"  # noqa: S608 - SQL built here
            f" WHERE EXISTS ({rows_sql}) LIMIT {wanted}) AS {kind})"
        )
        params += [*ids_params, *rows_params]
    if columns:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)}", params)  # noqa: S608 - built here
            found_counts.update(zip(read, cursor.fetchone(), strict=True))
    return {kind: found_counts[kind] for kind in KINDS}


@lru_cache(maxsize=256)
def published_row_sql(kind, filters):
    """The SQL and parameters of `kind`'s published row of id m.id, if it passes `filters`:
    what counts() tests each match with. Built once for each kind and filters: the ORM
    takes longer to build it than the database to run it."""
    rows = published(kind).filter(filters.of(kind), pk=RawSQL("m.id", ())).order_by()
    return rows.values("pk").query.sql_with_params()


def ordered_ids(kind, query, filters, sort, engine, start, size, count=None):
    """The ids of `kind`'s results (found()) from `start`, `size` of them at most, in
    the order of `sort`, the primary key last (stable pages); `count`: how many there
    are, where known (then they are few: matching()).

    Relevance puts the rows whose title (a group: a name) matches first, each part
    newest first (groups by name): two reads, the title matches' and, once they run
    out, the others', rather than one sort of every match by a computed column, which
    tests every matching row. Passages are by relevance as newest.
    """
    few = count is not None
    rows = found(kind, query, filters, engine, wanted=start + size, few=few)
    sort = "newest" if sort == "relevance" and kind == "passages" else sort
    order = [*ORDERS[kind].get(sort, ORDERS[kind]["newest"]), "pk"]
    if sort != "relevance":
        return list(rows.order_by(*order).values_list("pk", flat=True)[start : start + size])
    # A title match is a match (the first part needs only the title's list), but for
    # an incident that has a word excluded elsewhere than in its title.
    titles = matching(TITLES[kind], query, engine, filters, wanted=start + size, few=few)
    first = rows if kind == "incidents" and query.negative else published(kind)
    first = first.filter(titles, filters.of(kind)).order_by(*order)
    ids = list(first.values_list("pk", flat=True)[start : start + size])
    if len(ids) == size or (count is not None and start + len(ids) >= count):
        return ids  # the page is full, or every result matches in its title
    titled = start + len(ids) if ids else first.count()
    rest = rows.exclude(titles).order_by(*order).values_list("pk", flat=True)
    offset = max(0, start - titled)
    return ids + list(rest[offset : offset + size - len(ids)])


def shown(kind, ids):
    """The rows a page of `kind` shows, for these ids, in their order."""
    rows = {
        "reports": report_rows,
        "passages": lambda: Paragraph.objects.select_related("report__country").only(
            "number",
            "text",
            "report__slug",
            "report__title",
            "report__year",
            "report__language",
            "report__country__name",
        ),
        "incidents": incident_rows,
        "groups": group_rows,
    }[kind]()
    by_pk = rows.order_by().in_bulk(ids) if ids else {}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def first_passages(query, report_ids, engine):
    """{report id: its first matching Paragraph} for these reports."""
    if not report_ids:
        return {}
    if hasattr(engine, "passages_of_sql"):
        sql, params = engine.passages_of_sql(query, report_ids)
        matches = Q(pk__in=RawSQL(sql, params))  # noqa: S611 - the engine's SQL, values as parameters
    else:
        matches = matching("passages", query, engine, probe=True)
    passages = (
        Paragraph.objects.filter(matches)
        .filter(report__in=report_ids)
        .order_by("report", "number")
        .only("report", "number", "text")
    )
    first = {}
    for paragraph in passages:
        first.setdefault(paragraph.report_id, paragraph)
    return first


PAGE_SIZE = 20
MAX_PAGE = 10_000  # a page number above this is read as this one


@dataclass
class ResultsPage:
    """A page of one kind's results: its hits (ReportHit for reports and passages), its
    number, and whether pages come before and after it. `last`: the number of the
    last page, where the results are counted (up to COUNT_LIMIT); past that, pages go
    on as long as there are results."""

    object_list: list
    number: int
    has_next: bool
    last: int | None

    @property
    def has_previous(self):
        return self.number > 1


def page_of(kind, query, filters, sort, number, engine, count, per_page=PAGE_SIZE):
    """The ResultsPage `number` (any value: a bad or out-of-range one is the nearest
    page) of `kind`'s results, of which there are `count` (counts())."""
    last = max(1, -(-count // per_page)) if count <= COUNT_LIMIT else None
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    number = min(number, last or MAX_PAGE)
    start = (number - 1) * per_page
    known = count if count <= COUNT_LIMIT else None
    ids = ordered_ids(kind, query, filters, sort, engine, start, per_page + 1, known)
    if not ids and number > 1 and last is None:
        return page_of(kind, query, filters, sort, 1, engine, count, per_page)
    found_hits = hits(kind, query, ids[:per_page], engine)
    return ResultsPage(found_hits, number, len(ids) > per_page, last)


def hits(kind, query, ids, engine):
    rows = shown(kind, ids)
    if kind == "passages":
        return [ReportHit(p.report, p, snippet_of(p.text, query.words), False) for p in rows]
    if kind == "reports":
        first = first_passages(query, ids, engine)
        return [
            ReportHit(
                report,
                first.get(report.pk),
                snippet_of(first[report.pk].text, query.words) if report.pk in first else "",
                False,
            )
            for report in rows
        ]
    return rows


def every_hit(kind, query, filters, sort, engine, limit, chunk=500):
    """The hits of `kind`'s results in the order of `sort`, the first `limit`, read
    `chunk` at a time (the downloads of a search)."""
    for start in range(0, limit, chunk):
        size = min(chunk, limit - start)
        ids = ordered_ids(kind, query, filters, sort, engine, start, size)
        yield from hits(kind, query, ids, engine)
        if len(ids) < size:
            return
