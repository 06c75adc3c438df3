"""PostgreSQL: the GIN index of incidents' titles holds published incidents only.

Search reads it for published incidents only (reports.search.postgresql: the
titles of PG_INCIDENTS_SQL and MATCHING_SQL["incident_titles"] say so). Imports
write drafts by the hundred thousand, and each draft's title was made into words and
written into the index, for nothing. Now an incident's title is indexed when it is
published. SQLite has nothing to do (its search tables hold published incidents
already). Reverses: the index over every incident again.
"""

from django.db import migrations

INDEX, TABLE = "reports_incident_title_fts", "reports_incident"
# As migration 0006's index and reports.search.postgresql.pg_vector_sql("title").
VECTOR = "to_tsvector('english'::regconfig, COALESCE(translate(title, '<>', '  '), ''))"
PUBLISHED = "status = 'published'"


def index(where):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(f"CREATE INDEX {INDEX} ON {TABLE} USING GIN ({VECTOR}){where}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0028_postgresql_title_statistics"),
    ]

    operations = [
        migrations.RunPython(index(f" WHERE {PUBLISHED}"), index(""), elidable=False),
    ]
