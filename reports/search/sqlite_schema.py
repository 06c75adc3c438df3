# ruff: noqa: S608 - the SQL here is built from this module's constants, never from input
"""The FTS5 tables and triggers of the SQLite search, as the app creates them again.

Migration 0003 creates reports_search_fts (reports' titles and paragraphs) and
migration 0006 the incident and group tables below (0021 the incident table again,
with its facets), each with its own frozen copy of its SQL; migrations import no
app code and the app imports no migration. The app needs that SQL at run time, when
a bulk writer has paused the index and rebuild_search_index() creates the tables and
triggers afresh, so this module is the app's copy. tests/test_search_schema.py checks
that both copies create the same schema; a change here needs a migration that makes
the same change.

- reports_search_incidents: per published incident, a row with its title, its
  summary and, in one column, the quotes of its citations of published reports,
  and a row with its title only, for "every word in the title". Their rowids are the
  incident's key, start date and id (yyyymmdd * 2**32 + id), and minus the key, so
  that FTS5, which hands matches over in rowid order, gives the newest first
  (sqlite.INCIDENTS_SQL). Both rows carry the incident's country as a word of the
  column `facets` ("qqc" + its code), for a search narrowed to a country. No column
  sizes (columnsize=0): nothing ranks incidents by bm25.
- reports_search_groups: one row per published group (rowid = group id): name,
  acronym, aliases, leaders, description.

Triggers rewrite an incident's or a group's rows when anything in them changes: the
incident or group itself (text, start date, status, an incident's country), a
citation (its quote, incident or report), a report's status (which quotes count), an
alias, a leader.
"""

REPORTS = "reports_search_fts"  # migrations 0003 and 0020's, never rebuilt by the app
REPORTS_ES = "reports_search_es"  # the same for Spanish reports (0014, 0020), stemmed
INCIDENTS = "reports_search_incidents"
GROUPS = "reports_search_groups"
SEARCH_TABLES = (REPORTS, REPORTS_ES, INCIDENTS, GROUPS)

PUBLISHED = "'published'"
TOKENIZER = "tokenize = 'porter unicode61 remove_diacritics 2'"  # as reports_search_fts
# An incident's country, as a word (sqlite.facet_match) of the column `facets`.
FACETS = "'qqc' || coalesce(i.country_id, '')"


def incident_key(row):
    """The FTS rowid of an incident: start date, then id (below sqlite.ROWID_MAX)."""
    return (
        f"(COALESCE(CAST(strftime('%Y%m%d', {row}.start_date) AS INTEGER), 0) * 4294967296"
        f" + {row}.id)"
    )


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


def group_part_triggers(table, short):
    """The triggers that reindex a group when one of its aliases or leaders changes."""
    return {
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


TABLES = [
    f"CREATE VIRTUAL TABLE {INCIDENTS} USING fts5("
    f"title, summary, quotes, facets, columnsize = 0, {TOKENIZER})",
    f"CREATE VIRTUAL TABLE {GROUPS} USING fts5("
    f"name, acronym, aliases, leaders, description, {TOKENIZER})",
]
# The population step: every published incident and group, in rowid order.
POPULATE = [
    *insert_incidents("1", in_order=True),
    insert_groups("1", order_by="ORDER BY g.id"),
]
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
    **group_part_triggers("reports_groupalias", "alias"),
    **group_part_triggers("reports_leader", "leader"),
}
TRIGGERS = list(TRIGGER_SQL)


def create(cursor):
    """Create, fill and hook up the incident and group FTS5 tables."""
    for statement in TABLES + POPULATE + list(TRIGGER_SQL.values()):
        cursor.execute(statement)


def drop(cursor):
    """Drop the incident and group FTS5 tables and their triggers."""
    for name in TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    cursor.execute(f"DROP TABLE IF EXISTS {INCIDENTS}")
    cursor.execute(f"DROP TABLE IF EXISTS {GROUPS}")
