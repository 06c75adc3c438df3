"""Read-only representations of published entries for the JSON API.

Nested related rows come from the view's queryset (joined or prefetched), and a
perpetrator or source report is listed only when it is published itself.
"""

from rest_framework import serializers

from reports.models import Citation, Country, Group, Incident, Paragraph, Report


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
    publisher = serializers.StringRelatedField()
    republisher = serializers.StringRelatedField()

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
            "disclaimer",
            "source_filename",
            "sha256",
            "size_bytes",
            "imported_at",
            "updated_at",
        ]

    def get_page(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class ReportDetailSerializer(ReportSerializer):
    paragraphs = ParagraphSerializer(many=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "paragraphs"]


class PerpetratorSerializer(serializers.Serializer):
    slug = serializers.CharField(source="group.slug")
    name = serializers.CharField(source="group.name")
    acronym = serializers.CharField(source="group.acronym")
    uncertain = serializers.BooleanField()


class CitedEntryMixin:
    """The page URL and source reports of an incident or group (`published_citations`)."""

    def get_page(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())

    def get_source_reports(self, obj) -> list[str]:
        build = self.context["request"].build_absolute_uri
        return list(
            dict.fromkeys(build(c.report.get_absolute_url()) for c in obj.published_citations)
        )


class IncidentSerializer(CitedEntryMixin, serializers.HyperlinkedModelSerializer):
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
    source_reports = serializers.SerializerMethodField(
        help_text="Permanent URLs of the published reports this incident rests on."
    )

    class Meta:
        model = Incident
        fields = [
            "url",
            "page",
            "slug",
            "title",
            "summary",
            "start_date",
            "start_precision",
            "end_date",
            "end_precision",
            "country",
            "region",
            "city",
            "latitude",
            "longitude",
            "type",
            "target_type",
            "perpetrators",
            "killed",
            "injured",
            "hostages",
            "outcome",
            "external_id",
            "external_source",
            "updated_at",
            "source_reports",
        ]


class AliasSerializer(serializers.Serializer):
    name = serializers.CharField()
    language = serializers.CharField()


class LeaderSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()


class GroupSerializer(CitedEntryMixin, serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:group-detail", lookup_field="slug")
    page = serializers.SerializerMethodField(help_text="The group's page in the archive.")
    country = CountrySerializer(allow_null=True)
    aliases = AliasSerializer(many=True)
    leaders = LeaderSerializer(many=True)
    source_reports = serializers.SerializerMethodField(
        help_text="Permanent URLs of the published reports this group rests on."
    )

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
            "founded_year",
            "activity",
            "leaders",
            "updated_at",
            "source_reports",
        ]


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
        ]

    def get_passage(self, obj) -> str:
        anchor = f"#{obj.paragraph.anchor}" if obj.paragraph_id else ""
        return self.context["request"].build_absolute_uri(obj.report.get_absolute_url() + anchor)
