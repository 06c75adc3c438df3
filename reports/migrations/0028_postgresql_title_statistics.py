# ruff: noqa: S608 - the SQL here is built from this module's constants, never from input
"""PostgreSQL: report titles' stored tsvectors back to the default statistics target.

Migration 0025 gave titles and paragraphs a thousand statistics' worth of words. A
title is a few words, so at 10,000 reports a thousand kept 10,000 of them, and the
planner reads that whole list for every `title_vector @@` of a statement, some eight
on every search page. The default hundred keeps about a hundred there, and a word not
among them is still priced as rare (in 8 titles of 10,000, where 1 before, and
planned alike). Paragraphs keep 0025's thousand: a word in ten passages is rare among
a hundred thousand. Analysed now only if there are rows, as 0025. SQLite has nothing
to do. Reverses: 0025's thousand again.
"""

from django.db import migrations

TABLE, COLUMN = "reports_report", "title_vector"


def statistics(target):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {COLUMN} SET STATISTICS {target}")
            cursor.execute(f"SELECT EXISTS (SELECT FROM {TABLE})")
            if cursor.fetchone()[0]:
                cursor.execute(f"ANALYZE {TABLE}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0027_postgresql_incident_search"),
    ]

    operations = [
        migrations.RunPython(statistics(-1), statistics(1000), elidable=False),
    ]
