# ruff: noqa: S608 - the SQL here is built from this module's constants, never from input
"""Word search over incidents and groups, like migration 0003's over reports
(see reports/search.py).

SQLite: two FTS5 tables that hold published rows only, kept in step by triggers.
Their tokenizer is the report table's (words, porter stemming, accents folded), not
the trigram one that would keep icontains' substrings: one results page then means
one thing by "matches" for reports, incidents and groups, as PostgreSQL's english
tsvector does; and a word's list of rows is short where trigrams of common words
("pol", "lic", "ice") are in nearly every row.

- reports_search_incidents: per published incident, a row with its title, its
  summary and, in one column, the quotes of its citations of published reports
  (each word of a query may be in any of them, as before), and a row with its title
  only, for "every word in the title". Their rowids are the incident's key, start
  date and id (yyyymmdd * 2**32 + id), and minus the key: FTS5 hands matches over
  in rowid order, so "ORDER BY rowid DESC LIMIT n" over rowids > 0 is the n newest
  matches, read from the index without visiting the others, and the same over
  rowids < 0 in ascending order for the title rows. A word found in 100,000
  incidents costs what a rare one does (reports.search.INCIDENTS_SQL). No column
  sizes (columnsize=0): nothing ranks incidents by bm25.
- reports_search_groups: one row per published group (rowid = group id): name,
  acronym, aliases, leaders, description.

Triggers rewrite an incident's or a group's rows when anything in them changes: the
incident or group itself (text, start date, status), a citation (its quote,
incident or report), a report's status (which quotes count), an alias, a leader.
Bulk writers (bulk_create, bulk_update, reports.bulk.RowInserter, .update()) fire
them too. One that fills an empty archive may instead drop them and fill the tables
once at the end (reports.search.pause_search_index, rebuild_search_index): FTS5
writes rows fastest in rowid order, which random start dates are not. If this SQLite
has no FTS5, nothing is created and search falls back to substring matching.

PostgreSQL: GIN indexes on the to_tsvector() expressions reports.search compiles for
these columns (reports.search.pg_vector_sql), as migration 0003 does for reports.

Caution for later SQLite migrations: when Django rebuilds one of the tables these
triggers are on (reports_incident, reports_citation, reports_report, reports_group,
reports_groupalias, reports_leader), SQLite drops the triggers with the old table;
tests/test_search_backends.py fails then, and they must be created again.
"""

import importlib

from django.db import migrations

search_0003 = importlib.import_module("reports.migrations.0003_search_indexes")

PUBLISHED = "'published'"
PG_CONFIG = search_0003.PG_CONFIG
PG_INDEXES = {
    # Expressions as reports.search.pg_vector_sql(column) writes them; change both together.
    "reports_incident_title_fts": ("reports_incident", "title"),
    "reports_incident_summary_fts": ("reports_incident", "summary"),
    "reports_citation_quote_fts": ("reports_citation", "quote"),
    "reports_group_name_fts": ("reports_group", "name"),
    "reports_group_acronym_fts": ("reports_group", "acronym"),
    "reports_group_description_fts": ("reports_group", "description"),
    "reports_groupalias_name_fts": ("reports_groupalias", "name"),
    "reports_leader_name_fts": ("reports_leader", "name"),
}

INCIDENTS = "reports_search_incidents"
GROUPS = "reports_search_groups"
TOKENIZER = "tokenize = 'porter unicode61 remove_diacritics 2'"  # as reports_search_fts


def incident_key(row):
    """The FTS rowid of an incident: start date, then id (below reports.search.ROWID_MAX)."""
    return (
        f"(COALESCE(CAST(strftime('%Y%m%d', {row}.start_date) AS INTEGER), 0) * 4294967296"
        f" + {row}.id)"
    )


def insert_incidents(where, titles=True, in_order=False):
    """Statements indexing the published incidents `where` selects (alias i): the
    incident's row and, unless `titles` is false, its title's row (rowid < 0);
    `in_order`, in ascending rowid order, which FTS5 writes fastest."""
    rows = f"FROM reports_incident i WHERE i.status = {PUBLISHED} AND {where}"
    document = f"""INSERT INTO {INCIDENTS}(rowid, title, summary, quotes)
        SELECT {incident_key("i")}, i.title, i.summary,
               (SELECT group_concat(c.quote, char(10))
                FROM reports_citation c JOIN reports_report r ON r.id = c.report_id
                WHERE c.incident_id = i.id AND r.status = {PUBLISHED})
        {rows} {"ORDER BY i.start_date, i.id" if in_order else ""}"""
    title = f"""INSERT INTO {INCIDENTS}(rowid, title)
        SELECT -{incident_key("i")}, i.title
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


def delete_incident(row):
    key = incident_key(row)
    return f"DELETE FROM {INCIDENTS} WHERE rowid IN ({key}, -{key});"


def insert_groups(where, order_by=""):
    """Index the published groups `where` selects (alias g)."""
    return f"""
        INSERT INTO {GROUPS}(rowid, name, acronym, aliases, leaders, description)
        SELECT g.id, g.name, g.acronym,
               (SELECT group_concat(a.name, char(10)) FROM reports_groupalias a
                WHERE a.group_id = g.id),
               (SELECT group_concat(l.name, char(10)) FROM reports_leader l
                WHERE l.group_id = g.id),
               g.description
        FROM reports_group g WHERE g.status = {PUBLISHED} AND {where} {order_by}"""


def index_groups(where):
    """Statements that rewrite the FTS rows of the groups `where` selects (alias g)."""
    return f"""
        DELETE FROM {GROUPS} WHERE rowid IN (SELECT g.id FROM reports_group g WHERE {where});
        {insert_groups(where)};"""


def trigger(name, event, body, when=None):
    when = f"WHEN {when}" if when else ""
    return f"CREATE TRIGGER {name} {event} FOR EACH ROW {when} BEGIN {body} END"


def changed(*columns):
    return " OR ".join(f"old.{column} IS NOT new.{column}" for column in columns)


SQLITE_TABLES = [
    f"CREATE VIRTUAL TABLE {INCIDENTS} USING fts5("
    f"title, summary, quotes, columnsize = 0, {TOKENIZER})",
    f"CREATE VIRTUAL TABLE {GROUPS} USING fts5("
    f"name, acronym, aliases, leaders, description, {TOKENIZER})",
]
# The population step: every published incident and group, in rowid order.
SQLITE_POPULATE = [
    *insert_incidents("1", in_order=True),
    insert_groups("1", order_by="ORDER BY g.id"),
]
SQLITE_TRIGGER_SQL = {
    # Incidents: a new, changed (text, date: the key, status) or deleted incident.
    "reports_search_incident_ai": trigger(
        "reports_search_incident_ai",
        "AFTER INSERT ON reports_incident",
        ";".join(insert_incidents("i.id = new.id")) + ";",
        when=f"new.status = {PUBLISHED}",
    ),
    "reports_search_incident_au": trigger(
        "reports_search_incident_au",
        "AFTER UPDATE OF title, summary, status, start_date ON reports_incident",
        delete_incident("old") + ";".join(insert_incidents("i.id = new.id")) + ";",
        when=changed("title", "summary", "status", "start_date"),
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
    # Groups, their aliases and leaders.
    "reports_search_group_ai": trigger(
        "reports_search_group_ai",
        "AFTER INSERT ON reports_group",
        insert_groups("g.id = new.id") + ";",
        when=f"new.status = {PUBLISHED}",
    ),
    "reports_search_group_au": trigger(
        "reports_search_group_au",
        "AFTER UPDATE OF name, acronym, description, status ON reports_group",
        index_groups("g.id = new.id"),
        when=changed("name", "acronym", "description", "status"),
    ),
    "reports_search_group_ad": trigger(
        "reports_search_group_ad",
        "AFTER DELETE ON reports_group",
        f"DELETE FROM {GROUPS} WHERE rowid = old.id;",
    ),
}
for table, short in (("reports_groupalias", "alias"), ("reports_leader", "leader")):
    SQLITE_TRIGGER_SQL |= {
        f"reports_search_{short}_ai": trigger(
            f"reports_search_{short}_ai",
            f"AFTER INSERT ON {table}",
            index_groups("g.id = new.group_id"),
        ),
        f"reports_search_{short}_au": trigger(
            f"reports_search_{short}_au",
            f"AFTER UPDATE OF name, group_id ON {table}",
            index_groups("g.id IN (old.group_id, new.group_id)"),
            when=changed("name", "group_id"),
        ),
        f"reports_search_{short}_ad": trigger(
            f"reports_search_{short}_ad",
            f"AFTER DELETE ON {table}",
            index_groups("g.id = old.group_id"),
        ),
    }
SQLITE_TRIGGERS = list(SQLITE_TRIGGER_SQL)


def create_sqlite(cursor):
    """Create, fill and hook up the FTS5 tables (also reports.search.rebuild_search_index)."""
    for statement in SQLITE_TABLES + SQLITE_POPULATE + list(SQLITE_TRIGGER_SQL.values()):
        cursor.execute(statement)


def drop_sqlite(cursor):
    for name in SQLITE_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    cursor.execute(f"DROP TABLE IF EXISTS {INCIDENTS}")
    cursor.execute(f"DROP TABLE IF EXISTS {GROUPS}")


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
        elif connection.vendor == "sqlite" and search_0003.sqlite_has_fts5(cursor):
            create_sqlite(cursor)


def drop(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in PG_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
        elif connection.vendor == "sqlite":
            drop_sqlite(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_figures"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
