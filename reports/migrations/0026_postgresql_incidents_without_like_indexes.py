"""PostgreSQL: the incident table without the varchar_pattern_ops indexes Django adds
beside the index of each indexed or unique text column (status, slug, external_id,
country_id), which serve only `LIKE 'prefix%'`.

Nothing filters incidents by a prefix of these columns, and the table is the one bulk
imports fill by the hundred thousand rows: each index is written for each row. The
columns' own indexes stay. Django's state knows nothing of these indexes (it makes
them with each column), so nothing else changes; a later AlterField of one of these
columns drops them IF EXISTS. SQLite has none. Reverses: the indexes come back.
"""

from django.db import migrations

TABLE = "reports_incident"
COLUMNS = ("status", "slug", "external_id", "country_id")


def like_indexes(schema_editor):
    """{column: the name Django gives its `_like` index}."""
    return {
        column: schema_editor._create_index_name(TABLE, [column], suffix="_like")
        for column in COLUMNS
    }


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in like_indexes(schema_editor).values():
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for column, name in like_indexes(schema_editor).items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(name)}"
            f" ON {quote(TABLE)} ({quote(column)} varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0025_postgresql_search_statistics"),
    ]

    operations = [
        migrations.RunPython(drop, create, elidable=False),
    ]
