"""Create the Editors and Publishers groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# The roles as reports.roles defined them when this migration was written, copied:
# a migration is history and must not change when the app's code does. Roles that
# change later are set by a data migration of their own, as this one sets these.
EDITORS = [
    "add_report",
    "change_report",
    "view_report",
    "add_paragraph",
    "change_paragraph",
    "view_paragraph",
    "add_group",
    "change_group",
    "view_group",
    "add_groupalias",
    "change_groupalias",
    "view_groupalias",
    "add_leader",
    "change_leader",
    "view_leader",
    "add_incident",
    "change_incident",
    "view_incident",
    "add_perpetration",
    "change_perpetration",
    "view_perpetration",
    "add_citation",
    "change_citation",
    "view_citation",
    "delete_groupalias",
    "delete_leader",
    "delete_perpetration",
    "delete_citation",
    "add_country",
    "change_country",
    "view_country",
    "add_organisation",
    "change_organisation",
    "view_organisation",
]
PUBLISHERS = [
    *EDITORS,
    "publish_report",
    "publish_incident",
    "publish_group",
    "delete_incident",
    "delete_group",
]
ROLES = {"Editors": EDITORS, "Publishers": PUBLISHERS}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="reports", codename__in=codenames
        )
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
