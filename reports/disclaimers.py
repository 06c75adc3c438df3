"""The disclaimers that go wherever a report's text, or facts drawn from it, are shown.

An entry (incident or group) carries the disclaimers of the published reports its
citations quote; a report carries its own. The texts are deduplicated in order: many
reports of a series share one disclaimer.
"""

from django.db.models import Q

from reports.models import Citation, Report


def distinct_disclaimers(texts):
    """The non-empty texts, each once, in order."""
    return list(dict.fromkeys(text for text in texts if text))


def disclaimers_of_citations(citations):
    """The disclaimers of the reports of already-loaded citations (no query)."""
    return distinct_disclaimers(citation.report.disclaimer for citation in citations)


def disclaimers_behind(**citation_filter):
    """Distinct disclaimers of the published reports cited by the given rows, one query.

    No query for an empty page: `citation_filter` is then an empty `__in`.
    """
    if any(value == [] for value in citation_filter.values()):
        return []
    # The reports come from the citations of this page's rows (the citation's
    # incident/group index), not from a join that starts at every published report.
    cited = Citation.objects.filter(**citation_filter).values("report_id")
    return distinct_disclaimers(
        Report.objects.published()
        .filter(pk__in=cited)
        .order_by("disclaimer")
        .values_list("disclaimer", flat=True)
        .distinct()
    )


def disclaimers_behind_results(report_ids, incident_ids, group_ids):
    """The disclaimers for a page of mixed results: those of the reports found and of the
    reports behind the incidents and groups found, in one query (none for no results)."""
    if not (report_ids or incident_ids or group_ids):
        return []
    cited = Citation.objects.filter(Q(incident__in=incident_ids) | Q(group__in=group_ids))
    return distinct_disclaimers(
        Report.objects.published()
        .filter(Q(pk__in=report_ids) | Q(pk__in=cited.values("report_id")))
        .order_by("disclaimer")
        .values_list("disclaimer", flat=True)
        .distinct()
    )
