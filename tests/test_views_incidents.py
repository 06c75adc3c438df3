"""The incident list and incident page: filters, precision of dates, footnotes, sources."""

import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape

from reports.figures import COMPUTE_QUERIES
from reports.filters import MAX_GROUP_SUGGESTIONS
from reports.models import Country, GroupAlias, Organisation, Perpetration, Status
from reports.passages import footnotes
from reports.templatetags.formatting import count_or_unknown, precise_date
from tests.factories import make_citation, make_group, make_incident, make_report

LIST_QUERIES = 9  # incl. the archive version (reports/caching.py)
SUGGEST_QUERIES = 2  # the archive version and the groups
DETAIL_QUERIES = 5  # incl. the archive version and the published figure claims


def titles(response):
    return [incident.title for incident in response.context["page_obj"]]


@pytest.fixture
def hostage_crisis(seed_report):
    mrta = make_group(name="Tupac Amaru Revolutionary Movement", slug="mrta", acronym="MRTA")
    incident = make_incident(
        title="Hostage crisis at the Japanese Ambassador's residence",
        slug="hostage-crisis",
        start_date="1996-12-17",
        end_date="1997-04-22",
        type="hostage_taking",
        city="Lima",
        killed=16,
        hostages=72,
    )
    Perpetration.objects.create(incident=incident, group=mrta)
    make_citation(
        seed_report,
        "Two Peruvian soldiers and all 14 of the MRTA terrorists died in the assault.",
        incident=incident,
        facts=["killed"],
    )
    make_citation(
        seed_report,
        "seized the residence on 17 December 1996",
        incident=incident,
        facts=["start_date", "perpetrators"],
    )
    return incident


# --- template filters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("precision", "shown"),
    [("day", "17 December 1996"), ("month", "December 1996"), ("year", "1996")],
)
def test_precise_date_shows_only_the_known_part(precision, shown):
    assert precise_date(datetime.date(1996, 12, 17), precision) == shown


def test_count_or_unknown_keeps_zero_and_says_unknown_for_none():
    assert count_or_unknown(None) == "unknown"
    assert count_or_unknown(0) == "0"


def test_footnotes_number_citations_from_one_per_fact():
    class Cited:
        def __init__(self, facts):
            self.facts = facts

    assert footnotes([Cited(["killed"]), Cited([]), Cited(["killed", "place"])]) == {
        "killed": [1, 3],
        "place": [3],
    }


# --- list ----------------------------------------------------------------------------


def test_incident_list_shows_published_incidents_only(client, db):
    make_incident(title="Shown")
    make_incident(title="Drafted", status=Status.DRAFT)
    make_incident(title="Reviewed", status=Status.REVIEW)
    response = client.get(reverse("reports:incident-list"))
    assert response.status_code == 200
    assert titles(response) == ["Shown"]
    assert "Drafted" not in response.content.decode()


def test_incident_list_does_not_name_a_draft_perpetrator(client, db):
    incident = make_incident(title="Bombing")
    Perpetration.objects.create(incident=incident, group=make_group(name="Public Front"))
    Perpetration.objects.create(
        incident=incident, group=make_group(name="Hidden Cell", status=Status.DRAFT)
    )
    html = client.get(reverse("reports:incident-list")).content.decode()
    assert "Public Front" in html
    assert "Hidden Cell" not in html and "hidden-cell" not in html


def test_incident_list_names_each_incident_its_own_perpetrators_by_name(client, db):
    first = make_incident(title="First", slug="first", start_date="1997-02-01")
    second = make_incident(title="Second", slug="second", start_date="1997-01-01")
    zeta, alpha = make_group(name="Zeta", slug="zeta"), make_group(name="Alpha", acronym="A")
    Perpetration.objects.create(incident=first, group=zeta)
    Perpetration.objects.create(incident=first, group=alpha)
    Perpetration.objects.create(incident=second, group=zeta, uncertain=True)
    make_incident(title="Third", slug="third", start_date="1996-01-01")

    html = client.get(reverse("reports:incident-list")).content.decode()
    starts = [html.index(f'<a href="/incidents/{slug}/">') for slug in ("first", "second", "third")]
    rows = [html[start : html.index("</li>", start)] for start in starts]

    assert (
        'Perpetrators: <a href="/groups/alpha/">Alpha (A)</a>, <a href="/groups/zeta/">' in rows[0]
    )
    assert 'Perpetrators: <a href="/groups/zeta/">Zeta</a> (suspected) ·' in rows[1]
    assert "Perpetrators: not identified" in rows[2]


def test_incident_list_year_filter_includes_incidents_spanning_the_year(client, hostage_crisis):
    make_incident(title="Later", start_date="1998-03-01")
    url = reverse("reports:incident-list")
    assert titles(client.get(url, {"year": "1997"})) == [hostage_crisis.title]
    assert titles(client.get(url, {"year": "1996"})) == [hostage_crisis.title]
    assert titles(client.get(url, {"year": "1998"})) == ["Later"]


def test_incident_list_date_range_filter(client, db):
    make_incident(title="January", start_date="1997-01-10")
    make_incident(title="June", start_date="1997-06-10")
    make_incident(title="Long", start_date="1996-01-01", end_date="1997-02-01")
    url = reverse("reports:incident-list")
    assert titles(client.get(url, {"start": "1997-01-15", "end": "1997-12-31"})) == ["June", "Long"]
    assert titles(client.get(url, {"end": "1997-01-31"})) == ["January", "Long"]


def test_incident_list_filters_by_country_type_and_group(client, hostage_crisis):
    make_incident(title="Chilean bombing", type="bombing", country=Country.objects.resolve("CL"))
    url = reverse("reports:incident-list")
    assert titles(client.get(url, {"country": "CL"})) == ["Chilean bombing"]
    assert titles(client.get(url, {"type": "hostage_taking"})) == [hostage_crisis.title]
    assert titles(client.get(url, {"group": "mrta"})) == [hostage_crisis.title]


def test_incident_list_casualties_filter_and_sort(client, db):
    make_incident(title="Deadly", killed=5, start_date="1997-01-01")
    make_incident(title="Injuring", injured=12, start_date="1997-02-01")
    make_incident(title="Unknown toll", start_date="1997-03-01")
    url = reverse("reports:incident-list")
    assert titles(client.get(url, {"casualties": "yes", "sort": "-casualties"})) == [
        "Injuring",
        "Deadly",
    ]
    assert titles(client.get(url, {"casualties": "no"})) == ["Unknown toll"]
    assert titles(client.get(url, {"sort": "date"})) == ["Deadly", "Injuring", "Unknown toll"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc"}, "Enter a number."),
        ({"year": "1997.5"}, "no more than 0 decimal places"),
        ({"country": "XX"}, "Select a valid choice."),
        ({"start": "1997-13-45"}, "Enter a valid date."),
        ({"start": "1997-06-01", "end": "1997-01-01"}, "cannot be before its start"),
        ({"type": "picnic"}, "Select a valid choice."),
        ({"group": "no-such-group"}, "No published group is called “no-such-group”"),
        ({"casualties": "maybe"}, "Select a valid choice."),
    ],
)
def test_incident_list_bad_filter_value_shows_the_form_error(client, db, params, message):
    make_incident()
    response = client.get(reverse("reports:incident-list"), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert titles(response) == []
    assert response.context["page_obj"].paginator.count == 0  # not the stored total


def test_incident_list_cannot_filter_by_a_draft_group(client, db):
    draft = make_group(name="Draft Group", status=Status.DRAFT)
    Perpetration.objects.create(incident=make_incident(), group=draft)
    response = client.get(reverse("reports:incident-list"), {"group": draft.slug})
    assert response.status_code == 400
    assert "Draft Group" not in response.content.decode()


def test_incident_list_pagination_keeps_the_filters(client, db):
    for n in range(30):
        make_incident(title=f"Bombing {n:02}", type="bombing")
    make_incident(title="Kidnapping", type="kidnapping")
    url = reverse("reports:incident-list")
    response = client.get(url, {"type": "bombing", "sort": "date"})
    assert response.context["page_obj"].paginator.count == 30
    assert 'href="?type=bombing&amp;sort=date&amp;page=2"' in response.content.decode()
    second = client.get(url, {"type": "bombing", "sort": "date", "page": "2"})
    assert len(second.context["page_obj"]) == 5


def test_incident_list_footer_carries_the_disclaimers_of_cited_reports(client, hostage_crisis):
    html = client.get(reverse("reports:incident-list")).content.decode()
    footer = html[html.index("<footer") :]
    assert "This is not a UNHCR publication." in footer


@pytest.mark.parametrize("rows", [1, 30])
def test_incident_list_makes_a_fixed_number_of_queries(
    client, seed_report, django_assert_max_num_queries, rows
):
    group = make_group(name="MRTA")
    for n in range(rows):
        incident = make_incident(title=f"Incident {n}")
        Perpetration.objects.create(incident=incident, group=group)
        make_citation(seed_report, "Nestor Cerpa Cartolini", incident=incident)
    # The first request after a change stores the filter's choices (1 figure).
    with django_assert_max_num_queries(LIST_QUERIES + 1 * (1 + COMPUTE_QUERIES)):
        client.get(reverse("reports:incident-list"), {"group": "mrta", "country": "PE"})
    cache.clear()  # the page itself would come from the page cache
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("reports:incident-list"), {"group": "mrta", "country": "PE"})
    assert len(response.context["page_obj"]) == min(rows, 25)


def test_incident_list_pages_spanning_incidents_in_date_order_both_ways(client, db):
    """The year filter's two parts (starts in the year, began before and runs into it)
    come out as one list in date order, on every page and in both directions."""
    for n in range(30):
        make_incident(title=f"In 1997 {n:02}", start_date=f"1997-{n % 12 + 1:02}-{n % 28 + 1:02}")
    make_incident(title="From 1996", start_date="1996-11-01", end_date="1997-02-01")
    make_incident(title="From 1995", start_date="1995-06-01", end_date="1998-01-01")
    make_incident(title="Ended 1996", start_date="1996-01-01", end_date="1996-12-31")
    make_incident(title="In 1998", start_date="1998-01-01")
    url = reverse("reports:incident-list")

    def all_pages(params):
        first = client.get(url, params)
        pages = first.context["page_obj"].paginator.num_pages
        rows = list(first.context["page_obj"])
        for number in range(2, pages + 1):
            rows += list(client.get(url, {**params, "page": number}).context["page_obj"])
        return rows

    latest = all_pages({"year": "1997"})
    assert len(latest) == 32
    assert [i.title for i in latest[-2:]] == ["From 1996", "From 1995"]
    assert [i.start_date for i in latest] == sorted((i.start_date for i in latest), reverse=True)
    earliest = all_pages({"year": "1997", "sort": "date"})
    assert earliest == latest[::-1]  # ties broken by key, so exactly reversed
    assert {i.title for i in all_pages({"start": "1997-01-15"})} == {
        *(i.title for i in latest if i.title != "From 1996" and i.start_date.month > 1),
        *(i.title for i in latest if i.start_date.month == 1 and i.start_date.day >= 15),
        "From 1996",
        "From 1995",
        "In 1998",
    }


def test_incident_list_ties_on_a_date_are_broken_by_key(client, db):
    first = make_incident(title="Zulu", start_date="1997-05-01")
    second = make_incident(title="Alpha", start_date="1997-05-01")
    url = reverse("reports:incident-list")
    assert titles(client.get(url)) == [first.title, second.title]
    assert titles(client.get(url, {"sort": "date"})) == [second.title, first.title]


def test_incident_list_out_of_range_page_shows_the_last_page(client, db):
    for n in range(30):
        make_incident(title=f"Bombing {n:02}", start_date=f"1997-01-{n % 28 + 1:02}")
    response = client.get(reverse("reports:incident-list"), {"page": "999"})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 2 and len(response.context["page_obj"]) == 5


def test_incident_list_unfiltered_count_is_the_stored_figure(client, db):
    make_incident(title="One")
    url = reverse("reports:incident-list")
    client.get(url)  # the first request after a change stores the figures
    cache.clear()  # the page itself would come from the page cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.context["page_obj"].paginator.count == 1
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]
    make_incident(title="Two")  # a change: the very next page counts it
    assert client.get(url).context["page_obj"].paginator.count == 2
    assert client.get(url, {"sort": "date"}).context["page_obj"].paginator.count == 2
    assert client.get(url, {"country": "PE"}).context["page_obj"].paginator.count == 2


# --- the group filter ----------------------------------------------------------------


@pytest.fixture
def fronts(db):
    """Two groups whose names share a word, one with an alias, and a draft."""
    popular = make_group(name="Popular Front", slug="popular-front", acronym="PF")
    GroupAlias.objects.create(group=popular, name="Frente Popular", language="es")
    people = make_group(name="People's Front", slug="peoples-front")
    draft = make_group(name="Secret Front", slug="secret-front", status=Status.DRAFT)
    for group in (popular, people, draft):
        Perpetration.objects.create(incident=make_incident(title=f"By {group.name}"), group=group)
    return popular, people


@pytest.mark.parametrize(
    "text",
    [
        "popular-front",
        "Popular Front",
        "popular front",
        "PF",
        "pf",
        "Frente Popular",
        "Popular Front (PF)",
        "Popul",
    ],
)
def test_incident_list_group_by_slug_name_acronym_alias_or_unique_part(client, fronts, text):
    response = client.get(reverse("reports:incident-list"), {"group": text})
    assert response.status_code == 200
    assert titles(response) == ["By Popular Front"]
    html = response.content.decode()
    assert 'id="id_group_helptext">Chosen: Popular Front (PF).</p>' in html
    assert 'aria-describedby="id_group_helptext"' in html


@pytest.mark.parametrize("text", ["Front", "front"])
def test_incident_list_group_matching_several_is_a_400_naming_them(client, fronts, text):
    response = client.get(reverse("reports:incident-list"), {"group": text})
    assert response.status_code == 400
    assert titles(response) == []
    html = response.content.decode()
    assert "matches several groups; enter one of these:" in html
    assert "popular-front (Popular Front (PF))" in html
    assert "peoples-front (People&#39;s Front)" in html
    assert "Secret Front" not in html and "secret-front" not in html  # a draft never shows


def test_incident_list_group_matching_none_is_a_400(client, fronts):
    for text in ("Nobody", "Secret Front", "secret-front"):
        response = client.get(reverse("reports:incident-list"), {"group": text})
        assert response.status_code == 400
        assert f"No published group is called “{text}”" in response.content.decode()


def test_incident_list_group_text_is_escaped_and_bounded(client, fronts):
    url = reverse("reports:incident-list")
    response = client.get(url, {"group": "<script>alert(1)</script>"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert client.get(url, {"group": "x" * 201}).status_code == 400
    assert client.get(url, {"group": "a\x00b"}).status_code == 400


def test_incident_list_page_does_not_grow_with_the_groups(client, db):
    make_incident(title="Unattributed")
    url = reverse("reports:incident-list")
    before = client.get(url).content.decode()
    for n in range(40):
        make_group(name=f"Extra Group {n:02}")
    html = client.get(url).content.decode()
    assert "Extra Group" not in html
    assert abs(len(html) - len(before)) < 40  # an <option> each would be 40 x 50 bytes
    assert '<select id="id_group"' not in html
    assert re.search(r'<input [^>]*data-suggest="/groups/suggest.json"[^>]*id="id_group"', html)


def test_incident_list_loads_the_suggestion_script_from_a_file(client, db):
    html = client.get(reverse("reports:incident-list")).content.decode()
    assert re.search(r'<script src="[^"]*js/group-suggest[^"]*\.js" defer></script>', html)


def test_group_suggestions_are_published_matches_names_first(client, fronts):
    make_group(name="United Front for Popular Action", slug="ufpa")
    response = client.get(reverse("reports:group-suggest"), {"q": "popular"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "groups": [
            {"slug": "popular-front", "label": "Popular Front (PF)"},  # starts with it
            {"slug": "ufpa", "label": "United Front for Popular Action"},
        ]
    }
    front = client.get(reverse("reports:group-suggest"), {"q": "FRONT"}).json()["groups"]
    assert [g["slug"] for g in front] == ["peoples-front", "popular-front", "ufpa"]
    alias = client.get(reverse("reports:group-suggest"), {"q": "frente"}).json()["groups"]
    assert [g["slug"] for g in alias] == ["popular-front"]


def test_group_suggestions_are_bounded_and_escaped(client, db, django_assert_max_num_queries):
    for n in range(MAX_GROUP_SUGGESTIONS + 5):
        make_group(name=f"<b>Cell</b> & Co {n:02}", slug=f"cell-{n:02}")
    with django_assert_max_num_queries(SUGGEST_QUERIES):
        response = client.get(reverse("reports:group-suggest"), {"q": "cell"})
    body = response.content.decode()
    assert "<b>" not in body and "&" not in body and "\\u003cb\\u003eCell" in body
    groups = json.loads(body)["groups"]
    assert len(groups) == MAX_GROUP_SUGGESTIONS
    assert groups[0]["label"] == "<b>Cell</b> & Co 00"


# A NUL byte never reaches the view (tests/test_nul_bytes.py).
@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 201}])
def test_group_suggestions_refuse_bad_input_with_a_400(client, db, params):
    response = client.get(reverse("reports:group-suggest"), params)
    assert response.status_code == 400
    assert "q" in response.json()["errors"]


# --- detail --------------------------------------------------------------------------


def test_incident_page_shows_facts_at_their_precision(client, hostage_crisis):
    hostage_crisis.end_precision = "month"
    hostage_crisis.save()
    html = client.get(hostage_crisis.get_absolute_url()).content.decode()
    assert "17 December 1996" in html
    assert "April 1997" in html and "22 April 1997" not in html
    assert "<dt>Injured</dt><dd>not given" in html
    assert "<dt>Killed</dt><dd>16" in html
    assert 'href="/groups/mrta/">Tupac Amaru Revolutionary Movement (MRTA)</a>' in html


def test_incident_page_footnotes_link_figures_to_their_citation(client, hostage_crisis):
    html = client.get(hostage_crisis.get_absolute_url()).content.decode()
    # Citations are numbered in paragraph order: the 17 December quote (¶1) is 1.
    assert '<dt>Killed</dt><dd>16<sup class="footnote-ref"><a href="#c2"' in html
    assert 'id="c1"' in html and 'id="c2"' in html


def test_incident_page_quotes_each_citation_with_a_link_to_its_paragraph(client, hostage_crisis):
    html = client.get(hostage_crisis.get_absolute_url()).content.decode()
    assert "<blockquote" in html
    assert "Two Peruvian soldiers and all 14 of the MRTA terrorists died in the assault." in html
    assert 'href="/reports/patterns-of-global-terrorism-1997-peru/#p2"' in html
    assert 'href="/reports/patterns-of-global-terrorism-1997-peru/#p1"' in html


def test_incident_page_has_one_provenance_entry_and_disclaimer_per_source(client, hostage_crisis):
    other = make_report(body="The crisis ended in April.", disclaimer="Second caveat.")
    make_citation(other, "The crisis ended in April.", incident=hostage_crisis)
    html = client.get(hostage_crisis.get_absolute_url()).content.decode()
    assert html.count('<dl class="provenance__source">') == 2
    assert other.sha256 in html
    assert html.count("Disclaimer of the source document") == 2
    assert "This is not a UNHCR publication." in html and "Second caveat." in html


def test_incident_page_ignores_citations_of_draft_reports(client, hostage_crisis):
    draft = make_report(body="A draft account.", disclaimer="Draft caveat.", status=Status.DRAFT)
    make_citation(draft, "A draft account.", incident=hostage_crisis)
    html = client.get(hostage_crisis.get_absolute_url()).content.decode()
    assert "A draft account." not in html
    assert "Draft caveat." not in html and draft.sha256 not in html


def test_incident_page_does_not_show_a_draft_perpetrator(client, hostage_crisis):
    Perpetration.objects.create(
        incident=hostage_crisis, group=make_group(name="Secret Cell", status=Status.REVIEW)
    )
    html = client.get(hostage_crisis.get_absolute_url()).content.decode()
    assert "Secret Cell" not in html and "secret-cell" not in html


def test_incident_page_cites_the_archive_entry(client, hostage_crisis):
    hostage_crisis.status_changed_at = datetime.datetime(2026, 3, 5, tzinfo=datetime.UTC)
    hostage_crisis.save()
    today = timezone.localdate().strftime("%-d %B %Y")
    html = client.get(hostage_crisis.get_absolute_url()).content.decode()
    assert (
        "Political Violence Report Archive, <i>Hostage crisis at the Japanese Ambassador&#39;s "
        "residence</i>, 5 March 2026, available at: http://testserver/incidents/hostage-crisis/ "
        f"[accessed {today}]"
    ) in html
    assert "This entry: published" in html


def test_draft_incident_page_is_not_found(client, db):
    for status in (Status.DRAFT, Status.REVIEW):
        incident = make_incident(title=f"Incident {status}", status=status)
        assert client.get(incident.get_absolute_url()).status_code == 404


def test_incident_text_is_escaped(client, db):
    incident = make_incident(title="<script>alert(1)</script>", slug="x", summary="<b>bold</b>")
    html = client.get(incident.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("rows", [1, 30])
def test_incident_page_makes_a_fixed_number_of_queries(
    client, db, django_assert_max_num_queries, rows
):
    incident = make_incident()
    for n in range(rows):
        report = make_report(
            title=f"Patterns of Global Terrorism {1960 + n} - Peru", body=f"Passage {n}."
        )
        make_citation(report, f"Passage {n}.", incident=incident, facts=["killed"])
        Perpetration.objects.create(incident=incident, group=make_group(name=f"Group {n}"))
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(incident.get_absolute_url())
    assert len(response.context["sources"]) == rows


def test_list_and_timeline_rows_escape_every_text_they_show(client, db):
    hostile = '<img src=x onerror="alert(1)">'
    group = make_group(name=f"G {hostile}", acronym="<b>", slug="g")
    incident = make_incident(
        title=f"T {hostile}", slug="t", city=f"C {hostile}", region=f"R {hostile}", killed=1
    )
    Perpetration.objects.create(incident=incident, group=group, uncertain=True)
    for url in (reverse("reports:incident-list"), group.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "<img" not in html and "<b>" not in html
        assert f"T {escape(hostile)}" in html
    html = client.get(reverse("reports:incident-list")).content.decode()
    assert f"C {escape(hostile)}, R {escape(hostile)}, " in html
    assert f'<a href="/groups/g/">G {escape(hostile)} (&lt;b&gt;)</a> (suspected)' in html
    assert "killed 1, injured unknown" in html
    GroupAlias.objects.create(group=group, name=f"A {hostile}")
    html = client.get(reverse("reports:group-list")).content.decode()
    assert "<img" not in html and f"also known as A {escape(hostile)}</span>" in html
    report = make_report(title="Patterns of Global Terrorism 1997 - Peru")
    report.publisher = Organisation.objects.create(name=f"P {hostile}")
    report.save()
    html = client.get(reverse("reports:report-list")).content.decode()
    assert "<img" not in html and f" · P {escape(hostile)}</span>" in html


@pytest.mark.parametrize("kind", ["incident", "group", "report"])
def test_source_blocks_escape_every_text_they_show(client, db, django_user_model, kind):
    """Quoted passages, provenance, disclaimers, the report's paragraphs and the "Cite
    this" line (templates/reports/includes/) escape every text they show."""
    hostile = "<script>x</script> & \"q\" 'a'"
    escaped = "&lt;script&gt;x&lt;/script&gt; &amp; &#34;q&#34; &#39;a&#39;"
    editor = django_user_model.objects.create(username=f"{hostile}editor")
    report = make_report(
        title=f"Patterns {hostile} 1998 - Peru",
        body=f"Before {hostile} after.",
        disclaimer=f"Disclaimer {hostile}",
        source_filename=f"{hostile}.txt",
        import_method=f"Method {hostile}",
        imported_by=editor,
        status_changed_by=editor,
        status_changed_at=timezone.now(),
        publisher=Organisation.objects.create(name=f"Publisher {hostile}"),
        republisher=Organisation.objects.create(name=f"Republisher {hostile}"),
    )
    incident = make_incident(
        title=f"Incident {hostile}",
        slug="incident",
        status_changed_by=editor,
        status_changed_at=timezone.now(),
    )
    group = make_group(
        name=f"Group {hostile}",
        slug="group",
        acronym=hostile,  # an acronym holds 30 characters
        status_changed_by=editor,
        status_changed_at=timezone.now(),
    )
    subject = {"incident": incident, "group": group, "report": incident}[kind]
    make_citation(
        report,
        hostile,
        paragraph=report.paragraphs.get(),
        note=f"Note {hostile}",
        facts=["killed"],
        **{("group" if subject is group else "incident"): subject},
    )
    url = (report if kind == "report" else subject).get_absolute_url()
    html = client.get(url).content.decode()
    assert "<script>x" not in html
    for text in (
        f"Patterns {escaped} 1998 - Peru",  # provenance, disclaimer, quotes, cite this
        f"Disclaimer {escaped}",
        f"{escaped}.txt",
        f"Method {escaped}",
        f"{escaped}editor",
        f"Publisher {escaped}",
        f"Republisher {escaped}",
    ):
        assert text in html, text
    if kind == "report":
        assert (
            f'<span lang="en">Before </span><mark class="cited" lang="en">{escaped}</mark>'
            '<sup class="marker">'
        ) in html
        assert f'<a class="cited-by" href="/incidents/incident/">Incident {escaped}</a>' in html
        assert f'Publisher {escaped}, <i lang="en">Patterns {escaped} 1998 - Peru</i>' in html
    else:
        assert f'<p lang="en">{escaped}</p></blockquote>' in html
        assert f"Editor's note: Note {escaped}" in html
        assert f"Political Violence Report Archive, <i>{kind.title()} {escaped}" in html
        assert f"by {escaped}editor." in html  # the entry's reviewer
