"""One search over the archive's published reports, incidents and groups.

The view calls only this, so the engine behind it can change:

    search_archive(query: str, limit: int = 20) -> SearchResults

    SearchResults(reports, incidents, groups, query)
        reports:   [ReportHit], at most `limit`, title matches first
        incidents: [Incident],  at most `limit`, title matches first; each from
                   Incident.objects.for_list() (country, published_perpetrations)
        groups:    [Group],     at most `limit`, name/acronym/alias matches first;
                   each from Group.objects.for_list() (country, aliases)
    ReportHit(report, paragraph, snippet, title_match)
        report:      a Report from Report.objects.for_list()
        paragraph:   the first Paragraph whose text matches, or None
        snippet:     plain text (not HTML; the template escapes it) around the match
        title_match: True when the title matched

Only published rows are ever returned (for incidents and groups matched through a
cited passage, only citations of published reports count). An empty or blank query
returns empty results without touching the database.

This first version is portable (icontains, every word must match somewhere);
a later version may use PostgreSQL full-text search or SQLite FTS5 behind the same
signature and result shape.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import and_

from django.db.models import Case, Exists, OuterRef, Q, Subquery, Value, When

from reports.models import (
    Citation,
    Group,
    GroupAlias,
    Incident,
    Leader,
    Paragraph,
    Report,
    Status,
)

MAX_TERMS = 8
SNIPPET_CHARS = 240


@dataclass
class ReportHit:
    report: Report
    paragraph: Paragraph | None
    snippet: str
    title_match: bool


@dataclass
class SearchResults:
    reports: list = field(default_factory=list)
    incidents: list = field(default_factory=list)
    groups: list = field(default_factory=list)
    query: str = ""

    def __bool__(self):
        return bool(self.reports or self.incidents or self.groups)

    @property
    def count(self):
        return len(self.reports) + len(self.incidents) + len(self.groups)


def search_archive(query, limit=20):
    """Return the published reports, incidents and groups matching every word of `query`."""
    terms = (query or "").split()[:MAX_TERMS]
    if not terms:
        return SearchResults(query=query or "")
    return SearchResults(
        reports=_reports(terms, limit),
        incidents=_incidents(terms, limit),
        groups=_groups(terms, limit),
        query=query,
    )


def _all(conditions):
    return reduce(and_, conditions)


def _ranked(queryset, best, *order_by):
    """Order rows matching `best` first."""
    return queryset.annotate(
        best=Case(When(best, then=Value(True)), default=Value(False))
    ).order_by("-best", *order_by)


def _reports(terms, limit):
    in_text = _all(Q(text__icontains=term) for term in terms)
    matching_paragraphs = Paragraph.objects.filter(in_text, report=OuterRef("pk")).order_by(
        "number"
    )
    in_title = _all(Q(title__icontains=term) for term in terms)
    reports = list(
        _ranked(
            Report.objects.for_list()
            .filter(in_title | Exists(matching_paragraphs))
            .annotate(first_paragraph=Subquery(matching_paragraphs.values("pk")[:1])),
            in_title,
            "-year",
            "title",
        )[:limit]
    )
    paragraphs = Paragraph.objects.in_bulk(
        [r.first_paragraph for r in reports if r.first_paragraph]
    )
    hits = []
    for report in reports:
        paragraph = paragraphs.get(report.first_paragraph)
        snippet = snippet_of(paragraph.text, terms) if paragraph else ""
        hits.append(ReportHit(report, paragraph, snippet, report.best))
    return hits


def _incidents(terms, limit):
    def cited(term):
        return Exists(
            Citation.objects.filter(
                incident=OuterRef("pk"), report__status=Status.PUBLISHED, quote__icontains=term
            )
        )

    matches = _all(
        Q(title__icontains=term) | Q(summary__icontains=term) | cited(term) for term in terms
    )
    in_title = _all(Q(title__icontains=term) for term in terms)
    queryset = Incident.objects.for_list().filter(matches)
    return list(_ranked(queryset, in_title, "-start_date", "title")[:limit])


def _groups(terms, limit):
    def alias(term):
        return Exists(GroupAlias.objects.filter(group=OuterRef("pk"), name__icontains=term))

    def leader(term):
        return Exists(Leader.objects.filter(group=OuterRef("pk"), name__icontains=term))

    def named(term):
        return Q(name__icontains=term) | Q(acronym__icontains=term) | alias(term)

    matches = _all(named(term) | leader(term) | Q(description__icontains=term) for term in terms)
    queryset = Group.objects.for_list().filter(matches)
    return list(_ranked(queryset, _all(named(term) for term in terms), "name")[:limit])


def snippet_of(text, terms, width=SNIPPET_CHARS):
    """Return about `width` characters of `text` around the first term found, with ellipses."""
    lowered = text.lower()
    found = [at for at in (lowered.find(term.lower()) for term in terms) if at >= 0]
    if len(text) <= width:
        return text
    at = min(found) if found else 0
    start = max(0, at - width // 3)
    end = min(len(text), start + width)
    start = max(0, end - width)
    # Cut at word boundaries so a snippet never starts or ends mid-word.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > at else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")
