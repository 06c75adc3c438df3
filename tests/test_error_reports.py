"""Readers' error reports (reports/error_reports.py): the public form, its protections,
and the editors' triage in the admin."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client

from reports.models import (
    ERROR_MESSAGE_LENGTH,
    ErrorReport,
    ErrorReportStatus,
    Group,
    Incident,
    Report,
    Status,
)
from tests.factories import make_user
from tests.test_admin import admin_url, fixture_loaded  # noqa: F401
from tests.test_revisions import CAR_BOMB, car_bomb  # noqa: F401

REPORT = "patterns-of-global-terrorism-1997-peru"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def form_url(entry):
    return f"{entry.get_absolute_url()}report-error/"


def send(client, entry, **fields):
    return client.post(form_url(entry), {"message": "The date is wrong.", **fields})


def test_every_detail_page_links_to_its_form(client, fixture_loaded):  # noqa: F811
    for entry in (
        Report.objects.get(slug=REPORT),
        Incident.objects.get(slug=CAR_BOMB),
        Group.objects.get(slug="mrta"),
    ):
        page = client.get(entry.get_absolute_url()).content.decode()
        assert f'href="{form_url(entry)}"' in page
        form = client.get(form_url(entry))
        assert form.status_code == 200
        assert 'name="csrfmiddlewaretoken"' in form.content.decode()
        # A page with a CSRF token is never stored by a shared cache.
        assert "no-cache" in form["Cache-Control"] or "max-age=0" in form["Cache-Control"]


def test_a_report_is_stored_with_its_entry_and_fact(client, car_bomb):  # noqa: F811
    response = send(client, car_bomb, fact="killed", reply_to="reader@example.org")
    assert response.status_code == 302
    assert response["Location"] == f"{form_url(car_bomb)}?sent=1"
    stored = ErrorReport.objects.get()
    assert (stored.incident, stored.fact, stored.status) == (car_bomb, "killed", "new")
    assert stored.report is None and stored.group is None
    assert stored.reply_to == "reader@example.org"
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you" in thanks
    assert "<textarea" not in thanks


def test_a_report_about_a_paragraph_names_it(client, fixture_loaded):  # noqa: F811
    report = Report.objects.get(slug=REPORT)
    assert send(client, report, paragraph_number="3").status_code == 302
    assert ErrorReport.objects.get().paragraph == report.paragraphs.get(number=3)
    # A number the report does not have is refused, and nothing is stored.
    response = send(client, report, paragraph_number="9999")
    assert response.status_code == 400
    assert "This report has no paragraph 9999." in response.content.decode()
    assert ErrorReport.objects.count() == 1


def test_a_link_can_prefill_the_fact(client, car_bomb):  # noqa: F811
    page = client.get(f"{form_url(car_bomb)}?fact=killed").content.decode()
    assert '<option value="killed" selected>' in page
    # A group's facts are not an incident's.
    assert 'value="aliases"' not in page


def test_drafts_have_no_form(client, car_bomb):  # noqa: F811
    Incident.objects.filter(pk=car_bomb.pk).update(status=Status.DRAFT)
    assert client.get(form_url(car_bomb)).status_code == 404
    assert send(client, car_bomb).status_code == 404
    assert not ErrorReport.objects.exists()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"website": "http://spam.example"}, "The report could not be sent"),
        ({"message": "x" * (ERROR_MESSAGE_LENGTH + 1)}, "at most 3000 characters"),
        ({"message": "   "}, "This field is required."),
        ({"reply_to": "not an address"}, "Enter a valid email address."),
        ({"fact": "strength; DROP TABLE"}, "Select a valid choice."),
    ],
    ids=["honeypot", "too-long", "empty", "bad-address", "forged-fact"],
)
def test_bad_input_is_refused_and_nothing_is_stored(client, car_bomb, fields, error):  # noqa: F811
    response = send(client, car_bomb, **fields)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not ErrorReport.objects.exists()


def test_a_forged_post_without_the_token_is_refused(car_bomb):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    assert send(client, car_bomb).status_code == 403
    assert not ErrorReport.objects.exists()
    # With the form's token, the same client gets through.
    client.get(form_url(car_bomb))
    token = client.cookies["csrftoken"].value
    assert send(client, car_bomb, csrfmiddlewaretoken=token).status_code == 302


def test_past_the_rate_limit_the_answer_is_429_and_nothing_is_stored(client, car_bomb, settings):  # noqa: F811
    settings.ERROR_REPORT_RATE = "2/h"
    assert [send(client, car_bomb).status_code for _ in range(2)] == [302, 302]
    response = send(client, car_bomb, message="A third one.")
    assert response.status_code == 429
    assert "Too many reports from your address" in response.content.decode()
    assert ErrorReport.objects.count() == 2
    # Another client has its own count; reading the form is never limited.
    other = client.post(form_url(car_bomb), {"message": "x"}, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302
    assert client.get(form_url(car_bomb)).status_code == 200


def test_hostile_text_is_escaped_for_the_editors(client, car_bomb, editor):  # noqa: F811
    send(client, car_bomb, message=HOSTILE)
    report = ErrorReport.objects.get()
    assert report.message == HOSTILE  # stored as written: it is evidence
    client.force_login(editor)
    for url in (
        admin_url(ErrorReport, "changelist"),
        admin_url(ErrorReport, "change", report.pk),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert" in page


def test_editors_triage_and_the_decision_is_recorded(client, car_bomb, editor):  # noqa: F811
    send(client, car_bomb)
    report = ErrorReport.objects.get()
    client.force_login(editor)
    response = client.post(
        admin_url(ErrorReport, "change", report.pk),
        {"status": "accepted", "editor_note": "Checked against ¶5.", "fixed_by": ""},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.handled_by, report.editor_note) == (
        ErrorReportStatus.ACCEPTED,
        editor,
        "Checked against ¶5.",
    )
    assert report.handled_at is not None


def test_the_readers_words_cannot_be_changed_and_reports_not_added_or_deleted(
    client,
    car_bomb,  # noqa: F811
    editor,
    publisher,
):
    send(client, car_bomb)
    report = ErrorReport.objects.get()
    for user in (editor, publisher):
        client.force_login(user)
        client.post(
            admin_url(ErrorReport, "change", report.pk),
            {"status": "new", "message": "Forged", "reply_to": "x@example.org"},
        )
        assert client.get(admin_url(ErrorReport, "add")).status_code == 403
        assert (
            client.post(admin_url(ErrorReport, "delete", report.pk), {"post": "yes"}).status_code
            == 403
        )
    report.refresh_from_db()
    assert (report.message, report.reply_to) == ("The date is wrong.", "")


def test_only_the_roles_reach_them(client, car_bomb):  # noqa: F811
    send(client, car_bomb)
    report = ErrorReport.objects.get()
    url = admin_url(ErrorReport, "change", report.pk)
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(make_user("stranger", is_staff=True))
    assert client.get(url).status_code == 403
    assert client.post(url, {"status": "rejected"}).status_code == 403
    report.refresh_from_db()
    assert report.status == ErrorReportStatus.NEW


def test_editors_are_told_by_a_link_never_the_readers_text(client, car_bomb, settings):  # noqa: F811
    send(client, car_bomb)
    assert mail.outbox == []  # no one to tell by default
    settings.MANAGERS = [("", "desk@example.org")]
    send(client, car_bomb, message=HOSTILE, reply_to="victim@example.org")
    [notice] = mail.outbox
    assert notice.to == ["desk@example.org"]
    assert f"/admin/reports/errorreport/{ErrorReport.objects.first().pk}/change/" in notice.body
    assert "script" not in notice.body and "victim@example.org" not in notice.body + str(notice.to)


def test_a_report_is_about_exactly_one_entry(car_bomb):  # noqa: F811
    group = Group.objects.get(slug="mrta")
    with pytest.raises(IntegrityError), transaction.atomic():
        ErrorReport.objects.create(incident=car_bomb, group=group, message="Both")
    with pytest.raises(IntegrityError), transaction.atomic():
        ErrorReport.objects.create(message="Neither")


def test_the_form_in_spanish(client, car_bomb):  # noqa: F811
    page = client.get(f"/es{form_url(car_bomb)}")
    assert page.status_code == 200
    assert '<html lang="es"' in page.content.decode()
    assert "Informar de un error" in page.content.decode()


def test_past_the_rate_the_readers_words_come_back(client, car_bomb, settings):  # noqa: F811
    settings.ERROR_REPORT_RATE = "1/h"
    send(client, car_bomb)
    response = send(client, car_bomb, message="Kept for the reader to send later.")
    assert response.status_code == 429
    assert "Kept for the reader to send later.</textarea>" in response.content.decode()
    assert ErrorReport.objects.count() == 1


def test_other_methods_are_refused(client, car_bomb):  # noqa: F811
    assert client.put(form_url(car_bomb), {"message": "x"}).status_code == 405
    assert client.delete(form_url(car_bomb)).status_code == 405
    assert not ErrorReport.objects.exists()
