"""Figures as sourced claims: the estimate rules, the incident row kept in step, and
the entry pages showing each claim with its footnote."""

import datetime
import re

import pytest
from django.core import serializers

from reports.claims import estimate, estimates, figure_rows, refresh_estimates
from reports.models import FigureClaim, Group, Incident, Perpetration, Status
from tests.factories import make_citation, make_group, make_incident, make_report


def claim(low, high="same", best=False, figure="hostages", **kwargs):
    return FigureClaim(
        figure=figure, low=low, high=low if high == "same" else high, best=best, **kwargs
    )


# --- the estimate rules (no database) ---------------------------------------------------


def test_no_claim_is_no_estimate():
    assert estimate([]) is None


def test_an_exact_claim_is_its_own_estimate():
    found = estimate([claim(16)])
    assert (found.best, found.low, found.high) == (16, 16, 16)
    assert found.exact and not found.sources_differ


def test_a_range_is_best_at_its_low_and_spans_to_its_high():
    found = estimate([claim(10, 20)])
    assert (found.best, found.low, found.high) == (10, 10, 20)
    assert not found.exact


def test_at_least_leaves_the_high_open():
    found = estimate([claim(21, None)])
    assert (found.best, found.low, found.high) == (21, 21, None)
    assert not found.exact


def test_differing_claims_span_every_claim_and_the_most_cautious_is_best():
    found = estimate([claim(200, None), claim(81), claim(72)])
    assert (found.best, found.low, found.high) == (72, 72, None)
    assert found.sources_differ


def test_the_claim_marked_best_is_the_best_estimate():
    found = estimate([claim(200, None), claim(81, best=True), claim(72)])
    assert (found.best, found.low, found.high) == (81, 72, None)
    found = estimate([claim(5), claim(9, 12, best=True)])
    assert (found.best, found.low, found.high) == (9, 5, 12)


def test_claims_saying_the_same_do_not_differ():
    assert not estimate([claim(16), claim(16)]).sources_differ


def test_estimates_are_per_figure():
    found = estimates(
        [claim(3, figure="killed"), claim(4, figure="injured")], ["killed", "hostages"]
    )
    assert found["killed"].best == 3 and found["hostages"] is None


# --- the incident row keeps the best estimate ----------------------------------------


@pytest.fixture
def sourced(db):
    report = make_report(body="Three died. At least five died. Two were injured.")
    incident = make_incident(status=Status.DRAFT)
    three = make_citation(report, "Three died.", incident=incident)
    five = make_citation(report, "At least five died.", incident=incident)
    return incident, three, five


def row(incident):
    incident.refresh_from_db()
    return incident.killed, incident.injured, incident.hostages


def test_saving_and_deleting_claims_keeps_the_row_at_the_best_estimate(sourced):
    incident, three, five = sourced
    first = FigureClaim.objects.create(
        incident=incident, figure="killed", low=3, high=3, citation=three
    )
    assert row(incident) == (3, None, None)
    second = FigureClaim.objects.create(
        incident=incident, figure="killed", low=5, high=None, citation=five, best=True
    )
    assert row(incident) == (5, None, None)
    second.best = False
    second.save()
    assert row(incident) == (3, None, None)  # the most cautious, unmarked
    first.delete()
    assert row(incident) == (5, None, None)
    second.delete()
    assert row(incident) == (None, None, None)


def test_a_claim_moved_to_another_figure_refreshes_both(sourced):
    incident, three, _ = sourced
    moved = FigureClaim.objects.create(
        incident=incident, figure="killed", low=3, high=3, citation=three
    )
    moved.figure = "injured"
    moved.save()
    assert row(incident) == (None, 3, None)


def test_a_figure_no_claim_gives_keeps_its_row_value_when_another_is_claimed(sourced):
    incident, three, _ = sourced
    Incident.objects.filter(pk=incident.pk).update(hostages=30)  # from before claims
    FigureClaim.objects.create(incident=incident, figure="killed", low=3, high=3, citation=three)
    assert row(incident) == (3, None, 30)


def test_deleting_the_citation_deletes_its_claims_and_their_figure(sourced):
    incident, three, _ = sourced
    FigureClaim.objects.create(incident=incident, figure="killed", low=3, high=3, citation=three)
    three.delete()
    assert row(incident) == (None, None, None)


def test_the_row_counts_only_claims_a_reader_may_see_and_follows_the_reports_status(sourced):
    incident, three, _ = sourced
    draft = make_report(title="Country Reports 1999 - Peru", body="Nine died.", status=Status.DRAFT)
    nine = make_citation(draft, "Nine died.", incident=incident)
    FigureClaim.objects.create(incident=incident, figure="killed", low=9, high=9, citation=nine)
    assert row(incident) == (None, None, None)  # a draft's figure reaches no list
    FigureClaim.objects.create(incident=incident, figure="killed", low=3, high=3, citation=three)
    assert row(incident) == (3, None, None)
    draft.status = Status.PUBLISHED
    draft.save()
    assert row(incident) == (3, None, None)  # the most cautious of both
    FigureClaim.objects.filter(low=9).update(best=True)
    draft.save()
    assert row(incident) == (9, None, None)
    draft.status = Status.DRAFT
    draft.save()
    assert row(incident) == (3, None, None)
    nine.delete()
    three.report.status = Status.REVIEW
    three.report.save()
    assert row(incident) == (None, None, None)


def test_a_raw_fixture_load_leaves_the_row_as_the_fixture_says(sourced):
    incident, three, _ = sourced
    data = serializers.serialize(
        "json", [claim(3, figure="killed", incident=incident, citation=three)]
    )
    for obj in serializers.deserialize("json", data):
        obj.save()  # raw, as loaddata saves
    assert FigureClaim.objects.count() == 1
    assert row(incident) == (None, None, None)


def test_refresh_estimates_updates_an_incident_it_is_given(sourced):
    incident, three, _ = sourced
    FigureClaim.objects.bulk_create(  # no signals
        [FigureClaim(incident=incident, figure="injured", low=2, high=2, citation=three)]
    )
    refresh_estimates(incident)
    assert incident.injured == 2
    assert row(incident) == (None, 2, None)


def test_a_group_claim_touches_no_incident(db):
    report = make_report(body="It has some 500 members.")
    group = make_group(name="Some group")
    citation = make_citation(report, "some 500 members", group=group)
    FigureClaim.objects.create(group=group, figure="strength", low=500, high=500, citation=citation)
    assert FigureClaim.objects.get().group == group


# --- the entry pages -------------------------------------------------------------------


@pytest.fixture
def hostage_crisis(seed_report):
    """The hostage crisis as the seed tells it: three hostage figures at three moments."""
    mrta = make_group(name="Tupac Amaru Revolutionary Movement", slug="mrta", acronym="MRTA")
    incident = make_incident(
        title="Hostage crisis",
        slug="hostage-crisis",
        start_date="1996-12-17",
        end_date="1997-04-22",
        type="hostage_taking",
    )
    Perpetration.objects.create(incident=incident, group=mrta)

    def cite(quote, **kwargs):
        return make_citation(seed_report, quote, incident=incident, **kwargs)

    died = cite("Two Peruvian soldiers and all 14 of the MRTA terrorists died in the assault.")
    taken = cite("taking hundreds of hostages")
    held = cite("At the beginning of the year, the terrorists still held 81 hostages")
    rescued = cite("successfully rescued all but one of the 72 remaining hostages")
    FigureClaim.objects.create(
        incident=incident,
        figure="killed",
        low=16,
        high=None,
        wording="Two Peruvian soldiers and all 14 of the MRTA terrorists died",
        citation=died,
    )
    for low, high, wording, moment, day, citation in (
        (200, None, "hundreds of hostages", "17 December 1996", "1996-12-17", taken),
        (81, 81, "81 hostages", "at the beginning of 1997", "1997-01-01", held),
        (
            72,
            72,
            "the 72 remaining hostages",
            "at the rescue, 22 April 1997",
            "1997-04-22",
            rescued,
        ),
    ):
        FigureClaim.objects.create(
            incident=incident,
            figure="hostages",
            low=low,
            high=high,
            wording=wording,
            moment=moment,
            moment_date=day,
            citation=citation,
            best=low == 72,
        )
    return incident


def facts_of(html, label):
    """The <dd> of the fact labelled `label`."""
    return re.search(rf"<dt>{label}</dt><dd>(.*?)</dd>", html, re.S).group(1)


def test_incident_page_shows_the_three_hostage_figures_with_their_footnotes(client, hostage_crisis):
    response = client.get(hostage_crisis.get_absolute_url())
    html = response.content.decode()
    notes = {c.quote: n for n, c in enumerate(response.context["citations"], start=1)}
    hostages = facts_of(html, "Hostages or kidnapped")
    rescued = notes["successfully rescued all but one of the 72 remaining hostages"]
    best = (
        '<span lang="en">“the 72 remaining hostages”</span> <span class="claim-reading">(72)</span>'
        f'<sup class="footnote-ref"><a href="#c{rescued}"'
    )
    assert hostages.startswith(best)
    assert "best estimate 72; the claims range from 72, with no upper bound" in hostages
    items = re.findall(r"<li>(.*?)</li>", hostages, re.S)
    assert len(items) == 3
    for item, (text, moment, quote) in zip(
        items,
        [
            (
                '<span lang="en">“hundreds of hostages”</span> '
                '<span class="claim-reading">(at least 200)</span>',
                "17 December 1996",
                "taking hundreds",
            ),
            (
                '<span lang="en">“81 hostages”</span> <span class="claim-reading">(81)</span>',
                "at the beginning of 1997",
                "At the beginning",
            ),
            (
                '<span lang="en">“the 72 remaining hostages”</span> '
                '<span class="claim-reading">(72)</span>',
                "at the rescue, 22 April",
                "successfully",
            ),
        ],
        strict=True,
    ):
        number = next(n for q, n in notes.items() if q.startswith(quote))
        assert text in item and moment in item
        assert f'href="#c{number}"' in item
        assert f'<li id="c{number}">' in html  # the footnote's target in the citations list
    assert "(best estimate)" in items[2]
    killed = facts_of(html, "Killed")
    assert killed.startswith(
        '<span lang="en">“Two Peruvian soldiers and all 14 of the MRTA terrorists died”</span> '
        '<span class="claim-reading">(at least 16)</span>'
    )
    assert "<li>" not in killed  # one claim: nothing to set side by side
    assert facts_of(html, "Injured") == "not given"


def test_the_row_keeps_the_marked_best_of_the_hostage_claims(hostage_crisis):
    hostage_crisis.refresh_from_db()
    assert (hostage_crisis.killed, hostage_crisis.injured, hostage_crisis.hostages) == (
        16,
        None,
        72,
    )


def test_a_single_open_claim_reads_at_least_in_the_sources_words(client, seed_report):
    incident = make_incident(title="Car bomb", slug="car-bomb", type="bombing")
    citation = make_citation(
        seed_report,
        "injuring eight policemen and more than a dozen civilians",
        incident=incident,
        facts=["injured"],
    )
    FigureClaim.objects.create(
        incident=incident,
        figure="injured",
        low=21,
        high=None,
        wording="eight policemen and more than a dozen civilians",
        citation=citation,
    )
    html = client.get(incident.get_absolute_url()).content.decode()
    assert facts_of(html, "Injured") == (
        '<span lang="en">“eight policemen and more than a dozen civilians”</span> '
        '<span class="claim-reading">(at least 21)</span>'
        '<sup class="footnote-ref"><a href="#c1" aria-label="Source 1">[1]</a></sup>'
    )


def test_a_dataset_claim_says_dataset_row(client, db):
    incident = make_incident(external_source="GTD", external_id="1")
    FigureClaim.objects.create(incident=incident, figure="killed", low=3, high=3, from_dataset=True)
    html = client.get(incident.get_absolute_url()).content.decode()
    assert facts_of(html, "Killed") == (
        '3 <span class="claim-source">(<a href="#dataset-row">GTD row</a>)</span>'
    )


def test_a_claim_on_an_unpublished_source_is_not_shown(client, db):
    draft = make_report(body="Nine died.", status=Status.DRAFT)
    incident = make_incident()
    citation = make_citation(draft, "Nine died.", incident=incident, facts=["killed"])
    FigureClaim.objects.create(incident=incident, figure="killed", low=9, high=9, citation=citation)
    html = client.get(incident.get_absolute_url()).content.decode()
    assert "9" not in facts_of(html, "Killed")
    assert facts_of(html, "Killed") == "not given"


def test_claims_saying_the_same_show_once_with_every_footnote(db):
    report = make_report(body="Four died. Four people died.")
    incident = make_incident()
    one = make_citation(report, "Four died.", incident=incident)
    two = make_citation(report, "Four people died.", incident=incident)
    for citation in (one, two):
        FigureClaim.objects.create(
            incident=incident, figure="killed", low=4, high=4, citation=citation
        )
    [killed] = figure_rows(FigureClaim.objects.all(), [one, two], ["killed"], incident)
    assert killed.claims == [] and [r.note for r in killed.shown] == [1, 2]


def test_a_figure_no_claim_gives_shows_its_row_value(db):
    incident = make_incident(killed=7)
    [killed, hostages] = figure_rows([], [], ["killed", "hostages"], incident)
    assert (killed.estimate, killed.value) == (None, 7)
    assert (hostages.estimate, hostages.value) == (None, None)


def test_incident_page_reads_the_claims_in_one_query(
    client, hostage_crisis, django_assert_num_queries
):
    from tests.test_views_incidents import DETAIL_QUERIES

    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(hostage_crisis.get_absolute_url())


def test_group_page_shows_its_strength_claims(client, db):
    report = make_report(body="It had some 500 members. Others say 1,000 members.")
    group = make_group(name="Some group", slug="some-group")
    some = make_citation(report, "some 500 members", group=group)
    others = make_citation(report, "1,000 members", group=group)
    FigureClaim.objects.create(
        group=group, figure="strength", low=500, high=500, wording="some 500", citation=some
    )
    FigureClaim.objects.create(
        group=group,
        figure="strength",
        low=1000,
        high=1000,
        moment="in 1997",
        moment_date=datetime.date(1997, 1, 1),
        citation=others,
    )
    html = client.get(group.get_absolute_url()).content.decode()
    strength = facts_of(html, "Strength")
    assert strength.startswith(
        '<span lang="en">“some 500”</span> <span class="claim-reading">(500)</span>'
    )
    assert "best estimate 500; the claims range from 500 to 1000" in strength
    assert "in 1997" in strength and 'href="#c2"' in strength


def test_group_page_without_strength_claims_has_no_strength(client, db):
    group = make_group(name="Quiet group", slug="quiet")
    assert "<dt>Strength</dt>" not in client.get(group.get_absolute_url()).content.decode()
    assert Group.objects.count() == 1


def test_the_sample_fixtures_rows_are_the_best_estimates_of_its_claims(db):
    """loaddata saves raw (no refresh): the fixture must carry the row's values itself."""
    from io import StringIO

    from django.core.management import call_command

    from reports.models import INCIDENT_FIGURES

    call_command("loaddata", "peru_1997", stdout=StringIO())
    for incident in Incident.objects.prefetch_related("claims"):
        for figure in INCIDENT_FIGURES:
            found = estimate(c for c in incident.claims.all() if c.figure == figure)
            if found is not None:
                assert getattr(incident, figure) == found.best, (incident.slug, figure)
