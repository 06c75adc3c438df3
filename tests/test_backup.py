"""export_archive / import_archive: a whole-archive round trip, and refusals that write nothing."""

import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime, time
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group as Role
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from reports.ingest import backup
from reports.models import (
    Citation,
    Designation,
    ErrorReport,
    ErrorReportStatus,
    Figure,
    FigureClaim,
    GroupAlias,
    GroupRelation,
    Incident,
    Leader,
    Organisation,
    Paragraph,
    Perpetration,
    RelationKind,
    Report,
    Revision,
    RevisionStatus,
    SourceFile,
    Status,
    quote_key,
)
from reports.models import Group as ArmedGroup
from reports.search import search_archive
from reports.translated import TRANSLATED
from tests.factories import make_citation, make_group, make_incident, make_user

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "ARCHIVE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)


def build_archive():
    """The curated seed plus users, roles, edits, a deletion and an admin log entry,
    so every exported table has rows and the history has who/when/what."""
    editor = make_user("editor", role="Editors", first_name="Ada", email="ada@example.org")
    publisher = make_user("publisher", role="Publishers")
    reviewer_role = Role.objects.create(name="Reviewers")
    reviewer_role.permissions.add(Permission.objects.get(codename="view_report"))
    publisher.user_permissions.add(Permission.objects.get(codename="change_citation"))
    call_command("loaddata", "peru_1997", verbosity=0)

    report = Report.objects.get()
    # Where the original is, so the round trip shows the fields travel.
    report.source_url = "https://www.refworld.org/docid/3ae6aa6f1c.html"
    report.document_identifier = "3ae6aa6f1c"
    report.published_on = datetime(1998, 4, 30).date()
    for status, user in ((Status.REVIEW, editor), (Status.PUBLISHED, publisher)):
        report.set_status(status, user)
        report._history_user = user
        report.save()
    group = ArmedGroup.objects.order_by("pk").first()
    group.description += " (revised by an editor)"
    group._history_user = editor
    group.save()
    GroupAlias.objects.create(group=group, name="An alias removed again").delete()
    leader = Leader.objects.order_by("pk").first()
    leader.role = "founder (revised)"
    leader.save()

    incident = make_incident(
        title="Synthetic test incident",
        is_synthetic=True,
        killed=0,
        injured=None,
        hostages=30,
        latitude=Decimal("-12.046374"),
        longitude=Decimal("-77.042793"),
        source_row={"eventid": "199708010001", "nkill": [0, None]},
    )
    Perpetration.objects.create(incident=incident, group=group, uncertain=True)
    paragraph = Paragraph.objects.get(report=report, number=2)
    # Under a millisecond past the second: JSON encoders that keep milliseconds only
    # would write it as a whole second (a CI run once failed on such a timestamp).
    make_citation(
        report,
        paragraph.text[:60],
        incident=incident,
        facts=["hostages"],
        created_at=datetime(1997, 8, 1, 12, 0, 0, 500, tzinfo=UTC),
    )
    # Claims, a relation and a designation, each resting on a passage, then changed and
    # deleted so their history has rows of each kind; entries of their own, so the
    # fixture's claims never collide with them.
    hostages = make_citation(
        report, "the terrorists still held 81 hostages", incident=incident, facts=["hostages"]
    )
    claim = FigureClaim.objects.create(
        incident=incident,
        figure=Figure.HOSTAGES,
        low=81,
        high=81,
        moment="at the beginning of 1997",
        moment_date="1997-01-01",
        best=True,
        citation=hostages,
    )
    claim.wording = "81 hostages"
    claim._history_user = editor
    claim.save()
    FigureClaim.objects.create(incident=incident, figure=Figure.KILLED, low=0, from_dataset=True)
    FigureClaim.objects.create(
        incident=incident, figure=Figure.INJURED, low=8, citation=hostages
    ).delete()
    splinter = make_group(name="Synthetic splinter", is_synthetic=True)
    counterpart = make_citation(report, "its larger and more violent counterpart", group=splinter)
    FigureClaim.objects.create(
        group=splinter, figure=Figure.STRENGTH, low=14, high=None, citation=counterpart
    )
    GroupRelation.objects.create(
        group=splinter, kind=RelationKind.SPLINTER_OF, other=group, citation=counterpart
    )
    Designation.objects.create(
        group=splinter,
        authority="Government of Peru",
        list_name="Terrorist groups",
        designated_from=datetime(1997, 1, 1).date(),
        designated_to=datetime(1998, 6, 30).date(),
        citation=counterpart,
    )
    Revision.objects.create(
        content_type=ContentType.objects.get_for_model(Incident),
        object_id=incident.pk,
        data={"title": "Synthetic test incident, revised", "claims": [{"low": 81}]},
        status=RevisionStatus.REJECTED,
        proposed_by=editor,
        decided_by=publisher,
        decided_at=datetime(1997, 8, 2, 9, 30, 0, 250, tzinfo=UTC),
        reason="The source does not say so.",
    )
    # The original's bytes (not text: the backup carries them as base64) and a reader's
    # error report, triaged, with the revision that answered it.
    SourceFile.objects.create(report=report, data=b"%PDF-1.7\n\x00\xff\xfe binary")
    ErrorReport.objects.create(
        incident=incident,
        fact="hostages",
        message="The passage says 81, <b>not</b> 30.",
        reply_to="reader@example.org",
        status=ErrorReportStatus.ACCEPTED,
        handled_by=publisher,
        handled_at=datetime(1997, 8, 3, 10, 0, 0, 750, tzinfo=UTC),
        fixed_by=Revision.objects.get(),
        editor_note="Checked against the report.",
    )
    LogEntry.objects.create(
        user=editor,
        content_type=ContentType.objects.get_for_model(Report),
        object_id=str(report.pk),
        object_repr=str(report),
        action_flag=ADDITION,
        change_message="[]",
    )


class ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but times keep their microseconds, so a lossy round trip shows."""

    def default(self, o):
        if isinstance(o, datetime | time):
            return o.isoformat()
        if isinstance(o, bytes | memoryview):
            return bytes(o).hex()
        return super().default(o)


def snapshot():
    """Every field of every row of every backed-up model, plus roles and memberships,
    read with values() (not through the backup code) and made JSON-comparable."""
    data = {
        label: list(model._default_manager.order_by("pk").values())
        for label, model, _natural in backup.archive_models()
    }
    data["roles"] = {
        role.name: sorted(role.permissions.values_list("codename", flat=True))
        for role in Role.objects.all()
    }
    data["memberships"] = {
        user.username: [
            sorted(user.groups.values_list("name", flat=True)),
            sorted(user.user_permissions.values_list("codename", flat=True)),
        ]
        for user in User.objects.all()
    }
    for rows in data.values():
        for row in rows if isinstance(rows, list) else ():
            # Content types are numbered per database; compare them by name.
            if "content_type_id" in row:
                row["content_type_id"] = ContentType.objects.get_for_id(
                    row["content_type_id"]
                ).natural_key()
    return json.loads(json.dumps(data, cls=ExactEncoder))


def archive_rows():
    return sum(model._default_manager.count() for _l, model, _n in backup.archive_models())


class _Rollback(Exception):
    pass


@pytest.fixture
def exported(db, tmp_path):
    """(path, snapshot): the archive exported to a file, then rolled back out of the
    database, which is left empty for an import."""
    path = tmp_path / "archive.json"
    try:
        with transaction.atomic():
            build_archive()
            before = snapshot()
            call_command("export_archive", str(path), verbosity=0)
            raise _Rollback
    except _Rollback:
        pass
    assert archive_rows() == 0
    return path, before


def restore(path):
    call_command("import_archive", str(path), verbosity=0)


def read_backup(path):
    """(header, rows, trailer) of a version 4 backup, each line parsed."""
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return lines[0], lines[1:-1], lines[-1]


def payload_of(rows):
    """{label: [rows]}, as a legacy document's payload has them (roles without "model")."""
    payload = {}
    for row in rows:
        if row["model"] == "auth.group":
            row = {key: value for key, value in row.items() if key != "model"}
        payload.setdefault(row.get("model", "auth.group"), []).append(row)
    return payload


def write_backup(path, header, rows, counts=None):
    """Write a version 4 file sealed as export_archive seals one: counts, checksum."""
    # ASCII, escapes and all: a test's row may hold a lone surrogate, which no UTF-8 encodes.
    body = b"".join(
        (json.dumps(record, cls=backup.BackupEncoder) + "\n").encode() for record in [header, *rows]
    )
    if counts is None:
        counts = {label: len(of) for label, of in payload_of(rows).items()}
    trailer = {"counts": counts, "sha256": hashlib.sha256(body).hexdigest()}
    path.write_bytes(body + backup._line(trailer))


def as_legacy(path, version=3):
    """The version 4 backup in `path` as the one JSON document versions 1-3 were."""
    header, rows, _trailer = read_backup(path)
    payload = payload_of(rows)
    document = {
        "format": header["format"],
        "version": version,
        "exported_at": header["exported_at"],
        "counts": {label: len(of) for label, of in payload.items()},
        "payload": payload,
    }
    document["sha256"] = backup.checksum(document)
    return document


# --- The file ------------------------------------------------------------------


def test_export_writes_format_version_counts_and_checksum(exported):
    """JSON Lines: a header, a row a line, and a trailer with the counts and the SHA-256
    of every byte before it."""
    path, before = exported
    header, rows, trailer = read_backup(path)
    body = path.read_bytes().rsplit(b"\n", 2)[0] + b"\n"

    assert header["format"] == backup.FORMAT
    assert header["version"] == backup.VERSION == 4
    assert trailer["sha256"] == hashlib.sha256(body).hexdigest()
    counts = trailer["counts"]
    assert counts["reports.report"] == 1
    assert counts["reports.historicalreport"] == 2
    assert counts["reports.historicalgroupalias"] == 2  # created, deleted
    assert counts["auth.user"] == 2
    assert counts["auth.group"] == 3
    for label, of in payload_of(rows).items():
        assert counts[label] == len(of)
    assert sum(counts.values()) == len(rows)
    for label in before:
        if label.startswith("reports."):
            assert counts[label] > 0, f"{label} has no rows to test with"
    # Model after model, in the order they are restored.
    order = ["auth.group"] + [label for label, _m, _n in backup.archive_models()]
    labels = list(dict.fromkeys(row["model"] for row in rows))
    assert labels == [label for label in order if counts[label]]


def test_export_reports_rows_written(db, tmp_path):
    out = StringIO()
    call_command("export_archive", str(tmp_path / "a.json"), stdout=out)

    assert "Wrote" in out.getvalue()


def test_export_to_an_unwritable_place_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="cannot be written"):
        call_command("export_archive", str(tmp_path / "no" / "such" / "dir.json"))


def test_an_export_failing_half_way_keeps_the_backup_it_would_replace(exported, monkeypatch):
    path, _ = exported
    good = path.read_bytes()

    rows = backup._rows

    def failing(model, natural, using):
        yield from itertools.islice(rows(model, natural, using), 1)
        raise OSError(28, "No space left on device")  # a disk filling up half-way

    monkeypatch.setattr(backup, "_rows", failing)
    with pytest.raises(CommandError, match="cannot be written"):
        call_command("export_archive", str(path), verbosity=0)
    assert path.read_bytes() == good
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_an_export_replaces_the_backup_only_once_whole(exported):
    path, _ = exported
    path.write_text("last night's backup\n")
    call_command("export_archive", str(path), verbosity=0)
    assert "reports.report" in backup.check_file(path)["counts"]  # the (emptied) archive
    assert [p.name for p in path.parent.iterdir()] == [path.name]


# --- Round trips -----------------------------------------------------------------


def test_round_trip_restores_every_field_of_every_row(exported):
    path, before = exported

    restore(path)

    assert snapshot() == before


def test_a_restored_archive_is_searched_by_every_word_of_its_incidents(exported):
    """The restore pauses the incidents' search rows and writes them once at its end:
    an incident is found by its title, its summary and the quotes of its citations."""
    path, _before = exported

    restore(path)

    incident = Incident.objects.get(slug="synthetic-test-incident")
    quote = Citation.objects.filter(incident=incident).earliest("pk").quote
    quoted = max(re.findall(r"[A-Za-z]{4,}", quote), key=len)
    for words in (incident.title, quoted):
        assert incident in search_archive(words).incidents, words
    assert search_archive("MRTA").groups


def test_restored_ids_continue_after_the_restored_ones(exported):
    path, _before = exported
    restore(path)
    highest = Organisation.objects.order_by("-pk").first().pk

    created = Organisation.objects.create(name="A new publisher")

    assert created.pk > highest


def test_restore_writes_no_history_of_its_own(exported):
    path, before = exported

    restore(path)

    assert Report.history.count() == len(before["reports.historicalreport"])


def _postgres_or_skip():
    psycopg = pytest.importorskip("psycopg")
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.Error as error:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL} ({error}); CI starts it")
    return psycopg


def _manage(database_url, *args):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1"}
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def restored_in_fresh_postgresql(path, tmp_path, then=()):
    """Restore the backup at `path` into a scratch PostgreSQL database, in other processes
    as an operator would; return its snapshot() and the results of manage.py `then`
    (argument lists) run on it afterwards. The database is dropped at the end."""
    psycopg = _postgres_or_skip()
    name = f"archive_restore_{uuid.uuid4().hex[:12]}"
    scratch_url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        migrated = _manage(scratch_url, "migrate", "--noinput", "-v0")
        assert migrated.returncode == 0, migrated.stderr
        restored = _manage(scratch_url, "import_archive", str(path))
        assert restored.returncode == 0, restored.stderr
        assert "Restored" in restored.stdout
        after_path = tmp_path / "after.json"
        dumped = _manage(
            scratch_url,
            "shell",
            "-c",
            "import json; from tests.test_backup import snapshot; "
            f"open({str(after_path)!r}, 'w').write(json.dumps(snapshot()))",
        )
        assert dumped.returncode == 0, dumped.stderr
        return json.loads(after_path.read_text()), [_manage(scratch_url, *args) for args in then]
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_round_trip_from_this_database_into_a_fresh_postgresql(exported, tmp_path):
    """Export here (SQLite in CI's first pass), import into a scratch PostgreSQL
    database in another process, and compare every field of every row."""
    path, before = exported
    after, (again,) = restored_in_fresh_postgresql(
        path, tmp_path, then=[("import_archive", str(path))]
    )

    assert after == before
    assert again.returncode != 0
    assert "not empty" in again.stderr


# --- Refusals: nothing written ---------------------------------------------------


def assert_refused(path, message):
    with pytest.raises(CommandError, match=message):
        restore(path)
    assert archive_rows() == 0
    assert not User.objects.exists()
    assert not Role.objects.filter(name="Reviewers").exists()


def test_truncated_file_is_refused_with_nothing_written(exported):
    path, _before = exported
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])

    assert_refused(path, "truncated or damaged")


def test_truncated_at_the_end_of_a_row_is_refused_with_nothing_written(exported):
    path, _before = exported
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: len(lines) // 2]))

    assert_refused(path, "ends before its trailer; it is truncated or damaged")


def test_a_file_cut_before_its_last_newline_is_refused(exported):
    path, _before = exported
    path.write_bytes(path.read_bytes()[:-1])

    assert_refused(path, "ends before its trailer")


def test_tampered_file_is_refused_with_nothing_written(exported):
    path, _before = exported
    text = path.read_text()
    assert text.count("Patterns of Global Terrorism 1997") >= 1
    path.write_text(text.replace("Terrorism 1997", "Terrorism 1998", 1))

    assert_refused(path, "checksum mismatch")


def test_a_revision_names_its_kind_of_entry_by_natural_key(exported):
    """Content types are numbered per database: a revision names the model instead."""
    path, _before = exported
    _header, rows, _trailer = read_backup(path)

    [revision] = payload_of(rows)["reports.revision"]
    assert revision["fields"]["content_type"] == ["reports", "incident"]
    assert revision["fields"]["proposed_by"] == ["editor"]


def test_round_trip_keeps_claims_relations_designations_and_revisions(exported):
    path, before = exported

    restore(path)

    claim = FigureClaim.objects.get(figure=Figure.HOSTAGES, incident__is_synthetic=True)
    assert (claim.low, claim.high, claim.wording, claim.best) == (81, 81, "81 hostages", True)
    assert claim.citation.quote == "the terrorists still held 81 hostages"
    assert claim.history.count() == 2
    assert FigureClaim.objects.get(figure=Figure.KILLED, incident=claim.incident).from_dataset
    relation = GroupRelation.objects.get(group__slug="synthetic-splinter")
    assert (relation.kind, relation.other.slug) == (RelationKind.SPLINTER_OF, "mrta")
    designation = Designation.objects.get(group__slug="synthetic-splinter")
    assert str(designation.designated_to) == "1998-06-30"
    revision = Revision.objects.get()
    assert revision.content_type.model_class() is Incident
    assert revision.object_id == claim.incident_id
    assert revision.reason == "The source does not say so."
    assert all(c.quote_key == quote_key(c.quote) for c in Citation.objects.all())
    assert len(before["reports.historicaldesignation"]) == 1


# --- Version 1 files ---------------------------------------------------------------

V1_FILE = ROOT / "tests" / "data" / "archive_v1.json"
# What version 2 added: the rows version 1 did not have, and the citations' quote keys.
V2_MODELS = {
    f"reports.{name}"
    for name in (
        "figureclaim",
        "grouprelation",
        "designation",
        "revision",
        "historicalfigureclaim",
        "historicalgrouprelation",
        "historicaldesignation",
    )
}
V3_MODELS = {"reports.errorreport", "reports.sourcefile"}


def as_version_1(document):
    """A version 2 document as the version 1 exporter would have written it."""
    document = {**document, "version": 1}
    payload = {k: v for k, v in document["payload"].items() if k not in V2_MODELS | V3_MODELS}
    for label in ("reports.citation", "reports.historicalcitation"):
        for row in payload[label]:
            del row["fields"]["quote_key"]
    document["payload"] = payload
    document["counts"] = {label: len(rows) for label, rows in payload.items()}
    document["sha256"] = backup.checksum(document)
    return document


def test_a_version_1_file_written_before_claims_existed_restores(db):
    """tests/data/archive_v1.json was exported by the version 1 code (the sample
    fixture, an editor, an edit, and citation 12 repeating citation 5's passage,
    whitespace aside, which version 1 allowed)."""
    document = json.loads(V1_FILE.read_text())
    assert document["version"] == 1
    assert "reports.figureclaim" not in document["payload"]
    assert all("quote_key" not in row["fields"] for row in document["payload"]["reports.citation"])

    out = StringIO()
    call_command("import_archive", str(V1_FILE), verbosity=2, stdout=out)

    # The repeat is folded into the first citation of that passage, its fact kept.
    assert Citation.objects.count() == document["counts"]["reports.citation"] - 1
    assert "reports.citation: 11" in out.getvalue()
    assert not Citation.objects.filter(pk=12).exists()
    assert Citation.objects.get(pk=5).facts == ["outcome", "place", "type"]
    incident = Incident.objects.get(slug="japanese-ambassadors-residence-hostage-crisis-lima")
    # The quote keys are made as the rows are saved, raw as they are.
    assert all(c.quote_key == quote_key(c.quote) for c in Citation.objects.all())
    assert not FigureClaim.objects.exists() and not Revision.objects.exists()
    assert User.objects.get(username="editor").check_password("correct horse battery")
    assert incident.summary.endswith("(revised)")


def test_a_version_3_file_restores_every_field_of_every_row(exported):
    """The one-document format of versions 1-3, read whole, still restores."""
    path, before = exported
    path.write_text(json.dumps(as_legacy(path), indent=1))

    restore(path)

    assert snapshot() == before


def test_rows_are_read_and_written_a_chunk_at_a_time(exported, monkeypatch):
    """Chunks smaller than most tables: rows across chunk boundaries all travel."""
    path, before = exported
    restore(path)
    monkeypatch.setattr(backup, "CHUNK_SIZE", 2)
    again = path.with_name("again.json")
    try:
        with transaction.atomic():
            call_command("export_archive", str(again), verbosity=0)
            raise _Rollback
    except _Rollback:
        pass

    assert read_backup(again)[1] == read_backup(path)[1]


def test_round_trip_keeps_the_reports_language_and_original(exported):
    path, _before = exported
    restore(path)
    report = Report.objects.get()
    assert report.language == "en"
    assert report.source_url == "https://www.refworld.org/docid/3ae6aa6f1c.html"
    assert report.document_identifier == "3ae6aa6f1c"
    assert report.published_on.isoformat() == "1998-04-30"
    assert report.history.filter(document_identifier="3ae6aa6f1c").exists()


def test_a_backup_from_before_reports_had_a_language_restores_them_as_english(exported):
    """A file written before migration 0013: its report rows have no language, source
    URL or identifier; the restored reports take the defaults."""
    path, _before = exported
    document = as_legacy(path, version=2)
    for label in ("reports.report", "reports.historicalreport"):
        for row in document["payload"][label]:
            for name in ("language", "source_url", "document_identifier"):
                del row["fields"][name]
    document["sha256"] = backup.checksum(document)
    path.write_text(json.dumps(document))
    restore(path)
    report = Report.objects.get()
    assert (report.language, report.source_url, report.document_identifier) == ("en", "", "")
    assert report.history.exists()
    assert {row.language for row in report.history.all()} == {"en"}


def test_a_backup_with_the_english_copies_of_migration_0015_restores(exported):
    """A file written between migrations 0015 and 0016: entry rows with title_en and
    the like, and null where nobody wrote the Spanish text."""
    path, before = exported
    document = as_legacy(path, version=2)
    for model, names in TRANSLATED.items():
        for label in (f"reports.{model}", f"reports.historical{model}"):
            for row in document["payload"][label]:
                for name in names:
                    row["fields"][f"{name}_en"] = row["fields"][name]
                    row["fields"][f"{name}_es"] = None
    document["sha256"] = backup.checksum(document)
    path.write_text(json.dumps(document))

    restore(path)

    after = snapshot()
    assert after["reports.incident"] == before["reports.incident"]
    assert after["reports.group"] == before["reports.group"]
    assert {row["title_es"] for row in after["reports.historicalincident"]} == {""}


def test_a_version_1_file_restores_its_reports_as_english(db):
    call_command("import_archive", str(V1_FILE), verbosity=0)
    report = Report.objects.get()
    assert (report.language, report.source_url, report.document_identifier) == ("en", "", "")


def test_a_version_1_document_of_this_archive_restores_what_it_has(exported):
    path, before = exported
    document = as_version_1(as_legacy(path))
    path.write_text(json.dumps(document))

    restore(path)

    after = snapshot()
    for label in V2_MODELS | V3_MODELS:
        assert after[label] == []
    # The citations come back whole, their quote keys made again.
    assert after["reports.citation"] == before["reports.citation"]
    assert after["reports.incident"] == before["reports.incident"]
    # History rows keep what version 1 knew; the key was not recorded then.
    assert {row["quote_key"] for row in after["reports.historicalcitation"]} == {""}


def test_other_format_version_is_refused(exported):
    path, _before = exported
    header, rows, _trailer = read_backup(path)
    write_backup(path, {**header, "version": 99}, rows)

    assert_refused(path, r"version 99; this archive reads versions 1, 2, 3 and 4")


def test_a_version_3_file_of_another_version_is_refused(exported):
    path, _before = exported
    document = as_legacy(path)
    document["version"] = 99
    document["sha256"] = backup.checksum(document)
    path.write_text(json.dumps(document))

    assert_refused(path, "version 99")


def test_rows_of_a_model_this_archive_does_not_have_are_refused(exported):
    path, _before = exported
    header, rows, _trailer = read_backup(path)
    write_backup(path, header, [*rows, {"model": "reports.gone", "pk": 1, "fields": {}}])

    assert_refused(path, "rows for models this archive does not have: reports.gone")


def test_a_file_that_is_not_a_backup_is_refused(db, tmp_path):
    path = tmp_path / "fixture.json"
    path.write_text('[{"model": "reports.country", "pk": "PE", "fields": {"name": "Peru"}}]')

    assert_refused(path, "not an archive backup")


def test_binary_file_is_refused(db, tmp_path):
    path = tmp_path / "backup.json"
    path.write_bytes(b"\xff\xfe\x00garbage")

    assert_refused(path, "not UTF-8")


def test_counts_that_do_not_match_the_payload_are_refused(exported):
    path, _before = exported
    header, rows, trailer = read_backup(path)
    rows.remove(next(row for row in rows if row["model"] == "reports.paragraph"))
    write_backup(path, header, rows, counts=trailer["counts"])

    assert_refused(path, "row counts do not match the rows")


def test_counts_that_do_not_match_by_model_are_refused(exported):
    """As many rows as the counts say, but not of the models they say."""
    path, _before = exported
    header, rows, trailer = read_backup(path)
    counts = trailer["counts"]
    counts["reports.country"] += 1
    counts["reports.paragraph"] -= 1
    write_backup(path, header, rows, counts=counts)

    assert_refused(path, "row counts do not match the rows for reports.country, reports.paragraph")


def test_restore_failing_half_way_writes_nothing(exported):
    """A well-formed, correctly sealed file whose rows do not fit together: the
    paragraphs are restored before the failure shows, and are rolled back."""
    path, _before = exported
    header, rows, _trailer = read_backup(path)
    for row in rows:
        if row["model"] == "reports.paragraph":
            row["fields"]["report"] = 999_999
    write_backup(path, header, rows)

    assert_refused(path, "cannot be restored, nothing was written")


def test_missing_file_is_a_clear_error(db, tmp_path):
    assert_refused(tmp_path / "nowhere.json", "cannot be read")


def test_restore_into_a_database_with_content_is_refused(exported):
    path, _before = exported
    make_user("someone")

    with pytest.raises(CommandError, match=r"not empty \(rows in auth.user\)"):
        restore(path)
    assert User.objects.count() == 1
    assert not Report.objects.exists()


def test_backup_keeps_password_hashes_but_not_the_secret_key(exported):
    """Password hashes travel (a restore must let editors log in); the secret key does not."""
    path, _before = exported
    text = path.read_text()

    assert settings.SECRET_KEY not in text
    assert "pbkdf2_sha256$" in text
