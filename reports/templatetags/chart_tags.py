"""Charts a template can draw (reports/charts.py builds and renders them)."""

from django import template
from django.utils.translation import gettext as _

from reports.charts import incidents_and_casualties_per_year, render_chart
from reports.figures import group_years

register = template.Library()


@register.simple_tag
def chart(chart, chart_id):
    """The figure of a Chart: an SVG picture and a table of the same numbers."""
    return render_chart(chart, chart_id)


@register.simple_tag
def casualty_chart(group, chart_id="group-chart"):
    """Draw the incidents and casualties per year of `group`'s published incidents
    (stored per archive change: reports/figures.py)."""
    chart = incidents_and_casualties_per_year(
        group_years(group),
        title=_("Incidents attributed to %(group)s, and casualties, per year") % {"group": group},
    )
    return render_chart(chart, chart_id)
