"""The import_documents command: created / unchanged / updated, dry runs, all or nothing."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line

from reports.models import Citation, Country, Organisation, Paragraph, Report, Status
from tests.conftest import SEED_PATH
from tests.factories import make_citation, make_incident

HOSTAGE_QUOTE = "successfully rescued all but one of the 72 remaining hostages"


def run(*args, **options):
    """Run the command; return its standard output."""
    out = StringIO()
    call_command("import_documents", *[str(arg) for arg in args], stdout=out, **options)
    return out.getvalue()


def seed_text():
    return SEED_PATH.read_text(encoding="utf-8")


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def snapshot():
    """Everything an import writes, to compare before and after."""
    return (
        list(Report.objects.values_list("pk", "sha256", "updated_at", "imported_at", "status")),
        list(Paragraph.objects.values_list("pk", "report_id", "number", "text")),
        Report.history.count(),
        list(Citation.objects.values_list("pk", "paragraph_id")),
    )


# --- Created, unchanged, updated ---------------------------------------------


@pytest.mark.django_db
def test_import_creates_a_draft_report_with_its_provenance():
    output = run(SEED_PATH)

    report = Report.objects.get()
    data = SEED_PATH.read_bytes()
    assert report.title == "Patterns of Global Terrorism 1997 - Peru"
    assert report.slug == "patterns-of-global-terrorism-1997-peru"
    assert (report.series, report.year, report.country_id) == (
        "Patterns of Global Terrorism",
        1997,
        "PE",
    )
    assert report.status == Status.DRAFT
    assert report.publisher.name == "United States Department of State"
    assert report.republisher.name == "UNHCR Refworld"
    assert report.disclaimer.startswith("This is not a UNHCR publication.")
    assert report.source_filename == SEED_PATH.name
    assert report.sha256 == hashlib.sha256(data).hexdigest()
    assert report.size_bytes == len(data)
    assert report.import_method == "import_documents command"
    assert report.imported_by is None
    assert list(report.paragraphs.values_list("number", flat=True)) == [1, 2, 3]
    assert f"created   {SEED_PATH}: {report.title}" in output
    assert "Imported: 1 created." in output


@pytest.mark.django_db
def test_reimport_of_same_bytes_changes_nothing(django_assert_max_num_queries):
    run(SEED_PATH)
    before = snapshot()

    # Parse, find the report by checksum, find its original kept: no writes.
    with django_assert_max_num_queries(4):
        output = run(SEED_PATH)

    assert snapshot() == before
    assert f"unchanged {SEED_PATH}" in output
    assert "1 unchanged" in output


@pytest.mark.django_db
def test_organisations_and_country_exist_once_after_several_imports(tmp_path):
    write(tmp_path / "a.txt", seed_text())
    write(tmp_path / "b.txt", seed_text().replace("1997 - Peru", "1998 - Peru"))
    run(tmp_path)
    assert Report.objects.count() == 2
    assert Organisation.objects.count() == 2
    assert Country.objects.count() == 1


@pytest.mark.django_db
def test_new_bytes_under_the_same_title_update_the_report_and_keep_anchors(tmp_path):
    run(SEED_PATH)
    report = Report.objects.get()
    paragraph_ids = list(report.paragraphs.values_list("pk", flat=True))

    changed = seed_text().replace("in exchange for food", "in exchange for medicine, food")
    changed = changed.replace("This is not a UNHCR", "A fourth paragraph.\n\nThis is not a UNHCR")
    output = run(write(tmp_path / "corrected.txt", changed))

    report.refresh_from_db()
    assert Report.objects.count() == 1
    assert report.sha256 == hashlib.sha256(changed.encode()).hexdigest()
    assert report.source_filename == "corrected.txt"
    assert list(report.paragraphs.values_list("pk", flat=True))[:3] == paragraph_ids
    assert report.paragraphs.get(number=3).text.count("in exchange for medicine, food") == 1
    assert report.paragraphs.get(number=4).text == "A fourth paragraph."
    assert "updated" in output
    assert "1 updated" in output


@pytest.mark.django_db
def test_update_refused_when_it_would_drop_a_cited_passage(tmp_path, seed_report):
    citation = make_citation(seed_report, HOSTAGE_QUOTE, incident=make_incident())
    before = snapshot()

    dropped = seed_text().replace("successfully rescued all but one", "rescued most")
    with pytest.raises(CommandError) as error:
        run(write(tmp_path / "v2.txt", dropped))

    assert "v2.txt" in str(error.value)
    assert "no longer contains 1 passage(s) cited by the archive" in str(error.value)
    assert HOSTAGE_QUOTE in str(error.value)
    assert snapshot() == before
    citation.refresh_from_db()
    assert citation.paragraph.number == 2


@pytest.mark.django_db
def test_update_refused_when_it_would_drop_a_cited_paragraph(tmp_path, seed_report):
    last = seed_report.paragraphs.get(number=3).text
    make_citation(seed_report, "Sendero kidnapped 30 employees", incident=make_incident())
    before = snapshot()

    shorter = seed_text().replace(last, "")
    with pytest.raises(CommandError, match="no longer contains 1 passage"):
        run(write(tmp_path / "v2.txt", shorter))
    assert snapshot() == before


@pytest.mark.django_db
def test_citation_follows_its_passage_when_paragraphs_move(tmp_path, seed_report):
    citation = make_citation(seed_report, HOSTAGE_QUOTE, incident=make_incident())
    text = seed_text().replace(
        "\n\nThe first four months", "\n\nA new opening.\n\nThe first four months"
    )

    run(write(tmp_path / "v2.txt", text))

    citation.refresh_from_db()
    assert citation.paragraph.number == 3
    assert HOSTAGE_QUOTE in citation.paragraph.text
    assert seed_report.paragraphs.count() == 4


# --- Options -----------------------------------------------------------------


@pytest.mark.django_db
def test_dry_run_writes_nothing_but_says_what_would_happen():
    output = run(SEED_PATH, dry_run=True)

    assert Report.objects.count() == 0
    assert Paragraph.objects.count() == 0
    assert Organisation.objects.count() == 0
    assert Country.objects.count() == 0
    assert f"created   {SEED_PATH}" in output
    assert "Dry run, nothing written. Would be: 1 created." in output


@pytest.mark.django_db
def test_dry_run_of_an_update_leaves_the_report_as_it_was(tmp_path):
    run(SEED_PATH)
    before = snapshot()
    output = run(
        write(tmp_path / "v2.txt", seed_text() + "\n\nOne more paragraph.\n"), dry_run=True
    )
    assert snapshot() == before
    assert "Would be: 1 updated." in output


@pytest.mark.django_db
def test_publish_option_publishes_the_reports():
    run(SEED_PATH, publish=True)
    report = Report.objects.get()
    assert report.status == Status.PUBLISHED
    assert report.status_changed_at is not None
    assert list(Report.objects.published()) == [report]


@pytest.mark.django_db
def test_publish_option_publishes_an_existing_draft_of_the_same_bytes():
    run(SEED_PATH)
    output = run(SEED_PATH, publish=True)
    assert Report.objects.get().status == Status.PUBLISHED
    assert "1 updated" in output


@pytest.mark.django_db
def test_verbosity_zero_prints_nothing():
    assert run(SEED_PATH, verbosity=0) == ""
    assert Report.objects.count() == 1


# --- Files and folders --------------------------------------------------------


@pytest.mark.django_db
def test_folders_are_searched_recursively_for_txt_files(tmp_path):
    write(tmp_path / "peru.txt", seed_text())
    write(
        tmp_path / "more" / "colombia.TXT", "Country Reports on Terrorism 2005 - Colombia\n\nText."
    )
    write(tmp_path / "more" / "notes.md", "not a document")
    write(tmp_path / ".drafts" / "hidden.txt", "not imported")

    output = run(tmp_path)

    assert sorted(Report.objects.values_list("country_id", flat=True)) == ["CO", "PE"]
    assert "Imported: 2 created." in output


@pytest.mark.django_db
def test_a_file_named_twice_is_imported_once(tmp_path):
    path = write(tmp_path / "peru.txt", seed_text())
    output = run(path, tmp_path)
    assert Report.objects.count() == 1
    assert "Imported: 1 created." in output


@pytest.mark.django_db
def test_missing_path_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        run(SEED_PATH, tmp_path / "missing.txt")
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_folder_without_documents_is_a_command_error(tmp_path):
    write(tmp_path / "notes.md", "nothing here")
    with pytest.raises(CommandError, match="holds no documents"):
        run(tmp_path)


# --- All or nothing -----------------------------------------------------------


@pytest.mark.django_db
def test_one_bad_file_refuses_the_whole_run(tmp_path):
    good = write(tmp_path / "a-good.txt", seed_text())
    bad = write(tmp_path / "b-bad.txt", "")

    with pytest.raises(CommandError) as error:
        run(good, bad)

    message = str(error.value)
    assert f"refused {bad}: the file is empty" in message
    assert "1 document(s) refused; nothing was imported." in message
    assert "a-good.txt" not in message
    assert Report.objects.count() == 0
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_every_refused_file_is_named_with_its_reason(tmp_path):
    write(tmp_path / "empty.txt", "")
    (tmp_path / "latin1.txt").write_bytes(
        "Patterns of Global Terrorism 1997 - Perú".encode("latin-1")
    )
    write(tmp_path / "untitled.txt", "Some notes\n\nabout Peru.")
    write(tmp_path / "peru.txt", seed_text())

    with pytest.raises(CommandError) as error:
        run(tmp_path)

    message = str(error.value)
    assert "empty.txt: the file is empty" in message
    assert "latin1.txt: the file is not UTF-8 text" in message
    assert "untitled.txt: the first line “Some notes” is not a title" in message
    assert "3 document(s) refused" in message
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_two_versions_of_one_document_in_a_run_are_refused(tmp_path):
    write(tmp_path / "a.txt", seed_text())
    write(tmp_path / "b.txt", seed_text().replace("In February", "In early February"))

    with pytest.raises(CommandError) as error:
        run(tmp_path)

    assert "b.txt: " in str(error.value)
    assert "a.txt in this run is another version of the same document" in str(error.value)
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_file_over_the_size_limit_is_refused(settings):
    settings.ARCHIVE_MAX_DOCUMENT_BYTES = 1000
    with pytest.raises(CommandError, match="larger than the limit of 1,000 bytes"):
        run(SEED_PATH)
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_refusal_exits_with_a_non_zero_status(tmp_path, capsys):
    bad = write(tmp_path / "bad.txt", "   \n")
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "import_documents", str(bad)])
    assert exit_.value.code != 0
    assert "bad.txt: the file holds only blank lines" in capsys.readouterr().err
