"""Editors and Publishers see proposed revisions of live entries (view_revision).

An Editor sees their own, a Publisher every one they may decide; the admin narrows
the list, the permission opens it. Approving and rejecting rest on publish_incident
and publish_group, which Publishers hold already.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Copied, not imported: a migration is history (see 0002_roles).
ADDED = {"Editors": ["view_revision"], "Publishers": ["view_revision"]}


def add_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ADDED.items():
        permissions = Permission.objects.filter(
            content_type__app_label="reports", codename__in=codenames
        )
        for group in Group.objects.filter(name=name):
            group.permissions.add(*permissions)


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ADDED.items():
        permissions = Permission.objects.filter(
            content_type__app_label="reports", codename__in=codenames
        )
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("reports", "0011_claims_from_figures")]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
