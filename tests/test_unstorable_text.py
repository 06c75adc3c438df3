"""Text PostgreSQL cannot store (a NUL, a lone surrogate) is refused wherever it enters, on
both engines, so whatever SQLite holds also restores into PostgreSQL; and a whole archive,
every kind of text PostgreSQL does store in it, moves from this database to PostgreSQL."""

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from reports.ingest import backup, formats, parsing
from reports.ingest.documents import ImportRefused, check_details, parse_all
from reports.ingest.parsing import DocumentError
from reports.models import (
    Citation,
    ErrorReport,
    Group,
    Incident,
    Paragraph,
    Report,
    Revision,
)
from reports.text import unstorable, unstorable_in
from tests.factories import make_incident
from tests.test_admin import admin_url, fixture_loaded, form_data, superuser  # noqa: F401
from tests.test_backup import (
    _Rollback,
    archive_rows,
    build_archive,
    read_backup,
    restored_in_fresh_postgresql,
    snapshot,
    write_backup,
)

DATA = Path(__file__).resolve().parent / "data"

# --- The one check -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("Lima\x00", "a NUL character (U+0000)"),
        ("half \ud83d of a pair", "a lone surrogate (U+D83D)"),
        ("\udce9t\udce9", "a lone surrogate (U+DCE9)"),  # b"\xe9" read with surrogateescape
        ("Perú, 😀, \x01, \ufffd, \U0010ffff", ""),  # all stored by PostgreSQL
        ("", ""),
    ],
)
def test_the_check_names_the_character_postgresql_refuses(text, what):
    assert unstorable(text) == what


def test_the_check_finds_it_inside_json_values_and_keys():
    assert unstorable_in({"claims": [{"low": 1}, {"note": "a\x00b"}]}) == (
        "claims[1].note",
        "a NUL character (U+0000)",
    )
    assert unstorable_in({"ok": ["\ud800"]})[0] == "ok[0]"
    assert unstorable_in({"key\x00": 1}) == ("", "a NUL character (U+0000)")
    assert unstorable_in({"n": 1, "text": "fine", "list": [None, True, 2.5]}) is None


# --- The web: forms of every kind, the admin's inlines, JSON bodies, lookups -----------


@pytest.fixture
def admin_client(client, superuser):  # noqa: F811
    client.force_login(superuser)
    return client


INCIDENT = "japanese-ambassadors-residence-hostage-crisis-lima"


@pytest.mark.parametrize(
    "field",
    [
        "title",  # CharField
        "summary",  # TextField, a textarea
        "country",  # a choice of a row whose key is text (a lookup on PostgreSQL)
        "start_date",  # a date
        "citations-0-quote",  # a stacked inline's textarea
        "citations-0-facts",  # a multiple choice stored as JSON
        "perpetration_set-0-group",  # a tabular inline's choice of a row
        "claims-0-low",  # a number in another inline
        "claims-0-moment_date",  # a date in it
        "citations-TOTAL_FORMS",  # the management form
    ],
)
def test_an_admin_form_with_a_nul_in_any_field_is_a_400_and_changes_nothing(
    admin_client,
    fixture_loaded,  # noqa: F811
    field,
):
    incident = Incident.objects.get(slug=INCIDENT)
    url = admin_url(Incident, "change", incident.pk)
    data = form_data(admin_client.get(url))
    assert field in data
    before = snapshot()
    data[field] = "PE\x00"

    response = admin_client.post(url, data)

    assert response.status_code == 400
    assert f"The field “{field}” holds a NUL character (U+0000)" in response.content.decode()
    assert snapshot() == before


def test_the_same_form_without_the_nul_is_saved(admin_client, fixture_loaded):  # noqa: F811
    incident = Incident.objects.get(slug=INCIDENT)
    url = admin_url(Incident, "change", incident.pk)
    data = form_data(admin_client.get(url))
    data["summary"] = "Perú 😀 \x01 ﬁ"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert Incident.objects.get(pk=incident.pk).summary == "Perú 😀 \x01 ﬁ"


def test_a_readers_error_report_with_a_nul_is_a_400_and_nothing_is_stored(
    client,
    fixture_loaded,  # noqa: F811
):
    incident = Incident.objects.get(slug=INCIDENT)
    response = client.post(
        f"{incident.get_absolute_url()}report-error/",
        {"message": "The date\x00 is wrong.", "reply_to": "reader@example.org"},
    )
    assert response.status_code == 400
    assert "holds a NUL character" in response.content.decode()
    assert not ErrorReport.objects.exists()


def test_an_oai_post_with_a_nul_is_a_400(client, fixture_loaded):  # noqa: F811
    response = client.post(
        "/oai/", {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x\x00"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ('{"q": "Lima\\u0000"}', "a NUL character (U+0000) at “q”"),
        ('{"data": [{"title": "\\ud800"}]}', "a lone surrogate (U+D800) at “data[0].title”"),
    ],
)
def test_a_json_body_with_a_nul_or_a_lone_surrogate_is_a_400_in_json(client, db, body, what):
    response = client.post("/api/reports/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "error": f"The JSON body holds {what}, which the archive cannot store.",
        "fields": {},
    }


def test_a_lone_surrogate_in_a_url_reads_as_a_replacement_character(client, fixture_loaded):  # noqa: F811
    """A URL's bytes that are not UTF-8 (a surrogate's CESU-8 bytes) become U+FFFD: lookups
    and searches find nothing, and nothing fails."""
    assert client.get("/search/?q=Lima%ED%A0%80").status_code == 200
    assert client.get("/api/reports/?q=%ED%A0%80").status_code in (200, 400)
    assert client.get("/countries/PE%ED%A0%80/").status_code == 404


# --- Datasets -------------------------------------------------------------------------


def test_a_dataset_row_decoded_into_a_lone_surrogate_is_a_bad_row(tmp_path, db):
    """An encoding the import accepts (ASCII-based) can still make one: raw_unicode_escape
    reads the text "\\ud800" as U+D800."""
    from tests.test_import_incidents import BOMB, SIEGE, run, write

    bad = BOMB.replace("A car bomb", "A car \\ud800bomb")
    path = write(tmp_path, SIEGE, bad, encoding="raw_unicode_escape")

    out, err = run(path, "--encoding", "raw_unicode_escape")

    assert "1 created" in out and "1 skipped" in out
    assert "line 3" in err and "column summary holds a lone surrogate (U+D800)" in err
    assert Incident.objects.get().external_id == "199612170001"


# --- Documents ------------------------------------------------------------------------


def test_a_utf16_document_with_a_nul_is_refused():
    data = "Patterns of Global Terrorism 1997 - Peru\n\nA\x00B.\n".encode("utf-16")
    with pytest.raises(DocumentError, match="control characters"):
        parsing.parse_document(data, name="peru.txt")


def test_a_utf16_document_with_a_lone_surrogate_is_refused():
    data = b"\xff\xfe" + "Patterns of Global Terrorism 1997 - Peru\n\n".encode("utf-16-le")
    data += b"\x00\xd8A\x00"  # U+D800 alone, then "A"
    with pytest.raises(DocumentError, match="not valid UTF-16"):
        parsing.parse_document(data, name="peru.txt")


def test_a_pdf_whose_text_layer_holds_a_nul_is_refused(monkeypatch):
    """A PDF's extracted text is checked as a text file's is (a font without a Unicode map
    can give U+0000)."""
    monkeypatch.setattr(formats, "sniff", lambda data, name="": formats.PDF)
    monkeypatch.setattr(formats, "pdf_text", lambda data, is_title: "Title\n\nA\x00B")
    monkeypatch.setattr(formats, "pdf_extractor", lambda: "pypdf")
    with pytest.raises(DocumentError, match=r"holds a NUL character \(U\+0000\)"):
        parsing.parse_document(b"%PDF-1.7 ...", name="peru.pdf")


def test_a_document_whose_file_name_is_not_utf8_is_refused_with_the_others_kept_out(db):
    text = (DATA / "informe_sobre_terrorismo_2005_peru.txt").read_bytes()
    name = b"informe-per\xfa.txt".decode("utf-8", "surrogateescape")  # as os.listdir gives it

    with pytest.raises(ImportRefused) as refused:
        parse_all([(name, text), ("other.txt", text)])

    assert refused.value.problems == [
        (
            "informe-per\ufffd.txt",
            "the file's name holds a lone surrogate (U+DCFA) (it is not UTF-8); rename it",
        )
    ]


def test_import_documents_refuses_a_file_named_in_bytes_that_are_not_utf8(db, tmp_path):
    source = DATA / "informe_sobre_terrorismo_2005_peru.txt"
    path = Path(str(tmp_path / b"informe-per\xfa.txt".decode("utf-8", "surrogateescape")))
    path.write_bytes(source.read_bytes())

    with pytest.raises(CommandError, match=r"rename it"):
        call_command("import_documents", str(tmp_path), verbosity=0)
    assert not Report.objects.exists()


@pytest.mark.parametrize("field", ["source_url", "document_identifier"])
def test_a_documents_details_with_a_nul_are_refused(field):
    with pytest.raises(DocumentError, match="holds a NUL character"):
        check_details(**{field: "https://example.org/a\x00b"})


# --- Backups: an old one holding such text is refused, naming the row --------------


@pytest.fixture
def exported(db, tmp_path):
    path = tmp_path / "archive.jsonl"
    try:
        with transaction.atomic():
            build_archive()
            call_command("export_archive", str(path), verbosity=0)
            raise _Rollback
    except _Rollback:
        pass
    return path


def _refused(path, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_archive", str(path), verbosity=0)
    assert archive_rows() == 0
    assert not User.objects.exists()


def test_a_backup_with_a_nul_in_a_row_is_refused_naming_it(exported):
    header, rows, _trailer = read_backup(exported)
    index, paragraph = next((i, r) for i, r in enumerate(rows) if r["model"] == "reports.paragraph")
    paragraph["fields"]["text"] += "\x00"
    write_backup(exported, header, rows)

    _refused(
        exported,
        rf"line {index + 2}, reports.paragraph {paragraph['pk']}: text holds a NUL character "
        r"\(U\+0000\), which PostgreSQL cannot store; .* Nothing was written",
    )


def test_a_backup_with_a_lone_surrogate_in_json_is_refused_naming_it(exported):
    header, rows, _trailer = read_backup(exported)
    incident = next(
        r for r in rows if r["model"] == "reports.incident" and r["fields"]["source_row"]
    )
    incident["fields"]["source_row"]["nkill"] = ["\udc80"]
    write_backup(exported, header, rows)

    _refused(
        exported,
        rf"reports.incident {incident['pk']}: source_row.nkill\[0\] holds a lone surrogate "
        r"\(U\+DC80\)",
    )


def test_a_version_3_backup_with_a_nul_is_refused_naming_it(exported):
    from tests.test_backup import as_legacy

    document = as_legacy(exported)
    [role] = [r for r in document["payload"]["auth.group"] if r["name"] == "Reviewers"]
    role["name"] = "Review\x00ers"
    document["sha256"] = backup.checksum(document)
    exported.write_text(json.dumps(document))

    _refused(exported, r"role, auth.group 'Review\\x00ers': name holds a NUL character")


# --- A whole archive from this database to PostgreSQL ---------------------------------

# Text PostgreSQL stores, of every awkward kind: non-BMP characters (JSON escapes them as
# surrogate pairs when ASCII is asked for), control characters but NUL, the last code
# points, a byte-order mark, right-to-left text, combining marks.
STORABLE = "Perú 😀 \U0001f1f5\U0001f1ea \x01\x1f\x7f \ufeff\uffff\U0010ffff שלום e\u0301"


def add_awkward_text():
    """Every text column kind (CharField, TextField, JSONField values and keys) holding
    STORABLE, written through the ORM as an editor's or an import's text would be."""
    incident = make_incident(
        title=f"Incident {STORABLE}"[:300],
        summary=STORABLE,
        source_row={"summary": STORABLE, STORABLE: [STORABLE, {"nested": STORABLE}]},
    )
    report = Report.objects.get()
    Paragraph.objects.create(report=report, number=999, text=STORABLE)
    Citation.objects.create(report=report, quote=STORABLE[:40], incident=incident, facts=[])
    group = Group.objects.order_by("pk").first()
    group.description = STORABLE
    group.save()
    Revision.objects.update(data={"title": STORABLE, "claims": [{"note": STORABLE}]})
    User.objects.filter(username="editor").update(first_name="Zoë 😀")


def test_an_archive_with_every_kind_of_stored_text_moves_to_postgresql(db, tmp_path):
    """Build the archive here (SQLite in CI's first pass), export it, restore it into a
    scratch PostgreSQL database in another process and compare every field of every row.
    What PostgreSQL refuses cannot be in it: the tests above refuse it at every entry."""
    path = tmp_path / "archive.jsonl"
    build_archive()
    add_awkward_text()
    before = snapshot()
    call_command("export_archive", str(path), verbosity=0)
    assert "Perú 😀" in path.read_text()

    after, _ = restored_in_fresh_postgresql(path, tmp_path)

    assert after == before
    counts = read_backup(path)[2]["counts"]
    assert all(len(after[label]) == count for label, count in counts.items() if label in after)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL cannot hold the NUL")
def test_a_sqlite_archive_that_took_a_nul_before_is_refused_by_the_restore(db, tmp_path):
    """An archive that took a NUL before it was refused at entry: its backup is refused,
    naming the row, instead of failing in PostgreSQL half-way."""
    path = tmp_path / "archive.jsonl"
    try:
        with transaction.atomic():
            build_archive()
            incident = Incident.objects.get(is_synthetic=True)
            Incident.objects.filter(pk=incident.pk).update(summary="car\x00bomb")
            call_command("export_archive", str(path), verbosity=0)
            raise _Rollback
    except _Rollback:
        pass

    _refused(path, rf"reports.incident {incident.pk}: summary holds a NUL character")
