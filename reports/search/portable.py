"""The portable search, where there is no full-text engine: the ORM's icontains.

Substrings, not words: it looks up the query's terms as typed ("Cerp" finds
"Cerpa"). Title (or name) matches rank first, then reports by newest year, incidents
by newest start date, groups by name; there is no relevance score.
"""

from functools import reduce
from operator import and_

from django.db.models import Case, Exists, OuterRef, Q, Subquery, Value, When

from reports.models import Citation, GroupAlias, Leader, Paragraph, Status
from reports.search.results import (
    ReportHit,
    group_rows,
    incident_rows,
    report_rows,
    snippet_of,
)


def searched_words(words):
    return words


def reports(words, terms, limit):
    in_text = _all(Q(text__icontains=term) for term in terms)
    matching_paragraphs = Paragraph.objects.filter(in_text, report=OuterRef("pk")).order_by(
        "number"
    )
    in_title = _all(Q(title__icontains=term) for term in terms)
    rows = list(
        _ranked(
            report_rows()
            .filter(in_title | Exists(matching_paragraphs))
            .annotate(first_paragraph=Subquery(matching_paragraphs.values("pk")[:1])),
            in_title,
            "-year",
            "title",
        )[:limit]
    )
    paragraphs = Paragraph.objects.in_bulk([r.first_paragraph for r in rows if r.first_paragraph])
    hits = []
    for report in rows:
        paragraph = paragraphs.get(report.first_paragraph)
        snippet = snippet_of(paragraph.text, terms) if paragraph else ""
        hits.append(ReportHit(report, paragraph, snippet, report.best))
    return hits


def incidents(words, terms, limit):
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
    queryset = incident_rows().filter(matches)
    return list(_ranked(queryset, in_title, "-start_date", "title")[:limit])


def groups(words, terms, limit):
    def alias(term):
        return Exists(GroupAlias.objects.filter(group=OuterRef("pk"), name__icontains=term))

    def leader(term):
        return Exists(Leader.objects.filter(group=OuterRef("pk"), name__icontains=term))

    def named(term):
        return Q(name__icontains=term) | Q(acronym__icontains=term) | alias(term)

    matches = _all(named(term) | leader(term) | Q(description__icontains=term) for term in terms)
    queryset = group_rows().filter(matches)
    return list(_ranked(queryset, _all(named(term) for term in terms), "name")[:limit])


def _all(conditions):
    return reduce(and_, conditions)


def _ranked(queryset, best, *order_by):
    """Order rows matching `best` first."""
    return queryset.annotate(
        best=Case(When(best, then=Value(True)), default=Value(False))
    ).order_by("-best", *order_by)
