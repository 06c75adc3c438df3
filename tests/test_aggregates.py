"""Unknown is never zero: every sum of incident figures says what is known and how much
is not (the group and country pages' tables and charts, the home page)."""

import re
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.template import engines
from django.urls import reverse

from reports.figures import archive_counts, group_years
from reports.models import Figures, Group, IncidentType, Perpetration, Status
from reports.tallies import Tally, tallies
from tests.factories import make_group, make_incident

pytestmark = pytest.mark.django_db


def tally_text(tally):
    template = '{% from "reports/includes/tally.html" import tally %}{{ tally(t) }}'
    html = engines["jinja2"].from_string(template).render({"t": tally})
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def row_of(html, year):
    """The text of `year`'s row of the page's chart table, tags stripped."""
    table = html[html.index('<table class="chart-table"') : html.index("</table>")]
    header = f'<th scope="row">{year}</th>'
    row = table[table.index(header) + len(header) :].split("</tr>")[0]
    return [" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in row.split("</td>")][:-1]


def attributed(group, **kwargs):
    incident = make_incident(**kwargs)
    Perpetration.objects.create(incident=incident, group=group)
    return incident


@pytest.fixture
def sendero(peru):
    """Sendero Luminoso's 1997 as the seed tells it: a car bomb that injured at least 21,
    a kidnapping with no injured given, smaller bombings that injured nobody; and a 1998
    where no incident gives either figure."""
    group = make_group(name="Sendero Luminoso", country=peru)
    attributed(group, title="Car bomb", start_date="1997-05-01", injured=21)
    attributed(group, title="Kidnapping", start_date="1997-08-01", type=IncidentType.KIDNAPPING)
    attributed(group, title="Smaller bombings", start_date="1997-10-01", injured=0)
    attributed(group, title="Unknown attack", start_date="1998-03-01")
    attributed(group, title="Draft attack", start_date="1998-04-01", killed=9, status="draft")
    return group


@pytest.mark.parametrize(
    ("tally", "text"),
    [
        (Tally(21, 1, 2), "at least 21 (1 of 2 incidents gives no figure)"),
        (Tally(21, 1, 3), "at least 21 (2 of 3 incidents give no figure)"),
        (Tally(0, 0, 3), "not given"),
        (Tally(16, 2, 2), "16"),
        (Tally(0, 2, 2), "0"),  # a zero every incident gives is a zero
        (Tally(0, 0, 0), "0"),  # a year without incidents
    ],
)
def test_a_tally_says_what_is_known_and_how_much_is_not(tally, text):
    assert tally_text(tally) == text


def test_group_table_sums_the_known_figures_and_counts_the_incidents_giving_none(client, sendero):
    html = client.get(sendero.get_absolute_url()).content.decode()

    # Incidents, killed, injured: no "0" for figures the sources do not give.
    assert row_of(html, 1997) == [
        "3",
        "not given",
        "at least 21 (1 of 3 incidents gives no figure)",
    ]
    assert row_of(html, 1998) == ["1", "not given", "not given"]


def test_sum_of_zeros_and_unknowns_is_at_least_zero_never_a_bare_zero(client, peru):
    group = make_group(name="Sendero Luminoso", country=peru)
    attributed(group, title="Car bomb", start_date="1997-05-01")
    attributed(group, title="Smaller bombings", start_date="1997-10-01", injured=0)

    html = client.get(group.get_absolute_url()).content.decode()

    assert row_of(html, 1997)[2] == "at least 0 (1 of 2 incidents gives no figure)"
    assert "<td>0</td>" not in html


def test_a_year_no_incident_gives_a_figure_for_draws_no_bar(client, sendero):
    chart = client.get(sendero.get_absolute_url()).context["chart"]
    _incidents, people = chart.panels
    labels = [bar.label for bar in people.bars]
    assert labels == ["1997, Injured: at least 21"]
    assert not any(label.startswith("1998") for label in labels)
    assert people.note == ""


def test_a_people_panel_with_nothing_to_draw_says_so_instead_of_an_empty_axis(client, peru):
    group = make_group(name="Quiet group", country=peru)
    attributed(group, title="Bombing", start_date="1997-05-01", injured=0)
    attributed(group, title="Kidnapping", start_date="1997-08-01")

    response = client.get(group.get_absolute_url())
    html = response.content.decode()

    people = response.context["chart"].panels[1]
    assert (people.bars, people.y_ticks) == ([], [])
    assert "No incident gives a figure above zero; the table has the details." in html


def test_group_years_are_stored_under_a_key_of_their_shape(sendero):
    # A row of the old shape ([[year, count, killed, injured]]) stored under the current
    # stamp, as a worker of the previous release would have left it, is never read.
    group_years(sendero)
    stored = Figures.objects.get(key=f"group-years-v2:{sendero.pk}")
    Figures.objects.create(
        key=f"group-years:{sendero.pk}",
        version=stored.version,
        changed_at=stored.changed_at,
        data=[[1997, 3, None, 21]],
    )
    assert [row["year"] for row in group_years(sendero)] == [1997, 1998]


def test_country_table_and_chart_keep_the_unknown(client, sendero):
    response = client.get(reverse("reports:country-detail", kwargs={"code": "PE"}))
    html = response.content.decode()

    # Bombing, Kidnapping, Other (the default type), Total, Killed, Injured.
    assert response.context["chart"].columns[-3:] == ["Total", "Killed", "Injured"]
    assert row_of(html, 1997)[-3:] == [
        "3",
        "not given",
        "at least 21 (1 of 3 incidents gives no figure)",
    ]
    assert row_of(html, 1998)[-2:] == ["not given", "not given"]
    people = response.context["chart"].panels[1]
    assert [bar.label for bar in people.bars] == ["1997, Injured: at least 21"]


def test_country_page_keeps_its_query_count(client, sendero, django_assert_max_num_queries):
    url = reverse("reports:country-detail", kwargs={"code": "PE"})
    client.get(url)
    cache.clear()
    with django_assert_max_num_queries(12):  # as tests/test_country_pages.py allows
        client.get(url)


def test_home_page_totals_keep_the_unknown(client, sendero):
    html = client.get(reverse("reports:home")).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())

    # Four published incidents: none gives killed, two give injured.
    assert "People killed in these incidents not given" in text
    assert "People injured in these incidents at least 21 (2 of 4 incidents give no figure)" in text


def test_home_totals_are_the_stored_counts_one_query(sendero):
    counts = archive_counts()
    assert counts["incidents"] == 4
    assert tallies(counts) == {"killed": Tally(0, 0, 4), "injured": Tally(21, 2, 4)}


def test_home_page_of_an_empty_archive_shows_no_casualty_totals(client):
    html = client.get(reverse("reports:home")).content.decode()
    assert "People killed" not in html


def test_sample_archive_shows_no_zero_the_seed_does_not_give(client):
    call_command("loaddata", "peru_1997", stdout=StringIO())
    sendero = Group.objects.get(slug="sendero-luminoso")
    assert sendero.status == Status.PUBLISHED

    html = client.get(sendero.get_absolute_url()).content.decode()

    # Whatever the fixture's figures, the row says what they are and how many are missing.
    incidents = sendero.incidents.published().filter(start_date__year=1997)
    cells = dict(zip(("killed", "injured"), row_of(html, 1997)[1:], strict=True))
    for figure, cell in cells.items():
        given = [value for value in incidents.values_list(figure, flat=True) if value is not None]
        missing = len(incidents) - len(given)
        if not given:
            assert cell == "not given"
        elif missing:
            assert cell.startswith(f"at least {sum(given)} ({missing} of {len(incidents)} ")
        else:
            assert cell == str(sum(given))
    assert cells["injured"].startswith("at least ")  # the kidnapping gives no injured
