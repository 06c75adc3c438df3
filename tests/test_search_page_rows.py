"""The search page's result rows (reports/templatetags/search_tags.py) and the rows
search_archive loads for them (search.shown_rows): escaped, marked, complete."""

import datetime

import pytest
from django.template.defaultfilters import truncatewords
from django.urls import reverse

from reports.models import GroupAlias, Incident, Report, Status
from reports.search import search_archive, shown_rows
from reports.templatetags.search_tags import first_words, highlight
from tests.factories import make_group, make_incident, make_report

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


@pytest.mark.parametrize(
    ("text", "query", "expected"),
    [
        ("Lima and LIMA", "lima", "<mark>Lima</mark> and <mark>LIMA</mark>"),
        ("Lima, Peru", "peru lima", "<mark>Lima</mark>, <mark>Peru</mark>"),
        # Words of one letter are not marked; the text is still escaped.
        ("a <b>", "a", "a &lt;b&gt;"),
        ("a <b>", "", "a &lt;b&gt;"),
        # The query's words are searched for as text, never as a pattern or markup.
        ("<b>x</b> b.", "<b> b.", "<mark>&lt;b&gt;</mark>x&lt;/b&gt; <mark>b.</mark>"),
        ("it's &amp", "&amp 's", "it<mark>&#x27;s</mark> <mark>&amp;amp</mark>"),
        ("lt gt", "lt", "<mark>lt</mark> gt"),
    ],
)
def test_highlight_marks_the_query_words_and_escapes_the_rest(text, query, expected):
    assert highlight(text, query) == expected


def test_hostile_text_everywhere_on_the_page_is_escaped(client, db):
    report = make_report(body=f"The okapi passage {HOSTILE}.")
    Report.objects.filter(pk=report.pk).update(title=f"Okapi report {HOSTILE}")
    make_incident(title=f"Okapi raid {HOSTILE}", summary=f"Okapi summary {HOSTILE}")
    group = make_group(name=f"Okapi Front {HOSTILE}", slug="okapi-front", acronym="<OF>")
    GroupAlias.objects.create(group=group, name=f"Okapi alias {HOSTILE}", language="en")

    html = client.get(reverse("reports:search"), {"q": "okapi <b>"}).content.decode()

    assert "<script>" not in html and "<b>" not in html and "<OF>" not in html
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <mark>&lt;b&gt;</mark>bold"
    # Report title, passage; incident title, summary; group name, alias.
    assert html.count(escaped) == 6
    assert html.count("<mark>Okapi</mark>") == 5 and "<mark>okapi</mark>" in html
    assert "(&lt;OF&gt;)" in html


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
