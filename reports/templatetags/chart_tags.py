"""Charts a template can draw for the entry it shows."""

from django import template
from django.utils.translation import gettext as _

from reports.charts import incidents_and_casualties_per_year
from reports.figures import group_years

register = template.Library()


@register.inclusion_tag("reports/includes/chart.html")
def casualty_chart(group, chart_id="group-chart"):
    """Draw the incidents and casualties per year of `group`'s published incidents
    (stored per archive change: reports/figures.py)."""
    chart = incidents_and_casualties_per_year(
        group_years(group),
        title=_("Incidents attributed to %(group)s, and casualties, per year") % {"group": group},
    )
    return {"chart": chart, "chart_id": chart_id}
