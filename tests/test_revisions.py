"""An Editor's change to a published entry waits for a Publisher (reports/revisions.py)."""

from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group as Role
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from reports import revisions
from reports.models import (
    Group,
    GroupAlias,
    Incident,
    Perpetration,
    Revision,
    RevisionStatus,
    Status,
)
from reports.roles import ROLES
from tests.factories import make_user
from tests.test_admin import admin_url, fixture_loaded, form_data, messages_of  # noqa: F401

CAR_BOMB = "lima-police-station-car-bomb-1997"
OLD_TITLE = "Car bomb at a police station, Lima"
NEW_TITLE = "Car bomb at a Lima police station"
AWAITS = "Your change awaits a Publisher's approval; the public sees the live version until then."


@pytest.fixture
def car_bomb(fixture_loaded):  # noqa: F811
    return Incident.objects.get(slug=CAR_BOMB)


@pytest.fixture
def mrta(fixture_loaded):  # noqa: F811
    return Group.objects.get(slug="mrta")


def propose(client, user, entry, **changes):
    """`user` saves `entry`'s change form with `changes`; return the response."""
    client.force_login(user)
    url = admin_url(type(entry), "change", entry.pk)
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, {**data, "_save": "Save"})


def car_bomb_proposal(client, editor, car_bomb):
    """Title, outcome and the perpetrator row (now uncertain), proposed by `editor`."""
    response = propose(
        client,
        editor,
        car_bomb,
        title=NEW_TITLE,
        outcome="Eight policemen and more than a dozen civilians were injured.",
        **{"perpetration_set-0-uncertain": "on"},
    )
    assert response.status_code == 302
    return Revision.objects.get(status=RevisionStatus.PENDING)


def review_url(revision):
    return reverse("admin:reports_revision_change", args=[revision.pk])


def decide(client, user, revision, decision, **data):
    client.force_login(user)
    url = reverse(f"admin:reports_revision_{decision}", args=[revision.pk])
    return client.post(url, data)


# --- proposing ---------------------------------------------------------------------


def test_editor_change_to_a_published_incident_is_stored_not_live(client, editor, car_bomb):
    versions = car_bomb.history.count()
    response = propose(
        client,
        editor,
        car_bomb,
        title=NEW_TITLE,
        **{"perpetration_set-0-uncertain": "on"},
    )

    change_url = admin_url(Incident, "change", car_bomb.pk)
    assert response.status_code == 302
    assert response.url == change_url
    assert AWAITS in messages_of(response)
    car_bomb.refresh_from_db()
    assert car_bomb.title == OLD_TITLE
    assert car_bomb.history.count() == versions
    assert not Perpetration.objects.get(incident=car_bomb).uncertain
    revision = Revision.objects.get()
    assert revision.status == RevisionStatus.PENDING
    assert revision.entry == car_bomb
    assert revision.proposed_by == editor
    assert revision.data["title"] == [NEW_TITLE]
    assert revision.data["perpetration_set-0-uncertain"] == ["on"]
    assert "csrfmiddlewaretoken" not in revision.data and "_save" not in revision.data

    page = client.get(change_url).content.decode()
    assert "Your proposed change of" in page and "awaits a Publisher&#x27;s approval" in page


def test_a_newer_proposal_supersedes_the_pending_one(client, editor, car_bomb):
    propose(client, editor, car_bomb, title="First try")
    propose(client, editor, car_bomb, title="Second try")
    assert list(Revision.objects.order_by("pk").values_list("status", flat=True)) == [
        RevisionStatus.SUPERSEDED,
        RevisionStatus.PENDING,
    ]
    assert Revision.objects.get(status=RevisionStatus.PENDING).data["title"] == ["Second try"]


def test_an_invalid_proposal_shows_its_errors_and_stores_nothing(client, editor, car_bomb):
    response = propose(client, editor, car_bomb, title="")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"]
    assert not Revision.objects.exists()
    car_bomb.refresh_from_db()
    assert car_bomb.title == OLD_TITLE


def test_an_unchanged_form_proposes_nothing(client, editor, car_bomb):
    response = propose(client, editor, car_bomb)
    assert response.status_code == 302
    assert "Nothing was changed." in messages_of(response)
    assert not Revision.objects.exists()


@pytest.mark.parametrize("button", ["_continue", "_addanother", "_saveasnew"])
def test_other_buttons_do_not_change_a_live_entry_either(client, editor, car_bomb, button):
    client.force_login(editor)
    url = admin_url(Incident, "change", car_bomb.pk)
    data = {**form_data(client.get(url)), "title": NEW_TITLE, button: "1"}
    client.post(url, data)
    car_bomb.refresh_from_db()
    assert car_bomb.title == OLD_TITLE
    assert not Incident.objects.filter(title=NEW_TITLE).exists()


def test_editor_history_revert_of_a_published_entry_does_not_go_live(client, editor, car_bomb):
    call_command("populate_history", "--auto", stdout=StringIO())  # loaddata records none
    old = car_bomb.history.get()
    car_bomb.title = "Renamed by a Publisher"
    car_bomb.save()
    client.force_login(editor)
    revert_url = reverse("admin:reports_incident_simple_history", args=[car_bomb.pk, old.pk])
    page = client.get(revert_url)
    assert page.context["revert_disabled"]
    response = client.post(revert_url, form_data(page))
    assert response.status_code == 302
    assert any("only a Publisher changes it" in message for message in messages_of(response))
    car_bomb.refresh_from_db()
    assert car_bomb.title == "Renamed by a Publisher"


def test_the_save_guard_refuses_a_direct_save_by_an_editor(rf, editor, car_bomb):
    """The last guard: whatever path reaches the admin's save_model, an Editor's save of
    a live entry is refused."""
    problem = revisions.live_change_problem(editor, Incident, car_bomb.pk)
    assert problem.startswith("This incident is published: only a Publisher changes it")
    request = rf.post("/")
    request.user = editor
    car_bomb.title = NEW_TITLE
    with pytest.raises(PermissionDenied):
        admin.site.get_model_admin(Incident).save_model(request, car_bomb, None, True)
    car_bomb.refresh_from_db()
    assert car_bomb.title == OLD_TITLE


def test_publishers_edits_go_live_at_once(client, publisher, car_bomb):
    response = propose(client, publisher, car_bomb, title=NEW_TITLE)
    assert response.status_code == 302
    car_bomb.refresh_from_db()
    assert car_bomb.title == NEW_TITLE
    assert not Revision.objects.exists()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW])
def test_editors_edit_drafts_and_entries_in_review_directly(client, editor, car_bomb, status):
    Incident.objects.filter(pk=car_bomb.pk).update(status=status)
    response = propose(client, editor, car_bomb, title=NEW_TITLE)
    assert response.status_code == 302
    car_bomb.refresh_from_db()
    assert car_bomb.title == NEW_TITLE
    assert not Revision.objects.exists()


# --- reviewing -------------------------------------------------------------------------


def test_publisher_sees_the_proposal_and_its_diff(client, editor, publisher, car_bomb):
    revision = car_bomb_proposal(client, editor, car_bomb)
    client.force_login(publisher)

    page = client.get(admin_url(Incident, "change", car_bomb.pk)).content.decode()
    assert "A proposed revision by editor" in page and "awaits your review" in page
    assert review_url(revision) in page

    response = client.get(review_url(revision))
    assert response.status_code == 200
    changes = response.context["changes"]
    assert [(c.label, c.live, c.proposed) for c in changes.fields] == [
        ("Title (English)", OLD_TITLE, NEW_TITLE),
        (
            "Outcome (English)",
            "Eight policemen and more than a dozen civilians injured.",
            "Eight policemen and more than a dozen civilians were injured.",
        ),
    ]
    [perpetrators] = changes.inlines
    assert perpetrators.title == "perpetrators"
    assert perpetrators.added == [] and perpetrators.removed == []
    [row] = perpetrators.changed
    uncertain = ("Attribution uncertain", "no", "yes")
    assert [(c.label, c.live, c.proposed) for c in row.fields] == [uncertain]
    html = response.content.decode()
    assert f"<del>{OLD_TITLE}</del>" in html and f"<ins>{NEW_TITLE}</ins>" in html
    assert "Approve: make it live" in html

    listing = client.get(reverse("admin:reports_revision_changelist")).content.decode()
    assert OLD_TITLE in listing and "Awaiting a Publisher" in listing


def test_group_diff_shows_inline_rows_added_and_removed(client, editor, publisher, mrta):
    kept = GroupAlias.objects.create(group=mrta, name="Kept alias", language="en")
    removed = GroupAlias.objects.create(group=mrta, name="Removed alias", language="es")
    client.force_login(editor)
    url = admin_url(Group, "change", mrta.pk)
    data = form_data(client.get(url))
    index = next(i for i in range(2) if data[f"aliases-{i}-id"] == str(removed.pk))
    data.update(
        {
            f"aliases-{index}-DELETE": "on",
            "aliases-TOTAL_FORMS": "3",
            "aliases-2-name": "Added alias",
            "aliases-2-language": "es",
            "aliases-2-group": str(mrta.pk),
        }
    )
    assert client.post(url, data).status_code == 302
    assert sorted(mrta.aliases.values_list("name", flat=True)) == [kept.name, removed.name]
    revision = Revision.objects.get()

    client.force_login(publisher)
    changes = client.get(review_url(revision)).context["changes"]
    assert changes.fields == []
    [aliases] = changes.inlines
    assert aliases.removed == [str(removed)]
    [[*added]] = aliases.added
    assert ("Alias", "Added alias") in [(c.label, c.proposed) for c in added]

    assert decide(client, publisher, revision, "approve").status_code == 302
    assert sorted(mrta.aliases.values_list("name", flat=True)) == ["Added alias", kept.name]


# --- approving ---------------------------------------------------------------------------


def test_approval_makes_it_live_and_history_names_both(client, editor, publisher, car_bomb):
    revision = car_bomb_proposal(client, editor, car_bomb)
    response = decide(client, publisher, revision, "approve")

    assert response.status_code == 302
    assert "The revision is live." in messages_of(response)
    car_bomb.refresh_from_db()
    assert car_bomb.title == NEW_TITLE
    assert car_bomb.outcome == "Eight policemen and more than a dozen civilians were injured."
    perpetration = Perpetration.objects.get(incident=car_bomb)
    assert perpetration.uncertain
    row = perpetration.history.order_by("-history_date", "-history_id").first()
    assert row.history_user == publisher
    assert row.history_change_reason == "Proposed by editor, approved by publisher"
    latest = car_bomb.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == publisher
    assert latest.history_change_reason == "Proposed by editor, approved by publisher"
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.APPROVED
    assert revision.decided_by == publisher and revision.decided_at is not None


def test_public_page_keeps_the_live_version_until_approval(client, editor, publisher, car_bomb):
    public_url = reverse("reports:incident-detail", args=[CAR_BOMB])
    revision = car_bomb_proposal(client, editor, car_bomb)
    reader = Client()
    page = reader.get(public_url).content.decode()
    assert OLD_TITLE in page and NEW_TITLE not in page

    decide(client, publisher, revision, "approve")
    page = reader.get(public_url).content.decode()
    assert NEW_TITLE in page


def test_a_stale_revision_is_refused_and_changes_nothing(client, editor, publisher, car_bomb):
    revision = car_bomb_proposal(client, editor, car_bomb)
    Perpetration.objects.filter(incident=car_bomb).delete()  # meanwhile, the row is gone

    client.force_login(publisher)
    review = client.get(review_url(revision))
    assert review.context["problems"]
    assert "no longer applies" in review.content.decode()

    response = decide(client, publisher, revision, "approve")
    assert response.status_code == 302
    assert "The revision was not applied; the live entry is unchanged." in messages_of(response)
    car_bomb.refresh_from_db()
    assert car_bomb.title == OLD_TITLE
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.PENDING


def test_a_revision_of_an_entry_no_longer_published_is_refused(client, editor, publisher, car_bomb):
    revision = car_bomb_proposal(client, editor, car_bomb)
    Incident.objects.filter(pk=car_bomb.pk).update(status=Status.REVIEW)
    response = decide(client, publisher, revision, "approve")
    assert any("no longer published" in message for message in messages_of(response))
    car_bomb.refresh_from_db()
    assert (car_bomb.title, car_bomb.status) == (OLD_TITLE, Status.REVIEW)


def test_a_decided_revision_cannot_be_approved_again(client, editor, publisher, car_bomb):
    revision = car_bomb_proposal(client, editor, car_bomb)
    decide(client, publisher, revision, "reject", reason="Keep the report's wording.")
    response = decide(client, publisher, revision, "approve")
    assert any("already decided" in message for message in messages_of(response))
    car_bomb.refresh_from_db()
    assert car_bomb.title == OLD_TITLE


# --- rejecting ---------------------------------------------------------------------------


def test_rejection_with_a_reason_is_shown_to_the_editor(client, editor, publisher, car_bomb):
    revision = car_bomb_proposal(client, editor, car_bomb)
    response = decide(client, publisher, revision, "reject", reason="The report says “in Lima”.")
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.REJECTED
    assert revision.reason == "The report says “in Lima”."
    assert revision.decided_by == publisher
    car_bomb.refresh_from_db()
    assert car_bomb.title == OLD_TITLE

    client.force_login(editor)
    page = client.get(admin_url(Incident, "change", car_bomb.pk)).content.decode()
    assert "publisher rejected your proposed change" in page
    assert "The report says “in Lima”." in page
    listing = client.get(reverse("admin:reports_revision_changelist")).content.decode()
    assert "The report says “in Lima”." in listing and "Rejected" in listing


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejection_without_a_reason_is_refused(client, editor, publisher, car_bomb, reason):
    revision = car_bomb_proposal(client, editor, car_bomb)
    response = decide(client, publisher, revision, "reject", reason=reason)
    assert "Say why the revision is rejected: the Editor reads it." in messages_of(response)
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.PENDING


# --- forged requests and who sees what -------------------------------------------------


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_an_editor_may_not_decide_even_their_own_revision(client, editor, car_bomb, decision):
    revision = car_bomb_proposal(client, editor, car_bomb)
    response = decide(client, editor, revision, decision, reason="Looks good to me")
    assert response.status_code == 403
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.PENDING
    car_bomb.refresh_from_db()
    assert car_bomb.title == OLD_TITLE
    page = client.get(review_url(revision)).content.decode()
    assert "Approve: make it live" not in page


def test_approval_without_the_csrf_token_fails(client, editor, publisher, car_bomb):
    revision = car_bomb_proposal(client, editor, car_bomb)
    forger = Client(enforce_csrf_checks=True)
    forger.force_login(publisher)
    response = forger.post(reverse("admin:reports_revision_approve", args=[revision.pk]))
    assert response.status_code == 403
    car_bomb.refresh_from_db()
    assert car_bomb.title == OLD_TITLE
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.PENDING


def test_approve_and_reject_take_only_posts(client, editor, publisher, car_bomb):
    revision = car_bomb_proposal(client, editor, car_bomb)
    client.force_login(publisher)
    for decision in ("approve", "reject"):
        url = reverse(f"admin:reports_revision_{decision}", args=[revision.pk])
        assert client.get(url).status_code == 405
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.PENDING


def test_an_editor_sees_only_their_own_revisions(client, editor, car_bomb):
    other = make_user("other", role="Editors")
    theirs = car_bomb_proposal(client, other, car_bomb)
    client.force_login(editor)
    listing = client.get(reverse("admin:reports_revision_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == []
    assert client.get(review_url(theirs)).status_code == 302  # "does not exist"
    assert client.get(review_url(theirs), follow=True).context.get("changes") is None


def test_readers_without_a_role_see_no_revisions(client, editor, car_bomb):
    revision = car_bomb_proposal(client, editor, car_bomb)
    nobody = make_user("nobody", is_staff=True)
    client.force_login(nobody)
    assert client.get(reverse("admin:reports_revision_changelist")).status_code == 403
    assert decide(client, nobody, revision, "approve").status_code == 403


@pytest.mark.parametrize("role", ["Editors", "Publishers"])
def test_roles_see_revisions_but_never_edit_them(db, role):
    """Migration 0012 grants view_revision; approving rests on publish_* alone."""
    codenames = set(
        Role.objects.get(name=role)
        .permissions.filter(content_type__model="revision")
        .values_list("codename", flat=True)
    )
    assert codenames == {"view_revision"}
    assert "view_revision" in ROLES[role]
