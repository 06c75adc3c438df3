"""CSV and JSON exports of the filtered lists: content, provenance, drafts, round trip."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from reports.ingest.datasets import import_incidents
from reports.models import (
    Citation,
    Figure,
    FigureClaim,
    Group,
    Incident,
    Perpetration,
    Report,
    Status,
)
from reports.opendata import exports
from tests.factories import make_citation, make_group, make_incident, make_report
from tests.open_data_helpers import DRAFT_MARK, add_claims, archive_with_drafts

EXPECTED = Path(__file__).parent / "data" / "incidents_export.json"


@pytest.fixture
def archive(db):
    return archive_with_drafts()


@pytest.fixture
def claimed(archive):
    return add_claims(archive)


def body(response):
    return b"".join(response.streaming_content).decode()


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(body(response))))


def test_incident_csv_is_streamed_with_gtd_columns_and_provenance(client, archive):
    response = client.get("/incidents/export.csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["X-Archive-URL"] == "http://testserver/"
    assert response["X-Exported-At"]
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert len(rows) == 4
    for column in (
        "eventid",
        "iyear",
        "imonth",
        "iday",
        "approxdate",
        "extended",
        "resolution",
        "country_txt",
        "provstate",
        "city",
        "latitude",
        "longitude",
        "attacktype1_txt",
        "targtype1_txt",
        "gname",
        "guncertain1",
        "nkill",
        "nwound",
        "nhostkid",
        "summary",
        "scite1",
        "scite2",
        "scite3",
        "dbsource",
        "source_reports",
    ):
        assert column in rows[0]
    crisis = next(r for r in rows if r["slug"] == archive.hostage_crisis.slug)
    assert (crisis["iyear"], crisis["imonth"], crisis["iday"]) == ("1996", "12", "17")
    assert crisis["resolution"] == "1997-04-22"
    assert crisis["extended"] == "1"
    assert crisis["attacktype1_txt"] == "Hostage Taking (Barricade Incident)"
    assert crisis["gname"] == "MRTA"
    assert crisis["nkill"] == "16"
    assert crisis["nwound"] == ""  # unknown stays unknown, not zero
    assert crisis["source_reports"] == "http://testserver" + archive.report.get_absolute_url()
    assert "“" in crisis["scite1"] and "¶" in crisis["scite1"]
    junin = next(r for r in rows if r["slug"] == "junin-oil-company-kidnapping-1997")
    assert (junin["imonth"], junin["iday"], junin["approxdate"]) == ("8", "0", "August 1997")


def test_exports_never_show_a_draft(client, claimed, archive):
    for kind in ("reports", "incidents", "groups"):
        for fmt in ("csv", "json"):
            text = body(client.get(f"/{kind}/export.{fmt}"))
            assert DRAFT_MARK not in text, (kind, fmt)
            assert archive.draft_report.slug not in text


def test_incident_export_selects_exactly_what_the_list_filters_select(client, archive):
    response = client.get("/incidents/export.csv?country=PE&year=1996&page=2")
    rows = csv_rows(response)
    assert [r["slug"] for r in rows] == [archive.hostage_crisis.slug]
    assert response["X-Archive-Filter"] == "country=PE&year=1996"
    rows = csv_rows(client.get("/incidents/export.csv?group=mrta"))
    assert [r["slug"] for r in rows] == [archive.hostage_crisis.slug]


def test_json_export_carries_meta_and_each_rows_sources(client, archive):
    response = client.get("/groups/export.json?country=PE")
    data = json.loads(body(response))
    meta = data["meta"]
    assert meta["archive_url"] == "http://testserver/"
    assert meta["filter"] == "country=PE"
    assert meta["kind"] == "groups" and meta["exported_at"]
    names = {row["slug"]: row for row in data["results"]}
    assert set(names) == {"mrta", "sendero-luminoso"}
    assert names["mrta"]["source_reports"] == [
        "http://testserver" + archive.report.get_absolute_url()
    ]
    assert names["sendero-luminoso"]["aliases"] == ["Sendero"]


def test_report_exports_list_published_reports_with_their_checksum(client, archive):
    rows = csv_rows(client.get("/reports/export.csv"))
    assert [r["slug"] for r in rows] == [archive.report.slug]
    assert rows[0]["sha256"] == archive.report.sha256
    data = json.loads(body(client.get("/reports/export.json?year=1997")))
    assert [r["title"] for r in data["results"]] == [archive.report.title]


def test_empty_selection_gives_valid_empty_json(client, archive):
    data = json.loads(body(client.get("/incidents/export.json?year=1950")))
    assert data["results"] == []
    assert body(client.get("/incidents/export.csv?year=1950")) == ""


@pytest.mark.parametrize(
    "query", ["year=abc", "country=XX", "start=1997-13-01", "start=1997-05-01&end=1997-01-01"]
)
def test_bad_filter_value_is_a_400_with_the_error(client, archive, query):
    response = client.get(f"/incidents/export.csv?{query}")
    assert response.status_code == 400
    assert response.json()["filters"]


def test_export_reads_rows_in_chunks_with_a_fixed_number_of_queries_per_chunk(
    client, claimed, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    response = client.get("/incidents/export.csv")
    # 5 incidents in 3 chunks: the incidents, then per chunk perpetrators, citations,
    # claims, and the groups and reports they name not named before, plus the filter's
    # choice lists; never one query per row.
    with django_assert_max_num_queries(1 + 3 * 5 + 2):
        rows = csv_rows(response)
    assert len(rows) == 5
    response = client.get("/groups/export.csv")
    # 3 groups in 2 chunks: per chunk aliases, leaders, citations, claims, relations and
    # designations.
    with django_assert_max_num_queries(14):
        rows = csv_rows(response)
    assert len(rows) == 3


def test_incident_csv_round_trips_through_import_incidents(client, archive):
    archive.draft_incident.delete()
    before = {
        incident.pk: incident for incident in Incident.objects.published().select_related("country")
    }
    perpetrators = {
        pk: sorted(
            (p.group.name, p.group.acronym, p.uncertain)
            for p in Perpetration.objects.filter(incident_id=pk, group__status=Status.PUBLISHED)
        )
        for pk in before
    }
    data = body(client.get("/incidents/export.csv")).encode()

    # An empty archive: no incidents, no groups.
    Citation.objects.all().delete()
    Perpetration.objects.all().delete()
    Incident.objects.all().delete()
    Group.objects.all().delete()
    summary = import_incidents(io.BytesIO(data), strict=True, publish=True)
    assert summary.created == len(before)

    for pk, old in before.items():
        new = Incident.objects.get(external_id=f"{exports.ARCHIVE_EVENTID_PREFIX}{pk}")
        for field in (
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
        ):
            assert getattr(new, field) == getattr(old, field), (old.slug, field)
        assert (
            sorted((p.group.name, p.group.acronym, p.uncertain) for p in new.perpetration_set.all())
            == perpetrators[pk]
        )


def test_list_pages_offer_a_download_menu_keeping_their_filters(client, archive):
    html = client.get("/incidents/?country=PE&year=1997&page=1").content.decode()
    assert 'href="/incidents/export.csv?country=PE&amp;year=1997"' in html
    assert 'href="/incidents/export.json?country=PE&amp;year=1997"' in html
    assert 'href="/reports/export.csv"' in client.get("/reports/").content.decode()
    assert 'href="/groups/export.json"' in client.get("/groups/").content.decode()


# --- Figure claims, relations and designations ------------------------------------


def test_incident_figures_keep_the_best_estimate_with_its_range_beside_it(client, claimed):
    rows = csv_rows(client.get("/incidents/export.csv"))
    row = next(r for r in rows if r["slug"] == claimed.incident.slug)

    assert (row["nkill"], row["nkill_low"], row["nkill_high"]) == ("16", "16", "16")
    # "more than a dozen": at least 21, the high open (blank), never 0.
    assert (row["nwound"], row["nwound_low"], row["nwound_high"]) == ("21", "21", "")
    # 81 at the beginning of 1997, 72 at the rescue: the best is the most cautious.
    assert (row["nhostkid"], row["nhostkid_low"], row["nhostkid_high"]) == ("72", "72", "81")


def test_json_export_gives_an_open_high_as_blank_and_no_claim_as_blank(client, claimed):
    unclaimed = make_incident(title="Unclaimed incident", killed=4)
    data = json.loads(body(client.get("/incidents/export.json")))
    rows = {row["slug"]: row for row in data["results"]}

    assert rows[claimed.incident.slug]["nwound_high"] == ""
    assert [rows[unclaimed.slug][c] for c in ("nkill", "nkill_low", "nkill_high")] == [
        "4",
        "",
        "",
    ]


def test_a_claim_on_a_draft_reports_passage_counts_in_no_export(client, claimed):
    for fmt in ("csv", "json"):
        text = body(client.get(f"/incidents/export.{fmt}"))
        assert DRAFT_MARK not in text
    row = next(
        r
        for r in csv_rows(client.get("/incidents/export.csv"))
        if r["slug"] == claimed.incident.slug
    )
    # The draft's claim (3 to 9 killed) would be the best estimate and the low if it counted.
    assert (row["nkill"], row["nkill_low"]) == ("16", "16")


def test_group_exports_carry_strength_relations_and_designations(client, claimed):
    rows = csv_rows(client.get("/groups/export.csv"))
    row = next(r for r in rows if r["slug"] == claimed.group.slug)

    assert (row["strength"], row["strength_low"], row["strength_high"]) == ("14", "14", "")
    assert row["relations"] == "counterpart http://testserver/groups/sendero-luminoso/"
    assert row["designations"] == "Government of Peru: Terrorist groups (from 1997-01-01)"
    data = json.loads(body(client.get("/groups/export.json")))
    [group] = [r for r in data["results"] if r["slug"] == claimed.group.slug]
    assert group["relations"] == ["counterpart http://testserver/groups/sendero-luminoso/"]
    assert group["designations"] == ["Government of Peru: Terrorist groups (from 1997-01-01)"]


def test_a_cell_a_spreadsheet_would_run_is_written_as_text(client, archive):
    """OWASP's CSV-injection rule: =, +, -, @, tab or carriage return first is text."""
    report = Report.objects.published().first()
    Report.objects.filter(pk=report.pk).update(title='=HYPERLINK("http://evil.example","x")')
    make_incident(title="@SUM(1+1)", slug="formula-at", outcome="-2+3", target_type="\tTab")
    [row] = [r for r in csv_rows(client.get("/reports/export.csv")) if r["slug"] == report.slug]
    assert row["title"] == '\'=HYPERLINK("http://evil.example","x")'
    [row] = [
        r for r in csv_rows(client.get("/incidents/export.csv")) if r["title"].endswith("(1+1)")
    ]
    assert row["title"] == "'@SUM(1+1)"
    # Numbers stay numbers, negative ones included.
    assert exports.csv_cell("-12.046374") == "-12.046374"
    assert exports.csv_cell("+51") == "+51"
    assert exports.csv_cell("-2+3") == "'-2+3"
    assert exports.csv_cell("\tTab") == "'\tTab"
    assert exports.csv_cell(["=a", "b"]) == "'=a" + exports.SEPARATOR + "b"


def test_a_csv_line_of_fields_is_what_csv_writer_writes():
    cells = [
        "plain",
        "",
        "a, b",
        'say "no"',
        "two\nlines",
        "cr\rhere",
        "=SUM(A1)",
        '-"quoted"',
        "-12.5",
        ["x, y", "=z"],
        None,
        Decimal("1.500"),
        7,
        "ends,",
        "\ttab",
    ]
    expected = io.StringIO()
    csv.writer(expected).writerow([exports.csv_cell(c) for c in cells])
    written = "".join(exports.stream_csv_fields(["h"], [[[exports.csv_field(c) for c in cells]]]))
    assert written == "h\r\n" + expected.getvalue()


# --- Incidents read as values: what the model instances gave, byte for byte ------------


def add_edge_incidents(archive):
    """Incidents whose rows take every branch of the incident export: dates to the month
    or the year, an end date, coordinates, a dataset's own attack type (text, blank, a
    number), four published perpetrators (one uncertain) and a draft one, four published
    citations (one without a paragraph) and a draft one, claims with an open high and on
    a draft passage, an external id and dataset, text a spreadsheet would run."""
    second = make_report(
        title="Patterns of Global Terrorism 1996 - Peru",
        body="The second report says the Front attacked.\n\nAnd a second paragraph.",
    )
    Report.objects.filter(pk=second.pk).update(
        title="=Patterns of Global Terrorism 1996", disclaimer="-Second disclaimer"
    )
    second.refresh_from_db()
    third = make_report(title="Patterns of Global Terrorism 1995 - Peru", body="A third one.")
    Report.objects.filter(pk=third.pk).update(title="Zeta report")
    third.refresh_from_db()
    fronts = [
        make_group(name=name, acronym=acronym)
        for name, acronym in (
            ("Alpha Front", "AF"),
            ("Beta Front", ""),
            ("Gamma Front", "GF"),
            ("Delta Front", "DF"),
        )
    ]
    bus = make_incident(
        title="+Hijacked bus",
        slug="hijacked-bus",
        start_date="1997-08-01",
        start_precision="month",
        end_date="1997-09-15",
        type="other",
        source_row={"attacktype1_txt": "Hijacking", "eventid": "199708010001"},
        latitude=Decimal("-12.046374"),
        longitude=Decimal("-77.042800"),
        region="Lima",
        city="@Lima",
        target_type="\tTransportation",
        summary="=SUM(A1:A3)",
        outcome="-2+3",
        title_es="Autobús secuestrado",
        summary_es="Un resumen",
        outcome_es="-1",
        killed=3,
        hostages=40,
    )
    for n, group in enumerate(fronts):
        Perpetration.objects.create(incident=bus, group=group, uncertain=n == 1)
    Perpetration.objects.create(incident=bus, group=archive.draft_group)
    cited = [
        make_citation(second, "attacked", incident=bus),
        make_citation(third, "A third one", incident=bus),
        make_citation(second, "a second paragraph", incident=bus),
        make_citation(archive.report, "MRTA", incident=bus),
        make_citation(archive.draft_report, "secret paragraph", incident=bus),
    ]
    # The only citation of its report here: the engines sort a missing paragraph
    # number first (SQLite) or last (PostgreSQL).
    Citation.objects.filter(pk=cited[3].pk).update(paragraph=None)
    for figure, low, high, citation in (
        (Figure.KILLED, 3, 5, cited[0]),
        (Figure.KILLED, 4, None, cited[1]),
        (Figure.HOSTAGES, 40, 40, cited[2]),
        (Figure.INJURED, 1, 2, cited[4]),
    ):
        FigureClaim.objects.create(
            incident=bus, figure=figure, low=low, high=high, citation=citation
        )
    yearly = make_incident(
        title="Yearly incident",
        start_date="1995-01-01",
        start_precision="year",
        end_date="1995-01-01",
        type="other",
        source_row={"attacktype1_txt": ""},
        external_id="199501010002",
        external_source="GTD",
    )
    Perpetration.objects.create(incident=yearly, group=archive.draft_group, uncertain=True)
    make_incident(
        title="Numbered attack",
        start_date="1996-03-09",
        type="other",
        source_row={"attacktype1_txt": 7},
        killed=0,
    )
    make_incident(title="Bombing of a bank", start_date="1996-03-10", type="bombing")


def expected_incident_export(in_order_of_entry):
    """(CSV text, JSON results) of tests/data/incidents_export.json: the incident export
    of the archive of add_edge_incidents() as the exports wrote it from model instances
    (in the list's order, newest first), each "archive-{slug}" made the eventid of the
    incident with that slug; `in_order_of_entry`: its rows in the incidents' order of
    entry, as an export without a sort gives them."""
    data = json.loads(EXPECTED.read_text())
    eventids = {
        f"archive-{{{slug}}}": f"archive-{pk}"
        for pk, slug in Incident.objects.values_list("pk", "slug")
    }
    header, *rows = data["csv"]
    results = data["json"]
    if in_order_of_entry:
        entered = list(Incident.objects.order_by("pk").values_list("slug", flat=True))
        slug = header.index("slug")
        rows.sort(key=lambda row: entered.index(row[slug]))
        results.sort(key=lambda row: entered.index(row["slug"]))
    text = io.StringIO()
    csv.writer(text).writerows([eventids.get(row[0], row[0]), *row[1:]] for row in [header, *rows])
    for row in results:
        row["eventid"] = eventids.get(row["eventid"], row["eventid"])
    return text.getvalue(), results


@pytest.mark.parametrize("chunk_size", [3, 2000])
@pytest.mark.parametrize("query", ["", "?sort=-date"])
def test_incident_export_writes_what_the_model_instances_gave(
    client, claimed, archive, monkeypatch, chunk_size, query
):
    """The rows as the export built them from Incident instances and their prefetched
    relations, before it read plain values: every column, its text and its type."""
    add_edge_incidents(archive)
    monkeypatch.setattr(exports, "CHUNK_SIZE", chunk_size)
    expected_csv, expected_json = expected_incident_export(in_order_of_entry=not query)

    assert body(client.get(f"/incidents/export.csv{query}")) == expected_csv
    results = json.loads(body(client.get(f"/incidents/export.json{query}")))["results"]
    # Compared as JSON text: 1 and true, or "1" and 1, are not the same cell.
    assert json.dumps(results, ensure_ascii=False) == json.dumps(expected_json, ensure_ascii=False)
