"""The server-drawn charts: their numbers, their geometry, and their markup."""

import pytest
from django.template.loader import render_to_string

from reports.charts import (
    Bar,
    Chart,
    Panel,
    Row,
    Series,
    Tick,
    incidents_and_casualties_per_year,
    nice_ceiling,
    yearly_totals,
)
from reports.models import Incident, IncidentType, Perpetration, Status
from reports.tallies import Tally
from tests.factories import make_group, make_incident

pytestmark = pytest.mark.django_db


def render_chart(chart, chart_id):
    """The chart's markup, as a page including the partial writes it."""
    return render_to_string("reports/includes/chart.html", {"chart": chart, "chart_id": chart_id})


def test_nice_ceiling_rounds_up_to_a_tick():
    assert nice_ceiling(0) == (1, 1)
    assert nice_ceiling(3) == (3, 1)
    assert nice_ceiling(7) == (8, 2)
    assert nice_ceiling(23) == (25, 5)
    assert nice_ceiling(100) == (100, 20)


def _by_year(chart):
    return {row.year: row.cells for row in chart.rows}


def incidents_per_year_by_type(incidents, title=None):
    """The country page's chart: incidents stacked by type, and their casualties."""
    return incidents_and_casualties_per_year(yearly_totals(incidents, by_type=True), title)


def _counts(chart):
    """The rows' counts of incidents, less the casualty tallies."""
    return {row.year: [c for c in row.cells if not isinstance(c, Tally)] for row in chart.rows}


def test_incidents_per_year_by_type_counts_published_incidents_only():
    make_incident(title="Bomb A", start_date="1996-03-01", type=IncidentType.BOMBING)
    make_incident(title="Bomb B", start_date="1996-07-01", type=IncidentType.BOMBING)
    make_incident(title="Kidnap", start_date="1996-08-01", type=IncidentType.KIDNAPPING)
    make_incident(title="Hostages", start_date="1998-12-17", type=IncidentType.HOSTAGE_TAKING)
    make_incident(title="Draft bomb", start_date="1996-01-01", status=Status.DRAFT)
    make_incident(title="Review", start_date="1999-01-01", status=Status.REVIEW)

    chart = incidents_per_year_by_type(Incident.objects.all())

    # Series keep the declared order of the types; only those present appear.
    assert [s.key for s in chart.series] == [
        "hostage_taking",
        "kidnapping",
        "bombing",
        "killed",
        "injured",
    ]
    assert chart.columns == [
        "Hostage taking",
        "Kidnapping",
        "Bombing",
        "Total",
        "Killed",
        "Injured",
    ]
    # 1997 had none and is shown as zero, not skipped; 1999's draft is not counted.
    assert _counts(chart) == {1996: [0, 1, 2, 3], 1997: [0, 0, 0, 0], 1998: [1, 0, 0, 1]}


def test_incidents_per_year_by_type_is_one_query(django_assert_num_queries):
    for day in range(1, 6):
        make_incident(title=f"Incident {day}", start_date=f"199{day}-01-0{day}")
    with django_assert_num_queries(1):
        incidents_per_year_by_type(Incident.objects.all())


def test_stacked_bars_are_proportional_to_the_counts():
    make_incident(title="Bomb A", start_date="1996-03-01", type=IncidentType.BOMBING)
    make_incident(title="Bomb B", start_date="1996-07-01", type=IncidentType.BOMBING)
    make_incident(title="Kidnap", start_date="1996-08-01", type=IncidentType.KIDNAPPING)
    make_incident(title="Other", start_date="1997-08-01", type=IncidentType.OTHER)

    chart = incidents_per_year_by_type(Incident.objects.all())

    panel, people = chart.panels
    assert [tick.label for tick in panel.y_ticks] == ["0", "1", "2", "3"]
    # No incident gives a figure: no bars and no axis, a note instead.
    assert (people.bars, people.y_ticks) == ([], [])
    assert people.note == "No incident gives these figures."
    heights = {bar.label: bar.height for bar in panel.bars}
    assert set(heights) == {"1996, Kidnapping: 1", "1996, Bombing: 2", "1997, Other: 1"}
    # Rounded to hundredths of a unit.
    kidnapping_height = heights["1996, Kidnapping: 1"]
    assert heights["1996, Bombing: 2"] == pytest.approx(2 * kidnapping_height, abs=0.02)
    # The 1996 stack reaches the top of the axis (3 of 3).
    kidnapping, bombing = (bar for bar in panel.bars if bar.label.startswith("1996"))
    assert kidnapping.y + kidnapping.height == pytest.approx(panel.bottom, abs=0.02)
    assert bombing.y == pytest.approx(panel.top, abs=0.02)
    assert [tick.label for tick in chart.x_ticks] == ["1996", "1997"]


def test_crowded_year_axis_labels_every_other_year():
    for year in range(1970, 2000):
        make_incident(title=f"Incident {year}", start_date=f"{year}-01-01")
    chart = incidents_per_year_by_type(Incident.objects.all())
    assert len(chart.rows) == 30
    labels = [tick.label for tick in chart.x_ticks]
    assert labels[0] == "1970"
    assert 1 < len(labels) < 30


def test_chart_of_nothing_is_empty_and_renders_nothing():
    make_incident(title="Draft", status=Status.DRAFT)
    chart = incidents_per_year_by_type(Incident.objects.all())
    assert chart.is_empty
    html = render_chart(chart, "c")
    assert html.strip() == ""


def test_incidents_and_casualties_per_year_sums_known_figures_and_counts_the_unknown():
    group = make_group(name="MRTA")
    other = make_group(name="Other group")
    for title, date, killed, injured in [
        ("Car bomb", "1997-05-01", 2, 30),
        ("Hostage crisis", "1997-04-22", 17, None),
        ("Kidnapping", "1995-08-01", None, None),
        ("Draft attack", "1997-06-01", 100, 100),
    ]:
        incident = make_incident(
            title=title,
            start_date=date,
            killed=killed,
            injured=injured,
            status=Status.DRAFT if title.startswith("Draft") else Status.PUBLISHED,
        )
        Perpetration.objects.create(incident=incident, group=group)
    not_theirs = make_incident(title="Not theirs", start_date="1997-01-01", killed=5)
    Perpetration.objects.create(incident=not_theirs, group=other)

    chart = incidents_and_casualties_per_year(yearly_totals(group.incidents.all()))

    assert chart.columns == ["Incidents", "Killed", "Injured"]
    assert _by_year(chart) == {
        # No figure given in 1995: not given, never zero.
        1995: [1, Tally(0, 0, 1), Tally(0, 0, 1)],
        1996: [0, Tally(0, 0, 0), Tally(0, 0, 0)],
        # Injured: 30 known, and one of the two incidents gives no figure.
        1997: [2, Tally(19, 2, 2), Tally(30, 1, 2)],
    }
    assert _by_year(chart)[1995][1].not_given and _by_year(chart)[1997][2].at_least
    upper, lower = chart.panels
    assert [bar.label for bar in upper.bars] == ["1995, Incidents: 1", "1997, Incidents: 2"]
    assert [bar.label for bar in lower.bars] == ["1997, Killed: 19", "1997, Injured: at least 30"]
    assert upper.bottom < lower.top


def test_yearly_totals_is_one_query(django_assert_num_queries):
    group = make_group(name="MRTA")
    for day in range(1, 4):
        incident = make_incident(
            title=f"Incident {day}", start_date=f"199{day}-01-0{day}", injured=day - 1
        )
        Perpetration.objects.create(incident=incident, group=group)
    with django_assert_num_queries(1):
        totals = yearly_totals(group.incidents.all())
    assert [(row["year"], row["incidents"]) for row in totals] == [(1991, 1), (1992, 1), (1993, 1)]
    assert [(row["killed_known"], row["killed_given"]) for row in totals] == [(None, 0)] * 3
    assert [(row["injured_known"], row["injured_given"]) for row in totals] == [
        (0, 1),
        (1, 1),
        (2, 1),
    ]


def test_chart_markup_has_title_axis_labels_and_the_same_numbers_as_a_table():
    make_incident(title="Bomb", start_date="1997-05-01", type=IncidentType.BOMBING)
    make_incident(title="Kidnap", start_date="1997-08-01", type=IncidentType.KIDNAPPING)
    chart = incidents_per_year_by_type(Incident.objects.all(), title="Incidents in Peru")

    html = render_chart(chart, "pe")

    assert 'viewBox="0 0 480 340"' in html
    assert '<title id="pe-title">Incidents in Peru</title>' in html
    assert 'aria-labelledby="pe-title pe-desc"' in html
    assert ">Year</text>" in html and ">Incidents</text>" in html
    assert '<th scope="row">1997</th><td>1</td><td>1</td><td>2</td>' in html
    assert "<title>1997, Bombing: 1</title>" in html
    # Strict CSP: no inline styles anywhere in the chart.
    assert "style=" not in html and "<style" not in html


def test_chart_markup_escapes_titles():
    make_incident(title="Bomb", start_date="1997-05-01")
    chart = incidents_per_year_by_type(Incident.objects.all(), title="<script>x</script>")
    html = render_chart(chart, "x")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_chart_markup_escapes_every_text_it_shows():
    def hostile(name):
        return f"<script>{name}</script> & \"{name}'"

    series = [Series("a", hostile("series-a"), hostile("class-a")), Series("b", "B", "chart-s2")]
    panel = Panel(hostile("panel"), 12, 100)
    panel.y_ticks = [Tick(112, hostile("y-tick"))]
    panel.bars = [Bar(50, 20, 10, 92, hostile("bar-class"), hostile("bar"))]
    chart = Chart(
        title=hostile("title"),
        description=hostile("description"),
        x_label=hostile("x-label"),
        series=series,
        columns=[hostile("column"), "B"],
        rows=[Row(1997, [1, None])],
        panels=[panel],
        x_ticks=[Tick(55, hostile("x-tick"))],
    )

    html = render_chart(chart, hostile("id"))

    assert "<script>" not in html and "\"id'" not in html  # nor a raw quote in an attribute
    texts = "title description x-label series-a class-a panel y-tick bar-class bar column x-tick id"
    for name in texts.split():
        assert f"&lt;script&gt;{name}&lt;/script&gt; &amp; &#34;{name}&#39;" in html, name
