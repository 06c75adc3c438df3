"""The figures incidents held before claims, as claims where something supports them;
and the roles' permissions on claims, which editors curate as inline rows.

An incident from a dataset (external_source set) has its figures from the dataset row:
an exact claim on that row. Otherwise a figure rests on the first citation of the
incident that lists it among its facts, as an exact claim; a figure no citation lists
is left on the row alone, for an editor to source. Frozen here: no app code.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

FIGURES = ("killed", "injured", "hostages")
BATCH = 2000


def claims_from_figures(apps, schema_editor):
    Incident = apps.get_model("reports", "Incident")
    Citation = apps.get_model("reports", "Citation")
    FigureClaim = apps.get_model("reports", "FigureClaim")
    db = schema_editor.connection.alias

    claimed = set(FigureClaim.objects.using(db).values_list("incident_id", "figure"))
    # The citations listing a figure, in the order an entry's page lists them
    # (Citation's ordering, which orders by report as Report's ordering does).
    supporting = {}
    citations = (
        Citation.objects.using(db)
        .filter(incident__isnull=False)
        .order_by("incident_id", "report", "paragraph__number", "pk")
        .values_list("incident_id", "pk", "facts")
    )
    for incident_id, pk, facts in citations.iterator():
        for figure in FIGURES:
            if figure in (facts or []):
                supporting.setdefault((incident_id, figure), pk)

    with_figures = Q(killed__isnull=False) | Q(injured__isnull=False) | Q(hostages__isnull=False)
    incidents = (
        Incident.objects.using(db)
        .filter(with_figures)
        .values_list("pk", "external_source", *FIGURES)
        .order_by("pk")
    )
    batch = []
    for pk, external_source, *values in incidents.iterator():
        for figure, value in zip(FIGURES, values, strict=True):
            if value is None or (pk, figure) in claimed:
                continue
            exact = {"incident_id": pk, "figure": figure, "low": value, "high": value}
            if external_source:
                batch.append(FigureClaim(**exact, from_dataset=True))
            elif (pk, figure) in supporting:
                batch.append(FigureClaim(**exact, citation_id=supporting[pk, figure]))
        if len(batch) >= BATCH:
            FigureClaim.objects.using(db).bulk_create(batch)
            batch = []
    FigureClaim.objects.using(db).bulk_create(batch)


# What reports.roles gives both roles on claims when this was written, copied.
CLAIM_PERMISSIONS = [
    "add_figureclaim",
    "change_figureclaim",
    "view_figureclaim",
    "delete_figureclaim",
]
ROLES = ("Editors", "Publishers")


def grant_claim_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="reports", codename__in=CLAIM_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(*permissions)


def revoke_claim_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="reports", codename__in=CLAIM_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0010_aggregates"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(grant_claim_permissions, revoke_claim_permissions),
        # Backwards: the claims stay (0009's reversal drops them with their table).
        migrations.RunPython(claims_from_figures, migrations.RunPython.noop, elidable=True),
    ]
