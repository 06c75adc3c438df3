"""The GTD importer's fast paths: deferred indexes (SQLite), ids without a re-query,
and the stored row's JSON, whose hash tells unchanged rows on a rerun."""

import csv
import hashlib
import json

import pytest
from django.core.management import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import gtd
from reports.bulk import DeferredIndexes
from reports.gtd import HASH_KEY
from reports.models import Incident, Perpetration
from tests.factories import make_incident
from tests.test_import_incidents import BAD_ROWS, BOMB, HEADER, SIEGE, run, write

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's schema")


def rows(count, start=1):
    """`count` good rows: other dates, countries and groups, some with an end date."""
    countries = ["Peru", "Japan", "Colombia", "Spain"]
    made = []
    for n in range(start, start + count):
        row = BOMB.replace("199705120001", f"2001{n:08}")
        row = row.replace("1997,5,12,,0,,Peru", f"{1970 + n % 40},{1 + n % 12},{1 + n % 28},,0,,")
        row = row.replace(",,Lima,Lima", f",{countries[n % 4]},Lima,Lima")
        if n % 3 == 0:  # an end date: the partial indexes get rows too
            row = row.replace(f"{1 + n % 28},,0,,", f"{1 + n % 28},,1,12/31/2019,")
        made.append(row.replace("Shining Path (SL)", f"Group {n % 7}"))
    return made


def schema():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master"
            " WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name"
        )
        return cursor.fetchall()


def contents():
    return (
        list(Incident.objects.order_by("pk").values_list("pk", "external_id", "title")),
        list(Perpetration.objects.order_by("pk").values_list("incident", "group", "uncertain")),
    )


@pytest.fixture
def defer_always(monkeypatch):
    """Defer the indexes from the first batch on, however small the file."""
    monkeypatch.setattr(DeferredIndexes, "min_rows", 1)
    dropped = []
    drop = DeferredIndexes._drop

    def recording(self):
        drop(self)
        dropped.extend(name for name, _ in self.dropped)

    monkeypatch.setattr(DeferredIndexes, "_drop", recording)
    return dropped


@on_sqlite
def test_large_import_builds_the_dropped_indexes_again_as_migrated(
    tmp_path, transactional_db, defer_always
):
    before = schema()
    out, _ = run(write(tmp_path, *rows(60)), "--batch-size", "25")
    assert "60 created" in out
    # The model's non-unique indexes went; the unique ones (slug, external_id) stayed.
    assert {"incident_pub_date_idx", "incident_country_end_start_idx"} <= set(defer_always)
    assert len(defer_always) == 8
    assert not any(name.startswith("sqlite_autoindex") for name in defer_always)
    assert schema() == before
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        assert cursor.fetchall() == [("ok",)]
    # The rebuilt indexes hold the new rows: a query answered from one finds them.
    assert Incident.objects.filter(end_date__isnull=False, status="draft").count() == 20


@on_sqlite
def test_strict_refusal_after_dropping_leaves_schema_and_data_as_they_were(
    tmp_path, transactional_db, defer_always
):
    run(write(tmp_path, SIEGE, name="first.csv"))
    before = schema(), contents()
    bad = BAD_ROWS["imonth 13 is not a month"].replace("199705120001", "1999")
    with pytest.raises(CommandError, match="nothing was imported"):
        run(write(tmp_path, *rows(10), bad), "--strict", "--batch-size", "2")
    assert defer_always  # batches were written, without their indexes, before the bad row
    assert (schema(), contents()) == before


@on_sqlite
def test_failure_mid_import_leaves_schema_and_data_as_they_were(
    tmp_path, transactional_db, defer_always, monkeypatch
):
    run(write(tmp_path, SIEGE, name="first.csv"))
    before = schema(), contents()
    calls = []
    insert_ids = gtd._inserted_ids

    def failing(new):
        calls.append(new)
        if len(calls) == 3:
            raise OSError("disk full")
        return insert_ids(new)

    monkeypatch.setattr(gtd, "_inserted_ids", failing)
    with pytest.raises(OSError, match="disk full"):
        run(write(tmp_path, *rows(10)), "--batch-size", "2")
    assert defer_always
    assert (schema(), contents()) == before


def test_indexes_are_dropped_only_on_sqlite_and_only_for_a_large_import(tmp_path, db):
    with CaptureQueriesContext(connection) as small:
        run(write(tmp_path, *rows(30), name="small.csv"))
    assert not any("DROP INDEX" in query["sql"] for query in small.captured_queries)

    DeferredIndexes.min_rows, saved = 20, DeferredIndexes.min_rows
    try:
        with CaptureQueriesContext(connection) as large:
            run(write(tmp_path, *rows(40, start=100), name="large.csv"), "--batch-size", "10")
    finally:
        DeferredIndexes.min_rows = saved
    drops = [query["sql"] for query in large.captured_queries if "DROP INDEX" in query["sql"]]
    # 40 new rows next to the 30 already there: more than half, so they go (on SQLite).
    assert len(drops) == (8 if connection.vendor == "sqlite" else 0)


def test_import_beside_existing_incidents_links_each_to_its_own_perpetrators(tmp_path, db):
    # Ids do not start at 1 and have a gap (a deleted incident): the ids of new rows
    # must still be those of their own rows.
    make_incident(title="Older one")
    make_incident(title="Deleted one").delete()
    data = rows(25)
    run(write(tmp_path, *data), "--batch-size", "4")
    for incident in Incident.objects.exclude(external_id=None):
        assert incident.perpetrators.get().name == incident.source_row["gname"]
    assert Perpetration.objects.count() == 25


def test_stored_row_is_the_json_of_its_non_blank_cells_with_their_hash(tmp_path, db):
    # The hash is of json.dumps(row, ensure_ascii=False) as earlier versions stored it:
    # a rerun over an archive imported by them must find every row unchanged.
    summary = '" Quoted\\ back\tslash, Japón 東京 \x01 "'
    row = BOMB.replace("A car bomb exploded.", summary.replace('"', '""').join('""'))
    padded = row.replace(",Lima,Lima,", ",  Lima ,Lima,")
    run(write(tmp_path, padded, SIEGE))
    incident = Incident.objects.get(external_id="199705120001")
    [values] = csv.reader([padded])
    cells = zip(HEADER.split(","), map(str.strip, values), strict=True)
    expected = {key: value for key, value in cells if value}
    assert expected["provstate"] == "Lima" and expected["summary"] == summary
    text = json.dumps(expected, ensure_ascii=False)
    assert incident.source_row == {**expected, "_sha256": hashlib.sha256(text.encode()).hexdigest()}
    out, _ = run(write(tmp_path, row, SIEGE))  # the same cells, unpadded
    assert "0 created, 0 updated, 2 unchanged" in out


def test_batches_look_up_eventids_only_where_some_could_be_known(tmp_path, db):
    def lookups(path):
        with CaptureQueriesContext(connection) as queries:
            run(path, "--batch-size", "10")
        # The lookup fetches the stored hashes (PostgreSQL also fetches new ids by eventid).
        sqls = [query["sql"] for query in queries.captured_queries]
        return [sql for sql in sqls if '"external_id" IN (' in sql and HASH_KEY in sql]

    make_incident(title="Not imported")  # no eventid: cannot match a row
    assert lookups(write(tmp_path, *rows(30), name="first.csv")) == []
    assert len(lookups(write(tmp_path, *rows(30, start=20), name="second.csv"))) == 3
    assert Incident.objects.exclude(external_id=None).count() == 49  # 1-49
