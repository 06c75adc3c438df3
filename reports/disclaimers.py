"""The disclaimers that go wherever a report's text, or facts drawn from it, are shown.

An entry (incident or group) carries the disclaimers of the published reports its
citations quote; a report carries its own. The texts are deduplicated in order: many
reports of a series share one disclaimer. Pages get each with its language, so the
text is marked as written in its report's language; files and the API get the texts.
"""

from dataclasses import dataclass

from django.db.models import Q

from reports.models import Citation, Report


@dataclass(frozen=True)
class Disclaimer:
    """A disclaimer's text and the language it is written in (its report's)."""

    text: str
    language: str


def distinct_disclaimers(pairs):
    """[Disclaimer] of the (text, language) pairs that have a text, each once, in order."""
    return [Disclaimer(*pair) for pair in dict.fromkeys(pair for pair in pairs if pair[0])]


def disclaimers_of_citations(citations):
    """The disclaimer texts of the reports of already-loaded citations (no query)."""
    return list(dict.fromkeys(c.report.disclaimer for c in citations if c.report.disclaimer))


def _published_disclaimers(reports_filter):
    return distinct_disclaimers(
        Report.objects.published()
        .filter(reports_filter)
        .order_by("disclaimer", "language")
        .values_list("disclaimer", "language")
        .distinct()
    )


def disclaimers_behind(**citation_filter):
    """Distinct disclaimers of the published reports cited by the given rows, one query.

    No query for an empty page: `citation_filter` is then an empty `__in`.
    """
    if any(value == [] for value in citation_filter.values()):
        return []
    # The reports come from the citations of this page's rows (the citation's
    # incident/group index), not from a join that starts at every published report.
    cited = Citation.objects.filter(**citation_filter).values("report_id")
    return _published_disclaimers(Q(pk__in=cited))


def disclaimers_behind_results(report_ids, incident_ids, group_ids):
    """The disclaimers for a page of mixed results: those of the reports found and of the
    reports behind the incidents and groups found, in one query (none for no results)."""
    if not (report_ids or incident_ids or group_ids):
        return []
    cited = Citation.objects.filter(Q(incident__in=incident_ids) | Q(group__in=group_ids))
    return _published_disclaimers(Q(pk__in=report_ids) | Q(pk__in=cited.values("report_id")))
