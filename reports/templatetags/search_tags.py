"""The result rows of the search page (templates/reports/search.html).

They are written here rather than by template loops: with 20 reports, 20 incidents
and 20 groups, Django's template engine spent ~0.1 ms a row on its lookups, filters
and the country include, half of the page's time. Every text from the archive goes
through escape(); the query's words are marked by highlight().
"""

import re
from functools import lru_cache
from html import escape

from django import template

from reports.templatetags.formatting import precise_date
from reports.templatetags.lists import country_link, row_tag

register = template.Library()

SUMMARY_WORDS = 40


@lru_cache(maxsize=256)
def _words_pattern(query):
    """A regex splitting text around the query's words (of two letters or more), or None."""
    words = [word for word in (query or "").split() if len(word) > 1]
    if not words:
        return None
    # One group around the alternatives: split() then returns text, match, text, ...
    return re.compile(f"({'|'.join(re.escape(word) for word in words)})", re.IGNORECASE)


def highlight(text, query):
    """`text` escaped, each occurrence of a word of `query` in <mark> (any case)."""
    pattern = _words_pattern(query)
    if pattern is None:
        return escape(text)
    return "".join(
        f"<mark>{escape(piece)}</mark>" if n % 2 else escape(piece)
        for n, piece in enumerate(pattern.split(text))
    )


def first_words(text, count):
    """The first `count` words of `text`, then " …" if there were more: as Django's
    truncatewords filter, without its lazy Truncator (6 µs a call)."""
    words = text.split()
    if len(words) <= count:
        return " ".join(words)
    cut = " ".join(words[:count])
    return cut if cut.endswith(" …") else f"{cut} …"


@row_tag(register)
def report_hits(hit, query):
    """The <li> of a report hit: title, country and year, and the matching passage."""
    report = hit.report
    url = escape(report.get_absolute_url())
    passage = ""
    if hit.paragraph:
        number = hit.paragraph.number
        passage = (
            f'<blockquote class="snippet"><p>{highlight(hit.snippet, query)}</p></blockquote>'
            f'\n      <a href="{url}#p{number}">Go to paragraph {number}</a>'
        )
    return (
        f'\n    <li>\n      <a href="{url}">{highlight(report.title, query)}</a>'
        f'\n      <span class="meta">{country_link(report.country)} · {report.year}</span>'
        f"\n      {passage}\n    </li>\n    "
    )


@row_tag(register)
def incident_hits(incident, query):
    """The <li> of an incident: title, date and country, and the start of its summary."""
    summary = ""
    if incident.summary:
        words = first_words(incident.summary, SUMMARY_WORDS)
        summary = f'<p class="snippet">{highlight(words, query)}</p>'
    date = escape(precise_date(incident.start_date, incident.start_precision))
    return (
        f'\n    <li>\n      <a href="{escape(incident.get_absolute_url())}">'
        f"{highlight(incident.title, query)}</a>"
        f'\n      <span class="meta">{date} · {country_link(incident.country)}</span>'
        f"\n      {summary}\n    </li>\n    "
    )


@row_tag(register)
def group_hits(group, query):
    """The <li> of a group: its name (and acronym), and its aliases."""
    aliases = ", ".join(highlight(alias.name, query) for alias in group.aliases.all())
    if aliases:
        aliases = f'<span class="meta">Also known as {aliases}</span>'
    return (
        f'\n    <li>\n      <a href="{escape(group.get_absolute_url())}">'
        f"{highlight(str(group), query)}</a>\n      {aliases}\n    </li>\n    "
    )
