"""Quoted passages in a report's text, and the footnotes of an entry's facts.

Plain data for the pages: which stretches of a paragraph are quoted and by whom,
and which citation numbers support which fact. The templates write the markup
(templates/reports/includes/paragraphs.html, footnotes.html) and escape the text.
"""

import re
from dataclasses import dataclass, field

from reports.models import normalise_space


@dataclass
class Mark:
    """A passage to mark in a text, and where each of its links goes."""

    quote: str
    links: list = field(default_factory=list)  # [(url, label)]


@dataclass(frozen=True)
class Segment:
    """A stretch of a paragraph's text: marked if it is quoted, with the links to the
    entries quoting it (shown after it)."""

    text: str
    marked: bool = False
    links: tuple = ()  # ((url, label), ...)
    # A marked passage's number on the page (1, 2, ... through the report): its marker
    # in the text leads to the list of the entries quoting it, below the paragraph.
    number: int | None = None


@dataclass(frozen=True)
class MarkedParagraph:
    """A paragraph of a report as its page shows it: its number and its segments."""

    number: int
    segments: list

    @property
    def passages(self):
        """The marked segments, in order: the paragraph's list of entries follows them."""
        return [segment for segment in self.segments if segment.marked]


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


def mark_passages(text, marks, first_number=1):
    """Split `text` into Segments: each Mark's quote marked, with its links.

    Marked segments are numbered from `first_number`. Unquoted stretches are plain
    segments; an empty stretch is left out.
    """
    if not marks:  # most paragraphs cite nothing
        return [Segment(text)]
    segments, position = [], 0
    for start, end, indexes in find_spans(text, [mark.quote for mark in marks]):
        if start > position:
            segments.append(Segment(text[position:start]))
        links = [link for index in indexes for link in marks[index].links]
        number = first_number + sum(segment.marked for segment in segments)
        segments.append(Segment(text[start:end], True, tuple(dict.fromkeys(links)), number))
        position = end
    if position < len(text) or not segments:
        segments.append(Segment(text[position:]))
    return segments


def marked_paragraphs(paragraphs, marks):
    """The report's paragraphs with the passages `marks` ({paragraph pk: [Mark]}) marked,
    numbered through the report."""
    marked, number = [], 1
    for paragraph in paragraphs:
        segments = mark_passages(paragraph.text, marks.get(paragraph.pk, ()), number)
        marked.append(MarkedParagraph(paragraph.number, segments))
        number += sum(segment.marked for segment in segments)
    return marked


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


def footnote_numbers(citations):
    """{citation pk: n}: a page's citations numbered as footnotes() numbers them."""
    return {citation.pk: number for number, citation in enumerate(citations, start=1)}


def footnotes(citations):
    """Return {fact: [footnote numbers]} where citation n (from 1) supports the fact."""
    notes = {}
    for number, citation in enumerate(citations, start=1):
        for fact in citation.facts or []:
            notes.setdefault(fact, []).append(number)
    return notes
