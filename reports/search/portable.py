"""The portable search, where there is no full-text engine: the ORM's icontains.

Substrings, not words: it looks up the query's terms as typed ("Cerp" finds
"Cerpa"; a phrase as its words with single spaces), with the query's OR and NOT.
Title (or name) matches rank first, then reports by newest year, incidents
by newest start date, groups by name; there is no relevance score.
"""

from functools import reduce
from operator import and_, or_

from django.db.models import Case, Exists, OuterRef, Q, Subquery, Value, When

from reports.models import Citation, GroupAlias, Leader, Paragraph, Status
from reports.search.results import (
    ReportHit,
    group_rows,
    incident_rows,
    report_rows,
    snippet_of,
)


def searched(query):
    return query


def condition(query, matches):
    """The Q of rows matching `query`, given `matches(text)`, the Q of rows with `text`:
    every positive clause (any of its terms), none of the negated ones."""

    def clause(clause):
        return reduce(or_, (matches(term.text or " ".join(term.words)) for term in clause.terms))

    return _all(~clause(each) if each.negated else clause(each) for each in query.clauses)


def reports(query, limit):
    terms = query.words
    in_text = condition(query, lambda term: Q(text__icontains=term))
    matching_paragraphs = Paragraph.objects.filter(in_text, report=OuterRef("pk")).order_by(
        "number"
    )
    in_title = condition(query, lambda term: Q(title__icontains=term))
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


def incidents(query, limit):
    queryset = incident_rows().filter(condition(query, MATCHES["incidents"]))
    in_title = condition(query, MATCHES["incident_titles"])
    return list(_ranked(queryset, in_title, "-start_date", "title")[:limit])


def groups(query, limit):
    queryset = group_rows().filter(condition(query, MATCHES["groups"]))
    return list(_ranked(queryset, condition(query, MATCHES["group_names"]), "name")[:limit])


def _all(conditions):
    return reduce(and_, conditions)


def _ranked(queryset, best, *order_by):
    """Order rows matching `best` first."""
    return queryset.annotate(
        best=Case(When(best, then=Value(True)), default=Value(False))
    ).order_by("-best", *order_by)


def matching(kind, query):
    """A condition on `kind`'s rows (search.listing.KINDS) that match `query` (the full-
    text engines give SQL instead: matching_sql)."""
    if kind == "reports":
        in_text = condition(query, lambda term: Q(text__icontains=term))
        passages = Paragraph.objects.filter(in_text, report=OuterRef("pk"))
        return condition(query, lambda term: Q(title__icontains=term)) | Exists(passages)
    return condition(query, MATCHES[kind])


def _cited(term):
    return Exists(
        Citation.objects.filter(
            incident=OuterRef("pk"), report__status=Status.PUBLISHED, quote__icontains=term
        )
    )


def _named(term):
    alias = GroupAlias.objects.filter(group=OuterRef("pk"), name__icontains=term)
    return Q(name__icontains=term) | Q(acronym__icontains=term) | Exists(alias)


MATCHES = {
    "passages": lambda term: Q(text__icontains=term),
    "report_titles": lambda term: Q(title__icontains=term),
    "incidents": lambda term: Q(title__icontains=term) | Q(summary__icontains=term) | _cited(term),
    "incident_titles": lambda term: Q(title__icontains=term),
    "groups": lambda term: (
        _named(term)
        | Exists(Leader.objects.filter(group=OuterRef("pk"), name__icontains=term))
        | Q(description__icontains=term)
    ),
    "group_names": _named,
}
