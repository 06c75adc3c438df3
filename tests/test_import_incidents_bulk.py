"""The GTD importer's fast paths: deferred indexes (SQLite), ids without a re-query,
and the stored row's JSON, whose hash tells unchanged rows on a rerun."""

import csv
import datetime
import hashlib
import json

import pytest
from django.core.management import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.ingest import bulk, incidents
from reports.ingest.bulk import DeferredIndexes
from reports.ingest.incidents import HASH_KEY
from reports.models import FigureClaim, Incident, Paragraph, Perpetration
from tests.factories import make_incident, make_report, sqlite_master_rows
from tests.migrating import migrate_to
from tests.test_import_incidents import BAD_ROWS, BOMB, HEADER, SIEGE, run, write

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's schema")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's")


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


def contents():
    return (
        list(Incident.objects.order_by("pk").values_list("pk", "external_id", "title")),
        list(Perpetration.objects.order_by("pk").values_list("incident", "group", "uncertain")),
        list(FigureClaim.objects.order_by("pk").values_list("incident", "figure", "low", "high")),
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
    before = sqlite_master_rows()
    out, _ = run(write(tmp_path, *rows(60)), "--batch-size", "25")
    assert "60 created" in out
    # The model's non-unique indexes went; the unique ones (slug, external_id) stayed.
    assert {"incident_pub_date_idx", "incident_country_end_start_idx"} <= set(defer_always)
    assert len(defer_always) == 8
    assert not any(name.startswith("sqlite_autoindex") for name in defer_always)
    assert sqlite_master_rows() == before
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        assert cursor.fetchall() == [("ok",)]
    # The rebuilt indexes hold the new rows: a query answered from one finds them.
    assert Incident.objects.filter(end_date__isnull=False, status="draft").count() == 20


def prefix_indexes():
    """{column: name} of the incident table's indexes for LIKE 'prefix%'."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename = 'reports_incident' AND indexdef LIKE '%%pattern_ops%%'"
        )
        return {definition.split("(")[-1].split()[0]: name for name, definition in cursor}


@on_postgresql
def test_incidents_are_imported_without_prefix_indexes_and_the_migration_reverses(
    transactional_db,
):
    """Migration 0026 drops the LIKE indexes Django made beside the columns' own, which
    every imported row would write to; migrated back, they are as Django makes them."""
    assert prefix_indexes() == {}
    migrate_to([("reports", "0025_postgresql_search_statistics")])
    try:
        restored = prefix_indexes()
        fields = [
            Incident._meta.get_field(name) for name in ("status", "slug", "external_id", "country")
        ]
        with connection.schema_editor(collect_sql=True) as editor:
            made = [editor._create_like_index_sql(Incident, field) for field in fields]
        assert restored == {
            field.column: str(sql.parts["name"]).strip('"')
            for field, sql in zip(fields, made, strict=True)
        }
    finally:
        migrate_to()
    assert prefix_indexes() == {}


@on_sqlite
def test_strict_refusal_after_dropping_leaves_schema_and_data_as_they_were(
    tmp_path, transactional_db, defer_always
):
    run(write(tmp_path, SIEGE, name="first.csv"))
    before = sqlite_master_rows(), contents()
    bad = BAD_ROWS["imonth 13 is not a month"].replace("199705120001", "1999")
    with pytest.raises(CommandError, match="nothing was imported"):
        run(write(tmp_path, *rows(10), bad), "--strict", "--batch-size", "2")
    assert defer_always  # batches were written, without their indexes, before the bad row
    assert (sqlite_master_rows(), contents()) == before


def before_incident_inserts(monkeypatch, hook):
    """Call `hook()` before each batch's new incidents are inserted."""
    insert = bulk.RowInserter.insert

    def hooked(inserter, rows):
        if inserter.model is Incident:
            hook()
        return insert(inserter, rows)

    monkeypatch.setattr(bulk.RowInserter, "insert", hooked)


@on_sqlite
def test_failure_mid_import_leaves_schema_and_data_as_they_were(
    tmp_path, transactional_db, defer_always, monkeypatch
):
    run(write(tmp_path, SIEGE, name="first.csv"))
    before = sqlite_master_rows(), contents()
    calls = []

    def failing():
        calls.append(None)
        if len(calls) == 3:
            raise OSError("disk full")

    before_incident_inserts(monkeypatch, failing)
    with pytest.raises(OSError, match="disk full"):
        run(write(tmp_path, *rows(10)), "--batch-size", "2")
    assert defer_always
    assert (sqlite_master_rows(), contents()) == before


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


def pragmas():
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM pragma_cache_size, pragma_temp_store")
        return cursor.fetchone()


@on_sqlite
def test_bulk_settings_hold_during_the_import_and_are_restored_after(tmp_path, db, monkeypatch):
    before = pragmas()
    during = []
    before_incident_inserts(monkeypatch, lambda: during.append(pragmas()))
    run(write(tmp_path, *rows(3)))
    assert during[0][0] == bulk.BULK_PRAGMAS["cache_size"]
    assert pragmas() == before
    # Also after a refused file, whose transaction is rolled back.
    bad = BAD_ROWS["imonth 13 is not a month"].replace("199705120001", "1999")
    with pytest.raises(CommandError):
        run(write(tmp_path, *rows(3, start=10), bad), "--strict", "--batch-size", "1")
    assert pragmas() == before


@on_sqlite
def test_bulk_settings_leave_temp_store_alone_once_temporary_tables_exist(db):
    # Changing temp_store would delete them (and in a transaction is refused).
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS scratch (x)")
        cursor.execute("INSERT INTO scratch VALUES (1)")
        temp_store = pragmas()[1]
        with bulk.bulk_writes():
            assert pragmas() == (bulk.BULK_PRAGMAS["cache_size"], temp_store)
        cursor.execute("SELECT count(*) FROM scratch")
        assert cursor.fetchone() == (1,)
        cursor.execute("DROP TABLE scratch")


@pytest.mark.parametrize("year", [5, 999, 1000, 1997])
def test_title_dates_are_written_as_strftime_writes_them(year):
    # title_for cuts the date from isoformat() but for years before 1000, where
    # strftime("%Y") writes no leading zeros: titles stay what they were.
    formats = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
    for precision, fmt in formats.items():
        start = datetime.date(year, 3, 4)
        fields = {"city": "Lima", "start_date": start, "start_precision": precision}
        title = incidents.title_for("Bombing", fields, "Peru")
        assert title == f"Bombing in Lima, Peru ({start.strftime(fmt)})"


def test_repeated_cells_are_parsed_once_and_a_bad_one_refused_every_time(tmp_path, db):
    negative = BOMB.replace("12.0,-99", "-5,-99")
    rows = [negative.replace("199705120001", f"1998{n:08}") for n in range(3)]
    rows += [BOMB.replace("199705120001", f"1999{n:08}") for n in range(3)]
    out, err = run(write(tmp_path, *rows))
    assert "3 created" in out and "3 skipped" in out
    assert err.count("nkill -5 is negative") == 3
    assert set(Incident.objects.values_list("killed", "start_date")) == {
        (12, datetime.date(1997, 5, 12))
    }


def test_lines_after_the_first_are_utf8_whatever_the_bom(tmp_path, db):
    row = SIEGE.replace("The residence.", "La residencia del embajador de Japón.")
    for bom in (b"", b"\xef\xbb\xbf"):
        path = tmp_path / "file.csv"
        path.write_bytes(bom + f"{HEADER}\n{BOMB}\n{row}\n".encode())
        run(path)
        assert Incident.objects.get(external_id="199612170001").summary.endswith("Japón.")
        Incident.objects.all().delete()


def test_row_inserter_writes_many_rows_a_statement_in_their_order(db):
    report = make_report()
    inserter = bulk.RowInserter(Paragraph, ("report", "number", "text"))
    per_statement = inserter.rows_per_statement
    assert per_statement > 1
    count = 2 * per_statement + 5  # two full statements and a shorter one
    # After the report's own first paragraph.
    rows = [(report.pk, n, f"Paragraph {n} about quillworts.") for n in range(2, count + 2)]
    with CaptureQueriesContext(connection) as queries:
        inserter.insert(iter(rows))
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    if connection.vendor == "postgresql":
        assert inserts == []  # one COPY, which Django does not see
    else:
        # Two full statements (one executemany) and a shorter one.
        assert len(inserts) == 2 and inserts[0].startswith("2 times: INSERT")
        assert inserts[1].count("quillworts") == 5
    stored = list(
        report.paragraphs.filter(number__gt=1).order_by("pk").values_list("number", "text")
    )
    assert stored == [(n, text) for _, n, text in rows]
    if connection.vendor == "sqlite":  # the search triggers saw every row
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM reports_search_fts WHERE reports_search_fts MATCH 'quillwort'"
            )
            assert cursor.fetchone() == (count,)


def test_row_inserter_writes_values_as_the_orm_does(db):
    """Dates, datetimes, decimals, JSON, NULLs and text with tabs, newlines and
    backslashes read back as written, on either engine (PostgreSQL's COPY included)."""
    country = make_incident(title="Other", slug="other").country_id
    at = datetime.datetime(2001, 2, 3, 4, 5, 6, 789, tzinfo=datetime.UTC)
    source = {"eventid": "1", "quote": 'a "b"\\c\td\ne', "n": [1, None]}
    inserter = bulk.RowInserter(
        Incident,
        ("slug", "title", "summary", "country", "start_date", "end_date", "latitude")
        + ("killed", "injured", "source_row"),
        constants={"status_changed_at": at, "updated_at": at},
    )
    inserter.insert(
        [
            ("a", "Tab\tand\\back", "Line\none\r\n", country, datetime.date(999, 1, 2))
            + (None, incidents.Decimal("-12.345678"), 0, None, source),
            ("b", "Null", "\\N", country, datetime.date(2020, 12, 31))
            + (datetime.date(2021, 1, 1), None, None, 7, {}),
        ]
    )
    stored = {
        incident.slug: incident
        for incident in Incident.objects.filter(slug__in=["a", "b"]).order_by("pk")
    }
    a, b = stored["a"], stored["b"]
    assert (a.title, a.summary, a.source_row) == ("Tab\tand\\back", "Line\none\r\n", source)
    assert (a.start_date, a.end_date, a.latitude) == (
        datetime.date(999, 1, 2),
        None,
        incidents.Decimal("-12.345678"),
    )
    assert (a.killed, a.injured, a.status_changed_at, a.updated_at) == (0, None, at, at)
    assert (b.summary, b.end_date, b.latitude, b.killed, b.injured, b.source_row) == (
        "\\N",
        datetime.date(2021, 1, 1),
        None,
        None,
        7,
        {},
    )
    assert b.casualties == 7  # the generated column, computed by the database


def test_a_numbered_row_inserter_returns_each_rows_id(db):
    """In the rows' order, in statements of several rows on SQLite, from the sequence on
    PostgreSQL; an id taken by the ORM before or after is no other row's."""
    country = make_incident(title="Before", slug="before").country_id
    now = datetime.datetime.now(tz=datetime.UTC)
    inserter = bulk.RowInserter(
        Incident,
        ("slug", "title", "country", "start_date"),
        constants={"created_at": now, "updated_at": now},
        numbered=True,
    )
    count = inserter.rows_per_statement + 3  # a full statement and a shorter one on SQLite
    start = datetime.date(2001, 1, 1)
    rows = [
        (f"n{n}", f"Row {n}", country, start + datetime.timedelta(days=n)) for n in range(count)
    ]

    ids = inserter.insert(rows)
    after = make_incident(title="After", slug="after")

    assert inserter.insert([]) == []
    assert [Incident.objects.get(pk=pk).slug for pk in ids] == [row[0] for row in rows]
    assert after.pk not in ids


def test_row_inserter_raises_djangos_integrity_error(db):
    from django.db import IntegrityError, transaction

    report = make_report()
    inserter = bulk.RowInserter(Paragraph, ("report", "number", "text"))
    with pytest.raises(IntegrityError), transaction.atomic():
        inserter.insert([(report.pk, 7, "One."), (report.pk, 7, "The same number.")])
    assert not report.paragraphs.filter(number=7).exists()
