"""Let Editors and Publishers curate a group's relations and designations (the group
page's inlines): add, change, view and delete them, as they do aliases and leaders."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Copied, not imported from reports.roles: a migration is history.
CODENAMES = [
    f"{action}_{model}"
    for model in ("grouprelation", "designation")
    for action in ("add", "change", "view", "delete")
]
ROLES = ("Editors", "Publishers")


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now.
    app_config = apps.get_app_config("reports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(content_type__app_label="reports", codename__in=CODENAMES)
    )
    for role in Group.objects.filter(name__in=ROLES):
        role.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(content_type__app_label="reports", codename__in=CODENAMES)
    )
    for role in Group.objects.filter(name__in=ROLES):
        role.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("reports", "0009_claims_relations_revisions")]

    operations = [migrations.RunPython(grant, revoke)]
