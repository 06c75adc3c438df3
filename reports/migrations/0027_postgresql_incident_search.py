# ruff: noqa: S608 - the SQL here is built from this module's constants, never from input
"""PostgreSQL: one row of words per published incident, as SQLite's
reports_search_incidents (migration 0006), kept by triggers.

An incident matches a query when each word is in its title, its summary or a quote of
its citations of published reports. With a GIN index per column, a common word's
matches were every citation quoting it, each looked up with its incident (when did it
start?) before the newest twenty could be chosen, and read again to count them: the
cost grew with the archive. Here each published incident has one tsvector of all
three, with its start date, title and country beside it, so a search reads the newest
matches in order, or a rare word's few from the GIN index, without another table.

The view reports_incident_search_rows says what a row holds; the table is written
from it only. It reads an incident's citations, then each one's report by its key:
as a join, the planner may order it otherwise from the statistics of tables a bulk
writer is still filling, and it then read every published report for each incident.
The columns' vectors are joined with GAP between them, a lexeme no query can hold,
so that a phrase matches within one of them only (as in SQLite's separate columns);
the quotes are one text, as in SQLite's one column.

Statement-level triggers rewrite the rows of the incidents a statement touched: an
incident itself (its text, date, status or country changed), a citation (inserted,
changed, deleted), a report's status (which quotes count). A bulk writer that fills
the archive pauses them for its transaction (the setting reports.search_paused, set
by reports.search.pause_search_index) and fills the table once at the end
(rebuild_search_index), as on SQLite: each incident once, where the triggers
write it again for its citations.

The GIN indexes 0006 made on incidents' summaries and citations' quotes are no longer
read, and go. reports.search.postgresql reads this table (INCIDENT_SEARCH) and
rebuilds it from the view: change them together. SQLite has nothing to do. Reverses:
the table, view, functions and triggers go, and the two indexes come back.
"""

from django.db import migrations

TABLE = "reports_incident_search"
VIEW = "reports_incident_search_rows"
GAP = "$$' ':100$$::tsvector"
DROPPED_INDEXES = {
    "reports_incident_summary_fts": ("reports_incident", "summary"),
    "reports_citation_quote_fts": ("reports_citation", "quote"),
}


def vector(column):
    """As reports.search.postgresql.pg_vector_sql() and migration 0006's indexes."""
    return f"to_tsvector('english'::regconfig, COALESCE(translate({column}, '<>', '  '), ''))"


ROWS_VIEW = f"""
CREATE VIEW {VIEW} AS
SELECT i.id AS incident_id, i.start_date, i.title, i.country_id,
       {vector("i.title")} || {GAP} || {vector("i.summary")} || {GAP}
       || {vector("q.quotes")} AS document
FROM reports_incident i
LEFT JOIN LATERAL (
    SELECT string_agg(c.quote, E'\\n' ORDER BY c.id) AS quotes
    FROM reports_citation c
    WHERE c.incident_id = i.id
      AND (SELECT r.status FROM reports_report r WHERE r.id = c.report_id) = 'published'
) q ON true
WHERE i.status = 'published'
"""

# Rewrite the rows of the incidents `ids`: gone unless published, else afresh.
INDEX_FUNCTION = f"""
CREATE FUNCTION reports_index_incidents(ids bigint[]) RETURNS void
LANGUAGE sql AS $function$
    DELETE FROM {TABLE} WHERE incident_id = ANY(ids);
    INSERT INTO {TABLE} SELECT * FROM {VIEW} WHERE incident_id = ANY(ids);
$function$
"""

# One function for every table and event; each trigger names the transition tables
# its branch reads (PostgreSQL allows one event a trigger with them).
TRIGGER_FUNCTION = f"""
CREATE FUNCTION reports_incident_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $function$
BEGIN
    IF current_setting('reports.search_paused', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'reports_incident' AND TG_OP = 'DELETE' THEN
        DELETE FROM {TABLE} WHERE incident_id IN (SELECT id FROM old_rows);
    ELSIF TG_TABLE_NAME = 'reports_incident' AND TG_OP = 'INSERT' THEN
        PERFORM reports_index_incidents(ARRAY(
            SELECT id FROM new_rows WHERE status = 'published'));
    ELSIF TG_TABLE_NAME = 'reports_incident' THEN
        PERFORM reports_index_incidents(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.title, n.summary, n.status, n.start_date, n.country_id)
                  IS DISTINCT FROM (o.title, o.summary, o.status, o.start_date, o.country_id)));
    ELSIF TG_TABLE_NAME = 'reports_citation' AND TG_OP = 'INSERT' THEN
        PERFORM reports_index_incidents(ARRAY(
            SELECT DISTINCT incident_id FROM new_rows WHERE incident_id IS NOT NULL));
    ELSIF TG_TABLE_NAME = 'reports_citation' AND TG_OP = 'DELETE' THEN
        PERFORM reports_index_incidents(ARRAY(
            SELECT DISTINCT incident_id FROM old_rows WHERE incident_id IS NOT NULL));
    ELSIF TG_TABLE_NAME = 'reports_citation' THEN
        PERFORM reports_index_incidents(ARRAY(
            SELECT o.incident_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.quote, o.incident_id, o.report_id)
                  IS DISTINCT FROM (n.quote, n.incident_id, n.report_id)
              AND o.incident_id IS NOT NULL
            UNION
            SELECT n.incident_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.quote, o.incident_id, o.report_id)
                  IS DISTINCT FROM (n.quote, n.incident_id, n.report_id)
              AND n.incident_id IS NOT NULL));
    ELSIF TG_TABLE_NAME = 'reports_report' THEN
        PERFORM reports_index_incidents(ARRAY(
            SELECT DISTINCT c.incident_id
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            JOIN reports_citation c ON c.report_id = n.id
            WHERE n.status IS DISTINCT FROM o.status AND c.incident_id IS NOT NULL));
    END IF;
    RETURN NULL;
END
$function$
"""

# (trigger, table, event, transition tables)
TRIGGERS = [
    ("reports_incident_search_ai", "reports_incident", "INSERT", "NEW TABLE AS new_rows"),
    (
        "reports_incident_search_au",
        "reports_incident",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    ),
    ("reports_incident_search_ad", "reports_incident", "DELETE", "OLD TABLE AS old_rows"),
    ("reports_citation_search_ai", "reports_citation", "INSERT", "NEW TABLE AS new_rows"),
    (
        "reports_citation_search_au",
        "reports_citation",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    ),
    ("reports_citation_search_ad", "reports_citation", "DELETE", "OLD TABLE AS old_rows"),
    (
        "reports_report_search_au",
        "reports_report",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    ),
]


def _create_sql():
    statements = [
        f"""CREATE TABLE {TABLE} (
            incident_id bigint PRIMARY KEY,
            start_date date NOT NULL,
            title varchar(300) NOT NULL,
            country_id varchar(8) NOT NULL,
            document tsvector NOT NULL)""",
        ROWS_VIEW,
        INDEX_FUNCTION,
        TRIGGER_FUNCTION,
        # Filled before its indexes are built: one sort each, not row by row.
        f"INSERT INTO {TABLE} SELECT * FROM {VIEW}",
        f"CREATE INDEX {TABLE}_document ON {TABLE} USING GIN (document)",
        # The newest first, as the search lists them (reports.search.postgresql).
        f"CREATE INDEX {TABLE}_date ON {TABLE} (start_date DESC, title)",
        # A search narrowed to a country (and years): its rows, ANDed with the word's.
        f"CREATE INDEX {TABLE}_country ON {TABLE} (country_id, start_date)",
        # A word not among the column's most common is priced at half the least
        # common's frequency: a thousand statistics' worth of words price a rare one as
        # rare (as migration 0025's columns).
        f"ALTER TABLE {TABLE} ALTER COLUMN document SET STATISTICS 1000",
    ]
    statements += [
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables} "
        "FOR EACH STATEMENT EXECUTE FUNCTION reports_incident_search_trigger()"
        for name, table, event, tables in TRIGGERS
    ]
    statements += [f"DROP INDEX IF EXISTS {name}" for name in DROPPED_INDEXES]
    return statements


def _drop_sql():
    statements = [
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING GIN ({vector(column)})"
        for name, (table, column) in DROPPED_INDEXES.items()
    ]
    statements += [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table, *_ in TRIGGERS]
    statements += [
        "DROP FUNCTION IF EXISTS reports_incident_search_trigger()",
        "DROP FUNCTION IF EXISTS reports_index_incidents(bigint[])",
        f"DROP VIEW IF EXISTS {VIEW}",
        f"DROP TABLE IF EXISTS {TABLE}",
    ]
    return statements


def run(statements):
    def operation(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for statement in statements():
                cursor.execute(statement)
            # Statistics of an empty table would tell the planner it stays empty
            # (as migration 0025).
            cursor.execute(f"SELECT to_regclass('{TABLE}') IS NOT NULL")
            if cursor.fetchone()[0]:
                cursor.execute(f"SELECT EXISTS (SELECT FROM {TABLE})")
                if cursor.fetchone()[0]:
                    cursor.execute(f"ANALYZE {TABLE}")

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0026_postgresql_incidents_without_like_indexes"),
    ]

    operations = [
        migrations.RunPython(run(_create_sql), run(_drop_sql), elidable=False),
    ]
