# ruff: noqa: S608 - the SQL here is built from this module's constants, never from input
"""PostgreSQL: finer statistics of the stored tsvectors of paragraphs and report titles.

The planner prices a word not among a column's most common ones at half the least
common one's frequency. With the default hundred statistics' worth of words, a word
in ten passages was priced at about five hundred, and the search hashed every
report to join them. A thousand keeps ten times as many words, so a rare word is
priced as rare, and reports.search.postgresql.common() reads a common word's estimate
from them. The tables are analysed now only if they have rows: statistics of an empty
table tell the planner it stays empty, through the whole of a first bulk import.
SQLite has nothing to do. Reverses: the default again.
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
                cursor.execute(f"SELECT EXISTS (SELECT FROM {table})")
                if cursor.fetchone()[0]:
                    cursor.execute(f"ANALYZE {table}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0024_list_indexes_end_with_id"),
    ]

    operations = [
        migrations.RunPython(statistics(1000), statistics(-1), elidable=False),
    ]
