"""The publish rule, whole: a published entry rests on a citation of a published report, and
each fact it states on a citation marked as supporting it (a figure on a claim). Every path
that could break it is refused with a clear message, forged requests included."""

import pytest
from django.urls import reverse

from reports.models import Citation, Group, GroupAlias, Incident, Perpetration, Report, Status
from reports.publishing import (
    evidence_of,
    publish_problem,
    sourcing,
    unsourced_facts,
    withdrawals,
)
from tests.factories import (
    make_citation,
    make_claim,
    make_group,
    make_incident,
    make_report,
)
from tests.test_admin import admin_url, form_data, messages_of, run_action

KIDNAPPING = "In August, Sendero kidnapped 30 employees of a French oil company in Junin Department"
BOMBING = "The group also car-bombed a police station in Lima in May"
SENDERO = "its larger and more violent counterpart, Sendero Luminoso, remained active in Lima"
GUZMAN = "Sendero still has not recovered from the arrest of its founder, Abimael Guzman"
OTHER_TEXT = "In August, Sendero kidnapped 30 employees of an oil company."


@pytest.fixture
def other_report(db):
    return make_report(title="Patterns of Global Terrorism 1998 - Peru", body=OTHER_TEXT)


@pytest.fixture
def sendero(seed_report):
    group = make_group(name="Sendero Luminoso", acronym="SL", activity="active")
    make_citation(seed_report, SENDERO, group=group, facts=["name", "activity"])
    return group


@pytest.fixture
def kidnapping(seed_report, sendero):
    """A published incident, each of its facts supported by the seed."""
    incident = make_incident(
        title="Junin kidnapping", start_date="1997-08-01", type="kidnapping", region="Junin"
    )
    incident.perpetrators.add(sendero)
    incident.hostages = 30
    incident.save()
    citation = make_citation(
        seed_report,
        KIDNAPPING,
        incident=incident,
        facts=["start_date", "type", "place", "perpetrators", "hostages"],
    )
    make_claim(citation, "hostages", 30)
    return incident


# --- the rule as a function ----------------------------------------------------------------


def test_an_incident_states_its_facts_and_each_rests_on_a_marked_citation(seed_report, sendero):
    incident = make_incident(
        title="Car bomb",
        start_date="1997-05-01",
        end_date="1997-05-02",
        city="Lima",
        type="bombing",
        outcome="Eight policemen injured.",
        killed=0,
        status=Status.REVIEW,
    )
    incident.perpetrators.add(sendero)
    make_citation(seed_report, BOMBING, incident=incident, facts=["start_date", "place", "killed"])

    assert [(row.fact, row.sourced) for row in sourcing(incident)] == [
        ("start_date", True),
        ("end_date", False),
        ("place", True),
        ("type", False),
        ("perpetrators", False),
        ("killed", False),  # a figure needs a claim; a citation marking it is not enough
        ("outcome", False),
    ]
    problem = publish_problem(incident)
    assert problem == (
        "Not sourced by a published report: end date, type, perpetrators, killed, outcome. "
        "Mark the facts each citation supports, and give each figure a claim resting on a "
        "citation."
    )


def test_an_incident_of_type_other_without_place_or_figures_states_only_its_date(seed_report):
    incident = make_incident(title="Bare", status=Status.DRAFT)
    make_citation(seed_report, BOMBING, incident=incident, facts=["start_date"])
    assert [row.fact for row in sourcing(incident)] == ["start_date"]
    assert publish_problem(incident) is None


def test_a_figure_is_sourced_by_a_claim_of_a_published_report_or_the_dataset_row(
    seed_report, other_report
):
    incident = make_incident(title="Figures", killed=2, injured=5, hostages=30)
    make_citation(seed_report, BOMBING, incident=incident, facts=["start_date"])
    draft = make_report(
        title="Patterns of Global Terrorism 1999 - Peru", body=OTHER_TEXT, status=Status.DRAFT
    )
    make_claim(make_citation(draft, OTHER_TEXT, incident=incident), "killed", 2)
    make_claim(make_citation(other_report, OTHER_TEXT, incident=incident), "injured", 5)
    incident.claims.create(figure="hostages", low=30, high=30, from_dataset=True)

    rows = {row.fact: row for row in sourcing(incident)}
    assert (rows["killed"].citations, rows["killed"].published) == (1, 0)
    assert rows["injured"].sourced and rows["hostages"].sourced
    assert unsourced_facts(incident) == ["killed"]


def test_a_fact_supported_only_by_a_draft_report_is_unsourced(seed_report):
    draft = make_report(
        title="Patterns of Global Terrorism 1999 - Peru", body=OTHER_TEXT, status=Status.DRAFT
    )
    incident = make_incident(title="Half", type="kidnapping", status=Status.REVIEW)
    make_citation(seed_report, KIDNAPPING, incident=incident, facts=["start_date"])
    make_citation(draft, OTHER_TEXT, incident=incident, facts=["type"])
    assert unsourced_facts(incident) == ["type"]


def test_a_group_states_its_name_aliases_leaders_founding_and_activity(seed_report):
    group = make_group(name="MRTA", founded_year=1982, activity="active", status=Status.DRAFT)
    assert [row.fact for row in sourcing(group)] == ["name", "founded", "activity"]
    GroupAlias.objects.create(group=group, name="Tupac Amaru")
    group.leaders.create(name="Nestor Cerpa Cartolini")
    make_citation(seed_report, SENDERO, group=group, facts=["name", "aliases"])
    assert unsourced_facts(group) == ["leaders", "founded", "activity"]
    group.activity = "unknown"
    assert "activity" not in unsourced_facts(group)


# --- publishing: the bulk action and the change form ---------------------------------------


def test_bulk_publish_refuses_an_entry_with_an_unsourced_fact_and_names_it(
    client, publisher, seed_report
):
    incident = make_incident(title="Unsourced end", end_date="1997-06-01", status=Status.REVIEW)
    make_citation(seed_report, BOMBING, incident=incident, facts=["start_date"])
    client.force_login(publisher)

    response = run_action(client, Incident, "publish", [incident])

    assert any("Not sourced by a published report: end date." in m for m in messages_of(response))
    incident.refresh_from_db()
    assert incident.status == Status.REVIEW


def test_change_form_refuses_publishing_with_an_unsourced_fact_and_publishes_once_marked(
    client, publisher, seed_report
):
    incident = make_incident(title="Car bomb", type="bombing", status=Status.REVIEW)
    make_citation(seed_report, BOMBING, incident=incident, facts=["start_date"])
    client.force_login(publisher)
    url = admin_url(Incident, "change", incident.pk)
    data = form_data(client.get(url))
    data["status"] = Status.PUBLISHED

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Not sourced by a published report: type." in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.REVIEW

    data["citations-0-facts"] = ["start_date", "type"]  # the same form, the fact marked
    assert client.post(url, data).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.PUBLISHED


def test_a_published_entry_keeps_its_facts_sourced_when_a_publisher_edits_it(
    client, publisher, kidnapping
):
    client.force_login(publisher)
    url = admin_url(Incident, "change", kidnapping.pk)
    data = form_data(client.get(url))

    # A new fact with no citation for it; then a citation's fact unmarked.
    for change in ({"end_date": "1997-08-03"}, {"citations-0-facts": ["start_date", "type"]}):
        response = client.post(url, {**data, **change})
        assert response.status_code == 200
        assert "Not sourced by a published report" in response.content.decode()
    kidnapping.refresh_from_db()
    assert kidnapping.end_date is None
    assert "place" in kidnapping.citations.get().facts

    data["title"] = "Junin kidnapping of oil workers"  # a change that breaks nothing
    assert client.post(url, data).status_code == 302


def test_a_perpetrator_added_in_the_form_needs_a_citation_marking_perpetrators(
    client, publisher, seed_report, sendero
):
    incident = make_incident(title="Bare", start_date="1997-08-01")
    make_citation(seed_report, KIDNAPPING, incident=incident, facts=["start_date"])
    client.force_login(publisher)
    url = admin_url(Incident, "change", incident.pk)
    data = form_data(client.get(url))
    data.update(
        {
            "perpetration_set-TOTAL_FORMS": "1",
            "perpetration_set-0-group": sendero.pk,
            "perpetration_set-0-role": "perpetrator",
        }
    )

    response = client.post(url, data)

    assert "Not sourced by a published report: perpetrators." in response.content.decode()
    assert not incident.perpetrators.exists()
    data["citations-0-facts"] = ["start_date", "perpetrators"]
    assert client.post(url, data).status_code == 302
    assert list(incident.perpetrators.all()) == [sendero]


def test_deleting_the_citation_a_fact_rests_on_in_the_form_is_refused(
    client, publisher, kidnapping, other_report
):
    make_citation(other_report, OTHER_TEXT, incident=kidnapping, facts=["start_date"])
    client.force_login(publisher)
    url = admin_url(Incident, "change", kidnapping.pk)
    data = form_data(client.get(url))
    seed_form = next(
        key.removesuffix("-quote") for key, value in data.items() if value == KIDNAPPING
    )
    data[f"{seed_form}-DELETE"] = "on"

    response = client.post(url, data)

    assert response.status_code == 200
    assert (
        "Not sourced by a published report: place, type, perpetrators, hostages."
        in response.content.decode()
    )
    assert kidnapping.citations.count() == 2 and kidnapping.claims.count() == 1


def test_a_publisher_cannot_revert_a_draft_to_a_published_version_that_is_unsourced(
    client, publisher, seed_report
):
    incident = make_incident(title="Reverted", status=Status.DRAFT)
    make_citation(seed_report, BOMBING, incident=incident, facts=["start_date"])
    incident.end_date = "1997-06-01"
    incident.status = Status.PUBLISHED
    incident.save()  # a version published before the rule, its end date unsourced
    published_version = incident.history.latest()
    incident.status = Status.DRAFT
    incident.save()
    client.force_login(publisher)
    url = reverse("admin:reports_incident_simple_history", args=[incident.pk, published_version.pk])

    response = client.post(url, form_data(client.get(url)))

    assert response.status_code == 200
    assert "Not sourced by a published report: end date." in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.DRAFT


# --- what editors see -----------------------------------------------------------------------


def test_change_page_shows_editors_how_each_fact_is_sourced(client, editor, kidnapping):
    kidnapping.killed = 3
    kidnapping.save()
    client.force_login(editor)

    html = " ".join(
        client.get(admin_url(Incident, "change", kidnapping.pk)).content.decode().split()
    )

    assert "Sourcing" in html
    assert "<strong>Start date</strong>: sourced (1 citation)" in html
    assert "<strong>Hostages</strong>: sourced (1 citation)" in html
    assert "<strong>Killed</strong>: not sourced" in html


def test_group_change_page_shows_its_sourcing(client, editor, sendero):
    sendero.leaders.create(name="Abimael Guzman")
    client.force_login(editor)
    html = " ".join(client.get(admin_url(Group, "change", sendero.pk)).content.decode().split())
    assert "<strong>Name</strong>: sourced (1 citation)" in html
    assert "<strong>Leaders</strong>: not sourced" in html


def test_readers_never_see_not_sourced(client, kidnapping):
    kidnapping.killed = 3
    kidnapping.save()
    html = client.get(kidnapping.get_absolute_url()).content.decode()
    assert "Junin kidnapping" in html
    assert "not sourced" not in html.lower()


# --- a report leaving "published" -------------------------------------------------------------


def test_the_entries_resting_on_a_report_alone_are_those_without_another_published_citation(
    seed_report, other_report, kidnapping, sendero
):
    bombing = make_incident(title="Car bomb", start_date="1997-05-01")
    make_citation(seed_report, BOMBING, incident=bombing, facts=["start_date"])
    make_citation(other_report, OTHER_TEXT, incident=bombing, facts=["start_date"])
    draft = make_incident(title="Draft", status=Status.DRAFT)
    make_citation(seed_report, BOMBING, incident=draft)

    assert list(Incident.objects.resting_on(seed_report)) == [kidnapping]
    assert list(Group.objects.resting_on(seed_report)) == [sendero]
    assert list(Incident.objects.resting_on(other_report)) == []
    assert [(w.entry, w.facts) for w in withdrawals(seed_report)] == [
        (kidnapping, ()),
        (sendero, ()),
    ]


def test_an_entry_whose_fact_rests_on_the_report_alone_is_withdrawn_too(seed_report, other_report):
    incident = make_incident(title="Two sources", type="kidnapping")
    make_citation(seed_report, KIDNAPPING, incident=incident, facts=["start_date", "type"])
    make_citation(other_report, OTHER_TEXT, incident=incident, facts=["start_date"])

    [withdrawal] = withdrawals(seed_report)

    assert (withdrawal.entry, withdrawal.facts) == (incident, ("type",))
    assert withdrawal.reason == (
        "Withdrawn: its type rested on “Patterns of Global Terrorism 1997 - Peru” alone, "
        "which was unpublished."
    )
    assert withdrawals(other_report) == []


@pytest.mark.parametrize("action", ["return_to_draft", "send_to_review"])
def test_unpublishing_a_report_asks_first_and_lists_the_entries_resting_on_it(
    client, publisher, seed_report, kidnapping, sendero, action
):
    client.force_login(publisher)

    response = run_action(client, Report, action, [seed_report])

    assert response.status_code == 200
    assert "admin/reports/report/withdraw_confirmation.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Junin kidnapping" in html and "Sendero Luminoso" in html
    assert admin_url(Incident, "change", kidnapping.pk) in html
    assert f'name="action" value="{action}"' in html
    assert 'name="withdraw" value="yes"' in html
    seed_report.refresh_from_db()
    kidnapping.refresh_from_db()
    assert seed_report.status == kidnapping.status == Status.PUBLISHED


def test_confirming_withdraws_the_entries_with_a_history_row_saying_why(
    client, publisher, seed_report, kidnapping, sendero
):
    client.force_login(publisher)

    response = run_action(client, Report, "return_to_draft", [seed_report], withdraw="yes")

    assert response.status_code == 302
    seed_report.refresh_from_db()
    assert seed_report.status == Status.DRAFT
    for entry in (kidnapping, sendero):
        entry.refresh_from_db()
        assert entry.status == Status.REVIEW
        assert entry.status_changed_by == publisher
        latest = entry.history.latest()
        assert latest.history_user == publisher
        assert latest.history_change_reason == (
            "Withdrawn: its only published source “Patterns of Global Terrorism 1997 - Peru” "
            "was unpublished."
        )


def test_a_report_no_entry_rests_on_alone_leaves_published_without_asking(
    client, publisher, seed_report, other_report, kidnapping
):
    make_citation(other_report, OTHER_TEXT, incident=kidnapping, facts=["start_date"])
    client.force_login(publisher)
    response = run_action(client, Report, "return_to_draft", [other_report])
    assert response.status_code == 302
    other_report.refresh_from_db()
    kidnapping.refresh_from_db()
    assert other_report.status == Status.DRAFT
    assert kidnapping.status == Status.PUBLISHED


def test_an_editor_forging_the_confirmation_changes_nothing(
    client, editor, seed_report, kidnapping
):
    client.force_login(editor)
    response = run_action(client, Report, "return_to_draft", [seed_report], withdraw="yes")
    assert "You may not unpublish reports: only Publishers can." in messages_of(response)
    seed_report.refresh_from_db()
    kidnapping.refresh_from_db()
    assert seed_report.status == kidnapping.status == Status.PUBLISHED


def test_change_statuses_refuses_to_unpublish_without_withdrawing(
    publisher, seed_report, kidnapping
):
    from reports.publishing import change_statuses

    changed, [(report, problem)] = change_statuses(publisher, Report.objects.all(), Status.DRAFT)
    assert changed == [] and report == seed_report
    assert problem == (
        "“Patterns of Global Terrorism 1997 - Peru” cannot leave “published” while published "
        "entries rest on it alone: “Junin kidnapping”, “Sendero Luminoso (SL)”. Withdraw them too "
        "(they go back to review), or keep it published."
    )


def test_report_form_refuses_to_unpublish_until_the_withdrawal_is_ticked(
    client, publisher, seed_report, kidnapping, sendero
):
    client.force_login(publisher)
    url = admin_url(Report, "change", seed_report.pk)
    page = client.get(url)
    assert 'name="withdraw_entries"' in page.content.decode()
    data = form_data(page)
    data["status"] = Status.DRAFT

    response = client.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "published entries rest on it alone: “Junin kidnapping”, “Sendero Luminoso (SL)”" in html
    assert "Tick “Also withdraw the entries that rest on it alone”" in html
    seed_report.refresh_from_db()
    assert seed_report.status == Status.PUBLISHED

    data["withdraw_entries"] = "on"
    assert client.post(url, data).status_code == 302
    seed_report.refresh_from_db()
    kidnapping.refresh_from_db()
    assert seed_report.status == Status.DRAFT
    assert kidnapping.status == Status.REVIEW
    assert kidnapping.history.latest().history_change_reason.startswith("Withdrawn:")


def test_editor_forging_the_report_form_with_the_withdrawal_changes_nothing(
    client, editor, seed_report, kidnapping
):
    client.force_login(editor)
    url = admin_url(Report, "change", seed_report.pk)
    page = client.get(url)
    assert 'name="withdraw_entries"' not in page.content.decode()
    data = {**form_data(page), "status": Status.DRAFT, "withdraw_entries": "on"}
    response = client.post(url, data)
    assert "You may not unpublish reports" in response.content.decode()
    kidnapping.refresh_from_db()
    assert kidnapping.status == Status.PUBLISHED


# --- the evidence of a change ------------------------------------------------------------------


def test_evidence_of_a_change_drops_the_claims_of_a_removed_citation(kidnapping):
    citation = kidnapping.citations.get()
    after = evidence_of(kidnapping, without=[citation])
    assert after.claims == () and after.citations == ()
    perpetration = Perpetration.objects.get(incident=kidnapping)
    assert "perpetrators" not in evidence_of(kidnapping, without=[perpetration]).stated
    assert Citation.objects.count() == 2  # nothing was written


def test_finding_the_withdrawals_reads_a_fixed_number_of_queries(
    seed_report, kidnapping, django_assert_max_num_queries
):
    for number in range(5):
        incident = make_incident(title=f"Another incident {number}")
        make_citation(seed_report, KIDNAPPING, incident=incident, facts=["start_date"])
    # Per kind: the entries resting on it alone, then the entries citing it with their
    # citations, claims and parts, whatever their number.
    with django_assert_max_num_queries(12):
        assert len(withdrawals(seed_report)) == 7
