"""Who may change an entry's editorial status, in one place.

The admin's bulk actions and its change form both ask `status_change_problem`,
so hiding a button is never the only guard: a forged POST meets the same rule.
"""

from django.utils.translation import gettext as _

from reports.ingest.documents import UPDATED
from reports.models import Group, Incident, Report, Status


def can_publish(user, model):
    """Return whether `user` may move entries of `model` into or out of published."""
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")


def status_change_problem(user, model, old, new):
    """Return why `user` may not move a `model` entry from `old` to `new`, or None.

    `old` is None for an entry being created (it starts as a draft).
    """
    old = old or Status.DRAFT
    if old == new:
        return None
    touches_published = Status.PUBLISHED in (old, new)
    if touches_published and not can_publish(user, model):
        verb = _("publish") if new == Status.PUBLISHED else _("unpublish")
        return _("You may not %(verb)s %(things)s: only Publishers can.") % {
            "verb": verb,
            "things": model._meta.verbose_name_plural,
        }
    return None


def publish_problem(entry):
    """Return why `entry` (saved) cannot be published as it stands, or None."""
    if not isinstance(entry, Incident | Group):
        return None
    return sources_problem(
        [citation.report for citation in entry.citations.select_related("report")]
    )


def sources_problem(cited_reports):
    """Return why an incident or group citing `cited_reports` cannot be published, or None.

    Readers must be able to trace every published entry to a passage of a document
    they can read. The admin's bulk actions (publish_problem) and an entry's change
    form (its citations, saved or not) both ask this.
    """
    if not cited_reports:
        return _("A published entry needs at least one citation of the report that supports it.")
    if not any(report.status == Status.PUBLISHED for report in cited_reports):
        return _("A published entry needs a citation of a published report; publish it first.")
    return None


def change_statuses(user, queryset, new):
    """Move each entry of `queryset` to `new` where the rules allow it.

    Return (changed entries, [(entry, problem)] for the ones left as they were).
    """
    changed, refused = [], []
    for entry in queryset:
        if entry.status == new:
            continue
        problem = status_change_problem(user, type(entry), entry.status, new)
        if problem is None and new == Status.PUBLISHED:
            problem = publish_problem(entry)
        if problem:
            refused.append((entry, problem))
            continue
        entry.set_status(new, user)
        entry._history_user = user  # simple_history records who, outside a request too
        entry.save()
        changed.append(entry)
    return changed, refused


def import_problems(user, outcomes):
    """Return [(name, reason)] for imported documents `user` may not apply.

    A new version of a published report changes what readers see at once, so
    it is a publisher's decision, like publishing itself.
    """
    if can_publish(user, Report):
        return []
    return [
        (
            outcome.name,
            _("it would change the published report “%(title)s”; only Publishers can")
            % {"title": outcome.report.title},
        )
        for outcome in outcomes
        if outcome.action == UPDATED and outcome.report.status == Status.PUBLISHED
    ]
