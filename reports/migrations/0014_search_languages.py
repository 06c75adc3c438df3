# ruff: noqa: S608 - the SQL here is built from this module's constants, never from input
"""Search each report in its own language: Spanish ones (Report.language "es") with
Spanish stemming and accents folded, the others in English as before.

PostgreSQL: a text search configuration reports_spanish (the spanish one, with the
unaccent dictionary before its stemmer, so "Perú" and "peru" are one word), and GIN
indexes with it on the titles and paragraphs of Spanish reports only (partial
indexes: an archive in English pays nothing). A GIN index cannot look at another
table, so each paragraph keeps its report's language in search_language, a column
the models do not know of, written by triggers: when a paragraph is written, when a
report is added, when its language changes. The English indexes of migration 0003
are kept as they are.

SQLite: FTS5 has only the English porter stemmer, so Spanish text is stemmed in
Python (reports.search.spanish) into a table of its own, reports_search_es, with the
rowids of reports_search_fts (a paragraph's id, minus a report's id for its title).
0003's triggers are replaced by ones that write each row into the table of its
report's language, and move a report's rows when its language changes; they call
the Python function reports_spanish_stems, which the app registers on every SQLite
connection it opens (reports.apps), and this migration on its own (a frozen copy).

Both reverse: the Spanish indexes, column, configuration and triggers go, Spanish
text goes back into the English index (the unaccent extension stays: it may have
been there before).
"""

import importlib
import unicodedata

import snowballstemmer
from django.db import migrations

search_0003 = importlib.import_module("reports.migrations.0003_search_indexes")

SPANISH = "'es'"

# --- PostgreSQL ------------------------------------------------------------------

PG_CONFIG = "reports_spanish"
PG_INDEXES = {
    # Expression as reports.search.postgresql.pg_vector_sql(column, PG_CONFIG) writes it.
    "reports_paragraph_text_es_fts": ("reports_paragraph", "text", "search_language"),
    "reports_report_title_es_fts": ("reports_report", "title", "language"),
}
PG_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"CREATE TEXT SEARCH CONFIGURATION {PG_CONFIG} (COPY = pg_catalog.spanish)",
    f"ALTER TEXT SEARCH CONFIGURATION {PG_CONFIG}"
    " ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem",
    "ALTER TABLE reports_paragraph ADD COLUMN search_language varchar(10) NOT NULL DEFAULT 'en'",
    """UPDATE reports_paragraph p SET search_language = r.language
        FROM reports_report r WHERE r.id = p.report_id AND r.language <> 'en'""",
    """CREATE FUNCTION reports_paragraph_search_language() RETURNS trigger AS $$
    BEGIN
        NEW.search_language := COALESCE(
            (SELECT language FROM reports_report WHERE id = NEW.report_id), 'en');
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER reports_paragraph_search_language
        BEFORE INSERT OR UPDATE OF report_id ON reports_paragraph
        FOR EACH ROW EXECUTE FUNCTION reports_paragraph_search_language()""",
    """CREATE FUNCTION reports_report_search_language() RETURNS trigger AS $$
    BEGIN
        UPDATE reports_paragraph SET search_language = NEW.language
        WHERE report_id = NEW.id AND search_language IS DISTINCT FROM NEW.language;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    # A report added after its paragraphs (a restore in another order) sets them too.
    """CREATE TRIGGER reports_report_search_language_ai AFTER INSERT ON reports_report
        FOR EACH ROW EXECUTE FUNCTION reports_report_search_language()""",
    """CREATE TRIGGER reports_report_search_language_au
        AFTER UPDATE OF language ON reports_report FOR EACH ROW
        WHEN (OLD.language IS DISTINCT FROM NEW.language)
        EXECUTE FUNCTION reports_report_search_language()""",
    *(
        f"CREATE INDEX {name} ON {table} USING GIN (to_tsvector('{PG_CONFIG}'::regconfig,"
        f" COALESCE(translate({column}, '<>', '  '), ''))) WHERE {language} = {SPANISH}"
        for name, (table, column, language) in PG_INDEXES.items()
    ),
]
PG_DROP = [
    *(f"DROP INDEX IF EXISTS {name}" for name in PG_INDEXES),
    "DROP TRIGGER IF EXISTS reports_report_search_language_au ON reports_report",
    "DROP TRIGGER IF EXISTS reports_report_search_language_ai ON reports_report",
    "DROP FUNCTION IF EXISTS reports_report_search_language()",
    "DROP TRIGGER IF EXISTS reports_paragraph_search_language ON reports_paragraph",
    "DROP FUNCTION IF EXISTS reports_paragraph_search_language()",
    "ALTER TABLE reports_paragraph DROP COLUMN IF EXISTS search_language",
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {PG_CONFIG}",
]

# --- SQLite ----------------------------------------------------------------------

FTS = search_0003.FTS_TABLE  # reports_search_fts: English (and any other language)
FTS_ES = "reports_search_es"
STEMS = "reports_spanish_stems"  # as reports.search.spanish.STEMS_FUNCTION
COLUMNS = "(rowid, title, body, report_id)"


def language_of(report_id):
    return f"(SELECT language FROM reports_report WHERE id = {report_id})"


def insert_paragraph(row):
    """Index paragraph `row` (new) in the table of its report's language."""
    language = language_of(f"{row}.report_id")
    return f"""
        INSERT INTO {FTS}{COLUMNS} SELECT {row}.id, '', {row}.text, {row}.report_id
            WHERE {language} IS NOT {SPANISH};
        INSERT INTO {FTS_ES}{COLUMNS} SELECT {row}.id, '', {STEMS}({row}.text), {row}.report_id
            WHERE {language} IS {SPANISH};"""


def insert_title(row):
    return f"""
        INSERT INTO {FTS}{COLUMNS} SELECT -{row}.id, {row}.title, '', {row}.id
            WHERE {row}.language IS NOT {SPANISH};
        INSERT INTO {FTS_ES}{COLUMNS} SELECT -{row}.id, {STEMS}({row}.title), '', {row}.id
            WHERE {row}.language IS {SPANISH};"""


def delete_rows(rowids):
    return f"DELETE FROM {FTS} WHERE rowid IN ({rowids}); DELETE FROM {FTS_ES} WHERE rowid IN ({rowids});"


def trigger(name, event, body, when=None):
    when = f"WHEN {when}" if when else ""
    return f"CREATE TRIGGER {name} {event} FOR EACH ROW {when} BEGIN {body} END"


SQLITE_TRIGGERS = {
    "reports_search_paragraph_ai": trigger(
        "reports_search_paragraph_ai", "AFTER INSERT ON reports_paragraph", insert_paragraph("new")
    ),
    "reports_search_paragraph_ad": trigger(
        "reports_search_paragraph_ad", "AFTER DELETE ON reports_paragraph", delete_rows("old.id")
    ),
    "reports_search_paragraph_au": trigger(
        "reports_search_paragraph_au",
        "AFTER UPDATE OF text, report_id ON reports_paragraph",
        delete_rows("old.id") + insert_paragraph("new"),
        when="old.text IS NOT new.text OR old.report_id IS NOT new.report_id",
    ),
    "reports_search_report_ai": trigger(
        "reports_search_report_ai", "AFTER INSERT ON reports_report", insert_title("new")
    ),
    "reports_search_report_ad": trigger(
        "reports_search_report_ad", "AFTER DELETE ON reports_report", delete_rows("-old.id")
    ),
    "reports_search_report_au": trigger(
        "reports_search_report_au",
        "AFTER UPDATE OF title, language ON reports_report",
        delete_rows("-old.id") + insert_title("new"),
        when="old.title IS NOT new.title OR old.language IS NOT new.language",
    ),
    # A report whose language changes: its paragraphs move to the other table.
    "reports_search_report_language": trigger(
        "reports_search_report_language",
        "AFTER UPDATE OF language ON reports_report",
        delete_rows("SELECT id FROM reports_paragraph WHERE report_id = new.id")
        + f"""
        INSERT INTO {FTS}{COLUMNS} SELECT p.id, '', p.text, p.report_id
            FROM reports_paragraph p WHERE p.report_id = new.id
              AND new.language IS NOT {SPANISH} ORDER BY p.id;
        INSERT INTO {FTS_ES}{COLUMNS} SELECT p.id, '', {STEMS}(p.text), p.report_id
            FROM reports_paragraph p WHERE p.report_id = new.id
              AND new.language IS {SPANISH} ORDER BY p.id;""",
        when=f"(old.language IS {SPANISH}) IS NOT (new.language IS {SPANISH})",
    ),
}
SPANISH_REPORTS = f"SELECT id FROM reports_report WHERE language = {SPANISH}"
SQLITE_MOVE = [
    # Spanish rows already indexed in English move to the Spanish table.
    f"""INSERT INTO {FTS_ES}{COLUMNS} SELECT p.id, '', {STEMS}(p.text), p.report_id
        FROM reports_paragraph p WHERE p.report_id IN ({SPANISH_REPORTS}) ORDER BY p.id""",
    f"""INSERT INTO {FTS_ES}{COLUMNS} SELECT -r.id, {STEMS}(r.title), '', r.id
        FROM reports_report r WHERE r.language = {SPANISH}""",
    f"DELETE FROM {FTS} WHERE rowid IN (SELECT rowid FROM {FTS_ES})",
]
SQLITE_MOVE_BACK = [
    f"DELETE FROM {FTS} WHERE rowid IN (SELECT rowid FROM {FTS_ES})",
    f"""INSERT INTO {FTS}{COLUMNS} SELECT p.id, '', p.text, p.report_id
        FROM reports_paragraph p WHERE p.id IN (SELECT rowid FROM {FTS_ES}) ORDER BY p.id""",
    f"""INSERT INTO {FTS}{COLUMNS} SELECT -r.id, r.title, '', r.id
        FROM reports_report r WHERE -r.id IN (SELECT rowid FROM {FTS_ES})""",
]


# A frozen copy of reports.search.spanish.spanish_stems: migrations import no app code.
_WORD = __import__("re").compile(r"[^\W_]+")
_stemmer = snowballstemmer.stemmer("spanish")


def _fold(word):
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _spanish_stems(text):
    return " ".join(_stemmer.stemWord(_fold(word)) for word in _WORD.findall(text or ""))


def _has_table(cursor, name):
    cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = %s", [name])
    return cursor.fetchone()[0] == 1


def create(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in PG_CREATE:
                cursor.execute(statement)
        elif connection.vendor == "sqlite" and _has_table(cursor, FTS):
            connection.connection.create_function(STEMS, 1, _spanish_stems, deterministic=True)
            cursor.execute(
                f"CREATE VIRTUAL TABLE {FTS_ES} USING fts5(title, body, report_id UNINDEXED,"
                " tokenize = 'unicode61 remove_diacritics 2')"
            )
            for statement in SQLITE_MOVE:
                cursor.execute(statement)
            for name, sql in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(sql)


def drop(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in PG_DROP:
                cursor.execute(statement)
        elif connection.vendor == "sqlite" and _has_table(cursor, FTS_ES):
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            for statement in SQLITE_MOVE_BACK:
                cursor.execute(statement)
            cursor.execute(f"DROP TABLE {FTS_ES}")
            for statement in search_0003.SQLITE_CREATE:
                if statement.lstrip().startswith("CREATE TRIGGER"):
                    cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0013_report_language_and_source"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
