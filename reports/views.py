"""The public reading room: published reports, incidents and groups, and search.

Each page makes a fixed number of queries: querysets come from the managers
(`for_list`, `for_detail`, `for_display`) with their related rows joined or prefetched.
"""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from reports.caching import page_query, public_page
from reports.charts import incidents_and_casualties_per_year
from reports.claims import figure_rows
from reports.dataset_sources import source_of
from reports.disclaimers import disclaimers_behind, distinct_disclaimers
from reports.error_reports import SUBJECTS, ErrorReportForm, notify_editors
from reports.figures import archive_counts, group_years
from reports.filters import (
    GroupFilter,
    GroupSuggestForm,
    IncidentFilter,
    ReportFilter,
    SearchBox,
    SearchForm,
    matching_groups,
)
from reports.models import (
    INCIDENT_FIGURES,
    MEDIA_TYPES,
    Citation,
    Figure,
    Group,
    Incident,
    Perpetration,
    Report,
    SourceFile,
    load_published_parts,
)
from reports.opendata.citing import cite_parts
from reports.opendata.search import EXPORT_LIMIT
from reports.paging import PageIds, active_filters, narrows
from reports.passages import footnotes, marked_paragraphs, marks_by_paragraph
from reports.relations import group_designations, group_relations
from reports.rows import (
    GROUP_ROW_FIELDS,
    INCIDENT_ROW_FIELDS,
    REPORT_ROW_FIELDS,
    group_rows,
    incident_rows,
    other_names,
)
from reports.search import search as search_archive_page
from reports.search.listing import COUNT_LIMIT
from reports.search.rows import result_rows
from reports.tallies import tallies

PAGE_SIZE = 25
# A group page lists its latest incidents only; the incident list filtered by the group
# pages through the rest (the largest synthetic group has 25,000).
TIMELINE_LENGTH = 50


@public_page
def home(request):
    latest = list(
        Report.objects.for_list().only(*REPORT_ROW_FIELDS).order_by("-imported_at", "title")[:5]
    )
    # Stored per archive change: counting every incident is too slow for each visit.
    counts = archive_counts()
    context = {
        "report_count": counts["reports"],
        "incident_count": counts["incidents"],
        "group_count": counts["groups"],
        "casualties": tallies(counts),
        "latest_reports": latest,
        # Their perpetrators are not shown here.
        "latest_incidents": list(
            Incident.objects.for_list(perpetrators=False).only(*INCIDENT_ROW_FIELDS)[:5]
        ),
        "disclaimers": distinct_disclaimers((r.disclaimer, r.language) for r in latest),
        "search_form": SearchBox(),
    }
    return render(request, "reports/home.html", context)


def list_parameters(filterset_class):
    """The query parameters a list page reads: its filters and the page number."""
    return [*filterset_class.base_filters, "page"]


def filtered_page(request, filterset_class, queryset, total=None):
    """Bind the filters to the query string and return (filterset, page, HTTP status).

    A value that does not parse shows the form's errors and no rows, with a 400.
    `total()`, when given, is the number of rows with no filter (a stored figure).
    """
    filterset = filterset_class(request.GET or None, queryset=queryset)
    valid = not filterset.is_bound or filterset.is_valid()
    # The page is chosen by primary key first, then its rows are read by primary key:
    # the ids come off the list's index in order (no row read, however deep the page),
    # where LIMIT/OFFSET over whole rows read every skipped row too.
    stored = total if valid and not narrows(filterset) else None
    paginator = Paginator(PageIds(filterset.qs if valid else None, total=stored), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    by_pk = queryset.order_by().in_bulk(page.object_list) if page.object_list else {}
    page.object_list = [by_pk[pk] for pk in page.object_list if pk in by_pk]
    return filterset, page, 200 if valid else 400


def list_page(request, template, filterset_class, queryset, disclaimers_of, total=None, rows=list):
    """Render a filtered, paginated list; `disclaimers_of(page)` gives its footer's disclaimers.

    `rows(entries)` gives the rows the template writes for the page's entries
    (reports/rows.py); an entry that shows only its own fields is its own row.
    """
    filterset, page, status = filtered_page(request, filterset_class, queryset, total)
    context = {
        "filter": filterset,
        "page_obj": page,
        "rows": rows(page.object_list),
        "active_filters": active_filters(filterset) if status == 200 else 0,
        "disclaimers": disclaimers_of(page),
    }
    return render(request, template, context, status=status)


@public_page(parameters=list_parameters(ReportFilter))
def report_list(request):
    return list_page(
        request,
        "reports/report_list.html",
        ReportFilter,
        Report.objects.for_list().only(*REPORT_ROW_FIELDS),
        lambda page: distinct_disclaimers((r.disclaimer, r.language) for r in page),
        total=lambda: archive_counts()["reports"],
    )


@public_page
def report_detail(request, slug):
    report = get_object_or_404(
        Report.objects.published().with_provenance().with_original_flag(), slug=slug
    )
    paragraphs = list(report.paragraphs.all())
    # Only the cited entries: the report and its provenance are the page's own
    # (for_display() would build them again for each of ~20 citations).
    citations = list(
        Citation.objects.published()
        .filter(report=report)
        .select_related("incident", "group")
        # What the marks and the "drawn from" lists show: a whole incident row would
        # decode its JSON source row for nothing, once per citing incident.
        .only(
            "quote",
            "paragraph",
            *(
                f"incident__{name}"
                for name in ("slug", "title", "title_es", "start_date", "start_precision")
            ),
            *(f"group__{name}" for name in ("slug", "name", "acronym")),
        )
    )
    marks = marks_by_paragraph(paragraphs, citations)
    context = {
        "report": report,
        "paragraphs": marked_paragraphs(paragraphs, marks),
        "marks": marks,
        "incidents": list(dict.fromkeys(c.incident for c in citations if c.incident_id)),
        "groups": list(dict.fromkeys(c.group for c in citations if c.group_id)),
        "cite": cite_this(request, report),
    }
    return render(request, "reports/report_detail.html", context)


def cite_this(request, obj):
    """The parts of the page's "Cite this" line: what its BibTeX, RIS and CSL-JSON say."""
    return cite_parts(obj, request.build_absolute_uri(obj.get_absolute_url()))


@public_page(parameters=list_parameters(IncidentFilter))
def incident_list(request):
    return list_page(
        request,
        "reports/incident_list.html",
        IncidentFilter,
        Incident.objects.for_list(perpetrators=False).only(*INCIDENT_ROW_FIELDS),
        lambda page: disclaimers_behind(incidents=[i.pk for i in page]),
        total=lambda: archive_counts()["incidents"],
        rows=incident_rows,
    )


def report_original(request, slug):
    """The published report's original file, as imported, to download (never shown
    inline: a web page from elsewhere must not run as one of the archive's)."""
    report = get_object_or_404(Report.objects.published(), slug=slug)
    original = get_object_or_404(SourceFile, report=report)
    response = HttpResponse(bytes(original.data), content_type=MEDIA_TYPES[report.source_format])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=report.source_filename
    )
    response["Content-Security-Policy"] = "sandbox"
    return response


@public_page
def incident_detail(request, slug):
    incident = get_object_or_404(Incident.objects.for_detail(), slug=slug)
    citations = list(Citation.objects.for_display().filter(incident=incident))
    context = {
        "incident": incident,
        "citations": citations,
        "figures": figure_rows(incident.published_claims, citations, INCIDENT_FIGURES, incident),
        "notes": footnotes(citations),
        "sources": list(dict.fromkeys(c.report for c in citations)),
        "dataset": source_of(incident),
        "cite": cite_this(request, incident),
    }
    return render(request, "reports/incident_detail.html", context)


@public_page(parameters=list_parameters(GroupFilter))
def group_list(request):
    return list_page(
        request,
        "reports/group_list.html",
        GroupFilter,
        Group.objects.for_list().only(*GROUP_ROW_FIELDS),
        lambda page: disclaimers_behind(groups=[g.pk for g in page]),
        total=lambda: archive_counts()["groups"],
        rows=group_rows,
    )


# <, > and & as JSON escapes, so no text of the archive reads as markup even if the
# response is ever put in a page (the script inserts it as text anyway).
JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def json_response(data, status=200):
    body = json.dumps(data, ensure_ascii=False).translate(JSON_ESCAPES)
    return HttpResponse(body, content_type="application/json", status=status)


@public_page(parameters=["q"])
def group_suggest(request):
    """Up to 10 published groups matching ?q= as JSON: the incident list's group field."""
    form = GroupSuggestForm(request.GET)
    if not form.is_valid():
        return json_response({"errors": form.errors.get_json_data()}, status=400)
    groups = matching_groups(form.cleaned_data["q"])
    return json_response({"groups": [{"slug": g.slug, "label": str(g)} for g in groups]})


@public_page
def group_detail(request, slug):
    group = load_published_parts(get_object_or_404(Group.objects.for_detail(), slug=slug))
    citations = list(Citation.objects.for_display().filter(group=group))
    [strength] = figure_rows(group.published_claims, citations, [Figure.STRENGTH])
    # The latest TIMELINE_LENGTH incidents (one more tells whether there are others),
    # shown oldest first.
    latest = Perpetration.objects.timeline(group, TIMELINE_LENGTH + 1)
    context = {
        "group": group,
        "aliases": other_names(group),
        "strength": strength,
        "timeline": latest[:TIMELINE_LENGTH][::-1],
        "timeline_truncated": len(latest) > TIMELINE_LENGTH,
        "citations": citations,
        "notes": footnotes(citations),
        "relations": group_relations(group, citations),
        "designations": group_designations(group, citations),
        "sources": list(dict.fromkeys(c.report for c in citations)),
        # Its yearly totals are stored per archive change (reports/figures.py).
        "chart": incidents_and_casualties_per_year(
            group_years(group),
            title=_("Incidents attributed to %(group)s, and casualties, per year")
            % {"group": group},
        ),
        "cite": cite_this(request, group),
    }
    return render(request, "reports/group_detail.html", context)


def error_report_rate(group, request):
    return settings.ERROR_REPORT_RATE


# Not a public page: its form carries a CSRF token, so it is never cached. Only the
# POSTs count towards the rate; past it, nothing is stored and the answer is a 429.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate=error_report_rate, method="POST", block=False)
def report_error(request, kind, slug):
    subject = get_object_or_404(SUBJECTS[kind].objects.published(), slug=slug)
    status = 200
    if request.method == "POST":
        # Past the rate the form comes back with the reader's words, stored nowhere.
        form = ErrorReportForm(request.POST, subject=subject)
        if request.limited:
            status = 429
        elif form.is_valid():
            notify_editors(form.save(), request)
            return redirect(f"{request.path}?sent=1")
        else:
            status = 400
    else:
        form = ErrorReportForm(subject=subject, initial=_pointed_at(request.GET))
    context = {
        "subject": subject,
        "form": form,
        "limited": status == 429,
        "sent": request.method == "GET" and request.GET.get("sent") == "1",
    }
    return render(request, "reports/report_error.html", context, status=status)


def _pointed_at(query):
    """The fact or paragraph a link to the form names (?fact=killed, ?paragraph=12), if any."""
    initial = {"fact": query.get("fact", "")[:20]}
    if query.get("paragraph", "").isdigit():
        initial["paragraph_number"] = query["paragraph"][:7]
    return initial


@public_page(parameters=["q", "kind", *SearchForm.FILTERS, "sort", "page"])
def search(request):
    # An empty box is an unbound form (the search page), not an error.
    form = SearchForm(request.GET if request.GET.get("q", "").strip() else None)
    found = None
    if form.is_valid():
        found = search_archive_page(
            **form.search_arguments(),
            page=request.GET.get("page"),
            archive_stamp=getattr(request, "archive_stamp", None),
        )
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {
        "form": form,
        "found": found,
        "results": found.results if found else None,
        "rows": result_rows(found.results) if found else None,
        "tabs": search_tabs(request, found) if found else [],
        "count_limit": COUNT_LIMIT,
        "export_limit": EXPORT_LIMIT,
        "disclaimers": search_disclaimers(found.results) if found and found.results else [],
    }
    return render(request, "reports/search.html", context, status=status)


def search_tabs(request, found):
    """Each kind's count and the query string of its results (the search's filters and
    sort kept, its page not), after the best of every kind (the query alone)."""
    kept = page_query(request, leave_out=["page", "kind"])
    everything = urlencode({"q": request.GET.get("q", "")})
    tabs = [{"kind": "", "count": None, "query": everything, "current": not found.kind}]
    for kind, count in found.counts.items():
        query = f"{kept}&kind={kind}" if kept else f"kind={kind}"
        tabs.append({"kind": kind, "count": count, "query": query, "current": found.kind == kind})
    return tabs


def search_disclaimers(results):
    """The disclaimers of the reports found, and of the reports behind the entries found."""
    return disclaimers_behind(
        reports=[hit.report.pk for hit in results.reports],
        incidents=[incident.pk for incident in results.incidents],
        groups=[group.pk for group in results.groups],
    )
