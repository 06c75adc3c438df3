"""Who gets what: every admin URL and every public URL, as anonymous, editor,
publisher and superuser.

The admin cases are parametrized from admin.site's registry, so a model registered
later is walked too. What each role should get is worked out from the permissions
the role holds (reports/roles.py grants them), not from the admin classes under
test; the few places where an admin deliberately allows less are listed below,
each with its reason.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group as Role
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reports import revisions
from reports.models import (
    Designation,
    ErrorReport,
    FigureClaim,
    Group,
    GroupRelation,
    Incident,
    Report,
    SourceFile,
    Status,
)
from reports.publishing import may_change_part, parts_delete_problem

ROLES = ("anonymous", "editor", "publisher", "superuser")
ADMIN_VIEWS = ("changelist", "add", "change", "history", "delete")

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label_lower)

# (model label, view) -> why the admin refuses it whatever the permissions say.
ADMIN_REFUSES = {
    ("reports.paragraph", "add"): "paragraphs come only from importing a document",
    ("reports.paragraph", "delete"): "paragraphs come only from importing a document",
    ("reports.revision", "add"): "a revision is proposed by saving a live entry's form",
    ("reports.revision", "delete"): "a revision is decided (approved or rejected), never deleted",
    ("reports.errorreport", "add"): "a reader writes one, on the public site",
    ("reports.errorreport", "delete"): "a report is triaged (accepted, rejected), never deleted",
    ("axes.accessattempt", "add"): "login attempts are recorded by django-axes alone",
    ("axes.accesslog", "add"): "login attempts are recorded by django-axes alone",
    ("axes.accessfailurelog", "add"): "login attempts are recorded by django-axes alone",
}
# (model label, view) -> the admin URL name it redirects to instead.
ADMIN_REDIRECTS = {
    ("reports.report", "add"): "admin:reports_report_import",  # a report is uploaded, not typed
}
# The parts of an entry with their own admin pages: once the entry is published, only
# Publishers delete one there, and not when the entry would be left unsourced (then the
# delete page sends them back to the part's change page with the reason).
LIVE_PARTS = {
    "reports.citation",
    "reports.figureclaim",
    "reports.perpetration",
    "reports.groupalias",
    "reports.leader",
    "reports.grouprelation",
    "reports.designation",
}


def make_role_user(role):
    """A user without a password (so no slow hashing); tests log in with force_login."""
    if role == "anonymous":
        return None
    if role == "superuser":
        return User.objects.create(username="root", is_staff=True, is_superuser=True)
    # The `archive` fixture may have made the editor already (a revision's proposer).
    user, _created = User.objects.get_or_create(username=role, defaults={"is_staff": True})
    user.groups.add(Role.objects.get(name=f"{role.capitalize()}s"))
    return user


@pytest.fixture
def archive(db):
    """The curated seed, plus a row for each registered model that it has none of."""
    call_command("loaddata", "peru_1997", verbosity=0)
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    seen = {"user_agent": "test", "ip_address": "192.0.2.1", "username": "someone"}
    AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**seen)
    AccessFailureLog.objects.create(**seen)
    User.objects.create(username="reader")
    # Editors see only the revisions they proposed: this one is the editor's own.
    proposer = User.objects.create(username="editor", is_staff=True)
    incident = Incident.objects.order_by("pk").first()
    revisions.propose(incident, proposer, {"title": ["A proposed title"]})
    mrta, sendero = Group.objects.get(slug="mrta"), Group.objects.get(slug="sendero-luminoso")
    counterpart = sendero.citations.get(quote__contains="counterpart")
    if not FigureClaim.objects.exists():
        crisis = Incident.objects.get(type="hostage_taking")
        cited = next(c for c in crisis.citations.all() if "hostages" in c.facts)
        FigureClaim.objects.create(
            incident=crisis, figure="hostages", low=72, high=72, citation=cited
        )
    if not GroupRelation.objects.exists():
        GroupRelation.objects.create(
            group=sendero, kind="counterpart", other=mrta, citation=counterpart
        )
    if not ErrorReport.objects.exists():  # a reader's, so its admin pages are walked
        ErrorReport.objects.create(incident=incident, message="The date is wrong.")
    if not SourceFile.objects.exists():  # the seed's original, as if imported
        SourceFile.objects.create(report=Report.objects.get(), data=b"Patterns of ...")
    if not Designation.objects.exists():  # test data: the seed names no designation
        Designation.objects.create(
            group=sendero, authority="An authority", list_name="A list", citation=counterpart
        )


def client_as(client, role):
    user = make_role_user(role)
    if user is not None:
        client.force_login(user)
    return user


def admin_url(model, view, obj=None):
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
    if view in ("changelist", "add"):
        return reverse(name)
    return reverse(name, args=[obj.pk])


def expected_status(user, model, view, obj):
    """(status, redirect URL name or None) that `user` should get for one admin view."""
    if user is None:
        return 302, "admin:login"
    label = model._meta.label_lower
    if (label, view) in ADMIN_REDIRECTS:
        return 302, ADMIN_REDIRECTS[label, view]
    if (label, view) in ADMIN_REFUSES:
        return 403, None

    def may(action):
        return user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")

    if label in LIVE_PARTS and view == "delete" and may("delete"):
        if not may_change_part(user, obj):
            return 403, None
        if parts_delete_problem(user, [obj]):
            return 302, f"admin:{label.replace('.', '_')}_change"

    allowed = {
        "changelist": may("view") or may("change"),
        "change": may("view") or may("change"),
        "history": may("view") or may("change"),
        "add": may("add"),
        "delete": may("delete"),
    }[view]
    return (200, None) if allowed else (403, None)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label_lower)
def test_admin_urls_of_each_registered_model(client, archive, model, role):
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, (
        f"{model._meta.label}: add a row to the `archive` fixture so its admin pages are walked"
    )
    user = client_as(client, role)
    wrong = []
    for view in ADMIN_VIEWS:
        url = admin_url(model, view, obj)
        response = client.get(url)
        status, redirect_name = expected_status(user, model, view, obj)
        got = (response.status_code, response.get("Location", ""))
        if redirect_name and redirect_name.endswith("_change"):
            expected_location = reverse(redirect_name, args=[obj.pk])
        elif redirect_name:
            expected_location = reverse(redirect_name)
        if response.status_code != status or (
            redirect_name and not got[1].startswith(expected_location)
        ):
            wrong.append((view, url, got, (status, redirect_name)))

    assert wrong == []


def test_every_registered_model_is_walked():
    labels = {model._meta.label_lower for model in REGISTERED}
    curated = {
        "reports.report",
        "reports.paragraph",
        "reports.incident",
        "reports.perpetration",
        "reports.group",
        "reports.groupalias",
        "reports.leader",
        "reports.citation",
        "reports.country",
        "reports.organisation",
        "auth.user",
        "auth.group",
    }
    assert curated <= labels


EDITOR_MAY_NOT = ("auth.user", "auth.group", "axes.accessattempt")


@pytest.mark.django_db
def test_editors_and_publishers_cannot_touch_users_roles_or_login_logs(client, archive):
    """Spelled out, not derived: the permission model must never hand these out."""
    for role in ("editor", "publisher"):
        client_as(client, role)
        for label in EDITOR_MAY_NOT:
            model = next(m for m in REGISTERED if m._meta.label_lower == label)
            assert client.get(admin_url(model, "changelist")).status_code == 403, (role, label)
        client.logout()


@pytest.mark.parametrize(
    ("role", "label", "status"),
    [
        ("editor", "reports.incident", 403),
        ("editor", "reports.group", 403),
        ("editor", "reports.report", 403),
        ("publisher", "reports.incident", 200),
        ("publisher", "reports.group", 200),
        ("publisher", "reports.report", 403),
    ],
)
def test_only_publishers_delete_incidents_and_groups_and_nobody_but_root_reports(
    client, archive, role, label, status
):
    """Spelled out, not derived: the delete rules of the editorial roles."""
    model = next(m for m in REGISTERED if m._meta.label_lower == label)
    client_as(client, role)

    url = admin_url(model, "delete", model._default_manager.order_by("pk").first())

    assert client.get(url).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("editor", 200), ("publisher", 200), ("superuser", 200)],
)
def test_admin_index(client, archive, role, status):
    client_as(client, role)

    response = client.get(reverse("admin:index"))

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_logged_in_reader_without_staff_flag_is_sent_to_login(client, archive):
    client.force_login(User.objects.get(username="reader"))

    response = client.get(reverse("admin:reports_report_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("editor", 200), ("publisher", 200), ("superuser", 200)],
)
def test_document_upload_page(client, archive, role, status):
    client_as(client, role)

    assert client.get(reverse("admin:reports_report_import")).status_code == status


# --- Public pages -------------------------------------------------------------------


def make_drafts():
    """One unpublished report, incident and group, for the 404 checks."""
    report = Report.objects.get()
    draft_report = Report.objects.create(
        **{
            field.name: getattr(report, field.name)
            for field in Report._meta.concrete_fields
            if field.name not in {"id", "slug", "sha256", "status"}
        },
        slug="draft-report",
        sha256="0" * 64,
        status=Status.DRAFT,
    )
    draft_incident = Incident.objects.create(
        title="Draft incident",
        slug="draft-incident",
        start_date=timezone.now().date(),
        country=report.country,
        status=Status.REVIEW,
    )
    draft_group = Group.objects.create(name="Draft group", slug="draft-group")
    return draft_report, draft_incident, draft_group


def public_urls():
    """(url, expected status) for every public page, published and not."""
    report = Report.objects.published().get()
    incident = Incident.objects.published().order_by("pk").first()
    group = Group.objects.published().order_by("pk").first()
    draft_report, draft_incident, draft_group = make_drafts()
    return [
        (reverse("reports:home"), 200),
        (reverse("reports:report-list"), 200),
        (reverse("reports:incident-list"), 200),
        (reverse("reports:group-list"), 200),
        (reverse("reports:search"), 200),
        (reverse("reports:search") + "?q=MRTA", 200),
        (reverse("reports:group-suggest") + "?q=MRTA", 200),
        (reverse("reports:group-suggest"), 400),
        (report.get_absolute_url(), 200),
        (incident.get_absolute_url(), 200),
        (group.get_absolute_url(), 200),
        (reverse("reports:report-error", args=[report.slug]), 200),
        (reverse("reports:incident-error", args=[incident.slug]), 200),
        (reverse("reports:group-error", args=[group.slug]), 200),
        (reverse("reports:report-original", args=[report.slug]), 200),
        (reverse("reports:report-error", args=[draft_report.slug]), 404),
        (reverse("reports:incident-error", args=[draft_incident.slug]), 404),
        (reverse("reports:group-error", args=[draft_group.slug]), 404),
        (reverse("reports:report-original", args=[draft_report.slug]), 404),
        (reverse("reports:country-detail", args=["PE"]), 200),
        (reverse("reports:country-list"), 200),
        (reverse("reports:methodology"), 200),
        (reverse("reports:about"), 200),
        (reverse("healthz"), 200),
        (draft_report.get_absolute_url(), 404),
        (draft_incident.get_absolute_url(), 404),
        (draft_group.get_absolute_url(), 404),
        (reverse("reports:report-detail", args=["no-such-report"]), 404),
        (reverse("reports:country-detail", args=["CL"]), 404),
        ("/no-such-page/", 404),
    ]


def test_every_public_url_is_reached_by_the_walk():
    """A public URL pattern added later must be added to public_urls()."""
    from reports.urls import urlpatterns

    walked = {
        "home",
        "report-list",
        "report-detail",
        "incident-list",
        "incident-detail",
        "group-list",
        "group-detail",
        "group-suggest",
        "search",
        "country-detail",
        "country-list",
        "methodology",
        "about",
        "report-error",
        "incident-error",
        "group-error",
        "report-original",
    }
    assert {pattern.name for pattern in urlpatterns} <= walked


@pytest.mark.parametrize("role", ROLES)
def test_public_urls_give_everyone_the_same_answer(client, archive, role):
    """Readers and staff alike: published pages 200, drafts and unknowns 404."""
    client_as(client, role)
    wrong = []
    for url, status in public_urls():
        got = client.get(url).status_code
        if got != status:
            wrong.append((url, got, status))

    assert wrong == []
