# ruff: noqa: S608 - the SQL here is built from this module's constants, never from input
"""SQLite: every row of the reports' search tables carries its report's country and
year as words of their own, so that a search narrowed to a country and years finds
its matches in the index itself instead of testing every match against the reports.

FTS5 cannot add a column, so reports_search_fts and reports_search_es are made again
with a fourth column, `facets`: "qqc" + the report's country code and "qqy" + its year
(reports.search.sqlite.facet_match writes the same words; no word of a text begins
with "qq", and the tokenizers fold case). The triggers of migration 0014 are replaced
by the same ones writing the facets, and a report whose country or year changes has its
rows written again, as one whose language changes already had. A report added after
its paragraphs (a restore in another order) indexes them then.

PostgreSQL: nothing (its planner reads the filters through the reports' indexes).
Reverse: the tables as migration 0014 left them, with its triggers.
"""

import importlib

from django.db import migrations

search_0003 = importlib.import_module("reports.migrations.0003_search_indexes")
languages = importlib.import_module("reports.migrations.0014_search_languages")

FTS, FTS_ES, STEMS, SPANISH = languages.FTS, languages.FTS_ES, languages.STEMS, languages.SPANISH
TOKENIZERS = {FTS: "porter unicode61 remove_diacritics 2", FTS_ES: "unicode61 remove_diacritics 2"}
COLUMNS = "(rowid, title, body, report_id, facets)"


def facets(report):
    """SQL of the facets of the report row `report`."""
    return f"'qqc' || coalesce({report}.country_id, '') || ' qqy' || coalesce({report}.year, '')"


def tables(with_facets):
    column = ", facets" if with_facets else ""
    return [
        f"CREATE VIRTUAL TABLE {table} USING fts5(title, body, report_id UNINDEXED{column},"
        f" tokenize = '{tokenizer}')"
        for table, tokenizer in TOKENIZERS.items()
    ]


def insert(rows, with_facets=True, paragraphs=True):
    """Statements indexing the titles of the reports (r) that `rows` selects ("FROM
    reports_report r WHERE ...") and, if `paragraphs`, their paragraphs (p), each in
    its language's table."""
    columns = COLUMNS if with_facets else languages.COLUMNS
    extra = ", " + facets("r") if with_facets else ""
    english, spanish = f"r.language IS NOT {SPANISH}", f"r.language IS {SPANISH}"
    statements = f"""
        INSERT INTO {FTS}{columns} SELECT -r.id, r.title, '', r.id{extra}
            {rows} AND {english};
        INSERT INTO {FTS_ES}{columns} SELECT -r.id, {STEMS}(r.title), '', r.id{extra}
            {rows} AND {spanish};"""
    if not paragraphs:
        return statements
    joined = rows.replace(
        "FROM reports_report r",
        "FROM reports_paragraph p JOIN reports_report r ON r.id = p.report_id",
    )
    return (
        statements
        + f"""
        INSERT INTO {FTS}{columns} SELECT p.id, '', p.text, p.report_id{extra}
            {joined} AND {english} ORDER BY p.id;
        INSERT INTO {FTS_ES}{columns} SELECT p.id, '', {STEMS}(p.text), p.report_id{extra}
            {joined} AND {spanish} ORDER BY p.id;"""
    )


def insert_paragraph(row):
    """Index paragraph `row` (new) in its report's language, with its report's facets;
    as English if its report is not there yet (its report's insert indexes it again)."""
    report = (
        f"(SELECT r.language AS language, {facets('r')} AS facets"
        f" FROM reports_report r WHERE r.id = {row}.report_id)"
    )
    return f"""
        INSERT INTO {FTS}{COLUMNS} SELECT {row}.id, '', {row}.text, {row}.report_id, r.facets
            FROM (SELECT 1) LEFT JOIN {report} r WHERE r.language IS NOT {SPANISH};
        INSERT INTO {FTS_ES}{COLUMNS}
            SELECT {row}.id, '', {STEMS}({row}.text), {row}.report_id, r.facets
            FROM {report} r WHERE r.language IS {SPANISH};"""


def report_rows(row, paragraphs=True):
    """Index report `row` (new) again: its title and, if `paragraphs`, its paragraphs."""
    delete = languages.delete_rows(f"-{row}.id")
    if paragraphs:
        delete += languages.delete_rows(
            f"SELECT id FROM reports_paragraph WHERE report_id = {row}.id"
        )
    return delete + insert(f"FROM reports_report r WHERE r.id = {row}.id", paragraphs=paragraphs)


trigger = languages.trigger
CHANGED = "old.{0} IS NOT new.{0}"
SQLITE_TRIGGERS = {
    "reports_search_paragraph_ai": trigger(
        "reports_search_paragraph_ai", "AFTER INSERT ON reports_paragraph", insert_paragraph("new")
    ),
    "reports_search_paragraph_ad": languages.SQLITE_TRIGGERS["reports_search_paragraph_ad"],
    "reports_search_paragraph_au": trigger(
        "reports_search_paragraph_au",
        "AFTER UPDATE OF text, report_id ON reports_paragraph",
        languages.delete_rows("old.id") + insert_paragraph("new"),
        when="old.text IS NOT new.text OR old.report_id IS NOT new.report_id",
    ),
    # Its title, and any paragraph indexed before it (a restore in another order).
    "reports_search_report_ai": trigger(
        "reports_search_report_ai", "AFTER INSERT ON reports_report", report_rows("new")
    ),
    "reports_search_report_ad": languages.SQLITE_TRIGGERS["reports_search_report_ad"],
    "reports_search_report_au": trigger(
        "reports_search_report_au",
        "AFTER UPDATE OF title ON reports_report",
        report_rows("new", paragraphs=False),
        when="old.title IS NOT new.title",
    ),
    # A report whose language, country or year changes: all its rows written again.
    "reports_search_report_language": trigger(
        "reports_search_report_language",
        "AFTER UPDATE OF language, country_id, year ON reports_report",
        report_rows("new"),
        when=" OR ".join(CHANGED.format(column) for column in ("language", "country_id", "year")),
    ),
}


def rebuild(cursor, with_facets):
    """Make both tables again, filled, with or without the facets."""
    for table in TOKENIZERS:
        cursor.execute(f"DROP TABLE {table}")
    for statement in tables(with_facets):
        cursor.execute(statement)
    for statement in insert("FROM reports_report r WHERE 1", with_facets).split(";"):
        if statement.strip():
            cursor.execute(statement)


def set_triggers(cursor, triggers):
    for name in {**languages.SQLITE_TRIGGERS, **SQLITE_TRIGGERS}:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sql in triggers.values():
        cursor.execute(sql)


def _migrate(with_facets):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            if not languages._has_table(cursor, FTS_ES):
                return  # no FTS5 here: the search falls back to substrings
            connection.connection.create_function(
                STEMS, 1, languages._spanish_stems, deterministic=True
            )
            set_triggers(cursor, {})
            rebuild(cursor, with_facets)
            set_triggers(cursor, SQLITE_TRIGGERS if with_facets else languages.SQLITE_TRIGGERS)

    return run


create, drop = _migrate(True), _migrate(False)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0019_paragraph_report_index"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
