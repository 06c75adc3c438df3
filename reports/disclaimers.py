"""The disclaimers that go wherever a report's text, or facts drawn from it, are shown.

An entry (incident or group) carries the disclaimers of the published reports its
citations quote; a report carries its own. The texts are deduplicated in order: many
reports of a series share one disclaimer. Pages get each with its language, so the
text is marked as written in its report's language; files and the API get the texts.
"""

from dataclasses import dataclass

from archive.routers import reading_connection as connection
from reports.models import Status


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


# The reports behind a page's rows: those listed, and those that the listed incidents'
# and groups cite (through the citation's incident/group index, not a join from every
# published report). Written out because the ORM's version of this one statement costs
# several times what running it does, on every list and search page.
CITED_SQL = """
SELECT DISTINCT r.disclaimer, r.language FROM reports_report r
WHERE r.status = %s AND r.id IN (
    SELECT id FROM reports_report WHERE id IN ({reports})
    UNION ALL SELECT report_id FROM reports_citation WHERE incident_id IN ({incidents})
    UNION ALL SELECT report_id FROM reports_citation WHERE group_id IN ({groups}))
ORDER BY r.disclaimer, r.language
"""


def disclaimers_behind(reports=(), incidents=(), groups=()):
    """[Disclaimer] of the published reports among `reports` (ids) and of those cited by
    `incidents` and `groups` (ids): one query, none when all three are empty."""
    if not (reports or incidents or groups):
        return []
    lists = {"reports": reports, "incidents": incidents, "groups": groups}
    # "IN (NULL)" matches nothing on both engines; PostgreSQL refuses "IN ()".
    sql = CITED_SQL.format(**{k: ", ".join(["%s"] * len(v)) or "NULL" for k, v in lists.items()})
    with connection.cursor() as cursor:
        cursor.execute(sql, [Status.PUBLISHED, *reports, *incidents, *groups])
        return distinct_disclaimers(cursor.fetchall())
