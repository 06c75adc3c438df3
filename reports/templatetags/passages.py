"""Template helpers for the reading room: dates at their precision, marked passages,
footnotes, absolute URLs and query strings.

Everything that puts document text into HTML escapes it piece by piece; nothing here
calls mark_safe on text that came from a document.
"""

import re
from dataclasses import dataclass, field

from django import template
from django.utils.dateformat import format as format_date
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from reports.models import Fact, normalise_space

register = template.Library()


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
