"""The API's lists as plain rows: for one page of primary keys, what the serializers
give of each entry (serializers.py), read as values.

A serializer builds a model instance for every row and related row, then asks a field
object for each of their values; on a list that cost several times what the database
spends. These read tuples and write the same dicts: same keys in the same order, same
values. An entry's own row comes through the ORM (its converters give the dates, times
and decimals the serializers start from); its related rows, a query per kind, in plain
SQL, written out as reports.models.PerpetrationManager.published_rows() is and for the
same reason: building these small queries with the ORM cost more than running them.
Each states the same "a reader may see it" rule as the manager it stands for.

The details keep the serializers, which also describe these rows in the schema;
tests/test_api.py checks that a list's row is its entry's detail less the detail's own
fields, on both engines.
"""

from collections import defaultdict
from functools import cache
from typing import NamedTuple
from urllib.parse import quote

from django.utils.http import RFC3986_SUBDELIMS
from rest_framework import serializers
from rest_framework.reverse import reverse

from archive.routers import reading_connection as connection
from reports.claims import estimates
from reports.links import PLACEHOLDER, url_for
from reports.models import (
    INCIDENT_FIGURES,
    Citation,
    Designation,
    Figure,
    FigureClaim,
    Group,
    GroupAlias,
    GroupRelation,
    Incident,
    Leader,
    Paragraph,
    Perpetration,
    Report,
    Status,
)

# The characters Django's reverse() leaves unquoted in a URL's path.
PATH_SAFE = RFC3986_SUBDELIMS + "/~:@"
DATETIME = serializers.DateTimeField()  # the serializers' own conversion of a time


class Links:
    """The absolute URLs a page of rows links to: each kind of URL is reversed once, as
    the serializers' fields reverse it (DRF's reverse, which keeps the request's
    ?format=, for the API's; get_absolute_url() made absolute for the pages), and then
    only filled in with each entry's key."""

    def __init__(self, request, format=None):
        self.request, self.format = request, format
        self._made = {}

    def api(self, view_name, key):
        """The API detail URL `view_name` of the entry whose lookup value is `key`."""
        if view_name not in self._made:
            lookup = "pk" if view_name == "api:citation-detail" else "slug"
            url = reverse(
                view_name, kwargs={lookup: PLACEHOLDER}, request=self.request, format=self.format
            )
            self._made[view_name] = (url.partition(PLACEHOLDER)[::2], PATH_SAFE)
        return self._fill(view_name, key)

    def page(self, view_name, slug):
        """The reading room's page `view_name` of the entry `slug`, absolute."""
        if view_name not in self._made:
            url = self.request.build_absolute_uri(url_for(view_name, slug=PLACEHOLDER))
            self._made[view_name] = (url.partition(PLACEHOLDER)[::2], "")  # as url_for quotes
        return self._fill(view_name, slug)

    def _fill(self, view_name, key):
        (head, tail), safe = self._made[view_name]
        return f"{head}{quote(str(key), safe=safe)}{tail}"


def day(value):
    """A date as the serializers write it; read by plain SQL, SQLite gives its text."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def moment(value):
    return None if value is None else DATETIME.to_representation(value)


def country(code, name):
    return None if code is None else {"code": code, "name": name}


def in_order(ids, rows):
    """`rows` ({pk: row}) in the order of `ids`, less any no longer published since the
    page's ids were read."""
    return [rows[pk] for pk in ids if pk in rows]


TABLES = (
    Citation,
    Designation,
    FigureClaim,
    Group,
    GroupAlias,
    GroupRelation,
    Leader,
    Paragraph,
    Report,
)


@cache
def tables():
    """{model name: its quoted table}, for the SQL below."""
    quote_name = connection.ops.quote_name
    return {model._meta.model_name: quote_name(model._meta.db_table) for model in TABLES}


def select(sql, ids, *params, subject=""):
    """The rows of `sql`, whose `{ids}` lists the entries `ids` (before its other
    parameters, `params`), `{subject}` is "incident" or "group" and the other names in
    braces are tables (tables())."""
    # Only tables and columns are written into the SQL; every value is a parameter.
    sql = sql.format(ids=", ".join(["%s"] * len(ids)), subject=subject, **tables())
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *params])
        return cursor.fetchall()


def on_published_citation(row):
    """by_published_citation() for `row` of the SQL below: the citation it rests on
    quotes a published report."""
    sql = "EXISTS (SELECT 1 FROM {citation} c JOIN {report} r ON r.id = c.report_id"
    return f"{sql} WHERE c.id = {row}.citation_id AND r.status = %s)"  # noqa: S608 (an alias)


# --- What incidents and groups share: sources and figure claims ----------------------


class ClaimRow(NamedTuple):
    """A published figure claim, as reports.claims.estimates() reads it too."""

    figure: str
    low: int
    high: int | None
    point: int | None
    wording: str
    moment: str
    moment_date: object
    best: bool
    citation: int | None
    from_dataset: bool


# FigureClaim.objects.published(), in the claims' order (published_claims_prefetch()).
CLAIMS_SQL = f"""
    SELECT cl.{{subject}}_id, cl.figure, cl.low, cl.high, cl.point, cl.wording, cl.moment,
        cl.moment_date, cl.best, cl.citation_id, cl.from_dataset
    FROM {{figureclaim}} cl
    WHERE cl.{{subject}}_id IN ({{ids}}) AND (cl.from_dataset OR {on_published_citation("cl")})
    ORDER BY cl.figure, cl.moment_date, cl.id"""  # noqa: S608 (no value is written in)


def claim_rows(subject, ids):
    """{incident or group id: [ClaimRow]} of the published claims of `ids`."""
    claims = defaultdict(list)
    found = select(CLAIMS_SQL, ids, Status.PUBLISHED, subject=subject)
    for entry, *values, best, citation, from_dataset in found:
        # SQLite: booleans as 0 or 1.
        claims[entry].append(ClaimRow(*values, bool(best), citation, bool(from_dataset)))
    return claims


def claim_dict(claim, links):
    citation = claim.citation
    return {
        "figure": claim.figure,
        "low": claim.low,
        "high": claim.high,
        "point": claim.point,
        "wording": claim.wording,
        "moment": claim.moment,
        "moment_date": day(claim.moment_date),
        "best": claim.best,
        "citation": None if citation is None else links.api("api:citation-detail", citation),
        "from_dataset": claim.from_dataset,
    }


def figures_dict(claims, figures):
    """{figure: {"best", "low", "high"} or None}: the EstimateSerializer of each figure."""
    return {
        str(figure): None
        if found is None
        else {"best": found.best, "low": found.low, "high": found.high}
        for figure, found in estimates(claims, figures).items()
    }


# The citations of published reports, by report title and paragraph
# (CitedQuerySet.with_published_citations()). CROSS JOIN, here and below, makes SQLite
# read the page's rows first, then what they name (as Perpetration's published_rows()).
SOURCES_SQL = """
    SELECT c.{subject}_id, r.slug, r.disclaimer
    FROM {citation} c CROSS JOIN {report} r
        LEFT JOIN {paragraph} p ON p.id = c.paragraph_id
    WHERE c.{subject}_id IN ({ids}) AND r.id = c.report_id AND r.status = %s
    ORDER BY r.title, p.number, c.id"""


def sources(subject, ids, links):
    """{incident or group id: (source report URLs, disclaimers)} of `ids`, each once."""
    cited = defaultdict(lambda: ({}, {}))
    for entry, report, disclaimer in select(SOURCES_SQL, ids, Status.PUBLISHED, subject=subject):
        reports, disclaimers = cited[entry]
        reports.setdefault(report)
        if disclaimer:
            disclaimers.setdefault(disclaimer)
    return {
        entry: ([links.page("reports:report-detail", slug) for slug in reports], list(disclaimers))
        for entry, (reports, disclaimers) in cited.items()
    }


# --- Incidents ------------------------------------------------------------------------

INCIDENT_COLUMNS = (
    "pk",
    "slug",
    "title",
    "title_es",
    "summary",
    "summary_es",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "country_id",
    "country__name",
    "region",
    "city",
    "latitude",
    "longitude",
    "place_precision",
    "type",
    "violence_type",
    "state_actors",
    "target_type",
    "killed",
    "injured",
    "hostages",
    "outcome",
    "outcome_es",
    "external_id",
    "external_source",
    "updated_at",
)


def incident_rows(ids, links):
    """IncidentSerializer's rows of the published incidents `ids`, in that order."""
    if not ids:
        return []
    perpetrators = defaultdict(list)
    for incident, uncertain, slug, name, acronym, role in Perpetration.objects.published_rows(ids):
        perpetrators[incident].append(
            {"slug": slug, "name": name, "acronym": acronym, "uncertain": uncertain, "role": role}
        )
    claims = claim_rows("incident", ids)
    cited = sources("incident", ids, links)
    rows = {}
    for row in Incident.objects.published().filter(pk__in=ids).values(*INCIDENT_COLUMNS):
        pk, slug = row["pk"], row["slug"]
        source_reports, disclaimers = cited.get(pk, ([], []))
        rows[pk] = {
            "url": links.api("api:incident-detail", slug),
            "page": links.page("reports:incident-detail", slug),
            "slug": slug,
            "title": row["title"],
            "title_es": row["title_es"],
            "summary": row["summary"],
            "summary_es": row["summary_es"],
            "start_date": day(row["start_date"]),
            "start_precision": row["start_precision"],
            "end_date": day(row["end_date"]),
            "end_precision": row["end_precision"],
            "country": country(row["country_id"], row["country__name"]),
            "region": row["region"],
            "city": row["city"],
            # Decimals, which the renderer writes as numbers, as the serializer's field asks.
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "place_precision": row["place_precision"],
            "type": row["type"],
            "violence_type": row["violence_type"],
            "state_actors": row["state_actors"],
            "target_type": row["target_type"],
            "perpetrators": perpetrators.get(pk, []),
            "killed": row["killed"],
            "injured": row["injured"],
            "hostages": row["hostages"],
            "figures": figures_dict(claims.get(pk, ()), INCIDENT_FIGURES),
            "claims": [claim_dict(claim, links) for claim in claims.get(pk, ())],
            "outcome": row["outcome"],
            "outcome_es": row["outcome_es"],
            "external_id": row["external_id"],
            "external_source": row["external_source"],
            "updated_at": moment(row["updated_at"]),
            "source_reports": source_reports,
            "disclaimers": disclaimers,
        }
    return in_order(ids, rows)


# --- Groups -----------------------------------------------------------------------------

ALIASES_SQL = """
    SELECT group_id, name, language FROM {groupalias}
    WHERE group_id IN ({ids}) ORDER BY group_id, name"""
LEADERS_SQL = """
    SELECT group_id, name, role FROM {leader}
    WHERE group_id IN ({ids}) ORDER BY group_id, name"""
# GroupRelation.objects.published(): on a published report's passage, naming a published
# group; by kind, then the other's name.
RELATIONS_SQL = f"""
    SELECT rel.group_id, rel.kind, o.slug, o.name, o.acronym, rel.citation_id
    FROM {{grouprelation}} rel CROSS JOIN {{group}} o
    WHERE rel.group_id IN ({{ids}}) AND o.id = rel.other_id AND o.status = %s
        AND {on_published_citation("rel")}
    ORDER BY rel.group_id, rel.kind, o.name"""  # noqa: S608 (no value is written in)
# Designation.objects.published(), by authority and start.
DESIGNATIONS_SQL = f"""
    SELECT d.group_id, d.authority, d.list_name, d.designated_from, d.designated_to,
        d.citation_id
    FROM {{designation}} d
    WHERE d.group_id IN ({{ids}}) AND {on_published_citation("d")}
    ORDER BY d.group_id, d.authority, d.designated_from"""  # noqa: S608 (no value is written in)


def by_group(rows):
    """{group id: [the rest of each row]} of rows whose first value is the group's id."""
    grouped = defaultdict(list)
    for group, *rest in rows:
        grouped[group].append(rest)
    return grouped


GROUP_COLUMNS = (
    "pk",
    "slug",
    "name",
    "acronym",
    "country_id",
    "country__name",
    "description",
    "description_es",
    "founded_year",
    "activity",
    "updated_at",
)


def group_rows(ids, links):
    """GroupSerializer's rows of the published groups `ids`, in that order."""
    if not ids:
        return []
    aliases = by_group(select(ALIASES_SQL, ids))
    leaders = by_group(select(LEADERS_SQL, ids))
    relations = by_group(select(RELATIONS_SQL, ids, Status.PUBLISHED, Status.PUBLISHED))
    designations = by_group(select(DESIGNATIONS_SQL, ids, Status.PUBLISHED))
    claims = claim_rows("group", ids)
    cited = sources("group", ids, links)
    rows = {}
    for row in Group.objects.published().filter(pk__in=ids).values(*GROUP_COLUMNS):
        pk, slug = row["pk"], row["slug"]
        source_reports, disclaimers = cited.get(pk, ([], []))
        rows[pk] = {
            "url": links.api("api:group-detail", slug),
            "page": links.page("reports:group-detail", slug),
            "slug": slug,
            "name": row["name"],
            "acronym": row["acronym"],
            "aliases": [
                {"name": name, "language": language} for name, language in aliases.get(pk, ())
            ],
            "country": country(row["country_id"], row["country__name"]),
            "description": row["description"],
            "description_es": row["description_es"],
            "founded_year": row["founded_year"],
            "activity": row["activity"],
            "leaders": [{"name": name, "role": role} for name, role in leaders.get(pk, ())],
            "figures": figures_dict(claims.get(pk, ()), (Figure.STRENGTH,)),
            "claims": [claim_dict(claim, links) for claim in claims.get(pk, ())],
            "relations": [
                {
                    "kind": kind,
                    "other": {
                        "url": links.api("api:group-detail", other),
                        "slug": other,
                        "name": other_name,
                        "acronym": other_acronym,
                    },
                    "citation": links.api("api:citation-detail", citation),
                }
                for kind, other, other_name, other_acronym, citation in relations.get(pk, ())
            ],
            "designations": [
                {
                    "authority": authority,
                    "list": list_name,
                    "from": day(start),
                    "to": day(end),
                    "citation": links.api("api:citation-detail", citation),
                }
                for authority, list_name, start, end, citation in designations.get(pk, ())
            ],
            "updated_at": moment(row["updated_at"]),
            "source_reports": source_reports,
            "disclaimers": disclaimers,
        }
    return in_order(ids, rows)


# --- Reports and citations ---------------------------------------------------------------


REPORT_COLUMNS = (
    "pk",
    "slug",
    "title",
    "series",
    "year",
    "country_id",
    "country__name",
    "publisher__name",
    "republisher__name",
    "published_on",
    "language",
    "source_url",
    "document_identifier",
    "disclaimer",
    "source_filename",
    "sha256",
    "size_bytes",
    "imported_at",
    "updated_at",
)


def report_rows(ids, links):
    """ReportSerializer's rows of the published reports `ids`, in that order."""
    if not ids:
        return []
    rows = {}
    for row in Report.objects.published().filter(pk__in=ids).values(*REPORT_COLUMNS):
        pk, slug, disclaimer = row["pk"], row["slug"], row["disclaimer"]
        rows[pk] = {
            "url": links.api("api:report-detail", slug),
            "page": links.page("reports:report-detail", slug),
            "slug": slug,
            "title": row["title"],
            "series": row["series"],
            "year": row["year"],
            "country": country(row["country_id"], row["country__name"]),
            "publisher": row["publisher__name"],
            "republisher": row["republisher__name"],
            "published_on": day(row["published_on"]),
            "language": row["language"],
            "source_url": row["source_url"],
            "document_identifier": row["document_identifier"],
            "disclaimer": disclaimer,
            "disclaimers": [disclaimer] if disclaimer else [],
            "source_filename": row["source_filename"],
            "sha256": row["sha256"],
            "size_bytes": row["size_bytes"],
            "imported_at": moment(row["imported_at"]),
            "updated_at": moment(row["updated_at"]),
        }
    return in_order(ids, rows)


CITATION_COLUMNS = (
    "pk",
    "report__slug",
    "paragraph__number",
    "quote",
    "incident__slug",
    "group__slug",
    "facts",
    "note",
    "created_at",
    "report__disclaimer",
)


def citation_rows(ids, links):
    """CitationSerializer's rows of the published citations `ids`, in that order."""
    if not ids:
        return []
    rows = {}
    for row in Citation.objects.published_by_key().filter(pk__in=ids).values(*CITATION_COLUMNS):
        pk, report, paragraph = row["pk"], row["report__slug"], row["paragraph__number"]
        incident, group = row["incident__slug"], row["group__slug"]
        disclaimer = row["report__disclaimer"]
        rows[pk] = {
            "url": links.api("api:citation-detail", pk),
            "id": pk,
            "report": links.api("api:report-detail", report),
            "paragraph": paragraph,
            # The paragraph's anchor (Paragraph.anchor) on the report's page.
            "passage": links.page("reports:report-detail", report)
            + ("" if paragraph is None else f"#p{paragraph}"),
            "quote": row["quote"],
            "incident": None if incident is None else links.api("api:incident-detail", incident),
            "group": None if group is None else links.api("api:group-detail", group),
            "facts": [None if fact is None else str(fact) for fact in row["facts"]],
            "note": row["note"],
            "created_at": moment(row["created_at"]),
            "disclaimers": [disclaimer] if disclaimer else [],
        }
    return in_order(ids, rows)
