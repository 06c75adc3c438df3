# ruff: noqa: S608 - the SQL here is built from this module's constants, never from input
"""SQLite: the incidents' search rows carry the incident's country as a word of a column
of their own, as migration 0020 made the reports' rows carry their report's, so that a
search narrowed to a country finds its incidents in the index (their years are in the
rowid already: the start date).

reports_search_incidents is made again with a fourth column, `facets` ("qqc" + the
country code), and its triggers with it, the incident's trigger firing on a change of
country too. A frozen copy of reports.search.sqlite_schema's incident part, which
tests/test_search_schema.py holds to the same schema; the group table is as 0006
made it. PostgreSQL: nothing. Reverse: the table and triggers of migration 0006.
"""

import importlib

from django.db import migrations

search_0006 = importlib.import_module("reports.migrations.0006_incident_search")
languages = importlib.import_module("reports.migrations.0014_search_languages")

PUBLISHED, INCIDENTS, TOKENIZER = (
    search_0006.PUBLISHED,
    search_0006.INCIDENTS,
    search_0006.TOKENIZER,
)
incident_key, delete_incident = search_0006.incident_key, search_0006.delete_incident
trigger, changed = search_0006.trigger, search_0006.changed
FACETS = "'qqc' || coalesce(i.country_id, '')"


def insert_incidents(where, titles=True, in_order=False):
    """Statements indexing the published incidents `where` selects (alias i): the
    incident's row and, unless `titles` is false, its title's row (rowid < 0);
    `in_order`, in ascending rowid order, which FTS5 writes fastest."""
    rows = f"FROM reports_incident i WHERE i.status = {PUBLISHED} AND {where}"
    document = f"""INSERT INTO {INCIDENTS}(rowid, title, summary, quotes, facets)
        SELECT {incident_key("i")}, i.title, i.summary,
               (SELECT group_concat(c.quote, char(10))
                FROM reports_citation c JOIN reports_report r ON r.id = c.report_id
                WHERE c.incident_id = i.id AND r.status = {PUBLISHED}),
               {FACETS}
        {rows} {"ORDER BY i.start_date, i.id" if in_order else ""}"""
    title = f"""INSERT INTO {INCIDENTS}(rowid, title, facets)
        SELECT -{incident_key("i")}, i.title, {FACETS}
        {rows} {"ORDER BY i.start_date DESC, i.id DESC" if in_order else ""}"""
    return [document, title] if titles else [document]


def index_incidents(where, titles=True):
    """Statements that rewrite the FTS rows of the incidents `where` selects (alias i).

    The rowids go to FTS5 as a list ("rowid IN"), which it looks up one by one."""
    keys = f"SELECT {incident_key('i')} AS k FROM reports_incident i WHERE {where}"
    if titles:
        keys = f"SELECT k FROM ({keys}) UNION ALL SELECT -k FROM ({keys})"
    delete = f"DELETE FROM {INCIDENTS} WHERE rowid IN ({keys})"
    return ";".join([delete, *insert_incidents(where, titles=titles)]) + ";"


TABLE = (
    f"CREATE VIRTUAL TABLE {INCIDENTS} USING fts5("
    f"title, summary, quotes, facets, columnsize = 0, {TOKENIZER})"
)
POPULATE = insert_incidents("1", in_order=True)
TRIGGER_SQL = {
    # Incidents: a new, changed (text, date: the key, status, country) or deleted incident.
    "reports_search_incident_ai": trigger(
        "reports_search_incident_ai",
        "AFTER INSERT ON reports_incident",
        ";".join(insert_incidents("i.id = new.id")) + ";",
        when=f"new.status = {PUBLISHED}",
    ),
    "reports_search_incident_au": trigger(
        "reports_search_incident_au",
        "AFTER UPDATE OF title, summary, status, start_date, country_id ON reports_incident",
        delete_incident("old") + ";".join(insert_incidents("i.id = new.id")) + ";",
        when=changed("title", "summary", "status", "start_date", "country_id"),
    ),
    "reports_search_incident_ad": trigger(
        "reports_search_incident_ad",
        "AFTER DELETE ON reports_incident",
        delete_incident("old"),
    ),
    # Citations: the quotes column of the incident(s) they support.
    "reports_search_citation_ai": trigger(
        "reports_search_citation_ai",
        "AFTER INSERT ON reports_citation",
        index_incidents("i.id = new.incident_id", titles=False),
        when="new.incident_id IS NOT NULL",
    ),
    "reports_search_citation_au": trigger(
        "reports_search_citation_au",
        "AFTER UPDATE OF quote, incident_id, report_id ON reports_citation",
        index_incidents("i.id IN (old.incident_id, new.incident_id)", titles=False),
        when=f"(old.incident_id IS NOT NULL OR new.incident_id IS NOT NULL)"
        f" AND ({changed('quote', 'incident_id', 'report_id')})",
    ),
    "reports_search_citation_ad": trigger(
        "reports_search_citation_ad",
        "AFTER DELETE ON reports_citation",
        index_incidents("i.id = old.incident_id", titles=False),
        when="old.incident_id IS NOT NULL",
    ),
    # A report published or withdrawn: its quotes start or stop counting.
    "reports_search_report_status": trigger(
        "reports_search_report_status",
        "AFTER UPDATE OF status ON reports_report",
        index_incidents(
            "i.id IN (SELECT c.incident_id FROM reports_citation c WHERE c.report_id = new.id)",
            titles=False,
        ),
        when=changed("status"),
    ),
}


def _rebuild(table, populate, triggers):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            if not languages._has_table(cursor, INCIDENTS):
                return  # no FTS5 here, or the index paused by a bulk writer
            for name in TRIGGER_SQL:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE {INCIDENTS}")
            for statement in [table, *populate, *triggers]:
                cursor.execute(statement)

    return run


create = _rebuild(TABLE, POPULATE, TRIGGER_SQL.values())
drop = _rebuild(
    search_0006.SQLITE_TABLES[0],
    search_0006.insert_incidents("1", in_order=True),
    [search_0006.SQLITE_TRIGGER_SQL[name] for name in TRIGGER_SQL],
)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0020_search_facets"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
