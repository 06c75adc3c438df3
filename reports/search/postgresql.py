# ruff: noqa: S608 - the SQL here is built from this module's constants, never from input
"""The PostgreSQL engine: its own full-text search, english configuration (and for
Spanish reports' titles and paragraphs, migration 0014's reports_spanish).

Paragraphs and report titles are searched through their stored tsvectors (migration
0023's text_vector and title_vector, each in its report's language, GIN-indexed),
incidents through their rows of words (migration 0027's table, kept by triggers);
every other tsvector here is written by pg_vector_sql(), the very expression the GIN
indexes of migration 0006 index (each migration keeps its own frozen copy;
tests/test_search_backends.py checks that the planner uses every index), so that
each `vector @@ query` is an index scan. PostgreSQL leaves out its stop words
("the", "of"): searched() drops clauses of them only from the query first.
"""

import json
import re
from dataclasses import replace

from archive.routers import reading_connection as connection
from reports.models import Incident, Paragraph, Report, Status
from reports.search.results import (
    CANDIDATES,
    MARK_START,
    MARK_STOP,
    ReportHit,
    group_rows,
    in_order,
    marked_snippet,
    shown_rows,
)

PG_CONFIG = "english"  # as the GIN indexes of migrations 0003 and 0006
# Spanish reports' titles and paragraphs: spanish stemming, accents folded (migration
# 0014's configuration; a paragraph knows its report's language from its
# search_language column, which triggers keep, and 0023 stores its vector in it).
PG_CONFIG_ES = "reports_spanish"


def searched(query):
    """`query` without its clauses of stop words only ("the"), which match nothing in
    PostgreSQL: an incident or group must match each clause, so one would hide all."""
    if not query:
        return query
    columns = ", ".join(f"numnode({clause_sql(query, n)})" for n in range(len(query.clauses)))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}", term_params(query))
        nodes = cursor.fetchone()
    kept = [clause for clause, count in zip(query.clauses, nodes, strict=True) if count]
    return replace(query, clauses=tuple(kept))


def reports(query, limit):
    languages = _languages(query)
    matches = {
        "title_matches": TITLE_MATCHES.format(t="r", **languages),
        "passage_matches": PASSAGE_MATCHES.format(t="p", **languages),
        "headline": HEADLINE.format(**languages),
    }
    common_word = common(query, matches["title_matches"], matches["passage_matches"])
    template = PG_COMMON_SQL if common_word else PG_REPORTS_SQL
    sql = template.format(**matches, **languages)
    params = _pg_params(query, limit) | {
        "candidates": CANDIDATES,
        "marks": f"StartSel={MARK_START}, StopSel={MARK_STOP}, HighlightAll=true",
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    shown = {report.pk: report for report in shown_rows(Report, [row[0] for row in rows])}
    hits = []
    for report_id, title_match, paragraph_id, number, text, marked in rows:
        paragraph, snippet = None, ""
        if paragraph_id:
            paragraph = Paragraph(id=paragraph_id, report_id=report_id, number=number, text=text)
            snippet = marked_snippet(text, marked)
        hits.append(ReportHit(shown[report_id], paragraph, snippet, bool(title_match)))
    return hits


def incidents(query, limit):
    return shown_rows(Incident, _incident_ids(query, limit))


def groups(query, limit):
    ids = _group_ids(query, limit)
    return in_order(group_rows(), ids) if ids else []  # building the queryset costs too


def pg_vector_sql(column, config=PG_CONFIG):
    """The tsvector of a column as SQL, exactly as migration 0006 indexes it (and 0003
    and 0014 did the vectors 0023 stores)."""
    return f"to_tsvector('{config}'::regconfig, COALESCE(translate({column}, '<>', '  '), ''))"


# Whether a report's title, or a passage, matches: in its report's language (below),
# through its tsvector stored in that language (as migration 0023 writes them): read,
# never computed again, to test a row's language, recheck a phrase or rank a passage.
TITLE_MATCHES = """(({t}.title_vector @@ {query} AND {t}.language <> 'es')
    OR ({t}.title_vector @@ {query_es} AND {t}.language = 'es'))"""
PASSAGE_MATCHES = """(({t}.text_vector @@ {query} AND {t}.search_language <> 'es')
    OR ({t}.text_vector @@ {query_es} AND {t}.search_language = 'es'))"""

# Reports: the same bounded search as sqlite.FTS5_SQL (read that first): the newest
# CANDIDATES matching passages and titles of published reports, ranked (ts_rank, the
# best passage of a report, then its number), and ts_headline for the shown passages
# only: ranking every matching passage instead grew with the archive, dear for a
# common word in a big one. The candidates are chosen first and ranked after (scored),
# so that ts_rank reads CANDIDATES vectors whatever the number of matches. Text goes
# through translate(<> to spaces) as in the stored vectors: PostgreSQL's parser reads
# "<script>alert(1)</script>" as XML tags and drops the words in them; as plain text
# they are words like any other.
#
# Each row is matched in its report's language: a Spanish one's vector (stemmed in
# Spanish) with the query's words as Spanish ones, any other's as English ones; so
# one query finds both, whichever language the reader's interface is in.
PG_REPORTS_SQL = """
WITH body AS MATERIALIZED (
    SELECT p.id AS rid, p.report_id, p.number, p.search_language, p.text_vector AS vector
    FROM reports_paragraph p JOIN reports_report r ON r.id = p.report_id
    WHERE {passage_matches} AND r.status = %(status)s
    ORDER BY p.id DESC LIMIT %(candidates)s
),
titled AS MATERIALIZED (
    SELECT r.id AS report_id FROM reports_report r
    WHERE {title_matches} AND r.status = %(status)s
    ORDER BY r.id DESC LIMIT %(candidates)s
),
scored AS (
    SELECT report_id, rid, number,
           CASE WHEN search_language = 'es' THEN ts_rank(vector, {query_es})
                ELSE ts_rank(vector, {query}) END AS score
    FROM body
),
best AS (
    SELECT DISTINCT ON (report_id) report_id, rid, number, score FROM scored
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
    SELECT hits.*, r.year, r.title FROM hits JOIN reports_report r ON r.id = hits.id
    ORDER BY hits.title_match DESC, hits.score DESC NULLS LAST, r.year DESC, r.title
    LIMIT %(limit)s
)
SELECT shown.id, shown.title_match, shown.rid, shown.number, p.text, {headline}
FROM shown LEFT JOIN reports_paragraph p ON p.id = shown.rid
ORDER BY shown.title_match DESC, shown.score DESC NULLS LAST, shown.year DESC, shown.title
"""
# The shown passage p marked where the query matches, in its report's language.
HEADLINE = """CASE WHEN p.search_language = 'es'
    THEN ts_headline('{config_es}'::regconfig, translate(p.text, '<>', '  '),
                     {query_es}, %(marks)s)
    ELSE ts_headline('{config}'::regconfig, translate(p.text, '<>', '  '),
                     {query}, %(marks)s) END"""
# A query PostgreSQL estimates in more than COMMON_ROWS passages and titles is not
# ranked, as in SQLite (sqlite.COMMON_ROWS says what it shows instead): the newest
# CANDIDATES passages of a word in one passage in ten are found among ten times as
# many, each one's vector read and tested, where its newest `limit` title matches
# and their first passages are found at once.
COMMON_ROWS = 10_000
PG_COMMON_SQL = """
WITH titled AS MATERIALIZED (
    SELECT r.id, r.year, r.title FROM reports_report r
    WHERE {title_matches} AND r.status = %(status)s
    ORDER BY r.id DESC LIMIT %(limit)s
),
recent AS MATERIALIZED (
    SELECT p.report_id FROM reports_paragraph p JOIN reports_report r ON r.id = p.report_id
    WHERE {passage_matches} AND r.status = %(status)s
    ORDER BY p.id DESC
    LIMIT CASE WHEN (SELECT count(*) FROM titled) < %(limit)s THEN %(candidates)s ELSE 0 END
),
ranked AS MATERIALIZED (
    SELECT id, 1 AS title_match, year, title FROM titled
    UNION ALL
    SELECT DISTINCT r.id, 0, r.year, r.title
    FROM recent JOIN reports_report r ON r.id = recent.report_id
    WHERE r.id NOT IN (SELECT id FROM titled)
    ORDER BY title_match DESC, year DESC, title
    LIMIT %(limit)s
)
SELECT ranked.id, ranked.title_match, p.id, p.number, p.text, {headline}
FROM ranked LEFT JOIN LATERAL (
    SELECT p.id, p.number, p.text, p.search_language FROM reports_paragraph p
    WHERE p.report_id = ranked.id AND {passage_matches}
    ORDER BY p.number LIMIT 1
) p ON true
ORDER BY ranked.title_match DESC, ranked.year DESC, ranked.title
"""


def common(query, title_matches, passage_matches):
    """Whether the planner estimates `query` (its report titles' and passages' conditions,
    as reports() builds them) in more than COMMON_ROWS passages and titles (from its
    statistics: counting them would read each)."""
    sql = (
        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM reports_paragraph p WHERE {passage_matches}"
        f" UNION ALL SELECT 1 FROM reports_report r WHERE {title_matches}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, term_params(query))
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Plan"]["Plan Rows"] > COMMON_ROWS


def _languages(query):
    """`query`'s tsquery as an English one and as a Spanish one, and their configurations:
    what TITLE_MATCHES, PASSAGE_MATCHES and HEADLINE are formatted with."""
    return {
        "query": tsquery_sql(query),
        "config": PG_CONFIG,
        "query_es": tsquery_sql(query, PG_CONFIG_ES),
        "config_es": PG_CONFIG_ES,
    }


# A parsed Query as a tsquery, built from its terms, each a parameter of its own
# (never from the reader's text): a word is plainto_tsquery's, a phrase
# phraseto_tsquery's (words next to each other, in order), a prefix to_tsquery's of
# the quoted words and `:*` (the words are letters and digits only, query.WORD); OR
# is ||, NOT !!, and the clauses are joined by &&. Stop words make an empty tsquery,
# which && and || leave out.
def term_sql(term, n, config):
    if term.prefix:
        return f"to_tsquery('{config}'::regconfig, %(t{n})s)"
    function = "phraseto_tsquery" if len(term.words) > 1 else "plainto_tsquery"
    return f"{function}('{config}'::regconfig, %(t{n})s)"


def term_params(query):
    """The parameters of the terms of every clause of `query`, numbered in order."""
    params = {}
    for term in (term for clause in query.clauses for term in clause.terms):
        if term.prefix:
            value = " <-> ".join(f"'{word}'" for word in term.words) + ":*"
        else:
            value = " ".join(term.words)
        params[f"t{len(params)}"] = value
    return params


def clause_sql(query, index, config=PG_CONFIG):
    """The tsquery of the clause at `index` of `query`, positive (NOT left to the caller)."""
    first = sum(len(clause.terms) for clause in query.clauses[:index])
    terms = query.clauses[index].terms
    return (
        "(" + " || ".join(term_sql(term, first + n, config) for n, term in enumerate(terms)) + ")"
    )


def tsquery_sql(query, config=PG_CONFIG):
    """The tsquery of the whole of `query`: every clause, a negated one under !!."""
    # In brackets: `vector @@ a && b` would be `(vector @@ a) && b`.
    return (
        "("
        + " && ".join(
            ("!!" if clause.negated else "") + clause_sql(query, index, config)
            for index, clause in enumerate(query.clauses)
        )
        + ")"
    )


# Incidents: migration 0027's table, one row of words per published incident (title,
# summary and the quotes of its citations of published reports: each word of a query
# in any of them), with its start date, title and country. The newest matches are
# looked for among the newest WALK rows first, read in order from its date index; only
# where fewer than `limit` are there (a rarer word) are all of the word's rows read from
# its GIN index and sorted. The planner cannot choose between the two itself: it
# prices a phrase as its words anywhere in a row, many more rows than there are, and
# walked every row testing each.
#
# Those whose title has the whole query come first, found the same way: among the
# walk's matches (a title's words are in its row's), newest first, each title made
# into words only until `limit` match (OFFSET 0 keeps the test above the sort), else
# from the GIN index on titles of migration 0006. Left to the planner, two words it
# prices in a few titles in a hundred (each in many, "bombing assault") and in none
# had every incident's title made into words.
INCIDENT_SEARCH = "reports_incident_search"
INCIDENT_ROWS = "reports_incident_search_rows"  # what each row of it holds (0027's view)
WALK = 1000
NEWEST_ROWS = f"SELECT * FROM {INCIDENT_SEARCH} ORDER BY start_date DESC, title LIMIT %(walk)s"
PG_INCIDENTS_SQL = f"""
WITH walked AS MATERIALIZED (
    SELECT w.incident_id AS id, w.start_date, w.title FROM ({NEWEST_ROWS}) AS w
    WHERE w.document @@ {{query}}
),
recent AS MATERIALIZED (
    SELECT * FROM walked ORDER BY start_date DESC, title LIMIT %(limit)s
),
matches AS (
    SELECT * FROM recent WHERE (SELECT count(*) FROM recent) = %(limit)s
    UNION ALL
    (SELECT * FROM (
        SELECT s.incident_id AS id, s.start_date, s.title FROM {INCIDENT_SEARCH} s
        WHERE s.document @@ {{query}} AND (SELECT count(*) FROM recent) < %(limit)s
        OFFSET 0
     ) AS m ORDER BY m.start_date DESC, m.title LIMIT %(limit)s)
),
titled_recent AS MATERIALIZED (
    SELECT * FROM (SELECT * FROM walked ORDER BY start_date DESC, title OFFSET 0) AS w
    WHERE {{walked_title}} LIMIT %(limit)s
),
titled AS (
    SELECT * FROM titled_recent WHERE (SELECT count(*) FROM titled_recent) = %(limit)s
    UNION ALL
    (SELECT * FROM (
        SELECT i.id, i.start_date, i.title FROM reports_incident i
        WHERE i.status = %(status)s AND {{title}}
          AND (SELECT count(*) FROM titled_recent) < %(limit)s
        OFFSET 0
     ) AS t ORDER BY t.start_date DESC, t.title LIMIT %(limit)s)
)
SELECT id FROM (
    SELECT id, 1 AS best, start_date, title FROM titled
    UNION ALL
    SELECT id, 0, start_date, title FROM matches
) AS hit
GROUP BY id, start_date, title
ORDER BY max(best) DESC, start_date DESC, title
LIMIT %(limit)s
"""
PG_INCIDENT_MATCHES = (
    f"SELECT s.incident_id AS id FROM {INCIDENT_SEARCH} s WHERE s.document @@ {{query}}"
)
# Groups: one tsquery per clause, so that each may be in a different column, as with
# FTS5. Every `vector @@ query` below is one of migration 0006's GIN indexes, so each
# clause's rows come from bitmap index scans, and each clause's "id IN (...)" is a
# semi-join the planner sizes from those indexes. Clauses PostgreSQL drops as stop
# words ("the") are left out first (searched): inside the query, a "no such word OR
# id IN (...)" would hide the semi-join from the planner.
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


def _pg_each(template, query, clauses, **columns):
    """`template` for each of `clauses` (of `query`), NOT IN for a negated one, joined by AND."""
    vectors = {name: pg_vector_sql(column) for name, column in columns.items()}
    return " AND ".join(
        ("NOT " if clause.negated else "")
        + template.format(query=clause_sql(query, query.clauses.index(clause)), **vectors)
        for clause in clauses
    )


def _pg_params(query, limit):
    return {"status": Status.PUBLISHED, "limit": limit, **term_params(query)}


def _pg_ids(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def title_match_sql(column, tsquery):
    """Whether an incident's title `column` has `tsquery`, as the titles' index has it."""
    return f"{pg_vector_sql(column)} @@ {tsquery}"


def _incident_ids(query, limit):
    tsquery = tsquery_sql(query)
    title = title_match_sql("i.title", tsquery)
    if query.negative:  # the title may lack a word excluded that the incident has
        title = f"{title} AND i.id IN ({PG_INCIDENT_MATCHES.format(query=tsquery)})"
    walked_title = title_match_sql("w.title", tsquery)
    sql = PG_INCIDENTS_SQL.format(title=title, walked_title=walked_title, query=tsquery)
    return _pg_ids(sql, _pg_params(query, limit) | {"walk": WALK})


def _group_ids(query, limit):
    names = {"name": "name", "acronym": "acronym", "alias": "name"}
    sql = PG_GROUPS_SQL.format(
        each=_pg_each(
            PG_GROUP_WORD, query, query.clauses, **names, description="description", leader="name"
        ),
        named=_pg_each(PG_GROUP_NAMED, query, query.positive, **names),
    )
    return _pg_ids(sql, _pg_params(query, limit))


# The results of one kind, whole (search.listing filters, sorts, counts and pages
# them): the ids of the rows that match, as SQL whose column is `id`.
MATCHING_SQL = {
    "passages": "SELECT p.id FROM reports_paragraph p WHERE {passage_matches}",
    "report_titles": "SELECT r.id FROM reports_report r WHERE {title_matches}",
    "incidents": PG_INCIDENT_MATCHES,
    # Read whole from the titles' index of published incidents (migration 0029;
    # seeks() says when): OFFSET 0 keeps the planner from walking every incident
    # testing each title instead.
    "incident_titles": (
        "SELECT i.id FROM reports_incident i"
        " WHERE i.status = %(status)s AND {incident_title} @@ {query} OFFSET 0"
    ),
    "groups": "SELECT g.id FROM reports_group g WHERE {group_each}",
    "group_names": "SELECT g.id FROM reports_group g WHERE {group_named}",
}
# Each report once (UNIQUE_MATCHES): those whose title matches, then those whose title
# does not and a passage does, each part a plain scan or semi-join the planner sizes
# from the indexes. A count of a common word stops at its first reports, where a list
# of every report a passage matches would have to be read whole to drop repeats.
MATCHING_SQL["reports"] = (
    MATCHING_SQL["report_titles"]
    + """
UNION ALL
SELECT r.id FROM reports_report r
    WHERE {title_matches} IS NOT TRUE
      AND EXISTS (SELECT FROM reports_paragraph p WHERE p.report_id = r.id
          AND {passage_matches})"""
)
# An incident's row of words carries its country and start date: a search narrowed to
# them reads the word's matches of those only (narrows()), where testing each of a
# common word's matches against the incidents' own columns read every one.
INCIDENT_FILTERS = {
    "country": "s.country_id = %(country)s",
    "first": "s.start_date >= %(first)s",
    "last": "s.start_date <= %(last)s",
}


def incident_filters(filters):
    """{name: value} of the filters (search.listing.Filters) an incident's row of words
    narrows the matches to (INCIDENT_FILTERS)."""
    if filters is None:
        return {}
    first, last = filters.dates
    chosen = {"country": filters.country, "first": first, "last": last}
    return {name: value for name, value in chosen.items() if value}


def narrows(kind, filters):
    """Whether matching_sql(kind, query, filters) holds only rows of the filters'
    country and years (incidents), so that reading the matches is the cheap way."""
    return kind == "incidents" and bool(incident_filters(filters))


# matching_sql() names each row once: listing.counts() need not drop repeated ones.
UNIQUE_MATCHES = True
NAMED_PARAMETER = re.compile(r"%\((\w+)\)s")


def matching_sql(kind, query, filters=None):
    """(SQL, parameters) of the ids of `kind`'s rows (search.listing.KINDS) that match
    `query`, in a column `id`: drafts included, but for incidents (their search table
    and titles' index hold the published ones). `filters` narrow an incident's matches
    to their country and years (narrows()); the planner reads the others through the
    tables' own indexes, and the caller applies every filter to the rows all the same."""
    names = {"name": "name", "acronym": "acronym", "alias": "name"}
    parts = {
        "title_matches": lambda: TITLE_MATCHES.format(t="r", **_languages(query)),
        "passage_matches": lambda: PASSAGE_MATCHES.format(t="p", **_languages(query)),
        "query": lambda: tsquery_sql(query),
        "incident_title": lambda: pg_vector_sql("i.title"),
        "group_each": lambda: _pg_each(
            PG_GROUP_WORD, query, query.clauses, **names, description="description", leader="name"
        ),
        "group_named": lambda: _pg_each(PG_GROUP_NAMED, query, query.positive, **names),
    }
    template = MATCHING_SQL[kind]
    sql = template.format(
        **{name: part() for name, part in parts.items() if f"{{{name}}}" in template}
    )
    narrowed = incident_filters(filters) if kind == "incidents" else {}
    sql = " AND ".join([sql, *(INCIDENT_FILTERS[name] for name in narrowed)])
    return positional(sql, _pg_params(query, 0) | narrowed)


def positional(sql, params):
    """`sql` with %(name)s parameters as %s ones, and their values in that order: how
    the ORM takes a raw subquery's."""
    values = []

    def take(match):
        values.append(params[match[1]])
        return "%s"

    return NAMED_PARAMETER.sub(take, sql), values


# A row's own match, for a list that reads the rows its filters choose through their
# own indexes and tests each (search.listing's `probe`): the test reads the row's
# stored vectors, where "id IN (matches)" had the planner list and hash every match
# of a common word first. Kinds without one here are tested that way still.
PROBE_SQL = {
    "report_titles": TITLE_MATCHES,
    "reports": f"""({TITLE_MATCHES} OR EXISTS (
        SELECT FROM reports_paragraph p WHERE p.report_id = {{t}}.id
        AND {PASSAGE_MATCHES.replace("{t}", "p")}))""",
    "passages": PASSAGE_MATCHES,
}


def probe_sql(kind, query, table, filters=None):
    """(SQL, parameters) of whether the row of `table` (quoted) matches `query`."""
    if kind not in PROBE_SQL:
        sql, params = matching_sql(kind, query, filters)
        return f"{table}.id IN ({sql})", params
    sql = PROBE_SQL[kind].format(t=table, **_languages(query))
    return positional(sql, term_params(query))


def read_whole(table, sql, params):
    """(SQL, parameters) of whether the row of `table` (quoted) is among matching_sql()'s
    `sql`, read whole once however many rows the planner prices it in (search.listing's
    `few`): as an array, the matches are an InitPlan run before the rows are read.
    Joined as "id IN (matches)", the planner, taking them for one row, may read the
    rows in order and list the matches again for each, or test each row: every row
    where a phrase is in a handful."""
    return f"{table}.id = ANY(ARRAY({sql}))", params


# Incidents by their title (search.listing's relevance puts them first): where the
# walk's matches (PG_INCIDENTS_SQL; for a deep page, a walk of DENSE rows for each one
# wanted) hold `wanted` of them, each incident read in order has its title tested
# (seek_sql), and these are found among the first rows read; else they are listed
# whole from the titles' index (matching_sql), as few as the walk says. Left to the
# planner, two words it prices in a few titles in a hundred and in none had it walk
# every incident testing each title.
DENSE = 10
PG_TITLES_WALKED = f"""
SELECT count(*) FROM (
    SELECT 1 FROM ({NEWEST_ROWS}) AS w
    WHERE w.document @@ {{query}} AND {{walked_title}} LIMIT %(wanted)s
) AS t
"""


def seeks(kind, query, wanted):
    """Whether `kind`'s first `wanted` rows in order are found for less by testing each
    row read (seek_sql) than by listing every match: incidents' titles, where the
    newest matches hold `wanted` of them."""
    if kind != "incident_titles" or not query:
        return False
    tsquery = tsquery_sql(query)
    sql = PG_TITLES_WALKED.format(query=tsquery, walked_title=title_match_sql("w.title", tsquery))
    walk = max(WALK, DENSE * wanted)
    with connection.cursor() as cursor:
        cursor.execute(sql, term_params(query) | {"walk": walk, "wanted": wanted})
        return cursor.fetchone()[0] == wanted


def seek_sql(kind, query, table, filters=None):
    """(SQL, parameters) of whether the incident of `table` (quoted) has `query` in its
    title: its title made into words as the titles' index has them."""
    return positional(title_match_sql(f"{table}.title", tsquery_sql(query)), term_params(query))


# Bulk writers (reports.search.pause_search_index): the incidents' triggers do nothing
# while this transaction's setting says paused, and the table is written afresh from
# its view at the end, then analysed: its statistics are what the planner sizes a
# count's or a filtered list's matches from.
PAUSED = "reports.search_paused"  # as migration 0027's trigger function reads it


def pause_search_index(cursor):
    cursor.execute("SELECT set_config(%s, 'on', true)", [PAUSED])


def rebuild_search_index(cursor):
    cursor.execute(f"TRUNCATE {INCIDENT_SEARCH}")
    cursor.execute(f"INSERT INTO {INCIDENT_SEARCH} SELECT * FROM {INCIDENT_ROWS}")
    cursor.execute("SELECT set_config(%s, 'off', true)", [PAUSED])
    cursor.execute(f"ANALYZE {INCIDENT_SEARCH}")
