"""Filters and globals every public page uses: dates at their precision and numbers in
the page's language, unknown figures, the query string of a list."""

from functools import lru_cache

from django.conf import settings
from django.utils.dateformat import format as format_date
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from jinja2 import pass_context

from reports.caching import page_query
from reports.models import DatePrecision
from reports.templatetags import template_filter, template_global

# Per language, per precision: "22 April 1997", "May 1997"; "22 de abril de 1997",
# "mayo de 1997" (Django's month names, lower case in Spanish).
DATE_FORMATS = {
    "en": {
        DatePrecision.DAY: "j F Y",
        DatePrecision.MONTH: "F Y",
        DatePrecision.YEAR: "Y",
    },
    "es": {
        DatePrecision.DAY: r"j \d\e F \d\e Y",
        DatePrecision.MONTH: r"F \d\e Y",
        DatePrecision.YEAR: "Y",
    },
}


@template_filter
def precise_date(value, precision=DatePrecision.DAY):
    """Show a date only as precisely as the source gives it: "May 1997", not "1 May 1997"."""
    if not value:
        return ""
    language = get_language()
    formats = DATE_FORMATS.get(language) or DATE_FORMATS[settings.LANGUAGE_CODE]
    return _formatted(value, formats.get(precision, formats[DatePrecision.DAY]), language)


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
    return _("unknown") if value is None else number(value)


@template_filter
def count_at_most(value, limit):
    """A count that stops at `limit`: "1,000+" for any count above it."""
    return f"{number(limit)}+" if value > limit else number(value)


@template_filter
def number(value):
    """A whole number as the page's language writes it: 12,500 in English, 12 500 (a
    no-break space) in Spanish (Django's locale formats)."""
    if value is None:
        return ""
    if isinstance(value, int):
        if -1000 < value < 1000:
            return str(value)  # the same in every language, and a chart table has many
        # Django's number_format() reads three formats through the active language's
        # lookups on every call; a page with a chart writes dozens of numbers.
        if separator := _thousands_separator(get_language()):
            return f"{value:,}".replace(",", separator)
    return number_format(value, force_grouping=True)


@lru_cache(maxsize=16)
def _thousands_separator(language):
    """The language's thousands separator where it groups digits by threes, else None."""
    if get_format("NUMBER_GROUPING", language) != 3:
        return None
    return get_format("THOUSAND_SEPARATOR", language)


@template_global
@pass_context
def query_without_page(context):
    """The current query string minus `page`, so pagination keeps the filters."""
    return filters_of(context["request"])


def filters_of(request):
    """The request's query string minus `page`: the list's filters and sort."""
    return page_query(request, leave_out=["page"])
