"""One search over the archive's published reports, incidents and groups.

The view calls only this, so the engine behind it can change:

    search_archive(query: str, limit: int = 20) -> SearchResults

    SearchResults(reports, incidents, groups, query)
        reports:   [ReportHit], at most `limit`, title matches first
        incidents: [Incident],  at most `limit`, title matches first
        groups:    [Group],     at most `limit`, name/acronym/alias matches first
    ReportHit(report, paragraph, snippet, title_match)
        report:      a Report
        paragraph:   the first Paragraph whose text matches, or None
        snippet:     plain text (not HTML; the page escapes it) around the match
        title_match: True when the title matched

Reports, incidents and groups come with the fields a result shows and their country
(groups: their aliases), in a fixed number of queries: see shown_rows() and report_rows().

Only published rows are ever returned (for incidents matched through a cited
passage, only citations of published reports count). A query without a word (blank,
or punctuation only) returns empty results without touching the database.

Everything is found by words, with the database's own full-text search: PostgreSQL's
(english configuration, GIN indexes) or SQLite's FTS5 (porter stemming, accents
folded), set up by migrations 0003 (reports) and 0006 (incidents, groups). Words, not
substrings, and the same for the three lists of one page: "ambassadors" finds
"Ambassador's", "front" does not find "frontier". Every word of the query must occur:

    report:   in the title, or in one paragraph
    incident: each anywhere in its title, summary or the quotes of its citations of
              published reports
    group:    each anywhere in its name, acronym, aliases, leaders or description

and they rank:

    reports:   title match, then the best-ranked paragraph (ts_rank / bm25), then
               newest year
    incidents: every word in the title, then newest start date, then title
    groups:    every word in the name, acronym or aliases, then name

PostgreSQL leaves out its stop words ("the", "of"); FTS5 has none. Reports are ranked
among the newest CANDIDATES matching passages and titles (both engines). On SQLite a
query in more than COMMON_ROWS rows of the index ("violence", in every title of a big
archive) is not ranked by bm25, whose IDF alone counts every row the query
matches: it shows the newest `limit` reports whose title matches, newest year first,
then (if fewer) the reports of its newest passages, each with its first matching
passage (FTS5_SQL). So a common word costs about what a rare one does, at any size.
On SQLite a word in 100,000 incidents costs what a rare one does (INCIDENTS_SQL); on
PostgreSQL the GIN indexes find every match, and ranking them by date grows with
their number.
Where FTS5 is missing, or on another engine, all three fall back to the portable
icontains (substring) search.
"""

import importlib
import logging
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import and_

from django.db import OperationalError, connection
from django.db.models import (
    Case,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)

from reports.models import (
    Citation,
    Country,
    Group,
    GroupAlias,
    Incident,
    Leader,
    Paragraph,
    Report,
    Status,
)

MAX_TERMS = 8
MAX_WORDS = 16
MAX_WORD_CHARS = 255  # PostgreSQL refuses a tsquery word of over 2 KB
WORD = re.compile(r"[^\W_]+")
SNIPPET_CHARS = 240
# The engines mark matched words with these; they never occur in document text.
MARK_START, MARK_STOP = "\x02", "\x03"
HIGHLIGHTED = re.compile("\x02(.*?)\x03", re.DOTALL)
PG_CONFIG = "english"  # as the GIN indexes of migrations 0003 and 0006

logger = logging.getLogger(__name__)


# The rows of a results page: what templates/reports/search.html shows, no more. Their
# full model rows with everything for_list() brings cost about four times as much.
def report_rows():
    return (
        Report.objects.published()
        .select_related("country")
        .only("slug", "title", "year", "country__name")
    )


def incident_rows():
    return (
        Incident.objects.published()
        .select_related("country")
        .only("slug", "title", "summary", "start_date", "start_precision", "country__name")
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
# kind rather than through report_rows() and incident_rows(): for 20 rows the ORM's
# query building and model loading cost ~0.7 ms, this ~0.1 ms. Same fields (the rest
# deferred, as with only()), same country, same published rows only.
SHOWN_FIELDS = {
    Report: {"id", "slug", "title", "year", "country"},
    Incident: {"id", "slug", "title", "summary", "start_date", "start_precision", "country"},
}
SHOWN_SQL = """
SELECT {columns}, c.code, c.name FROM {table} t JOIN reports_country c ON c.code = t.country_id
WHERE t.status = %s AND t.id IN ({ids})
"""


def shown_rows(model, ids):
    """The published rows of `model` (Report or Incident) with these ids, in that order,
    with their country: what _in_order(report_rows() or incident_rows(), ids) returns."""
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

    def __bool__(self):
        return bool(self.reports or self.incidents or self.groups)

    @property
    def count(self):
        return len(self.reports) + len(self.incidents) + len(self.groups)


def search_archive(query, limit=20):
    """Return the published reports, incidents and groups matching every word of `query`."""
    # NUL cannot travel to PostgreSQL and means nothing in a search anyway.
    terms = (query or "").replace("\x00", " ").split()[:MAX_TERMS]
    words = words_of(terms)
    if words and connection.vendor == "postgresql":
        words = _pg_words(words)  # without its stop words, which match nothing
    if not words:
        return SearchResults(query=query or "")
    return SearchResults(
        reports=_reports(words, terms, limit),
        incidents=_incidents(words, terms, limit),
        groups=_groups(words, terms, limit),
        query=query,
    )


def words_of(terms):
    """The words of the query's terms, as the engines cut text into words.

    "NEAR(river" is "near" and "river", "say_hi" is "say" and "hi": punctuation, FTS5
    and tsquery syntax included, only separates words, so it is searched for as
    words and never obeyed.
    """
    return [word[:MAX_WORD_CHARS] for term in terms for word in WORD.findall(term)][:MAX_WORDS]


def _all(conditions):
    return reduce(and_, conditions)


def _ranked(queryset, best, *order_by):
    """Order rows matching `best` first."""
    return queryset.annotate(
        best=Case(When(best, then=Value(True)), default=Value(False))
    ).order_by("-best", *order_by)


def _reports(words, terms, limit):
    """Report hits from the engine's full-text search, else the portable search."""
    if connection.vendor == "postgresql":
        return _reports_postgresql(words, limit)
    if connection.vendor == "sqlite":
        hits = _reports_sqlite_fts5(words, limit)
        if hits is not None:
            return hits
    return _reports_portable(terms, limit)


# PostgreSQL: the same bounded search as FTS5_SQL (read that first): the newest
# CANDIDATES matching passages and titles of published reports, ranked (ts_rank, the
# best passage of a report, then its number), and ts_headline for the shown passages
# only. Ranking every matching passage instead took seconds for a common word at
# 10,000 reports. Text goes through translate(<> to spaces) as in the GIN indexes:
# PostgreSQL's parser reads "<script>alert(1)</script>" as XML tags and drops the
# words in them; as plain text they are words like any other.
PG_REPORTS_SQL = """
WITH body AS MATERIALIZED (
    SELECT p.id AS rid, p.report_id, p.number, ts_rank({text}, {query}) AS score
    FROM reports_paragraph p JOIN reports_report r ON r.id = p.report_id
    WHERE {text} @@ {query} AND r.status = %(status)s
    ORDER BY p.id DESC LIMIT %(candidates)s
),
titled AS MATERIALIZED (
    SELECT r.id AS report_id FROM reports_report r
    WHERE {title} @@ {query} AND r.status = %(status)s
    ORDER BY r.id DESC LIMIT %(candidates)s
),
best AS (
    SELECT DISTINCT ON (report_id) report_id, rid, number, score FROM body
    ORDER BY report_id, score DESC, number
),
hits AS (
    SELECT m.report_id AS id, max(m.title_match) AS title_match, max(m.rid) AS rid,
           max(m.number) AS number, max(m.score) AS score
    FROM (SELECT report_id, 1 AS title_match, NULL::bigint AS rid, NULL::integer AS number,
                 NULL::real AS score FROM titled
          UNION ALL
          SELECT report_id, 0, rid, number, score FROM best) AS m
    GROUP BY m.report_id
),
shown AS (
    SELECT hits.* FROM hits JOIN reports_report r ON r.id = hits.id
    ORDER BY hits.title_match DESC, hits.score DESC NULLS LAST, r.year DESC, r.title
    LIMIT %(limit)s
)
SELECT shown.id, shown.title_match, shown.rid, shown.number, p.text,
       ts_headline('{config}'::regconfig, translate(p.text, '<>', '  '), {query}, %(marks)s)
FROM shown LEFT JOIN reports_paragraph p ON p.id = shown.rid
"""


def _reports_postgresql(words, limit):
    sql = PG_REPORTS_SQL.format(
        text=pg_vector_sql("p.text"),
        title=pg_vector_sql("r.title"),
        query=PG_QUERY.format(name="all"),
        config=PG_CONFIG,
    )
    params = _pg_params(words, limit) | {
        "candidates": CANDIDATES,
        "marks": f"StartSel={MARK_START}, StopSel={MARK_STOP}, HighlightAll=true",
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    reports = {report.pk: report for report in shown_rows(Report, [row[0] for row in rows])}
    hits = []
    for report_id, title_match, paragraph_id, number, text, marked in rows:
        paragraph, snippet = None, ""
        if paragraph_id:
            paragraph = Paragraph(id=paragraph_id, report_id=report_id, number=number, text=text)
            snippet = _snippet(text, marked)
        hits.append(ReportHit(reports[report_id], paragraph, snippet, bool(title_match)))
    return hits


def _snippet(text, highlighted):
    """Cut the snippet around the first word the engine matched (stemmed, accent-folded)."""
    first = HIGHLIGHTED.search(highlighted or "")
    return snippet_of(text, [first.group(1)] if first else [])


def fts5_query(terms, columns=()):
    """Return an FTS5 MATCH expression requiring every word, or "" if there is none.

    Each word (see words_of) is quoted, so FTS5 syntax in user input (quotes, `*`,
    `NEAR(`, `AND`/`OR`/`NOT`, column filters) is searched for as words, never obeyed.
    With `columns`, every word must be in one of those columns.
    """
    quoted = " ".join(f'"{word}"' for word in words_of(terms))
    if quoted and columns:
        return f"{{{' '.join(columns)}}} : ({quoted})"
    return quoted


# The FTS5 search. A query is ranked among its newest CANDIDATES passages and
# CANDIDATES titles of published reports: title match, best passage by bm25, newest
# year, title. A query in more than COMMON_ROWS rows of the index ("violence", in
# every title at 10,000 reports) is not ranked by bm25 at all: its IDF,
# which bm25 works out on its first call, counts every row the query matches (1.5 ms
# at 10,000 reports, growing with the archive); up to COMMON_ROWS that count stays
# under ~0.1 ms. Such a query shows the newest `limit` reports whose title matches,
# newest year first, each with its first matching passage; only with fewer title
# matches than that, the reports of its newest CANDIDATES passages follow (newest
# year first). FTS5 hands matches over in rowid order, so each of these reads about
# `limit` rows, whatever the archive's size.
#
# How it is built, one statement either way:
# - `common` counts the query's rows up to COMMON_ROWS + 1 and decides. The CTEs of
#   the other kind have a LIMIT of 0, which SQLite checks before it starts a scan
#   (a WHERE condition on a subquery would be tested row by row, after FTS5 and
#   bm25 have started: bm25's IDF is counted on its first call);
# - a title row's rowid is minus its report's id and a passage's is its paragraph's
#   id (migration 0003), so report ids come from those keys, never from the FTS
#   table's own content rows;
# - year and title for the ranking come along from the report row read for its
#   status, instead of a join of every hit to reports_report afterwards;
# - a report's best bm25 is a min() per report (SQLite's window functions cost
#   four times as much), and its passage is looked up for the shown reports only;
# - a common query's first passages come from one scan of the rowid range of the
#   shown reports' paragraphs (joined to their paragraph for report and number);
# - highlight() runs in one scan of the shown passages' rowid range: looked up one
#   by one, each `rowid = ?` made FTS5 seek through the word's whole list (0.1 ms
#   each for "violence"). `+rowid IN` keeps that lookup from FTS5, so it filters.
# Both range scans read every match between the lowest and highest rowid they need,
# few when the shown reports' paragraphs are close together (they usually are:
# newest reports, newest passages).
CANDIDATES = 500
# Rows of the index above which bm25 is not used (see above): at 10,000 reports
# "market" (8,051 rows) is still ranked, "violence" (20,000) and "the" (102,337) not.
COMMON_ROWS = 10_000
# Rows of the FTS5 tables have rowids > 0 (a paragraph, an incident) and < 0 (a
# title); every query gives FTS5 both ends of the range it wants, never NULL: with
# one, FTS5 reads on through the word's whole list ("police": 3 ms in 35,000
# incidents) instead of stopping at the range's end.
ROWID_MAX = 2**62  # above every key, see migration 0006's incident_key()
# The matching passages of published reports, newest first (body and recent below).
NEWEST_PASSAGES = """FROM reports_search_fts f
    JOIN reports_paragraph p ON p.id = f.rowid
    JOIN reports_report r ON r.id = p.report_id
    WHERE reports_search_fts MATCH %(match)s AND f.rowid BETWEEN 1 AND {ROWID_MAX}
      AND r.status = %(status)s
    ORDER BY f.rowid DESC"""
FTS5_SQL = """
WITH common AS MATERIALIZED (
    SELECT count(*) > %(common)s AS yes FROM (
        SELECT 1 FROM reports_search_fts
        WHERE reports_search_fts MATCH %(match)s AND rowid BETWEEN -{ROWID_MAX} AND {ROWID_MAX}
        LIMIT %(common)s + 1)
),
-- Not common: the newest CANDIDATES passages and titles of published reports, ranked.
body AS MATERIALIZED (
    SELECT f.rowid AS rid, p.report_id, p.number, bm25(reports_search_fts) AS score,
           r.year, r.title
    {NEWEST_PASSAGES}
    LIMIT CASE WHEN (SELECT yes FROM common) THEN 0 ELSE %(candidates)s END
),
-- Common: the newest `limit` only.
titled AS MATERIALIZED (
    SELECT r.id AS report_id, r.year, r.title
    FROM reports_search_fts f JOIN reports_report r ON r.id = -f.rowid
    WHERE reports_search_fts MATCH %(match)s AND f.rowid BETWEEN -{ROWID_MAX} AND -1
      AND r.status = %(status)s
    ORDER BY f.rowid
    LIMIT CASE WHEN (SELECT yes FROM common) THEN %(limit)s ELSE %(candidates)s END
),
-- Common, with fewer title matches than the page: the newest passages' reports.
recent AS MATERIALIZED (
    SELECT p.report_id, r.year, r.title
    {NEWEST_PASSAGES}
    LIMIT CASE WHEN (SELECT yes FROM common) AND (SELECT count(*) FROM titled) < %(limit)s
               THEN %(candidates)s ELSE 0 END
),
ranked AS MATERIALIZED (
    SELECT * FROM (
        SELECT report_id AS id, report_id IN (SELECT report_id FROM titled) AS title_match,
               min(score) AS score, year, title FROM body GROUP BY report_id
        UNION ALL
        SELECT report_id, 1, NULL, year, title FROM titled
        WHERE report_id NOT IN (SELECT report_id FROM body)
        UNION ALL
        SELECT DISTINCT report_id, 0, NULL, year, title FROM recent
        WHERE report_id NOT IN (SELECT report_id FROM titled))
    ORDER BY title_match DESC, score IS NULL, score, year DESC, title
    LIMIT %(limit)s
),
-- Common: the first matching passage of each shown report.
own AS MATERIALIZED (
    SELECT min(id) AS low, max(id) AS high FROM reports_paragraph
    WHERE report_id IN (SELECT id FROM ranked WHERE (SELECT yes FROM common))
),
first AS MATERIALIZED (
    -- min() takes the bare column p.id from the row of the lowest number.
    SELECT p.report_id, min(p.number) AS number, p.id AS rid
    FROM reports_search_fts f JOIN reports_paragraph p ON p.id = f.rowid
    WHERE reports_search_fts MATCH %(match)s
      AND f.rowid BETWEEN (SELECT coalesce(low, 0) FROM own)
                      AND (SELECT coalesce(high, 0) FROM own)
      AND p.report_id IN (SELECT id FROM ranked)
    GROUP BY p.report_id
    LIMIT CASE WHEN (SELECT yes FROM common) THEN -1 ELSE 0 END
),
shown AS MATERIALIZED (
    SELECT ranked.*, coalesce(
        (SELECT rid FROM body WHERE body.report_id = ranked.id
         ORDER BY body.score, body.number LIMIT 1),
        (SELECT rid FROM first WHERE first.report_id = ranked.id)) AS rid
    FROM ranked
),
marked AS MATERIALIZED (
    SELECT rowid AS rid, highlight(reports_search_fts, 1, %(start)s, %(stop)s) AS marked
    FROM reports_search_fts
    WHERE reports_search_fts MATCH %(match)s
      AND rowid BETWEEN (SELECT coalesce(min(rid), 0) FROM shown)
                    AND (SELECT coalesce(max(rid), 0) FROM shown)
      AND +rowid IN (SELECT rid FROM shown)
)
SELECT shown.id, shown.title_match, shown.rid, p.number, marked.marked
FROM shown LEFT JOIN marked ON marked.rid = shown.rid
LEFT JOIN reports_paragraph p ON p.id = shown.rid
ORDER BY shown.title_match DESC, shown.score IS NULL, shown.score, shown.year DESC,
         shown.title
""".replace("{NEWEST_PASSAGES}", NEWEST_PASSAGES).replace("{ROWID_MAX}", str(ROWID_MAX))


def _reports_sqlite_fts5(words, limit):
    """Report hits from the FTS5 table, or None when this SQLite has none."""
    match = fts5_query(words)
    if not match:
        return []
    params = {
        "match": match,
        "status": Status.PUBLISHED,
        "candidates": CANDIDATES,
        "common": COMMON_ROWS,
        "limit": limit,
        "start": MARK_START,
        "stop": MARK_STOP,
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute(FTS5_SQL, params)
            rows = cursor.fetchall()
    except OperationalError as error:
        # No FTS5 table (SQLite built without FTS5): substring search still works.
        logger.warning("Full-text search unavailable, using substring search: %s", error)
        return None
    reports = {report.pk: report for report in shown_rows(Report, [row[0] for row in rows])}
    hits = []
    for report_id, title_match, paragraph_id, number, marked in rows:
        paragraph, snippet = None, ""
        if paragraph_id:
            text = (marked or "").replace(MARK_START, "").replace(MARK_STOP, "")
            paragraph = Paragraph(id=paragraph_id, report_id=report_id, number=number, text=text)
            snippet = _snippet(text, marked)
        hits.append(ReportHit(reports[report_id], paragraph, snippet, bool(title_match)))
    return hits


def _reports_portable(terms, limit):
    in_text = _all(Q(text__icontains=term) for term in terms)
    matching_paragraphs = Paragraph.objects.filter(in_text, report=OuterRef("pk")).order_by(
        "number"
    )
    in_title = _all(Q(title__icontains=term) for term in terms)
    reports = list(
        _ranked(
            report_rows()
            .filter(in_title | Exists(matching_paragraphs))
            .annotate(first_paragraph=Subquery(matching_paragraphs.values("pk")[:1])),
            in_title,
            "-year",
            "title",
        )[:limit]
    )
    paragraphs = Paragraph.objects.in_bulk(
        [r.first_paragraph for r in reports if r.first_paragraph]
    )
    hits = []
    for report in reports:
        paragraph = paragraphs.get(report.first_paragraph)
        snippet = snippet_of(paragraph.text, terms) if paragraph else ""
        hits.append(ReportHit(report, paragraph, snippet, report.best))
    return hits


# --- Incidents and groups ----------------------------------------------------------
#
# Found by words, as reports are (stemmed, accents folded): SQLite's FTS5 tables
# and PostgreSQL's GIN indexes of migration 0006. Each word must occur somewhere in
# the incident (title, summary, or the quote of a citation of a published report) or
# the group (name, acronym, alias, leader, description); the same word-for-word
# semantics as the report search, rather than substrings, so that the three lists
# of one results page agree on what "matches" means.

# An incident's FTS row has rowid = its key, start date and id (migration 0006), and
# its title has a row of its own at -key; FTS5 hands matches over in rowid order, so
# the newest title matches and the newest matches anywhere come first, straight from
# the index. Incidents rank by title match, then start date (newest first), then
# title: the query takes the newest `limit` of each, with the rest of the last day
# of each (where the title decides), and ranks those. That is exactly the first
# `limit` of the full ranking, however many incidents match (unless more than
# CANDIDATES match on that last day), at the cost of a rare word.
INCIDENTS_SQL = """
WITH titled AS MATERIALIZED (
    SELECT -rowid AS k, 1 AS title_match FROM reports_search_incidents
    WHERE reports_search_incidents MATCH %(match)s AND rowid BETWEEN -{ROWID_MAX} AND COALESCE((
        SELECT -((-max(r)) >> 32 << 32) FROM (
            SELECT rowid AS r FROM reports_search_incidents
            WHERE reports_search_incidents MATCH %(match)s AND rowid BETWEEN -{ROWID_MAX} AND -1
            ORDER BY rowid LIMIT %(limit)s)), -1)
    ORDER BY rowid LIMIT %(candidates)s
),
anywhere AS MATERIALIZED (
    SELECT rowid AS k, 0 AS title_match FROM reports_search_incidents
    WHERE reports_search_incidents MATCH %(match)s AND rowid BETWEEN COALESCE((
        SELECT min(r) >> 32 << 32 FROM (
            SELECT rowid AS r FROM reports_search_incidents
            WHERE reports_search_incidents MATCH %(match)s AND rowid BETWEEN 1 AND {ROWID_MAX}
            ORDER BY rowid DESC LIMIT %(limit)s)), 1) AND {ROWID_MAX}
    ORDER BY rowid DESC LIMIT %(candidates)s
)
SELECT i.id FROM (SELECT * FROM titled UNION ALL SELECT * FROM anywhere) AS hit
JOIN reports_incident i ON i.id = hit.k & 4294967295
WHERE i.status = %(status)s
GROUP BY i.id
ORDER BY max(hit.title_match) DESC, i.start_date DESC, i.title
LIMIT %(limit)s
""".replace("{ROWID_MAX}", str(ROWID_MAX))

# Groups are few (thousands): every match up to GROUP_CANDIDATES is ranked, named
# matches (every word in the name, acronym or an alias) first, then by name. Each
# kind is sorted apart, `limit` of it at most, and the other matches are read only
# when the named ones do not fill the page: a word in all 2,000 groups costs half
# what one sort of every match did (24 -> 12 M instructions), a rare one the same.
GROUP_CANDIDATES = 5000
GROUPS_SQL = """
WITH named AS MATERIALIZED (
    SELECT rowid AS id FROM reports_search_groups
    WHERE reports_search_groups MATCH %(named)s LIMIT %(candidates)s
),
first AS MATERIALIZED (
    SELECT g.id, g.name FROM reports_group g
    WHERE g.status = %(status)s AND g.id IN (SELECT id FROM named)
    ORDER BY g.name LIMIT %(limit)s
),
hits AS MATERIALIZED (
    SELECT rowid AS id FROM reports_search_groups
    WHERE reports_search_groups MATCH %(match)s
    LIMIT CASE WHEN (SELECT count(*) FROM first) < %(limit)s THEN %(candidates)s ELSE 0 END
),
rest AS MATERIALIZED (
    SELECT g.id, g.name FROM reports_group g
    WHERE g.status = %(status)s AND g.id IN (SELECT id FROM hits)
      AND g.id NOT IN (SELECT id FROM named)
    ORDER BY g.name LIMIT %(limit)s
)
SELECT id FROM (SELECT id, 1 AS named, name FROM first UNION ALL SELECT id, 0, name FROM rest)
ORDER BY named DESC, name
LIMIT %(limit)s
"""


def _incidents(words, terms, limit):
    if connection.vendor == "postgresql":
        ids = _incident_ids_postgresql(words, limit)
    elif connection.vendor == "sqlite":
        ids = _ids_from_fts5(INCIDENTS_SQL, {"match": fts5_query(words)}, limit, CANDIDATES)
    else:
        ids = None
    if ids is None:
        return _incidents_portable(terms, limit)
    return shown_rows(Incident, ids)


def _groups(words, terms, limit):
    if connection.vendor == "postgresql":
        ids = _group_ids_postgresql(words, limit)
    elif connection.vendor == "sqlite":
        ids = _ids_from_fts5(
            GROUPS_SQL,
            {
                "match": fts5_query(words),
                "named": fts5_query(words, columns=["name", "acronym", "aliases"]),
            },
            limit,
            GROUP_CANDIDATES,
        )
    else:
        ids = None
    if ids is None:
        return _groups_portable(terms, limit)
    return _in_order(group_rows(), ids) if ids else []  # building the queryset costs too


def _ids_from_fts5(sql, params, limit, candidates):
    """Run an FTS5 query for ids; None when this SQLite has no FTS5 tables."""
    if not params["match"]:
        return []
    params |= {"status": Status.PUBLISHED, "limit": limit, "candidates": candidates}
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]
    except OperationalError as error:
        logger.warning("Full-text search unavailable, using substring search: %s", error)
        return None


def _in_order(queryset, ids):
    """The rows of `queryset` with these ids, in the order of `ids`."""
    # Unordered, so that SQLite looks the ids up rather than walking an index that
    # has the model's default order (all published incidents) to filter them.
    rows = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)} if ids else {}
    return [rows[pk] for pk in ids if pk in rows]


# PostgreSQL: one tsquery per word, so that each word may be in a different column
# (or citation) as with FTS5. Every `vector @@ query` below is one of migration
# 0006's GIN indexes, so each word's rows come from bitmap index scans, and each
# word's "id IN (...)" is a semi-join the planner sizes from those indexes. Words
# PostgreSQL drops as stop words ("the") are left out first (_pg_words): inside the
# query, a "no such word OR id IN (...)" would hide the semi-join from the planner,
# which then walks every incident by date testing each one.
PG_QUERY = f"plainto_tsquery('{PG_CONFIG}'::regconfig, %({{name}})s)"
PG_WORDS_SQL = """
SELECT word FROM unnest(%(words)s::text[]) WITH ORDINALITY AS w(word, n)
WHERE numnode(plainto_tsquery(%(config)s::regconfig, word)) > 0 ORDER BY n
"""
PG_INCIDENTS_SQL = """
SELECT id FROM (
    (SELECT i.id, 1 AS best, i.start_date, i.title FROM reports_incident i
     WHERE i.status = %(status)s AND {title} @@ {all}
     ORDER BY i.start_date DESC, i.title LIMIT %(limit)s)
    UNION ALL
    (SELECT i.id, 0 AS best, i.start_date, i.title FROM reports_incident i
     WHERE i.status = %(status)s AND {each}
     ORDER BY i.start_date DESC, i.title LIMIT %(limit)s)
) AS hit
GROUP BY id, start_date, title
ORDER BY max(best) DESC, start_date DESC, title
LIMIT %(limit)s
"""
PG_INCIDENT_WORD = """i.id IN (
    SELECT id FROM reports_incident WHERE {title} @@ {query} OR {summary} @@ {query}
    UNION ALL
    SELECT c.incident_id FROM reports_citation c JOIN reports_report r ON r.id = c.report_id
    WHERE r.status = %(status)s AND {quote} @@ {query})"""
PG_GROUPS_SQL = """
SELECT g.id FROM reports_group g
WHERE g.status = %(status)s AND {each}
ORDER BY {named} DESC, g.name
LIMIT %(limit)s
"""
PG_GROUP_NAMED = """g.id IN (
    SELECT id FROM reports_group WHERE {name} @@ {query} OR {acronym} @@ {query}
    UNION ALL
    SELECT group_id FROM reports_groupalias WHERE {alias} @@ {query})"""
PG_GROUP_WORD = """g.id IN (
    SELECT id FROM reports_group
    WHERE {name} @@ {query} OR {acronym} @@ {query} OR {description} @@ {query}
    UNION ALL
    SELECT group_id FROM reports_groupalias WHERE {alias} @@ {query}
    UNION ALL
    SELECT group_id FROM reports_leader WHERE {leader} @@ {query})"""


def _pg_words(words):
    """The words PostgreSQL searches for: all but its stop words."""
    with connection.cursor() as cursor:
        cursor.execute(PG_WORDS_SQL, {"words": words, "config": PG_CONFIG})
        return [row[0] for row in cursor.fetchall()]


def pg_vector_sql(column):
    """The tsvector of a column as SQL, exactly as migrations 0003 and 0006 index it."""
    return f"to_tsvector('{PG_CONFIG}'::regconfig, COALESCE(translate({column}, '<>', '  '), ''))"


def _pg_each(template, words, **columns):
    vectors = {name: pg_vector_sql(column) for name, column in columns.items()}
    return " AND ".join(
        template.format(query=PG_QUERY.format(name=f"word{n}"), **vectors)
        for n in range(len(words))
    )


def _pg_params(words, limit):
    return {
        "all": " ".join(words),
        "status": Status.PUBLISHED,
        "limit": limit,
        **{f"word{n}": word for n, word in enumerate(words)},
    }


def _pg_ids(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _incident_ids_postgresql(words, limit):
    each = _pg_each(PG_INCIDENT_WORD, words, title="title", summary="summary", quote="c.quote")
    sql = PG_INCIDENTS_SQL.format(
        title=pg_vector_sql("i.title"), all=PG_QUERY.format(name="all"), each=each
    )
    return _pg_ids(sql, _pg_params(words, limit))


def _group_ids_postgresql(words, limit):
    names = {"name": "name", "acronym": "acronym", "alias": "name"}
    sql = PG_GROUPS_SQL.format(
        each=_pg_each(PG_GROUP_WORD, words, **names, description="description", leader="name"),
        named=_pg_each(PG_GROUP_NAMED, words, **names),
    )
    return _pg_ids(sql, _pg_params(words, limit))


# Bulk writers. The triggers of migration 0006 rewrite an incident's FTS rows for each
# incident and each citation written; for a generator writing 200,000 incidents with
# random dates and their citations, FTS5 then writes one small segment per row (its
# rowids are not ascending) and rewrites each incident once more for its citation:
# about a minute. Filling the tables once at the end, in rowid order, takes seconds.


def _search_migration():
    # The SQL of the tables and triggers, as migration 0006 created them.
    return importlib.import_module("reports.migrations.0006_incident_search")


def _has_search_tables(cursor):
    cursor.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = %s",
        [_search_migration().INCIDENTS],
    )
    return cursor.fetchone()[0] == 1


def pause_search_index():
    """Stop keeping the incident and group search tables in step (SQLite), until
    rebuild_search_index(), which the caller must call in the same transaction."""
    if connection.vendor != "sqlite":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("pause and rebuild the search index in one transaction")
    with connection.cursor() as cursor:
        if _has_search_tables(cursor):
            for name in _search_migration().SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild_search_index():
    """Fill the incident and group search tables afresh and restore their triggers;
    then merge every search table's segments into one (see optimize_search_index)."""
    if connection.vendor != "sqlite":
        return
    migration = _search_migration()
    with connection.cursor() as cursor:
        if _has_search_tables(cursor):
            migration.drop_sqlite(cursor)
            migration.create_sqlite(cursor)
        optimize_search_index(cursor)


# FTS5 writes its index in segments and merges them only now and then, so a table
# filled by many writes (row by row through the triggers, or a big INSERT, which
# FTS5 flushes every megabyte or so) keeps a few dozen: 22 in reports_search_fts at
# 10,000 reports, 9 in reports_search_incidents at 200,000 incidents. Every MATCH
# opens and seeks each segment: a rowid lookup cost ~5 times as much as with one
# segment, the common-word search ~1.8 times (5.8 -> 3.3 M instructions), the
# incident search 2 times (1.7 -> 0.86 M). 'optimize' merges them into one: ~0.4 s
# for reports_search_fts at 10,000 reports; later writes add segments again, which
# FTS5's automerge keeps few. Migration 0008 does it once for existing archives.
SEARCH_TABLES = ("reports_search_fts", "reports_search_incidents", "reports_search_groups")


def optimize_search_index(cursor):
    """Merge the segments of each FTS5 search table this SQLite archive has."""
    marks = ", ".join(["%s"] * len(SEARCH_TABLES))
    cursor.execute(
        f"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",  # noqa: S608
        list(SEARCH_TABLES),
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f"INSERT INTO {name}({name}) VALUES ('optimize')")  # noqa: S608 - a listed name


# The portable substring search, where there is no full-text engine.


def _incidents_portable(terms, limit):
    def cited(term):
        return Exists(
            Citation.objects.filter(
                incident=OuterRef("pk"), report__status=Status.PUBLISHED, quote__icontains=term
            )
        )

    matches = _all(
        Q(title__icontains=term) | Q(summary__icontains=term) | cited(term) for term in terms
    )
    in_title = _all(Q(title__icontains=term) for term in terms)
    queryset = incident_rows().filter(matches)
    return list(_ranked(queryset, in_title, "-start_date", "title")[:limit])


def _groups_portable(terms, limit):
    def alias(term):
        return Exists(GroupAlias.objects.filter(group=OuterRef("pk"), name__icontains=term))

    def leader(term):
        return Exists(Leader.objects.filter(group=OuterRef("pk"), name__icontains=term))

    def named(term):
        return Q(name__icontains=term) | Q(acronym__icontains=term) | alias(term)

    matches = _all(named(term) | leader(term) | Q(description__icontains=term) for term in terms)
    queryset = group_rows().filter(matches)
    return list(_ranked(queryset, _all(named(term) for term in terms), "name")[:limit])


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
