"""UCDP's Georeferenced Event Dataset through import_incidents (reports.ingest.ucdp)."""

import csv
import datetime
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from reports.models import (
    DatePrecision,
    FigureClaim,
    Group,
    GroupAlias,
    Incident,
    PlacePrecision,
    Role,
    Status,
    ViolenceType,
)
from tests.factories import make_group
from tests.migrating import migrate_to

COLUMNS = (  # noqa: SIM905
    "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,"
    "conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,"
    "side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,"
    "source_date,source_headline,source_original,where_prec,where_coordinates,"
    "where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,"
    "country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,"
    "deaths_civilians,deaths_unknown,best,high,low,gwnoa,gwnob"
).split(",")

# A state-based event: the government and Sendero Luminoso, 12 dead (10 to 15).
BATTLE = {
    "id": "100001",
    "relid": "PER-1989-1-1",
    "year": "1989",
    "active_year": "1",
    "code_status": "Clear",
    "type_of_violence": "1",
    "conflict_name": "Peru: Government",
    "dyad_name": "Government of Peru - Sendero Luminoso",
    "side_a": "Government of Peru",
    "side_b": "Sendero Luminoso",
    "number_of_sources": "2",
    "source_article": 'Reuters,1989-03-05,"Rebels attack police post"',
    "source_office": "Reuters",
    "source_date": "1989-03-05",
    "source_headline": "Rebels attack police post",
    "source_original": "police",
    "where_prec": "1",
    "where_coordinates": "Uchiza town",
    "where_description": "Uchiza, San Martin",
    "adm_1": "San Martin department",
    "adm_2": "Tocache province",
    "latitude": "-8.46",
    "longitude": "-76.46",
    "country": "Peru",
    "country_id": "135",
    "region": "Americas",
    "event_clarity": "1",
    "date_prec": "1",
    "date_start": "1989-03-04",
    "date_end": "1989-03-04",
    "deaths_a": "2",
    "deaths_b": "8",
    "deaths_civilians": "2",
    "deaths_unknown": "0",
    "best": "12",
    "high": "15",
    "low": "10",
    "gwnoa": "135",
}
# One-sided violence by the group, known to a month, placed in a province.
MASSACRE = {
    **BATTLE,
    "id": "100002",
    "type_of_violence": "3",
    "side_a": "Sendero Luminoso",
    "side_b": "Civilians",
    "where_prec": "4",
    "where_coordinates": "Ayacucho department",
    "adm_1": "Ayacucho department",
    "date_prec": "4",
    "date_start": "1990-05-01",
    "date_end": "1990-05-31",
    "best": "5",
    "low": "5",
    "high": "5",
}
# Non-state conflict in a country UCDP names with its former name, within a week.
CLASH = {
    **BATTLE,
    "id": "100003",
    "type_of_violence": "2",
    "side_a": "Sendero Luminoso",
    "side_b": "Tupac Amaru Revolutionary Movement",
    "country": "Russia (Soviet Union)",
    "date_prec": "3",
    "date_start": "1991-06-03",
    "date_end": "1991-06-09",
}
# One-sided violence by a government: a state, never an armed group.
STATE = {**MASSACRE, "id": "100004", "side_a": "Government of Peru", "date_prec": "5",
         "date_start": "1992-01-01", "date_end": "1992-12-31"}  # fmt: skip


def ged(tmp_path, *rows, name="ged.csv", columns=COLUMNS):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", restval="")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_incidents", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def event(ged_id):
    return Incident.objects.get(external_id=f"ged-{ged_id}")


def test_an_event_becomes_an_incident_with_its_sides_place_and_deaths(tmp_path, db):
    out, _ = run(ged(tmp_path, BATTLE))
    assert "1 created, 0 updated, 0 unchanged, 0 skipped" in out
    battle = event("100001")
    assert battle.slug == "ucdp-ged-100001"
    assert battle.external_source == "UCDP GED"
    assert battle.title == "State-based armed conflict in Uchiza town, Peru (1989-03-04)"
    assert battle.violence_type == ViolenceType.STATE_BASED
    assert (battle.start_date, battle.start_precision, battle.end_date) == (
        datetime.date(1989, 3, 4),
        DatePrecision.DAY,
        None,
    )
    assert (battle.region, battle.city) == ("San Martin department", "Uchiza town")
    assert battle.place_precision == PlacePrecision.EXACT
    assert (str(battle.latitude), str(battle.longitude)) == ("-8.460000", "-76.460000")
    # The government is a state actor; the rebels a side, not known as the perpetrator.
    assert battle.state_actors == "Government of Peru"
    [side] = battle.perpetration_set.select_related("group")
    assert (side.group.name, side.role, side.uncertain) == ("Sendero Luminoso", Role.SIDE, False)
    assert not Group.objects.filter(name__startswith="Government").exists()
    # Deaths: one claim on the dataset row, UCDP's best within its low and high.
    [claim] = FigureClaim.objects.filter(incident=battle)
    assert (claim.figure, claim.low, claim.high, claim.point) == ("killed", 10, 15, 12)
    assert claim.from_dataset and claim.citation_id is None
    assert battle.killed == 12
    # The rest of the row is kept: UCDP's sources, deaths by side, clarity, sources.
    row = battle.source_row
    assert row["source_article"] == 'Reuters,1989-03-05,"Rebels attack police post"'
    assert row["source_headline"] == "Rebels attack police post"
    assert (row["deaths_a"], row["deaths_b"], row["deaths_civilians"]) == ("2", "8", "2")
    assert (row["event_clarity"], row["number_of_sources"]) == ("1", "2")


def test_violence_types_dates_and_places_at_their_precision(tmp_path, db):
    run(ged(tmp_path, MASSACRE, CLASH, STATE))
    massacre = event("100002")
    assert massacre.violence_type == ViolenceType.ONE_SIDED
    # The perpetrator of one-sided violence is side A; "Civilians" is no group.
    assert [(p.group.name, p.role) for p in massacre.perpetration_set.all()] == [
        ("Sendero Luminoso", Role.PERPETRATOR)
    ]
    assert (massacre.start_date, massacre.start_precision, massacre.end_date) == (
        datetime.date(1990, 5, 1),
        DatePrecision.MONTH,
        None,
    )
    # Placed at a province's centre: the province, not a town.
    assert (massacre.place_precision, massacre.city) == (PlacePrecision.PROVINCE, "")
    exact = FigureClaim.objects.get(incident=massacre)
    assert (exact.low, exact.high, exact.point) == (5, 5, None)

    clash = event("100003")
    assert clash.country_id == "RU"  # "Russia (Soviet Union)": the state of the name
    assert {(p.group.name, p.role) for p in clash.perpetration_set.all()} == {
        ("Sendero Luminoso", Role.SIDE),
        ("Tupac Amaru Revolutionary Movement", Role.SIDE),
    }
    # Within a week: the bounds as days, start and end; no more than UCDP says.
    assert (clash.start_date, clash.start_precision, clash.end_date) == (
        datetime.date(1991, 6, 3),
        DatePrecision.DAY,
        datetime.date(1991, 6, 9),
    )

    state = event("100004")
    assert state.state_actors == "Government of Peru"
    assert not state.perpetration_set.exists()
    # A year's bounds at date_prec 5 are that year.
    assert (state.start_date, state.start_precision) == (datetime.date(1992, 1, 1), "year")


def test_groups_meet_the_archives_own_by_name_acronym_or_alias(tmp_path, db):
    shining_path = make_group(name="Shining Path", acronym="SL", slug="shining-path")
    GroupAlias.objects.create(group=shining_path, name="Sendero Luminoso", language="es")
    gtd = tmp_path / "gtd.csv"
    gtd.write_text(
        "eventid,iyear,imonth,iday,country_txt,attacktype1_txt,gname,nkill\n"
        "199705120001,1997,5,12,Peru,Bombing/Explosion,Shining Path (SL),3\n"
        # The same number as the GED event's id: each dataset has its own.
        "100001,1989,3,4,Peru,Armed Assault,Shining Path (SL),12\n",
        encoding="utf-8",
    )
    run(gtd)
    run(ged(tmp_path, BATTLE, MASSACRE))
    assert Group.objects.count() == 1
    # Two sources, two entries, one group.
    assert set(shining_path.perpetration_set.values_list("incident__external_source", "role")) == {
        ("GTD", Role.PERPETRATOR),
        ("UCDP GED", Role.SIDE),
        ("UCDP GED", Role.PERPETRATOR),
    }
    assert Incident.objects.filter(external_id="100001", external_source="GTD").exists()
    assert event("100001").external_source == "UCDP GED"


def test_a_row_without_date_prec_keeps_its_bounds_as_days(tmp_path, db):
    run(ged(tmp_path, {**MASSACRE, "date_prec": ""}, name="no_prec.csv"))
    massacre = event("100002")
    assert (massacre.start_date, massacre.start_precision, massacre.end_date) == (
        datetime.date(1990, 5, 1),
        DatePrecision.DAY,
        datetime.date(1990, 5, 31),
    )


def test_a_second_run_changes_nothing_and_a_changed_row_updates(tmp_path, db):
    path = ged(tmp_path, BATTLE, MASSACRE)
    run(path)
    before = {i.pk: i.updated_at for i in Incident.objects.all()}
    out, _ = run(path)
    assert "0 created, 0 updated, 2 unchanged" in out
    assert {i.pk: i.updated_at for i in Incident.objects.all()} == before

    out, _ = run(ged(tmp_path, {**BATTLE, "best": "14", "high": "20"}, MASSACRE))
    assert "0 created, 1 updated, 1 unchanged" in out
    battle = event("100001")
    [claim] = FigureClaim.objects.filter(incident=battle)
    assert (claim.low, claim.high, claim.point) == (10, 20, 14)
    assert battle.killed == 14
    assert battle.source_row["best"] == "14"


BAD_ROWS = [
    ({"low": "13"}, "low 13 is above best 12"),
    ({"high": "11"}, "best 12 is above high 11"),
    ({"best": ""}, "no best estimate of deaths"),
    ({"best": "-1", "low": "-1"}, "is negative"),
    ({"date_start": "1989-02-30"}, "date_start '1989-02-30' is not a date"),
    ({"date_end": "04/03/1989"}, "date_end '04/03/1989' is not a date"),
    ({"date_end": "1989-03-01"}, "date_end 1989-03-01 is before date_start 1989-03-04"),
    ({"date_prec": "9"}, "date_prec '9' is not one of 1-5"),
    ({"date_prec": "month"}, "date_prec 'month' is not one of 1-5"),
    ({"where_prec": "0"}, "where_prec '0' is not one of 1-7"),
    ({"type_of_violence": "4"}, "type_of_violence '4' is not 1, 2 or 3"),
    ({"country": "Atlantis"}, "unknown country 'Atlantis'"),
    ({"latitude": "91"}, "latitude 91 is out of range"),
    ({"id": "12a"}, "is not UCDP's number of an event"),
    ({"source_headline": "Rebels\x00attack"}, "column source_headline holds a NUL character"),
]


@pytest.mark.parametrize(("change", "reason"), BAD_ROWS)
def test_a_bad_row_is_reported_by_line_and_skipped(tmp_path, db, change, reason):
    out, err = run(ged(tmp_path, MASSACRE, {**BATTLE, **change}))
    assert "1 created" in out and "1 skipped" in out
    assert "line 3" in err and reason in err
    assert list(Incident.objects.values_list("external_id", flat=True)) == ["ged-100002"]


@pytest.mark.parametrize(("change", "reason"), BAD_ROWS[:3])
def test_strict_refuses_the_file_and_writes_nothing(tmp_path, db, change, reason):
    with pytest.raises(CommandError, match="1 bad row.*nothing was imported"):
        run(ged(tmp_path, MASSACRE, {**BATTLE, **change}), "--strict")
    assert not Incident.objects.exists()
    assert not Group.objects.exists()


def test_a_repeated_id_is_a_bad_row(tmp_path, db):
    out, err = run(ged(tmp_path, BATTLE, {**BATTLE, "best": "11"}))
    assert "1 created" in out and "1 skipped" in out
    assert "line 3 (id 100001): id 100001 already on line 2" in err


def test_dry_run_writes_nothing(tmp_path, db):
    out, _ = run(ged(tmp_path, BATTLE, MASSACRE), "--dry-run")
    assert "would be 2 created" in out
    assert not Incident.objects.exists() and not FigureClaim.objects.exists()


def test_the_format_is_recognised_from_the_header_or_named(tmp_path, db):
    path = ged(tmp_path, BATTLE)
    with pytest.raises(CommandError, match="lacks the column.*eventid"):
        run(path, "--format", "gtd")
    run(path, "--format", "ucdp-ged")
    assert Incident.objects.filter(external_source="UCDP GED").count() == 1
    # A file of neither: the columns it lacks of the one it comes closest to.
    lacking = ged(tmp_path, BATTLE, name="partial.csv", columns=[c for c in COLUMNS if c != "best"])
    with pytest.raises(CommandError, match="lacks the column.* of a UCDP GED file: best"):
        run(lacking)


def test_the_incident_page_shows_the_estimate_sides_and_ucdp_row(tmp_path, db, client):
    run(ged(tmp_path, BATTLE, MASSACRE, STATE), "--publish")
    # A government killing civilians: the state is the perpetrator, no side is listed.
    state = client.get("/incidents/ucdp-ged-100004/").content.decode()
    assert "<dt>Perpetrators</dt><dd>Government of Peru (state)</dd>" in state
    assert "<dt>Sides</dt>" not in state
    page = client.get("/incidents/ucdp-ged-100001/").content.decode()
    assert "best 12 (low 10, high 15)" in page
    assert 'href="#dataset-row">UCDP GED row</a>' in page
    assert "Government of Peru (state)" in page
    assert "not stated: the source names the sides, not who attacked whom" in page
    assert "UCDP Georeferenced Event Dataset" in page
    assert "side A 2, side B 8, civilians 2, unknown 0" in page
    assert "1: one event, clearly identified" in page
    assert "Rebels attack police post" in page
    assert "&#34;Rebels attack police post&#34;" in page  # the row's text, escaped


def test_group_and_country_pages_name_each_incidents_dataset(tmp_path, db, client):
    run(ged(tmp_path, BATTLE, MASSACRE), "--publish")
    group = Group.objects.get(name="Sendero Luminoso")
    assert group.status == Status.PUBLISHED
    page = client.get(group.get_absolute_url()).content.decode()
    assert page.count("(UCDP GED)") == 2
    assert "(a side in the fighting)" in page  # the battle; the massacre is its own
    country = client.get("/countries/PE/").content.decode()
    assert country.count("dataset: UCDP GED") == 2


def test_the_api_gives_the_role_and_the_claims_best(tmp_path, db, client):
    run(ged(tmp_path, BATTLE), "--publish")
    data = client.get("/api/incidents/ucdp-ged-100001/").json()
    assert data["violence_type"] == "state_based"
    assert data["state_actors"] == "Government of Peru"
    assert data["place_precision"] == "exact"
    assert [p["role"] for p in data["perpetrators"]] == ["side"]
    [claim] = data["claims"]
    assert (claim["low"], claim["high"], claim["point"]) == (10, 15, 12)
    assert data["figures"]["killed"] == {"best": 12, "low": 10, "high": 15}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's schema and triggers")
def test_migration_0022_adds_its_columns_in_place_keeping_the_search_triggers(
    transactional_db, tmp_path
):
    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT type, name, sql FROM sqlite_master "
                "WHERE tbl_name = 'reports_incident' AND type = 'trigger' ORDER BY name"
            )
            return cursor.fetchall()

    triggers = schema()
    assert triggers  # the incident search rows' triggers (0006, 0021)
    migrate_to([("reports", "0021_incident_search_facets")])
    migrate_to()
    assert schema() == triggers
    # An event imported now is found by the search, through those triggers.
    run(ged(tmp_path, BATTLE), "--publish")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM reports_search_incidents "
            "WHERE reports_search_incidents MATCH 'uchiza'"
        )
        assert cursor.fetchone()[0] >= 1
