"""search_archive and the search page: what is found, in what order, and what never is."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports.models import GroupAlias, Leader, Status
from reports.search import SearchResults, search_archive, snippet_of
from tests.factories import make_citation, make_group, make_incident, make_report

HOSTAGE_CRISIS = "japanese-ambassadors-residence-hostage-crisis-lima"


@pytest.fixture
def peru_1997(db):
    call_command("loaddata", "peru_1997", stdout=StringIO())


@pytest.mark.parametrize("query", ["Cerpa", "ambassador", "AMBASSADOR's residence"])
def test_search_finds_the_hostage_crisis(peru_1997, query):
    results = search_archive(query)
    assert HOSTAGE_CRISIS in [incident.slug for incident in results.incidents]


def test_search_for_cerpa_finds_the_report_passage_and_the_mrta(peru_1997):
    results = search_archive("Cerpa")
    [hit] = results.reports
    assert hit.paragraph.number == 1
    assert "Nestor Cerpa Cartolini" in hit.snippet
    assert not hit.title_match
    assert [group.slug for group in results.groups] == ["mrta"]


def test_search_ranks_a_title_match_above_a_body_match(db):
    make_report(title="Patterns of Global Terrorism 1999 - Peru", body="Nothing of note.")
    make_report(title="Patterns of Global Terrorism 2001 - Peru", body="Unlike Chile in 1999.")
    hits = search_archive("1999").reports
    assert [(hit.report.year, hit.title_match) for hit in hits] == [(1999, True), (2001, False)]
    assert hits[0].paragraph is None and hits[1].paragraph.number == 1


def test_search_requires_every_word(peru_1997):
    assert search_archive("Cerpa residence").incidents
    assert not search_archive("Cerpa Guzman").incidents


def test_search_finds_a_group_by_alias_and_by_leader(db):
    group = make_group(name="Shining Path")
    GroupAlias.objects.create(group=group, name="Sendero Luminoso", language="es")
    Leader.objects.create(group=group, name="Abimael Guzman")
    assert search_archive("luminoso").groups == [group]
    assert search_archive("guzman").groups == [group]


def test_search_never_returns_drafts(db):
    make_report(body="The word zanzibar.", status=Status.DRAFT)
    make_incident(title="Zanzibar raid", status=Status.DRAFT)
    make_group(name="Zanzibar Front", status=Status.REVIEW)
    assert not search_archive("zanzibar")


def test_search_ignores_passages_of_draft_reports(db):
    draft = make_report(body="The zanzibar passage.", status=Status.DRAFT)
    make_citation(draft, "The zanzibar passage.", incident=make_incident(title="Quiet"))
    assert search_archive("zanzibar").incidents == []


def test_search_finds_an_incident_through_its_cited_passage(db):
    report = make_report(body="The zanzibar passage.")
    incident = make_incident(title="Quiet")
    make_citation(report, "The zanzibar passage.", incident=incident)
    assert search_archive("zanzibar").incidents == [incident]


def test_blank_query_returns_nothing_without_a_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        results = search_archive("   ")
    assert results == SearchResults(query="   ")
    assert not results


def test_search_respects_the_limit(db):
    for n in range(5):
        make_group(name=f"Front {n}")
    assert len(search_archive("front", limit=3).groups) == 3


def test_snippet_is_cut_around_the_first_match_at_word_boundaries():
    text = " ".join(f"word{n}" for n in range(200)) + " needle " + "tail " * 50
    snippet = snippet_of(text, ["needle"], width=60)
    assert "needle" in snippet
    assert snippet.startswith("…word") and snippet.endswith("…")
    assert len(snippet) <= 62
    assert snippet_of("short text", ["x"]) == "short text"


# --- the page ---------------------------------------------------------------------


def test_search_page_groups_results_by_kind(client, peru_1997):
    response = client.get(reverse("reports:search"), {"q": "Cerpa"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="report-results">Reports</h2>' in html
    assert '<h2 id="incident-results">Incidents</h2>' in html
    assert '<h2 id="group-results">Groups</h2>' in html
    assert f'href="/incidents/{HOSTAGE_CRISIS}/"' in html
    assert 'href="/reports/patterns-of-global-terrorism-1997-peru/#p1"' in html
    assert "Nestor <mark>Cerpa</mark> Cartolini" in html
    assert "<title>Search: Cerpa ·" in html


def test_search_page_without_a_query_shows_the_form(client, db):
    response = client.get(reverse("reports:search"), {"q": "  "})
    assert response.status_code == 200
    assert response.context["results"] is None
    assert '<label for="id_q">' in response.content.decode()


def test_search_page_refuses_an_overlong_query(client, db):
    response = client.get(reverse("reports:search"), {"q": "x" * 201})
    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()


def test_search_page_says_when_nothing_matches(client, db):
    response = client.get(reverse("reports:search"), {"q": "nothing-here"})
    assert "Nothing published matches “nothing-here”." in response.content.decode()


def test_search_page_escapes_document_text_and_the_query(client, db):
    make_report(body="Before <script>alert(1)</script> after.")
    html = client.get(reverse("reports:search"), {"q": "<script>alert"}).content.decode()
    assert "<script>" not in html
    assert "&lt;<mark>script</mark>&gt;<mark>alert</mark>(1)" in html


@pytest.mark.parametrize("rows", [1, 30])
def test_search_page_makes_a_fixed_number_of_queries(
    client, db, django_assert_max_num_queries, rows
):
    for n in range(rows):
        make_report(title=f"Patterns of Global Terrorism {1960 + n} - Peru", body=f"Zebra {n}.")
        make_incident(title=f"Zebra {n}")
        group = make_group(name=f"Zebra {n}")
        GroupAlias.objects.create(group=group, name=f"Z{n}")
    client.get(reverse("reports:search"), {"q": "warm"})  # the form's choices, group names
    # The archive version; the choices of country, series, publisher and language
    # (stored figures, one query); on SQLite, whether it has the search tables, on PostgreSQL,
    # which words are not stop words; the count of each kind; reports and their rows;
    # incident ids and rows; group ids, rows and aliases; the disclaimers behind them.
    with django_assert_max_num_queries(15):
        response = client.get(reverse("reports:search"), {"q": "zebra"})
        html = response.content.decode()
    results = response.context["results"]
    assert len(results.reports) == len(results.incidents) == len(results.groups) == min(rows, 20)
    assert html.count("<mark>Zebra</mark>") == 3 * min(rows, 20)
    assert "Also known as Z0" in html


def test_search_results_show_the_disclaimers_of_the_reports_behind_them(client, db):
    found = make_report(
        title="Patterns of Global Terrorism 1996 - Peru", body="Zebra report.", disclaimer="D1"
    )
    behind = make_report(
        title="Patterns of Global Terrorism 1995 - Peru", body="Lion crossing.", disclaimer="D2"
    )
    make_report(title="Patterns of Global Terrorism 1994 - Peru", body="Nothing.", disclaimer="D3")
    incident = make_incident(title="Zebra crossing")
    make_citation(behind, "Lion crossing", incident=incident)
    response = client.get(reverse("reports:search"), {"q": "zebra"})
    assert sorted(d.text for d in response.context["disclaimers"]) == ["D1", "D2"]
    assert found.disclaimer in response.content.decode()
    # No results, no disclaimers.
    response = client.get(reverse("reports:search"), {"q": "okapi"})
    assert response.context["disclaimers"] == []
