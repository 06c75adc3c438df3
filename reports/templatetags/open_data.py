"""The open-data surfaces of the pages, as data: JSON-LD, Dublin Core, feed links,
citation downloads and the Download menu of the lists.

The JSON-LD is built in reports/opendata/citing.py and escaped there for a <script>
element (`<`, `>` and `&` as \\u003C ...), so document text can never close the element.
"""

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from jinja2 import pass_context
from markupsafe import Markup

from reports.links import url_for
from reports.models import (
    PUBLISHED_PARTS,
    Country,
    Group,
    Incident,
    Report,
    load_published_parts,
    published_claims_prefetch,
)
from reports.opendata import citing
from reports.opendata.claims import published_estimates
from reports.templatetags import template_global
from reports.templatetags.formatting import filters_of


def absolute(context, path):
    return context["request"].build_absolute_uri(path)


@template_global
@pass_context
def json_ld(context, obj, sources=()):
    """The JSON-LD describing a report, incident or group, for a ld+json <script>.

    An incident's published claims are read as Incident.objects.for_detail() prefetched
    them, a group's claims, relations and designations as its page read them
    (load_published_parts), else now."""
    url = absolute(context, obj.get_absolute_url())
    sources = [(r.title, absolute(context, r.get_absolute_url())) for r in sources]
    if isinstance(obj, Report):
        data = citing.report_ld(obj, url)
    elif isinstance(obj, Incident):
        # What for_detail() prefetched is not read again (nor its query built).
        if not hasattr(obj, "published_claims"):
            prefetch_related_objects([obj], published_claims_prefetch())
        perpetrators = [
            (p.group.name, absolute(context, p.group.get_absolute_url()))
            for p in getattr(obj, "published_perpetrations", [])
        ]
        data = citing.incident_ld(obj, url, perpetrators, sources, published_estimates(obj))
    elif isinstance(obj, Group):
        if not all(hasattr(obj, name) for name in PUBLISHED_PARTS):
            load_published_parts(obj)
        relations = [
            (relation, absolute(context, relation.other.get_absolute_url()))
            for relation in obj.published_relations
        ]
        data = citing.group_ld(
            obj,
            url,
            obj.aliases.all(),
            sources,
            published_estimates(obj),
            relations,
            obj.published_designations,
        )
    else:
        return ""
    # Markup: json_for_script escapes <, > and & so the text cannot end the element.
    return Markup(citing.json_for_script(data))  # noqa: S704


@template_global
@pass_context
def dublin_core(context, report):
    """The Dublin Core (name, content) pairs of a report's page."""
    return citing.dublin_core(report, absolute(context, report.get_absolute_url()))


@template_global
def feed_links(obj=None):
    """(title, URL) of the latest-entries feeds, and of the page's own feed if any."""
    links = [
        (_("Latest reports"), url_for("open_data:feed-reports")),
        (_("Latest incidents"), url_for("open_data:feed-incidents")),
    ]
    if isinstance(obj, Group):
        title = _("Incidents of %(group)s") % {"group": obj}
        links.append((title, url_for("open_data:feed-group", slug=obj.slug)))
    elif isinstance(obj, Country):
        title = _("Latest about %(country)s") % {"country": obj}
        links.append((title, url_for("open_data:feed-country", code=obj.code)))
    return links


@template_global
def cite_links(obj):
    """(label, URL) of the BibTeX, RIS and CSL-JSON of the "Cite this" line."""
    kind = citing.kind_of(obj)
    return [
        (label, url_for(f"open_data:{kind}-cite-{fmt}", slug=obj.slug))
        for label, fmt in (("BibTeX", "bib"), ("RIS", "ris"), ("CSL-JSON", "json"))
    ]


@template_global
@pass_context
def download_menu(context, kind):
    """The links of a list's Download menu: CSV and JSON of what the filters select."""
    query = filters_of(context["request"])
    suffix = f"?{query}" if query else ""
    return {
        "kind": kind,
        "links": [
            (label, url_for(f"open_data:{kind}-export-{fmt}") + suffix)
            for label, fmt in (("CSV", "csv"), ("JSON", "json"))
        ],
        "api": url_for(f"api:{kind[:-1]}-list") + suffix,
        "api_docs": url_for("api:docs"),
        "feed": url_for(f"open_data:feed-{kind}") if kind != "groups" else "",
    }
