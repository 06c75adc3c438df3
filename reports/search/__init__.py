"""One search over the archive's published reports, incidents and groups.

The views call only this, so the engine behind it can change:

    search(text, kind="", filters=None, sort="relevance", page=1) -> SearchPage
        the search page: every kind's count (listing.counts, up to COUNT_LIMIT), and
        either the best few of every kind (search_archive) or one kind's page
    search_all(text, kind, filters, sort, limit) -> (Query, iterator of hits)
        one kind's results whole, for a download
    search_archive(text, limit=20) -> SearchResults
        the best `limit` of each kind, by the engine's own ranking

    SearchResults(reports, incidents, groups, query, parsed)
        reports:   [ReportHit], title matches first
        incidents: [Incident],  title matches first
        groups:    [Group],     name/acronym/alias matches first
        parsed:    the Query searched (query.parse, names.expand)
    ReportHit(report, paragraph, snippet, title_match)
        report:      a Report
        paragraph:   the best (or first) Paragraph whose text matches, or None
        snippet:     plain text (not HTML; the page escapes it) around the match
        title_match: True when the title matched

The text is parsed once (query.py: words, "phrases", OR, -word / NOT word, prefix*),
a term that is an armed group's name, acronym or alias becomes all of that group's
names (names.py), and each engine builds its own query from the parsed terms, never
from the text, so no engine syntax is ever obeyed. A query without a word to look
for (blank, punctuation, only excluded words) returns empty results without
touching the database.

Only published rows are ever returned (for incidents matched through a cited
passage, only citations of published reports count). Everything is found by words,
with the database's own full-text search: PostgreSQL's (english configuration, GIN
indexes) or SQLite's FTS5 (porter stemming, accents folded), set up by migrations
0003 (reports) and 0006 (incidents, groups). Words, not substrings, and the same for
every kind: "ambassadors" finds "Ambassador's", "front" does not find "frontier". The
query must match:

    report:   its title, or one paragraph
    incident: anywhere in its title, summary or the quotes of its citations of
              published reports (each word may be in a different one)
    group:    anywhere in its name, acronym, aliases, leaders or description

search_archive ranks:

    reports:   title match, then the best-ranked paragraph (ts_rank / bm25), then
               newest year
    incidents: the whole query in the title, then newest start date, then title
    groups:    the whole query in the name, acronym or aliases, then name

and listing.py lists one kind whole, through each engine's SQL of the matching ids
(matching_sql), filtered, sorted (relevance: title matches first, then newest) and
paged by the ORM.

Reports are searched in their own language (Report.language, migration 0014):
Spanish ones ("es") with Spanish stemming and accents folded ("secuestro" finds
"secuestraron", "peru" finds "Perú"), every other one in English as above. A query
matches each report in that report's language, so one search finds English and
Spanish reports alike, whatever the language of the interface it comes from;
incidents and groups are searched in English. PostgreSQL: the reports_spanish
configuration and partial GIN indexes; SQLite: a second FTS5 table of Snowball stems
(spanish.py), ranked with the first in one statement.

PostgreSQL leaves out its stop words ("the", "of"); FTS5 has none. Reports are ranked
among the newest CANDIDATES matching passages and titles (both engines); on SQLite a
query of words in very many rows is not ranked by bm25 at all (sqlite.COMMON_ROWS), so
a common word costs about what a rare one does, at any size. Where FTS5 is missing, or on
another engine, every kind falls back to the portable icontains (substring) search.

The package, as Wagtail's search/backends/database/:

    query.py          the text parsed into clauses and terms, once, for every engine
    names.py          armed groups' names searched as one term
    results.py        SearchResults, ReportHit, the rows a page shows, snippets
    listing.py        one kind's results whole: counted, filtered, sorted, paged
    rows.py           the search page's rows as data
    postgresql.py     PostgreSQL's full-text search (tsvector, GIN indexes)
    sqlite.py         SQLite's FTS5 search, and pausing and rebuilding its index
    sqlite_schema.py  the FTS5 tables and triggers the app creates again
    portable.py       the ORM's icontains, where there is no full-text engine
    spanish.py        Spanish words as SQLite's index holds them (folded, stemmed)

Each engine module answers the same calls:

    searched(query) -> the Query it searches for (PostgreSQL: less its stop words)
    reports(query, limit) -> [ReportHit]
    incidents(query, limit) -> [Incident]
    groups(query, limit) -> [Group]
    matching_sql(kind, query, filters) -> (SQL of the matching ids, parameters)
        (portable.py: matching(kind, query) -> a condition on the kind's rows)
"""

from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connection, connections

from reports.search import listing, portable, postgresql, sqlite
from reports.search.names import expand, group_names
from reports.search.query import parse
from reports.search.results import ReportHit, SearchResults, shown_rows, snippet_of
from reports.search.sqlite import optimize_search_index

__all__ = [
    "ReportHit",
    "SearchResults",
    "optimize_search_index",
    "pause_search_index",
    "rebuild_search_index",
    "search",
    "search_all",
    "search_archive",
    "search_engine",
    "shown_rows",
    "snippet_of",
]

ENGINES = {"postgresql": postgresql, "sqlite": sqlite}
# How many of each kind search_archive() returns unless asked for another number.
BEST = 20


def search_engine():
    """Return the engine module for this database: its own, else the portable one."""
    return ENGINES.get(connection.vendor, portable)


# Bulk writers. Each incident and citation written makes the engine's triggers
# rewrite that incident's row of words; a writer of a whole archive (the generator, a
# restore) stops them for its transaction and has every row written once at the end
# (SQLite: in rowid order, which FTS5 writes fastest; PostgreSQL: one INSERT from the
# rows' view), where the triggers wrote each incident again for its citations.


def pause_search_index(using=DEFAULT_DB_ALIAS):
    """Stop keeping the incident (and on SQLite, group) search tables of the database
    `using` in step, until rebuild_search_index(), which the caller must call in the
    same transaction."""
    writer = connections[using]
    if not writer.in_atomic_block:
        raise RuntimeError("pause and rebuild the search index in one transaction")
    if writer.vendor in ENGINES:
        with writer.cursor() as cursor:
            ENGINES[writer.vendor].pause_search_index(cursor)


def rebuild_search_index(using=DEFAULT_DB_ALIAS):
    """Write the paused search tables afresh from the archive, and keep them in step again."""
    writer = connections[using]
    if writer.vendor in ENGINES:
        with writer.cursor() as cursor:
            ENGINES[writer.vendor].rebuild_search_index(cursor)


def search_archive(text, limit=BEST, archive_stamp=None, query=None):
    """Return the published reports, incidents and groups matching the search `text`
    (query.parse's syntax; group names expanded, names.expand). `archive_stamp`: the
    archive's (version, changed_at) where the caller has read it; `query`: the text
    as prepared(), where the caller has it."""
    query = prepared(text, archive_stamp) if query is None else query
    if not query:
        return SearchResults(query=text or "", parsed=query)
    engine = search_engine()
    return SearchResults(
        reports=engine.reports(query, limit),
        incidents=engine.incidents(query, limit),
        groups=engine.groups(query, limit),
        query=text,
        parsed=query,
    )


@dataclass
class SearchPage:
    """A search as the page shows it: how many results each kind has (`counts`), and
    either one kind's `page` (a listing.ResultsPage; `results` holds its hits too, for
    the rows) or, with no kind, the best few of each kind in `results`."""

    results: SearchResults
    counts: dict = field(default_factory=dict)
    kind: str = ""
    page: object = None

    @property
    def shown_counts(self):
        """The counts of the kind shown, or of every kind (passages are in their reports)."""
        if self.kind:
            return [self.counts.get(self.kind, 0)]
        return [n for kind, n in self.counts.items() if kind != "passages"]

    @property
    def total(self):
        """How many results, each count up to listing.COUNT_LIMIT."""
        return sum(min(n, listing.COUNT_LIMIT) for n in self.shown_counts)

    @property
    def more(self):
        """Whether there are more results than `total`: a kind has over COUNT_LIMIT."""
        return any(n > listing.COUNT_LIMIT for n in self.shown_counts)


def listing_engine():
    """The engine of search(): search_engine(), but the portable one where this SQLite
    has no search tables (search_archive's engines fall back query by query)."""
    engine = search_engine()
    return portable if engine is sqlite and not sqlite.available() else engine


def search(text, kind="", filters=None, sort="relevance", page=1, archive_stamp=None):
    """The SearchPage of `text` (query.parse's syntax, group names expanded) for `kind`
    (one of listing.KINDS, or "" for the best of all kinds: search_archive's, unless
    filtered or sorted), listing.Filters, a sort of listing.SORTS and a page number
    (any value: out of range is the nearest page)."""
    filters = filters or listing.Filters()
    query = prepared(text, archive_stamp)
    if not query:
        return SearchPage(SearchResults(query=text or "", parsed=query), kind=kind)
    engine = listing_engine()
    if not kind and not filters and sort == "relevance":
        results = search_archive(text, limit=BEST, archive_stamp=archive_stamp, query=query)
        counts = listing.counts(query, filters, engine, known=whole(results, BEST))
        return SearchPage(results, counts)
    counts = listing.counts(query, filters, engine)
    # Narrowed or sorted: one kind's list, the first with results unless one is asked for.
    kind = kind or next((each for each in listing.KINDS if counts[each]), "reports")
    found = listing.page_of(kind, query, filters, sort, page, engine, counts[kind])
    hits = {"reports" if kind == "passages" else kind: found.object_list}
    return SearchPage(SearchResults(**hits, query=text, parsed=query), counts, kind, found)


def whole(results, limit):
    """{kind: its count} of the kinds of search_archive's `results` that are every match:
    incidents and groups, where fewer than `limit` (reports are ranked among the newest
    matches only, so the count of a short list of them still has to be read)."""
    lists = {"incidents": results.incidents, "groups": results.groups}
    return {kind: len(rows) for kind, rows in lists.items() if len(rows) < limit}


def search_all(text, kind, filters=None, sort="relevance", limit=10_000, archive_stamp=None):
    """(the prepared Query, an iterator of the hits of `kind`, the first `limit` in the
    order of `sort`): what search() pages, whole, for a download."""
    query = prepared(text, archive_stamp)
    if not query:
        return query, iter(())
    filters = filters or listing.Filters()
    return query, listing.every_hit(kind, query, filters, sort, listing_engine(), limit)


def prepared(text, archive_stamp=None):
    """The Query of `text` as the engine searches it: parsed, group names expanded,
    and without what the engine cannot search for (PostgreSQL's stop words)."""
    query = parse(text)
    if query:
        query = search_engine().searched(expand(query, group_names(archive_stamp)))
    return query
