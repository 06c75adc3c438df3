# The entries' Spanish text becomes plain columns of the models: the English copies
# (title_en, ...) go, since the original fields are the English text, and a Spanish
# column nobody has filled holds "" rather than NULL.

from django.db import migrations, models

from reports.migrations._sqlite_triggers import triggers_set_aside

# SQLite makes the Spanish columns NOT NULL by rebuilding the entries' tables.
set_triggers_aside, restore_triggers = triggers_set_aside("reports_incident", "reports_group")

SPANISH = {
    "incident": {
        "title_es": models.CharField(blank=True, max_length=300, verbose_name="title (Spanish)"),
        "summary_es": models.TextField(blank=True, verbose_name="summary (Spanish)"),
        "outcome_es": models.TextField(blank=True, verbose_name="outcome (Spanish)"),
    },
    "group": {
        "description_es": models.TextField(blank=True, verbose_name="description (Spanish)"),
    },
}


def empty_for_null(apps, schema_editor):
    for model, fields in SPANISH.items():
        for model_name in (model, f"historical{model}"):
            manager = apps.get_model("reports", model_name).objects
            for name in fields:
                manager.filter(**{f"{name}__isnull": True}).update(**{name: ""})
    if schema_editor.connection.vendor == "postgresql":
        # The updates left deferred foreign-key checks pending, and PostgreSQL alters
        # no table with pending trigger events in the same transaction: run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def operations():
    yield migrations.RunPython(set_triggers_aside, restore_triggers)
    yield migrations.RunPython(empty_for_null, migrations.RunPython.noop)
    for model, fields in SPANISH.items():
        for name, field in fields.items():
            for model_name in (model, f"historical{model}"):
                yield migrations.RemoveField(model_name=model_name, name=name[:-3] + "_en")
                yield migrations.AlterField(model_name=model_name, name=name, field=field.clone())
    yield migrations.RunPython(restore_triggers, set_triggers_aside)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0015_entry_translations"),
    ]

    operations = list(operations())
