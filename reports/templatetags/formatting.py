"""Filters and globals every public page uses: dates at their precision, unknown
figures, the query string of a list."""

from functools import lru_cache

from django.utils.dateformat import format as format_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from jinja2 import pass_context

from reports.models import DatePrecision
from reports.templatetags import template_filter, template_global

DATE_FORMATS = {
    DatePrecision.DAY: "j F Y",
    DatePrecision.MONTH: "F Y",
    DatePrecision.YEAR: "Y",
}


@template_filter
def precise_date(value, precision=DatePrecision.DAY):
    """Show a date only as precisely as the source gives it: "May 1997", not "1 May 1997"."""
    if not value:
        return ""
    date_format = DATE_FORMATS.get(precision, DATE_FORMATS[DatePrecision.DAY])
    return _formatted(value, date_format, get_language())


# A timeline or list formats dozens of dates, most of them again and again; decades of
# days are few. The language is part of the key (month names).
@lru_cache(maxsize=16384)
def _formatted(value, date_format, language):
    return format_date(value, date_format)


@template_filter
def date_span(entry):
    """An incident's dates at their precision: "May 1997" or "1 May 1997 – June 1997"."""
    text = precise_date(entry.start_date, entry.start_precision)
    if entry.end_date:
        text += " – " + precise_date(entry.end_date, entry.end_precision)
    return text


@template_filter
def count_or_unknown(value):
    """A figure the source does not give is "unknown", never zero."""
    return _("unknown") if value is None else value


@template_global
@pass_context
def query_without_page(context):
    """The current query string minus `page`, so pagination keeps the filters."""
    return filters_of(context["request"])


def filters_of(request):
    """The request's query string minus `page`: the list's filters and sort."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
