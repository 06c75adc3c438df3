"""Read-only API views: published reports, incidents, groups and citations.

Lists take the same filters as the reading-room pages (the FilterSets of
reports/filters.py) and are paginated; a detail is found by slug (a citation by id).
"""

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import pagination, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.filters import GroupFilter, IncidentFilter, ReportFilter
from reports.models import Citation, Group, Incident, Report
from reports.opendata import search
from reports.opendata.api import serializers
from reports.search import listing
from reports.search import search as search_page


class Pagination(pagination.PageNumberPagination):
    """Pages of 25 as on the reading room's lists; a client may ask for up to 100."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = Pagination


class ReportViewSet(ReadOnlyViewSet):
    """Published source documents. The detail adds the text, paragraph by paragraph."""

    lookup_field = "slug"
    filterset_class = ReportFilter

    def get_queryset(self):
        queryset = Report.objects.for_list()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("paragraphs")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ReportDetailSerializer
        return serializers.ReportSerializer


class IncidentViewSet(ReadOnlyViewSet):
    """Published incidents, with their published perpetrators, figure claims and source
    reports."""

    lookup_field = "slug"
    filterset_class = IncidentFilter
    serializer_class = serializers.IncidentSerializer

    def get_queryset(self):
        return Incident.objects.for_open_data()


class GroupViewSet(ReadOnlyViewSet):
    """Published groups, with aliases, leaders, strength claims, relations, designations
    and source reports."""

    lookup_field = "slug"
    filterset_class = GroupFilter
    serializer_class = serializers.GroupSerializer

    def get_queryset(self):
        return Group.objects.for_open_data()


class CitationFilter(django_filters.FilterSet):
    """Citations of one published report, incident or group (by slug)."""

    report = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=Report.objects.published()
    )
    incident = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=Incident.objects.published()
    )
    group = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=Group.objects.published()
    )

    class Meta:
        model = Citation
        fields = []


class CitationViewSet(ReadOnlyViewSet):
    """Quoted passages of published reports supporting published incidents and groups."""

    filterset_class = CitationFilter
    serializer_class = serializers.CitationSerializer

    def get_queryset(self):
        return (
            Citation.objects.published()
            .select_related("report", "paragraph", "incident", "group")
            .order_by("pk")
        )


class SearchView(APIView):
    """The archive's search: one kind of results (reports, passages, incidents or
    armed groups), 20 a page, with the count of each kind (up to `count_limit`; more
    is `count_limit` + 1, and `last_page` is then null: `next` goes on while there are
    results).

    `q` takes the search page's syntax: words (all must match), "exact phrases", OR,
    -word or NOT word, prefix*; an armed group's name, acronym or alias finds all of
    its names (`group_names` lists them). The filters, sort and pages are the search
    page's.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="What to search for."),
            OpenApiParameter(
                "kind", str, enum=list(listing.KINDS), description="Reports unless given."
            ),
            OpenApiParameter("country", str, description="ISO 3166 code, e.g. PE."),
            OpenApiParameter("year_from", int),
            OpenApiParameter("year_to", int),
            OpenApiParameter("series", str),
            OpenApiParameter("publisher", str),
            OpenApiParameter("language", str, description="The document's language, e.g. es."),
            OpenApiParameter("sort", str, enum=list(listing.SORTS)),
            OpenApiParameter("page", int),
        ],
        responses={200: serializers.SearchSerializer, 400: serializers.SearchErrorSerializer},
    )
    def get(self, request):
        try:
            arguments = search.search_arguments(request.query_params)
        except search.SearchInvalid as error:
            return Response(
                {"error": "The search is not valid.", "fields": error.errors}, status=400
            )
        stamp = getattr(request, "archive_stamp", None)
        found = search_page(**arguments, page=request.query_params.get("page"), archive_stamp=stamp)
        page, kind = found.page, found.kind
        return Response(
            {
                "query": found.results.query,
                "searched_as": str(found.results.parsed),
                "group_names": search.expanded(found.results.parsed),
                "kind": kind,
                "counts": found.counts,
                "count_limit": listing.COUNT_LIMIT,
                "page": page.number if page else 1,
                "last_page": page.last if page else 1,
                "next": self.page_url(request, page.number + 1) if page and page.has_next else None,
                "previous": self.page_url(request, page.number - 1)
                if page and page.has_previous
                else None,
                "results": [
                    search.hit_row(kind, hit, request.build_absolute_uri)
                    for hit in (page.object_list if page else [])
                ],
            }
        )

    @staticmethod
    def page_url(request, number):
        params = request.query_params.copy()
        params["page"] = number
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
