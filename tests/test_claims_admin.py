"""Figure claims in the admin: the inline on incidents and groups, and every refusal of
a forged POST (nothing saved)."""

import pytest

from reports.models import FigureClaim, Group, Incident, Status
from tests.factories import make_citation, make_group, make_incident, make_report
from tests.test_admin import admin_url, form_data

BODY = "The bomb killed three people. At least five died, said others. It has 500 members."


@pytest.fixture
def entry(db):
    """A draft incident with two citations, and another incident with its own."""
    report = make_report(body=BODY)
    incident = make_incident(status=Status.DRAFT)
    three = make_citation(report, "killed three people", incident=incident, facts=["killed"])
    five = make_citation(report, "At least five died", incident=incident, facts=["killed"])
    other = make_incident(title="Other", slug="other", status=Status.DRAFT)
    foreign = make_citation(report, "killed three people", incident=other)
    return incident, three, five, foreign


def with_claims(client, url, *claims, prefix="claims"):
    """The change form at `url` as the admin would send it, plus `claims` (dicts)."""
    data = form_data(client.get(url))
    start = int(data[f"{prefix}-TOTAL_FORMS"])
    for index, claim in enumerate(claims, start=start):
        for name, value in claim.items():
            data[f"{prefix}-{index}-{name}"] = str(value)
    data[f"{prefix}-TOTAL_FORMS"] = str(start + len(claims))
    return data


def killed(low, high, citation, **extra):
    return {"figure": "killed", "low": low, "high": high, "citation": citation.pk, **extra}


def test_editor_adds_claims_and_the_row_takes_their_best_estimate(client, editor, entry):
    incident, three, five, _ = entry
    client.force_login(editor)
    url = admin_url(Incident, "change", incident.pk)
    data = with_claims(
        client,
        url,
        killed(3, 3, three, wording="three people"),
        killed(5, "", five, wording="at least five", best="on", moment="the next day"),
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    assert sorted(incident.claims.values_list("low", "high", "best")) == [
        (3, 3, False),
        (5, None, True),
    ]
    incident.refresh_from_db()
    assert incident.killed == 5


def test_change_page_offers_only_the_entrys_own_citations(client, editor, entry):
    incident, three, five, foreign = entry
    client.force_login(editor)
    response = client.get(admin_url(Incident, "change", incident.pk))
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is FigureClaim
    )
    choices = formset.empty_form.fields["citation"].queryset
    assert set(choices) == {three, five}
    assert [value for value, _ in formset.empty_form.fields["figure"].choices][1:] == [
        "killed",
        "injured",
        "hostages",
    ]


def test_figures_are_read_only_on_the_incident_form(client, editor, entry):
    incident, *_ = entry
    client.force_login(editor)
    url = admin_url(Incident, "change", incident.pk)
    html = client.get(url).content.decode()
    assert 'name="killed"' not in html
    assert "best estimate, from the" in html
    data = with_claims(client, url)
    data["killed"] = "999"  # forged: the form has no such field
    assert client.post(url, data).status_code == 302
    incident.refresh_from_db()
    assert incident.killed is None


REFUSALS = {
    "low above high": (lambda e: killed(9, 3, e[1]), "The low figure cannot exceed the high one."),
    "no citation": (
        lambda e: {"figure": "killed", "low": 3, "high": 3},
        "A figure needs the citation it rests on.",
    ),
    "another incident's citation": (
        lambda e: killed(3, 3, e[3]),
        "Select a valid choice. That choice is not one of the available choices.",
    ),
    "strength on an incident": (
        lambda e: {**killed(3, 3, e[1]), "figure": "strength"},
        "Select a valid choice. strength is not one of the available choices.",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_forged_claims_are_refused_with_a_message_and_nothing_saved(client, editor, entry, case):
    incident, *_ = entry
    make_claim, message = REFUSALS[case]
    client.force_login(editor)
    url = admin_url(Incident, "change", incident.pk)
    response = client.post(url, with_claims(client, url, make_claim(entry)))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FigureClaim.objects.exists()
    incident.refresh_from_db()
    assert incident.killed is None


def test_two_claims_marked_best_for_one_figure_are_refused(client, editor, entry):
    incident, three, five, _ = entry
    client.force_login(editor)
    url = admin_url(Incident, "change", incident.pk)
    data = with_claims(client, url, killed(3, 3, three, best="on"), killed(5, "", five, best="on"))
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Mark one claim at most as the best estimate of killed." in response.content.decode()
    assert not FigureClaim.objects.exists()


def test_one_best_claim_per_figure_counts_deleted_forms_out(client, editor, entry):
    incident, three, five, _ = entry
    marked = FigureClaim.objects.create(
        incident=incident, figure="killed", low=3, high=3, citation=three, best=True
    )
    client.force_login(editor)
    url = admin_url(Incident, "change", incident.pk)
    data = with_claims(client, url, killed(5, "", five, best="on"))
    data["claims-0-DELETE"] = "on"  # the best moves from the deleted claim to the new one
    assert client.post(url, data).status_code == 302
    assert not FigureClaim.objects.filter(pk=marked.pk).exists()
    incident.refresh_from_db()
    assert incident.killed == 5


def test_group_claims_are_its_strength_only(client, editor, db):
    report = make_report(body=BODY)
    group = make_group(name="Some group", slug="some-group", status=Status.DRAFT)
    members = make_citation(report, "It has 500 members.", group=group)
    client.force_login(editor)
    url = admin_url(Group, "change", group.pk)
    forged = with_claims(client, url, {"figure": "killed", "low": 3, "citation": members.pk})
    response = client.post(url, forged)
    assert response.status_code == 200
    assert "Select a valid choice. killed is not one of the available choices." in (
        response.content.decode()
    )
    assert not FigureClaim.objects.exists()
    data = with_claims(client, url, {"figure": "strength", "low": 500, "citation": members.pk})
    assert client.post(url, data).status_code == 302
    assert group.claims.get().low == 500


# --- FigureClaim.clean, which the forms call, on its own ---------------------------


def test_clean_refuses_what_the_constraints_refuse_and_more(entry):
    from django.core.exceptions import ValidationError

    incident, three, _, foreign = entry
    cases = {
        "high": FigureClaim(incident=incident, figure="killed", low=9, high=3, citation=three),
        "citation": FigureClaim(incident=incident, figure="killed", low=3, high=3),
        "figure": FigureClaim(incident=incident, figure="strength", low=3, citation=three),
        "__all__": FigureClaim(figure="killed", low=3, citation=three),
    }
    for field, claim in cases.items():
        with pytest.raises(ValidationError) as refused:
            claim.full_clean()
        assert field in refused.value.message_dict, field
    foreign_claim = FigureClaim(incident=incident, figure="killed", low=3, citation=foreign)
    with pytest.raises(ValidationError, match="its own incident or group"):
        foreign_claim.full_clean()
    missing = FigureClaim(incident=incident, figure="killed", low=3, citation_id=999_999)
    with pytest.raises(ValidationError) as refused:
        missing.full_clean()
    assert list(refused.value.message_dict) == ["citation"]
    FigureClaim(incident=incident, figure="killed", low=3, from_dataset=True).full_clean()


def test_both_roles_curate_claims(editor, publisher):
    for user in (editor, publisher):
        for action in ("add", "change", "view", "delete"):
            assert user.has_perm(f"reports.{action}_figureclaim"), (user, action)
