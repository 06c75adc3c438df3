"""The archive's model: source documents, the groups and incidents drawn from
them, and the citations that tie every fact to a quoted passage."""

import calendar
import hashlib
import re
from datetime import UTC, date, datetime
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archive.routers import reading_connection as connection
from reports.countries import local_country_name, resolve_country
from reports.links import url_for
from reports.text import excerpt
from reports.translated import in_language


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class PlacePrecision(models.TextChoices):
    """How exactly an incident's place is known, as a dataset codes it (UCDP's where_prec)."""

    EXACT = "exact", _("The exact place")
    NEAR = "near", _("Within about 25 km of a named place")
    DISTRICT = "district", _("A district (second-level division)")
    PROVINCE = "province", _("A province (first-level division)")
    PART_OF_COUNTRY = "part_of_country", _("A part of the country")
    COUNTRY = "country", _("Only the country")
    INTERNATIONAL = "international", _("International waters or airspace")


class ViolenceType(models.TextChoices):
    """UCDP's three types of organised violence."""

    STATE_BASED = "state_based", _("State-based armed conflict")
    NON_STATE = "non_state", _("Non-state conflict")
    ONE_SIDED = "one_sided", _("One-sided violence")


class IncidentType(models.TextChoices):
    HOSTAGE_TAKING = "hostage_taking", _("Hostage taking")
    KIDNAPPING = "kidnapping", _("Kidnapping")
    BOMBING = "bombing", _("Bombing")
    ARMED_ASSAULT = "armed_assault", _("Armed assault")
    ASSASSINATION = "assassination", _("Assassination")
    OTHER = "other", _("Other")


class GroupActivity(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DISSOLVED = "dissolved", _("Dissolved")
    UNKNOWN = "unknown", _("Unknown")


class Fact(models.TextChoices):
    """Facts a citation can support, so a page can footnote each figure."""

    START_DATE = "start_date", _("Start date")
    END_DATE = "end_date", _("End date")
    PLACE = "place", _("Place")
    TYPE = "type", _("Type")
    PERPETRATORS = "perpetrators", _("Perpetrators")
    KILLED = "killed", _("Killed")
    INJURED = "injured", _("Injured")
    HOSTAGES = "hostages", _("Hostages")
    OUTCOME = "outcome", _("Outcome")
    NAME = "name", _("Name")
    ALIASES = "aliases", _("Aliases")
    LEADERS = "leaders", _("Leaders")
    FOUNDED = "founded", _("Founded")
    ACTIVITY = "activity", _("Activity status")


def place_name(*parts):
    """The non-empty `parts` of a place, from the most local, each name once: "Lima",
    not "Lima, Lima"."""
    named = {}
    for part in parts:
        if part:
            named.setdefault(part.casefold(), part)
    return ", ".join(named.values())


def normalise_space(text):
    """Collapse every run of whitespace to one space, so quotes match across line breaks."""
    return re.sub(r"\s+", " ", text).strip()


def quote_key(quote):
    """The key two quotes share when they are the same words, whitespace aside."""
    return hashlib.sha256(normalise_space(quote).encode()).hexdigest()


# --- Querysets ---------------------------------------------------------------


class EditorialQuerySet(models.QuerySet):
    def published(self):
        """Return only what readers may see."""
        return self.filter(status=Status.PUBLISHED)


class NaturalKeyQuerySet(EditorialQuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class ReportQuerySet(NaturalKeyQuerySet):
    def with_provenance(self):
        return self.select_related(
            "country", "publisher", "republisher", "imported_by", "status_changed_by"
        )

    def with_original_flag(self):
        """Mark each report with has_original: whether its file's bytes are kept."""
        return self.annotate(has_original=Exists(SourceFile.objects.filter(report=OuterRef("pk"))))

    def for_list(self):
        """Return published reports with what a list row shows, in one query."""
        return self.published().select_related("country", "publisher", "republisher")


class ReportManager(models.Manager.from_queryset(ReportQuerySet)):
    def published_series(self):
        """Return the distinct series of published reports, in order."""
        # A loose index scan: each step seeks the next series in report_pub_series_idx
        # (status, series), one probe per series (a handful), where SELECT DISTINCT
        # reads the index entry of every published report. Django has no recursive
        # CTE; the SQL is the same on SQLite and PostgreSQL.
        db = connections[self.db]
        table = db.ops.quote_name(self.model._meta.db_table)
        sql = f"""
            WITH RECURSIVE found(series) AS (
                SELECT MIN(series) FROM {table} WHERE status = %s
                UNION ALL
                SELECT (
                    SELECT MIN(series) FROM {table} WHERE status = %s AND series > found.series
                )
                FROM found WHERE found.series IS NOT NULL
            )
            SELECT series FROM found WHERE series IS NOT NULL"""  # noqa: S608 (the model's table)
        with db.cursor() as cursor:
            cursor.execute(sql, [Status.PUBLISHED, Status.PUBLISHED])
            return [row[0] for row in cursor.fetchall()]


def by_published_report():
    """The condition "its report is published", for a query of citations.

    The report's status as EXISTS by its primary key, not a condition on the joined
    report: with that, SQLite's planner, when it has no statistics (no ANALYZE since
    the rows came), started from the report status index and read every citation of
    every published report, however few entries the citations were asked for.
    """
    return models.Exists(Report.objects.filter(pk=models.OuterRef("report_id")).published())


class CitedQuerySet(NaturalKeyQuerySet):
    """Incidents and groups: the entries citations support."""

    def with_published_citations(self):
        """Prefetch the citations of published reports, as `published_citations`, with
        their report and paragraph, by report title and paragraph.

        The one way the API, OAI-PMH and the exports read an entry's sources.
        """
        return self.prefetch_related(
            models.Prefetch(
                "citations",
                queryset=Citation.objects.filter(by_published_report())
                .select_related("report", "paragraph")
                .order_by("report__title", "paragraph__number", "pk"),
                to_attr="published_citations",
            )
        )

    def resting_on(self, report):
        """Return the published entries that cite `report` and no other published report:
        those that cannot stay published once `report` is not."""
        cited = Citation.objects.filter(**{self.model._meta.model_name: models.OuterRef("pk")})
        return (
            self.published()
            .filter(models.Exists(cited.filter(report=report)))
            .exclude(models.Exists(cited.filter(by_published_report()).exclude(report=report)))
        )

    def with_evidence(self):
        """Prefetch what the publish rule reads of each entry (reports.publishing.evidence_of):
        its citations with their reports, its figure claims with theirs, its stated parts."""
        parts = ("perpetration_set",) if self.model is Incident else ("aliases", "leaders")
        return self.prefetch_related(
            models.Prefetch("citations", queryset=Citation.objects.select_related("report")),
            models.Prefetch(
                "claims", queryset=FigureClaim.objects.select_related("citation__report")
            ),
            *parts,
        )

    def with_published_claims(self):
        """Prefetch the figure claims a reader may see, as `published_claims`
        (published_claims_prefetch()).

        The one way the API, OAI-PMH, the exports and the JSON-LD read an entry's figures:
        a claim resting on a draft report's passage must not reach a reader.
        """
        return self.prefetch_related(published_claims_prefetch())


def published_claims_prefetch():
    """The figure claims that rest on a published report's citation or on the dataset
    row, as `published_claims`, with their citation's report and paragraph (for a
    footnote), in the claims' order. For an incident's or a group's query, or
    prefetch_related_objects()."""
    return models.Prefetch(
        "claims",
        queryset=FigureClaim.objects.published().select_related(
            "citation__report", "citation__paragraph"
        ),
        to_attr="published_claims",
    )


def published_relations_prefetch():
    """A group's relations to published groups and its designations that rest on a
    published report's citation, as `published_relations` and `published_designations`,
    each with its citation's report and paragraph."""
    sourced = ("citation__report", "citation__paragraph")
    return (
        models.Prefetch(
            "relations",
            queryset=GroupRelation.objects.published().select_related("other", *sourced),
            to_attr="published_relations",
        ),
        models.Prefetch(
            "designations",
            queryset=Designation.objects.published().select_related(*sourced),
            to_attr="published_designations",
        ),
    )


def published_relations_about_prefetch():
    """What published groups' published sources say of a group (the relations naming
    it as `other`), as `published_relations_about`."""
    return models.Prefetch(
        "relations_to",
        queryset=GroupRelation.objects.published_about().select_related(
            "group", "citation__report", "citation__paragraph"
        ),
        to_attr="published_relations_about",
    )


PUBLISHED_PARTS = (
    "published_claims",
    "published_relations",
    "published_designations",
    "published_relations_about",
)


def load_published_parts(group):
    """Read what a group's page shows of its sourced parts: its published strength
    claims, relations both ways and designations, as the attributes PUBLISHED_PARTS.

    Most groups have none of them; one indexed probe finds that out, where building
    the four queries would cost the page more than running them.
    """
    if Group.objects.has_parts(group.pk):
        models.prefetch_related_objects(
            [group],
            published_claims_prefetch(),
            *published_relations_prefetch(),
            published_relations_about_prefetch(),
        )
    else:
        for name in PUBLISHED_PARTS:
            setattr(group, name, [])
    return group


class GroupQuerySet(CitedQuerySet):
    def for_list(self):
        """Return published groups with their country and aliases (two queries)."""
        return self.published().select_related("country").prefetch_related("aliases")

    def for_detail(self):
        """Published groups with what their page shows but their sourced parts
        (load_published_parts())."""
        return self.for_list().select_related("status_changed_by").prefetch_related("leaders")

    def has_parts(self, pk):
        """Whether group `pk` has any figure claim, relation (either way) or designation,
        published or not: one query on their group indexes, in plain SQL (see
        load_published_parts)."""
        quote = connection.ops.quote_name
        claims, relations, designations = (
            quote(model._meta.db_table) for model in (FigureClaim, GroupRelation, Designation)
        )
        sql = f"""SELECT
            EXISTS (SELECT 1 FROM {claims} WHERE group_id = %s)
            OR EXISTS (SELECT 1 FROM {relations} WHERE group_id = %s)
            OR EXISTS (SELECT 1 FROM {relations} WHERE other_id = %s)
            OR EXISTS (SELECT 1 FROM {designations} WHERE group_id = %s)"""  # noqa: S608 (tables)
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk] * 4)
            return bool(cursor.fetchone()[0])

    def for_open_data(self):
        """Published groups with all the API and the exports give of each."""
        return (
            self.for_list()
            .prefetch_related("leaders")
            .with_published_citations()
            .with_published_claims()
            .with_published_relations()
        )

    def with_published_relations(self):
        """Prefetch the relations and designations a reader may see (two queries):
        published_relations_prefetch()."""
        return self.prefetch_related(*published_relations_prefetch())


PERPETRATOR_FIELDS = (
    "incident",
    "group",
    "uncertain",
    "role",
    "group__slug",
    "group__name",
    "group__acronym",
)


def name_with_acronym(name, acronym):
    """ "Name (ACRONYM)", or the name alone: a group as the archive and the GTD name it."""
    return f"{name} ({acronym})" if acronym else name


def by_published_group():
    """The condition "its group is published", for a query of perpetrations.

    The group's status as EXISTS by its primary key, not a condition on the joined
    group: with that, SQLite started from the group status index and probed the
    perpetrations of every published group instead of reading the page's
    perpetrations by incident.
    """
    return models.Exists(Group.objects.filter(pk=models.OuterRef("group_id")).published())


class IncidentQuerySet(CitedQuerySet):
    def with_published_perpetrators(self):
        """Prefetch perpetrations of published groups only, as `published_perpetrations`.

        A draft group named as perpetrator must not reach a reader, not even by name.
        """
        return self.prefetch_related(
            models.Prefetch(
                "perpetration_set",
                queryset=Perpetration.objects.filter(by_published_group())
                .select_related("group")
                # What every reader of it shows (name, acronym, link): the groups' other
                # columns, three of them datetimes to convert, were read for nothing.
                .only(*PERPETRATOR_FIELDS)
                .order_by("group__name", "group_id"),  # as published_names orders them
                to_attr="published_perpetrations",
            )
        )

    def for_list(self, perpetrators=True):
        """Return published incidents with country and published perpetrators (two queries).

        `perpetrators=False` leaves them out, for rows that do not show them (one query).
        """
        incidents = self.published().select_related("country")
        return incidents.with_published_perpetrators() if perpetrators else incidents

    def for_detail(self):
        return self.for_list().select_related("status_changed_by").with_published_claims()

    def for_open_data(self):
        """Published incidents with all the API and the exports give of each."""
        return self.for_list().with_published_citations().with_published_claims()


class CitationQuerySet(models.QuerySet):
    def published(self):
        """Citations a reader may see: published report and published subject."""
        return self.filter(report__status=Status.PUBLISHED).filter(
            Q(incident__status=Status.PUBLISHED) | Q(group__status=Status.PUBLISHED)
        )

    def published_by_key(self):
        """published(), written as EXISTS by each citation's own keys (as
        by_published_report()), for a list in primary key order: its page is then read
        off the citations in that order, where with published()'s joins SQLite started
        from the published reports and sorted all their citations first."""
        incident = Incident.objects.filter(pk=OuterRef("incident_id")).published()
        group = Group.objects.filter(pk=OuterRef("group_id")).published()
        return self.filter(by_published_report()).filter(Exists(incident) | Exists(group))

    def for_display(self):
        """Published citations with their report's provenance, one query: the citations of
        one incident's or group's page, which has its subject already (its wide row, JSON
        source row included, is not loaded again)."""
        return self.published().select_related(
            "paragraph",
            "report__country",
            "report__publisher",
            "report__republisher",
            "report__imported_by",
            "report__status_changed_by",
        )

    def get_by_natural_key(self, report_slug, incident_slug, group_slug, quote):
        return self.get(
            report__slug=report_slug,
            quote=quote,
            **({"incident__slug": incident_slug} if incident_slug else {"incident": None}),
            **({"group__slug": group_slug} if group_slug else {"group": None}),
        )


# --- Reference tables --------------------------------------------------------


class CountryManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def resolve(self, name_or_code):
        """Return the country for a name or ISO code, creating its row on first use.

        Raise ValidationError when the name is not a country.
        """
        try:
            code, name = resolve_country(name_or_code)
        except LookupError as error:
            raise ValidationError(str(error)) from None
        country, _created = self.get_or_create(code=code, defaults={"name": name})
        return country


class Country(models.Model):
    code = models.CharField(_("ISO 3166 code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=100, unique=True)

    objects = CountryManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self):
        return self.name

    @property
    def local_name(self):
        """The name in the reader's language ("Perú" on a Spanish page); stored names are
        English, as the importer and the datasets give them."""
        return local_country_name(self.code, self.name, get_language() or settings.LANGUAGE_CODE)

    def natural_key(self):
        return (self.code,)

    def get_absolute_url(self):
        return url_for("reports:country-detail", code=self.code)

    def has_published_entries(self):
        """Whether a report, incident or group of this country is published: a country
        without one has no page and no feed."""
        return any(
            model.objects.published().filter(country=self).exists()
            for model in (Report, Incident, Group)
        )


class OrganisationManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Organisation(models.Model):
    """A publisher or republisher of source documents."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    url = models.URLField(_("web site"), blank=True)

    objects = OrganisationManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


# --- Editorial base ----------------------------------------------------------


class Editorial(models.Model):
    """Status and who last changed it; shared by reports, groups and incidents."""

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("status changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    is_synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        help_text=_("Generated test data, never a real fact."),
    )

    class Meta:
        abstract = True

    def set_status(self, status, user=None):
        """Move to `status`, recording who did it and when."""
        self.status = status
        self.status_changed_at = timezone.now()
        self.status_changed_by = user if user is not None and user.is_authenticated else None

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED


# --- Reports -----------------------------------------------------------------


class SourceFormat(models.TextChoices):
    TEXT = "text", _("Plain text")
    HTML = "html", _("Web page (HTML)")
    PDF = "pdf", _("PDF file")


class Report(Editorial):
    """One source document, with its text and the provenance of its bytes."""

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    series = models.CharField(_("series"), max_length=200, db_index=True)
    year = models.PositiveSmallIntegerField(_("year covered"), db_index=True)
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="reports"
    )
    publisher = models.ForeignKey(
        Organisation,
        verbose_name=_("author/publisher"),
        on_delete=models.PROTECT,
        related_name="published_reports",
        null=True,
        blank=True,
        help_text=_("Blank when the document does not say."),
    )
    republisher = models.ForeignKey(
        Organisation,
        verbose_name=_("republisher"),
        on_delete=models.PROTECT,
        related_name="republished_reports",
        null=True,
        blank=True,
    )
    published_on = models.DateField(
        _("publication date"), null=True, blank=True, help_text=_("Blank when not known.")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        default="en",
        help_text=_("ISO 639-1 code of the document's own language, e.g. en, es."),
    )
    # Where the original can be found, as the document or its republisher gives it.
    source_url = models.URLField(
        _("source URL"),
        max_length=500,
        blank=True,
        help_text=_("Where the publisher or republisher serves the document."),
    )
    document_identifier = models.CharField(
        _("document identifier"),
        max_length=200,
        blank=True,
        help_text=_("The publisher's or republisher's own identifier, e.g. a Refworld id."),
    )
    disclaimer = models.TextField(_("disclaimer"), blank=True)

    # Provenance of the source bytes.
    source_filename = models.CharField(_("original file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size_bytes = models.PositiveIntegerField(_("size in bytes"))
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imported_reports",
    )
    import_method = models.CharField(
        _("imported with"),
        max_length=100,
        help_text=_("The command or page that imported it."),
    )
    source_format = models.CharField(
        _("original format"), max_length=10, choices=SourceFormat.choices, default="text"
    )
    extracted_with = models.CharField(
        _("text extracted with"),
        max_length=100,
        blank=True,
        help_text=_("The program that took the text from a web page or a PDF file."),
    )

    objects = ReportManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "title"]
        get_latest_by = "imported_at"
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        permissions = [("publish_report", _("Can publish and unpublish reports"))]
        indexes = [
            # Each list index ends with the id, the lists' last sort key: PostgreSQL then
            # reads a page, and counts a list, in order from the index alone (SQLite's
            # indexes hold the id already, as the rowid).
            models.Index(fields=["status", "-year", "title", "id"], name="report_pub_year_idx"),
            # The report list's "series" choices (DISTINCT series of published reports)
            # read this index alone instead of every report row with its text.
            models.Index(fields=["status", "series"], name="report_pub_series_idx"),
            # The home page's latest reports, read in order instead of sorting them all.
            models.Index(
                fields=["status", "-imported_at", "title"], name="report_pub_imported_idx"
            ),
            # A country's report list: its count and its pages from the index alone.
            models.Index(
                fields=["status", "country", "-year", "title", "id"],
                name="report_pub_country_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return url_for("reports:report-detail", slug=self.slug)

    @property
    def text(self):
        return "\n\n".join(p.text for p in self.paragraphs.all())


class ParagraphManager(models.Manager):
    def get_by_natural_key(self, report_slug, number):
        return self.get(report__slug=report_slug, number=number)


class Paragraph(models.Model):
    """A numbered paragraph of a report's body; `#p<number>` is its stable anchor."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="paragraphs"
    )
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("text"))

    objects = ParagraphManager()

    class Meta:
        ordering = ["report", "number"]
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="paragraph_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="paragraph_number_positive"),
        ]
        indexes = [
            # A matching passage's report, read from this small index rather than from
            # the paragraph's row with its text (reports.search.sqlite.MATCHING_SQL).
            models.Index(fields=["id", "report"], name="paragraph_id_report_idx"),
        ]

    def __str__(self):
        # What an editor choosing a citation's paragraph recognises it by.
        return f"¶{self.number} – {excerpt(self.text, 60)}"

    def natural_key(self):
        return (*self.report.natural_key(), self.number)

    natural_key.dependencies = ["reports.report"]

    @property
    def anchor(self):
        return f"p{self.number}"

    def get_absolute_url(self):
        return f"{self.report.get_absolute_url()}#{self.anchor}"


class SourceFile(models.Model):
    """The bytes of a report's original file, as imported (Report.sha256 is their
    checksum), for readers to download. Its own table, so reading a report never
    reads them."""

    report = models.OneToOneField(
        Report,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="source_file",
    )
    data = models.BinaryField(_("bytes"))

    class Meta:
        verbose_name = _("original file")
        verbose_name_plural = _("original files")

    def __str__(self):
        return self.report.source_filename


# The media type an original is sent with, by the report's source format.
MEDIA_TYPES = {
    SourceFormat.TEXT: "text/plain",
    SourceFormat.HTML: "text/html",
    SourceFormat.PDF: "application/pdf",
}


# --- Groups ------------------------------------------------------------------


class Group(Editorial):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="groups",
        null=True,
        blank=True,
    )
    description = models.TextField(_("description"), blank=True)
    # The original fields are English; reports.translated picks the reader's language.
    description_es = models.TextField(in_language(_("description"), "es"), blank=True)
    founded_year = models.PositiveSmallIntegerField(_("founded (year)"), null=True, blank=True)
    activity = models.CharField(
        _("activity status"),
        max_length=10,
        choices=GroupActivity.choices,
        default=GroupActivity.UNKNOWN,
    )

    objects = GroupQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("armed group")
        verbose_name_plural = _("armed groups")
        permissions = [("publish_group", _("Can publish and unpublish groups"))]
        indexes = [
            # The group list's pages in name order without sorting every group.
            models.Index(fields=["status", "name"], name="group_pub_name_idx"),
        ]

    def __str__(self):
        return name_with_acronym(self.name, self.acronym)

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return url_for("reports:group-detail", slug=self.slug)


class GroupAliasManager(models.Manager):
    def get_by_natural_key(self, group_slug, name):
        return self.get(group__slug=group_slug, name=name)


class GroupAlias(models.Model):
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(_("alias"), max_length=200, db_index=True)
    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("ISO 639-1 code, e.g. en, es.")
    )

    objects = GroupAliasManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "name"]
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [
            models.UniqueConstraint(fields=["group", "name"], name="alias_unique_per_group")
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.group.natural_key(), self.name)

    natural_key.dependencies = ["reports.group"]


class LeaderManager(models.Manager):
    def get_by_natural_key(self, group_slug, name):
        return self.get(group__slug=group_slug, name=name)


class Leader(models.Model):
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="leaders"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)

    objects = LeaderManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "name"]
        verbose_name = _("leader")
        verbose_name_plural = _("leaders")
        constraints = [
            models.UniqueConstraint(fields=["group", "name"], name="leader_unique_per_group")
        ]

    def __str__(self):
        return f"{self.name}, {self.role}" if self.role else self.name

    def natural_key(self):
        return (*self.group.natural_key(), self.name)

    natural_key.dependencies = ["reports.group"]


# --- Incidents ---------------------------------------------------------------


class Incident(Editorial):
    title = models.CharField(_("title"), max_length=300)
    # The original fields are English; reports.translated picks the reader's language.
    title_es = models.CharField(in_language(_("title"), "es"), max_length=300, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_es = models.TextField(in_language(_("summary"), "es"), blank=True)
    # A date is stored as the first day of its period; the precision says how
    # much of it the source gives ("May 1997" is 1997-05-01 at month precision).
    start_date = models.DateField(_("start date"), db_index=True)
    start_precision = models.CharField(
        _("start date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_precision = models.CharField(
        _("end date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="incidents"
    )
    region = models.CharField(_("department/province"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    place_precision = models.CharField(
        _("place precision"),
        max_length=20,
        choices=PlacePrecision.choices,
        blank=True,
        help_text=_("How exactly the place is known, where the source says."),
    )
    type = models.CharField(
        _("type"), max_length=20, choices=IncidentType.choices, default=IncidentType.OTHER
    )
    violence_type = models.CharField(
        _("type of violence"), max_length=20, choices=ViolenceType.choices, blank=True
    )
    state_actors = models.CharField(
        _("state actors"),
        max_length=300,
        blank=True,
        help_text=_("Governments the source names as a side; they are not armed groups."),
    )
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    perpetrators = models.ManyToManyField(
        Group,
        verbose_name=_("perpetrator groups"),
        through="Perpetration",
        related_name="incidents",
        blank=True,
    )
    # Null means the source does not say; zero means it says none.
    killed = models.PositiveIntegerField(_("killed"), null=True, blank=True)
    injured = models.PositiveIntegerField(_("injured"), null=True, blank=True)
    hostages = models.PositiveIntegerField(_("hostages/kidnapped"), null=True, blank=True)
    # Stored so lists can sort and filter by casualties on an index.
    casualties = models.GeneratedField(
        expression=Coalesce(F("killed"), 0) + Coalesce(F("injured"), 0),
        output_field=models.PositiveIntegerField(),
        db_persist=True,
        verbose_name=_("casualties"),
    )
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_es = models.TextField(in_language(_("outcome"), "es"), blank=True)

    # Provenance of rows imported from a dataset such as the GTD.
    external_id = models.CharField(
        _("external id"), max_length=40, unique=True, null=True, blank=True
    )
    external_source = models.CharField(_("dataset"), max_length=100, blank=True)
    source_row = models.JSONField(_("source row"), null=True, blank=True, editable=False)

    objects = IncidentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["casualties"])

    class Meta:
        ordering = ["-start_date", "title"]
        get_latest_by = "start_date"
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        permissions = [("publish_incident", _("Can publish and unpublish incidents"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="incident_end_not_before_start",
            ),
        ]
        indexes = [
            # Ending with the id, as the reports' (Report.Meta says why).
            models.Index(fields=["status", "-start_date", "id"], name="incident_pub_date_idx"),
            models.Index(
                fields=["status", "country", "-start_date", "id"], name="incident_country_idx"
            ),
            # The "ends on or after a day" side of the year and date filters
            # (IncidentFilter.ends_on_or_after): only incidents with an end date (a
            # few per cent) are in these, so they stay small.
            # start_date last: the filter asks which of them started before the
            # period, and the index answers without reading the rows.
            models.Index(
                fields=["status", "end_date", "start_date"],
                condition=Q(end_date__isnull=False),
                name="incident_pub_end_start_idx",
            ),
            models.Index(
                fields=["status", "country", "end_date", "start_date"],
                condition=Q(end_date__isnull=False),
                name="incident_country_end_start_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return url_for("reports:incident-detail", slug=self.slug)

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})

    @property
    def place(self):
        """ "City, region"; a region named as its city (Lima, in Lima) once."""
        return place_name(self.city, self.region)


def last_day(day, precision):
    """The last day a date stored at `precision` may stand for: 31 December 1997 for
    "1997", 31 May for "May 1997", the day itself at day precision."""
    if precision == DatePrecision.YEAR:
        return day.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return day


class TimelineEntry(NamedTuple):
    """An incident of a group's timeline: what its row shows, whether the group is
    suspected, and its part in it (Role)."""

    uncertain: bool
    role: str
    slug: str
    title: str
    title_es: str  # reports.translated picks the reader's language
    start_date: date
    start_precision: str
    end_date: date | None
    end_precision: str
    external_source: str  # the dataset it was imported from, if any

    def get_absolute_url(self):
        return url_for("reports:incident-detail", slug=self.slug)


class PerpetratorName(NamedTuple):
    """A published group named as perpetrator of an incident (or as a side in it), as a
    list row shows it."""

    url: str
    label: str  # name_with_acronym(): how the group is named
    uncertain: bool
    side: bool = False  # a side in the fighting, not known as its perpetrator (Role)


class PerpetrationManager(models.Manager):
    def get_by_natural_key(self, incident_slug, group_slug):
        return self.get(incident__slug=incident_slug, group__slug=group_slug)

    def published_names(self, incident_ids):
        """{incident id: [PerpetratorName]} of the published groups named for these
        incidents, by group name (published_rows())."""
        names = {}
        for incident_id, uncertain, slug, name, acronym, role in self.published_rows(incident_ids):
            perpetrator = PerpetratorName(
                url_for("reports:group-detail", slug=slug),
                name_with_acronym(name, acronym),
                uncertain,
                role == Role.SIDE,
            )
            names.setdefault(incident_id, []).append(perpetrator)
        return names

    def published_rows(self, incident_ids):
        """(incident id, uncertain, group slug, name, acronym, role) of the published
        groups named for these incidents, by group name.

        Plain rows in plain SQL for the incident lists: prefetched as models with their
        groups, or read by the same query built by the ORM, the perpetrations cost the
        page far more in Python than the database spends finding them (bench/RESULTS.md
        has the figures). CROSS JOIN makes SQLite read the page's
        perpetrations by incident first, then their groups (by_published_group() says
        why); PostgreSQL plans it as the inner join it is.
        """
        if not incident_ids:
            return []
        perpetration, group = (
            connection.ops.quote_name(model._meta.db_table) for model in (self.model, Group)
        )
        marks = ", ".join(["%s"] * len(incident_ids))
        sql = f"""
            SELECT p.incident_id, p.uncertain, g.slug, g.name, g.acronym, p.role
            FROM {perpetration} p CROSS JOIN {group} g
            WHERE p.incident_id IN ({marks}) AND g.id = p.group_id AND g.status = %s
            ORDER BY g.name, g.id"""  # noqa: S608 (the models' tables; values are parameters)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*incident_ids, Status.PUBLISHED])
            return [
                (incident_id, bool(uncertain), slug, name, acronym, role)  # SQLite: 0 or 1
                for incident_id, uncertain, slug, name, acronym, role in cursor.fetchall()
            ]

    def timeline(self, group, length):
        """The latest `length` published incidents of `group`, newest first, as TimelineEntry.

        An incident known only to its year or month comes after the period's dated ones
        (by the last day its date may stand for): "later in 1997" is not before May
        1997. The latest are found by start date, on the index; only their order uses
        the last day. Plain rows, not model instances: building the Perpetration and
        Incident instances cost more than reading their rows.
        """
        rows = (
            self.filter(group=group, incident__status=Status.PUBLISHED)
            .order_by("-incident__start_date", "-incident__title")
            .values_list(
                "uncertain", "role", *(f"incident__{name}" for name in TimelineEntry._fields[2:])
            )
        )
        entries = [TimelineEntry(*row) for row in rows[:length]]
        return sorted(
            entries,
            key=lambda entry: (last_day(entry.start_date, entry.start_precision), entry.title),
            reverse=True,
        )


class Role(models.TextChoices):
    """A group's part in an incident: the perpetrator, or one side of a fight whose
    source (UCDP's dyads) does not say who attacked whom."""

    PERPETRATOR = "perpetrator", _("Perpetrator")
    SIDE = "side", _("Side in the fighting")


class Perpetration(models.Model):
    """A group named as perpetrator of an incident (or as a side in it), and whether
    that is certain."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE)
    group = models.ForeignKey(Group, on_delete=models.PROTECT)
    uncertain = models.BooleanField(
        _("attribution uncertain"), default=False, help_text=_("The source suspects the group.")
    )
    role = models.CharField(
        _("role"), max_length=12, choices=Role.choices, default=Role.PERPETRATOR
    )

    objects = PerpetrationManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("perpetrator")
        verbose_name_plural = _("perpetrators")
        constraints = [
            models.UniqueConstraint(fields=["incident", "group"], name="perpetration_unique")
        ]
        indexes = [
            # A group's incidents (its page, ?group=): the pairs from the index alone.
            models.Index(fields=["group", "incident"], name="perpetration_group_idx"),
        ]

    def __str__(self):
        return f"{self.group} — {self.incident}"

    def natural_key(self):
        return (*self.incident.natural_key(), *self.group.natural_key())

    natural_key.dependencies = ["reports.incident", "reports.group"]


# --- Citations ---------------------------------------------------------------


class Citation(models.Model):
    """A quoted passage of a report that supports an incident or a group."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="citations"
    )
    paragraph = models.ForeignKey(
        Paragraph,
        verbose_name=_("paragraph"),
        on_delete=models.PROTECT,
        related_name="citations",
        null=True,
        blank=True,
        help_text=_("Left blank, it is found from the quote."),
    )
    quote = models.TextField(_("quoted passage"))
    # quote_key(quote), set on every save (reports.signals.key_quote), so the
    # database itself refuses the same passage twice.
    quote_key = models.CharField(_("quote key"), max_length=64, editable=False, default="")
    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="citations",
        null=True,
        blank=True,
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        related_name="citations",
        null=True,
        blank=True,
    )
    facts = models.JSONField(
        _("facts supported"),
        default=list,
        blank=True,
        help_text=_("Which facts this passage supports, e.g. killed, hostages."),
    )
    note = models.CharField(_("editor's note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = CitationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "paragraph__number", "pk"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            models.CheckConstraint(
                condition=(Q(incident__isnull=False) & Q(group__isnull=True))
                | (Q(incident__isnull=True) & Q(group__isnull=False)),
                name="citation_supports_one_subject",
            ),
            # The same subject, report and quote (whitespace aside) once only; 0 stands
            # for the subject a citation does not have, since NULLs never collide.
            models.UniqueConstraint(
                F("report"),
                Coalesce(F("incident"), Value(0)),
                Coalesce(F("group"), Value(0)),
                F("quote_key"),
                name="citation_unique_passage",
                violation_error_message=_("This passage of this report is already cited here."),
            ),
        ]

    def __str__(self):
        quote = self.quote if len(self.quote) <= 60 else self.quote[:57] + "…"
        return f"“{quote}” ({self.report})"

    def natural_key(self):
        return (
            self.report.slug,
            self.incident.slug if self.incident_id else "",
            self.group.slug if self.group_id else "",
            self.quote,
        )

    natural_key.dependencies = ["reports.report", "reports.incident", "reports.group"]

    @property
    def subject(self):
        return self.incident or self.group

    def clean(self):
        errors = {}
        # The subject may be an unsaved instance (an admin inline on an add form).
        if bool(self.incident_id or self.incident) == bool(self.group_id or self.group):
            errors["__all__"] = _("A citation supports exactly one incident or one group.")
        unknown = set(self.facts or []) - set(Fact.values)
        if unknown:
            errors["facts"] = _("Unknown facts: %(facts)s") % {"facts": ", ".join(sorted(unknown))}
        if self.report_id and self.quote:
            try:
                self.paragraph = find_quote(self.report, self.quote, self.paragraph)
            except ValidationError as error:
                errors["quote"] = error.messages
            else:
                if self.cites_again():
                    errors["quote"] = _("This passage of this report is already cited here.")
        if errors:
            raise ValidationError(errors)

    def cites_again(self):
        """Whether another citation of the same subject quotes the same passage of the
        same report (what citation_unique_passage refuses), so a form can say so."""
        subject = {"incident": self.incident} if self.incident_id else {"group": self.group}
        if not (self.incident_id or self.group_id):
            return False  # an unsaved subject has no citations yet
        others = Citation.objects.filter(
            report_id=self.report_id, quote_key=quote_key(self.quote), **subject
        )
        return others.exclude(pk=self.pk).exists()

    def save(self, *args, **kwargs):
        # The quote check is the archive's promise to readers; no save skips it.
        self.full_clean(exclude=["report", "incident", "group"], validate_unique=False)
        super().save(*args, **kwargs)


def find_quote(report, quote, paragraph=None):
    """Return the paragraph of `report` in which `quote` occurs, whitespace aside.

    Raise ValidationError when it does not occur there (or in `paragraph`, if given).
    """
    needle = normalise_space(quote)
    if not needle:
        raise ValidationError(_("The quoted passage is empty."))
    if paragraph is not None and paragraph.report_id != report.pk:
        raise ValidationError(
            _("The paragraph chosen is not a paragraph of “%(report)s”.") % {"report": report}
        )
    if paragraph is not None and needle in normalise_space(paragraph.text):
        return paragraph
    found = next((p for p in report.paragraphs.all() if needle in normalise_space(p.text)), None)
    if paragraph is None and found is not None:
        return found
    if paragraph is not None:
        # Say where the passage is, so the editor can fix the paragraph in one go.
        values = {"number": paragraph.number, "report": report}
        if found is not None:
            values["found"] = found.number
            message = _(
                "The quoted passage does not occur in paragraph %(number)s of “%(report)s”; "
                "it occurs in paragraph %(found)s."
            )
        else:
            message = _(
                "The quoted passage does not occur in paragraph %(number)s of “%(report)s”."
            )
        raise ValidationError(message % values)
    raise ValidationError(
        _("The quoted passage does not occur in “%(report)s”.") % {"report": report}
    )


# --- Claims: figures, relations and designations, each resting on a citation -------


def by_published_citation():
    """The condition "its citation quotes a published report", for a query of claims,
    relations or designations (EXISTS by the citation's key, as by_published_report())."""
    return models.Exists(
        Citation.objects.filter(pk=models.OuterRef("citation_id"), report__status=Status.PUBLISHED)
    )


class FigureClaimQuerySet(models.QuerySet):
    def published(self):
        """Claims a reader may see: resting on a published report's passage or on the
        dataset row the incident was imported from."""
        return self.filter(Q(from_dataset=True) | by_published_citation())


class SourcedQuerySet(models.QuerySet):
    def published(self):
        """Designations (or relations) a reader may see: resting on a published report's
        passage."""
        return self.filter(by_published_citation())


class GroupRelationQuerySet(SourcedQuerySet):
    def published(self):
        """Relations a reader may see: resting on a published report's passage and naming
        a published group (a draft group must not reach a reader, not even by name)."""
        return (
            super()
            .published()
            .filter(models.Exists(Group.objects.filter(pk=models.OuterRef("other_id")).published()))
        )

    def published_about(self):
        """Relations as the group they name (`other`) reads them: resting on a published
        report's passage and stated by a published group."""
        return (
            super()
            .published()
            .filter(models.Exists(Group.objects.filter(pk=models.OuterRef("group_id")).published()))
        )


class Figure(models.TextChoices):
    """What a figure claim counts. Killed, injured and hostages are an incident's;
    strength is a group's."""

    KILLED = "killed", _("Killed")
    INJURED = "injured", _("Injured")
    HOSTAGES = "hostages", _("Hostages")
    STRENGTH = "strength", _("Strength")


INCIDENT_FIGURES = (Figure.KILLED, Figure.INJURED, Figure.HOSTAGES)


class FigureClaimManager(models.Manager):
    def get_by_natural_key(self, incident_slug, group_slug, figure, moment, low):
        subject = (
            {"incident__slug": incident_slug} if incident_slug else {"group__slug": group_slug}
        )
        return self.get(figure=figure, moment=moment, low=low, **subject)


class FigureClaim(models.Model):
    """One source's figure for an incident or a group, as precise as the source is.

    An exact number is low == high; a range has both; "at least" or "more than"
    leaves high open (null). `wording` keeps the source's own words ("more than a
    dozen") and `moment` the time the figure describes ("at the beginning of 1997").
    A claim rests on a citation, or, for an incident imported from a dataset, on
    the dataset row the incident keeps (`from_dataset`).
    """

    incident = models.ForeignKey(
        "Incident",
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="claims",
        null=True,
        blank=True,
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        related_name="claims",
        null=True,
        blank=True,
    )
    figure = models.CharField(_("figure"), max_length=10, choices=Figure.choices)
    low = models.PositiveIntegerField(_("low"), help_text=_("The exact number, or the least."))
    high = models.PositiveIntegerField(
        _("high"),
        null=True,
        blank=True,
        help_text=_("The same as low for an exact number; blank for “at least”, “more than”."),
    )
    point = models.PositiveIntegerField(
        _("source's best estimate"),
        null=True,
        blank=True,
        help_text=_("Where the source gives a best estimate within its range (UCDP's “best”)."),
    )
    wording = models.CharField(
        _("source's wording"),
        max_length=200,
        blank=True,
        help_text=_("The source's own words for the figure, e.g. “more than a dozen”."),
    )
    moment = models.CharField(
        _("moment"),
        max_length=200,
        blank=True,
        help_text=_("When the figure holds, if the source says, e.g. “at the beginning of 1997”."),
    )
    moment_date = models.DateField(
        _("moment (date)"), null=True, blank=True, help_text=_("For ordering claims in time.")
    )
    best = models.BooleanField(
        _("best estimate"),
        default=False,
        help_text=_("The claim lists, filters and sorts use for this figure."),
    )
    citation = models.ForeignKey(
        "Citation",
        verbose_name=_("citation"),
        on_delete=models.CASCADE,
        related_name="claims",
        null=True,
        blank=True,
    )
    from_dataset = models.BooleanField(
        _("from the dataset row"),
        default=False,
        editable=False,
        help_text=_("Rests on the row of the dataset the incident was imported from."),
    )
    note = models.CharField(_("editor's note"), max_length=300, blank=True)

    objects = FigureClaimManager.from_queryset(FigureClaimQuerySet)()
    history = HistoricalRecords()

    class Meta:
        ordering = ["figure", "moment_date", "pk"]
        verbose_name = _("figure claim")
        verbose_name_plural = _("figure claims")
        constraints = [
            models.CheckConstraint(
                condition=(Q(incident__isnull=False) & Q(group__isnull=True))
                | (Q(incident__isnull=True) & Q(group__isnull=False)),
                name="claim_of_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(high__isnull=True) | Q(high__gte=F("low")),
                name="claim_low_not_above_high",
                violation_error_message=_("The low figure cannot exceed the high one."),
            ),
            models.CheckConstraint(
                condition=Q(point__isnull=True)
                | (Q(point__gte=F("low")) & (Q(high__isnull=True) | Q(point__lte=F("high")))),
                name="claim_point_within_range",
                violation_error_message=_("The best estimate must lie between low and high."),
            ),
            models.CheckConstraint(
                condition=Q(citation__isnull=False) | Q(from_dataset=True),
                name="claim_rests_on_source",
                violation_error_message=_("A figure needs the citation it rests on."),
            ),
        ]

    def __str__(self):
        return f"{self.get_figure_display()}: {self.wording or self.words}"

    def natural_key(self):
        subject = (self.incident.slug, "") if self.incident_id else ("", self.group.slug)
        return (*subject, self.figure, self.moment, self.low)

    natural_key.dependencies = ["reports.incident", "reports.group", "reports.citation"]

    @property
    def subject(self):
        return self.incident or self.group

    def clean(self):
        """The check constraints in words, and what they cannot see: a figure of the
        subject's kind, resting on a citation of the same subject."""
        errors = {}
        # The subject may be an unsaved instance (an admin inline on an add form).
        incident = self.incident if self.incident_id is None else self.incident_id
        group = self.group if self.group_id is None else self.group_id
        if bool(incident) == bool(group):
            errors["__all__"] = _("A figure is claimed for exactly one incident or one group.")
        if self.high is not None and self.low is not None and self.low > self.high:
            errors["high"] = _("The low figure cannot exceed the high one.")
        elif self.point is not None and self.low is not None and not self.within(self.point):
            errors["point"] = _("The best estimate must lie between low and high.")
        if self.figure and incident and self.figure not in INCIDENT_FIGURES:
            errors["figure"] = _("An incident’s figures are killed, injured and hostages.")
        if self.figure and group and self.figure != Figure.STRENGTH:
            errors["figure"] = _("A group’s figure is its strength.")
        if self.citation_id is None:
            if not self.from_dataset:
                errors["citation"] = _("A figure needs the citation it rests on.")
        elif not self._cites_own_subject():
            errors["citation"] = _("A figure rests on a citation of its own incident or group.")
        if errors:
            raise ValidationError(errors)

    def _cites_own_subject(self):
        try:
            self.citation  # noqa: B018 (fetched once, cached)
        except Citation.DoesNotExist:
            return True  # no such citation: clean_fields says so
        if self.incident_id is not None:
            return self.citation.incident_id == self.incident_id
        if self.group_id is not None:
            return self.citation.group_id == self.group_id
        return False  # an unsaved subject has no citations yet

    def within(self, number):
        return self.low <= number and (self.high is None or number <= self.high)

    @property
    def exact(self):
        return self.high is not None and self.high == self.low

    @property
    def words(self):
        return figure_words(self.low, self.high, self.point)


def figure_words(low, high, point=None):
    """A figure as every surface words it, in the active language: "16", "200 to 999",
    "at least 21", "best 12 (low 10, high 15)", "best 72 (at least 70)"."""
    if point is not None and high is None:
        return gettext("best %(best)s (at least %(low)s)") % {"best": point, "low": low}
    if point is not None and low != high:
        return gettext("best %(best)s (low %(low)s, high %(high)s)") % {
            "best": point,
            "low": low,
            "high": high,
        }
    if high is None:
        return gettext("at least %(low)s") % {"low": low}
    if low == high:
        return str(low)
    return gettext("%(low)s to %(high)s") % {"low": low, "high": high}


class RelationKind(models.TextChoices):
    ALLY = "ally", _("Ally of")
    RIVAL = "rival", _("Rival of")
    SPLINTER_OF = "splinter_of", _("Splinter of")
    FACTION_OF = "faction_of", _("Faction of")
    SUCCESSOR_OF = "successor_of", _("Successor of")
    COUNTERPART = "counterpart", _("Counterpart of")


class GroupRelationManager(models.Manager):
    def get_by_natural_key(self, group_slug, kind, other_slug):
        return self.get(group__slug=group_slug, kind=kind, other__slug=other_slug)


class GroupRelation(models.Model):
    """What a source says of `group` and `other`: "`group` is <kind> `other`"."""

    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="relations"
    )
    kind = models.CharField(_("relation"), max_length=20, choices=RelationKind.choices)
    other = models.ForeignKey(
        Group,
        verbose_name=_("other group"),
        on_delete=models.PROTECT,
        related_name="relations_to",
    )
    citation = models.ForeignKey(
        "Citation",
        verbose_name=_("citation"),
        on_delete=models.CASCADE,
        related_name="relations",
    )

    objects = GroupRelationManager.from_queryset(GroupRelationQuerySet)()
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "kind", "other"]
        verbose_name = _("group relation")
        verbose_name_plural = _("group relations")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "kind", "other"], name="group_relation_unique"
            ),
            models.CheckConstraint(
                condition=~Q(group=F("other")), name="group_relation_not_to_itself"
            ),
        ]

    def clean(self):
        """The not-to-itself constraint in words, and what it cannot see: the relation
        rests on a citation of the group that states it."""
        errors = {}
        if self.group_id is not None and self.group_id == self.other_id:
            errors["other"] = _("A group cannot be related to itself.")
        if not _cites_group(self.citation_id, self.group_id):
            errors["citation"] = _(
                "A relation rests on one of the group’s own citations: cite the passage "
                "on the group first."
            )
        if errors:
            raise ValidationError(errors)

    def __str__(self):
        return f"{self.group} — {self.get_kind_display()} — {self.other}"

    def natural_key(self):
        return (self.group.slug, self.kind, self.other.slug)

    natural_key.dependencies = ["reports.group", "reports.citation"]


class Designation(models.Model):
    """An authority's listing of a group, e.g. a government's list of terrorist
    organisations, with the dates it held where the source gives them."""

    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="designations"
    )
    authority = models.CharField(
        _("authority"), max_length=200, help_text=_("e.g. United States Department of State")
    )
    list_name = models.CharField(
        _("list"), max_length=200, help_text=_("e.g. Foreign Terrorist Organizations")
    )
    designated_from = models.DateField(_("from"), null=True, blank=True)
    designated_to = models.DateField(_("to"), null=True, blank=True)
    citation = models.ForeignKey(
        "Citation",
        verbose_name=_("citation"),
        on_delete=models.CASCADE,
        related_name="designations",
    )

    objects = SourcedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "authority", "designated_from"]
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        constraints = [
            models.CheckConstraint(
                condition=Q(designated_to__isnull=True)
                | Q(designated_from__isnull=True)
                | Q(designated_to__gte=F("designated_from")),
                name="designation_to_not_before_from",
                violation_error_message=_("A designation cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.group}: {self.list_name} ({self.authority})"

    def clean(self):
        """The dates' constraint in words, and a citation of the designated group."""
        errors = {}
        start, end = self.designated_from, self.designated_to
        if start is not None and end is not None and end < start:
            errors["designated_to"] = _("A designation cannot end before it starts.")
        if not _cites_group(self.citation_id, self.group_id):
            errors["citation"] = _(
                "A designation rests on one of the group’s own citations: cite the passage "
                "on the group first."
            )
        if errors:
            raise ValidationError(errors)


def _cites_group(citation_id, group_id):
    """Whether the citation is one of the group's own (True while either is unset: the
    required field says so). One query."""
    if citation_id is None or group_id is None:
        return True
    return Citation.objects.filter(pk=citation_id, group_id=group_id).exists()


# --- Proposed revisions of live entries -------------------------------------------


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a Publisher")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class Revision(models.Model):
    """An Editor's change to a published incident or group, kept aside until a
    Publisher approves it (it goes live) or rejects it (with a reason the Editor
    sees). The public reads the live entry meanwhile.

    `data` is the change form's proposed values, fields and inlines.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("kind"), on_delete=models.CASCADE
    )
    object_id = models.PositiveIntegerField(_("entry"))
    # No column: lets the admin list prefetch the entries it names.
    entry = GenericForeignKey("content_type", "object_id")
    data = models.JSONField(_("proposed values"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RevisionStatus.choices,
        default=RevisionStatus.PENDING,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("proposed revision")
        verbose_name_plural = _("proposed revisions")
        indexes = [
            models.Index(fields=["content_type", "object_id", "status"], name="revision_entry_idx")
        ]

    def __str__(self):
        return f"{self.content_type.name} {self.object_id} ({self.get_status_display()})"


# --- Readers' error reports ----------------------------------------------------


class ErrorReportStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")


# Characters of a reader's message: room for a paragraph and its correction, not a dump.
ERROR_MESSAGE_LENGTH = 3000


class ErrorReport(models.Model):
    """A reader's report of a mistake in a published report, incident or group, and
    what the editors made of it.

    Written by anyone, without an account: the form (reports/error_reports.py) limits its
    length, the view its rate per client, and the admin shows it as text only.
    `reply_to` is for an editor to answer by hand; the archive never writes to it.
    """

    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="error_reports",
    )
    incident = models.ForeignKey(
        "Incident",
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="error_reports",
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="error_reports",
    )
    fact = models.CharField(_("fact"), max_length=20, choices=Fact.choices, blank=True)
    paragraph = models.ForeignKey(
        Paragraph,
        verbose_name=_("paragraph"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    message = models.TextField(_("what is wrong"), max_length=ERROR_MESSAGE_LENGTH)
    reply_to = models.EmailField(_("address for a reply"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ErrorReportStatus.choices,
        default=ErrorReportStatus.NEW,
        db_index=True,
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    fixed_by = models.ForeignKey(
        Revision,
        verbose_name=_("fixed by revision"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="error_reports",
        help_text=_("The approved revision that corrected the entry, if one did."),
    )
    editor_note = models.TextField(_("editor's note"), blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("error report")
        verbose_name_plural = _("error reports")
        constraints = [
            # About exactly one entry.
            models.CheckConstraint(
                condition=(
                    Q(report__isnull=False, incident__isnull=True, group__isnull=True)
                    | Q(report__isnull=True, incident__isnull=False, group__isnull=True)
                    | Q(report__isnull=True, incident__isnull=True, group__isnull=False)
                ),
                name="errorreport_one_subject",
            )
        ]

    def __str__(self):
        return f"{self.get_status_display()}: {self.subject}"

    @property
    def subject(self):
        """The report, incident or group it is about."""
        return self.report or self.incident or self.group

    def set_status(self, status, user):
        """Record an editor's decision: the status, who took it and when."""
        self.status = status
        self.handled_by = user
        self.handled_at = timezone.now()


# --- The archive's change stamp ------------------------------------------------


class ArchiveState(models.Model):
    """One row: a version and a time that every write to the curated archive bumps.

    Public pages derive their ETag and Last-Modified from it, and the page cache
    keys on the version, so a publish, an edit or an unpublish changes every key at
    once, in every process (reports/caching.py).
    """

    version = models.PositiveBigIntegerField(_("version"), default=0)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("archive state")
        verbose_name_plural = _("archive state")

    def __str__(self):
        return f"version {self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    # Before the first write (or after a test flushed the table) the archive is at 0.
    EPOCH = (0, datetime(2000, 1, 1, tzinfo=UTC))

    @classmethod
    def current(cls, using=None):
        """Return (version, changed_at), one indexed query, from `using` or the database
        this request reads the archive from (a replica for a public read; archive/routers.py).

        Raw SQL: every public request asks, a page cache hit included, and the ORM
        takes many times longer to build this query than the database takes to run it.
        """
        reading = connections[using or router.db_for_read(cls)]
        table = reading.ops.quote_name(cls._meta.db_table)
        with reading.cursor() as cursor:
            cursor.execute(f"SELECT version, changed_at FROM {table} WHERE id = 1")  # noqa: S608
            row = cursor.fetchone()
        if row is None:
            return cls.EPOCH
        version, changed_at = row
        if isinstance(changed_at, str):  # a SQLite without the datetime converter
            changed_at = datetime.fromisoformat(changed_at)
        if timezone.is_naive(changed_at):  # stored in UTC (USE_TZ) without its zone
            changed_at = changed_at.replace(tzinfo=UTC)
        return version, changed_at

    @classmethod
    def bump(cls, using="default"):
        """Record a change: a new version and now. Call it inside the writer's transaction,
        so readers see the new version exactly when they can see the new rows."""
        now = timezone.now()
        rows = cls.objects.using(using).filter(pk=1)
        if not rows.update(version=F("version") + 1, changed_at=now):
            _state, created = cls.objects.using(using).get_or_create(
                pk=1, defaults={"version": 1, "changed_at": now}
            )
            if not created:  # another writer created it in between
                rows.update(version=F("version") + 1, changed_at=now)


class Figures(models.Model):
    """Figures derived from the published archive (counts, a group's totals per year),
    stored with the ArchiveState stamp they were computed at.

    Aggregates read every published incident, a cost that grows with the archive; the
    pages that show them read this row instead, and the first request after any change
    (a new stamp) computes them again (reports/figures.py). Not history-tracked and not
    curated: writing it does not bump the stamp.
    """

    key = models.CharField(_("key"), max_length=100, primary_key=True)
    version = models.PositiveBigIntegerField(_("archive version"))
    changed_at = models.DateTimeField(_("archive changed at"))
    data = models.JSONField(_("data"))

    class Meta:
        verbose_name = _("derived figures")
        verbose_name_plural = _("derived figures")

    def __str__(self):
        return f"{self.key} at version {self.version}"
