"""Country pages (/countries/<code>/) and the charts on country and group pages."""

import pytest
from django.urls import reverse

from reports.models import Country, IncidentType, Perpetration, Status
from tests.factories import make_citation, make_group, make_incident, make_report

pytestmark = pytest.mark.django_db


def country_url(code):
    return reverse("reports:country-detail", kwargs={"code": code})


@pytest.fixture
def peru_archive(peru):
    """Published and draft entries in Peru, and one published incident elsewhere."""
    report = make_report(
        title="Patterns of Global Terrorism 1997 - Peru",
        body="The MRTA bombed a police station in Lima.\n\nSendero kidnapped 30 workers.",
        disclaimer="This is not a UNHCR publication.",
    )
    mrta = make_group(name="MRTA", country=peru)
    make_group(name="Draft Group", country=peru, status=Status.DRAFT)
    bomb = make_incident(title="Lima car bomb", start_date="1997-05-01", type=IncidentType.BOMBING)
    Perpetration.objects.create(incident=bomb, group=mrta)
    make_citation(report, "bombed a police station", incident=bomb)
    make_incident(title="Junin kidnapping", start_date="1997-08-01", type=IncidentType.KIDNAPPING)
    make_incident(title="Older bomb", start_date="1995-02-01", type=IncidentType.BOMBING)
    make_incident(title="Draft massacre", start_date="1996-01-01", status=Status.DRAFT)
    make_incident(
        title="Bogota bomb", start_date="1996-01-01", country=Country.objects.resolve("CO")
    )
    make_report(title="Patterns of Global Terrorism 1998 - Peru", status=Status.DRAFT)
    return report


def test_country_page_lists_published_reports_incidents_and_groups_only(client, peru_archive):
    response = client.get(country_url("PE"))

    assert response.status_code == 200
    context = response.context
    assert [r.title for r in context["reports"]] == ["Patterns of Global Terrorism 1997 - Peru"]
    assert [i.title for i in context["incidents"]] == [
        "Junin kidnapping",
        "Lima car bomb",
        "Older bomb",
    ]
    assert context["incident_count"] == 3
    assert [g.name for g in context["groups"]] == ["MRTA"]
    html = response.content.decode()
    assert "Draft massacre" not in html and "Draft Group" not in html
    assert "Bogota bomb" not in html and "1998 - Peru" not in html


def test_country_page_chart_counts_published_incidents_of_the_country_by_year_and_type(
    client, peru_archive
):
    chart = client.get(country_url("PE")).context["chart"]

    assert chart.columns == ["Kidnapping", "Bombing", "Total", "Killed", "Injured"]
    # 1996 holds only a draft and a Colombian incident: zero for Peru.
    assert {row.year: row.cells[:3] for row in chart.rows} == {
        1995: [0, 1, 1],
        1996: [0, 0, 0],
        1997: [1, 1, 2],
    }


def test_country_page_shows_chart_table_provenance_and_disclaimer(client, peru_archive):
    html = client.get(country_url("PE")).content.decode()

    assert '<svg class="chart-svg"' in html
    assert '<th scope="row">1997</th><td>1</td><td>1</td><td>2</td>' in html
    assert "css/charts.css" in html
    assert "Provenance" in html and peru_archive.sha256 in html
    assert peru_archive.disclaimer and peru_archive.disclaimer in html


def test_country_page_links_to_all_incidents_when_it_shows_only_the_latest(client, peru):
    for day in range(1, 13):
        make_incident(title=f"Incident {day}", start_date=f"1997-01-{day:02d}")

    response = client.get(country_url("PE"))

    assert len(response.context["incidents"]) == 10
    assert response.context["incident_count"] == 12
    assert f"{reverse('reports:incident-list')}?country=PE" in response.content.decode()


def test_country_page_query_count_does_not_grow_with_entries(
    client, peru_archive, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        client.get(country_url("PE"))
    for day in range(1, 9):
        make_incident(title=f"More {day}", start_date=f"1998-01-{day:02d}")
        make_group(name=f"Group {day}", country=Country.objects.get(code="PE"))
    with django_assert_max_num_queries(12):
        client.get(country_url("PE"))


def test_unknown_country_code_is_404(client, peru_archive):
    assert client.get(country_url("XX")).status_code == 404


def test_country_with_only_drafts_is_404(client, db):
    colombia = Country.objects.resolve("CO")
    make_incident(title="Draft", country=colombia, status=Status.DRAFT)
    make_group(name="Draft group", country=colombia, status=Status.REVIEW)
    assert client.get(country_url("CO")).status_code == 404


def test_country_with_only_a_published_group_has_a_page(client, peru):
    make_group(name="MRTA", country=peru)
    response = client.get(country_url("PE"))
    assert response.status_code == 200
    assert response.context["chart"].is_empty
    assert '<svg class="chart-svg"' not in response.content.decode()


def test_lower_case_code_redirects_to_the_canonical_page(client, peru_archive):
    response = client.get(country_url("pe"))
    assert response.status_code == 301
    assert response["Location"] == country_url("PE")


def test_group_page_charts_its_published_incidents_and_casualties(client, peru):
    mrta = make_group(name="MRTA", country=peru)
    for title, date, killed, injured, status in [
        ("Car bomb", "1997-05-01", 2, 30, Status.PUBLISHED),
        ("Hostage crisis", "1996-12-17", 1, None, Status.PUBLISHED),
        ("Draft attack", "1997-06-01", 50, 50, Status.DRAFT),
    ]:
        incident = make_incident(
            title=title, start_date=date, killed=killed, injured=injured, status=status
        )
        Perpetration.objects.create(incident=incident, group=mrta)

    html = client.get(mrta.get_absolute_url()).content.decode()

    assert '<title id="group-chart-title">Incidents attributed to MRTA' in html
    assert "css/charts.css" in html
    # Killed 1 in 1996; injured not given there (unknown, not zero); the draft is left out.
    assert '<th scope="row">1996</th><td>1</td><td>1</td><td><span class="tally-unknown">' in html
    assert '<th scope="row">1997</th><td>1</td><td>2</td><td>30</td>' in html
    assert "Draft attack" not in html


def test_country_names_link_to_the_country_page_wherever_they_are_shown(client, peru_archive):
    mrta = peru_archive.citations.get().incident.perpetrators.get()
    link = f'href="{country_url("PE")}">Peru</a>'
    pages = [
        reverse("reports:home"),
        reverse("reports:report-list"),
        peru_archive.get_absolute_url(),
        reverse("reports:incident-list"),
        reverse("reports:incident-detail", kwargs={"slug": "lima-car-bomb"}),
        reverse("reports:group-list"),
        mrta.get_absolute_url(),
    ]
    for url in pages:
        assert link in client.get(url).content.decode(), url
