"""Template helpers for the reading room: dates at their precision, marked passages,
footnotes, absolute URLs and query strings.

Everything that puts document text into HTML escapes it piece by piece; nothing here
calls mark_safe on text that came from a document.
"""

import functools
import html

from django import template
from django.utils.safestring import mark_safe

from reports.templatetags.formatting import count_or_unknown, precise_date

register = template.Library()


# The rows of the long lists (25 a list page, 50 on a group's timeline) are
# written here rather than by a template loop: Django's template engine spent ~0.1 ms
# a row on their lookups and filters, about a fifth of those pages' time, against
# ~0.02 ms here. Every value from the archive goes through _e() (html.escape, which
# escapes what Django's escape() does, without its lazy-string wrapper).


def _e(value):
    return html.escape(str(value))


def country_link(country):
    """The country's name linked to its page (escaped)."""
    return f'<a href="{_e(country.get_absolute_url())}">{_e(country.name)}</a>'


def _date_span(incident):
    """The incident's dates at their precision: "May 1997" or "1 May 1997 – June 1997"."""
    text = precise_date(incident.start_date, incident.start_precision)
    if incident.end_date:
        text += " – " + precise_date(incident.end_date, incident.end_precision)
    return _e(text)


def row_tag(library):
    """Register a function writing one row's <li> (every value in it escaped) as the
    simple tag of the same name, `{% name items [args] %}`, writing each item's row."""

    def register_rows(render_row):
        @functools.wraps(render_row)
        def rows(items, *args):
            # Each row escapes every value it writes (render_row's contract).
            return mark_safe("".join(render_row(item, *args) for item in items))  # noqa: S308

        return library.simple_tag(rows)

    return register_rows


@register.simple_tag(takes_context=True)
def filter_form(context, form):
    """A list page's filter form: a field for each filter, with its help and errors.

    Written in Python: as a template loop over the fields it took ~2 ms of a list page.
    Labels, help texts and errors are escaped here; each widget escapes its own values.
    """
    problems = ""
    if form.errors:
        problems = (
            '\n  <div class="form-errors" role="alert">\n    <p>Some filters could not be'
            f" used; correct them and try again.</p>\n    {form.non_field_errors()}\n  </div>"
        )
    rows = []
    for bound in form:
        key, errors, notes = _e(bound.auto_id), bound.errors, ""
        if bound.help_text:
            notes += f'\n      <p class="field-help" id="{key}_helptext">{_e(bound.help_text)}</p>'
        if errors:
            notes += f'\n      <p class="field-error" id="{key}_error">{_e(" ".join(errors))}</p>'
        rows.append(
            f'\n    <div class="field{" field--error" if errors else ""}">\n'
            f'      <label for="{_e(bound.id_for_label)}">{_e(bound.label)}:</label>\n'
            f"      {bound}{notes}\n    </div>"
        )
    return mark_safe(  # noqa: S308 (every text above is escaped; widgets escape their own)
        '<form class="filters" method="get" action="">\n'
        f'  <h2 id="filters-heading">Filter</h2>{problems}\n'
        f'  <div class="filters__fields">{"".join(rows)}\n  </div>\n'
        '  <p class="filters__actions"><button type="submit">Apply filters</button>'
        f' <a href="{_e(context["request"].path)}">Clear</a></p>\n</form>'
    )


@row_tag(register)
def incident_rows(incident):
    """The <li> of an incident of a list page (with its country and `perpetrator_names`)."""
    perpetrators = ", ".join(
        f'<a href="{_e(p.get_absolute_url())}">{_e(p)}</a>'
        + (" (suspected)" if p.uncertain else "")
        for p in incident.perpetrator_names
    )
    place = f"{_e(incident.place)}, " if incident.place else ""
    return (
        f'\n      <li>\n        <a href="{_e(incident.get_absolute_url())}">'
        f"{_e(incident.title)}</a>\n"
        f'        <span class="meta">{_date_span(incident)} · {_e(incident.type_label)}'
        f" · {place}{country_link(incident.country)}</span>\n"
        f'        <span class="meta">Perpetrators: {perpetrators or "not identified"}'
        f" · killed {_e(count_or_unknown(incident.killed))},"
        f" injured {_e(count_or_unknown(incident.injured))}</span>\n      </li>"
    )


@row_tag(register)
def report_rows(report):
    """The <li> of a report of a list page (with its country, publisher, republisher)."""
    publisher = f" · {_e(report.publisher)}" if report.publisher else ""
    if report.republisher:
        publisher += f" (republished by {_e(report.republisher)})"
    return (
        f'\n      <li>\n        <a href="{_e(report.get_absolute_url())}">'
        f"{_e(report.title)}</a>\n"
        f'        <span class="meta">{_e(report.series)} · {country_link(report.country)}'
        f" · {_e(report.year)}{publisher}</span>\n      </li>"
    )


@row_tag(register)
def group_rows(group):
    """The <li> of a group of a list page (with its country and aliases)."""
    country = f"{country_link(group.country)} · " if group.country else ""
    aliases = ", ".join(_e(alias) for alias in group.aliases.all())
    return (
        f'\n      <li>\n        <a href="{_e(group.get_absolute_url())}">{_e(group)}</a>\n'
        f'        <span class="meta">{country}{_e(group.activity_label)}'
        f"{f' · also known as {aliases}' if aliases else ''}</span>\n      </li>"
    )


@row_tag(register)
def latest_report_rows(report):
    """The <li> of a report in the home page's latest reports."""
    publisher = f", {_e(report.publisher)}" if report.publisher else ""
    return (
        f'\n    <li><a href="{_e(report.get_absolute_url())}">{_e(report.title)}</a>'
        f' <span class="meta">{country_link(report.country)}, {_e(report.year)}{publisher}'
        "</span></li>"
    )


@row_tag(register)
def dated_incident_rows(incident, with_country=False):
    """The <li> of an incident linked with its date (and its country, on the home page):
    the home page's recent incidents, a report's "Drawn from this report"."""
    date = _e(precise_date(incident.start_date, incident.start_precision))
    country = f", {country_link(incident.country)}" if with_country else ""
    return (
        f'\n    <li><a href="{_e(incident.get_absolute_url())}">{_e(incident.title)}</a>'
        f' <span class="meta">{date}{country}</span></li>'
    )


@row_tag(register)
def timeline_rows(entry):
    """The <li> of an incident of a group's timeline (a models.TimelineEntry)."""
    return (
        f'\n      <li><span class="timeline__date">{_date_span(entry)}</span>'
        f' <a href="{_e(entry.get_absolute_url())}">{_e(entry.title)}</a>'
        f"{' (suspected)' if entry.uncertain else ''}</li>"
    )
