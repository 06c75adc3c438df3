"""What every engine hands back: the hits, the rows a results page shows, snippets."""

import re
from dataclasses import dataclass, field

from django.db.models import Prefetch

from archive.routers import reading_connection as connection
from reports.models import Country, Group, GroupAlias, Incident, Paragraph, Report, Status
from reports.search.query import Query

# Reports are ranked among the newest CANDIDATES passages and titles matching a query,
# on every engine (read sqlite.FTS5_SQL first), so that a common word costs about
# what a rare one does.
CANDIDATES = 500
SNIPPET_CHARS = 240
# The engines mark matched words with these; they never occur in document text.
MARK_START, MARK_STOP = "\x02", "\x03"
HIGHLIGHTED = re.compile("\x02(.*?)\x03", re.DOTALL)


@dataclass
class ReportHit:
    report: Report
    paragraph: Paragraph | None
    snippet: str
    title_match: bool


@dataclass
class SearchResults:
    reports: list = field(default_factory=list)
    incidents: list = field(default_factory=list)
    groups: list = field(default_factory=list)
    query: str = ""
    parsed: Query = field(default_factory=Query)

    def __bool__(self):
        return bool(self.reports or self.incidents or self.groups)

    @property
    def count(self):
        return len(self.reports) + len(self.incidents) + len(self.groups)


# An incident's title and summary in both languages (reports.translated).
TEXT_FIELDS = ("title", "title_es", "summary", "summary_es")


# The rows of a results page: what templates/reports/search.html shows, no more. Their
# full model rows with everything for_list() brings cost several times as much.
def report_rows():
    return (
        Report.objects.published()
        .select_related("country")
        .only("slug", "title", "year", "language", "country__name")
    )


def incident_rows():
    return (
        Incident.objects.published()
        .select_related("country")
        .only(
            "slug",
            *TEXT_FIELDS,
            "start_date",
            "start_precision",
            "country__name",
        )
    )


def group_rows():
    return (
        Group.objects.published()
        .only("slug", "name", "acronym")
        .prefetch_related(
            Prefetch("aliases", queryset=GroupAlias.objects.order_by("name").only("group", "name"))
        )
    )


# The reports and incidents the engines find by id are loaded by one plain query per
# kind rather than through report_rows() and incident_rows(): for a page of rows the
# ORM's query building and model loading cost several times what this does. Same
# fields (the rest deferred, as with only()), same country, same published rows only.
SHOWN_FIELDS = {
    Report: {"id", "slug", "title", "year", "language", "country"},
    Incident: {"id", "slug", *TEXT_FIELDS, "start_date", "start_precision", "country"},
}
SHOWN_SQL = """
SELECT {columns}, c.code, c.name FROM {table} t JOIN reports_country c ON c.code = t.country_id
WHERE t.status = %s AND t.id IN ({ids})
"""


def shown_rows(model, ids):
    """The published rows of `model` (Report or Incident) with these ids, in that order,
    with their country: what in_order(report_rows() or incident_rows(), ids) returns."""
    if not ids:
        return []
    # In the model's order of fields, as from_db() takes them.
    fields = [f for f in model._meta.concrete_fields if f.name in SHOWN_FIELDS[model]]
    sql = SHOWN_SQL.format(
        columns=", ".join(f"t.{field.column}" for field in fields),
        table=model._meta.db_table,
        ids=", ".join(["%s"] * len(ids)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Status.PUBLISHED, *ids])
        rows = {row[0]: row for row in cursor.fetchall()}
    names, alias = [field.attname for field in fields], connection.alias
    shown = []
    for pk in ids:
        if pk in rows:
            *values, code, name = rows[pk]
            row = model.from_db(alias, names, values)
            row.country = Country.from_db(alias, ["code", "name"], [code, name])
            shown.append(row)
    return shown


def in_order(queryset, ids):
    """The rows of `queryset` with these ids, in the order of `ids`."""
    # Unordered, so that SQLite looks the ids up rather than walking an index that
    # has the model's default order (all published incidents) to filter them.
    rows = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)} if ids else {}
    return [rows[pk] for pk in ids if pk in rows]


def marked_snippet(text, marked):
    """Cut the snippet around the first word the engine matched (stemmed, accent-folded)."""
    first = HIGHLIGHTED.search(marked or "")
    return snippet_of(text, [first.group(1)] if first else [])


def snippet_of(text, terms, width=SNIPPET_CHARS):
    """Return about `width` characters of `text` around the first term found, with ellipses."""
    lowered = text.lower()
    found = [at for at in (lowered.find(term.lower()) for term in terms) if at >= 0]
    if len(text) <= width:
        return text
    at = min(found) if found else 0
    start = max(0, at - width // 3)
    end = min(len(text), start + width)
    start = max(0, end - width)
    # Cut at word boundaries so a snippet never starts or ends mid-word.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > at else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")
