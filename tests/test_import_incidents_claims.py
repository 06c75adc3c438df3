"""import_incidents: nkill, nwound and nhostkid become claims resting on the dataset row."""

import pytest
from django.core.management import CommandError

from reports.claims import estimate
from reports.models import INCIDENT_FIGURES, FigureClaim, Incident
from tests.factories import make_citation, make_report
from tests.test_import_incidents import BOMB, SIEGE, run, write
from tests.test_import_incidents_bulk import before_incident_inserts

BOMB_ID, SIEGE_ID = "199705120001", "199612170001"


def claims_of(external_id):
    return sorted(
        FigureClaim.objects.filter(incident__external_id=external_id).values_list(
            "figure", "low", "high", "from_dataset", "citation"
        )
    )


def test_known_counts_become_exact_dataset_claims_and_unknowns_none(tmp_path, db):
    run(write(tmp_path, BOMB, SIEGE))
    # BOMB: nkill 12.0, nwound -99 (unknown), nhostkid blank.
    assert claims_of(BOMB_ID) == [("killed", 12, 12, True, None)]
    # SIEGE: nkill -9 (unknown), nwound blank, nhostkid 72.
    assert claims_of(SIEGE_ID) == [("hostages", 72, 72, True, None)]


def test_the_row_keeps_the_best_estimate_of_its_claims(tmp_path, db):
    run(write(tmp_path, BOMB, SIEGE, BOMB.replace("12.0,-99,", "0,3,5").replace(BOMB_ID, "2")))
    for incident in Incident.objects.all():
        for figure in INCIDENT_FIGURES:
            found = estimate(incident.claims.filter(figure=figure))
            assert getattr(incident, figure) == (found and found.best), (incident, figure)
    assert claims_of("2") == [
        ("hostages", 5, 5, True, None),
        ("injured", 3, 3, True, None),
        ("killed", 0, 0, True, None),  # zero is a figure; only unknown gives no claim
    ]


def test_a_fractional_count_is_a_bad_row_and_leaves_no_claim(tmp_path, db):
    # The codebook's counts are whole; "12.0" is read as 12, "12.5" refused.
    _, err = run(write(tmp_path, SIEGE, BOMB.replace("12.0,-99", "12.5,-99")))
    assert "nkill '12.5' is not a whole number" in err
    assert not Incident.objects.filter(external_id=BOMB_ID).exists()
    assert FigureClaim.objects.count() == 1  # the siege's hostages


def test_rerun_of_the_same_file_keeps_the_same_claims(tmp_path, db):
    path = write(tmp_path, BOMB, SIEGE)
    run(path)
    before = list(FigureClaim.objects.order_by("pk").values_list("pk", "incident", "figure"))
    run(path)
    assert list(FigureClaim.objects.order_by("pk").values_list("pk", "incident", "figure")) == (
        before
    )


def test_changed_row_replaces_its_dataset_claims_and_keeps_an_editors(tmp_path, db):
    run(write(tmp_path, BOMB, SIEGE))
    bomb = Incident.objects.get(external_id=BOMB_ID)
    report = make_report(body="The car bomb killed at least 20 people.")
    citation = make_citation(report, "killed at least 20 people", incident=bomb)
    FigureClaim.objects.create(
        incident=bomb, figure="killed", low=20, wording="at least 20", citation=citation, best=True
    )
    bomb.refresh_from_db()
    assert bomb.killed == 20  # the editor's claim is marked best

    run(write(tmp_path, BOMB.replace("12.0,-99", "14,3"), SIEGE))
    assert claims_of(BOMB_ID) == [
        ("injured", 3, 3, True, None),
        ("killed", 14, 14, True, None),
        ("killed", 20, None, False, citation.pk),
    ]
    bomb.refresh_from_db()
    assert (bomb.killed, bomb.injured) == (20, 3)  # still the best estimates


def test_a_changed_row_without_a_count_loses_its_dataset_claim(tmp_path, db):
    run(write(tmp_path, BOMB))
    run(write(tmp_path, BOMB.replace("12.0,-99", "-99,-99")))
    assert claims_of(BOMB_ID) == []
    assert Incident.objects.get().killed is None


def test_strict_refusal_and_dry_run_leave_no_claim(tmp_path, db):
    bad = BOMB.replace("1997,5,12", "1997,13,12").replace(BOMB_ID, "3")
    with pytest.raises(CommandError):
        run(write(tmp_path, BOMB, SIEGE, bad), "--strict", "--batch-size", "1")
    run(write(tmp_path, BOMB, SIEGE), "--dry-run")
    assert not FigureClaim.objects.exists()


def test_a_failed_import_leaves_no_claim_behind(tmp_path, db, monkeypatch):
    calls = []

    def failing():
        calls.append(None)
        if len(calls) == 2:
            raise OSError("disk full")

    before_incident_inserts(monkeypatch, failing)
    with pytest.raises(OSError, match="disk full"):
        run(write(tmp_path, BOMB, SIEGE), "--batch-size", "1")
    assert not FigureClaim.objects.exists()
    assert not Incident.objects.exists()
