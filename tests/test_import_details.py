"""Importing Spanish documents and the original's details (URL, identifier, date, language):
the command and the admin upload accept them for one document and refuse them clearly."""

import datetime
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports.forms import clean_language_code
from reports.models import Report
from tests.conftest import ROOT, SEED_PATH
from tests.test_admin import messages_of

SPANISH_PATH = ROOT / "tests" / "data" / "informe_sobre_terrorismo_2005_peru.txt"
REFWORLD_URL = "https://www.refworld.org/docid/3ae6aa6f1c.html"


def run(*args, **options):
    out = StringIO()
    call_command("import_documents", *[str(arg) for arg in args], stdout=out, **options)
    return out.getvalue()


def test_a_spanish_document_is_imported_as_spanish(db):
    output = run(SPANISH_PATH)
    report = Report.objects.get()
    assert "created" in output
    assert report.title == "Informe sobre terrorismo 2005 - Perú"
    assert report.language == "es"
    assert report.country.code == "PE"
    assert report.publisher.name == "United States Department of State"
    assert report.republisher.name == "UNHCR Refworld"
    assert report.disclaimer.startswith("Esta no es una publicación del ACNUR.")
    assert report.paragraphs.count() == 3
    assert (report.source_url, report.document_identifier, report.published_on) == ("", "", None)


def test_the_seed_is_imported_as_english(db):
    run(SEED_PATH)
    assert Report.objects.get().language == "en"


def test_the_command_records_the_originals_details(db):
    run(
        SEED_PATH,
        source_url=REFWORLD_URL,
        document_id="3ae6aa6f1c",
        published_on="1998-04-30",
        language="EN",
    )
    report = Report.objects.get()
    assert report.source_url == REFWORLD_URL
    assert report.document_identifier == "3ae6aa6f1c"
    assert report.published_on == datetime.date(1998, 4, 30)
    assert report.language == "en"


def test_the_language_option_overrides_the_guess(db):
    run(SPANISH_PATH, language="pt-br")
    assert Report.objects.get().language == "pt-BR"


def test_details_given_for_the_same_bytes_again_update_the_report(db):
    run(SEED_PATH)
    output = run(SEED_PATH, document_id="3ae6aa6f1c")
    assert "updated" in output
    assert Report.objects.get().document_identifier == "3ae6aa6f1c"
    assert "unchanged" in run(SEED_PATH, document_id="3ae6aa6f1c")
    # Not given: what the report has stays.
    run(SEED_PATH)
    assert Report.objects.get().document_identifier == "3ae6aa6f1c"


def test_details_are_refused_for_several_files(db):
    with pytest.raises(CommandError, match="--source-url describe one document, and 2 files"):
        run(SEED_PATH, SPANISH_PATH, source_url=REFWORLD_URL)
    assert not Report.objects.exists()


def test_details_are_refused_for_a_folder_of_several_files(db, tmp_path):
    (tmp_path / "a.txt").write_bytes(SEED_PATH.read_bytes())
    (tmp_path / "b.txt").write_bytes(SPANISH_PATH.read_bytes())
    with pytest.raises(CommandError, match="--published-on, --language describe one document"):
        run(tmp_path, published_on="2006-01-01", language="es")
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"source_url": "www.refworld.org/docid/x"}, "is not a web address"),
        ({"source_url": "javascript:alert(1)"}, "is not a web address"),
        ({"source_url": "ftp://example.org/x.txt"}, "is not a web address"),
        ({"source_url": "https://example.org/" + "x" * 500}, "longer than 500 characters"),
        ({"document_id": "x" * 201}, "longer than 200 characters"),
        ({"document_id": "id\x07"}, "control characters"),
        ({"published_on": "30/04/1998"}, "not a date of the form YYYY-MM-DD"),
        ({"published_on": "1998-02-30"}, "not a date of the form YYYY-MM-DD"),
        ({"published_on": "2999-01-01"}, "is in the future"),
        ({"published_on": "1996-12-31"}, "before the year the report covers (1997)"),
        ({"language": "spanish"}, "is not an ISO 639-1 language code"),
        ({"language": "xx"}, "is not an ISO 639-1 language code"),
    ],
)
def test_malformed_details_are_refused_and_nothing_is_written(db, options, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run(SEED_PATH, **options)
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "Informe sobre terrorismo 2005 - Perú\n\nDurante el año.".encode("cp1252"),
            "Windows-1252",
        ),
        (b"Informe anual 2010 - Narnia\n\nEl texto del informe.", "not a known country"),
        (
            "Informe anual 2010 - Colombia\n\nEsta no es una publicación del ACNUR.".encode(),
            "no body text, only a disclaimer",
        ),
    ],
)
def test_malformed_spanish_documents_are_refused_and_nothing_is_written(
    db, tmp_path, data, message
):
    bad = tmp_path / "informe.txt"
    bad.write_bytes(data)
    with pytest.raises(CommandError, match=message):
        run(SPANISH_PATH, bad)
    assert not Report.objects.exists()


# --- the admin upload -------------------------------------------------------------------


def upload(client, *files, **details):
    return client.post(
        reverse("admin:reports_report_import"), {"documents": list(files), **details}
    )


def spanish_file():
    return SimpleUploadedFile(SPANISH_PATH.name, SPANISH_PATH.read_bytes(), "text/plain")


def seed_file():
    return SimpleUploadedFile("peru.txt", SEED_PATH.read_bytes(), "text/plain")


def test_upload_page_offers_the_details(client, editor):
    client.force_login(editor)
    html = client.get(reverse("admin:reports_report_import")).content.decode()
    for name in ("source_url", "document_identifier", "published_on", "language"):
        assert f'name="{name}"' in html


def test_upload_of_a_spanish_document_with_its_details(client, editor):
    client.force_login(editor)
    response = upload(
        client,
        spanish_file(),
        source_url="https://www.refworld.org/es/docid/abc123.html",
        document_identifier="abc123",
        published_on="2006-04-28",
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.language == "es"
    assert report.source_url == "https://www.refworld.org/es/docid/abc123.html"
    assert report.document_identifier == "abc123"
    assert report.published_on == datetime.date(2006, 4, 28)


def test_upload_refuses_details_for_several_files(client, editor):
    client.force_login(editor)
    response = upload(client, spanish_file(), seed_file(), document_identifier="abc123")
    assert response.status_code == 200
    assert "describe one document: upload one file with them" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({"source_url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"published_on": "28/04/2006"}, "Enter a valid date."),
        ({"published_on": "2004-01-01"}, "before the year the report covers (2005)"),
        ({"language": "castellano"}, "is not an ISO 639-1 language code"),
    ],
)
def test_upload_refuses_malformed_details_and_writes_nothing(client, editor, details, message):
    client.force_login(editor)
    response = upload(client, spanish_file(), **details)
    html = response.content.decode() + " ".join(messages_of(response))
    assert message in html
    assert not Report.objects.exists()


def test_report_form_offers_the_details(client, publisher):
    run(SEED_PATH)
    report = Report.objects.get()
    client.force_login(publisher)
    url = reverse("admin:reports_report_change", args=[report.pk])
    html = client.get(url).content.decode()
    for name in ("source_url", "document_identifier", "published_on", "language"):
        assert f'name="{name}"' in html


def test_the_report_forms_language_is_an_iso_code():
    assert clean_language_code(" ES ") == "es"
    with pytest.raises(ValidationError, match="not an ISO 639-1 language code"):
        clean_language_code("español")
