"""The SQLite engine: FTS5 (porter stemming, accents folded), else the portable search.

The tables are reports_search_fts (migration 0003: a row per paragraph, rowid = its
id, and per report title, rowid = minus the report's id), reports_search_es (migration
0014: the same rows of Spanish reports, as Snowball stems, which 0003's table then
leaves out), both with their report's country and year as words of a column of their
own (migration 0020: facet_match), and reports_search_incidents and
reports_search_groups (sqlite_schema), kept in step by triggers. Where this
SQLite has no FTS5, or no FTS5 tables, each search logs a warning and falls back to
the portable substring search.

Bulk writers may pause the incident and group index and rebuild it once at the end
(pause_search_index, rebuild_search_index): see the note above them.
"""

import logging
import re
import time
from functools import lru_cache

import snowballstemmer
from django.db import OperationalError, connection

from reports.figures import derived
from reports.models import Incident, Paragraph, Report, Status
from reports.search import portable, spanish, sqlite_schema
from reports.search.results import (
    CANDIDATES,
    MARK_START,
    MARK_STOP,
    ReportHit,
    group_rows,
    in_order,
    marked_snippet,
    shown_rows,
    snippet_of,
)
from reports.search.sqlite_schema import SEARCH_TABLES
from reports.text import fold

logger = logging.getLogger(__name__)


def searched(query):
    return query


def reports(query, limit):
    """Report hits from the FTS5 table, else from the portable search."""
    hits = _fts5_reports(query, limit)
    return portable.reports(query, limit) if hits is None else hits


def incidents(query, limit):
    sql = INCIDENTS_SQL_EXCLUDING if query.negative else INCIDENTS_SQL
    ids = _ids_from_fts5(sql, {"match": fts5_match(query)}, limit, CANDIDATES)
    if ids is None:
        return portable.incidents(query, limit)
    return shown_rows(Incident, ids)


def groups(query, limit):
    ids = _ids_from_fts5(
        GROUPS_SQL,
        {"match": fts5_match(query), "named": fts5_match(query, columns=NAME_COLUMNS)},
        limit,
        GROUP_CANDIDATES,
    )
    if ids is None:
        return portable.groups(query, limit)
    return in_order(group_rows(), ids) if ids else []  # building the queryset costs too


NAME_COLUMNS = ("name", "acronym", "aliases")


def fts5_match(query, columns=(), word=str):
    """The FTS5 MATCH expression of a parsed Query, or "" when it can find nothing.

    Built from the parsed terms only: each term is a quoted string of words (letters
    and digits, see query.WORD), so nothing the reader typed is read as FTS5 syntax.
    With `columns`, the positive terms must be in those columns; `word` maps each word
    to the form the table holds (Spanish stems).
    """
    if not query:
        return ""

    def term(term):
        quoted = " ".join(word(each) for each in term.words)
        return f'"{quoted}"' + ("*" if term.prefix else "")

    def clause(clause):
        return "(" + " OR ".join(term(each) for each in clause.terms) + ")"

    match = " AND ".join(clause(each) for each in query.positive)
    if columns:
        match = f"{{{' '.join(columns)}}} : ({match})"
    for each in query.negative:
        match = f"({match}) NOT {clause(each)}"
    return match


# Reports. A query is ranked among its newest CANDIDATES passages and CANDIDATES
# titles of published reports: title match, best passage by bm25, newest year, title.
# A query that may be in more than COMMON_ROWS rows of either table ("violence", in
# every title of a big archive) is not ranked by bm25 at all: its IDF, which bm25
# works out on its first call, reads the lists of the query's words whole, and they
# grow with the archive; up to COMMON_ROWS they stay cheap. Its words tell whether it
# may (common()): a term is in no more rows than its rarest word, an OR in no more
# than its terms together, a query in no more than its rarest clause; so a phrase of
# two common words ("political violence") is common even where the phrase is rare, as
# its bm25 would be dear. Only where the words cannot tell (a prefix, an OR of rarer
# words) are the query's rows counted, up to COMMON_ROWS + 1. A common query shows the
# newest `limit` reports whose title matches, newest year first, each with its first
# matching passage; only with fewer title matches than that, the reports of its
# newest CANDIDATES passages follow (newest year first). FTS5 hands matches over in
# rowid order, so each of these reads about `limit` rows, whatever the archive's size.
#
# How it is built, one statement either way:
# - `common` is common()'s answer, else the count of the query's rows. The CTEs of
#   the other kind have a LIMIT of 0, which SQLite checks before it starts a scan
#   (a WHERE condition on a subquery would be tested row by row, after FTS5 and
#   bm25 have started: bm25's IDF is counted on its first call);
# - a title row's rowid is minus its report's id and a passage's is its paragraph's
#   id (migration 0003), so report ids come from those keys, never from the FTS
#   table's own content rows;
# - year and title for the ranking come along from the report row read for its
#   status, instead of a join of every hit to reports_report afterwards;
# - a report's best bm25 is a min() per report (SQLite's window functions cost
#   several times as much), and its passage is looked up for the shown reports only;
# - a common query's first passages come from one scan of the rowid range of the
#   shown reports' paragraphs (joined to their paragraph for report and number);
# - highlight() runs in one scan of the shown passages' rowid range: looked up one
#   by one, each `rowid = ?` made FTS5 seek through the word's whole list (dear for
#   a common word). `+rowid IN` keeps that lookup from FTS5, so it filters.
# Both range scans read every match between the lowest and highest rowid they need,
# few when the shown reports' paragraphs are close together (they usually are:
# newest reports, newest passages).
#
# Rows of a table above which bm25 is not used (see above): at 10,000 reports
# "market" (8,051 rows) is still ranked, "violence" (20,000) and "the" (102,337) not.
COMMON_ROWS = 10_000
# Rows of the FTS5 tables have rowids > 0 (a paragraph, an incident) and < 0 (a
# title); every query gives FTS5 both ends of the range it wants, never NULL: with
# one, FTS5 reads on through the word's whole list instead of stopping at the
# range's end.
ROWID_MAX = 2**62  # above every key, see sqlite_schema.incident_key()
# The matching passages of published reports, newest first (body and recent below).
NEWEST_PASSAGES = """FROM reports_search_fts f
    JOIN reports_paragraph p ON p.id = f.rowid
    JOIN reports_report r ON r.id = p.report_id
    WHERE reports_search_fts MATCH %(match)s AND f.rowid BETWEEN 1 AND {ROWID_MAX}
      AND r.status = %(status)s
    ORDER BY f.rowid DESC"""
ROWS_UP_TO_COMMON = """(SELECT count(*) FROM (
        SELECT 1 FROM reports_search_fts
        WHERE reports_search_fts MATCH %(match)s AND rowid BETWEEN -{ROWID_MAX} AND {ROWID_MAX}
        LIMIT %(common)s + 1))"""
FTS5_SQL = """
WITH common AS MATERIALIZED (
    SELECT {ROWS_UP_TO_COMMON} > %(common)s AS yes
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
SELECT shown.id, shown.title_match, shown.rid, p.number,
       coalesce(marked.marked, p.text) AS marked, shown.score, shown.year, shown.title
FROM shown LEFT JOIN marked ON marked.rid = shown.rid
LEFT JOIN reports_paragraph p ON p.id = shown.rid
""".replace("{ROWS_UP_TO_COMMON}", ROWS_UP_TO_COMMON)
FTS5_SQL = FTS5_SQL.replace("{NEWEST_PASSAGES}", NEWEST_PASSAGES).replace(
    "{ROWID_MAX}", str(ROWID_MAX)
)
# Spanish reports have a table of their own, of stems (reports.search.spanish), searched
# by the same statement for the query's stems; its highlight() would mark stems, so
# its passages come as text (coalesce above), marked in Python. One statement ranks
# both tables' shown reports together (bm25 scores of two tables, comparable enough).
# A query common (COMMON_ROWS) in either table is common in both: one common in English
# and in Spanish would otherwise be ranked by bm25 in the one where it is less common,
# which costs about what a word of COMMON_ROWS rows does, on top of the other.
ROWS_UP_TO_COMMON_ES = (
    ROWS_UP_TO_COMMON.replace(sqlite_schema.REPORTS, sqlite_schema.REPORTS_ES)
    .replace("%(match)s", "%(match_es)s")
    .replace("{ROWID_MAX}", str(ROWID_MAX))
)
BOTH_COMMON = "common AS MATERIALIZED (SELECT yes FROM both_common)"
FTS5_SQL_BOTH = re.sub(
    r"common AS MATERIALIZED \(.*?\n\)", lambda _: BOTH_COMMON, FTS5_SQL, count=1, flags=re.S
)
LANGUAGES_SQL = """
WITH both_common AS MATERIALIZED (
    SELECT coalesce(%(known)s, {english_rows} > %(common)s OR {spanish_rows} > %(common)s) AS yes
)
SELECT * FROM (
    SELECT *, 0 AS spanish FROM ({english})
    UNION ALL
    SELECT *, 1 AS spanish FROM ({spanish}))
ORDER BY title_match DESC, score IS NULL, score, year DESC, title
LIMIT %(limit)s
""".format(  # noqa: S608 - built from this module's constants
    english_rows=ROWS_UP_TO_COMMON.replace("{ROWID_MAX}", str(ROWID_MAX)),
    spanish_rows=ROWS_UP_TO_COMMON_ES,
    english=FTS5_SQL_BOTH,
    spanish=FTS5_SQL_BOTH.replace("highlight(reports_search_fts, 1, %(start)s, %(stop)s)", "NULL")
    .replace(sqlite_schema.REPORTS, sqlite_schema.REPORTS_ES)
    .replace("%(match)s", "%(match_es)s"),
)


def common(query):
    """Whether `query` is common (COMMON_ROWS) as its words tell: True or False, or None
    where they cannot and its rows must be counted (see above)."""
    words = derived(f"search-common-words-{COMMON_ROWS}", common_words)
    english = _size(query, words[sqlite_schema.REPORTS], _english_stem)
    spanish_size = _size(query, words[sqlite_schema.REPORTS_ES], spanish.stem)
    if BIG in (english, spanish_size):
        return True
    return False if english == spanish_size == SMALL else None


BIG, SMALL = "big", "small"  # in more than COMMON_ROWS rows of a table, in no more


def _size(query, common_stems, stem):
    """BIG or SMALL: `query`'s rows in the table of `common_stems` (its words in more
    than COMMON_ROWS rows), as FTS5 holds them (`stem`); None where unknown."""

    def term(term):
        if term.prefix:
            return None  # its words are many, each rarer perhaps
        return BIG if all(stem(word) in common_stems for word in term.words) else SMALL

    def clause(clause):
        sizes = [term(each) for each in clause.terms]
        if BIG in sizes:
            return BIG
        return SMALL if sizes == [SMALL] else None  # rarer words, but how many together?

    sizes = [clause(each) for each in query.positive]
    if SMALL in sizes:
        return SMALL
    return BIG if all(size == BIG for size in sizes) else None


_porter = snowballstemmer.stemmer("porter")


@lru_cache(maxsize=50_000)
def _english_stem(word):
    """`word` as the English table's tokenizer (porter unicode61 remove_diacritics)
    holds it, which leaves words of fewer than 3 or more than 64 letters as they are;
    where Snowball's Porter differs from FTS5's, the word only seems rare."""
    word = fold(word)
    return word if len(word) < 3 or len(word) > 64 else _porter.stemWord(word)


def common_words():
    """{table: {stem: rows}} of the words in more than COMMON_ROWS rows of each reports
    table: an archive's figure (reports.figures), read from FTS5's own counts."""
    words = {}
    with connection.cursor() as cursor:
        for table in (sqlite_schema.REPORTS, sqlite_schema.REPORTS_ES):
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_rows"
                f" USING fts5vocab(main, {table}, row)"
            )
            cursor.execute(
                f"SELECT term, doc FROM temp.{table}_rows WHERE doc > %s",  # noqa: S608 - constants
                [COMMON_ROWS],
            )
            words[table] = dict(cursor.fetchall())
    return words


def _fts5_reports(query, limit):
    """Report hits from the FTS5 table, or None when this SQLite has none."""
    params = {
        "match": fts5_match(query),
        "match_es": fts5_match(query, word=spanish.stem),
        "status": Status.PUBLISHED,
        "candidates": CANDIDATES,
        "common": COMMON_ROWS,
        "limit": limit,
        "start": MARK_START,
        "stop": MARK_STOP,
    }
    try:
        params["known"] = common(query)
        with connection.cursor() as cursor:
            cursor.execute(LANGUAGES_SQL, params)
            rows = cursor.fetchall()
    except OperationalError as error:
        # No FTS5 table (SQLite built without FTS5): substring search still works.
        logger.warning("Full-text search unavailable, using substring search: %s", error)
        return None
    shown = {report.pk: report for report in shown_rows(Report, [row[0] for row in rows])}
    hits = []
    for report_id, title_match, paragraph_id, number, marked, *_rank, in_spanish in rows:
        paragraph, snippet = None, ""
        if paragraph_id:
            text = (marked or "").replace(MARK_START, "").replace(MARK_STOP, "")
            paragraph = Paragraph(id=paragraph_id, report_id=report_id, number=number, text=text)
            if in_spanish:
                snippet = snippet_of(text, [spanish.first_match(text, query.words) or ""])
            else:
                snippet = marked_snippet(text, marked)
        hits.append(ReportHit(shown[report_id], paragraph, snippet, bool(title_match)))
    return hits


# Incidents and groups: found by words, as reports are, with the same semantics (not
# substrings), so that the three lists of one results page agree on what "matches"
# means. Each word must occur somewhere in the incident (title, summary, or the quote
# of a citation of a published report) or the group (name, acronym, alias, leader,
# description).
#
# An incident's FTS row has rowid = its key, start date and id (sqlite_schema), and
# its title has a row of its own at -key; FTS5 hands matches over in rowid order, so
# the newest title matches and the newest matches anywhere come first, straight from
# the index. Incidents rank by title match, then start date (newest first), then
# title: the query takes the newest `limit` of each, with the rest of the last day
# of each (where the title decides), and ranks those. That is exactly the first
# `limit` of the full ranking, however many incidents match (unless more than
# CANDIDATES match on that last day), at the cost of a rare word. Each part reads its
# newest `limit` once; only when it has that many does it read again, from the start
# of the last one's day: a rare word or phrase, whose every read goes through its
# whole list, is read once a part.
INCIDENTS_SQL = """
WITH titled_first AS MATERIALIZED (
    SELECT rowid AS r FROM reports_search_incidents
    WHERE reports_search_incidents MATCH %(match)s AND rowid BETWEEN -{ROWID_MAX} AND -1
    ORDER BY rowid LIMIT %(limit)s
),
titled AS MATERIALIZED (
    SELECT -r AS k, 1 AS title_match FROM titled_first
    WHERE (SELECT count(*) FROM titled_first) < %(limit)s
    UNION ALL
    SELECT * FROM (
        SELECT -rowid, 1 FROM reports_search_incidents
        WHERE reports_search_incidents MATCH %(match)s AND rowid BETWEEN -{ROWID_MAX}
            AND (SELECT -((-max(r)) >> 32 << 32) FROM titled_first)
        ORDER BY rowid
        LIMIT CASE WHEN (SELECT count(*) FROM titled_first) < %(limit)s
                   THEN 0 ELSE %(candidates)s END)
),
anywhere_first AS MATERIALIZED (
    SELECT rowid AS r FROM reports_search_incidents
    WHERE reports_search_incidents MATCH %(match)s AND rowid BETWEEN 1 AND {ROWID_MAX}
    ORDER BY rowid DESC LIMIT %(limit)s
),
anywhere AS MATERIALIZED (
    SELECT r AS k, 0 AS title_match FROM anywhere_first
    WHERE (SELECT count(*) FROM anywhere_first) < %(limit)s
    UNION ALL
    SELECT * FROM (
        SELECT rowid, 0 FROM reports_search_incidents
        WHERE reports_search_incidents MATCH %(match)s
            AND rowid BETWEEN (SELECT min(r) >> 32 << 32 FROM anywhere_first) AND {ROWID_MAX}
        ORDER BY rowid DESC
        LIMIT CASE WHEN (SELECT count(*) FROM anywhere_first) < %(limit)s
                   THEN 0 ELSE %(candidates)s END)
)
SELECT i.id FROM (SELECT * FROM titled UNION ALL SELECT * FROM anywhere) AS hit
JOIN reports_incident i ON i.id = hit.k & 4294967295
WHERE i.status = %(status)s
GROUP BY i.id
ORDER BY max(hit.title_match) DESC, i.start_date DESC, i.title
LIMIT %(limit)s
""".replace("{ROWID_MAX}", str(ROWID_MAX))
# With words excluded, a title's row (the title alone) may match where its incident
# does not (the word is in its summary): a title match counts if the incident's own
# row, all of it, matches too.
INCIDENTS_SQL_EXCLUDING = INCIDENTS_SQL.replace(
    "WHERE i.status = %(status)s",
    """WHERE i.status = %(status)s AND EXISTS (
    SELECT 1 FROM reports_search_incidents w
    WHERE reports_search_incidents MATCH %(match)s AND w.rowid = hit.k)""",
)


# Groups are few (thousands): every match up to GROUP_CANDIDATES is ranked, named
# matches (every word in the name, acronym or an alias) first, then by name. Each
# kind is sorted apart, `limit` of it at most, and the other matches are read only
# when the named ones do not fill the page: a word in every group then costs about
# half what one sort of every match did, a rare one the same.
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


# Bulk writers (reports.search.pause_search_index): written row by row through the
# triggers, FTS5 writes one small segment per incident (a generated or restored
# archive's rowids are not ascending); filled once at the end in rowid order, it
# writes them in order.


def _has_search_tables(cursor):
    cursor.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = %s",
        [sqlite_schema.INCIDENTS],
    )
    return cursor.fetchone()[0] == 1


def pause_search_index(cursor):
    """Stop keeping the incident and group search tables in step, until
    rebuild_search_index() (reports.search's, which say when to call them)."""
    if _has_search_tables(cursor):
        for name in sqlite_schema.TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild_search_index(cursor):
    """Fill the incident and group search tables afresh and restore their triggers;
    then merge every search table's segments into one (see optimize_search_index)."""
    if _has_search_tables(cursor):
        sqlite_schema.drop(cursor)
        sqlite_schema.create(cursor)
    optimize_search_index(cursor)


# FTS5 writes its index in segments and merges them only now and then, so a table
# filled by many writes (row by row through the triggers, or a big INSERT, which
# FTS5 flushes every megabyte or so) keeps a few dozen. Every MATCH opens and seeks
# each segment, so a rowid lookup, the common-word search and the incident search
# all cost several times what they do with one segment. 'optimize'
# merges them into one; later writes add segments again, which FTS5's automerge
# keeps few. Migration 0008 does it once for existing archives.


def optimize_search_index(cursor):
    """Merge the segments of each FTS5 search table this SQLite archive has."""
    marks = ", ".join(["%s"] * len(SEARCH_TABLES))
    cursor.execute(
        f"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",  # noqa: S608
        list(SEARCH_TABLES),
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f"INSERT INTO {name}({name}) VALUES ('optimize')")  # noqa: S608 - a listed name


# The results of one kind, whole (search.listing filters, sorts, counts and pages
# them): the ids of the rows that match, as SQL whose column is `id`. Reports and
# passages in either table (English, Spanish stems); a title's row has rowid = minus
# its report's id, an incident's its key (sqlite_schema.incident_key), whose low 32
# bits are its id, and its title's row minus that.
MATCHING_SQL = {
    "passages": """
        SELECT rowid AS id FROM reports_search_fts
        WHERE reports_search_fts MATCH %s AND rowid BETWEEN 1 AND {ROWID_MAX}
        UNION ALL
        SELECT rowid FROM reports_search_es
        WHERE reports_search_es MATCH %s AND rowid BETWEEN 1 AND {ROWID_MAX}""",
    "report_titles": """
        SELECT -rowid AS id FROM reports_search_fts
        WHERE reports_search_fts MATCH %s AND rowid BETWEEN -{ROWID_MAX} AND -1
        UNION ALL
        SELECT -rowid FROM reports_search_es
        WHERE reports_search_es MATCH %s AND rowid BETWEEN -{ROWID_MAX} AND -1""",
    # A passage's report from the small index on (id, report), not the paragraph's row.
    "passage_reports": """
        SELECT p.report_id FROM reports_search_fts f
        JOIN reports_paragraph p INDEXED BY paragraph_id_report_idx ON p.id = f.rowid
        WHERE reports_search_fts MATCH %s AND f.rowid BETWEEN 1 AND {ROWID_MAX}
        UNION ALL
        SELECT p.report_id FROM reports_search_es f
        JOIN reports_paragraph p INDEXED BY paragraph_id_report_idx ON p.id = f.rowid
        WHERE reports_search_es MATCH %s AND f.rowid BETWEEN 1 AND {ROWID_MAX}""",
    # Between two keys: the incidents of those dates (the key starts with the date).
    "incidents": """
        SELECT rowid & 4294967295 AS id FROM reports_search_incidents
        WHERE reports_search_incidents MATCH %s AND rowid BETWEEN %s AND %s""",
    "incident_titles": """
        SELECT (-rowid) & 4294967295 AS id FROM reports_search_incidents
        WHERE reports_search_incidents MATCH %s AND rowid BETWEEN -%s AND -%s""",
    "groups": """
        SELECT rowid AS id FROM reports_search_groups WHERE reports_search_groups MATCH %s""",
}
MATCHING_SQL = {
    kind: sql.replace("{ROWID_MAX}", str(ROWID_MAX)) for kind, sql in MATCHING_SQL.items()
}
MATCHING_SQL["reports"] = (
    MATCHING_SQL["report_titles"] + "\nUNION ALL" + MATCHING_SQL["passage_reports"]
)
MATCHING_SQL["group_names"] = MATCHING_SQL["groups"]


# A report's title row found by seeking its rowid (minus the report's id) in FTS5's
# lists, as a condition on the report's row (`{table}`, its table quoted): a cost for
# each row tested, none for each match. A common word matches most titles, and listing
# every match (matching_sql, probe_sql) costs as many rows as it has, where the first
# page of reports read in their order (an index) needs only as many seeks as it shows.
SEEK_TITLE_SQL = """(EXISTS (SELECT 1 FROM reports_search_fts
        WHERE reports_search_fts MATCH %s AND rowid = -{table}.id)
    OR EXISTS (SELECT 1 FROM reports_search_es
        WHERE reports_search_es MATCH %s AND rowid = -{table}.id))"""
# A seek costs about as much as listing this many matches (measured with words of
# 10,000 and 100,000 matches).
SEEK_COST = 20
# Title matches counted at most to judge how dense they are (seeks()): enough to choose
# seeks for a page or a count of a common word in a large archive.
SEEK_COUNTED = 5000
TITLE_DENSITY_SQL = f"""SELECT
    (SELECT count(*) FROM (SELECT 1 FROM reports_search_fts
        WHERE reports_search_fts MATCH %s AND rowid BETWEEN -{ROWID_MAX} AND -1
        LIMIT {SEEK_COUNTED})),
    (SELECT count(*) FROM (SELECT 1 FROM reports_search_es
        WHERE reports_search_es MATCH %s AND rowid BETWEEN -{ROWID_MAX} AND -1
        LIMIT {SEEK_COUNTED})),
    (SELECT max(id) FROM reports_report)"""  # noqa: S608 - constants only


# Seconds a query's figures for seeks() are kept by a process, and how many at most:
# they choose only how the same rows are read, so an archive changed since costs time
# for a while, never a wrong result.
DENSITY_KEPT = 300
DENSITY_KEPT_MOST = 256
_densities = {}  # (English match, Spanish match): (when read, figures)


def _title_density(english, spanish):
    """(title matches counted up to SEEK_COUNTED a table, reports at most): a query's
    figures for seeks(), read again after DENSITY_KEPT seconds."""
    key, now = (english, spanish), time.monotonic()
    kept = _densities.get(key)
    if kept is not None and now - kept[0] < DENSITY_KEPT:
        return kept[1]
    with connection.cursor() as cursor:
        cursor.execute(TITLE_DENSITY_SQL, [english, spanish])
        english_titles, spanish_titles, reports = cursor.fetchone()
    if len(_densities) >= DENSITY_KEPT_MOST:
        _densities.clear()
    figures = _densities[key] = (now, (english_titles + spanish_titles, reports or 0))
    return figures[1]


def seeks(kind, query, wanted):
    """Whether the first `wanted` reports of `kind` ("reports" or "report_titles")
    read in an order are found for less by seeking each report's title (seek_sql) than
    by listing every match: if the matches are spread evenly, finding `wanted` of them
    tests wanted × reports ÷ matches reports."""
    if kind not in ("reports", "report_titles") or not query:
        return False
    matches, reports = _title_density(fts5_match(query), fts5_match(query, word=spanish.stem))
    return matches > 0 and wanted * reports * SEEK_COST < matches * matches


def seek_sql(kind, query, table, filters=None):
    """(SQL, parameters) of whether the report of `table` (quoted) matches `query`,
    its title by seeking (SEEK_TITLE_SQL): "report_titles" or, its passages listed only
    if the title does not match (those of `filters`' country and years: facet_match),
    "reports"."""
    both = [fts5_match(query), fts5_match(query, word=spanish.stem)]
    titles = SEEK_TITLE_SQL.replace("{table}", table)
    if kind == "report_titles":
        return titles, both
    _sql, narrowed = matching_sql("passages", query, filters)
    sql = f"({titles} OR +{table}.id IN ({MATCHING_SQL['passage_reports']}))"
    return sql, both + narrowed


# The matching passages of a few reports (a page's), each report's paragraphs read as
# the span of rowids from its first paragraph's to its last's, where FTS5 seeks: the
# cost follows the reports shown, not the word's matches. A span may hold another
# report's paragraphs (added later, say); the caller keeps the reports' own.
PASSAGES_OF_REPORTS_SQL = """
    WITH spans AS MATERIALIZED (
        SELECT min(id) AS lo, max(id) AS hi FROM reports_paragraph
        WHERE report_id IN ({reports}) GROUP BY report_id)
    SELECT f.rowid AS id FROM spans s CROSS JOIN reports_search_fts f
    WHERE f.reports_search_fts MATCH %s AND f.rowid BETWEEN s.lo AND s.hi
    UNION ALL
    SELECT f.rowid FROM spans s CROSS JOIN reports_search_es f
    WHERE f.reports_search_es MATCH %s AND f.rowid BETWEEN s.lo AND s.hi"""


def passages_of_sql(query, report_ids):
    """(SQL, parameters) of the ids of these reports' passages that match `query`, and
    maybe of a few others' (PASSAGES_OF_REPORTS_SQL)."""
    reports = ", ".join(["%s"] * len(report_ids))
    sql = PASSAGES_OF_REPORTS_SQL.replace("{reports}", reports)
    return sql, [*report_ids, fts5_match(query), fts5_match(query, word=spanish.stem)]


def probe_sql(kind, query, table, filters=None):
    """(SQL, parameters) of whether the row of `table` (quoted) is among the matches,
    for a query that reads that table's rows from its own indexes (search.listing's
    `probe`). The unary + keeps SQLite from reading the rows through the matches
    instead, which it would: it cannot tell how many matches there are."""
    if kind == "reports":  # the passages' list is made only if a title does not match
        titles, title_params = matching_sql("report_titles", query)
        passages = MATCHING_SQL["passage_reports"]
        sql = f"(+{table}.id IN ({titles}) OR +{table}.id IN ({passages}))"
        return sql, title_params * 2
    sql, params = matching_sql(kind, query, filters)
    return f"+{table}.id IN ({sql})", params


def available():
    """Whether this SQLite has the search tables (FTS5); search.search_engine() asks."""
    with connection.cursor() as cursor:
        return _has_search_tables(cursor)


# The kinds read from the reports' tables, whose rows carry their report's country and
# year as words of a column of their own (migration 0020): "qqc" + the country code,
# "qqy" + the year; and the incidents', whose rows carry the incident's country
# (migration 0021; their years are in their keys). A search narrowed to a country or
# to years finds its rows in the index (the word and the facets, ANDed), where
# testing every match against the filters costs as many matches as the word has.
REPORT_KINDS = ("reports", "report_titles", "passages")
INCIDENT_KINDS = ("incidents", "incident_titles")
FACET_COUNTRY, FACET_YEAR = "qqc", "qqy"
# Years narrowed in the index at most: a longer range is one word a year, ORed.
FACET_YEARS_MOST = 30


def facet_match(filters, years=True):
    """The FTS5 match of the rows of `filters`' country and, if `years`, years (both
    ends given, at most FACET_YEARS_MOST of them), "" where they narrow nothing."""
    if filters is None:
        return ""
    terms = []
    if filters.country:
        terms.append('"{}"'.format((FACET_COUNTRY + filters.country).replace('"', '""')))
    first, last = filters.years if years else (None, None)
    if first and last and 0 < last - first + 1 <= FACET_YEARS_MOST:
        words = " OR ".join(f'"{FACET_YEAR}{year}"' for year in range(first, last + 1))
        terms.append(f"({words})")
    return " AND ".join(terms)


def narrows(kind, filters):
    """Whether matching_sql(kind, query, filters) holds only rows of the filters'
    country and years (their facets; an incident's country, its years being in its key),
    so that reading the matches is the cheap way."""
    if kind in INCIDENT_KINDS:
        return bool(facet_match(filters, years=False))
    return kind in REPORT_KINDS and bool(facet_match(filters))


def matching_sql(kind, query, filters=None):
    """(SQL, parameters) of the ids of `kind`'s rows (search.listing.KINDS) that match
    `query`, drafts included, in a column `id`. `filters` (search.listing.Filters)
    narrow what the index can: a report's or passage's country and years (narrows()),
    the start dates of the incidents of the years chosen (their index rows are read
    alone); the caller applies every filter to the rows all the same."""
    if kind in REPORT_KINDS:
        narrow = facet_match(filters)
        both = [fts5_match(query), fts5_match(query, word=spanish.stem)]
        if narrow:
            both = [f"({match}) AND {narrow}" for match in both]
        return MATCHING_SQL[kind], both * (2 if kind == "reports" else 1)
    columns = NAME_COLUMNS if kind == "group_names" else ()
    params = [fts5_match(query, columns=columns)]
    years = filters.years if filters is not None else (None, None)
    if kind in INCIDENT_KINDS and (narrow := facet_match(filters, years=False)):
        params = [f"({params[0]}) AND {narrow}"]
    if kind == "incidents":
        params += key_range(*years)
    elif kind == "incident_titles":
        params += reversed(key_range(*years))
    return MATCHING_SQL[kind], params


def key_range(first=None, last=None):
    """The lowest and highest index key (sqlite_schema.incident_key) of an incident that
    started in the years `first` to `last` (either None: no bound)."""
    low = (first * 10000 + 101) << 32 if first else 1
    high = ((last * 10000 + 1231) << 32) + 0xFFFFFFFF if last else ROWID_MAX
    return [low, high]
