"""The editors' admin: every page opens, citations are checked, bulk actions, upload, history."""

from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from reports.models import (
    Citation,
    ErrorReport,
    Group,
    Incident,
    Paragraph,
    Report,
    Revision,
    Status,
)
from tests.factories import (
    make_citation,
    make_group,
    make_incident,
    make_report,
    make_user,
    support_every_fact,
)

SEED_QUOTE = "In August, Sendero kidnapped 30 employees of a French oil company in Junin Department"


# --- helpers -----------------------------------------------------------------------


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def form_data(response):
    """Return the POST data the admin form on `response` would send unchanged."""
    context = response.context
    forms = [context["adminform"].form]
    for inline in context.get("inline_admin_formsets", []):
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            else:
                data[bound.html_name] = str(value)
    return data


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def fixture_loaded(db):
    call_command("loaddata", "peru_1997", stdout=StringIO())


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", "correct horse battery")


def new_incident_data(client, report, **extra):
    """The add form for an incident, filled in with one citation of the seed."""
    response = client.get(admin_url(Incident, "add"))
    assert response.status_code == 200
    data = form_data(response)
    data.update(
        {
            "title": "Kidnapping of oil-company employees in Junin",
            "slug": "junin-kidnapping-admin",
            "status": Status.DRAFT,
            "summary": "Thirty oil-company employees kidnapped, released after two days.",
            "start_date": "1997-08-01",
            "start_precision": "month",
            "end_precision": "day",
            "country": "PE",
            "region": "Junin",
            "type": "kidnapping",
            "hostages": "30",
            "citations-0-report": str(report.pk),
            "citations-0-quote": SEED_QUOTE,
            "citations-0-facts": ["start_date", "type", "place", "hostages"],
        }
    )
    data.update(extra)
    return data


# --- every page opens ---------------------------------------------------------------


def test_every_admin_changelist_and_change_page_opens_for_a_superuser(
    client, superuser, fixture_loaded
):
    client.force_login(superuser)
    for model, model_admin in admin.site._registry.items():
        assert client.get(admin_url(model, "changelist")).status_code == 200, model
        obj = model._default_manager.first()
        if obj is None:
            continue
        assert client.get(admin_url(model, "change", obj.pk)).status_code == 200, model
        if isinstance(model_admin, SimpleHistoryAdmin):
            assert client.get(admin_url(model, "history", obj.pk)).status_code == 200, model


def test_every_archive_add_page_opens_except_those_made_from_documents(client, superuser):
    client.force_login(superuser)
    for model in admin.site._registry:
        if model._meta.app_label != "reports":
            continue
        response = client.get(admin_url(model, "add"))
        if model is Report:
            assert response.status_code == 302
            assert response.url == reverse("admin:reports_report_import")
        # Imported text; proposed on an entry's form; written by a reader.
        elif model in (Paragraph, Revision, ErrorReport):
            assert response.status_code == 403
        else:
            assert response.status_code == 200, model


def test_report_changelist_links_to_the_upload_page(client, editor, seed_report):
    client.force_login(editor)
    response = client.get(admin_url(Report, "changelist"))
    assert reverse("admin:reports_report_import") in response.content.decode()


def test_report_change_page_shows_provenance_read_only(client, editor, seed_report):
    client.force_login(editor)
    response = client.get(admin_url(Report, "change", seed_report.pk))
    html = response.content.decode()
    assert seed_report.sha256 in html
    assert 'name="sha256"' not in html  # shown, not editable
    assert "collapse" in html


def test_admin_escapes_document_text(client, editor):
    report = make_report(body="<script>alert(1)</script> and more text.")
    client.force_login(editor)
    html = client.get(admin_url(Report, "change", report.pk)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- curating: citations ---------------------------------------------------------------


def test_editor_creates_an_incident_with_a_citation_from_the_seed(client, editor, seed_report):
    client.force_login(editor)
    response = client.post(admin_url(Incident, "add"), new_incident_data(client, seed_report))
    assert response.status_code == 302, response.context["errors"]
    incident = Incident.objects.get(slug="junin-kidnapping-admin")
    assert incident.status == Status.DRAFT
    assert incident.hostages is None  # read-only: the figures come from the claims
    citation = incident.citations.get()
    assert citation.paragraph.number == 3  # found from the quote
    assert citation.facts == ["start_date", "type", "place", "hostages"]
    assert incident.history.first().history_user == editor


def test_citation_with_a_quote_absent_from_the_report_is_refused_with_its_message(
    client, editor, seed_report
):
    client.force_login(editor)
    data = new_incident_data(
        client, seed_report, **{"citations-0-quote": "Sendero kidnapped 300 employees"}
    )
    response = client.post(admin_url(Incident, "add"), data)
    assert response.status_code == 200
    assert "does not occur in" in response.content.decode()
    assert not Incident.objects.filter(slug="junin-kidnapping-admin").exists()
    assert not Citation.objects.exists()


def test_citation_admin_refuses_an_absent_quote_as_a_form_error(client, editor, seed_report):
    incident = make_incident(status=Status.DRAFT)
    client.force_login(editor)
    response = client.post(
        admin_url(Citation, "add"),
        {"report": seed_report.pk, "quote": "words the report never says", "incident": incident.pk},
    )
    assert response.status_code == 200
    assert "does not occur in" in response.content.decode()
    assert not Citation.objects.exists()


def test_publishing_an_incident_in_its_form_requires_a_citation(client, publisher, seed_report):
    client.force_login(publisher)
    data = new_incident_data(client, seed_report, status=Status.PUBLISHED)
    data["citations-TOTAL_FORMS"] = "0"
    response = client.post(admin_url(Incident, "add"), data)
    assert response.status_code == 200
    assert "needs at least one citation" in response.content.decode()
    assert not Incident.objects.exists()


# --- bulk actions -----------------------------------------------------------------------


def run_action(client, model, action, objects, **extra):
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects], **extra},
    )


def test_bulk_actions_move_status_and_record_who(client, publisher, fixture_loaded):
    client.force_login(publisher)
    incidents = [support_every_fact(incident) for incident in Incident.objects.all()]
    run_action(client, Incident, "send_to_review", incidents)
    assert set(Incident.objects.values_list("status", flat=True)) == {Status.REVIEW}
    run_action(client, Incident, "return_to_draft", incidents)
    assert set(Incident.objects.values_list("status", flat=True)) == {Status.DRAFT}
    response = run_action(client, Incident, "publish", incidents)
    assert set(Incident.objects.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert "4 incidents moved to “Published”." in messages_of(response)
    assert set(Incident.objects.values_list("status_changed_by", flat=True)) == {publisher.pk}


def test_bulk_publish_skips_an_incident_without_citation(client, publisher, fixture_loaded):
    bare = make_incident(title="Uncited", status=Status.REVIEW)
    client.force_login(publisher)
    response = run_action(client, Incident, "publish", [bare])
    bare.refresh_from_db()
    assert bare.status == Status.REVIEW
    assert any("needs at least one citation" in message for message in messages_of(response))


def test_bulk_actions_work_on_reports_and_groups(client, publisher, fixture_loaded):
    for group in Group.objects.all():
        support_every_fact(group)
    client.force_login(publisher)
    for model in (Group, Report):
        # The report takes the entries resting on it along, once the publisher confirms.
        run_action(client, model, "return_to_draft", model.objects.all(), withdraw="yes")
        assert not model.objects.published().exists()
        run_action(client, model, "publish", model.objects.all())
        assert not model.objects.exclude(status=Status.PUBLISHED).exists()


# --- upload page --------------------------------------------------------------------------


def upload(client, *files):
    return client.post(reverse("admin:reports_report_import"), {"documents": list(files)})


def test_upload_imports_a_good_document_as_a_draft(client, editor, seed_bytes):
    client.force_login(editor)
    response = upload(client, SimpleUploadedFile("peru.txt", seed_bytes, "text/plain"))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == Status.DRAFT
    assert report.import_method == "admin upload"
    assert report.imported_by == editor
    assert report.source_filename == "peru.txt"
    assert "created peru.txt: Patterns of Global Terrorism 1997 - Peru" in messages_of(response)


def test_upload_of_the_same_bytes_again_changes_nothing(client, editor, seed_bytes):
    client.force_login(editor)
    upload(client, SimpleUploadedFile("peru.txt", seed_bytes, "text/plain"))
    response = upload(client, SimpleUploadedFile("peru.txt", seed_bytes, "text/plain"))
    assert Report.objects.count() == 1
    assert "Imported: 1 unchanged." in messages_of(response)


def test_upload_with_one_bad_file_writes_nothing(client, editor, seed_bytes):
    client.force_login(editor)
    response = upload(
        client,
        SimpleUploadedFile("peru.txt", seed_bytes, "text/plain"),
        SimpleUploadedFile("bad.txt", b"no title line here\n\nbody\n", "text/plain"),
    )
    assert response.status_code == 200
    messages = messages_of(response)
    assert any(message.startswith("refused bad.txt: the first line") for message in messages)
    assert "1 document(s) refused; nothing was imported." in messages
    assert not Report.objects.exists()
    assert "refused bad.txt" in response.content.decode().lower()  # shown on the page


@pytest.mark.parametrize(
    ("name", "content_type", "refusal"),
    [
        (
            "peru.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "only .txt text files, .html web pages and .pdf files are accepted",
        ),
        (
            "peru.txt",
            "application/octet-stream",
            "only .txt text files, .html web pages and .pdf files are accepted",
        ),
        # The name and the type say PDF, the bytes do not.
        ("peru.pdf", "application/pdf", "the file is named .pdf but is not a PDF file"),
    ],
)
def test_upload_refuses_what_is_not_a_document_it_reads(
    client, editor, seed_bytes, name, content_type, refusal
):
    client.force_login(editor)
    response = upload(client, SimpleUploadedFile(name, seed_bytes, content_type))
    assert response.status_code == 200
    messages = messages_of(response)
    assert f"refused {name}: {refusal}" in messages
    assert "1 document(s) refused; nothing was imported." in messages
    assert not Report.objects.exists()


def test_upload_with_no_file_asks_for_one(client, editor):
    client.force_login(editor)
    response = client.post(reverse("admin:reports_report_import"), {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Report.objects.exists()


def test_upload_refuses_a_file_over_the_size_limit(client, editor, seed_bytes, settings):
    settings.ARCHIVE_MAX_DOCUMENT_BYTES = 1000
    client.force_login(editor)
    response = upload(client, SimpleUploadedFile("peru.txt", seed_bytes, "text/plain"))
    assert any(
        message.startswith("refused peru.txt:") and "1,000 bytes" in message
        for message in messages_of(response)
    )
    assert not Report.objects.exists()


def test_upload_refuses_binary_bytes_named_txt(client, editor):
    client.force_login(editor)
    response = upload(client, SimpleUploadedFile("x.txt", b"\x89PNG\x00\x00", "text/plain"))
    assert any(m.startswith("refused x.txt: the file is binary") for m in messages_of(response))
    assert not Report.objects.exists()


def test_upload_page_is_refused_to_anonymous_and_non_staff(client, db):
    url = reverse("admin:reports_report_import")
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response.url
    client.force_login(make_user("reader"))
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response.url


def test_upload_page_requires_the_add_report_permission(client, db, seed_bytes):
    client.force_login(make_user("viewer", is_staff=True))
    response = upload(client, SimpleUploadedFile("peru.txt", seed_bytes, "text/plain"))
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_editor_cannot_change_a_published_report_by_uploading_a_new_version(
    client, editor, seed_report, seed_bytes
):
    changed = seed_bytes.replace(b"Fourteen terrorists", b"Fourteen  terrorists (corrected)")
    client.force_login(editor)
    response = upload(
        client, SimpleUploadedFile("patterns-of-global-terrorism-1997-peru.txt", changed)
    )
    assert any("only Publishers can" in message for message in messages_of(response))
    seed_report.refresh_from_db()
    assert "(corrected)" not in seed_report.text


# --- history --------------------------------------------------------------------------


def test_history_page_shows_a_change_and_revert_restores_it(client, publisher, fixture_loaded):
    call_command("populate_history", "--auto", stdout=StringIO())  # loaddata records none
    incident = Incident.objects.get(type="kidnapping")
    original_title = incident.title
    client.force_login(publisher)
    change_url = admin_url(Incident, "change", incident.pk)
    data = form_data(client.get(change_url))
    data["title"] = "Renamed by mistake"
    assert client.post(change_url, data).status_code == 302

    history = client.get(admin_url(Incident, "history", incident.pk)).content.decode()
    assert "Renamed by mistake" in history
    assert original_title in history  # the diff shows old and new values

    first = incident.history.order_by("history_date").first()
    assert first.title == original_title
    revert_url = reverse("admin:reports_incident_simple_history", args=[incident.pk, first.pk])
    response = client.post(revert_url, form_data(client.get(revert_url)))
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.title == original_title


def add_rows(report):
    """Five more of everything the changelists show, each with its related rows."""
    for number in range(5):
        group = make_group(name=f"Extra group {number}", status=Status.DRAFT)
        incident = make_incident(title=f"Extra incident {number}", status=Status.DRAFT)
        incident.perpetrators.add(group)
        make_citation(report, "Sendero kidnapped 30 employees", incident=incident)
        make_citation(report, "Sendero still has not recovered", group=group)
        make_report(title=f"Patterns of Global Terrorism {1990 + number} - Peru")


@pytest.mark.parametrize("model", [Report, Incident, Group, Citation])
def test_changelist_queries_do_not_grow_with_rows(
    client, superuser, fixture_loaded, model, django_assert_max_num_queries
):
    client.force_login(superuser)
    url = admin_url(model, "changelist")
    client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_rows(Report.objects.get())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_change_pages_offer_view_on_site(client, editor, fixture_loaded):
    client.force_login(editor)
    for model in (Report, Incident, Group):
        html = client.get(admin_url(model, "change", model.objects.first().pk)).content.decode()
        assert 'class="viewsitelink"' in html, model
