"""Editors curate and send to review; only Publishers move entries into or out of published."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from reports.models import Group, Incident, Report, Status
from reports.publishing import status_change_problem
from tests.factories import (
    make_citation,
    make_claim,
    make_group,
    make_incident,
    make_user,
    support_every_fact,
)
from tests.test_admin import admin_url, form_data, messages_of, new_incident_data, run_action


@pytest.fixture
def fixture_loaded(db):
    call_command("loaddata", "peru_1997", stdout=StringIO())


@pytest.fixture
def draft_incident(fixture_loaded):
    incident = Incident.objects.get(type="kidnapping")
    incident.status = Status.DRAFT
    incident.save()
    return incident


# --- the rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        (None, Status.DRAFT, True),
        (None, Status.REVIEW, True),
        (None, Status.PUBLISHED, False),
        (Status.DRAFT, Status.REVIEW, True),
        (Status.REVIEW, Status.DRAFT, True),
        (Status.REVIEW, Status.PUBLISHED, False),
        (Status.PUBLISHED, Status.REVIEW, False),
        (Status.PUBLISHED, Status.DRAFT, False),
        (Status.PUBLISHED, Status.PUBLISHED, True),
    ],
)
def test_editor_status_changes(editor, old, new, allowed):
    for model in (Report, Incident, Group):
        assert (status_change_problem(editor, model, old, new) is None) is allowed


@pytest.mark.parametrize("old", [None, Status.DRAFT, Status.REVIEW, Status.PUBLISHED])
@pytest.mark.parametrize("new", list(Status))
def test_publisher_may_make_every_status_change(publisher, old, new):
    for model in (Report, Incident, Group):
        assert status_change_problem(publisher, model, old, new) is None


def test_refusal_says_who_can(editor):
    problem = status_change_problem(editor, Incident, Status.DRAFT, Status.PUBLISHED)
    assert problem == "You may not publish incidents: only Publishers can."


# --- the change form ------------------------------------------------------------------


def test_editor_forged_post_of_published_status_is_refused_and_changes_nothing(
    client, editor, draft_incident
):
    client.force_login(editor)
    url = admin_url(Incident, "change", draft_incident.pk)
    data = form_data(client.get(url))
    data.update(status=Status.PUBLISHED, title="Forged")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "You may not publish incidents: only Publishers can." in response.content.decode()
    draft_incident.refresh_from_db()
    assert draft_incident.status == Status.DRAFT
    assert draft_incident.title != "Forged"


def test_editor_cannot_unpublish_in_the_form(client, editor, fixture_loaded):
    group = Group.objects.get(slug="mrta")
    client.force_login(editor)
    url = admin_url(Group, "change", group.pk)
    data = form_data(client.get(url))
    data["status"] = Status.DRAFT
    response = client.post(url, data)
    assert "You may not unpublish armed groups" in response.content.decode()
    group.refresh_from_db()
    assert group.status == Status.PUBLISHED


def test_editor_cannot_create_an_entry_already_published(client, editor, seed_report):
    client.force_login(editor)
    data = new_incident_data(client, seed_report, status=Status.PUBLISHED)
    response = client.post(admin_url(Incident, "add"), data)
    assert response.status_code == 200
    assert not Incident.objects.exists()


def test_editor_may_edit_and_send_to_review_in_the_form(client, editor, draft_incident):
    client.force_login(editor)
    url = admin_url(Incident, "change", draft_incident.pk)
    data = form_data(client.get(url))
    data.update(status=Status.REVIEW, title="Kidnapping in Junin, reviewed")
    assert client.post(url, data).status_code == 302
    draft_incident.refresh_from_db()
    assert draft_incident.status == Status.REVIEW
    assert draft_incident.status_changed_by == editor


def test_editor_creates_an_incident_and_a_publisher_publishes_it(
    client, editor, publisher, seed_report
):
    client.force_login(editor)
    client.post(admin_url(Incident, "add"), new_incident_data(client, seed_report))
    incident = Incident.objects.get(slug="junin-kidnapping-admin")
    make_claim(incident.citations.get(), "hostages", 30)

    # The editor's attempt to publish is refused, in the form and in the action.
    url = admin_url(Incident, "change", incident.pk)
    data = form_data(client.get(url))
    data["status"] = Status.PUBLISHED
    assert client.post(url, data).status_code == 200
    run_action(client, Incident, "publish", [incident])
    incident.refresh_from_db()
    assert incident.status == Status.DRAFT

    run_action(client, Incident, "send_to_review", [incident])
    incident.refresh_from_db()
    assert incident.status == Status.REVIEW

    client.force_login(publisher)
    data = form_data(client.get(url))
    data["status"] = Status.PUBLISHED
    assert client.post(url, data).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.PUBLISHED
    assert incident.status_changed_by == publisher
    assert incident.status_changed_at is not None


def test_editor_cannot_revert_to_a_published_version(client, editor, publisher, fixture_loaded):
    call_command("populate_history", "--auto", stdout=StringIO())
    incident = Incident.objects.get(type="kidnapping")
    published_version = incident.history.get()
    client.force_login(publisher)
    run_action(client, Incident, "return_to_draft", [incident])

    client.force_login(editor)
    revert_url = reverse(
        "admin:reports_incident_simple_history", args=[incident.pk, published_version.pk]
    )
    response = client.post(revert_url, form_data(client.get(revert_url)))
    assert response.status_code == 200
    assert "only Publishers can" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.DRAFT


# --- the bulk actions --------------------------------------------------------------------


def test_editor_does_not_see_the_publish_action(client, editor, fixture_loaded):
    client.force_login(editor)
    html = client.get(admin_url(Incident, "changelist")).content.decode()
    assert 'value="send_to_review"' in html
    assert 'value="publish"' not in html


def test_editor_forged_publish_action_changes_nothing(client, editor, draft_incident):
    client.force_login(editor)
    run_action(client, Incident, "publish", [draft_incident])
    draft_incident.refresh_from_db()
    assert draft_incident.status == Status.DRAFT


def test_editor_return_to_draft_of_published_entries_is_refused_with_a_message(
    client, editor, fixture_loaded
):
    client.force_login(editor)
    response = run_action(client, Group, "return_to_draft", Group.objects.all())
    assert "You may not unpublish armed groups: only Publishers can." in messages_of(response)
    assert not Group.objects.exclude(status=Status.PUBLISHED).exists()


def test_editor_sends_drafts_to_review(client, editor, draft_incident):
    client.force_login(editor)
    run_action(client, Incident, "send_to_review", [draft_incident])
    draft_incident.refresh_from_db()
    assert draft_incident.status == Status.REVIEW
    assert draft_incident.status_changed_by == editor


def test_publisher_publishes_with_the_action(client, publisher, draft_incident):
    support_every_fact(draft_incident)
    client.force_login(publisher)
    run_action(client, Incident, "publish", [draft_incident])
    draft_incident.refresh_from_db()
    assert draft_incident.status == Status.PUBLISHED
    assert draft_incident.status_changed_by == publisher


# --- what editors may not do ----------------------------------------------------------------


def test_editor_cannot_delete_reports(client, editor, seed_report):
    client.force_login(editor)
    assert client.get(admin_url(Report, "delete", seed_report.pk)).status_code == 403
    assert (
        client.post(admin_url(Report, "delete", seed_report.pk), {"post": "yes"}).status_code == 403
    )
    changelist = client.get(admin_url(Report, "changelist")).content.decode()
    assert 'value="delete_selected"' not in changelist
    run_action(client, Report, "delete_selected", [seed_report])
    assert Report.objects.filter(pk=seed_report.pk).exists()


@pytest.mark.parametrize("model_name", ["user", "group"])
def test_editor_cannot_manage_users_or_roles(client, editor, model_name):
    client.force_login(editor)
    for view, args in (("changelist", []), ("add", []), ("change", [editor.pk])):
        if model_name == "group" and view == "change":
            args = [editor.groups.get().pk]
        url = reverse(f"admin:auth_{model_name}_{view}", args=args)
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("admin:auth_user_change", args=[editor.pk]),
        {"username": "editor", "is_superuser": "on", "is_staff": "on"},
    )
    assert response.status_code == 403
    assert not User.objects.get(pk=editor.pk).is_superuser


def test_editor_can_add_and_change_but_publisher_alone_can_publish(editor, publisher):
    for perm in ("add_incident", "change_incident", "add_citation", "change_group"):
        assert editor.has_perm(f"reports.{perm}")
        assert publisher.has_perm(f"reports.{perm}")
    for perm in ("publish_report", "publish_incident", "publish_group"):
        assert not editor.has_perm(f"reports.{perm}")
        assert publisher.has_perm(f"reports.{perm}")
    assert not editor.has_perm("reports.delete_report")


def test_staff_without_a_role_cannot_open_the_archive_admin(client, db):
    client.force_login(make_user("staff", is_staff=True))
    assert client.get(admin_url(Incident, "changelist")).status_code == 403


@pytest.mark.parametrize("model", [Incident, Group])
def test_an_entry_citing_only_a_draft_report_cannot_be_published(
    client, publisher, seed_report, model
):
    """Neither the bulk action nor the change form (a forged POST) publishes an entry
    whose citations all quote a report readers cannot see."""
    seed_report.status = Status.DRAFT
    seed_report.save()
    make = make_incident if model is Incident else make_group
    entry = make(status=Status.REVIEW)
    fact = "start_date" if model is Incident else "name"
    make_citation(seed_report, "Sendero", facts=[fact], **{model._meta.model_name: entry})
    client.force_login(publisher)

    response = run_action(client, model, "publish", [entry])
    assert any("needs a citation of a published report" in text for text in messages_of(response))

    url = admin_url(model, "change", entry.pk)
    data = form_data(client.get(url))
    data["status"] = Status.PUBLISHED
    response = client.post(url, data)
    assert response.status_code == 200
    errors = [str(f.formset.non_form_errors()) for f in response.context["inline_admin_formsets"]]
    assert any("needs a citation of a published report" in text for text in errors)
    entry.refresh_from_db()
    assert entry.status == Status.REVIEW

    # Once the report is published, the same entry can be.
    seed_report.status = Status.PUBLISHED
    seed_report.save()
    run_action(client, model, "publish", [entry])
    entry.refresh_from_db()
    assert entry.status == Status.PUBLISHED
