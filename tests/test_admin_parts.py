"""An entry's parts on their own admin pages (citations, figure claims, perpetrators, aliases,
leaders, relations, designations): once the entry is published only Publishers change them
there, and no change leaves the entry unsourced. Every refusal is tried with a forged POST."""

import pytest
from django.contrib.auth.models import Group as Role
from django.contrib.auth.models import Permission
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils.html import escape

from reports.models import (
    Citation,
    Designation,
    FigureClaim,
    GroupAlias,
    GroupRelation,
    Leader,
    Perpetration,
    Status,
)
from tests.factories import make_citation, make_group, make_incident
from tests.test_admin import admin_url, messages_of, run_action
from tests.test_publish_rule import (
    GUZMAN,
    KIDNAPPING,
    OTHER_TEXT,
    SENDERO,
    kidnapping,  # noqa: F401 (fixtures)
    other_report,  # noqa: F401
    sendero,  # noqa: F401
)

PART_MODELS = [Citation, FigureClaim, Perpetration, GroupAlias, Leader, GroupRelation, Designation]


@pytest.fixture(autouse=True)
def _roles_curate_claims_relations_and_designations(db):
    """The roles' permissions on the newer parts (the migration giving them is not this
    branch's): as an Editor has on the older ones."""
    names = ("figureclaim", "grouprelation", "designation")
    perms = Permission.objects.filter(content_type__app_label="reports", codename__regex=r"_")
    perms = [p for p in perms if p.codename.split("_", 1)[1] in names]
    for role in Role.objects.filter(name__in=["Editors", "Publishers"]):
        role.permissions.add(*perms)


@pytest.fixture
def parts(seed_report, kidnapping, sendero):  # noqa: F811
    """One part of each kind, each of a published entry."""
    mrta = make_group(name="MRTA", slug="mrta")
    group_citation = make_citation(seed_report, GUZMAN, group=sendero, facts=["aliases", "leaders"])
    return {
        Citation: kidnapping.citations.get(),
        FigureClaim: kidnapping.claims.get(),
        Perpetration: Perpetration.objects.get(incident=kidnapping),
        GroupAlias: GroupAlias.objects.create(group=sendero, name="Shining Path"),
        Leader: Leader.objects.create(group=sendero, name="Abimael Guzman"),
        GroupRelation: GroupRelation.objects.create(
            group=mrta,
            kind="counterpart",
            other=sendero,
            citation=make_citation(seed_report, SENDERO, group=mrta),
        ),
        Designation: Designation.objects.create(
            group=sendero,
            authority="United States Department of State",
            list_name="Foreign Terrorist Organizations",
            citation=group_citation,
        ),
    }


def stored(obj):
    return model_to_dict(type(obj).objects.get(pk=obj.pk))


def delete_selected(client, model, objects):
    return run_action(client, model, "delete_selected", objects, post="yes")


# --- Editors: read-only once the entry is published ------------------------------------------


@pytest.mark.parametrize("model", PART_MODELS)
def test_editor_sees_a_published_entrys_part_read_only_and_a_forged_change_is_403(
    client, editor, parts, model
):
    part = parts[model]
    before = stored(part)
    client.force_login(editor)
    url = admin_url(model, "change", part.pk)

    page = client.get(url)

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    forged = {name: value for name, value in before.items() if value is not None}
    assert client.post(url, {**forged, "note": "forged"}).status_code == 403
    assert stored(part) == before


@pytest.mark.parametrize("model", PART_MODELS)
def test_editor_cannot_delete_a_published_entrys_part_one_by_one_or_in_bulk(
    client, editor, parts, model
):
    part = parts[model]
    client.force_login(editor)
    url = admin_url(model, "delete", part.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert delete_selected(client, model, [part]).status_code == 403
    assert model.objects.filter(pk=part.pk).exists()


@pytest.mark.parametrize("model", [Citation, GroupAlias, Leader, GroupRelation])
def test_editor_cannot_revert_a_published_entrys_part_through_its_history(
    client, editor, parts, model
):
    part = parts[model]
    version = part.history.latest()
    client.force_login(editor)
    url = reverse(
        f"admin:reports_{model._meta.model_name}_simple_history", args=[part.pk, version.pk]
    )
    assert client.post(url, {}).status_code == 403


def test_editor_cannot_add_a_part_to_a_published_entry(client, editor, sendero):  # noqa: F811
    client.force_login(editor)
    response = client.post(
        admin_url(GroupAlias, "add"), {"group": sendero.pk, "name": "Forged", "language": "en"}
    )
    assert response.status_code == 200
    assert (
        escape(
            "“Sendero Luminoso (SL)” is published: only Publishers may change its aliases here. "
            "Propose the change on the armed group's own page."
        )
        in response.content.decode()
    )
    assert not GroupAlias.objects.filter(name="Forged").exists()


def test_editor_cannot_move_a_draft_entrys_part_to_a_published_entry(
    client,
    editor,
    sendero,  # noqa: F811
):
    draft = make_group(name="Draft group", status=Status.DRAFT)
    alias = GroupAlias.objects.create(group=draft, name="Draft alias")
    client.force_login(editor)
    response = client.post(
        admin_url(GroupAlias, "change", alias.pk),
        {"group": sendero.pk, "name": "Draft alias", "language": ""},
    )
    assert response.status_code == 200
    assert "is published: only Publishers may change" in response.content.decode()
    alias.refresh_from_db()
    assert alias.group == draft


def test_editor_changes_and_deletes_a_draft_entrys_parts(client, editor, seed_report):
    draft = make_incident(title="Draft incident", status=Status.DRAFT)
    citation = make_citation(seed_report, KIDNAPPING, incident=draft)
    other = make_citation(seed_report, "Sendero kidnapped 30 employees", incident=draft)
    client.force_login(editor)

    response = client.post(
        admin_url(Citation, "change", citation.pk),
        {"report": seed_report.pk, "quote": KIDNAPPING, "incident": draft.pk, "facts": ["type"]},
    )

    assert response.status_code == 302
    citation.refresh_from_db()
    assert citation.facts == ["type"]
    assert delete_selected(client, Citation, [citation, other]).status_code == 302
    assert not draft.citations.exists()


# --- Publishers: the publish rule holds ----------------------------------------------------


def test_publisher_cannot_delete_the_only_citation_of_a_published_incident(
    client,
    publisher,
    kidnapping,  # noqa: F811
):
    citation = kidnapping.citations.get()
    client.force_login(publisher)
    url = admin_url(Citation, "delete", citation.pk)

    for response in (client.get(url), client.post(url, {"post": "yes"})):
        assert response.status_code == 302
        assert response.url == admin_url(Citation, "change", citation.pk)
        assert messages_of(response)[-1].startswith(
            "“Junin kidnapping” is published and this would leave it unsourced. "
            "A published entry needs at least one citation"
        )
    assert Citation.objects.filter(pk=citation.pk).exists()
    assert kidnapping.claims.exists()  # the cascade did not run either


def test_publisher_cannot_delete_the_citation_a_fact_rests_on(
    client,
    publisher,
    kidnapping,  # noqa: F811
    other_report,  # noqa: F811
):
    make_citation(other_report, OTHER_TEXT, incident=kidnapping, facts=["start_date"])
    citation = kidnapping.citations.get(report__title__endswith="1997 - Peru")
    client.force_login(publisher)

    response = client.post(admin_url(Citation, "delete", citation.pk), {"post": "yes"})

    assert (
        "Not sourced by a published report: place, type, perpetrators, hostages."
        in (messages_of(response)[0])
    )
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_publisher_deletes_a_citation_the_entry_does_not_need(
    client,
    publisher,
    kidnapping,  # noqa: F811
    other_report,  # noqa: F811
):
    extra = make_citation(other_report, OTHER_TEXT, incident=kidnapping, facts=["start_date"])
    client.force_login(publisher)
    response = client.post(admin_url(Citation, "delete", extra.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Citation.objects.filter(pk=extra.pk).exists()


def test_publisher_bulk_delete_is_judged_on_all_the_selected_parts_together(
    client,
    publisher,
    kidnapping,  # noqa: F811
    other_report,  # noqa: F811
):
    both = [
        kidnapping.citations.get(),
        make_citation(
            other_report, OTHER_TEXT, incident=kidnapping, facts=["start_date", "type", "place"]
        ),
    ]
    client.force_login(publisher)

    response = delete_selected(client, Citation, both)

    assert response.status_code == 302
    assert any("needs at least one citation" in message for message in messages_of(response))
    assert kidnapping.citations.count() == 2


def test_publisher_cannot_unmark_the_fact_a_citation_supports(
    client,
    publisher,
    seed_report,
    kidnapping,  # noqa: F811
):
    citation = kidnapping.citations.get()
    client.force_login(publisher)
    response = client.post(
        admin_url(Citation, "change", citation.pk),
        {
            "report": seed_report.pk,
            "quote": KIDNAPPING,
            "incident": kidnapping.pk,
            "facts": ["start_date", "type", "place", "hostages"],
        },
    )
    assert response.status_code == 200
    assert "Not sourced by a published report: perpetrators." in response.content.decode()
    citation.refresh_from_db()
    assert "perpetrators" in citation.facts


def test_publisher_adds_a_part_only_with_a_citation_for_its_fact(
    client,
    publisher,
    sendero,  # noqa: F811
):
    client.force_login(publisher)
    data = {"group": sendero.pk, "name": "Shining Path", "language": "en"}

    response = client.post(admin_url(GroupAlias, "add"), data)

    assert response.status_code == 200
    assert "Not sourced by a published report: aliases." in response.content.decode()
    citation = sendero.citations.get()
    citation.facts = [*citation.facts, "aliases"]
    citation.save()
    assert client.post(admin_url(GroupAlias, "add"), data).status_code == 302
    assert sendero.aliases.get().name == "Shining Path"


def test_publisher_cannot_delete_the_only_claim_of_a_stated_figure(client, publisher, parts):
    claim = parts[FigureClaim]
    client.force_login(publisher)
    response = client.post(admin_url(FigureClaim, "delete", claim.pk), {"post": "yes"})
    assert "Not sourced by a published report: hostages." in messages_of(response)[0]
    assert FigureClaim.objects.filter(pk=claim.pk).exists()


@pytest.mark.parametrize("model", [GroupRelation, Designation, Perpetration])
def test_publisher_deletes_a_part_no_fact_rests_on_alone(client, publisher, parts, model):
    part = parts[model]
    client.force_login(publisher)
    assert client.post(admin_url(model, "delete", part.pk), {"post": "yes"}).status_code == 302
    assert not model.objects.filter(pk=part.pk).exists()


@pytest.mark.parametrize("model", [FigureClaim, GroupRelation, Designation])
def test_the_new_part_admins_list_filter_and_search(client, publisher, parts, model):
    client.force_login(publisher)
    response = client.get(admin_url(model, "changelist"), {"q": "Sendero"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == (0 if model is FigureClaim else 1)
    filters = [spec.title for spec in response.context["cl"].filter_specs]
    assert filters
