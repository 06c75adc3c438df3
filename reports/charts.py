"""Bar charts drawn on the server as SVG: no JavaScript, no chart library.

Each chart function returns a `Chart`: the numbers (shown as a table beside the
picture, for screen readers and print) and the geometry of the SVG, in viewBox
units. templates/reports/includes/chart.html writes the markup. Colours and type
come from classes styled in static/css/charts.css, so the markup carries no style
attributes (the CSP forbids inline styles).
"""

import math
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from reports.models import IncidentType
from reports.tallies import TALLIED, Tally, tallies, tally_aggregates

# The viewBox; the SVG scales to the width of its container.
WIDTH = 480
HEIGHT = 260
MARGIN_LEFT = 44
MARGIN_RIGHT = 8
MARGIN_TOP = 12
MARGIN_BOTTOM = 44
# Room one year label needs along the x axis, so crowded axes label every n-th year.
LABEL_ROOM = 34


@dataclass
class Series:
    key: str
    label: str
    css_class: str


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css_class: str
    label: str


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class Panel:
    """One plot area with its own y axis; a chart stacks one or more."""

    title: str
    top: float
    height: float
    bars: list = field(default_factory=list)
    y_ticks: list = field(default_factory=list)
    # Said in place of bars when there are none to draw.
    note: str = ""

    @property
    def bottom(self):
        return self.top + self.height

    @property
    def label_y(self):
        return self.top + self.height / 2

    @property
    def note_x(self):
        return (MARGIN_LEFT + WIDTH - MARGIN_RIGHT) / 2


@dataclass
class Chart:
    title: str
    description: str
    x_label: str
    series: list
    # The table: one row per year, `cells` in the order of `columns`: counts, and
    # tallies.Tally for the figures incidents may not give.
    columns: list
    rows: list
    panels: list = field(default_factory=list)
    x_ticks: list = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: float = MARGIN_LEFT
    plot_right: float = WIDTH - MARGIN_RIGHT

    @property
    def is_empty(self):
        return not self.rows

    @property
    def view_box(self):
        return f"0 0 {self.width} {self.height}"

    @property
    def axis_bottom(self):
        return self.panels[-1].bottom if self.panels else self.height - MARGIN_BOTTOM

    @property
    def x_label_y(self):
        return self.height - 6

    @property
    def x_label_x(self):
        return (self.plot_left + self.plot_right) / 2

    @property
    def x_tick_y(self):
        return self.axis_bottom + 16

    @property
    def y_tick_x(self):
        return self.plot_left - 5


@dataclass
class Row:
    year: int
    cells: list


def nice_ceiling(value):
    """Return (top, step): a round axis maximum at or above `value` and its tick step."""
    if value <= 5:
        return max(1, math.ceil(value)), 1
    raw = value / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))  # counts of incidents and people are whole numbers
    return math.ceil(value / step) * step, step


def _fmt(number):
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _year_range(years):
    """Every year from the first to the last: a quiet year is a zero, not a gap."""
    return list(range(min(years), max(years) + 1)) if years else []


def _layout_x(chart, years):
    plot_width = chart.plot_right - chart.plot_left
    band = plot_width / len(years)
    every = max(1, math.ceil(LABEL_ROOM / band))
    chart.x_ticks = [
        Tick(chart.plot_left + band * (i + 0.5), str(year))
        for i, year in enumerate(years)
        if i % every == 0
    ]
    return band


def _stacked_panel(panel, years, stacks, series, band, left):
    """Fill `panel` with stacked bars: `stacks[year]` is one value per series, a count or
    a Tally. A figure no incident gives draws no bar (a zero would claim to know it)."""
    amounts = {year: [_amount(value) for value in stacks[year]] for year in years}
    top = max((sum(a or 0 for a in amounts[year]) for year in years), default=0)
    if not top:
        # Nothing to draw: say why, rather than an empty axis from 0 to 1.
        given = any(a is not None for year in years for a in amounts[year])
        panel.note = str(
            _("No incident gives a figure above zero; the table has the details.")
            if given
            else _("No incident gives these figures.")
        )
        return
    top_value, step = nice_ceiling(top)
    scale = panel.height / top_value
    value = 0
    while value <= top_value:
        panel.y_ticks.append(Tick(panel.bottom - value * scale, _fmt(value)))
        value += step
    bar_width = band * 0.7
    for i, year in enumerate(years):
        base = 0
        for one, value, amount in zip(series, stacks[year], amounts[year], strict=True):
            if not amount:
                continue
            panel.bars.append(
                Bar(
                    x=round(left + band * i + (band - bar_width) / 2, 2),
                    y=round(panel.bottom - (base + amount) * scale, 2),
                    width=round(bar_width, 2),
                    height=round(amount * scale, 2),
                    css_class=one.css_class,
                    label=_bar_label(year, one, value),
                )
            )
            base += amount


def _amount(value):
    return value.amount if isinstance(value, Tally) else value


def _bar_label(year, series, value):
    if isinstance(value, Tally) and value.at_least:
        return _("%(year)s, %(series)s: at least %(amount)s") % {
            "year": year,
            "series": series.label,
            "amount": value.known,
        }
    return f"{year}, {series.label}: {_amount(value)}"


def yearly_totals(incidents, by_type=False):
    """The published `incidents` per year (and type, `by_type`), one query: a list of
    JSON-able dicts with the year, ("type",) "incidents", and per figure of
    tallies.TALLIED the sum of the figures given and how many incidents give one.
    """
    groups = ("year", "type") if by_type else ("year",)
    return list(
        incidents.published()
        .annotate(year=ExtractYear("start_date"))
        .values(*groups)
        .annotate(incidents=Count("pk"), **tally_aggregates())
        .order_by(*groups)
    )


def incidents_and_casualties_per_year(totals, title=None):
    """Chart incidents per year, and their killed and injured, from `yearly_totals()` rows.

    Two panels share the year axis because counts of incidents and of people differ by
    orders of magnitude. Rows with a "type" stack the incidents by type. The killed and
    injured are Tallies: the table says "at least" and how many incidents give no
    figure, or "not given"; a figure no incident gives draws no bar.
    """
    counts, people = {}, {}
    for row in totals:
        year = row["year"]
        by_kind = counts.setdefault(year, {})
        kind = row.get("type", "incidents")
        by_kind[kind] = by_kind.get(kind, 0) + row["incidents"]
        figures = tallies(row)
        if year in people:  # the year's other types
            figures = {name: people[year][name] + figures[name] for name in TALLIED}
        people[year] = figures
    years = _year_range(list(counts))
    by_type = any("type" in row for row in totals)
    if by_type:
        present = {kind for kinds in counts.values() for kind in kinds}
        # Keep the types' declared order so colours stay the same on every page.
        incident_series = [
            Series(value, str(label), f"chart-s{index}")
            for index, (value, label) in enumerate(IncidentType.choices, start=1)
            if value in present
        ]
        count_columns = [s.label for s in incident_series] + [str(_("Total"))]
    else:
        incident_series = [Series("incidents", str(_("Incidents")), "chart-s0")]
        count_columns = [str(_("Incidents"))]
    people_series = [
        Series("killed", str(_("Killed")), "chart-killed"),
        Series("injured", str(_("Injured")), "chart-injured"),
    ]
    nobody = Tally(0, 0, 0)  # a year without incidents
    stacks = {y: [counts.get(y, {}).get(s.key, 0) for s in incident_series] for y in years}
    casualties = {y: [people.get(y, {}).get(s.key, nobody) for s in people_series] for y in years}
    rows = []
    for year in years:
        total = [sum(stacks[year])] if by_type else []
        rows.append(Row(year, [*stacks[year], *total, *casualties[year]]))
    chart = Chart(
        title=str(title or _("Incidents and casualties per year")),
        description=str(
            _(
                "Top: the number of published incidents each year. "
                "Bottom: the people they killed and injured, as far as the incidents "
                "give the figures; a figure no incident gives has no bar."
            )
        ),
        x_label=str(_("Year")),
        series=incident_series + people_series,
        columns=count_columns + [str(_("Killed")), str(_("Injured"))],
        rows=rows,
        height=HEIGHT + 80,
    )
    if years:
        band = _layout_x(chart, years)
        gap = 24
        room = chart.height - MARGIN_TOP - MARGIN_BOTTOM - gap
        upper = Panel(str(_("Incidents")), MARGIN_TOP, room * 0.4)
        lower = Panel(str(_("People")), upper.bottom + gap, room * 0.6)
        _stacked_panel(upper, years, stacks, incident_series, band, chart.plot_left)
        _stacked_panel(lower, years, casualties, people_series, band, chart.plot_left)
        chart.panels = [upper, lower]
    return chart
