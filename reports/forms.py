"""Forms of the editors' admin: status and publish rules, citations with their facts, uploads."""

import copy
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _

from reports.ingest.documents import Details, check_details
from reports.ingest.formats import SUFFIXES
from reports.ingest.parsing import DocumentError
from reports.languages import normalise_language
from reports.models import (
    INCIDENT_FIGURES,
    Citation,
    Fact,
    Figure,
    FigureClaim,
    Group,
    Incident,
    Status,
    quote_key,
)
from reports.publishing import (
    PART_KINDS,
    change_problem,
    evidence,
    evidence_of,
    part_change_problem,
    saved_parts,
    status_change_problem,
    withdrawals,
    withdrawals_problem,
)

INCIDENT_FACTS = [
    (value, label)
    for value, label in Fact.choices
    if value not in {"name", "aliases", "leaders", "founded", "activity"}
]
GROUP_FACTS = [
    (value, label)
    for value, label in Fact.choices
    if value in {"name", "aliases", "leaders", "founded", "activity"}
]


class EditorialForm(forms.ModelForm):
    """A report, incident or group form that refuses a status change the user may not make
    (and, saved alone by a history revert, a change that breaks the publish rule).

    The admin sets `user` on the class it builds for each request (see EditorialAdmin.get_form).
    """

    user = None
    # True when no inline formsets come with the form (a history revert), so the form
    # itself checks the publish rule against the entry's stored parts.
    without_inlines = False
    stored_status = None

    def clean_status(self):
        new = self.cleaned_data["status"]
        # Compare with the stored status, not the form's initial: a history revert
        # starts from an old version, and a forged POST can claim any initial value.
        old = None
        if self.instance.pk is not None:
            old = (
                type(self.instance)
                .objects.filter(pk=self.instance.pk)
                .values_list("status", flat=True)
                .first()
            )
        self.stored_status = old
        problem = status_change_problem(self.user, self._meta.model, old, new)
        if problem:
            raise ValidationError(problem, code="status_refused")
        return new

    def clean(self):
        cleaned_data = super().clean()
        if self.without_inlines and not self.errors:
            # A history revert: no citation formset follows to check the publish rule.
            problem = self.revert_problem()
            if problem:
                raise ValidationError(problem, code="publish_rule")
        return cleaned_data

    def revert_problem(self):
        """Why saving this form's entry, its parts as stored, breaks the publish rule."""
        if not isinstance(self.instance, Incident | Group):
            return None
        entry = candidate(self)
        if entry.status != Status.PUBLISHED:
            return None
        stored = type(entry).objects.filter(pk=entry.pk, status=Status.PUBLISHED).first()
        after = evidence(entry, saved_parts(entry))
        return change_problem(after, evidence_of(stored) if stored else None)


class CitationForm(forms.ModelForm):
    facts = forms.MultipleChoiceField(
        label=_("facts supported"),
        choices=Fact.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Which facts this passage supports, so a page can footnote each figure."),
    )

    class Meta:
        model = Citation
        fields = ["report", "quote", "paragraph", "facts", "note", "incident", "group"]
        widgets = {"quote": forms.Textarea(attrs={"rows": 3, "cols": 60})}


class IncidentCitationForm(CitationForm):
    facts = forms.MultipleChoiceField(
        label=_("facts supported"),
        choices=INCIDENT_FACTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class GroupCitationForm(CitationForm):
    facts = forms.MultipleChoiceField(
        label=_("facts supported"),
        choices=GROUP_FACTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class EntryPartFormSet(forms.BaseInlineFormSet):
    """An inline of an incident's or group's parts (citations, claims, relations,
    designations)."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # Give the part's clean() its entry even before it is saved (on an add form).
        setattr(form.instance, self.fk.name, self.instance)
        return form

    def own_citations(self):
        """The entry's own citations, the only ones its claims, relations and designations
        may rest on; a new entry has none yet."""
        if self.instance.pk is None:
            return Citation.objects.none()
        return Citation.objects.filter(**{self.fk.name: self.instance}).select_related("report")


class CitationInlineFormSet(EntryPartFormSet):
    """Citations edited on their incident or group, where the publish rule is checked
    against the whole form: the entry's fields, its citations and its other inlines."""

    # The change form's formsets, this one among them (EntryAdmin._create_formsets).
    siblings = ()

    def clean(self):
        super().clean()
        if any(self.errors):
            return  # the page shows those first; the rules below are checked once they are fixed
        self.refuse_repeats()
        entry = self.instance
        if entry.status != Status.PUBLISHED:
            return
        formsets = [self, *(other for other in self.siblings if other is not self)]
        if not all(formset.is_valid() for formset in formsets if formset is not self):
            return
        stored = None
        if entry.pk is not None:
            stored = type(entry).objects.filter(pk=entry.pk, status=Status.PUBLISHED).first()
        problem = change_problem(
            evidence_of_forms(entry, formsets), evidence_of(stored) if stored else None
        )
        if problem:
            raise ValidationError(problem)

    def refuse_repeats(self):
        """Refuse two forms citing the same passage (whitespace aside): Citation.clean sees
        only the stored citations, and the database would refuse the second one."""
        seen = set()
        for citation in kept_instances(self)[0]:
            key = (citation.report_id, quote_key(citation.quote))
            if key in seen:
                raise ValidationError(
                    _("The same passage of “%(report)s” is cited twice here; keep one.")
                    % {"report": citation.report},
                    code="repeated_passage",
                )
            seen.add(key)


def kept_instances(formset):
    """The parts a valid inline formset leaves (its forms' instances, saved or new), and the
    pks of those it deletes."""
    kept, deleted = [], []
    for form in formset.forms:
        if not form.cleaned_data:
            continue
        if form.cleaned_data.get("DELETE"):
            if form.instance.pk is not None:
                deleted.append(form.instance.pk)
        elif form.instance.pk is not None or form.has_changed():
            kept.append(form.instance)
    return kept, deleted


def evidence_of_forms(entry, formsets):
    """The Evidence of `entry` as a change form's valid `formsets` would leave it: the kinds
    of parts they edit from them, the others as stored."""
    parts = saved_parts(entry)
    removed = set()
    for formset in formsets:
        kind = PART_KINDS.get(formset.model)
        if kind is None:
            continue
        parts[kind], deleted = kept_instances(formset)
        if formset.model is Citation:
            removed.update(deleted)
    return evidence(entry, parts, removed)


def clean_language_code(code):
    """Return a language code as BCP 47 writes it, or raise a ValidationError for a person."""
    try:
        return normalise_language(code)
    except ValueError:
        raise ValidationError(
            _("“%(code)s” is not an ISO 639-1 language code (two letters, such as en or es)."),
            code="language",
            params={"code": code},
        ) from None


class ReportForm(EditorialForm):
    """A report's form: it leaves "published" only with the entries resting on it alone,
    once the Publisher says so."""

    withdraw_entries = forms.BooleanField(
        label=_("Also withdraw the entries that rest on it alone"),
        required=False,
        help_text=_(
            "When this report leaves “published”, send the published incidents and groups "
            "that no other published report supports back to review."
        ),
    )

    def clean_language(self):
        return clean_language_code(self.cleaned_data["language"])

    def clean(self):
        cleaned_data = super().clean()
        published_on, year = cleaned_data.get("published_on"), cleaned_data.get("year")
        if published_on and year and published_on.year < year:
            self.add_error(
                "published_on",
                _("The publication date is before the year the report covers (%(year)s).")
                % {"year": year},
            )
        new = cleaned_data.get("status")
        if self.stored_status != Status.PUBLISHED or new in (None, Status.PUBLISHED):
            return cleaned_data
        self.withdrawals = withdrawals(self.instance)
        if self.withdrawals and not cleaned_data.get("withdraw_entries"):
            problem = withdrawals_problem(self.instance, self.withdrawals)
            hint = _("Tick “Also withdraw the entries that rest on it alone” to do so.")
            self.add_error("status", f"{problem} {hint}")
        return cleaned_data


class PartForm(forms.ModelForm):
    """A part of an incident or group (a citation, a figure claim, a perpetrator, ...)
    edited on its own page: only Publishers touch a published entry's parts there, and
    no change may leave a published entry unsourced.

    The admin sets `user` on the class it builds for each request (LivePartAdmin.get_form).
    """

    user = None

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        model = type(self.instance)
        stored = None
        if self.instance.pk is not None:
            stored = model._default_manager.filter(pk=self.instance.pk).first()
        problem = part_change_problem(self.user, stored, candidate(self))
        if problem:
            raise ValidationError(problem, code="publish_rule")
        return cleaned_data


def candidate(form):
    """A copy of `form`'s instance with its cleaned values: what saving it would store."""
    instance = copy.copy(form.instance)
    return construct_instance(form, instance)


class GroupSourcedInlineFormSet(EntryPartFormSet):
    """A group's relations or designations: each rests on one of the group's own
    citations, so the citation field offers only those."""

    def add_fields(self, form, index):
        super().add_fields(form, index)  # every form, the blank template row included
        field = form.fields["citation"]
        field.queryset = self.own_citations()
        field.error_messages["invalid_choice"] = _(
            "Choose one of this group’s own citations: cite the passage on the group first."
        )


class FigureClaimForm(forms.ModelForm):
    """A claim edited on its incident or group: its figures are the subject's kind and its
    citation one of the subject's own (FigureClaimInlineFormSet passes them)."""

    class Meta:
        model = FigureClaim
        fields = [
            "figure",
            "low",
            "high",
            "point",
            "wording",
            "moment",
            "moment_date",
            "best",
            "citation",
            "note",
        ]

    def __init__(self, *args, figures=None, citations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if figures is not None:
            self.fields["figure"].choices = [("", "---------"), *figures]
        if citations is not None:
            self.fields["citation"].queryset = citations


class FigureClaimInlineFormSet(EntryPartFormSet):
    """Claims edited on their incident or group; one claim at most is the best of a figure."""

    def get_form_kwargs(self, index):
        figures = Figure.choices
        if self.fk.name == "incident":
            figures = [choice for choice in figures if choice[0] in INCIDENT_FIGURES]
        else:
            figures = [choice for choice in figures if choice[0] == Figure.STRENGTH]
        citations = self.own_citations()
        return {**super().get_form_kwargs(index), "figures": figures, "citations": citations}

    def clean(self):
        super().clean()
        marked = {}
        for form in self.forms:
            data = form.cleaned_data
            if data and not data.get("DELETE") and data.get("best"):
                marked.setdefault(data.get("figure"), []).append(form)
        for figure, forms_ in marked.items():
            if len(forms_) > 1:
                raise ValidationError(
                    _("Mark one claim at most as the best estimate of %(figure)s.")
                    % {"figure": Figure(figure).label.lower() if figure else _("a figure")}
                )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        accept = ",".join([*SUFFIXES, *sorted(set().union(*SUFFIXES.values()))])
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple) and data:
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data or None, initial)]  # None: "This field is required."


class ImportDocumentsForm(forms.Form):
    """Source documents uploaded by an editor: text files, web pages and PDF files."""

    documents = MultipleFileField(
        label=_("Source documents"),
        help_text=_(
            "One or more files: .txt in the Refworld text form, .html pages as Refworld "
            "serves them, or .pdf files with a text layer. If any file is refused, nothing "
            "is imported."
        ),
    )

    # What the text does not say, for an upload of one document.
    source_url = forms.URLField(
        label=_("Source URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the publisher or republisher serves the original."),
    )
    document_identifier = forms.CharField(
        label=_("Document identifier"),
        required=False,
        max_length=200,
        help_text=_("The publisher's or republisher's own identifier, e.g. a Refworld id."),
    )
    published_on = forms.DateField(
        label=_("Publication date"),
        required=False,
        help_text=_("YYYY-MM-DD; blank when not known."),
    )
    language = forms.CharField(
        label=_("Language"),
        required=False,
        max_length=10,
        help_text=_("ISO 639-1 code (en, es, ...); blank to take it from the document's text."),
    )
    DETAIL_FIELDS = ("source_url", "document_identifier", "published_on", "language")

    def clean_language(self):
        code = self.cleaned_data["language"]
        return clean_language_code(code) if code.strip() else ""

    def clean(self):
        cleaned_data = super().clean()
        documents = cleaned_data.get("documents") or []
        given = [name for name in self.DETAIL_FIELDS if cleaned_data.get(name)]
        if given and len(documents) > 1:
            raise ValidationError(
                _(
                    "The source URL, document identifier, publication date and language "
                    "describe one document: upload one file with them, or leave them blank."
                ),
                code="details",
            )
        try:
            self.details = check_details(**{name: cleaned_data.get(name) for name in given})
        except DocumentError as error:
            raise ValidationError(str(error), code="details") from None
        return cleaned_data

    details = Details()

    def clean_documents(self):
        problems = []
        for upload in self.cleaned_data["documents"]:
            name = PurePath(upload.name).name
            content_type = (upload.content_type or "").split(";")[0].strip().lower()
            types = SUFFIXES.get(PurePath(name.lower()).suffix, set())
            if content_type not in types:
                problems.append(
                    ValidationError(
                        _(
                            "refused %(name)s: only .txt text files, .html web pages and "
                            ".pdf files are accepted"
                        )
                        % {"name": name},
                        code="refused",
                    )
                )
        if problems:
            raise ValidationError(problems)
        return self.cleaned_data["documents"]

    def refusals(self):
        """Return the messages of the files refused before parsing (wrong type)."""
        errors = self.errors.as_data().get("documents", [])
        return [
            message for error in errors if error.code == "refused" for message in error.messages
        ]

    def sources(self):
        """Return [(name, bytes)], reading at most one byte past the size limit of each.

        That byte is enough for the parser to refuse an oversized file with its
        usual message, without holding all of it in memory.
        """
        limit = settings.ARCHIVE_MAX_DOCUMENT_BYTES
        sources = []
        for upload in self.cleaned_data["documents"]:
            upload.seek(0)
            sources.append((PurePath(upload.name).name, upload.read(limit + 1)))
        return sources
