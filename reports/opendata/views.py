"""Views of the open-data surfaces: list exports, citation downloads, robots.txt.

Thin: what to export lives in reports/opendata/exports.py, the files of the unfiltered
exports in export_files.py, the limits on anonymous exports in limits.py, what a
citation says in reports/opendata/citing.py.
"""

from datetime import datetime

from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from reports.models import Group, Incident, Report
from reports.opendata import citing, export_files, exports, limits, search
from reports.search import search_all

EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


@require_GET
@limits.limited
def export_list(request, kind, fmt):
    """Stream every row the list page's filters select, as CSV or JSON. Without a
    filter, send the file of the archive's current version, built by the first such
    request since the archive last changed (export_files.py)."""
    try:
        queryset = exports.select(kind, request.GET)
    except exports.FilterInvalid as error:
        return JsonResponse(
            {"error": "A filter value is not valid.", "filters": error.errors}, status=400
        )
    archive_url = request.build_absolute_uri(reverse("reports:home"))
    stamp = None
    if exports.is_unfiltered(request.GET) and export_files.directory():
        stamp = export_files.current_stamp()
        built = export_files.find(kind, fmt, stamp, archive_url)
        if built is not None:
            response = FileResponse(built.file, content_type=EXPORT_TYPES[fmt])
            return with_provenance(response, kind, fmt, archive_url, "", built.exported_at)
    meta = exports.provenance(kind, request.GET, archive_url)
    exported_at = datetime.fromisoformat(meta["exported_at"])
    body = exports.stream(kind, fmt, queryset, request.build_absolute_uri, meta)
    if stamp is not None:
        body = export_files.building(kind, fmt, stamp, archive_url, exported_at, body)
    response = StreamingHttpResponse(body, content_type=EXPORT_TYPES[fmt])
    return with_provenance(response, kind, fmt, archive_url, meta["filter"], exported_at)


def with_provenance(response, name, fmt, archive_url, selection, exported_at):
    """Name the download and say where it came from, what selected it and when."""
    stamp = exported_at.strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    response["X-Archive-URL"] = archive_url
    response["X-Archive-Filter"] = selection
    response["X-Exported-At"] = exported_at.isoformat()
    return response


@require_GET
@limits.limited
def export_search(request, fmt):
    """Stream one kind of a search's results (the first EXPORT_LIMIT), as CSV or JSON."""
    try:
        arguments = search.search_arguments(request.GET)
    except search.SearchInvalid as error:
        return JsonResponse(error.body, status=400)
    kind = arguments.pop("kind")
    query, hits = search_all(
        **arguments,
        kind=kind,
        limit=search.EXPORT_LIMIT,
        archive_stamp=getattr(request, "archive_stamp", None),
    )
    archive_url = request.build_absolute_uri(reverse("reports:home"))
    meta = search.meta(query, kind, request.GET, archive_url)
    rows = (search.hit_row(kind, hit, request.build_absolute_uri) for hit in hits)
    body = exports.stream_csv(rows) if fmt == "csv" else exports.stream_json(meta, rows)
    response = StreamingHttpResponse(body, content_type=EXPORT_TYPES[fmt])
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="search-{kind}-{stamp}.{fmt}"'
    response["X-Archive-URL"] = archive_url
    response["X-Archive-Filter"] = meta["filter"]
    response["X-Exported-At"] = meta["exported_at"]
    return response


CITATION_FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", citing.to_bibtex),
    "ris": ("application/x-research-info-systems; charset=utf-8", citing.to_ris),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", citing.to_csl_json),
}
CITABLE = {"report": Report, "incident": Incident, "group": Group}


@require_GET
def cite(request, kind, slug, fmt):
    """A published report, incident or group as BibTeX, RIS or CSL-JSON."""
    obj = get_object_or_404(CITABLE[kind].objects.published(), slug=slug)
    content_type, build = CITATION_FORMATS[fmt]
    text = build(obj, request.build_absolute_uri(obj.get_absolute_url()))
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{kind}-{slug}.{fmt}"'
    return response


@require_GET
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("open_data:sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
