"""Readers' error reports, and the roles' permissions to triage them; groups are
"armed groups" in the admin, apart from the editorial roles (Django's user groups).

Editors and Publishers view and change error reports (status, note, the fixing
revision); a reader creates them through the public form, and nobody deletes them.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# Copied, not imported: a migration is history (see 0002_roles).
ADDED = {
    "Editors": ["view_errorreport", "change_errorreport"],
    "Publishers": ["view_errorreport", "change_errorreport"],
}


def add_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    for group, permissions in _grants(apps):
        group.permissions.add(*permissions)


def remove_permissions(apps, schema_editor):
    for group, permissions in _grants(apps):
        group.permissions.remove(*permissions)


def _grants(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ADDED.items():
        permissions = list(
            Permission.objects.filter(content_type__app_label="reports", codename__in=codenames)
        )
        for group in Group.objects.filter(name=name):
            yield group, permissions


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0016_spanish_text_columns"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ErrorReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "fact",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("start_date", "Start date"),
                            ("end_date", "End date"),
                            ("place", "Place"),
                            ("type", "Type"),
                            ("perpetrators", "Perpetrators"),
                            ("killed", "Killed"),
                            ("injured", "Injured"),
                            ("hostages", "Hostages"),
                            ("outcome", "Outcome"),
                            ("name", "Name"),
                            ("aliases", "Aliases"),
                            ("leaders", "Leaders"),
                            ("founded", "Founded"),
                            ("activity", "Activity status"),
                        ],
                        max_length=20,
                        verbose_name="fact",
                    ),
                ),
                ("message", models.TextField(max_length=3000, verbose_name="what is wrong")),
                (
                    "reply_to",
                    models.EmailField(
                        blank=True, max_length=254, verbose_name="address for a reply"
                    ),
                ),
                (
                    "received_at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="received at"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "New"),
                            ("accepted", "Accepted"),
                            ("rejected", "Rejected"),
                            ("duplicate", "Duplicate"),
                        ],
                        db_index=True,
                        default="new",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "handled_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="handled at"),
                ),
                ("editor_note", models.TextField(blank=True, verbose_name="editor's note")),
                (
                    "fixed_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="The approved revision that corrected the entry, if one did.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="error_reports",
                        to="reports.revision",
                        verbose_name="fixed by revision",
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="error_reports",
                        to="reports.group",
                        verbose_name="group",
                    ),
                ),
                (
                    "handled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="handled by",
                    ),
                ),
                (
                    "incident",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="error_reports",
                        to="reports.incident",
                        verbose_name="incident",
                    ),
                ),
                (
                    "paragraph",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="reports.paragraph",
                        verbose_name="paragraph",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="error_reports",
                        to="reports.report",
                        verbose_name="report",
                    ),
                ),
            ],
            options={
                "verbose_name": "error report",
                "verbose_name_plural": "error reports",
                "ordering": ["-received_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("group__isnull", True),
                                ("incident__isnull", True),
                                ("report__isnull", False),
                            ),
                            models.Q(
                                ("group__isnull", True),
                                ("incident__isnull", False),
                                ("report__isnull", True),
                            ),
                            models.Q(
                                ("group__isnull", False),
                                ("incident__isnull", True),
                                ("report__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="errorreport_one_subject",
                    )
                ],
            },
        ),
        migrations.RunPython(add_permissions, remove_permissions),
        migrations.AlterModelOptions(
            name="group",
            options={
                "ordering": ["name"],
                "permissions": [("publish_group", "Can publish and unpublish groups")],
                "verbose_name": "armed group",
                "verbose_name_plural": "armed groups",
            },
        ),
        migrations.AlterModelOptions(
            name="historicalgroup",
            options={
                "get_latest_by": ("history_date", "history_id"),
                "ordering": ("-history_date", "-history_id"),
                "verbose_name": "historical armed group",
                "verbose_name_plural": "historical armed groups",
            },
        ),
    ]
