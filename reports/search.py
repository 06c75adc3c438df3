"""One search over the archive's published reports, incidents and groups.

The view calls only this, so the engine behind it can change:

    search_archive(query: str, limit: int = 20) -> SearchResults

    SearchResults(reports, incidents, groups, query)
        reports:   [ReportHit], at most `limit`, title matches first
        incidents: [Incident],  at most `limit`, title matches first; each from
                   Incident.objects.for_list() (country, published_perpetrations)
        groups:    [Group],     at most `limit`, name/acronym/alias matches first;
                   each from Group.objects.for_list() (country, aliases)
    ReportHit(report, paragraph, snippet, title_match)
        report:      a Report from Report.objects.for_list()
        paragraph:   the first Paragraph whose text matches, or None
        snippet:     plain text (not HTML; the template escapes it) around the match
        title_match: True when the title matched

Only published rows are ever returned (for incidents and groups matched through a
cited passage, only citations of published reports count). An empty or blank query
returns empty results without touching the database.

Reports (the bulk of the text) are found with the database's own full-text
search: PostgreSQL's (english configuration, GIN indexes) or SQLite's FTS5 (porter
stemming, accents folded), both set up by migration 0003. Every word must occur in
the title or in one paragraph; a title match ranks above any body match, then the
best-ranked paragraph (ts_rank / bm25), then newest year. Where FTS5 is missing,
or on another engine, reports fall back to the portable icontains search, which
incidents and groups (short fields) always use.
"""

import logging
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import and_

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import OperationalError, connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)

from reports.models import (
    Citation,
    Group,
    GroupAlias,
    Incident,
    Leader,
    Paragraph,
    Report,
    Status,
)

MAX_TERMS = 8
SNIPPET_CHARS = 240
# The engines mark matched words with these; they never occur in document text.
MARK_START, MARK_STOP = "\x02", "\x03"
HIGHLIGHTED = re.compile("\x02(.*?)\x03", re.DOTALL)
PG_CONFIG = "english"  # as the GIN indexes of migration 0003

logger = logging.getLogger(__name__)


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
    if not terms:
        return SearchResults(query=query or "")
    return SearchResults(
        reports=_reports(terms, limit),
        incidents=_incidents(terms, limit),
        groups=_groups(terms, limit),
        query=query,
    )


def _all(conditions):
    return reduce(and_, conditions)


def _ranked(queryset, best, *order_by):
    """Order rows matching `best` first."""
    return queryset.annotate(
        best=Case(When(best, then=Value(True)), default=Value(False))
    ).order_by("-best", *order_by)


def _reports(terms, limit):
    """Report hits from the engine's full-text search, else the portable search."""
    if connection.vendor == "postgresql":
        return _reports_postgresql(terms, limit)
    if connection.vendor == "sqlite":
        hits = _reports_sqlite_fts5(terms, limit)
        if hits is not None:
            return hits
    return _reports_portable(terms, limit)


def _without_angle_brackets(expression):
    # PostgreSQL's parser reads "<script>alert(1)</script>" as XML tags and drops
    # the words in them; as plain text they are words like any other.
    return Func(
        expression, Value("<>"), Value("  "), function="translate", output_field=TextField()
    )


def pg_vector(field_name):
    """The tsvector of a text column, exactly as migration 0003 indexes it."""
    return SearchVector(_without_angle_brackets(F(field_name)), config=PG_CONFIG)


def _reports_postgresql(terms, limit):
    words = " ".join(terms).translate({ord("<"): " ", ord(">"): " "})
    query = SearchQuery(words, search_type="websearch", config=PG_CONFIG)
    # The same expressions as the GIN indexes, so the planner can use them.
    text_vector = pg_vector("text")
    title_vector = pg_vector("title")
    matching = (
        Paragraph.objects.annotate(document=text_vector)
        .filter(document=query)
        .annotate(rank=SearchRank(text_vector, query))
    )
    best = matching.filter(report=OuterRef("pk")).order_by("-rank", "number")
    reports = list(
        Report.objects.for_list()
        .annotate(title_document=title_vector)
        .filter(Q(title_document=query) | Q(pk__in=matching.values("report_id")))
        .annotate(
            title_match=Case(
                When(title_document=query, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            best_paragraph=Subquery(best.values("pk")[:1]),
            best_rank=Subquery(best.values("rank")[:1]),
        )
        .order_by("-title_match", F("best_rank").desc(nulls_last=True), "-year", "title")[:limit]
    )
    paragraph_ids = [r.best_paragraph for r in reports if r.best_paragraph]
    paragraphs = (
        Paragraph.objects.filter(pk__in=paragraph_ids).annotate(
            headline=SearchHeadline(
                _without_angle_brackets(F("text")),
                query,
                config=PG_CONFIG,
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
                highlight_all=True,
            )
        )
        if paragraph_ids
        else []
    )
    by_id = {paragraph.pk: paragraph for paragraph in paragraphs}
    hits = []
    for report in reports:
        paragraph = by_id.get(report.best_paragraph)
        snippet = _snippet(paragraph.text, paragraph.headline) if paragraph else ""
        hits.append(ReportHit(report, paragraph, snippet, report.title_match))
    return hits


def _snippet(text, highlighted):
    """Cut the snippet around the first word the engine matched (stemmed, accent-folded)."""
    first = HIGHLIGHTED.search(highlighted or "")
    return snippet_of(text, [first.group(1)] if first else [])


def fts5_query(terms):
    """Return an FTS5 MATCH expression requiring every word, or "" if there is none.

    Terms are cut into words as PostgreSQL's parser does ("NEAR(river" is "near" and
    "river"), and each word is quoted, so FTS5 syntax in user input (quotes, `*`,
    `NEAR(`, `AND`/`OR`/`NOT`, column filters) is searched for as words, never obeyed.
    """
    words = [word for term in terms for word in re.findall(r"\w+", term)]
    return " ".join(f'"{word}"' for word in words)


# The FTS5 search, bounded for common words ("violence" is in every report): FTS5
# hands over matches newest first (rowid order) and the query stops after
# CANDIDATES passages and CANDIDATES titles of published reports, so bm25 is computed
# for those only, and highlight() only for the passages shown (the outer SELECT runs
# on the LIMITed rows). A word in fewer passages is ranked over all of them.
CANDIDATES = 500
FTS5_SQL = """
WITH body AS MATERIALIZED (
    SELECT f.rowid AS rid, f.report_id, bm25(reports_search_fts) AS score
    FROM reports_search_fts f JOIN reports_report r ON r.id = f.report_id
    WHERE reports_search_fts MATCH %(match)s AND f.rowid > 0 AND r.status = %(status)s
    ORDER BY f.rowid DESC LIMIT %(candidates)s
),
titled AS MATERIALIZED (
    SELECT f.report_id FROM reports_search_fts f JOIN reports_report r ON r.id = f.report_id
    WHERE reports_search_fts MATCH %(match)s AND f.rowid < 0 AND r.status = %(status)s
    ORDER BY f.rowid LIMIT %(candidates)s
),
best AS (
    SELECT body.report_id, body.rid, body.score, p.number,
           ROW_NUMBER() OVER (PARTITION BY body.report_id ORDER BY body.score, p.number) AS n
    FROM body JOIN reports_paragraph p ON p.id = body.rid
),
hits AS (
    SELECT r.id, r.id IN (SELECT report_id FROM titled) AS title_match, b.rid, b.number
    FROM reports_report r
    LEFT JOIN best b ON b.report_id = r.id AND b.n = 1
    WHERE r.id IN (SELECT report_id FROM titled UNION SELECT report_id FROM body)
    ORDER BY title_match DESC, b.score IS NULL, b.score, r.year DESC, r.title
    LIMIT %(limit)s
)
SELECT hits.id, hits.title_match, hits.rid, hits.number,
       (SELECT highlight(reports_search_fts, 1, %(start)s, %(stop)s) FROM reports_search_fts
        WHERE reports_search_fts MATCH %(match)s AND rowid = hits.rid) AS marked
FROM hits
"""


def _reports_sqlite_fts5(terms, limit):
    """Report hits from the FTS5 table, or None when this SQLite has none."""
    match = fts5_query(terms)
    if not match:
        return []
    params = {
        "match": match,
        "status": Status.PUBLISHED,
        "candidates": CANDIDATES,
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
    reports = Report.objects.for_list().in_bulk([row[0] for row in rows])
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
            Report.objects.for_list()
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


def _incidents(terms, limit):
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
    queryset = Incident.objects.for_list().filter(matches)
    return list(_ranked(queryset, in_title, "-start_date", "title")[:limit])


def _groups(terms, limit):
    def alias(term):
        return Exists(GroupAlias.objects.filter(group=OuterRef("pk"), name__icontains=term))

    def leader(term):
        return Exists(Leader.objects.filter(group=OuterRef("pk"), name__icontains=term))

    def named(term):
        return Q(name__icontains=term) | Q(acronym__icontains=term) | alias(term)

    matches = _all(named(term) | leader(term) | Q(description__icontains=term) for term in terms)
    queryset = Group.objects.for_list().filter(matches)
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
