"""The report list and report page: filters, pagination, marked passages, provenance."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.figures import COMPUTE_QUERIES
from reports.models import Country, Organisation, Status
from reports.passages import (
    Mark,
    MarkedParagraph,
    Segment,
    find_spans,
    mark_passages,
    marked_paragraphs,
)
from tests.factories import make_citation, make_group, make_incident, make_report, make_user

LIST_QUERIES = 5  # incl. the archive version (reports/caching.py) and the choices (one query)
DETAIL_QUERIES = 4  # incl. the archive version (reports/caching.py)


def make_reports(count, country="PE", **kwargs):
    """`count` published reports with distinct titles (one per year from 1960)."""
    name = Country.objects.resolve(country).name
    return [
        make_report(title=f"Patterns of Global Terrorism {1960 + i} - {name}", **kwargs)
        for i in range(count)
    ]


# --- mark_passages: the quoted stretches of a paragraph, as segments ----------------


def test_mark_passages_marks_the_quote_and_keeps_its_links():
    segments = mark_passages(
        "<b>x</b> said <i>hi</i>", [Mark("said <i>hi</i>", [("/i/1/", "A&B")])]
    )
    assert segments == [
        Segment("<b>x</b> "),
        Segment("said <i>hi</i>", marked=True, links=(("/i/1/", "A&B"),), number=1),
    ]


def test_mark_passages_matches_a_quote_across_a_line_break():
    segments = mark_passages(
        "seized the\n  residence on 17 December", [Mark("the residence on", [])]
    )
    assert Segment("the\n  residence on", marked=True, number=1) in segments


def test_mark_passages_merges_overlapping_quotes_and_keeps_both_links():
    marks = [Mark("one two three", [("/a/", "A")]), Mark("three four", [("/b/", "B")])]
    segments = mark_passages("zero one two three four five", marks)
    assert segments == [
        Segment("zero "),
        Segment("one two three four", marked=True, links=(("/a/", "A"), ("/b/", "B")), number=1),
        Segment(" five"),
    ]


def test_mark_passages_leaves_a_quote_that_does_not_occur_unmarked():
    assert mark_passages("plain <text>", [Mark("absent", [("/x/", "X")])]) == [
        Segment("plain <text>")
    ]


def render_paragraph(number, text, marks):
    paragraphs = [MarkedParagraph(number, mark_passages(text, marks))]
    return render_to_string("reports/includes/paragraphs.html", {"paragraphs": paragraphs})


def test_paragraph_partial_escapes_text_around_and_inside_the_mark_and_its_links():
    html = render_paragraph(
        2,
        '<b>x</b> said <i>hi</i> & "more"',
        [Mark("said <i>hi</i>", [('/i/1/?a=1&b="2"', "A&B <script>")])],
    )
    assert html.strip().startswith(
        '<p class="para" id="p2"><a class="para-anchor" href="#p2"'
        ' aria-label="Link to paragraph 2">¶2</a> &lt;b&gt;x&lt;/b&gt; '
        '<mark class="cited">said &lt;i&gt;hi&lt;/i&gt;</mark>'
        '<sup class="marker"><a id="passage-1" href="#passage-1-entries"'
        ' aria-label="Passage 1: the entries quoting it">1</a></sup>'
        " &amp; &#34;more&#34;</p>"
    )
    assert (
        '<li id="passage-1-entries"><a class="passage-entries__number" href="#passage-1"'
        ' aria-label="Back to passage 1">1</a> '
        '<a class="cited-by" href="/i/1/?a=1&amp;b=&#34;2&#34;">A&amp;B &lt;script&gt;</a></li>'
    ) in html


def test_passages_are_numbered_through_the_report_and_listed_under_their_paragraph():
    paragraphs = [
        SimpleNamespace(pk=1, number=1, text="Alpha beta. Gamma delta."),
        SimpleNamespace(pk=2, number=2, text="No quote here."),
        SimpleNamespace(pk=3, number=3, text="Epsilon zeta."),
    ]
    marks = {
        1: [Mark("Alpha beta", [("/a/", "A")]), Mark("Gamma delta", [("/b/", "B")])],
        3: [Mark("zeta", [("/a/", "A"), ("/c/", "C")])],
    }
    marked = marked_paragraphs(paragraphs, marks)
    assert [[s.number for s in p.passages] for p in marked] == [[1, 2], [], [3]]
    html = render_to_string("reports/includes/paragraphs.html", {"paragraphs": marked})
    assert html.count('<sup class="marker">') == 3
    assert html.count('class="passage-entries"') == 2  # none under a paragraph citing nothing
    assert 'aria-label="Entries drawn from paragraph 3"' in html
    assert (
        '<li id="passage-3-entries"><a class="passage-entries__number" href="#passage-3"'
        ' aria-label="Back to passage 3">3</a> '
        '<a class="cited-by" href="/a/">A</a>; <a class="cited-by" href="/c/">C</a></li>'
    ) in html


def test_paragraph_partial_writes_one_mark_for_overlapping_quotes():
    marks = [Mark("one two three", [("/a/", "A")]), Mark("three four", [("/b/", "B")])]
    html = render_paragraph(1, "zero one two three four five", marks)
    assert html.count("<mark") == 1
    assert '<mark class="cited">one two three four</mark>' in html
    assert 'href="/a/"' in html and 'href="/b/"' in html


def test_find_spans_ignores_empty_quotes():
    assert find_spans("some text", ["  ", "text"]) == [[5, 9, [1]]]


# --- list ------------------------------------------------------------------------


def test_report_list_shows_published_reports_only(client, db):
    make_report(title="Patterns of Global Terrorism 1998 - Peru")
    make_report(title="Patterns of Global Terrorism 1999 - Peru", status=Status.DRAFT)
    make_report(title="Patterns of Global Terrorism 2000 - Peru", status=Status.REVIEW)
    response = client.get(reverse("reports:report-list"))
    assert response.status_code == 200
    assert [r.title for r in response.context["page_obj"]] == [
        "Patterns of Global Terrorism 1998 - Peru"
    ]
    assert "1999" not in response.content.decode()
    assert "2000" not in response.content.decode()


def test_report_list_filters_by_country_year_series_and_publisher(client, db):
    make_reports(2)
    chile = make_report(title="Country Reports 1999 - Chile")
    state = Organisation.objects.get(name="United States Department of State")
    url = reverse("reports:report-list")

    by_country = client.get(url, {"country": "CL"}).context["page_obj"]
    assert [r.pk for r in by_country] == [chile.pk]
    by_year = client.get(url, {"year": "1961"}).context["page_obj"]
    assert [r.year for r in by_year] == [1961]
    by_series = client.get(url, {"series": "Country Reports"}).context["page_obj"]
    assert [r.pk for r in by_series] == [chile.pk]
    by_publisher = client.get(url, {"publisher": state.name}).context["page_obj"]
    assert {r.year for r in by_publisher} == {1960, 1961}


def test_report_list_series_and_publisher_choices_come_from_published_reports(client, db):
    other = Organisation.objects.create(name="Another Publisher")
    hidden = Organisation.objects.create(name="Hidden Publisher")
    make_reports(2, series="Zeta Series")
    make_report(title="Country Reports 1999 - Chile", series="Alpha Series", publisher=other)
    make_report(title="Country Reports 1999 - Peru", series="Alpha Series")
    make_report(
        title="Country Reports 2000 - Peru",
        series="Draft Series",
        publisher=hidden,
        status=Status.DRAFT,
    )
    form = client.get(reverse("reports:report-list")).context["filter"].form
    # One entry per series, in order, drafts' series left out (a loose index scan).
    assert [value for value, _label in form.fields["series"].choices] == [
        "",
        "Alpha Series",
        "Zeta Series",
    ]
    assert [value for value, _label in form.fields["publisher"].choices] == [
        "",
        "Another Publisher",
        "United States Department of State",
    ]


def test_report_list_unfiltered_count_is_the_stored_figure(client, db):
    make_reports(2)
    url = reverse("reports:report-list")
    client.get(url)  # the first request after a change stores the figures
    cache.clear()  # the page itself would come from the page cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"sort": "title"})
    assert response.context["page_obj"].paginator.count == 2
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]
    make_report(title="Country Reports 1999 - Chile", status=Status.DRAFT)
    assert client.get(url).context["page_obj"].paginator.count == 2
    make_reports(1, country="CL")
    assert client.get(url).context["page_obj"].paginator.count == 3


def test_report_list_text_filter_matches_title_and_body(client, db):
    make_report(title="Patterns of Global Terrorism 1998 - Peru", body="Bombs in Ayacucho.")
    make_report(title="Patterns of Global Terrorism 1999 - Peru", body="Quiet year.")
    url = reverse("reports:report-list")
    assert [r.year for r in client.get(url, {"q": "ayacucho"}).context["page_obj"]] == [1998]
    assert [r.year for r in client.get(url, {"q": "1999"}).context["page_obj"]] == [1999]


def test_report_list_sorts_by_title_or_oldest_year(client, db):
    make_report(title="Patterns of Global Terrorism 1998 - Peru")
    make_report(title="Country Reports 1999 - Chile")
    url = reverse("reports:report-list")
    default = [r.year for r in client.get(url).context["page_obj"]]
    oldest = [r.year for r in client.get(url, {"sort": "year"}).context["page_obj"]]
    by_title = [r.title[:7] for r in client.get(url, {"sort": "title"}).context["page_obj"]]
    assert default == [1999, 1998]
    assert oldest == [1998, 1999]
    assert by_title == ["Country", "Pattern"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc"}, "Enter a number."),
        ({"country": "ZZ"}, "Select a valid choice."),
        ({"series": "<script>"}, "Select a valid choice."),
        ({"sort": "password"}, "Select a valid choice."),
    ],
)
def test_report_list_bad_filter_value_shows_the_form_error(client, db, params, message):
    make_report()
    response = client.get(reverse("reports:report-list"), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(response.context["page_obj"]) == []
    assert "<script>" not in response.content.decode()


def test_report_list_country_choices_are_countries_with_published_reports(client, db):
    make_report(title="Country Reports 1999 - Chile", status=Status.DRAFT)
    make_report(title="Patterns of Global Terrorism 1998 - Peru")
    field = client.get(reverse("reports:report-list")).context["filter"].form.fields["country"]
    assert [code for code, _name in field.choices if code] == ["PE"]


def test_report_list_pagination_keeps_the_filters(client, db):
    make_reports(30)
    make_report(title="Country Reports 1999 - Chile")
    response = client.get(reverse("reports:report-list"), {"country": "PE", "sort": "year"})
    page = response.context["page_obj"]
    assert len(page) == 25 and page.paginator.count == 30
    assert 'href="?country=PE&amp;sort=year&amp;page=2"' in response.content.decode()

    second = client.get(
        reverse("reports:report-list"), {"country": "PE", "sort": "year", "page": 2}
    )
    assert [r.year for r in second.context["page_obj"]] == list(range(1985, 1990))
    assert 'href="?country=PE&amp;sort=year&amp;page=1"' in second.content.decode()


def test_report_list_out_of_range_page_shows_the_last_page(client, db):
    make_reports(2)
    response = client.get(reverse("reports:report-list"), {"page": "999"})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1


def test_report_list_footer_carries_the_disclaimers_of_listed_reports(client, seed_report):
    make_report(title="Patterns of Global Terrorism 1998 - Peru", disclaimer="Draft caveat.")
    make_report(
        title="Patterns of Global Terrorism 1999 - Peru",
        disclaimer="Hidden caveat.",
        status=Status.DRAFT,
    )
    html = client.get(reverse("reports:report-list")).content.decode()
    footer = html[html.index("<footer") :]
    assert "This is not a UNHCR publication." in footer
    assert "Draft caveat." in footer
    assert "Hidden caveat." not in html


@pytest.mark.parametrize("rows", [1, 30])
def test_report_list_makes_a_fixed_number_of_queries(
    client, db, django_assert_max_num_queries, rows
):
    make_reports(rows)
    # The first request after a change stores the filter's choices (3 figures).
    with django_assert_max_num_queries(LIST_QUERIES + 3 * (1 + COMPUTE_QUERIES)):
        client.get(reverse("reports:report-list"), {"country": "PE"})
    cache.clear()  # the page itself would come from the page cache
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("reports:report-list"), {"country": "PE"})
    assert len(response.context["page_obj"]) == min(rows, 25)


# --- detail ----------------------------------------------------------------------


def test_report_page_shows_metadata_and_numbered_paragraphs(client, seed_report):
    response = client.get(seed_report.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 lang="en">Patterns of Global Terrorism 1997 - Peru</h1>' in html
    assert "United States Department of State" in html
    assert "UNHCR Refworld" in html
    assert "Patterns of Global Terrorism</dd>" in html
    for number in (1, 2, 3):
        assert f'id="p{number}"' in html
        assert f'href="#p{number}"' in html
    assert "¶2" in html
    assert "<title>Patterns of Global Terrorism 1997 - Peru ·" in html
    assert '<meta name="description" content="Patterns of Global Terrorism 1997 - Peru, by' in html


def test_report_page_marks_cited_passages_and_links_them(client, seed_report):
    incident = make_incident(title="Hostage crisis")
    group = make_group(name="Tupac Amaru", acronym="MRTA")
    quote = "Two Peruvian soldiers and all 14 of the MRTA terrorists died in the assault."
    make_citation(seed_report, quote, incident=incident)
    make_citation(seed_report, "Nestor Cerpa Cartolini", group=group)
    html = client.get(seed_report.get_absolute_url()).content.decode()
    assert f'<mark class="cited" lang="en">{quote}</mark><sup class="marker">' in html
    assert '<mark class="cited" lang="en">Nestor Cerpa Cartolini</mark><sup class="marker">' in html
    # Each numbered marker leads to the entries quoting its passage, under the paragraph.
    assert '<a class="cited-by" href="/incidents/hostage-crisis/">Hostage crisis</a>' in html
    assert '<a class="cited-by" href="/groups/tupac-amaru/">MRTA</a>' in html
    # ...and lists what was drawn from it
    assert html.count('href="/incidents/hostage-crisis/"') == 2
    assert 'href="/groups/tupac-amaru/">Tupac Amaru (MRTA)</a>' in html


def test_report_page_neither_marks_nor_lists_draft_incidents_or_groups(client, seed_report):
    incident = make_incident(title="Secret draft incident", status=Status.DRAFT)
    group = make_group(name="Draft group", status=Status.REVIEW)
    make_citation(seed_report, "Nestor Cerpa Cartolini", incident=incident)
    make_citation(seed_report, "Sendero Luminoso", group=group)
    html = client.get(seed_report.get_absolute_url()).content.decode()
    assert "<mark" not in html
    assert "secret-draft-incident" not in html and "Secret draft" not in html
    assert "draft-group" not in html


def test_draft_report_page_is_not_found(client, db):
    draft = make_report(status=Status.DRAFT)
    in_review = make_report(title="Patterns of Global Terrorism 1999 - Peru", status=Status.REVIEW)
    for report in (draft, in_review):
        response = client.get(report.get_absolute_url())
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


def test_report_page_shows_provenance_with_the_reviewer(client, seed_report):
    html = client.get(seed_report.get_absolute_url()).content.decode()
    assert seed_report.sha256 in html
    assert "patterns-of-global-terrorism-1997-peru.txt" in html
    assert "with test" in html  # the import method
    assert "by archive staff" in html  # published by no particular user

    seed_report.set_status(Status.PUBLISHED, make_user("ana", role="Publishers"))
    seed_report.save()
    assert "by ana" in client.get(seed_report.get_absolute_url()).content.decode()


def test_report_page_shows_the_labelled_disclaimer(client, seed_report):
    html = client.get(seed_report.get_absolute_url()).content.decode()
    assert "Disclaimer of the source document" in html
    assert "This is not a UNHCR publication." in html


def test_report_page_cite_this_follows_refworld(client, seed_report):
    today = timezone.localdate().strftime("%-d %B %Y")
    html = client.get(seed_report.get_absolute_url()).content.decode()
    assert (
        'United States Department of State, <i lang="en">'
        "Patterns of Global Terrorism 1997 - Peru</i>, 1997, "
        "available at: http://testserver/reports/patterns-of-global-terrorism-1997-peru/ "
        f"[accessed {today}]"
    ) in html

    seed_report.published_on = datetime.date(1998, 1, 1)
    seed_report.save()
    html = client.get(seed_report.get_absolute_url()).content.decode()
    assert (
        '<i lang="en">Patterns of Global Terrorism 1997 - Peru</i>, 1 January 1998, available at:'
        in html
    )


def test_report_text_is_escaped(client, db):
    report = make_report(body="Before <script>alert(1)</script> after & more.")
    incident = make_incident()
    make_citation(report, "<script>alert(1)</script>", incident=incident)
    html = client.get(report.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert '<mark class="cited" lang="en">&lt;script&gt;alert(1)&lt;/script&gt;</mark>' in html
    assert "after &amp; more." in html


def test_pages_have_no_inline_script_or_style(client, seed_report):
    html = client.get(seed_report.get_absolute_url()).content.decode()
    # JSON-LD is data, never run: the one <script> a page may carry.
    html = re.sub(r'<script type="application/ld\+json">[^<]*</script>', "", html)
    assert "<script" not in html and "<style" not in html and "style=" not in html


@pytest.mark.parametrize("rows", [1, 30])
def test_report_page_makes_a_fixed_number_of_queries(
    client, db, django_assert_max_num_queries, rows
):
    body = "\n\n".join(f"Paragraph {n} names the Group {n}." for n in range(rows))
    report = make_report(body=body)
    for n in range(rows):
        make_citation(report, f"the Group {n}.", incident=make_incident(title=f"Incident {n}"))
        make_citation(report, f"Paragraph {n}", group=make_group(name=f"Group {n}"))
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(report.get_absolute_url())
    assert len(response.context["paragraphs"]) == rows
    assert len(response.context["incidents"]) == rows
