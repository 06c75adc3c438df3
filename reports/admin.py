"""The editors' admin: curate incidents and groups with quoted evidence, review, publish."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from reports import revisions
from reports.curation import (
    SUGGEST_FIGURES,
    CitationFromPassageInline,
    drafted_from_query,
    marked_paragraphs,
    prefilled,
    suggested_claims,
)
from reports.desk import CurationFilter, trail
from reports.forms import (
    CitationForm,
    CitationInlineFormSet,
    EditorialForm,
    FigureClaimForm,
    FigureClaimInlineFormSet,
    GroupCitationForm,
    GroupSourcedInlineFormSet,
    ImportDocumentsForm,
    IncidentCitationForm,
    PartForm,
    ReportForm,
)
from reports.ingest.documents import ImportRefused, import_documents
from reports.models import (
    Citation,
    Country,
    Designation,
    ErrorReport,
    FigureClaim,
    Group,
    GroupAlias,
    GroupRelation,
    Incident,
    Leader,
    Organisation,
    Paragraph,
    Perpetration,
    Report,
    Revision,
    RevisionStatus,
    Status,
)
from reports.publishing import (
    can_publish,
    change_statuses,
    import_problems,
    may_change_part,
    parts_delete_problem,
    sourcing,
    withdraw,
    withdrawals,
)
from reports.text import excerpt
from reports.translated import in_language, translated_fields

RECORD_FIELDS = ("status_changed_at", "status_changed_by", "created_at", "updated_at")
SOURCING_FIELDSET = (
    _("Sourcing"),
    {
        "fields": ("sourcing",),
        "description": _(
            "Each fact the entry states, as saved, and the citations marked as supporting "
            "it (for a figure, its claims). Only citations of published reports count for "
            "publishing."
        ),
    },
)


def change_url(entry):
    opts = entry._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[entry.pk])


# --- Editorial status: one rule for the form and the bulk actions -------------


class EditorialAdmin(SimpleHistoryAdmin):
    form = EditorialForm
    actions = ("publish", "send_to_review", "return_to_draft")
    list_per_page = 50

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # A history revert saves the form alone, without the inline formsets.
        url_name = getattr(request.resolver_match, "url_name", None) or ""
        reverting = url_name.endswith("_simple_history")
        return type(form.__name__, (form,), {"user": request.user, "without_inlines": reverting})

    def save_model(self, request, obj, form, change):
        if not change or "status" in form.changed_data:
            obj.set_status(obj.status, request.user)
        super().save_model(request, obj, form, change)

    def has_publish_permission(self, request):
        return can_publish(request.user, self.model)

    def _move(self, request, queryset, status, withdrawing=False):
        changed, refused = change_statuses(request.user, queryset, status, withdrawing)
        for problem in dict.fromkeys(problem for _entry, problem in refused):
            self.message_user(request, problem, messages.ERROR)
        if changed:
            opts = self.model._meta
            name = opts.verbose_name if len(changed) == 1 else opts.verbose_name_plural
            label = Status(status).label
            self.message_user(
                request, f"{len(changed)} {name} moved to “{label}”.", messages.SUCCESS
            )

    @admin.action(
        description=_("Publish selected %(verbose_name_plural)s"), permissions=["publish"]
    )
    def publish(self, request, queryset):
        return self._move(request, queryset, Status.PUBLISHED)

    @admin.action(
        description=_("Send selected %(verbose_name_plural)s to review"), permissions=["change"]
    )
    def send_to_review(self, request, queryset):
        return self._move(request, queryset, Status.REVIEW)

    @admin.action(
        description=_("Return selected %(verbose_name_plural)s to draft"), permissions=["change"]
    )
    def return_to_draft(self, request, queryset):
        return self._move(request, queryset, Status.DRAFT)


class EntryAdmin(EditorialAdmin):
    """An incident's or a group's admin: the publish rule reads the whole change form,
    editors see how each fact is sourced, and an Editor's change to a live entry waits
    for a Publisher."""

    # Changes to a live entry by an Editor become a proposed revision (reports/revisions.py).

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in translated_fields(self.model):
            # The original field is the English text; its Spanish one is labelled so.
            field.label = capfirst(in_language(db_field.verbose_name, "en"))
        return field

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id is not None:
            entry = self.get_object(request, unquote(object_id))
            if entry is not None and revisions.needs_revision(request.user, entry):
                response = self._propose_revision(request, entry)
                if response is not None:
                    return response
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _propose_revision(self, request, entry):
        """Store a valid change form as a revision; None lets the change view show errors."""
        if not self.has_change_permission(request, entry):
            raise PermissionDenied
        data = revisions.form_data(request.POST)
        bound = revisions.bind(self, request, entry, data, request.user)
        if not bound.valid:
            # Django's view validates the same data again and shows the errors;
            # save_model below refuses to save, should anything slip through.
            return None
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[entry.pk]
        )
        if not revisions.diff(bound):
            self.message_user(request, gettext("Nothing was changed."), messages.INFO)
            return redirect(change_url)
        revisions.propose(entry, request.user, data)
        self.message_user(
            request,
            gettext(
                "Your change awaits a Publisher's approval; the public sees the live "
                "version until then."
            ),
            messages.SUCCESS,
        )
        return redirect(change_url)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        entry = self.get_object(request, unquote(object_id)) if request.method == "GET" else None
        if entry is not None:
            extra_context = {
                **(extra_context or {}),
                "revision_notices": revisions.notices(request.user, entry),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert saves the old values straight away: not for an Editor on a live entry.
        if request.method == "POST":
            entry = self.get_object(request, unquote(object_id))
            if entry is not None and revisions.needs_revision(request.user, entry):
                self.message_user(
                    request,
                    revisions.live_change_problem(request.user, self.model, entry.pk),
                    messages.ERROR,
                )
                return redirect(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_change", entry.pk
                )
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return super().revert_disabled(request, obj) or (
            obj is not None
            and revisions.live_change_problem(request.user, self.model, obj.pk) is not None
        )

    def save_model(self, request, obj, form, change):
        # The last guard of a live entry, whatever path reached the save.
        problem = change and revisions.live_change_problem(request.user, self.model, obj.pk)
        if problem:
            raise PermissionDenied(problem)
        super().save_model(request, obj, form, change)

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        # The citation formset checks the rule against the entry's other inlines too.
        for formset in formsets:
            formset.siblings = formsets
        return formsets, inline_instances

    @admin.display(description=_("Sourcing"))
    def sourcing(self, obj):
        rows = sourcing(obj) if obj is not None and obj.pk is not None else None
        return render_to_string("admin/reports/includes/sourcing.html", {"rows": rows})


# --- Reports -------------------------------------------------------------------


class ParagraphInline(admin.TabularInline):
    """The body as imported: read-only, since it must stay the source's own words."""

    model = Paragraph
    fields = ("number", "text")
    readonly_fields = ("number", "text")
    extra = 0
    # Collapsed: the change page shows the text above, for curating from a selection.
    classes = ("collapse",)
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(EditorialAdmin):
    form = ReportForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "title",
        "country",
        "year",
        "series",
        "status",
        "paragraph_count",
        "imported_at",
    )
    list_filter = ("status", CurationFilter, "series", "year", "country", "language")
    search_fields = ("title", "slug", "sha256", "source_filename")
    autocomplete_fields = ("country", "publisher", "republisher")
    list_select_related = ("country",)
    date_hierarchy = "imported_at"
    readonly_fields = (
        "disclaimer",
        "source_filename",
        "sha256",
        "size_bytes",
        "imported_at",
        "imported_by",
        "import_method",
        "curation_trail",
        *RECORD_FIELDS,
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "status",
                    ("series", "year"),
                    "country",
                    ("publisher", "republisher"),
                    ("published_on", "language"),
                    ("source_url", "document_identifier"),
                )
            },
        ),
        (_("From import to publication"), {"fields": ("curation_trail",)}),
        (_("Disclaimer that came with the document"), {"fields": ("disclaimer",)}),
        (
            _("Provenance"),
            {
                "classes": ("collapse",),
                "fields": (
                    "source_filename",
                    ("sha256", "size_bytes"),
                    ("imported_at", "imported_by", "import_method"),
                    *RECORD_FIELDS,
                ),
            },
        ),
    )
    inlines = (ParagraphInline,)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.is_published or not can_publish(request.user, Report):
            return fieldsets
        # Leaving "published" may take the entries resting on it alone along (ReportForm).
        (name, options), *rest = fieldsets
        fields = tuple(
            item
            for field in options["fields"]
            for item in ((field, "withdraw_entries") if field == "status" else (field,))
        )
        return ((name, {**options, "fields": fields}), *rest)

    def save_model(self, request, obj, form, change):
        found = getattr(form, "withdrawals", None)
        if found and form.cleaned_data.get("withdraw_entries"):
            problem = withdraw(found, request.user)
            if problem:  # the form checked the status change already: never expected
                raise PermissionDenied(problem)
        super().save_model(request, obj, form, change)

    def _move(self, request, queryset, status, withdrawing=False):
        """Out of "published", first list the entries that would go with the reports and ask."""
        withdrawing = withdrawing or request.POST.get("withdraw") == "yes"
        if status == Status.PUBLISHED or withdrawing or not can_publish(request.user, Report):
            return super()._move(request, queryset, status, withdrawing)
        pending = [
            (report, found)
            for report in queryset
            if report.is_published and (found := withdrawals(report))
        ]
        if not pending:
            return super()._move(request, queryset, status)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Withdraw the entries resting on these reports?"),
            "opts": self.model._meta,
            "queryset": queryset,
            "action": request.POST.get("action"),
            "status": Status(status).label,
            "pending": [
                (
                    report,
                    [
                        {
                            "name": str(withdrawal.entry),
                            "kind": withdrawal.entry._meta.verbose_name,
                            "url": change_url(withdrawal.entry),
                            "facts": withdrawal.facts,
                        }
                        for withdrawal in found
                    ],
                )
                for report, found in pending
            ],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/reports/report/withdraw_confirmation.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The report the view has read already: its text marked for curation.
        if obj is not None:
            context["curate_paragraphs"] = marked_paragraphs(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(paragraph_total=Count("paragraphs"))

    @admin.display(description=_("paragraphs"), ordering="paragraph_total")
    def paragraph_count(self, obj):
        return obj.paragraph_total

    @admin.display(description=_("progress"))
    def curation_trail(self, obj):
        if obj.pk is None:
            return "—"
        return render_to_string("admin/reports/report/trail.html", {"trail": trail(obj)})

    def get_urls(self):
        import_url = path(
            "import/",
            self.admin_site.admin_view(self.import_view),
            name="reports_report_import",
        )
        return [import_url, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        # A report is made from a document's bytes, never typed in.
        return redirect("admin:reports_report_import")

    def import_view(self, request):
        """Upload source documents; the same parser and rules as import_documents."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportDocumentsForm()
        if request.method == "POST":
            form = ImportDocumentsForm(request.POST, request.FILES)
            if form.is_valid() and self._import(request, form.sources(), form.details):
                return redirect("admin:reports_report_changelist")
            refusals = form.refusals()
            for refusal in refusals:
                self.message_user(request, refusal, messages.ERROR)
            if refusals:
                self.message_user(
                    request,
                    f"{len(refusals)} document(s) refused; nothing was imported.",
                    messages.ERROR,
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import documents"),
            "opts": self.model._meta,
            "form": form,
            "max_bytes": settings.ARCHIVE_MAX_DOCUMENT_BYTES,
        }
        return TemplateResponse(request, "admin/reports/report/import_documents.html", context)

    def _import(self, request, sources, details):
        """Import `sources` as drafts; report as the command does. Return True on success."""
        try:
            with transaction.atomic():
                outcomes = import_documents(
                    sources, method="admin upload", user=request.user, details=details
                )
                problems = import_problems(request.user, outcomes)
                if problems:
                    raise ImportRefused(problems)
        except ImportRefused as refused:
            for name, reason in refused.problems:
                self.message_user(request, f"refused {name}: {reason}", messages.ERROR)
            self.message_user(
                request,
                f"{len(refused.problems)} document(s) refused; nothing was imported.",
                messages.ERROR,
            )
            return False
        counts = {}
        for outcome in outcomes:
            counts[outcome.action] = counts.get(outcome.action, 0) + 1
            self.message_user(
                request, f"{outcome.action} {outcome.name}: {outcome.report.title}", messages.INFO
            )
        summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
        self.message_user(request, f"Imported: {summary}.", messages.SUCCESS)
        return True


@admin.register(Paragraph)
class ParagraphAdmin(admin.ModelAdmin):
    list_display = ("__str__", "report", "number", "excerpt")
    list_filter = ("report",)
    search_fields = ("text", "report__title", "report__slug")
    list_select_related = ("report",)
    readonly_fields = ("report", "number", "text")

    @admin.display(description=_("text"))
    def excerpt(self, obj):
        return excerpt(obj.text)

    # Paragraphs are the document's text: they come and go only by importing it.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- An entry's parts, on their own pages ------------------------------------------


class LivePartAdmin(SimpleHistoryAdmin):
    """A part of an incident or group (citation, claim, perpetrator, alias, leader,
    relation, designation) on its own admin page.

    Once its entry is published, only Publishers change or delete it here (Editors see it
    read-only and propose changes on the entry's page), and no change, deletion or bulk
    deletion may leave the entry unsourced (reports.publishing).
    """

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_change_part(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_change_part(request.user, obj))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (PartForm, form), {"user": request.user})

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_delete_permission(request, obj):
            problem = parts_delete_problem(request.user, [obj])
            if problem:
                self.message_user(request, problem, messages.ERROR)
                return redirect(change_url(obj))
        return super().delete_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history lets whoever may view the history post a revert: hold it to the
        # same permission as the change form.
        obj = self.get_object(request, unquote(object_id))
        if request.method == "POST" and obj and not self.has_change_permission(request, obj):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _function, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_parts, name, description)
        return actions


def delete_selected_parts(modeladmin, request, queryset):
    """Django's "delete selected" for a LivePartAdmin, once the parts may all go together."""
    parts = list(queryset)
    if not all(modeladmin.has_delete_permission(request, part) for part in parts):
        raise PermissionDenied
    problem = parts_delete_problem(request.user, parts)
    if problem:
        modeladmin.message_user(request, problem, messages.ERROR)
        return None
    return delete_selected(modeladmin, request, queryset)


# --- Incidents -----------------------------------------------------------------


class PerpetrationInline(admin.TabularInline):
    model = Perpetration
    autocomplete_fields = ("group",)
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        """On a new incident drafted from a passage, a row for each group it names."""
        drafted = getattr(request, "drafted", None)
        groups = drafted.draft.groups if drafted is not None and obj is None else []
        if not groups:
            return super().get_formset(request, obj, **kwargs)
        formset = super().get_formset(request, obj, **{**kwargs, "extra": len(groups)})
        return prefilled(formset, [{"group": group.pk} for group in groups])


class CitationInline(CitationFromPassageInline, admin.StackedInline):
    model = Citation
    formset = CitationInlineFormSet
    fields = ("report", "quote", "paragraph", "facts", "note")
    autocomplete_fields = ("report", "paragraph")

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is not None and obj.citations.exists() else 1


class IncidentCitationInline(CitationInline):
    form = IncidentCitationForm
    fk_name = "incident"


class GroupCitationInline(CitationInline):
    form = GroupCitationForm
    fk_name = "group"


class FigureClaimInline(admin.TabularInline):
    """What each source says of a figure; the entry's row keeps their best estimate."""

    model = FigureClaim
    form = FigureClaimForm
    formset = FigureClaimInlineFormSet
    fields = (*FigureClaimForm.Meta.fields, "from_dataset")
    readonly_fields = ("from_dataset",)
    extra = 0
    verbose_name_plural = _("figures, as each source gives them (save a citation first)")


class IncidentClaimInline(FigureClaimInline):
    fk_name = "incident"

    def get_formset(self, request, obj=None, **kwargs):
        """With ?suggest_figures=1, a row for each figure its citations give."""
        rows = []
        if obj is not None and request.method == "GET" and request.GET.get(SUGGEST_FIGURES):
            rows = suggested_claims(obj)
            if not rows:
                messages.info(request, gettext("Its citations give no figure it has no claim of."))
        if not rows:
            return super().get_formset(request, obj, **kwargs)
        formset = super().get_formset(request, obj, **{**kwargs, "extra": len(rows)})
        return prefilled(formset, rows)


class GroupClaimInline(FigureClaimInline):
    fk_name = "group"
    verbose_name_plural = _("strength, as each source gives it (save a citation first)")


@admin.register(Incident)
class IncidentAdmin(EntryAdmin):
    list_display = (
        "title",
        "start_date",
        "start_precision",
        "country",
        "type",
        "killed",
        "injured",
        "hostages",
        "status",
        "citation_count",
    )
    list_filter = ("status", "type", "country", "start_precision", "perpetrators")
    search_fields = ("title", "title_es", "summary", "city", "region", "perpetrators__name")
    autocomplete_fields = ("country",)
    list_select_related = ("country",)
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "start_date"
    readonly_fields = (
        "killed",
        "injured",
        "hostages",
        "sourcing",
        "external_source",
        "external_id",
        "is_synthetic",
        *RECORD_FIELDS,
    )
    fieldsets = (
        (None, {"fields": ("title", "title_es", "slug", "status", "summary", "summary_es")}),
        (
            _("When and where"),
            {
                "fields": (
                    ("start_date", "start_precision"),
                    ("end_date", "end_precision"),
                    "country",
                    ("region", "city"),
                    ("latitude", "longitude"),
                    "place_precision",
                )
            },
        ),
        (
            _("What happened"),
            {
                "fields": (
                    ("type", "violence_type"),
                    "target_type",
                    "state_actors",
                    ("killed", "injured", "hostages"),
                    "outcome",
                    "outcome_es",
                ),
                "description": _(
                    "Killed, injured and hostages are each the best estimate, from the "
                    "claims below; a figure no source gives stays blank."
                ),
            },
        ),
        SOURCING_FIELDSET,
        (
            _("Record"),
            {
                "classes": ("collapse",),
                "fields": ("external_source", "external_id", "is_synthetic", *RECORD_FIELDS),
            },
        ),
    )
    inlines = (PerpetrationInline, IncidentCitationInline, IncidentClaimInline)

    def add_view(self, request, form_url="", extra_context=None):
        # "New incident from this passage": the passage drafts the form (its inlines read
        # request.drafted too); the editor checks each suggestion and saves.
        request.drafted = drafted_from_query(request.GET) if request.method == "GET" else None
        extra_context = {**(extra_context or {}), "drafted": request.drafted}
        return super().add_view(request, form_url, extra_context)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        drafted = getattr(request, "drafted", None)
        return {**initial, **drafted.initial()} if drafted is not None else initial

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "suggest_figures": SUGGEST_FIGURES}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_total=Count("citations"))

    @admin.display(description=_("citations"), ordering="citation_total")
    def citation_count(self, obj):
        return obj.citation_total


@admin.register(Perpetration)
class PerpetrationAdmin(LivePartAdmin):
    list_display = ("incident", "group", "uncertain", "role")
    list_filter = ("uncertain", "role", "group")
    search_fields = ("incident__title", "group__name", "group__acronym")
    autocomplete_fields = ("incident", "group")
    list_select_related = ("incident", "group")


# --- Groups --------------------------------------------------------------------


class GroupAliasInline(admin.TabularInline):
    model = GroupAlias
    extra = 0


class LeaderInline(admin.TabularInline):
    model = Leader
    extra = 0


class GroupRelationInline(admin.TabularInline):
    """What a source says of this group and another; the other side shows it inversely."""

    model = GroupRelation
    fk_name = "group"
    formset = GroupSourcedInlineFormSet
    fields = ("kind", "other", "citation")
    autocomplete_fields = ("other",)
    extra = 0
    verbose_name_plural = _("relations to other groups (save a citation first)")


class DesignationInline(admin.TabularInline):
    model = Designation
    formset = GroupSourcedInlineFormSet
    fields = ("authority", "list_name", "designated_from", "designated_to", "citation")
    extra = 0
    verbose_name_plural = _("designations (save a citation first)")


@admin.register(Group)
class GroupAdmin(EntryAdmin):
    list_display = (
        "name",
        "acronym",
        "country",
        "activity",
        "founded_year",
        "status",
        "citation_count",
    )
    list_filter = ("status", "activity", "country")
    search_fields = ("name", "acronym", "aliases__name", "leaders__name")
    autocomplete_fields = ("country",)
    list_select_related = ("country",)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("sourcing", "is_synthetic", *RECORD_FIELDS)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "slug",
                    "acronym",
                    "status",
                    "country",
                    "description",
                    "description_es",
                )
            },
        ),
        (
            _("History"),
            {
                "fields": ("founded_year", "activity"),
                "description": _("Leave the year blank when the source does not give it."),
            },
        ),
        SOURCING_FIELDSET,
        (_("Record"), {"classes": ("collapse",), "fields": ("is_synthetic", *RECORD_FIELDS)}),
    )
    inlines = (
        GroupAliasInline,
        LeaderInline,
        GroupCitationInline,
        GroupClaimInline,
        GroupRelationInline,
        DesignationInline,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_total=Count("citations"))

    @admin.display(description=_("citations"), ordering="citation_total")
    def citation_count(self, obj):
        return obj.citation_total


@admin.register(GroupAlias)
class GroupAliasAdmin(LivePartAdmin):
    list_display = ("name", "language", "group")
    list_filter = ("language", "group")
    search_fields = ("name", "group__name")
    autocomplete_fields = ("group",)
    list_select_related = ("group",)


@admin.register(Leader)
class LeaderAdmin(LivePartAdmin):
    list_display = ("name", "role", "group")
    list_filter = ("group",)
    search_fields = ("name", "role", "group__name")
    autocomplete_fields = ("group",)
    list_select_related = ("group",)


# --- Citations and reference tables ---------------------------------------------


@admin.register(Citation)
class CitationAdmin(LivePartAdmin):
    form = CitationForm
    list_display = ("short_quote", "report", "paragraph", "subject", "facts_list")
    list_filter = ("report",)
    search_fields = ("quote", "note", "incident__title", "group__name")
    autocomplete_fields = ("report", "paragraph", "incident", "group")
    list_select_related = ("report", "paragraph__report", "incident", "group")
    fields = ("report", "quote", "paragraph", "incident", "group", "facts", "note")

    @admin.display(description=_("quoted passage"), ordering="quote")
    def short_quote(self, obj):
        return excerpt(obj.quote)

    @admin.display(description=_("facts supported"))
    def facts_list(self, obj):
        return ", ".join(obj.facts or [])


# --- Proposed revisions of live entries --------------------------------------------


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Editors' proposed changes to live entries: Publishers review, approve or reject
    them; an Editor sees their own and the reasons given."""

    list_display = (
        "entry_name",
        "kind",
        "status",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
        "short_reason",
    )
    list_filter = ("status", ("content_type", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("content_type", "proposed_by", "decided_by")

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("entry")
        return revisions.visible_to(request.user, queryset)

    # Proposed by saving an entry's form, decided by approve/reject: never edited here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("entry"))
    def entry_name(self, obj):
        return str(obj.entry) if obj.entry is not None else f"#{obj.object_id}"

    @admin.display(description=_("kind"), ordering="content_type")
    def kind(self, obj):
        return obj.content_type.name

    @admin.display(description=_("reason"))
    def short_reason(self, obj):
        return excerpt(obj.reason)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<int:revision_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name=f"{name}_approve",
            ),
            path(
                "<int:revision_id>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name=f"{name}_reject",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The review page: the proposal as a diff against the live entry."""
        revision = self.get_object(request, unquote(object_id))
        if revision is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, revision):
            raise PermissionDenied
        entry = revision.entry
        changes, problems = None, []
        if revision.status == RevisionStatus.PENDING:
            changes, problems = revisions.review(self._entry_admin(revision), request, revision)
        entry_url = None
        if entry is not None:
            opts = entry._meta
            entry_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[entry.pk])
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Proposed revision of %(entry)s")
            % {"entry": self.entry_name(revision)},
            "opts": self.opts,
            "revision": revision,
            "entry": entry,
            "entry_url": entry_url,
            "changes": changes,
            "problems": problems,
            "can_decide": revision.status == RevisionStatus.PENDING
            and revisions.can_decide(request.user, revision),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/reports/revision/review.html", context)

    def _entry_admin(self, revision):
        return self.admin_site.get_model_admin(revision.content_type.model_class())

    def _decidable(self, request, revision_id):
        queryset = Revision.objects.select_related("content_type")
        revision = get_object_or_404(queryset, pk=revision_id)
        if not revisions.can_decide(request.user, revision):
            raise PermissionDenied
        return revision

    def _review_url(self, revision):
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[revision.pk]
        )

    def _refused(self, request, revision, refused):
        for problem in refused.problems:
            self.message_user(request, problem, messages.ERROR)
        return redirect(self._review_url(revision))

    @method_decorator(require_POST)
    def approve_view(self, request, revision_id):
        revision = self._decidable(request, revision_id)
        try:
            revisions.approve(self._entry_admin(revision), request, revision.pk)
        except revisions.RevisionRefused as refused:
            self.message_user(
                request,
                gettext("The revision was not applied; the live entry is unchanged."),
                messages.ERROR,
            )
            return self._refused(request, revision, refused)
        self.message_user(request, gettext("The revision is live."), messages.SUCCESS)
        return redirect(self._review_url(revision))

    @method_decorator(require_POST)
    def reject_view(self, request, revision_id):
        revision = self._decidable(request, revision_id)
        try:
            revisions.reject(request.user, revision.pk, request.POST.get("reason", ""))
        except revisions.RevisionRefused as refused:
            return self._refused(request, revision, refused)
        self.message_user(request, gettext("The revision was rejected."), messages.SUCCESS)
        return redirect(self._review_url(revision))


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    """Readers' error reports, triaged by Editors and Publishers: a reader's words are
    read-only (and, as every admin value, escaped); the editor sets the status, a note
    and the revision that fixed the entry."""

    list_display = ("received_at", "subject_link", "pointed_at", "short_message", "status")
    list_display_links = ("received_at",)
    list_filter = ("status",)
    list_select_related = ("report", "incident", "group", "paragraph", "handled_by")
    search_fields = ("message",)
    date_hierarchy = "received_at"
    readonly_fields = (
        "subject_link",
        "pointed_at",
        "message",
        "reply_to",
        "received_at",
        "handled_by",
        "handled_at",
    )
    fields = (*readonly_fields, "status", "editor_note", "fixed_by")
    raw_id_fields = ("fixed_by",)

    # Only a reader writes one (the public form), and none is deleted: a rejected or
    # duplicate report stays, with who decided it.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            obj.set_status(obj.status, request.user)
        super().save_model(request, obj, form, change)

    @admin.display(description=_("about"))
    def subject_link(self, obj):
        subject = obj.subject
        return render_to_string(
            "admin/reports/errorreport/subject.html",
            {"kind": subject._meta.verbose_name, "url": change_url(subject), "subject": subject},
        )

    @admin.display(description=_("fact or paragraph"))
    def pointed_at(self, obj):
        if obj.paragraph_id:
            return f"¶{obj.paragraph.number}"
        return obj.get_fact_display() or "—"

    @admin.display(description=_("what is wrong"))
    def short_message(self, obj):
        return excerpt(obj.message)


@admin.register(FigureClaim)
class FigureClaimAdmin(LivePartAdmin):
    list_display = ("__str__", "range", "moment", "best", "incident", "group", "citation")
    list_filter = ("figure", "best", "from_dataset")
    search_fields = ("wording", "moment", "note", "incident__title", "group__name")
    autocomplete_fields = ("incident", "group", "citation")
    list_select_related = ("incident", "group", "citation__report")
    fields = (
        ("incident", "group"),
        "figure",
        ("low", "high"),
        "wording",
        ("moment", "moment_date"),
        "best",
        "citation",
        "note",
    )

    @admin.display(description=_("low–high"))
    def range(self, obj):
        return obj.words


@admin.register(GroupRelation)
class GroupRelationAdmin(LivePartAdmin):
    list_display = ("group", "kind", "other", "citation")
    list_filter = ("kind", "group", "other")
    search_fields = ("group__name", "group__acronym", "other__name", "other__acronym")
    autocomplete_fields = ("group", "other", "citation")
    list_select_related = ("group", "other", "citation__report")


@admin.register(Designation)
class DesignationAdmin(LivePartAdmin):
    list_display = ("group", "authority", "list_name", "designated_from", "designated_to")
    list_filter = ("authority", "list_name")
    search_fields = ("group__name", "group__acronym", "authority", "list_name")
    autocomplete_fields = ("group", "citation")
    list_select_related = ("group",)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "url")
    search_fields = ("name", "short_name")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
