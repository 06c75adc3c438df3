"""Full-text search structures, one per database engine (see reports/search.py).

PostgreSQL: GIN indexes on the same to_tsvector() expressions the search query
uses (reports.search.pg_vector), so the planner can use them.

SQLite: an FTS5 table `reports_search_fts` with one row per paragraph (rowid =
paragraph id) and one per report title (rowid = minus the report id), kept in
step by triggers. If this SQLite was built without FTS5, nothing is created and
search falls back to plain substring matching.

Caution for later SQLite migrations: when Django rebuilds reports_paragraph or
reports_report (many ALTERs do), SQLite drops these triggers with the old table;
tests/test_search_backends.py fails then, and the triggers must be created again.
Migration 0014 replaces this one's triggers by ones that index Spanish reports
apart; create those again, not these.
"""

from django.db import OperationalError, migrations

PG_CONFIG = "english"
PG_INDEXES = {
    # Expression as reports.search.pg_vector(field) compiles it; change both together.
    "reports_paragraph_text_fts": ("reports_paragraph", "text"),
    "reports_report_title_fts": ("reports_report", "title"),
}

FTS_TABLE = "reports_search_fts"
SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE reports_search_fts USING fts5(
        title, body, report_id UNINDEXED,
        tokenize = 'porter unicode61 remove_diacritics 2'
    )""",
    """INSERT INTO reports_search_fts(rowid, title, body, report_id)
        SELECT id, '', text, report_id FROM reports_paragraph""",
    """INSERT INTO reports_search_fts(rowid, title, body, report_id)
        SELECT -id, title, '', id FROM reports_report""",
    """CREATE TRIGGER reports_search_paragraph_ai AFTER INSERT ON reports_paragraph BEGIN
        INSERT INTO reports_search_fts(rowid, title, body, report_id)
        VALUES (new.id, '', new.text, new.report_id);
    END""",
    """CREATE TRIGGER reports_search_paragraph_ad AFTER DELETE ON reports_paragraph BEGIN
        DELETE FROM reports_search_fts WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER reports_search_paragraph_au
        AFTER UPDATE OF text, report_id ON reports_paragraph BEGIN
        DELETE FROM reports_search_fts WHERE rowid = old.id;
        INSERT INTO reports_search_fts(rowid, title, body, report_id)
        VALUES (new.id, '', new.text, new.report_id);
    END""",
    """CREATE TRIGGER reports_search_report_ai AFTER INSERT ON reports_report BEGIN
        INSERT INTO reports_search_fts(rowid, title, body, report_id)
        VALUES (-new.id, new.title, '', new.id);
    END""",
    """CREATE TRIGGER reports_search_report_ad AFTER DELETE ON reports_report BEGIN
        DELETE FROM reports_search_fts WHERE rowid = -old.id;
    END""",
    """CREATE TRIGGER reports_search_report_au AFTER UPDATE OF title ON reports_report BEGIN
        DELETE FROM reports_search_fts WHERE rowid = -old.id;
        INSERT INTO reports_search_fts(rowid, title, body, report_id)
        VALUES (-new.id, new.title, '', new.id);
    END""",
]
SQLITE_TRIGGERS = [
    "reports_search_paragraph_ai",
    "reports_search_paragraph_ad",
    "reports_search_paragraph_au",
    "reports_search_report_ai",
    "reports_search_report_ad",
    "reports_search_report_au",
]


def sqlite_has_fts5(cursor):
    try:
        cursor.execute("CREATE VIRTUAL TABLE temp.reports_fts5_probe USING fts5(x)")
    except OperationalError:
        return False
    cursor.execute("DROP TABLE temp.reports_fts5_probe")
    return True


def create(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, (table, column) in PG_INDEXES.items():
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING GIN "
                    f"(to_tsvector('{PG_CONFIG}'::regconfig, "
                    f"COALESCE(translate({column}, '<>', '  '), '')))"
                )
        elif connection.vendor == "sqlite" and sqlite_has_fts5(cursor):
            for statement in SQLITE_CREATE:
                cursor.execute(statement)


def drop(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in PG_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
        elif connection.vendor == "sqlite":
            for trigger in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
