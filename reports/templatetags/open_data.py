"""Tags that put the open-data surfaces on the pages: JSON-LD, Dublin Core, feed links,
citation downloads and the Download menu of the lists.

The JSON-LD is built in reports/citing.py and escaped there for a <script> element
(`<`, `>` and `&` as \\u003C ...), so document text can never close the element.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from reports.links import url_for
from reports.models import Country, Group, Incident, Report
from reports.opendata import citing

register = template.Library()


def absolute(context, path):
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def json_ld(context, obj):
    """<script type="application/ld+json"> describing a report, incident or group."""
    url = absolute(context, obj.get_absolute_url())
    sources = [
        (r.title, absolute(context, r.get_absolute_url())) for r in context.get("sources", [])
    ]
    if isinstance(obj, Report):
        data = citing.report_ld(obj, url)
    elif isinstance(obj, Incident):
        perpetrators = [
            (p.group.name, absolute(context, p.group.get_absolute_url()))
            for p in getattr(obj, "published_perpetrations", [])
        ]
        data = citing.incident_ld(obj, url, perpetrators, sources)
    elif isinstance(obj, Group):
        data = citing.group_ld(obj, url, obj.aliases.all(), sources)
    else:
        return ""
    # json_for_script escapes <, > and & so the text cannot end the element.
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(citing.json_for_script(data)),  # noqa: S308 - escaped for <script> above
    )


@register.simple_tag(takes_context=True)
def dublin_core(context, report):
    """Dublin Core <meta> tags of a report's page (every value escaped)."""
    url = absolute(context, report.get_absolute_url())
    return format_html(
        '<link rel="schema.DC" href="{}">\n{}',
        citing.DUBLIN_CORE,
        format_html_join("\n", '<meta name="{}" content="{}">', citing.dublin_core(report, url)),
    )


@register.simple_tag
def feed_links(obj=None):
    """<link rel="alternate"> for the latest-entries feeds, and the page's own feed if any."""
    links = [
        ("Latest reports", url_for("open_data:feed-reports")),
        ("Latest incidents", url_for("open_data:feed-incidents")),
    ]
    if isinstance(obj, Group):
        links.append((f"Incidents of {obj}", url_for("open_data:feed-group", slug=obj.slug)))
    elif isinstance(obj, Country):
        links.append((f"Latest about {obj}", url_for("open_data:feed-country", code=obj.code)))
    return format_html_join(
        "\n",
        '<link rel="alternate" type="application/atom+xml" title="{}" href="{}">',
        links,
    )


@register.inclusion_tag("open_data/cite_links.html")
def cite_links(obj):
    """Links to the BibTeX, RIS and CSL-JSON of the "Cite this" line."""
    kind = citing.kind_of(obj)
    return {
        "links": [
            (label, url_for(f"open_data:{kind}-cite-{fmt}", slug=obj.slug))
            for label, fmt in (("BibTeX", "bib"), ("RIS", "ris"), ("CSL-JSON", "json"))
        ]
    }


@register.inclusion_tag("open_data/download_menu.html", takes_context=True)
def download_menu(context, kind):
    """The list's Download menu: CSV and JSON of what the current filters select."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    suffix = f"?{query.urlencode()}" if query else ""
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
