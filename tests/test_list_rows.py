"""The rows of the lists, home and country pages (templates/reports/includes/rows.html),
their filter forms and pagination: hostile text in every field they show is escaped."""

import datetime

import pytest
from django.core.paginator import Paginator
from django.template import engines
from django.urls import reverse
from markupsafe import escape

from reports.models import (
    Country,
    Group,
    GroupAlias,
    Incident,
    Organisation,
    Perpetration,
    TimelineEntry,
)
from reports.rows import group_rows, incident_rows
from tests.factories import make_citation, make_group, make_incident, make_report

pytestmark = pytest.mark.django_db

HOSTILE = "<img src=x onerror=\"alert(1)\"> & 'q'"
ESCAPED = str(escape(HOSTILE))
# For the short columns (an activity holds 10 characters, a type 20, an acronym 30).
SHORT = "<img>&'\""
SHORT_ESCAPED = str(escape(SHORT))
# An alias's language is written into an attribute (lang="..."), and holds ten characters.
HOSTILE_LANGUAGE = '"><img>'


def rows_macro(name):
    return getattr(engines["jinja2"].env.get_template("reports/includes/rows.html").module, name)


def assert_escaped(html, *texts):
    assert "<img" not in html
    for text in texts:
        assert text in html, text


@pytest.fixture
def hostile_archive():
    """Published entries with hostile text in every field a row shows."""
    country = Country.objects.create(code="ZZ", name=f"Country {HOSTILE}")
    report = make_report(title="Patterns of Global Terrorism 1997 - Peru")
    report.title = f"Report {HOSTILE}"
    report.series = f"Series {HOSTILE}"
    report.country = country
    report.publisher = Organisation.objects.create(name=f"Publisher {HOSTILE}")
    report.republisher = Organisation.objects.create(name=f"Republisher {HOSTILE}")
    report.disclaimer = f"Disclaimer {HOSTILE}"
    report.save()
    group = make_group(
        name=f"Group {HOSTILE}",
        acronym=SHORT,
        slug="group",
        country=country,
        activity=SHORT,  # not a choice: the row shows the raw value
    )
    GroupAlias.objects.create(group=group, name=f"Alias {HOSTILE}", language=HOSTILE_LANGUAGE)
    GroupAlias.objects.create(group=group, name=f"Other {HOSTILE}")
    incident = make_incident(
        title=f"Incident {HOSTILE}",
        slug="incident",
        country=country,
        city=f"City {HOSTILE}",
        region=f"Region {HOSTILE}",
        type=SHORT,
        killed=2,
    )
    Perpetration.objects.create(incident=incident, group=group, uncertain=True)
    make_citation(report, "A paragraph of text.", incident=incident)
    make_citation(report, "A paragraph of text.", group=group)
    return report


LIST_ROWS = {
    "reports:incident-list": (
        f'<a href="/incidents/incident/">Incident {ESCAPED}</a>',
        f" · {SHORT_ESCAPED} · City {ESCAPED}, Region {ESCAPED}, "
        f'<a href="/countries/ZZ/">Country {ESCAPED}</a></span>',
        f'Perpetrators: <a href="/groups/group/">Group {ESCAPED} ({SHORT_ESCAPED})</a>'
        " (suspected) · killed 2, injured unknown</span>",
        f'<p lang="en">Disclaimer {ESCAPED}</p>',
    ),
    "reports:report-list": (
        f">Report {ESCAPED}</a>",
        f'Series {ESCAPED} · <a href="/countries/ZZ/">Country {ESCAPED}</a> · 1997'
        f" · Publisher {ESCAPED} (republished by Republisher {ESCAPED})</span>",
        f'<p lang="en">Disclaimer {ESCAPED}</p>',
    ),
    # The aliases keep their language, escaped as an attribute.
    "reports:group-list": (
        f'<a href="/groups/group/">Group {ESCAPED} ({SHORT_ESCAPED})</a>',
        f'<a href="/countries/ZZ/">Country {ESCAPED}</a> · {SHORT_ESCAPED} · also known as '
        f'<span lang="{escape(HOSTILE_LANGUAGE)}">Alias {ESCAPED}</span>, Other {ESCAPED}</span>',
    ),
}


@pytest.mark.parametrize("list_name", LIST_ROWS)
def test_list_rows_escape_every_field(client, hostile_archive, list_name):
    html = client.get(reverse(list_name)).content.decode()
    assert_escaped(html, *LIST_ROWS[list_name])


def test_home_rows_escape_every_field(client, hostile_archive):
    html = client.get(reverse("reports:home")).content.decode()
    assert_escaped(
        html,
        f'>Report {ESCAPED}</a> <span class="meta"><a href="/countries/ZZ/">Country {ESCAPED}</a>'
        f", 1997, Publisher {ESCAPED}</span>",
        f'>Incident {ESCAPED}</a> <span class="meta">1 May 1997, '
        f'<a href="/countries/ZZ/">Country {ESCAPED}</a></span>',
        f'<p lang="en">Disclaimer {ESCAPED}</p>',
    )


def test_country_page_uses_the_list_rows_without_its_own_country(client, hostile_archive):
    html = client.get(reverse("reports:country-detail", kwargs={"code": "ZZ"})).content.decode()
    assert_escaped(
        html,
        f"<h1>Country {ESCAPED}</h1>",
        f"Series {ESCAPED} · 1997 · Publisher {ESCAPED} (republished by Republisher {ESCAPED})",
        f" · {SHORT_ESCAPED} · City {ESCAPED}, Region {ESCAPED}</span>",
        f'Perpetrators: <a href="/groups/group/">Group {ESCAPED} ({SHORT_ESCAPED})</a>',
        f'{SHORT_ESCAPED} · also known as <span lang="{escape(HOSTILE_LANGUAGE)}">',
    )
    # Its own country is not linked from each row.
    assert html.count('<a href="/countries/ZZ/">') == 0


def test_timeline_and_dated_rows_escape_every_field(db):
    entry = TimelineEntry(
        True,
        "side",
        "incident",
        f"Incident {HOSTILE}",
        None,  # no Spanish title
        datetime.date(1997, 5, 1),
        "month",
        None,
        "day",
        f"Dataset {HOSTILE}",
    )
    html = str(rows_macro("timeline_rows")([entry]))
    assert_escaped(
        html,
        '<li><span class="timeline__date">May 1997</span> <a href="/incidents/incident/">'
        f"Incident {ESCAPED}</a> (suspected) (a side in the fighting) "
        f'<span class="timeline__note">(Dataset {ESCAPED})</span> '
        '<span class="timeline__note">(day not given: placed at the end of the month)</span></li>',
    )
    incident = make_incident(
        title=f"Incident {HOSTILE}", slug="incident", start_date=datetime.date(1997, 5, 1)
    )
    html = str(rows_macro("dated_incident_rows")([incident]))
    assert_escaped(html, f'>Incident {ESCAPED}</a> <span class="meta">1 May 1997</span>')


def test_row_macros_take_the_rows_of_reports_rows(hostile_archive):
    html = str(rows_macro("incident_rows")(incident_rows([Incident.objects.get()])))
    assert_escaped(html, f"Incident {ESCAPED}", f"Group {ESCAPED}")
    html = str(rows_macro("group_rows")(group_rows(Group.objects.for_list())))
    assert_escaped(html, f"Alias {ESCAPED}", f"Other {ESCAPED}")


def test_filter_forms_escape_values_choices_and_errors(client, hostile_archive):
    html = client.get(reverse("reports:report-list"), {"q": HOSTILE}).content.decode()
    assert_escaped(
        html,
        f'name="q" value="{ESCAPED}"',
        f'<option value="Series {ESCAPED}">Series {ESCAPED}</option>',
        f'<option value="Publisher {ESCAPED}">Publisher {ESCAPED}</option>',
        f'<option value="ZZ">Country {ESCAPED}</option>',
    )
    # No group is called that: the error repeats the text.
    response = client.get(reverse("reports:incident-list"), {"group": f"Nobody {HOSTILE}"})
    assert response.status_code == 400
    assert_escaped(
        response.content.decode(),
        f'name="group" value="Nobody {ESCAPED}"',
        f"No published group is called “Nobody {ESCAPED}”",
    )


def test_pagination_keeps_the_query_escaped(rf):
    template = engines["jinja2"].from_string('{% include "reports/includes/pagination.html" %}')
    request = rf.get("/incidents/", {"type": HOSTILE, "page": "2"})
    page = Paginator(range(100), 25).page(2)
    html = template.render({"page_obj": page}, request)
    query = str(escape("type=%3Cimg+src%3Dx+onerror%3D%22alert%281%29%22%3E+%26+%27q%27"))
    assert_escaped(
        html,
        f'<a rel="prev" href="?{query}&amp;page=1">',
        f'<a rel="next" href="?{query}&amp;page=3">',
        "Page 2 of 4",
    )


# --- casualties: the best estimate the incident row keeps ------------------------------


def test_incident_list_sorts_and_shows_the_best_estimate_and_says_so(
    client, django_assert_max_num_queries
):
    from django.core.cache import cache

    from reports.models import FigureClaim
    from tests.test_views_incidents import LIST_QUERIES

    report = make_report(body="Five died, said one. Fifty died, said another.")
    claimed = make_incident(title="Claimed", slug="claimed")
    for quote, low, best in (("Five died", 5, False), ("Fifty died", 50, True)):
        citation = make_citation(report, quote, incident=claimed, facts=["killed"])
        FigureClaim.objects.create(
            incident=claimed, figure="killed", low=low, high=low, best=best, citation=citation
        )
    make_incident(title="Plain", slug="plain", killed=10)
    url = reverse("reports:incident-list")
    client.get(url, {"sort": "-casualties"})
    cache.clear()
    with django_assert_max_num_queries(LIST_QUERIES):  # the claims are not read
        response = client.get(url, {"sort": "-casualties"})
    html = response.content.decode()
    assert [row.title.text for row in response.context["rows"]] == ["Claimed", "Plain"]
    assert "killed 50, injured unknown" in html
    assert "best estimate" in html
    assert "Most casualties first (best estimate)" in html
