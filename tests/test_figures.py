"""Derived figures (reports/figures.py): stored per archive change, fresh after every change."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import DatabaseError
from django.urls import reverse

from reports.figures import archive_counts, derived, derived_together, group_years
from reports.models import ArchiveState, Country, Figures, Perpetration, Status
from tests.factories import make_group, make_incident, make_report

pytestmark = pytest.mark.django_db


def test_derived_computes_once_per_archive_change():
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    assert derived("probe", compute) == {"n": 1}
    assert derived("probe", compute) == {"n": 1}
    assert len(calls) == 1
    ArchiveState.bump()
    assert derived("probe", compute) == {"n": 2}
    stored = Figures.objects.get(key="probe")
    assert (stored.version, stored.changed_at) == ArchiveState.current()


def test_derived_reads_one_row_between_changes(django_assert_num_queries):
    derived("probe", lambda: [1, 2])
    with django_assert_num_queries(1):
        assert derived("probe", lambda: pytest.fail("computed again")) == [1, 2]


def test_derived_together_reads_every_stored_figure_in_one_query(django_assert_num_queries):
    derived("one", lambda: [1])
    derived("two", lambda: {"n": 2})
    with django_assert_num_queries(1):
        together = derived_together(
            {"two": lambda: pytest.fail("computed again"), "one": lambda: pytest.fail("again")}
        )
    assert together == {"two": {"n": 2}, "one": [1]}
    assert list(together) == ["two", "one"]


def test_derived_together_computes_only_what_is_not_stored_for_this_change():
    derived("one", lambda: [1])
    ArchiveState.bump()
    derived("two", lambda: [2])
    computed = []
    together = derived_together(
        {"one": lambda: computed.append("one") or [10], "two": lambda: computed.append("two")}
    )
    assert together == {"one": [10], "two": [2]}
    assert computed == ["one"]
    assert derived("one", lambda: pytest.fail("computed again")) == [10]


def claim_of(key):
    version, changed_at = ArchiveState.current()
    return f"figures-computing:{key}:{version}:{changed_at.timestamp()}"


def test_a_request_waits_for_the_figures_another_is_computing():
    ArchiveState.bump()
    cache.add(claim_of("probe"), True)

    def other_process_stores(seconds):
        version, changed_at = ArchiveState.current()
        Figures.objects.create(key="probe", version=version, changed_at=changed_at, data=[7])
        cache.delete(claim_of("probe"))

    with mock.patch("reports.figures.sleep", side_effect=other_process_stores):
        assert derived("probe", lambda: pytest.fail("computed twice")) == [7]


def test_a_request_computes_itself_when_the_other_gives_up():
    ArchiveState.bump()
    cache.add(claim_of("probe"), True)
    with mock.patch("reports.figures.sleep", side_effect=lambda _: cache.delete(claim_of("probe"))):
        assert derived("probe", lambda: {"n": 3}) == {"n": 3}
    assert Figures.objects.get(key="probe").data == {"n": 3}
    assert cache.get(claim_of("probe")) is None  # let go for the next change's requests


def test_a_figure_that_cannot_be_stored_is_still_returned():
    locked = DatabaseError("database is locked")
    with mock.patch.object(Figures.objects, "create", side_effect=locked):
        assert derived("probe", lambda: {"n": 1}) == {"n": 1}
    assert not Figures.objects.filter(key="probe").exists()


def test_figures_without_an_archive_stamp_are_computed_each_time():
    ArchiveState.objects.all().delete()  # a database no write has touched yet
    assert derived("probe", lambda: 1) == 1
    assert derived("probe", lambda: 2) == 2


def test_writing_figures_does_not_move_the_archive_stamp():
    before = ArchiveState.current()
    archive_counts()
    assert ArchiveState.current() == before


def test_home_counts_follow_a_publish_and_an_unpublish_on_the_next_request(client):
    incident = make_incident(title="Counted", status=Status.DRAFT)
    url = reverse("reports:home")
    assert client.get(url).context["incident_count"] == 0
    incident.status = Status.PUBLISHED
    incident.save()
    assert client.get(url).context["incident_count"] == 1
    incident.status = Status.DRAFT
    incident.save()
    assert client.get(url).context["incident_count"] == 0


def test_group_chart_follows_an_edit_and_an_unpublish_on_the_next_request(client):
    group = make_group(name="Counted group")
    incident = make_incident(title="Bomb", start_date="1997-05-01", killed=2)
    Perpetration.objects.create(incident=incident, group=group)
    url = group.get_absolute_url()

    def chart_row():
        html = client.get(url).content.decode()
        table = html[html.index("<table") : html.index("</table>")]
        return " ".join(table[table.index("1997") :].split("</tr>")[0].split())

    assert "<td>2</td>" in chart_row()
    [row] = group_years(group)
    assert (row["year"], row["killed_known"], row["injured_given"]) == (1997, 2, 0)
    incident.killed = 7
    incident.save()
    assert "<td>7</td>" in chart_row()
    incident.status = Status.DRAFT
    incident.save()
    assert "No published incident" in client.get(url).content.decode()
    assert group_years(group) == []


def test_list_filter_choices_follow_a_publish_and_an_unpublish_on_the_next_request(client):
    make_incident(title="Lima")
    incident = make_incident(title="Bogota", country=Country.objects.resolve("CO"), status="draft")
    url = reverse("reports:incident-list")

    def countries():
        return dict(client.get(url).context["filter"].form.fields["country"].choices)

    before = countries()
    assert "PE" in before and "CO" not in before
    assert client.get(url, {"country": "CO"}).status_code == 400  # not a choice yet
    incident.status = Status.PUBLISHED
    incident.save()
    assert countries()["CO"] == "Colombia"
    assert client.get(url, {"country": "CO"}).status_code == 200
    incident.status = Status.DRAFT
    incident.save()
    assert "CO" not in countries()


def test_report_filter_series_follow_a_new_report_on_the_next_request(client):
    url = reverse("reports:report-list")
    make_report(title="Patterns of Global Terrorism 1997 - Peru")
    assert "Country Reports on Terrorism" not in client.get(url).content.decode()
    make_report(title="Country Reports on Terrorism 2005 - Peru")
    assert "Country Reports on Terrorism" in client.get(url).content.decode()
