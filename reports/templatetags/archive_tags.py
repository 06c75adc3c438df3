"""Template helpers for the reading room: dates at their precision, marked passages,
footnotes, absolute URLs and query strings.

Everything that puts document text into HTML escapes it piece by piece; nothing here
calls mark_safe on text that came from a document.
"""

import functools
import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django import template
from django.utils.dateformat import format as format_date
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from reports.links import url_for
from reports.models import DatePrecision, Fact, normalise_space

register = template.Library()

DATE_FORMATS = {
    DatePrecision.DAY: "j F Y",
    DatePrecision.MONTH: "F Y",
    DatePrecision.YEAR: "Y",
}


@register.filter
def precise_date(value, precision=DatePrecision.DAY):
    """Show a date only as precisely as the source gives it: "May 1997", not "1 May 1997"."""
    if not value:
        return ""
    date_format = DATE_FORMATS.get(precision, DATE_FORMATS[DatePrecision.DAY])
    return _formatted(value, date_format, get_language())


# A timeline or list shows dozens of dates, and Django's date formatting costs ~0.05 ms
# each; 30 years hold only ~11,000 days. The language is part of the key (month names).
@lru_cache(maxsize=16384)
def _formatted(value, date_format, language):
    return format_date(value, date_format)


@register.filter
def count_or_unknown(value):
    """A figure the source does not give is "unknown", never zero."""
    return "unknown" if value is None else value


@dataclass
class Mark:
    """A passage to mark in a text, and where each of its links goes."""

    quote: str
    links: list = field(default_factory=list)  # [(url, label)]


def _quote_pattern(quote):
    """A regex finding `quote` in a text whatever whitespace separates its words, or None."""
    words = normalise_space(quote).split(" ")
    return re.compile(r"\s+".join(map(re.escape, words))) if words != [""] else None


def find_spans(text, quotes):
    """Return merged [start, end, [indexes of quotes]] spans of `text` where the quotes occur.

    Quotes match whitespace aside (a quote copied across a line break still matches);
    overlapping matches merge into one span; quotes not found are left out.
    """
    spans = []
    for index, quote in enumerate(quotes):
        pattern = _quote_pattern(quote)
        # Case matters: citations quote exactly.
        match = pattern.search(text) if pattern else None
        if match:
            spans.append([match.start(), match.end(), [index]])
    spans.sort()
    merged = []
    for span in spans:
        if merged and span[0] < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span[1])
            merged[-1][2].extend(span[2])
        else:
            merged.append(span)
    return merged


def mark_passages(text, marks):
    """Return `text` as safe HTML with each Mark's quote in <mark>, followed by its links.

    Every piece of `text` is escaped before it is joined to the markup.
    """
    if not marks:  # most paragraphs cite nothing
        return escape(text)
    pieces, position = [], 0
    for start, end, indexes in find_spans(text, [mark.quote for mark in marks]):
        links = [link for index in indexes for link in marks[index].links]
        pieces.append(escape(text[position:start]))
        pieces.append(format_html('<mark class="cited">{}</mark>', text[start:end]))
        pieces.extend(
            format_html('<a class="cited-by" href="{}">[{}]</a>', url, label)
            for url, label in dict.fromkeys(links)
        )
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped


def marked_paragraph(paragraph, marks_by_paragraph):
    """Render a paragraph's text with the passages cited from it marked and linked."""
    return mark_passages(paragraph.text, marks_by_paragraph.get(paragraph.pk, []))


@register.simple_tag
def paragraph_rows(paragraphs, marks_by_paragraph):
    """A report's paragraphs, each with its anchor and its cited passages marked.

    Written in Python: a report has dozens, and the template loop cost ~0.1 ms each.
    """
    return mark_safe(  # noqa: S308 (mark_passages escapes the text piece by piece)
        "".join(
            f'\n    <p class="para" id="p{p.number:d}"><a class="para-anchor" href="#p{p.number:d}"'
            f' aria-label="Link to paragraph {p.number:d}">¶{p.number:d}</a>'
            f" {marked_paragraph(p, marks_by_paragraph)}</p>"
            for p in paragraphs
        )
    )


@register.simple_tag(takes_context=True)
def absolute_url(context, obj):
    """The object's permanent URL on this host, for "Cite this" lines."""
    return context["request"].build_absolute_uri(obj.get_absolute_url())


@register.simple_tag(takes_context=True)
def query_without_page(context):
    """The current query string minus `page`, so pagination keeps the filters."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    return query.urlencode()


@register.simple_tag
def fact_notes(notes, fact):
    """Footnote markers linking a figure to the citations that support it.

    Written in Python: a detail page has up to nine, each a template of its own before.
    """
    return mark_safe(  # noqa: S308 (footnote numbers are integers)
        "".join(
            f'<sup class="footnote-ref"><a href="#c{number:d}" aria-label="Source {number:d}">'
            f"[{number:d}]</a></sup>"
            for number in notes.get(fact, [])
        )
    )


def subject_label(subject):
    """A short label for the incident or group a passage is cited by."""
    return getattr(subject, "acronym", "") or str(getattr(subject, "title", "") or subject)


def marks_by_paragraph(paragraphs, citations):
    """Return {paragraph pk: [Mark]} for the citations, one Mark per distinct quote.

    A citation saved without its paragraph (e.g. loaded from a fixture) is placed in
    the first paragraph that contains its quote.
    """
    marks = {}
    for citation in citations:
        paragraph_id = citation.paragraph_id
        if paragraph_id is None:
            needle = normalise_space(citation.quote)
            paragraph_id = next(
                (p.pk for p in paragraphs if needle in normalise_space(p.text)), None
            )
        if paragraph_id is None:
            continue
        by_quote = marks.setdefault(paragraph_id, {})
        mark = by_quote.setdefault(citation.quote, Mark(citation.quote))
        subject = citation.subject
        mark.links.append((subject.get_absolute_url(), subject_label(subject)))
    return {pk: list(by_quote.values()) for pk, by_quote in marks.items()}


def footnotes(citations):
    """Return {fact: [footnote numbers]} where citation n (from 1) supports the fact."""
    notes = {}
    for number, citation in enumerate(citations, start=1):
        for fact in citation.facts or []:
            notes.setdefault(fact, []).append(number)
    return notes


@register.filter
def fact_labels(facts):
    """Readable names of the facts a citation supports."""
    labels = dict(Fact.choices)
    return ", ".join(str(labels.get(fact, fact)) for fact in facts or [])


@register.filter
def as_list(value):
    """Wrap one object in a list, for partials that take several."""
    return [value]


@register.inclusion_tag("reports/includes/cite_this.html", takes_context=True)
def cite_this(context, obj):
    """A citation line in Refworld's pattern: author, <i>title</i>, date, URL, accessed date.

    A report is cited as its publisher's document; an incident or group as the
    archive's entry, dated when it was last published.
    """
    if hasattr(obj, "sha256"):  # a Report
        author = obj.publisher or obj.republisher or context.get("archive_name", "")
        title = obj.title
        date = format_date(obj.published_on, "j F Y") if obj.published_on else str(obj.year)
    else:
        author = context.get("archive_name", "")
        title = str(obj)
        when = obj.status_changed_at or obj.updated_at
        date = format_date(when, "j F Y")
    return {
        "author": author,
        "title": title,
        "date": date,
        "url": context["request"].build_absolute_uri(obj.get_absolute_url()),
        "obj": obj,  # for the citation downloads beside the line
    }


@register.simple_tag
def url_of(viewname, **kwargs):
    """{% url %} for the pages' many links, without resolving the URLconf each time
    (reports/links.py)."""
    return url_for(viewname, **kwargs)


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
