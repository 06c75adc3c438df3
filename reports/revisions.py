"""Changes to live entries wait for a Publisher (Wagtail's "live page with a newer draft").

An Editor who saves the change form of a published incident or group changes nothing
live: the submitted form, fields and inlines, is kept as a Revision. A Publisher sees
it as a field-by-field diff against the live entry and approves it (it goes live
through the admin's own save path) or rejects it with a reason the Editor sees.

The stored data is the change form's POST, so whatever inlines the entry's admin has
when it runs are proposed, compared and applied alike: the diff and the approval bind
that admin's form and formsets to the data against the current live entry.
"""

import copy
from dataclasses import dataclass, field

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from reports.models import Group, Incident, Revision, RevisionStatus, Status
from reports.publishing import can_publish

REVISED_MODELS = (Incident, Group)
EMPTY = "—"


# --- Who goes through a revision --------------------------------------------------


def needs_revision(user, entry):
    """True if `user`'s change to `entry` (as stored) must wait for a Publisher."""
    return (
        isinstance(entry, REVISED_MODELS)
        and entry.status == Status.PUBLISHED
        and not can_publish(user, type(entry))
    )


def live_change_problem(user, model, pk):
    """Why `user` may not save the entry `model` #`pk` directly, or None.

    Asked from the stored status, so a form that claims another one changes nothing.
    """
    if model not in REVISED_MODELS or pk is None or can_publish(user, model):
        return None
    if model.objects.filter(pk=pk, status=Status.PUBLISHED).exists():
        return _(
            "This %(thing)s is published: only a Publisher changes it; propose your "
            "change on its form."
        ) % {"thing": model._meta.verbose_name}
    return None


def can_decide(user, revision):
    """True if `user` may approve or reject `revision` (a Publisher of its kind)."""
    model = revision.content_type.model_class()
    return model is not None and can_publish(user, model)


def visible_to(user, queryset=None):
    """The revisions `user` may see: their own, and every one they may decide."""
    queryset = Revision.objects.all() if queryset is None else queryset
    kinds = [
        ContentType.objects.get_for_model(model)
        for model in REVISED_MODELS
        if can_publish(user, model)
    ]
    return queryset.filter(Q(proposed_by=user) | Q(content_type__in=kinds))


def for_entry(entry):
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(entry), object_id=entry.pk
    ).select_related("proposed_by", "decided_by")


def notices(user, entry):
    """What the change page of `entry` tells `user` about its revisions.

    A Publisher: the pending revisions to review. An Editor: their own pending one,
    or their latest decision if it was a rejection (with its reason).
    """
    if not isinstance(entry, REVISED_MODELS):
        return {}
    revisions = for_entry(entry)
    if can_publish(user, type(entry)):
        return {"to_review": list(revisions.filter(status=RevisionStatus.PENDING))}
    own = revisions.filter(proposed_by=user).exclude(status=RevisionStatus.SUPERSEDED).first()
    return {
        "own_pending": own if own and own.status == RevisionStatus.PENDING else None,
        "own_rejected": own if own and own.status == RevisionStatus.REJECTED else None,
        "proposes": needs_revision(user, entry),
    }


# --- Binding the admin's forms to proposed data -----------------------------------


def form_data(post):
    """The proposed values of a change form's POST: {name: [values]}, less the CSRF
    token and the buttons and flags ("_save", "_continue", "_popup"...), which no
    form field is named like."""
    return {
        name: post.getlist(name)
        for name in post
        if name != "csrfmiddlewaretoken" and not name.startswith("_")
    }


def as_post(data):
    post = QueryDict(mutable=True)
    for name, values in data.items():
        post.setlist(name, values)
    return post


@dataclass
class Bound:
    """An entry admin's change form and inline formsets bound to proposed data."""

    form: forms.ModelForm
    formsets: list
    inlines: list
    problems: list = field(default_factory=list)
    row_names: dict = field(default_factory=dict)

    @property
    def valid(self):
        return not self.problems


def bind(model_admin, request, entry, data, user):
    """Bind `model_admin`'s change form and formsets to `data` against live `entry`, and
    validate them as its change view does.

    Built as `user` (the proposer) saw them: a field or inline shown to them read-only
    is absent from their data and must stay so, whoever reviews. `entry` is changed in
    memory by validation; pass a fresh copy.
    """
    proposed = copy.copy(request)
    proposed.user = user
    proposed.method = "POST"
    proposed.POST = as_post(data)
    proposed._files = MultiValueDict()
    fieldsets = model_admin.get_fieldsets(proposed, entry)
    form_class = model_admin.get_form(
        proposed, entry, change=True, fields=flatten_fieldsets(fieldsets)
    )
    form = form_class(proposed.POST, proposed.FILES, instance=entry)
    # The admin's own helper, so inlines are bound exactly as its change view binds them.
    formsets, inlines = model_admin._create_formsets(proposed, form.instance, change=True)
    # Rows as they are live, named before validation writes the proposal into them.
    # (A row deleted meanwhile has no instance: validation then refuses the data.)
    row_names = {
        id(row): str(row.instance) if row.instance.pk is not None else ""
        for formset in formsets
        for row in formset.initial_forms
    }
    bound = Bound(form, formsets, inlines, row_names=row_names)
    form_valid = form.is_valid()
    formsets_valid = forms.all_valid(formsets)
    if not (form_valid and formsets_valid):
        bound.problems = problems(form, formsets, inlines)
    return bound


def problems(form, formsets, inlines):
    """Every error of a bound form and its formsets, as sentences naming the field."""

    def lines(form, where=""):
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                yield ": ".join(part for part in (where, str(label or ""), error) if part)

    found = list(lines(form))
    for formset, inline in zip(formsets, inlines, strict=True):
        title = str(inline.verbose_name_plural)
        found.extend(f"{title}: {error}" for error in formset.non_form_errors())
        for number, row in enumerate(formset.forms, start=1):
            found.extend(lines(row, f"{title} #{number}"))
    return found


# --- The diff ------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    live: str
    proposed: str


@dataclass
class RowChange:
    name: str
    fields: list


@dataclass
class InlineChanges:
    title: str
    added: list  # [[FieldChange]]: the new row's values (live is empty)
    removed: list  # [row name]
    changed: list  # [RowChange]


@dataclass
class Diff:
    fields: list
    inlines: list

    def __bool__(self):
        return bool(self.fields or self.inlines)


def shown(form_field, value):
    """`value` of `form_field` as a reader of the admin would say it."""
    if value in (None, "") or value == [] or value == ():
        return EMPTY
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return ", ".join(str(item) for item in value) or EMPTY
    if isinstance(form_field, forms.ModelChoiceField):
        if not hasattr(value, "_meta"):
            value = form_field.to_python(value)
        return str(value) if value is not None else EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = getattr(form_field, "choices", None)
    if choices:
        labels = {}
        for key, label in choices:
            if isinstance(label, list | tuple):  # a group of choices
                labels.update((str(k), str(v)) for k, v in label)
            else:
                labels[str(key)] = str(label)
        if isinstance(value, list | tuple):
            return ", ".join(labels.get(str(item), str(item)) for item in value)
        return labels.get(str(value), str(value))
    return str(value)


def changes(form, skip=()):
    """[FieldChange] of a validated bound form: each changed field, live → proposed."""
    return [
        FieldChange(
            str(form.fields[name].label or name),
            shown(form.fields[name], form.initial.get(name)),
            shown(form.fields[name], form.cleaned_data.get(name)),
        )
        for name in form.changed_data
        if name not in skip and name in form.cleaned_data
    ]


def diff(bound):
    """The Diff of a valid Bound: changed fields, and per inline its rows added,
    removed and changed."""
    inlines = []
    for formset, inline in zip(bound.formsets, bound.inlines, strict=True):
        skip = {"DELETE", "ORDER", formset.fk.name, formset.model._meta.pk.name}
        deleted = {id(row) for row in formset.deleted_forms}
        removed = [bound.row_names[id(row)] for row in formset.initial_forms if id(row) in deleted]
        changed = [
            RowChange(bound.row_names[id(row)], changes(row, skip))
            for row in formset.initial_forms
            if id(row) not in deleted and row.has_changed()
        ]
        added = [
            changes(row, skip)
            for row in formset.extra_forms
            if row.has_changed() and id(row) not in deleted
        ]
        changed = [row for row in changed if row.fields]
        if added or removed or changed:
            inlines.append(InlineChanges(str(inline.verbose_name_plural), added, removed, changed))
    return Diff(changes(bound.form), inlines)


def live_entry(revision):
    model = revision.content_type.model_class()
    return model._default_manager.filter(pk=revision.object_id).first()


def review(model_admin, request, revision):
    """(Diff or None, problems) of `revision` against its live entry, for the review page."""
    entry = live_entry(revision)
    if entry is None:
        return None, [_("The entry no longer exists.")]
    bound = bind(model_admin, request, entry, revision.data, revision.proposed_by)
    if not bound.valid:
        return None, bound.problems
    return diff(bound), []


# --- Proposing, approving, rejecting --------------------------------------------------


@transaction.atomic
def propose(entry, user, data):
    """Store `user`'s proposed `data` for live `entry`; it replaces their pending one."""
    kind = ContentType.objects.get_for_model(entry)
    Revision.objects.filter(
        content_type=kind,
        object_id=entry.pk,
        proposed_by=user,
        status=RevisionStatus.PENDING,
    ).update(status=RevisionStatus.SUPERSEDED, decided_at=timezone.now())
    return Revision.objects.create(
        content_type=kind, object_id=entry.pk, data=data, proposed_by=user
    )


class RevisionRefused(Exception):
    """A revision that cannot be approved as things stand; `problems` say why."""

    def __init__(self, problems):
        super().__init__(problems)
        self.problems = problems


def _pending(revision_pk):
    revision = (
        Revision.objects.select_for_update()
        .select_related("proposed_by", "content_type")
        .get(pk=revision_pk)
    )
    if revision.status != RevisionStatus.PENDING:
        raise RevisionRefused(
            [
                _("This revision was already decided: %(status)s.")
                % {"status": revision.get_status_display()}
            ]
        )
    return revision


def approve(model_admin, request, revision_pk):
    """Apply the pending revision `revision_pk` to its live entry as `request.user`.

    The data is validated anew against the entry as it is now, with the same admin
    form and formsets, and saved through the admin's own save path (save_model,
    save_related) in one transaction; history records the proposer and the approver.
    Raise RevisionRefused, changing nothing, when it no longer applies.
    """
    approver = request.user
    with transaction.atomic():
        revision = _pending(revision_pk)
        if not can_decide(approver, revision):
            raise RevisionRefused([_("Only a Publisher may approve this revision.")])
        entry = live_entry(revision)
        if entry is None:
            raise RevisionRefused([_("The entry no longer exists.")])
        if entry.status != Status.PUBLISHED:
            raise RevisionRefused(
                [_("The entry is no longer published: edit it directly and reject this.")]
            )
        bound = bind(model_admin, request, entry, revision.data, revision.proposed_by)
        if not bound.valid:
            raise RevisionRefused(bound.problems)
        reason = _("Proposed by %(proposer)s, approved by %(approver)s") % {
            "proposer": revision.proposed_by.get_username(),
            "approver": approver.get_username(),
        }
        saved = model_admin.save_form(request, bound.form, change=True)
        saved._change_reason = reason
        for formset in bound.formsets:
            for row in formset.forms:
                row.instance._change_reason = reason
        try:
            model_admin.save_model(request, saved, bound.form, True)
            model_admin.save_related(request, bound.form, bound.formsets, True)
        except ValidationError as error:  # a rule of the save path; the transaction undoes it
            raise RevisionRefused(error.messages) from None
        model_admin.log_change(
            request,
            saved,
            model_admin.construct_change_message(request, bound.form, bound.formsets, False),
        )
        revision.status = RevisionStatus.APPROVED
        revision.decided_by = approver
        revision.decided_at = timezone.now()
        revision.save(update_fields=["status", "decided_by", "decided_at"])
    return revision


def reject(user, revision_pk, reason):
    """Reject the pending revision `revision_pk` with `reason` (required)."""
    reason = (reason or "").strip()
    if not reason:
        raise RevisionRefused([_("Say why the revision is rejected: the Editor reads it.")])
    with transaction.atomic():
        revision = _pending(revision_pk)
        if not can_decide(user, revision):
            raise RevisionRefused([_("Only a Publisher may reject this revision.")])
        revision.status = RevisionStatus.REJECTED
        revision.decided_by = user
        revision.decided_at = timezone.now()
        revision.reason = reason
        revision.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return revision
