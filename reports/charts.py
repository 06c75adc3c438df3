"""Bar charts drawn on the server as SVG: no JavaScript, no chart library.

Each chart function returns a `Chart`: the numbers (shown as a table beside the
picture, for screen readers and print) and the geometry of the SVG, in viewBox
units. templates/reports/includes/chart.html writes the markup. Colours and type
come from classes styled in static/css/charts.css, so the markup carries no style
attributes (the CSP forbids inline styles).
"""

import math
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from reports.models import IncidentType

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

    @property
    def bottom(self):
        return self.top + self.height

    @property
    def label_y(self):
        return self.top + self.height / 2


@dataclass
class Chart:
    title: str
    description: str
    x_label: str
    series: list
    # The table: one row per year, `cells` in the order of `columns`.
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
    """Fill `panel` with stacked bars: `stacks[year]` is one value per series."""
    top_value, step = nice_ceiling(max((sum(v or 0 for v in stacks[y]) for y in years), default=0))
    scale = panel.height / top_value
    value = 0
    while value <= top_value:
        panel.y_ticks.append(Tick(panel.bottom - value * scale, _fmt(value)))
        value += step
    bar_width = band * 0.7
    for i, year in enumerate(years):
        base = 0
        for one, amount in zip(series, stacks[year], strict=True):
            if not amount:
                continue
            panel.bars.append(
                Bar(
                    x=round(left + band * i + (band - bar_width) / 2, 2),
                    y=round(panel.bottom - (base + amount) * scale, 2),
                    width=round(bar_width, 2),
                    height=round(amount * scale, 2),
                    css_class=one.css_class,
                    label=f"{year}, {one.label}: {amount}",
                )
            )
            base += amount


def incidents_per_year_by_type(incidents, title=None):
    """Chart published `incidents` per year, stacked by type (one query)."""
    counts = (
        incidents.published()
        .annotate(year=ExtractYear("start_date"))
        .values_list("year", "type")
        .annotate(count=Count("pk"))
        .order_by("year", "type")
    )
    by_year = {}
    for year, kind, count in counts:
        by_year.setdefault(year, {})[kind] = count
    present = {kind for kinds in by_year.values() for kind in kinds}
    # Keep the types' declared order so colours stay the same on every page.
    series = [
        Series(value, str(label), f"chart-s{index}")
        for index, (value, label) in enumerate(IncidentType.choices, start=1)
        if value in present
    ]
    years = _year_range(list(by_year))
    stacks = {year: [by_year.get(year, {}).get(s.key, 0) for s in series] for year in years}
    chart = Chart(
        title=str(title or _("Incidents per year, by type")),
        description=str(_("Stacked bars: the number of published incidents each year, by type.")),
        x_label=str(_("Year")),
        series=series,
        columns=[s.label for s in series] + [str(_("Total"))],
        rows=[Row(year, [*stacks[year], sum(stacks[year])]) for year in years],
    )
    if years:
        band = _layout_x(chart, years)
        panel = Panel(str(_("Incidents")), MARGIN_TOP, HEIGHT - MARGIN_TOP - MARGIN_BOTTOM)
        _stacked_panel(panel, years, stacks, series, band, chart.plot_left)
        chart.panels = [panel]
    return chart


def yearly_totals(incidents):
    """[[year, incidents, killed, injured]] of the published `incidents` (one query).

    killed/injured are None for a year none of whose incidents gives the figure.
    """
    totals = (
        incidents.published()
        .annotate(year=ExtractYear("start_date"))
        .values_list("year")
        .annotate(count=Count("pk"), killed=Sum("killed"), injured=Sum("injured"))
        .order_by("year")
    )
    return [list(row) for row in totals]


def incidents_and_casualties_per_year(totals, title=None):
    """Chart incidents per year, and their killed and injured, from `yearly_totals()` rows.

    Two panels share the year axis because counts of incidents and of people
    differ by orders of magnitude. A year whose incidents give no figure shows
    "not given" in the table, never a made-up zero.
    """
    by_year = {year: (count, killed, injured) for year, count, killed, injured in totals}
    years = _year_range(list(by_year))
    incident_series = [Series("incidents", str(_("Incidents")), "chart-s0")]
    people_series = [
        Series("killed", str(_("Killed")), "chart-killed"),
        Series("injured", str(_("Injured")), "chart-injured"),
    ]
    empty = (0, None, None)
    chart = Chart(
        title=str(title or _("Incidents and casualties per year")),
        description=str(
            _(
                "Top: the number of published incidents each year. "
                "Bottom: the people they killed and injured."
            )
        ),
        x_label=str(_("Year")),
        series=incident_series + people_series,
        columns=[str(_("Incidents")), str(_("Killed")), str(_("Injured"))],
        rows=[Row(year, list(by_year.get(year, empty))) for year in years],
        height=HEIGHT + 80,
    )
    if years:
        band = _layout_x(chart, years)
        gap = 24
        room = chart.height - MARGIN_TOP - MARGIN_BOTTOM - gap
        upper = Panel(str(_("Incidents")), MARGIN_TOP, room * 0.4)
        lower = Panel(str(_("People")), upper.bottom + gap, room * 0.6)
        _stacked_panel(
            upper,
            years,
            {y: [by_year.get(y, empty)[0]] for y in years},
            incident_series,
            band,
            chart.plot_left,
        )
        _stacked_panel(
            lower,
            years,
            {y: list(by_year.get(y, empty)[1:]) for y in years},
            people_series,
            band,
            chart.plot_left,
        )
        chart.panels = [upper, lower]
    return chart
