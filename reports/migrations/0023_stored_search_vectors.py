# ruff: noqa: S608 - the SQL here is built from this module's constants, never from input
"""PostgreSQL: the tsvectors of paragraphs and report titles stored, not computed.

Migrations 0003 and 0014 index to_tsvector() expressions. An index scan of a common
word still had PostgreSQL compute the tsvector of every matching row again: to test
the rest of the condition (the row's language), to rank it (ts_rank), and for a
phrase, whose positions a GIN index does not keep, to recheck it. For a word in
every report that was the whole cost of a search.

Each table gets a stored generated column holding the tsvector its search reads:
in its report's language, Spanish ("es", 0014's reports_spanish configuration, from
search_language or language) or English, the same expressions 0003 and 0014 index,
and one GIN index on it, which replaces their four expression indexes. The models do
not know of the columns; PostgreSQL writes them on every insert and update (after
0014's BEFORE trigger has set the paragraph's language). SQLite has nothing to do:
its FTS5 tables hold their own index.

reports.search.postgresql reads these columns (TITLE_MATCHES, PASSAGE_MATCHES): change
both together. Reverses: the columns go and the four expression indexes come back.
"""

import importlib

from django.db import migrations

search_0003 = importlib.import_module("reports.migrations.0003_search_indexes")
languages_0014 = importlib.import_module("reports.migrations.0014_search_languages")

ENGLISH, SPANISH = "english", "reports_spanish"
# table: (stored column, text column, language column, GIN index)
PG_COLUMNS = {
    "reports_paragraph": ("text_vector", "text", "search_language", "reports_paragraph_vector_fts"),
    "reports_report": ("title_vector", "title", "language", "reports_report_vector_fts"),
}


def vector(config, column):
    return f"to_tsvector('{config}'::regconfig, COALESCE(translate({column}, '<>', '  '), ''))"


def _create_sql():
    statements = []
    for table, (stored, column, language, index) in PG_COLUMNS.items():
        statements += [
            f"ALTER TABLE {table} ADD COLUMN {stored} tsvector GENERATED ALWAYS AS "
            f"(CASE WHEN {language} = 'es' THEN {vector(SPANISH, column)} "
            f"ELSE {vector(ENGLISH, column)} END) STORED",
            f"CREATE INDEX {index} ON {table} USING GIN ({stored})",
        ]
    statements += [f"DROP INDEX IF EXISTS {name}" for name in search_0003.PG_INDEXES]
    statements += [f"DROP INDEX IF EXISTS {name}" for name in languages_0014.PG_INDEXES]
    return statements


def _drop_sql():
    statements = [
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING GIN ({vector(ENGLISH, column)})"
        for name, (table, column) in search_0003.PG_INDEXES.items()
    ]
    statements += [
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING GIN "
        f"({vector(SPANISH, column)}) WHERE {language} = 'es'"
        for name, (table, column, language) in languages_0014.PG_INDEXES.items()
    ]
    statements += [
        f"ALTER TABLE {table} DROP COLUMN IF EXISTS {stored}"
        for table, (stored, *_rest) in PG_COLUMNS.items()
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
        ("reports", "0022_dataset_events"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
