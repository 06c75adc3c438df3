"""The curated Peru archive plus a draft of every kind, for the open-data tests.

Each surface must show the published entries and never the drafts (nor a draft
group named as perpetrator of a published incident).
"""

from types import SimpleNamespace

from django.core.management import call_command

from reports.models import (
    Designation,
    Figure,
    FigureClaim,
    Group,
    GroupRelation,
    Incident,
    Perpetration,
    RelationKind,
    Report,
    Status,
)
from tests.factories import make_citation, make_group, make_incident, make_report

DRAFT_MARK = "Zzdraft"


def archive_with_drafts():
    call_command("loaddata", "peru_1997", verbosity=0)
    report = Report.objects.get(slug="patterns-of-global-terrorism-1997-peru")
    draft_report = make_report(
        title="Patterns of Global Terrorism 1999 - Peru",
        body=f"{DRAFT_MARK} secret paragraph.",
        status=Status.DRAFT,
    )
    draft_group = make_group(name=f"{DRAFT_MARK} Front", status=Status.DRAFT)
    draft_incident = make_incident(
        title=f"{DRAFT_MARK} bombing", status=Status.DRAFT, start_date="1997-06-02"
    )
    make_citation(report, "car-bombed a police station in Lima", incident=draft_incident)
    hostage_crisis = Incident.objects.get(slug="japanese-ambassadors-residence-hostage-crisis-lima")
    # A draft group named beside a published one must stay hidden.
    Perpetration.objects.create(incident=hostage_crisis, group=draft_group, uncertain=True)
    return SimpleNamespace(
        report=report,
        hostage_crisis=hostage_crisis,
        mrta=Group.objects.get(slug="mrta"),
        sendero=Group.objects.get(slug="sendero-luminoso"),
        draft_report=draft_report,
        draft_group=draft_group,
        draft_incident=draft_incident,
    )


def add_claims(archive):
    """A published incident and a published group of their own (so the fixture's claims
    never mix in), with figure claims, a relation and a designation resting on passages
    of the published report; and the same resting on a draft report's passage, or naming
    a draft group, none of which may reach a reader."""
    report, draft_report = archive.report, archive.draft_report
    incident = make_incident(title="Claims test incident", start_date="1997-03-01")
    soldiers = make_citation(
        report, "Two Peruvian soldiers and all 14 of the MRTA terrorists died", incident=incident
    )
    bomb = make_citation(
        report, "injuring eight policemen and more than a dozen civilians", incident=incident
    )
    held = make_citation(report, "the terrorists still held 81 hostages", incident=incident)
    rescued = make_citation(report, "all but one of the 72 remaining hostages", incident=incident)
    secret = make_citation(draft_report, "secret paragraph", incident=incident)
    killed = FigureClaim.objects.create(
        incident=incident, figure=Figure.KILLED, low=16, high=16, citation=soldiers
    )
    injured = FigureClaim.objects.create(
        incident=incident,
        figure=Figure.INJURED,
        low=21,
        wording="eight policemen and more than a dozen civilians",
        citation=bomb,
    )
    hostages_then = FigureClaim.objects.create(
        incident=incident,
        figure=Figure.HOSTAGES,
        low=81,
        high=81,
        moment="at the beginning of 1997",
        moment_date="1997-01-01",
        citation=held,
    )
    hostages_rescue = FigureClaim.objects.create(
        incident=incident,
        figure=Figure.HOSTAGES,
        low=72,
        high=72,
        moment="at the rescue",
        moment_date="1997-04-22",
        citation=rescued,
    )
    # Lower than every published claim, so it would be the best estimate if it counted.
    FigureClaim.objects.create(
        incident=incident,
        figure=Figure.KILLED,
        low=3,
        high=9,
        wording=f"{DRAFT_MARK} three to nine",
        citation=secret,
    )

    group = make_group(name="Claims Test Front", acronym="CTF")
    counterpart = make_citation(report, "its larger and more violent counterpart", group=group)
    pursued = make_citation(
        report, "Peruvian authorities continue to pursue aggressively members", group=group
    )
    group_secret = make_citation(draft_report, "secret paragraph", group=group)
    strength = FigureClaim.objects.create(
        group=group, figure=Figure.STRENGTH, low=14, wording="fourteen", citation=counterpart
    )
    FigureClaim.objects.create(
        group=group, figure=Figure.STRENGTH, low=1, high=2, citation=group_secret
    )
    relation = GroupRelation.objects.create(
        group=group, kind=RelationKind.COUNTERPART, other=archive.sendero, citation=counterpart
    )
    GroupRelation.objects.create(
        group=group, kind=RelationKind.RIVAL, other=archive.mrta, citation=group_secret
    )
    GroupRelation.objects.create(
        group=group, kind=RelationKind.ALLY, other=archive.draft_group, citation=counterpart
    )
    designation = Designation.objects.create(
        group=group,
        authority="Government of Peru",
        list_name="Terrorist groups",
        designated_from="1997-01-01",
        citation=pursued,
    )
    Designation.objects.create(
        group=group,
        authority=f"{DRAFT_MARK} authority",
        list_name=f"{DRAFT_MARK} list",
        citation=group_secret,
    )
    return SimpleNamespace(
        incident=incident,
        killed=killed,
        injured=injured,
        hostages=(hostages_then, hostages_rescue),
        group=group,
        strength=strength,
        relation=relation,
        designation=designation,
    )
