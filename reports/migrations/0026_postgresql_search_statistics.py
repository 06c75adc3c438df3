"""PostgreSQL: finer statistics of the stored tsvectors of paragraphs and report titles.

The planner prices a word not among a column's most common ones at half the least
common one's frequency. With the default hundred statistics' worth of words, a word
in ten passages was priced at about five hundred, and the search hashed every
report to join them. A thousand keeps ten times as many words, so a rare word is
priced as rare (migration 0025 does the same for the incidents' words), and
reports.search.postgresql.common() reads a common word's estimate from them. SQLite
has nothing to do. Reverses: the default again.
"""

from django.db import migrations

COLUMNS = {"reports_paragraph": "text_vector", "reports_report": "title_vector"}


def statistics(target):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for table, column in COLUMNS.items():
                cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {target}")
                cursor.execute(f"ANALYZE {table}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0025_postgresql_incident_search"),
    ]

    operations = [
        migrations.RunPython(statistics(1000), statistics(-1), elidable=False),
    ]
