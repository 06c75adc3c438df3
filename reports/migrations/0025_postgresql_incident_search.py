# ruff: noqa: S608 - the SQL here is built from this module's constants, never from input
"""PostgreSQL: one row of words per published incident, as SQLite's
reports_search_incidents (migration 0006), kept by triggers.

An incident matches a query when each word is in its title, its summary or a quote
of its citations of published reports. With a GIN index per column, a common word's
matches were every citation quoting it, each joined to its report (is it published?)
and its incident (when did it start?) before the newest twenty could be chosen: the
cost of an incident search grew with the archive. Here each published incident has
one tsvector of all three, with its start date, title and country beside it, so a
search reads the newest matches in order (start_date, title), or the few matches of a
rare word from the GIN index, without touching another table.

The columns' vectors are joined with GAP between them, a lexeme no query can hold,
so that a phrase matches within one of them only (as in SQLite's separate columns).
Statement-level triggers rewrite the rows of the incidents a statement touched: the
incident itself (any column: text, date, status, country), a citation (its quote,
incident or report), a report's status (which quotes count). A bulk write of many
rows rewrites each incident once a statement.

The GIN indexes 0006 made on incidents' summaries and citations' quotes are no
longer read, and go. reports.search.postgresql reads this table (INCIDENT_SEARCH):
change both together. SQLite has nothing to do. Reverses: the table, its function
and triggers go, and the two indexes come back.
"""

from django.db import migrations

TABLE = "reports_incident_search"
ENGLISH = "english"
GAP = "$$' ':100$$::tsvector"
DROPPED_INDEXES = {
    "reports_incident_summary_fts": ("reports_incident", "summary"),
    "reports_citation_quote_fts": ("reports_citation", "quote"),
}


def vector(column):
    return f"to_tsvector('{ENGLISH}'::regconfig, COALESCE(translate({column}, '<>', '  '), ''))"


# Rewrite the rows of the incidents `ids`: gone unless published, else afresh.
INDEX_FUNCTION = f"""
CREATE FUNCTION reports_index_incidents(ids bigint[]) RETURNS void
LANGUAGE sql AS $function$
    DELETE FROM {TABLE} WHERE incident_id = ANY(ids);
    INSERT INTO {TABLE} (incident_id, start_date, title, country_id, document)
    SELECT i.id, i.start_date, i.title, i.country_id,
           {vector("i.title")} || {GAP} || {vector("i.summary")} || {GAP}
           || {vector("q.quotes")}
    FROM reports_incident i
    LEFT JOIN LATERAL (
        SELECT string_agg(c.quote, E'\\n' ORDER BY c.id) AS quotes
        FROM reports_citation c JOIN reports_report r ON r.id = c.report_id
        WHERE c.incident_id = i.id AND r.status = 'published'
    ) q ON true
    WHERE i.id = ANY(ids) AND i.status = 'published';
$function$
"""

# One trigger function for every table and event; each trigger names the transition
# tables its branch reads (PostgreSQL allows one event a trigger with them).
TRIGGER_FUNCTION = """
CREATE FUNCTION reports_incident_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $function$
BEGIN
    IF TG_TABLE_NAME = 'reports_incident' AND TG_OP = 'DELETE' THEN
        DELETE FROM reports_incident_search
        WHERE incident_id IN (SELECT id FROM old_rows);
    ELSIF TG_TABLE_NAME = 'reports_incident' THEN
        PERFORM reports_index_incidents(ARRAY(SELECT id FROM new_rows));
    ELSIF TG_TABLE_NAME = 'reports_citation' AND TG_OP = 'INSERT' THEN
        PERFORM reports_index_incidents(ARRAY(
            SELECT DISTINCT incident_id FROM new_rows WHERE incident_id IS NOT NULL));
    ELSIF TG_TABLE_NAME = 'reports_citation' AND TG_OP = 'DELETE' THEN
        PERFORM reports_index_incidents(ARRAY(
            SELECT DISTINCT incident_id FROM old_rows WHERE incident_id IS NOT NULL));
    ELSIF TG_TABLE_NAME = 'reports_citation' THEN
        PERFORM reports_index_incidents(ARRAY(
            SELECT incident_id FROM old_rows WHERE incident_id IS NOT NULL
            UNION SELECT incident_id FROM new_rows WHERE incident_id IS NOT NULL));
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
    ("reports_incident_search_au", "reports_incident", "UPDATE", "NEW TABLE AS new_rows"),
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
            country_id varchar,
            document tsvector NOT NULL)""",
        INDEX_FUNCTION,
        TRIGGER_FUNCTION,
        # Filled before its indexes are built: one sort each, not row by row.
        "SELECT reports_index_incidents(ARRAY("
        "SELECT id FROM reports_incident WHERE status = 'published'))",
        f"CREATE INDEX {TABLE}_document ON {TABLE} USING GIN (document)",
        # The newest first, as the search lists them (reports.search.postgresql).
        f"CREATE INDEX {TABLE}_date ON {TABLE} (start_date DESC, title)",
        # The planner walks the dates for a word it thinks common and reads a rare
        # one's rows from the GIN index. A word not among the column's most common
        # is priced at half the least common's frequency: with the default hundred
        # statistics' worth of words, that was hundreds of rows for a word in two, and
        # a walk through every incident.
        f"ALTER TABLE {TABLE} ALTER COLUMN document SET STATISTICS 1000",
        f"ANALYZE {TABLE}",
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
        f"DROP TABLE IF EXISTS {TABLE}",
    ]
    return statements


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in _create_sql():
                cursor.execute(statement)


def drop(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in _drop_sql():
                cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0024_list_indexes_end_with_id"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
