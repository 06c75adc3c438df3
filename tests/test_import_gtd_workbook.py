"""import_incidents reading the GTD's Excel workbook (.xlsx) as START distributes it."""

import datetime
import io
import re
import zipfile

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from bench.generate import write_gtd_csv, write_gtd_xlsx
from reports.ingest import workbook as workbook_module
from reports.ingest.datasets import import_incidents
from reports.models import FigureClaim, Group, Incident, IncidentType, Perpetration, Status
from tests.test_import_incidents import BOMB, HEADER, SIEGE, UNDATED, run, write

NAMES = HEADER.split(",")


def typed(name, text):
    """A CSV cell as the GTD's workbook holds it: numbers as numbers, resolution a date."""
    if text == "":
        return None
    if name == "resolution":
        return datetime.datetime.strptime(text, "%m/%d/%Y")
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def book(*rows, header=NAMES):
    """A workbook whose first sheet has the header and the rows (CSV text) as typed cells."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([typed(name, text) for name, text in zip(header, row.split(","), strict=True)])
    return workbook


def save(tmp_path, workbook, name="gtd.xlsx"):
    path = tmp_path / name
    workbook.save(path)
    return path


def xlsx(tmp_path, *rows, header=NAMES, name="gtd.xlsx"):
    return save(tmp_path, book(*rows, header=header), name)


def with_shared_strings(path):
    """Rewrite a workbook's inline strings as shared strings, as Excel writes them."""
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    strings = {}  # each text once, in the order of its first use

    def share(match):
        return f'<c r="{match[1]}" t="s"><v>{strings.setdefault(match[2], len(strings))}</v></c>'

    sheet = members["xl/worksheets/sheet1.xml"].decode()
    sheet = re.sub(r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is>(.*?)</is></c>', share, sheet)
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    items = "".join(f"<si>{item}</si>" for item in strings)
    members["xl/sharedStrings.xml"] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return path


def column(name):
    return NAMES.index(name) + 1


# --- Good rows ------------------------------------------------------------------


def test_workbook_rows_are_imported_as_the_csv_gives_them(tmp_path, db):
    out, _ = run(xlsx(tmp_path, BOMB, SIEGE, UNDATED))
    assert "3 created, 0 updated, 0 unchanged, 0 skipped" in out
    bomb = Incident.objects.get(external_id="199705120001")
    assert bomb.title == "Bombing in Lima, Peru (1997-05-12)"
    assert bomb.type == IncidentType.BOMBING
    assert bomb.start_date == datetime.date(1997, 5, 12)
    assert (bomb.killed, bomb.injured, bomb.hostages) == (12, None, None)  # 12.0, -99, blank
    assert str(bomb.latitude) == "-12.046000"
    assert str(bomb.longitude) == "-77.043000"
    assert bomb.status == Status.DRAFT
    assert bomb.source_row["weaptype1_txt"] == "Explosives"
    assert bomb.source_row["latitude"] == "-12.046"
    assert bomb.source_row["nkill"] == "12"  # a whole number, as the cell holds it
    assert "scite2" not in bomb.source_row
    assert bomb.perpetrators.get().name == "Shining Path"
    siege = Incident.objects.get(external_id="199612170001")
    assert siege.end_date == datetime.date(1997, 4, 22)  # a date cell
    assert siege.source_row["resolution"] == "1997-04-22"
    assert (siege.killed, siege.hostages) == (None, 72)
    assert Perpetration.objects.get(incident=siege).uncertain
    assert Group.objects.get(acronym="MRTA").status == Status.DRAFT
    claims = FigureClaim.objects.filter(from_dataset=True)
    assert sorted(claims.values_list("incident__external_id", "figure", "low")) == [
        ("199612170001", "hostages", 72),
        ("199705120001", "killed", 12),
    ]
    undated = Incident.objects.get(external_id="199700000001")
    assert undated.title == "Incident in Peru (1997)"
    assert not undated.perpetrators.exists()


@pytest.mark.parametrize("spilled", [False, True], ids=["in memory", "in a file"])
def test_shared_strings_rich_text_and_booleans_read_as_text(tmp_path, db, monkeypatch, spilled):
    if spilled:  # as the GTD's are, past SHARED_STRINGS_IN_MEMORY
        monkeypatch.setattr(workbook_module, "SHARED_STRINGS_IN_MEMORY", 0)
    second = BOMB.replace("199705120001", "199705120002").replace("Lima,Lima", "Cusco,Cusco")
    workbook = book(BOMB, SIEGE, second)
    workbook.active.cell(2, column("extended"), False)
    path = with_shared_strings(save(tmp_path, workbook))
    # A rich-text string is runs of text; its phonetic reading is not part of it.
    text = zipfile.ZipFile(path).read("xl/sharedStrings.xml").decode()
    text = text.replace(
        "<si><t>A car bomb exploded.</t></si>",
        "<si><r><t>A car </t></r><r><rPr><b/></rPr><t>bomb exploded.</t></r>"
        "<rPh sb='0' eb='1'><t>phonetic</t></rPh></si>",
    )
    rewrite(path, "xl/sharedStrings.xml", text.encode())
    out, _ = run(path)
    assert "3 created" in out
    bomb = Incident.objects.get(external_id="199705120001")
    assert bomb.summary == "A car bomb exploded."
    assert bomb.perpetrators.get().name == "Shining Path"
    assert bomb.source_row["extended"] == "0"
    # The strings used again, after others, read back as they were.
    second = Incident.objects.get(external_id="199705120002")
    assert second.title == "Bombing in Cusco, Peru (1997-05-12)"
    assert (second.summary, second.region) == ("A car bomb exploded.", "Cusco")
    assert second.perpetrators.get().name == "Shining Path"
    siege = Incident.objects.get(external_id="199612170001")
    assert siege.title == "Hostage taking in Lima, Peru (1996-12-17)"
    assert siege.summary == "The residence."


def test_same_rows_from_csv_then_from_the_workbook_are_unchanged(tmp_path, db):
    # The CSV as the workbook's cells read: whole numbers without ".0", ISO dates.
    rows = [BOMB.replace(",12.0,", ",12,"), SIEGE.replace("04/22/1997", "1997-04-22"), UNDATED]
    run(write(tmp_path, *rows))
    before = {i.pk: (i.updated_at, i.source_row) for i in Incident.objects.all()}
    out, _ = run(xlsx(tmp_path, BOMB, SIEGE, UNDATED))
    assert "0 created, 0 updated, 3 unchanged, 0 skipped" in out
    assert {i.pk: (i.updated_at, i.source_row) for i in Incident.objects.all()} == before


def test_second_run_of_the_same_workbook_changes_nothing(tmp_path, db):
    path = xlsx(tmp_path, BOMB, SIEGE, UNDATED)
    run(path)
    before = {i.pk: i.updated_at for i in Incident.objects.all()}
    out, _ = run(path)
    assert "0 created, 0 updated, 3 unchanged" in out
    assert {i.pk: i.updated_at for i in Incident.objects.all()} == before


def test_changed_row_updates_its_incident(tmp_path, db):
    run(xlsx(tmp_path, BOMB, SIEGE))
    changed = BOMB.replace("12.0,-99", "14,3").replace("A car bomb exploded.", "A truck bomb.")
    out, _ = run(xlsx(tmp_path, changed, SIEGE))
    assert "0 created, 1 updated, 1 unchanged" in out
    bomb = Incident.objects.get(external_id="199705120001")
    assert (bomb.killed, bomb.injured, bomb.summary) == (14, 3, "A truck bomb.")
    assert bomb.history.first().history_change_reason.startswith("import_incidents")


def test_publish_dry_run_and_an_encoding_given_for_a_csv(tmp_path, db):
    path = xlsx(tmp_path, BOMB, SIEGE)
    out, _ = run(path, "--dry-run", "--encoding", "cp1252")  # a workbook has no encoding to choose
    assert "would be 2 created" in out
    assert not Incident.objects.exists()
    assert not Group.objects.exists()
    run(path, "--publish")
    assert set(Incident.objects.values_list("status", flat=True)) == {Status.PUBLISHED}


def test_blank_rows_and_a_header_below_blank_rows_keep_the_sheet_row_numbers(tmp_path, db):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append(NAMES)
    sheet.append([typed(name, text) for name, text in zip(NAMES, BOMB.split(","), strict=True)])
    sheet.append([])
    bad = SIEGE.replace("1996,12,17", "1996,12,32")
    sheet.append([typed(name, text) for name, text in zip(NAMES, bad.split(","), strict=True)])
    out, err = run(save(tmp_path, workbook))
    assert "1 created" in out and "1 skipped" in out
    assert "skipped row 5 (eventid 199612170001): iday 32 is not a day" in err


def test_progress_reaches_the_file_size(tmp_path, db):
    path = xlsx(tmp_path, *[BOMB.replace("199705120001", f"1998010100{n:02}") for n in range(9)])
    calls = []
    with open(path, "rb") as binary:
        import_incidents(binary, batch_size=2, progress=lambda *call: calls.append(call))
    assert [rows for rows, _ in calls] == [2, 4, 6, 8, 9]
    assert [size for _, size in calls] == sorted(size for _, size in calls)
    assert calls[-1] == (9, path.stat().st_size)


# --- Bad rows and refused files ----------------------------------------------------


def rewrite(path, member, data):
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members[member] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members.items():
            target.writestr(name, content)


def with_formula(tmp_path):
    workbook = book(SIEGE, BOMB)
    workbook.active.cell(3, column("nkill"), "=6*2")
    return save(tmp_path, workbook)


def with_merged_cells(tmp_path):
    workbook = book(SIEGE, BOMB)
    workbook.active.merge_cells(start_row=3, end_row=3, start_column=14, end_column=15)
    return save(tmp_path, workbook)


def with_error(tmp_path):
    workbook = book(SIEGE, BOMB)
    workbook.active.cell(3, column("nwound"), "#N/A")
    return save(tmp_path, workbook)


def with_text_for_a_date(tmp_path):
    workbook = book(BOMB, SIEGE)
    workbook.active.cell(3, column("resolution"), "soon")
    return save(tmp_path, workbook)


def with_impossible_date(tmp_path):
    return xlsx(tmp_path, SIEGE, BOMB.replace("1997,5,12", "1997,2,30"))


BAD_ROWS = {
    "column nkill holds a formula, not a value": (with_formula, 3, "199705120001"),
    "merged cells N3:O3": (with_merged_cells, 3, "199705120001"),
    "column nwound holds the error #N/A": (with_error, 3, "199705120001"),
    "resolution 'soon' is not a date": (with_text_for_a_date, 3, "199612170001"),
    "1997-02-30 is not a date": (with_impossible_date, 3, "199705120001"),
}


@pytest.mark.parametrize("reason", BAD_ROWS)
def test_bad_row_is_skipped_and_reported_with_its_row_number(tmp_path, db, reason):
    make, row, eventid = BAD_ROWS[reason]
    out, err = run(make(tmp_path))
    assert "1 created" in out and "1 skipped" in out
    assert f"skipped row {row} (eventid {eventid}): {reason}" in err
    assert Incident.objects.count() == 1
    assert not Incident.objects.filter(external_id=eventid).exists()


@pytest.mark.parametrize("reason", BAD_ROWS)
def test_strict_refuses_a_workbook_with_a_bad_row_and_writes_nothing(tmp_path, db, reason):
    make, row, eventid = BAD_ROWS[reason]
    path = make(tmp_path)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 bad row.*--strict refuses the whole file"):
        call_command(
            "import_incidents",
            str(path),
            "--strict",
            "--batch-size",
            "1",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert f"row {row} (eventid {eventid}): {reason}" in err.getvalue()
    assert not Incident.objects.exists()
    assert not Group.objects.exists()


def test_duplicate_eventid_names_the_first_row(tmp_path, db):
    _, err = run(xlsx(tmp_path, BOMB, SIEGE, BOMB))
    assert "row 4 (eventid 199705120001): eventid 199705120001 already on row 2" in err


def test_missing_required_column_refuses_the_workbook(tmp_path, db):
    header = [name.replace("attacktype1_txt", "attacktype") for name in NAMES]
    with pytest.raises(
        CommandError, match="lacks the column.*attacktype1_txt.*nothing was imported"
    ):
        run(xlsx(tmp_path, BOMB, header=header))
    assert not Incident.objects.exists()


def test_empty_workbook_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="the file is empty"):
        run(save(tmp_path, Workbook()))


def test_merged_cells_in_the_header_refuse_the_workbook(tmp_path, db):
    workbook = book(BOMB)
    workbook.active.merge_cells("A1:B1")
    with pytest.raises(CommandError, match="row 1: the header has merged cells A1:B1"):
        run(save(tmp_path, workbook))


def test_zip_that_is_not_a_workbook_is_refused(tmp_path, db):
    path = tmp_path / "incidents.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("incidents.csv", f"{HEADER}\n{BOMB}\n")
    with pytest.raises(CommandError, match="a zip archive but not an Excel workbook"):
        run(path)


def test_truncated_workbook_is_refused(tmp_path, db):
    path = xlsx(tmp_path, BOMB, SIEGE)
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(CommandError, match=r"the workbook cannot be read .*nothing was imported"):
        run(path)
    assert not Incident.objects.exists()


def test_damaged_sheet_is_refused_and_nothing_written(tmp_path, db):
    rows = [BOMB.replace("199705120001", f"19980101{n:04}") for n in range(400)]
    path = xlsx(tmp_path, *rows)
    with zipfile.ZipFile(path) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    middle = sheet.header_offset + 30 + len(sheet.filename) + sheet.compress_size // 2
    data[middle : middle + 8] = b"\x00" * 8
    path.write_bytes(bytes(data))
    # The whole sheet is read for its merged ranges before any row is imported.
    with pytest.raises(CommandError, match=r"the workbook cannot be read \(.*nothing was imported"):
        run(path, "--batch-size", "10")
    assert not Incident.objects.exists()


def test_malformed_sheet_xml_is_refused(tmp_path, db):
    path = xlsx(tmp_path, BOMB, SIEGE)
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    rewrite(path, "xl/worksheets/sheet1.xml", sheet.replace(b'<row r="3">', b'<row r="3"><x>'))
    with pytest.raises(CommandError, match="row 3: the workbook is damaged or cut short"):
        run(path)
    assert not Incident.objects.exists()


def test_the_bench_s_workbook_imports_as_its_csv_does(tmp_path, db):
    def incidents():
        return {
            incident.external_id: (
                *(getattr(incident, name) for name in SNAPSHOT_FIELDS),
                sorted(incident.perpetrators.values_list("name", flat=True)),
                sorted(incident.claims.values_list("figure", "low", "high")),
            )
            for incident in Incident.objects.all()
        }

    csv_path = tmp_path / "gtd.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as stream:
        write_gtd_csv(stream, rows=300, groups=20, seed=4)
    run(csv_path)
    from_csv = incidents()
    Incident.objects.all().delete()
    write_gtd_xlsx(tmp_path / "gtd.xlsx", rows=300, groups=20, seed=4)
    out, _ = run(tmp_path / "gtd.xlsx")
    assert "300 created, 0 updated, 0 unchanged, 0 skipped" in out
    assert incidents() == from_csv


SNAPSHOT_FIELDS = (
    "title",
    "start_date",
    "start_precision",
    "end_date",
    "country_id",
    "region",
    "city",
    "latitude",
    "longitude",
    "type",
    "target_type",
    "killed",
    "injured",
    "hostages",
    "summary",
)
