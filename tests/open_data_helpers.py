"""The curated Peru archive plus a draft of every kind, for the open-data tests.

Each surface must show the published entries and never the drafts (nor a draft
group named as perpetrator of a published incident).
"""

from types import SimpleNamespace

from django.core.management import call_command

from reports.models import Group, Incident, Perpetration, Report, Status
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
