"""Read-only representations of published entries for the JSON API.

Nested related rows come from the view's queryset (joined or prefetched), and a
perpetrator or source report is listed only when it is published itself.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.disclaimers import disclaimers_of_citations
from reports.models import (
    Citation,
    Country,
    Group,
    Incident,
    Paragraph,
    RelationKind,
    Report,
    Role,
)
from reports.opendata.claims import published_estimates

DISCLAIMERS_HELP = (
    "The disclaimers of the published reports this rests on, each text once. They apply "
    "to what is drawn from those reports as they apply to the reports themselves."
)


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["code", "name"]


class ParagraphSerializer(serializers.ModelSerializer):
    anchor = serializers.CharField(read_only=True, help_text="The paragraph's #anchor.")

    class Meta:
        model = Paragraph
        fields = ["number", "anchor", "text"]


class ReportSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:report-detail", lookup_field="slug")
    page = serializers.SerializerMethodField(help_text="The report's page in the archive.")
    country = CountrySerializer()
    # Blank when the document does not say (Report.publisher): null in the JSON and the schema.
    publisher = serializers.StringRelatedField(allow_null=True)
    republisher = serializers.StringRelatedField(allow_null=True)
    disclaimers = serializers.SerializerMethodField(help_text=DISCLAIMERS_HELP)

    class Meta:
        model = Report
        fields = [
            "url",
            "page",
            "slug",
            "title",
            "series",
            "year",
            "country",
            "publisher",
            "republisher",
            "published_on",
            "language",
            "source_url",
            "document_identifier",
            "disclaimer",
            "disclaimers",
            "source_filename",
            "sha256",
            "size_bytes",
            "imported_at",
            "updated_at",
        ]

    def get_page(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())

    def get_disclaimers(self, obj) -> list[str]:
        # The report's own, as a list, so every kind of response reads the same field.
        return [obj.disclaimer] if obj.disclaimer else []


class ReportDetailSerializer(ReportSerializer):
    paragraphs = ParagraphSerializer(many=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "paragraphs"]


BEST_HELP = (
    "The best estimate of the published claims (see figures and claims); without any "
    "claim, the entry's own figure. Null: the sources do not say."
)


class SpanishText(serializers.CharField):
    """An entry's Spanish text (reports.translated): "" where nobody has written it yet.
    The field without _es is the English text, the original."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "The Spanish text; empty where not translated yet.")
        super().__init__(read_only=True, **kwargs)


class PerpetratorSerializer(serializers.Serializer):
    slug = serializers.CharField(source="group.slug")
    name = serializers.CharField(source="group.name")
    acronym = serializers.CharField(source="group.acronym")
    uncertain = serializers.BooleanField()
    role = serializers.ChoiceField(
        choices=Role.choices,
        help_text="perpetrator, or side: a side in the fighting its dataset (UCDP) names "
        "without saying who attacked whom.",
    )


class CitationLink(serializers.HyperlinkedRelatedField):
    """The API URL of the citation a claim rests on, from its key (no query)."""

    view_name = "api:citation-detail"

    def __init__(self, **kwargs):
        super().__init__(view_name=self.view_name, read_only=True, **kwargs)


class ClaimSerializer(serializers.Serializer):
    """One source's figure: exact (low == high), a range, or open (high null: "at least")."""

    figure = serializers.CharField()
    low = serializers.IntegerField(help_text="The exact number, or the least the source says.")
    high = serializers.IntegerField(
        allow_null=True, help_text="Equal to low for an exact number; null when open."
    )
    point = serializers.IntegerField(
        allow_null=True,
        help_text="The source's own best estimate within low and high, where it gives one "
        "(UCDP's best); null otherwise.",
    )
    wording = serializers.CharField(help_text="The source's own words, e.g. “more than a dozen”.")
    moment = serializers.CharField(help_text="When the figure holds, if the source says.")
    moment_date = serializers.DateField(allow_null=True)
    best = serializers.BooleanField(help_text="Marked by an editor as the best estimate.")
    citation = CitationLink(allow_null=True, help_text="The citation the claim rests on.")
    from_dataset = serializers.BooleanField(
        help_text="Rests on the dataset row the incident was imported from."
    )


class EstimateSerializer(serializers.Serializer):
    """A figure's best estimate and the range of its claims (high null: open)."""

    best = serializers.IntegerField()
    low = serializers.IntegerField()
    high = serializers.IntegerField(allow_null=True)


class IncidentFiguresSerializer(serializers.Serializer):
    killed = EstimateSerializer(allow_null=True)
    injured = EstimateSerializer(allow_null=True)
    hostages = EstimateSerializer(allow_null=True)


class GroupFiguresSerializer(serializers.Serializer):
    strength = EstimateSerializer(allow_null=True)


class ClaimedEntryMixin:
    """An entry's published figure claims and, per figure, their estimate (null: no claim)."""

    figures_serializer = None

    def get_figures(self, obj):
        return self.figures_serializer(published_estimates(obj)).data


class CitedEntryMixin:
    """The page URL and source reports of an incident or group (`published_citations`)."""

    def get_page(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())

    def get_disclaimers(self, obj) -> list[str]:
        return disclaimers_of_citations(obj.published_citations)

    def get_source_reports(self, obj) -> list[str]:
        build = self.context["request"].build_absolute_uri
        return list(
            dict.fromkeys(build(c.report.get_absolute_url()) for c in obj.published_citations)
        )


class IncidentSerializer(
    ClaimedEntryMixin, CitedEntryMixin, serializers.HyperlinkedModelSerializer
):
    url = serializers.HyperlinkedIdentityField(view_name="api:incident-detail", lookup_field="slug")
    page = serializers.SerializerMethodField(help_text="The incident's page in the archive.")
    country = CountrySerializer()
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True
    )
    perpetrators = PerpetratorSerializer(many=True, source="published_perpetrations")
    title_es = SpanishText()
    summary_es = SpanishText()
    outcome_es = SpanishText()
    # The row keeps the best estimate of the published claims (reports.claims).
    killed = serializers.IntegerField(allow_null=True, help_text=BEST_HELP)
    injured = serializers.IntegerField(allow_null=True, help_text=BEST_HELP)
    hostages = serializers.IntegerField(allow_null=True, help_text=BEST_HELP)
    figures = serializers.SerializerMethodField(
        help_text="Per figure, the best estimate and the low-high range of its claims."
    )
    claims = ClaimSerializer(many=True, source="published_claims")
    source_reports = serializers.SerializerMethodField(
        help_text="Permanent URLs of the published reports this incident rests on."
    )
    disclaimers = serializers.SerializerMethodField(help_text=DISCLAIMERS_HELP)

    class Meta:
        model = Incident
        fields = [
            "url",
            "page",
            "slug",
            "title",
            "title_es",
            "summary",
            "summary_es",
            "start_date",
            "start_precision",
            "end_date",
            "end_precision",
            "country",
            "region",
            "city",
            "latitude",
            "longitude",
            "place_precision",
            "type",
            "violence_type",
            "state_actors",
            "target_type",
            "perpetrators",
            "killed",
            "injured",
            "hostages",
            "figures",
            "claims",
            "outcome",
            "outcome_es",
            "external_id",
            "external_source",
            "updated_at",
            "source_reports",
            "disclaimers",
        ]

    figures_serializer = IncidentFiguresSerializer

    @extend_schema_field(IncidentFiguresSerializer)
    def get_figures(self, obj):
        return super().get_figures(obj)


class AliasSerializer(serializers.Serializer):
    name = serializers.CharField()
    language = serializers.CharField()


class LeaderSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()


class OtherGroupSerializer(serializers.Serializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:group-detail", lookup_field="slug")
    slug = serializers.CharField()
    name = serializers.CharField()
    acronym = serializers.CharField()


class RelationSerializer(serializers.Serializer):
    """What a source says of this group and another: "<this group> is <kind> <other>"."""

    kind = serializers.ChoiceField(choices=RelationKind.choices)
    other = OtherGroupSerializer()
    citation = CitationLink(help_text="The citation the relation rests on.")


class DesignationSerializer(serializers.Serializer):
    """An authority's listing of the group, with the dates the source gives (null: not given)."""

    def get_fields(self):
        # "list", "from" and "to" read best in JSON; "from" cannot be a class attribute.
        return {
            "authority": serializers.CharField(),
            "list": serializers.CharField(source="list_name"),
            "from": serializers.DateField(source="designated_from", allow_null=True),
            "to": serializers.DateField(source="designated_to", allow_null=True),
            "citation": CitationLink(help_text="The citation the designation rests on."),
        }


class GroupSerializer(ClaimedEntryMixin, CitedEntryMixin, serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:group-detail", lookup_field="slug")
    page = serializers.SerializerMethodField(help_text="The group's page in the archive.")
    country = CountrySerializer(allow_null=True)
    aliases = AliasSerializer(many=True)
    leaders = LeaderSerializer(many=True)
    description_es = SpanishText()
    figures = serializers.SerializerMethodField(
        help_text="The group's strength: the best estimate and the range of its claims."
    )
    claims = ClaimSerializer(many=True, source="published_claims")
    relations = RelationSerializer(many=True, source="published_relations")
    designations = DesignationSerializer(many=True, source="published_designations")
    source_reports = serializers.SerializerMethodField(
        help_text="Permanent URLs of the published reports this group rests on."
    )
    disclaimers = serializers.SerializerMethodField(help_text=DISCLAIMERS_HELP)

    class Meta:
        model = Group
        fields = [
            "url",
            "page",
            "slug",
            "name",
            "acronym",
            "aliases",
            "country",
            "description",
            "description_es",
            "founded_year",
            "activity",
            "leaders",
            "figures",
            "claims",
            "relations",
            "designations",
            "updated_at",
            "source_reports",
            "disclaimers",
        ]

    figures_serializer = GroupFiguresSerializer

    @extend_schema_field(GroupFiguresSerializer)
    def get_figures(self, obj):
        return super().get_figures(obj)


class CitationSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:citation-detail")
    report = serializers.HyperlinkedRelatedField(
        view_name="api:report-detail", lookup_field="slug", read_only=True
    )
    paragraph = serializers.IntegerField(source="paragraph.number", allow_null=True, read_only=True)
    passage = serializers.SerializerMethodField(
        help_text="The cited paragraph on the report's page."
    )
    incident = serializers.HyperlinkedRelatedField(
        view_name="api:incident-detail", lookup_field="slug", read_only=True, allow_null=True
    )
    group = serializers.HyperlinkedRelatedField(
        view_name="api:group-detail", lookup_field="slug", read_only=True, allow_null=True
    )
    facts = serializers.ListField(child=serializers.CharField())
    disclaimers = serializers.SerializerMethodField(help_text=DISCLAIMERS_HELP)

    class Meta:
        model = Citation
        fields = [
            "url",
            "id",
            "report",
            "paragraph",
            "passage",
            "quote",
            "incident",
            "group",
            "facts",
            "note",
            "created_at",
            "disclaimers",
        ]

    def get_disclaimers(self, obj) -> list[str]:
        return disclaimers_of_citations([obj])

    def get_passage(self, obj) -> str:
        anchor = f"#{obj.paragraph.anchor}" if obj.paragraph_id else ""
        return self.context["request"].build_absolute_uri(obj.report.get_absolute_url() + anchor)


class SourcePassageSerializer(CitationSerializer):
    """A quoted passage an incident or a group rests on: the citations its claims,
    relations and designations link to, each with its report and paragraph."""

    anchor = serializers.SerializerMethodField(
        help_text="The paragraph's #anchor on the report's page; null when not known."
    )

    class Meta(CitationSerializer.Meta):
        fields = ["url", "id", "report", "paragraph", "anchor", "passage", "quote", "facts", "note"]

    def get_anchor(self, obj) -> str | None:
        return obj.paragraph.anchor if obj.paragraph_id else None


PASSAGES_HELP = (
    "The passages of published reports this rests on, by report title and paragraph: "
    "the citations its claims, relations and designations link to."
)


class IncidentDetailSerializer(IncidentSerializer):
    citations = SourcePassageSerializer(
        many=True, source="published_citations", help_text=PASSAGES_HELP
    )

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "citations"]


class RelationAboutSerializer(RelationSerializer):
    """What another group's source says of this group: "<other> is <kind> <this group>"."""

    other = OtherGroupSerializer(source="group", help_text="The group whose source says it.")


class GroupDetailSerializer(GroupSerializer):
    relations_about = RelationAboutSerializer(
        many=True,
        source="published_relations_about",
        help_text="What other published groups' sources say of this group, from their side: "
        "<other> is <kind> this group (e.g. other is splinter_of this group). The citation "
        "is one of the other group's.",
    )
    citations = SourcePassageSerializer(
        many=True, source="published_citations", help_text=PASSAGES_HELP
    )

    class Meta(GroupSerializer.Meta):
        fields = [*GroupSerializer.Meta.fields, "relations_about", "citations"]


class SearchGroupNamesSerializer(serializers.Serializer):
    group = serializers.CharField(help_text="The armed group a term of the query named.")
    names = serializers.ListField(child=serializers.CharField(), help_text="All searched for.")


class SearchSerializer(serializers.Serializer):
    """A page of one kind of a search's results (reports.opendata.search.hit_row)."""

    query = serializers.CharField()
    searched_as = serializers.CharField(help_text="The query as parsed: clauses, OR, -excluded.")
    group_names = SearchGroupNamesSerializer(many=True)
    kind = serializers.ChoiceField(choices=["reports", "passages", "incidents", "groups"])
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Results of each kind, counted up to count_limit; more is count_limit + 1.",
    )
    count_limit = serializers.IntegerField()
    page = serializers.IntegerField()
    last_page = serializers.IntegerField(
        allow_null=True, help_text="Null when the results were not all counted."
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = serializers.ListField(
        child=serializers.DictField(),
        help_text="Reports and passages: title, url, country, year, language, paragraph, "
        "paragraph_url, text (a passage whole, or a report's best passage around the words "
        "found). Incidents: title, url, start_date, start_precision, country. Armed "
        "groups: name, acronym, url, aliases.",
    )


class SearchErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
