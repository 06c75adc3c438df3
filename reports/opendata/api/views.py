"""Read-only API views: published reports, incidents, groups and citations.

Lists take the same filters as the reading-room pages (the FilterSets of
reports/filters.py) and are paginated; a detail is found by slug (a citation by id).
"""

import django_filters
from rest_framework import pagination, viewsets

from reports.filters import GroupFilter, IncidentFilter, ReportFilter
from reports.models import Citation, Group, Incident, Report
from reports.opendata.api import serializers


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
