"""The archive's change stamp (ArchiveState) and the indexes the public lists need.

- incident_pub_end_idx, incident_country_end_idx: the "ended on or after" side of
  the incident list's year/date filters, written sargably in IncidentFilter; partial
  (end_date IS NOT NULL) because few incidents have an end date.
- report_pub_series_idx: DISTINCT series of published reports (the report list's
  series choices) from the index alone.

Only CreateModel and AddIndex: no operation here rebuilds reports_report or
reports_paragraph on SQLite, which would drop migration 0003's FTS5 triggers.
"""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def create_state(apps, schema_editor):
    # The one row, so that ArchiveState.bump() is a single UPDATE.
    apps.get_model("reports", "ArchiveState").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ArchiveState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveBigIntegerField(default=0, verbose_name="version")),
                (
                    "changed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="changed at"
                    ),
                ),
            ],
            options={
                "verbose_name": "archive state",
                "verbose_name_plural": "archive state",
            },
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                condition=models.Q(("end_date__isnull", False)),
                fields=["status", "end_date"],
                name="incident_pub_end_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                condition=models.Q(("end_date__isnull", False)),
                fields=["status", "country", "end_date"],
                name="incident_country_end_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["status", "series"], name="report_pub_series_idx"),
        ),
        migrations.RunPython(create_state, migrations.RunPython.noop),
    ]
