"""Read-only API views: published reports, incidents, groups and citations.

Lists take the same filters as the reading-room pages (the FilterSets of
reports/filters.py) and are paginated; a detail is found by slug (a citation by id).
"""

import copy

import django_filters
from django.http import JsonResponse
from django_filters import utils as filter_utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import pagination, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.figures import archive_counts, citation_count
from reports.filters import GroupFilter, IncidentFilter, ReportFilter
from reports.models import Citation, Group, Incident, Report, published_relations_about_prefetch
from reports.opendata import search
from reports.opendata.api import rows, serializers
from reports.opendata.api.schema import DAY, NO_NUL, PAGE, SLUG_PATH, YEAR, query, text
from reports.paging import PageIds, narrows
from reports.search import listing
from reports.search import search as search_page


class Pagination(pagination.PageNumberPagination):
    """Pages of 25 as on the reading room's lists; a client may ask for up to 100 (more is
    100). A page size that is not a whole number of at least 1 is a 400, a page that is
    not one of the list's a 404; either left empty is not given."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = copy.deepcopy(PAGE)
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = "Results a page: 25 unless given, 100 at most."
        return parameters

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if not value:
            return self.page_size
        try:
            return pagination._positive_int(value, strict=True, cutoff=self.max_page_size)
        except ValueError:
            message = "A whole number of at least 1 is required."
            raise ValidationError({self.page_size_query_param: [message]}) from None


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """A list is read as the reading room's lists are: the page's primary keys off the
    list's index, in order (reports.paging.PageIds), then those rows as values
    (reports/opendata/api/rows.py). A detail is read and written by its serializer.
    """

    pagination_class = Pagination

    def listed(self):
        """The list's published rows, before its filters."""
        raise NotImplementedError

    def rows(self, ids, links):
        """The rows of the entries `ids`, in that order, as the list's serializer gives them."""
        raise NotImplementedError

    def total(self):
        """The number of rows of the unfiltered list, as stored (reports.figures): counting
        every row is too slow for each request."""
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        # The filter backend's own binding and 400, keeping the filterset to ask whether
        # it narrows the list.
        filterset = DjangoFilterBackend().get_filterset(request, self.listed(), self)
        if not filterset.is_valid():
            raise filter_utils.translate_validation(filterset.errors)
        total = None if narrows(filterset) else self.total
        ids = self.paginate_queryset(PageIds(filterset.qs, total=total))
        return self.get_paginated_response(self.rows(ids, rows.Links(request, self.format_kwarg)))


def choices(filterset_class, name):
    """The values of a FilterSet's choice filter `name`."""
    return [value for value, _label in filterset_class.base_filters[name].extra["choices"]]


COUNTRY = "An ISO 3166 code, e.g. PE, of a country with published {}; another is a 400."


@extend_schema_view(
    list=extend_schema(
        parameters=[
            query("q", text(), "Words in the title or the text."),
            query("country", description=COUNTRY.format("reports")),
            query("year", YEAR, "The year covered."),
            query("series", description="A series of published reports; another is a 400."),
            query("publisher", description="A publisher of published reports, by name."),
            query("sort", enum=choices(ReportFilter, "sort"), description="Newest year first."),
        ]
    ),
    retrieve=extend_schema(parameters=[SLUG_PATH]),
)
class ReportViewSet(ReadOnlyViewSet):
    """Published source documents. The detail adds the text, paragraph by paragraph."""

    lookup_field = "slug"
    filterset_class = ReportFilter

    def listed(self):
        return Report.objects.published()

    def rows(self, ids, links):
        return rows.report_rows(ids, links)

    def total(self):
        return archive_counts()["reports"]

    def get_queryset(self):
        return Report.objects.for_list().prefetch_related("paragraphs")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ReportDetailSerializer
        return serializers.ReportSerializer


@extend_schema_view(
    list=extend_schema(
        parameters=[
            query("country", description=COUNTRY.format("incidents")),
            query("year", YEAR, "Incidents of that year, including those that span it."),
            query("start", DAY, "Incidents ending on or after that day."),
            query("end", DAY, "Incidents starting on or before that day."),
            query("type", enum=choices(IncidentFilter, "type")),
            query(
                "group",
                text(),
                "A published group named as perpetrator: its slug, name, acronym or alias, "
                "or a part of one that names one group only; another is a 400.",
            ),
            query(
                "casualties",
                enum=choices(IncidentFilter, "casualties"),
                description="yes: killed or injured reported (best estimate); no: none.",
            ),
            query("sort", enum=choices(IncidentFilter, "sort"), description="Latest first."),
        ]
    ),
    retrieve=extend_schema(parameters=[SLUG_PATH]),
)
class IncidentViewSet(ReadOnlyViewSet):
    """Published incidents, with their published perpetrators, figure claims and source
    reports. The detail adds the cited passages."""

    lookup_field = "slug"
    filterset_class = IncidentFilter

    def listed(self):
        return Incident.objects.published()

    def rows(self, ids, links):
        return rows.incident_rows(ids, links)

    def total(self):
        return archive_counts()["incidents"]

    def get_queryset(self):
        return Incident.objects.for_open_data()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.IncidentDetailSerializer
        return serializers.IncidentSerializer


@extend_schema_view(
    list=extend_schema(
        parameters=[
            query("q", text(), "Words in the name, an alias or the description."),
            query("country", description=COUNTRY.format("groups")),
            query("activity", enum=choices(GroupFilter, "activity")),
        ]
    ),
    retrieve=extend_schema(parameters=[SLUG_PATH]),
)
class GroupViewSet(ReadOnlyViewSet):
    """Published groups, with aliases, leaders, strength claims, relations, designations
    and source reports. The detail adds what other groups' sources say of the group and
    the cited passages."""

    lookup_field = "slug"
    filterset_class = GroupFilter

    def listed(self):
        return Group.objects.published()

    def rows(self, ids, links):
        return rows.group_rows(ids, links)

    def total(self):
        return archive_counts()["groups"]

    def get_queryset(self):
        return Group.objects.for_open_data().prefetch_related(published_relations_about_prefetch())

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.GroupDetailSerializer
        return serializers.GroupSerializer


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


SLUG_OR_NOTHING = {"type": "string", "pattern": r"^[-a-zA-Z0-9_]*$"}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            query(name, SLUG_OR_NOTHING, f"The slug of a published {name}; another is a 400.")
            for name in ("report", "incident", "group")
        ]
    )
)
class CitationViewSet(ReadOnlyViewSet):
    """Quoted passages of published reports supporting published incidents and groups."""

    filterset_class = CitationFilter
    serializer_class = serializers.CitationSerializer

    def listed(self):
        return Citation.objects.published_by_key().order_by("pk")

    def rows(self, ids, links):
        return rows.citation_rows(ids, links)

    def total(self):
        return citation_count()

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
            query("q", text(required=True), "What to search for.", required=True),
            query("kind", enum=listing.KINDS, description="Reports unless given."),
            query("country", description="ISO 3166 code, e.g. PE."),
            query("year_from", YEAR),
            query("year_to", YEAR, "Not before year_from."),
            query("series"),
            query("publisher"),
            query("language", description="The document's language, e.g. es."),
            query("sort", enum=listing.SORTS),
            query(
                "page",
                {"type": "string", "pattern": NO_NUL},
                "The page number; any other value, or one out of range, is the nearest page.",
            ),
        ],
        responses={200: serializers.SearchSerializer, 400: serializers.SearchErrorSerializer},
    )
    def get(self, request):
        try:
            arguments = search.search_arguments(request.query_params)
        except search.SearchInvalid as error:
            return Response(error.body, status=400)
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


def not_found(request, *args, **kwargs):
    """Any other URL under /api/: a 404 in JSON, as the API's own 404s."""
    return JsonResponse({"detail": NotFound.default_detail}, status=404)
