"""For migrations that change a column SQLite can only change by rebuilding its table.

The rebuild drops the triggers on the table (the search index's) and fails on triggers
elsewhere that name it, so such a migration sets them aside first and puts them back
after. (The loader skips modules whose names start with "_": this is not a migration.)
"""


def triggers_set_aside(*tables):
    """RunPython functions (set_aside, restore) for the triggers on or naming `tables`."""
    saved = []
    names = " OR ".join(["tbl_name = %s OR sql LIKE %s"] * len(tables))
    query = f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND ({names})"  # noqa: S608
    params = [value for table in tables for value in (table, f"%{table}%")]

    def set_aside(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(query, params)
            saved[:] = cursor.fetchall()
            for name, _sql in saved:
                cursor.execute(f'DROP TRIGGER "{name}"')

    def restore(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            for _name, sql in saved:
                cursor.execute(sql)
        saved.clear()

    return set_aside, restore
