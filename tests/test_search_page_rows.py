"""The search page's result rows: the data reports/search/rows.py makes of
search_archive's results (texts cut into segments, never markup), the partials that
write them (templates/reports/includes/search_*.html, escaped, the query's words
marked), and the rows search_archive loads for them (search.shown_rows)."""

import datetime
import html as htmllib
import re

import pytest
from django.template.defaultfilters import truncatewords
from django.template.loader import render_to_string
from django.urls import reverse

from reports.models import Country, GroupAlias, Incident, Report, Status
from reports.search import search_archive, shown_rows
from reports.search.rows import (
    IncidentRow,
    ResultRows,
    first_words,
    highlight,
    result_rows,
)
from tests.factories import make_group, make_incident, make_report

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'
# A mark as the page writes it, escaped or not, and the markers the engines put around
# matches internally (control characters, which the importer refuses in a document but
# an edited title may hold): in a text of the archive, all of them are text.
MARKER_LOOKALIKES = "<mark>lima</mark> \x02lima\x03 &lt;mark&gt;"


@pytest.mark.parametrize(
    ("text", "query", "segments"),
    [
        ("Lima and LIMA", "lima", [("Lima", True), (" and ", False), ("LIMA", True)]),
        ("Lima, Peru", "peru lima", [("Lima", True), (", ", False), ("Peru", True)]),
        # Words of one letter are not marked.
        ("a <b>", "a", [("a <b>", False)]),
        ("a <b>", "", [("a <b>", False)]),
        ("", "lima", []),
        # The query's words are searched for as text, never as a pattern or markup.
        ("<b>x</b> b.", "<b> b.", [("<b>", True), ("x</b> ", False), ("b.", True)]),
        ("it's &amp", "&amp 's", [("it", False), ("'s", True), (" ", False), ("&amp", True)]),
        ("lt gt", "lt", [("lt", True), (" gt", False)]),
        (MARKER_LOOKALIKES, "okapi", [(MARKER_LOOKALIKES, False)]),
    ],
)
def test_highlight_cuts_the_text_into_segments_marking_the_query_words(text, query, segments):
    assert highlight(text, tuple(query.split())) == segments
    assert "".join(piece for piece, _is_match in segments) == text


@pytest.mark.parametrize(
    ("text", "query", "expected"),
    [
        ("Lima and LIMA", "lima", "<mark>Lima</mark> and <mark>LIMA</mark>"),
        ("Lima, Peru", "peru lima", "<mark>Lima</mark>, <mark>Peru</mark>"),
        ("a <b>", "a", "a &lt;b&gt;"),
        ("a <b>", "", "a &lt;b&gt;"),
        ("<b>x</b> b.", "<b> b.", "<mark>&lt;b&gt;</mark>x&lt;/b&gt; <mark>b.</mark>"),
        ("it's &amp", "&amp 's", "it<mark>&#39;s</mark> <mark>&amp;amp</mark>"),
        # Matched in the text, not in the entities escaping writes.
        ("lt <gt", "lt", "<mark>lt</mark> &lt;gt"),
        (
            MARKER_LOOKALIKES,
            "lima",
            "&lt;mark&gt;<mark>lima</mark>&lt;/mark&gt; \x02<mark>lima</mark>\x03"
            " &amp;lt;mark&amp;gt;",
        ),
    ],
)
def test_the_row_partial_marks_the_segments_and_escapes_every_piece(text, query, expected):
    row = IncidentRow(
        url="/incidents/x/",
        title=highlight(text, tuple(query.split())),
        date="1 May 1997",
        country_url="/countries/PE/",
        country_name="Peru",
        summary=highlight(text, tuple(query.split())),
    )
    html = render_to_string(
        "reports/includes/search_incident_rows.html",
        {"rows": ResultRows(reports=[], incidents=[row], groups=[])},
    )
    assert f'<a href="/incidents/x/">{expected}</a>' in html
    assert f'<p class="snippet">{expected}</p>' in html


def test_result_rows_are_data_with_the_query_words_in_segments(db):
    report = make_report(body="The okapi passage <b>.")
    incident = make_incident(title="Okapi raid <b>", summary="An okapi, <b>")
    group = make_group(name="Okapi Front", acronym="OF")
    GroupAlias.objects.create(group=group, name="Frente <b> Okapi", language="es")

    rows = result_rows(search_archive("okapi"))

    [report_row] = rows.reports
    assert report_row.url == report.get_absolute_url()
    assert report_row.title == [(report.title, False)]
    assert (report_row.country_name, report_row.year) == ("Peru", report.year)
    assert report_row.country_url == report.country.get_absolute_url()
    assert report_row.passage == [
        ("The ", False),
        ("okapi", True),
        (" passage <b>.", False),
    ]
    assert report_row.paragraph_url == f"{report.get_absolute_url()}#p{report_row.paragraph_number}"
    [incident_row] = rows.incidents
    assert incident_row.url == incident.get_absolute_url()
    assert incident_row.title == [("Okapi", True), (" raid <b>", False)]
    assert incident_row.summary == [("An ", False), ("okapi", True), (", <b>", False)]
    assert incident_row.date == "1 May 1997"
    [group_row] = rows.groups
    assert group_row.name == [("Okapi", True), (" Front (OF)", False)]
    assert group_row.aliases == [[("Frente <b> ", False), ("Okapi", True)]]


def test_hostile_text_everywhere_on_the_page_is_escaped(client, db):
    report = make_report(body=f"The okapi passage {HOSTILE}.")
    Report.objects.filter(pk=report.pk).update(
        title=f"Okapi report {HOSTILE}", slug="okapi-\"<report>'&"
    )
    make_incident(
        title=f"Okapi raid {HOSTILE}", summary=f"Okapi summary {HOSTILE}", slug="raid-\"<x>'&"
    )
    group = make_group(name=f"Okapi Front {HOSTILE}", slug="front-\"<x>'&", acronym="<OF>")
    GroupAlias.objects.create(group=group, name=f"Okapi alias {HOSTILE}", language="en")
    Country.objects.filter(code="PE").update(name=f"Peru {HOSTILE}")

    html = client.get(reverse("reports:search"), {"q": "okapi bold"}).content.decode()

    assert "<script>" not in html and "<b>" not in html and "<OF>" not in html
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;<mark>bold</mark>"
    # Report title, passage; incident title, summary; group name, alias.
    assert html.count(escaped) == 6
    assert html.count("<mark>Okapi</mark>") == 5 and "<mark>okapi</mark>" in html
    assert "(&lt;OF&gt;)" in html
    # The country of the report and of the incident, and the country filter's choice; a
    # country name is not marked.
    assert (
        html.count("Peru &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold") == 3
    )
    # Slugs are quoted into the URLs, which are escaped too.
    assert html.count('href="/reports/okapi-%22%3Creport%3E%27%26/"') == 1
    assert 'href="/reports/okapi-%22%3Creport%3E%27%26/#p1"' in html
    assert 'href="/incidents/raid-%22%3Cx%3E%27%26/"' in html
    assert 'href="/groups/front-%22%3Cx%3E%27%26/"' in html


def test_text_that_looks_like_marks_is_shown_as_text(client, db):
    report = make_report(body="The okapi passage <mark>lima</mark> &lt;mark&gt;.")
    Report.objects.filter(pk=report.pk).update(title=f"Okapi report {MARKER_LOOKALIKES}")
    make_incident(title=f"Okapi raid {MARKER_LOOKALIKES}", summary=f"Okapi {MARKER_LOOKALIKES}")
    group = make_group(name=f"Okapi Front {MARKER_LOOKALIKES}", slug="okapi-front")
    GroupAlias.objects.create(group=group, name=f"Okapi {MARKER_LOOKALIKES}", language="en")
    Country.objects.filter(code="PE").update(name=f"Peru {MARKER_LOOKALIKES}")

    html = client.get(reverse("reports:search"), {"q": "okapi"}).content.decode()

    shown = "&lt;mark&gt;lima&lt;/mark&gt; \x02lima\x03 &amp;lt;mark&amp;gt;"
    # Report title; incident title, summary; group name, alias; the two rows' country;
    # the country filter's choice.
    assert html.count(shown) == 8
    assert (
        "The <mark>okapi</mark> passage &lt;mark&gt;lima&lt;/mark&gt; &amp;lt;mark&amp;gt;." in html
    )
    # The only marks are the query's.
    assert html.count("<mark>") == html.count("<mark>okapi</mark>") + html.count(
        "<mark>Okapi</mark>"
    )
    assert html.count("<mark>") == 6


@pytest.mark.parametrize(
    "query",
    [
        "okapi \"'&<script>",
        '" onfocus="alert(1)',
        "<mark>okapi</mark>",
    ],
)
def test_a_hostile_query_is_escaped_wherever_the_page_shows_it(client, db, query):
    make_incident(title="Okapi raid", summary="okapi")

    html = client.get(reverse("reports:search"), {"q": query}).content.decode()

    assert "<script>" not in html and 'onfocus="' not in html
    assert html.count("<mark>") == html.count("<mark>okapi</mark>") + html.count(
        "<mark>Okapi</mark>"
    )
    escaped = query.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&#34;").replace("'", "&#39;")
    # The page's title; the summary, or "nothing matches".
    assert f"<title>Search: {escaped} ·" in html
    assert f"“{escaped}”" in html
    # The header's search box and the page's: whichever engine writes the widget, the
    # value is one attribute holding the query.
    values = re.findall(r'<input [^>]*name="q" [^>]*value="([^"]*)"', html)
    assert len(values) == 2
    assert all(not set(value) & set("<>'") for value in values)
    assert all(htmllib.unescape(value) == query for value in values)


def test_an_overlong_hostile_query_is_refused_and_escaped(client, db):
    query = '" onfocus="alert(1)<script>' + "x" * 200

    response = client.get(reverse("reports:search"), {"q": query})

    assert response.status_code == 400
    html = response.content.decode()
    assert "<script>" not in html and 'onfocus="' not in html
    assert "at most 200 characters" in html


def test_the_incident_summary_is_cut_after_40_words(client, db):
    words = [f"w{n}" for n in range(45)]
    make_incident(title="Okapi raid", summary="okapi\n" + "  ".join(words))
    make_incident(title="Okapi march", summary="okapi " + " ".join(words[:39]))

    html = client.get(reverse("reports:search"), {"q": "okapi"}).content.decode()

    assert f"<mark>okapi</mark> {' '.join(words[:39])} …</p>" in html
    assert f"<mark>okapi</mark> {' '.join(words[:39])}</p>" in html


def test_each_report_hit_shows_its_own_best_passage(client, db):
    """The passages shown are highlighted in one scan of their rowid range, which holds
    other matching passages too (a report's second best, another report's)."""
    for year in (1990, 1991, 1992):
        make_report(
            title=f"Patterns of Global Terrorism {year} - Peru",
            body=f"Okapi in {year}, once.\n\n"
            f"Okapi okapi okapi in {year}.\n\n"
            f"Okapi and many other words about {year}, roads and harvests.",
        )

    response = client.get(reverse("reports:search"), {"q": "okapi"})
    hits = response.context["results"].reports
    html = response.content.decode()

    assert len(hits) == 3
    for hit in hits:
        assert hit.paragraph.number == 2
        assert hit.paragraph.text == f"Okapi okapi okapi in {hit.report.year}."
        assert hit.snippet == hit.paragraph.text
        assert f"{hit.report.get_absolute_url()}#p2" in html


def test_shown_rows_keep_the_order_asked_and_leave_drafts_out(db):
    first = make_incident(title="First", start_date="1997-05-01")
    second = make_incident(title="Second", start_date="1990-01-31")
    draft = make_incident(title="Draft", status=Status.DRAFT)

    rows = shown_rows(Incident, [second.pk, draft.pk, first.pk, 0])

    assert rows == [second, first]
    assert rows[0].start_date == datetime.date(1990, 1, 31)
    assert rows[0].country.name == "Peru" and rows[0].summary == second.summary
    assert shown_rows(Incident, []) == []


def test_shown_rows_bring_the_fields_shown_and_their_country_in_one_query(
    db, django_assert_num_queries
):
    report = make_report(title="Patterns of Global Terrorism 1999 - Peru")

    with django_assert_num_queries(1):
        [row] = shown_rows(Report, [report.pk])
        assert (row.slug, row.title, row.year) == (report.slug, report.title, 1999)
        assert row.country.name == report.country.name
        assert row.get_absolute_url() == report.get_absolute_url()
    # Other fields are deferred, as with only(): loaded when asked for.
    assert row.sha256 == report.sha256


def test_the_page_shows_the_same_rows_as_search_archive(client, db):
    for n in range(3):
        make_report(title=f"Patterns of Global Terrorism {1990 + n} - Peru", body=f"Okapi {n}.")
        make_incident(title=f"Okapi {n}", start_date=f"199{n}-05-01")

    response = client.get(reverse("reports:search"), {"q": "okapi"})
    html = response.content.decode()
    results = search_archive("okapi")

    positions = [html.index(f'href="{hit.report.get_absolute_url()}"') for hit in results.reports]
    assert positions == sorted(positions) and len(positions) == 3
    positions = [
        html.index(f'href="{incident.get_absolute_url()}"') for incident in results.incidents
    ]
    assert positions == sorted(positions) and len(positions) == 3
    assert html.count("1 May 199") == 3


@pytest.mark.parametrize(
    "text",
    [
        "",
        "one",
        " a  b\n c ",
        "w " * 40,
        "w " * 41,
        "w " * 39 + "…",
        "w " * 40 + "… x",
        "w " * 39 + "… x",
        "x\t" * 45,
    ],
)
def test_first_words_cuts_as_the_truncatewords_filter(text):
    assert first_words(text, 40) == truncatewords(text, 40)
