"""The GTD-shaped CSV importer: import_incidents, reports.ingest.gtd and .incidents."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reports.models import DatePrecision, Group, GroupAlias, Incident, IncidentType, Status
from tests.factories import make_group

HEADER = (
    "eventid,iyear,imonth,iday,approxdate,extended,resolution,country_txt,provstate,city,"
    "latitude,longitude,attacktype1_txt,targtype1_txt,gname,guncertain1,nkill,nwound,nhostkid,"
    "summary,scite1,scite2,scite3,dbsource,weaptype1_txt"
)
BOMB = (
    "199705120001,1997,5,12,,0,,Peru,Lima,Lima,-12.046,-77.043,Bombing/Explosion,Police,"
    "Shining Path (SL),0,12.0,-99,,A car bomb exploded.,Source A,,,PGIS,Explosives"
)
SIEGE = (
    "199612170001,1996,12,17,,1,04/22/1997,Peru,Lima,Lima,,,Hostage Taking (Barricade Incident),"
    "Government (Diplomatic),Tupac Amaru Revolutionary Movement (MRTA),1,-9,,72,The residence.,"
    ",,,PGIS,Firearms"
)
UNDATED = "199700000001,1997,0,0,,0,,Peru,Unknown,Unknown,,,Unknown,Unknown,Unknown,,,,,,,,,,"


def write(tmp_path, *rows, name="incidents.csv", encoding="utf-8", header=HEADER):
    path = tmp_path / name
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_incidents", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_rows_with_provenance_title_and_counts(tmp_path, db):
    out, _ = run(write(tmp_path, BOMB, SIEGE))
    assert "2 created, 0 updated, 0 unchanged, 0 skipped" in out
    bomb = Incident.objects.get(external_id="199705120001")
    assert bomb.slug == "gtd-199705120001"
    assert bomb.title == "Bombing in Lima, Peru (1997-05-12)"
    assert bomb.external_source == "GTD"
    assert bomb.type == IncidentType.BOMBING
    assert bomb.start_date == datetime.date(1997, 5, 12)
    assert bomb.start_precision == DatePrecision.DAY
    assert bomb.country_id == "PE"
    assert (bomb.killed, bomb.injured, bomb.hostages) == (12, None, None)
    assert str(bomb.latitude) == "-12.046000"
    assert bomb.status == Status.DRAFT
    # Extra columns are kept in the source row, blank cells are not.
    assert bomb.source_row["weaptype1_txt"] == "Explosives"
    assert bomb.source_row["scite1"] == "Source A"
    assert "scite2" not in bomb.source_row
    siege = Incident.objects.get(external_id="199612170001")
    assert siege.type == IncidentType.HOSTAGE_TAKING
    assert siege.end_date == datetime.date(1997, 4, 22)
    assert (siege.killed, siege.hostages) == (None, 72)


def test_second_run_of_the_same_file_changes_nothing(tmp_path, db):
    path = write(tmp_path, BOMB, SIEGE, UNDATED)
    run(path)
    before = {i.pk: i.updated_at for i in Incident.objects.all()}
    out, _ = run(path)
    assert "0 created, 0 updated, 3 unchanged" in out
    assert {i.pk: i.updated_at for i in Incident.objects.all()} == before
    assert Group.objects.count() == 2


def test_changed_row_updates_its_incident(tmp_path, db):
    run(write(tmp_path, BOMB, SIEGE))
    changed = BOMB.replace("12.0,-99", "14,3").replace("A car bomb exploded.", "A truck bomb.")
    out, _ = run(write(tmp_path, changed, SIEGE))
    assert "0 created, 1 updated, 1 unchanged" in out
    bomb = Incident.objects.get(external_id="199705120001")
    assert (bomb.killed, bomb.injured, bomb.summary) == (14, 3, "A truck bomb.")
    assert bomb.history.first().history_change_reason.startswith("import_incidents")
    assert bomb.perpetrators.get().name == "Shining Path"


def test_publish_option_publishes_incidents_and_new_groups(tmp_path, db):
    run(write(tmp_path, BOMB), "--publish")
    bomb = Incident.objects.get()
    assert bomb.status == Status.PUBLISHED
    assert bomb.status_changed_at is not None
    assert Group.objects.get().status == Status.PUBLISHED


def test_unknown_day_and_month_set_the_date_precision(tmp_path, db):
    month_only = BOMB.replace("1997,5,12", "1997,5,0")
    run(write(tmp_path, month_only, UNDATED))
    bomb = Incident.objects.get(external_id="199705120001")
    assert (bomb.start_date, bomb.start_precision) == (datetime.date(1997, 5, 1), "month")
    assert bomb.title == "Bombing in Lima, Peru (1997-05)"
    undated = Incident.objects.get(external_id="199700000001")
    assert (undated.start_date, undated.start_precision) == (datetime.date(1997, 1, 1), "year")
    assert undated.type == IncidentType.OTHER
    assert undated.title == "Incident in Peru (1997)"
    assert undated.city == ""
    assert not undated.perpetrators.exists()  # gname "Unknown" is no perpetrator


def test_minus_99_minus_9_and_blank_counts_are_unknown_not_zero(tmp_path, db):
    row = BOMB.replace("12.0,-99,", "-9,0,-99")
    run(write(tmp_path, row))
    bomb = Incident.objects.get()
    assert (bomb.killed, bomb.injured, bomb.hostages) == (None, 0, None)


def test_groups_are_created_once_and_matched_on_name_acronym_and_alias(tmp_path, db):
    sl = make_group(name="Sendero Luminoso", slug="sendero-luminoso", acronym="SL")
    GroupAlias.objects.create(group=sl, name="Shining Path")
    second = BOMB.replace("199705120001", "199705120002").replace("Shining Path (SL)", "sl")
    run(write(tmp_path, BOMB, second, SIEGE))
    assert {i.perpetrators.get() for i in Incident.objects.filter(type="bombing")} == {sl}
    mrta = Group.objects.get(acronym="MRTA")
    assert mrta.name == "Tupac Amaru Revolutionary Movement"
    assert mrta.status == Status.DRAFT
    assert Incident.objects.get(external_id="199612170001").perpetration_set.get().uncertain


BAD_ROWS = {
    "imonth 13 is not a month": BOMB.replace("1997,5,12", "1997,13,12"),
    "1997-02-30 is not a date": BOMB.replace("1997,5,12", "1997,2,30"),
    "unknown attacktype1_txt 'Cyber Attack'": BOMB.replace("Bombing/Explosion", "Cyber Attack"),
    "nkill 'many' is not a number": BOMB.replace("12.0,-99", "many,-99"),
    "unknown country_txt 'Atlantis'": BOMB.replace("Peru,Lima", "Atlantis,Lima"),
    "no eventid": BOMB.replace("199705120001", ""),
    "24 columns, the header has 25": BOMB.rsplit(",", 1)[0],
    "26 columns, the header has 25": BOMB + ",surplus",
    "resolution 'soon' is not a date": SIEGE.replace("04/22/1997", "soon"),
    # PostgreSQL stores no NUL: the row is refused on either engine, so a backup of a
    # SQLite archive restores into PostgreSQL.
    "column summary holds a NUL character": BOMB.replace("A car bomb", "A car\x00bomb"),
}


@pytest.mark.parametrize("reason", BAD_ROWS)
def test_bad_row_is_skipped_and_reported_with_its_line_number(tmp_path, db, reason):
    out, err = run(write(tmp_path, SIEGE, BAD_ROWS[reason]))
    assert "1 created" in out and "1 skipped" in out
    assert "line 3" in err and reason in err
    assert Incident.objects.get().external_id == "199612170001"


def test_duplicate_eventid_in_a_file_is_a_bad_row(tmp_path, db):
    _, err = run(write(tmp_path, BOMB, SIEGE, BOMB))
    assert "line 4 (eventid 199705120001): eventid 199705120001 already on line 2" in err
    assert Incident.objects.count() == 2


def test_strict_refuses_the_whole_file_on_any_bad_row(tmp_path, db):
    rows = [BOMB, SIEGE] + [BOMB.replace("199705120001", f"1998010100{n:02}") for n in range(1, 6)]
    rows.append(BAD_ROWS["imonth 13 is not a month"].replace("199705120001", "1999"))
    path = write(tmp_path, *rows)
    with pytest.raises(CommandError, match="nothing was imported"):
        run(path, "--strict", "--batch-size", "2")  # batches were written before the bad row
    assert not Incident.objects.exists()
    assert not Group.objects.exists()


def test_strict_lists_every_bad_row(tmp_path, db):
    err = StringIO()
    path = write(tmp_path, BAD_ROWS["no eventid"], BOMB, BAD_ROWS["imonth 13 is not a month"])
    with pytest.raises(CommandError):
        call_command("import_incidents", str(path), "--strict", stdout=StringIO(), stderr=err)
    assert "line 2: no eventid" in err.getvalue()
    assert "line 4 (eventid 199705120001): imonth 13" in err.getvalue()


def test_dry_run_writes_nothing(tmp_path, db):
    out, _ = run(write(tmp_path, BOMB, SIEGE), "--dry-run")
    assert "would be 2 created" in out
    assert not Incident.objects.exists()


def test_missing_required_column_refuses_the_file(tmp_path, db):
    header = HEADER.replace("attacktype1_txt", "attacktype")
    with pytest.raises(CommandError, match="lacks the column.*attacktype1_txt"):
        run(write(tmp_path, BOMB, header=header))


def test_quoted_multiline_summary_keeps_line_numbers_right(tmp_path, db):
    multiline = BOMB.replace("A car bomb exploded.", '"A car bomb,\nthen another."')
    bad = SIEGE.replace("1996,12,17", "1996,12,32")
    out, err = run(write(tmp_path, multiline, bad))
    assert Incident.objects.get().summary == "A car bomb,\nthen another."
    assert "line 4" in err and "iday 32" in err


def test_utf8_bom_is_tolerated(tmp_path, db):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + f"{HEADER}\n{BOMB}\n".encode())
    run(path)
    assert Incident.objects.get().external_id == "199705120001"


def test_latin1_file_fails_with_line_number_and_reads_with_encoding_option(tmp_path, db):
    row = SIEGE.replace("The residence.", "La residencia del embajador de Japón.")
    path = write(tmp_path, BOMB, row, encoding="cp1252")
    with pytest.raises(CommandError, match=r"line 3: byte 0xf3 .*--encoding cp1252"):
        run(path)
    assert not Incident.objects.exists()
    run(path, "--encoding", "cp1252")
    assert Incident.objects.get(external_id="199612170001").summary.endswith("Japón.")


def test_unusable_encoding_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="unknown encoding"):
        run(write(tmp_path, BOMB), "--encoding", "klingon")
    with pytest.raises(CommandError, match="not supported"):
        run(write(tmp_path, BOMB), "--encoding", "utf-16")


def test_import_of_a_batch_takes_a_bounded_number_of_queries(
    tmp_path, db, django_assert_max_num_queries
):
    rows = [BOMB.replace("199705120001", f"1998010100{n:02}") for n in range(1, 41)]
    path = write(tmp_path, *rows)
    # incl. ArchiveState.bump() and, on SQLite, reading, setting and restoring the
    # connection's bulk-write settings (reports.ingest.bulk.bulk_writes)
    with django_assert_max_num_queries(24):
        run(path)
    assert Incident.objects.count() == 40
