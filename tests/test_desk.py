"""The editors' desk on the admin's start page (reports/desk.py), a report's way from
import to publication, and the admin's names for armed groups and roles."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reports.desk import desk_for
from reports.models import ErrorReport, Incident, Paragraph, Report, Revision, Status
from tests.factories import make_group, make_incident, make_report, make_user
from tests.test_admin import admin_url, fixture_loaded  # noqa: F401
from tests.test_revisions import car_bomb, car_bomb_proposal  # noqa: F401

FIXTURE_REPORT = "patterns-of-global-terrorism-1997-peru"


def lines(user):
    return {str(line.label): line for line in desk_for(user)}


@pytest.fixture
def waiting(fixture_loaded):  # noqa: F811
    """One of each thing the desk counts, the uncurated report imported two days ago."""
    uncurated = make_report(title="Country Reports 2001 - Peru", status=Status.DRAFT)
    Report.objects.filter(pk=uncurated.pk).update(imported_at=timezone.now() - timedelta(days=2))
    make_incident(title="A draft incident", status=Status.DRAFT)
    make_group(name="A draft group", status=Status.DRAFT)
    make_incident(title="An incident in review", status=Status.REVIEW)
    ErrorReport.objects.create(
        incident=Incident.objects.published().first(), message="The date is wrong."
    )
    ErrorReport.objects.create(
        incident=Incident.objects.published().first(), message="Old", status="rejected"
    )
    return uncurated


def test_an_editor_sees_what_is_theirs_to_do(waiting, editor):
    desk = lines(editor)
    assert {label: line.count for label, line in desk.items()} == {
        "Imported reports not yet curated": 1,
        "Draft incidents": 1,
        "Draft armed groups": 1,
        "New error reports from readers": 1,
        "Your proposals awaiting a Publisher": 0,
    }
    since = desk["Imported reports not yet curated"].since
    assert timedelta(days=2) <= timezone.now() - since < timedelta(days=2, minutes=5)


def test_a_publisher_also_sees_what_is_theirs_to_approve(waiting, publisher):
    desk = lines(publisher)
    assert desk["Incidents in review, to publish"].count == 1
    assert desk["Reports in review, to publish"].count == 0
    assert desk["Armed groups in review, to publish"].count == 0
    assert desk["Proposed changes to approve"].count == 0
    assert "Your proposals awaiting a Publisher" not in desk


def test_proposals_are_listed_with_a_link_to_their_diff(
    client,
    editor,
    publisher,
    car_bomb,  # noqa: F811
):
    car_bomb_proposal(client, editor, car_bomb)
    revision = Revision.objects.get()
    assert lines(editor)["Your proposals awaiting a Publisher"].proposals == [revision]
    assert lines(publisher)["Proposed changes to approve"].proposals == [revision]
    # Another Editor's proposal is not this Editor's to do.
    assert (
        lines(make_user("other", role="Editors"))["Your proposals awaiting a Publisher"].count == 0
    )
    client.force_login(publisher)
    page = client.get("/admin/").content.decode()
    assert admin_url(Revision, "change", revision.pk) in page
    assert "see the changes" in page


def test_the_start_page_shows_the_desk_with_links(client, waiting, editor):
    client.force_login(editor)
    page = client.get("/admin/").content.decode()
    assert "Your desk" in page
    assert "/admin/reports/report/?status__exact=draft&amp;curation=none" in page
    assert "/admin/reports/errorreport/?status__exact=new" in page
    assert "2\xa0days ago" in page or "2 days ago" in page
    # What only a Publisher approves is not on an Editor's desk.
    assert "in review, to publish" not in page


def test_no_desk_for_a_user_without_a_role(client, waiting):
    client.force_login(make_user("stranger", is_staff=True))
    page = client.get("/admin/").content.decode()
    assert "Your desk" not in page
    assert desk_for(make_user("reader")) == []


def test_the_curation_filter_finds_the_reports_not_yet_curated(client, waiting, editor):
    client.force_login(editor)
    listed = client.get(admin_url(Report, "changelist") + "?curation=none").context["cl"]
    assert list(listed.queryset) == [waiting]
    drawn = client.get(admin_url(Report, "changelist") + "?curation=drawn").context["cl"]
    assert [r.slug for r in drawn.queryset] == [FIXTURE_REPORT]


def test_a_report_page_shows_its_way_from_import_to_publication(client, waiting, editor):
    client.force_login(editor)
    report = Report.objects.get(slug=FIXTURE_REPORT)
    page = client.get(admin_url(Report, "change", report.pk)).content.decode()
    citations = report.citations.count()
    incidents = Incident.objects.filter(citations__report=report).distinct().count()
    assert (
        f"Curated: {citations} citations, for {incidents} incidents ({incidents} published)" in page
    )
    page = client.get(admin_url(Report, "change", waiting.pk)).content.decode()
    assert "Not yet curated: no incident or armed group cites it." in page
    assert "Imported " in page


def test_the_sidebar_tells_armed_groups_from_roles(client, editor, db):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    page = client.get("/admin/").content.decode()
    assert ">Armed groups<" in page
    assert ">Roles<" in page
    assert ">Groups<" not in page


def test_a_paragraph_is_named_by_its_number_and_first_words(fixture_loaded):  # noqa: F811
    paragraph = Paragraph.objects.get(report__slug=FIXTURE_REPORT, number=2)
    name = str(paragraph)
    assert name.startswith("¶2 – ")
    assert name[5:25] == " ".join(paragraph.text.split())[:20]
    assert len(name) <= 65
