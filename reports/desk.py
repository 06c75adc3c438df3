"""The editors' desk, on the admin's start page: what waits, for whom, and since when.

An Editor sees what is theirs to do (imported reports not yet curated, drafts, new
error reports, their own proposals still waiting); a Publisher also what is theirs to
approve (entries in review, proposed changes to live entries). Each line is a count,
the age of the longest-waiting item and a link to the admin list that holds them.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import admin
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from reports import revisions
from reports.models import (
    Citation,
    ErrorReport,
    ErrorReportStatus,
    Group,
    Incident,
    Report,
    Revision,
    RevisionStatus,
    Status,
)
from reports.publishing import can_publish

# Proposals listed one by one (each with a link to its diff); the count covers the rest.
LISTED_PROPOSALS = 10


@dataclass
class DeskLine:
    label: str
    count: int
    since: datetime | None  # when the longest-waiting item arrived
    url: str
    proposals: list = field(default_factory=list)  # pending Revisions, for their diffs


def changelist(model, **filters):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _line(label, queryset, since_field, url):
    figures = queryset.order_by().aggregate(count=Count("pk"), since=Min(since_field))
    return DeskLine(label, figures["count"], figures["since"], url)


def cited():
    """The condition "a citation draws on this report", for a query of reports."""
    return Exists(Citation.objects.filter(report=OuterRef("pk")))


def uncurated():
    """Reports still in draft that no citation draws on: imported, not yet curated."""
    return Report.objects.filter(status=Status.DRAFT).filter(~cited())


def desk_for(user):
    """The desk's lines `user` may act on (by their permissions), in the order of the work."""
    draft = {"status__exact": Status.DRAFT}
    review = {"status__exact": Status.REVIEW}
    new = {"status__exact": ErrorReportStatus.NEW}
    # (permission, label, what waits, when each arrived, the list that holds them)
    waiting = [
        (
            "reports.change_report",
            _("Imported reports not yet curated"),
            uncurated(),
            "imported_at",
            changelist(Report, **draft, curation="none"),
        ),
        (
            "reports.change_incident",
            _("Draft incidents"),
            Incident.objects.filter(status=Status.DRAFT),
            "created_at",
            changelist(Incident, **draft),
        ),
        (
            "reports.change_group",
            _("Draft armed groups"),
            Group.objects.filter(status=Status.DRAFT),
            "created_at",
            changelist(Group, **draft),
        ),
        (
            "reports.view_errorreport",
            _("New error reports from readers"),
            ErrorReport.objects.filter(status=ErrorReportStatus.NEW),
            "received_at",
            changelist(ErrorReport, **new),
        ),
        *(
            (
                f"reports.publish_{model._meta.model_name}",
                label,
                model.objects.filter(status=Status.REVIEW),
                "status_changed_at",
                changelist(model, **review),
            )
            for model, label in (
                (Report, _("Reports in review, to publish")),
                (Incident, _("Incidents in review, to publish")),
                (Group, _("Armed groups in review, to publish")),
            )
        ),
    ]
    lines = [
        _line(label, queryset, since, url)
        for permission, label, queryset, since, url in waiting
        if user.has_perm(permission)
    ]
    if user.has_perm("reports.view_revision"):
        lines.append(_proposals(user))
    return lines


def _proposals(user):
    """Pending changes to live entries: those `user` may decide, else their own."""
    pending = revisions.visible_to(user).filter(status=RevisionStatus.PENDING)
    deciding = any(can_publish(user, model) for model in revisions.REVISED_MODELS)
    if not deciding:
        pending = pending.filter(proposed_by=user)
    label = (
        _("Proposed changes to approve") if deciding else _("Your proposals awaiting a Publisher")
    )
    line = _line(
        label, pending, "proposed_at", changelist(Revision, status__exact=RevisionStatus.PENDING)
    )
    listed = pending.select_related("content_type", "proposed_by").prefetch_related("entry")
    line.proposals = list(listed.order_by("proposed_at")[:LISTED_PROPOSALS])
    return line


class CurationFilter(admin.SimpleListFilter):
    """Reports by how far curation has got: none of it yet, or entries drawn from them."""

    title = _("curation")
    parameter_name = "curation"

    def lookups(self, request, model_admin):
        return (("none", _("Not yet curated")), ("drawn", _("Entries drawn from it")))

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(~cited())
        if self.value() == "drawn":
            return queryset.filter(cited())
        return queryset


@dataclass
class Trail:
    """A report from import to curation to publication, for its admin page."""

    report: Report
    citations: int
    incidents: int
    incidents_published: int
    groups: int
    groups_published: int


def trail(report):
    def drawn(model):
        """(entries of `model` citing the report, how many of them are published)"""
        figures = model.objects.filter(citations__report=report).aggregate(
            total=Count("pk", distinct=True),
            published=Count("pk", distinct=True, filter=Q(status=Status.PUBLISHED)),
        )
        return figures["total"], figures["published"]

    incidents, incidents_published = drawn(Incident)
    groups, groups_published = drawn(Group)
    return Trail(
        report=report,
        citations=Citation.objects.filter(report=report).count(),
        incidents=incidents,
        incidents_published=incidents_published,
        groups=groups,
        groups_published=groups_published,
    )
