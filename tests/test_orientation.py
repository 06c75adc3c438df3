"""The orientation pages: methodology and codebook, about, and the countries index."""

import html

import pytest
from django.urls import reverse

from reports.models import (
    Country,
    DatePrecision,
    Fact,
    Figure,
    GroupActivity,
    IncidentType,
    RelationKind,
    Status,
)
from tests.factories import make_group, make_incident, make_report

pytestmark = pytest.mark.django_db

CODED = (DatePrecision, IncidentType, GroupActivity, Fact, Figure, RelationKind, Status)


def test_codebook_shows_every_code_the_models_define_with_its_label(client):
    page = html.unescape(client.get(reverse("reports:methodology")).content.decode())
    for choices in CODED:
        for choice in choices:
            assert f"<code>{choice.value}</code>" in page, choice
            assert str(choice.label) in page, choice


def test_methodology_explains_unknown_dates_attribution_figures_status_and_coverage(client):
    response = client.get(reverse("reports:methodology"))
    assert response.status_code == 200
    for anchor in ("curation", "unknown", "dates", "attribution", "figures", "status", "coverage"):
        assert f'id="{anchor}"' in response.content.decode()
    assert "never as zero" in response.content.decode()


def test_about_page_links_to_methodology_and_countries(client):
    page = client.get(reverse("reports:about")).content.decode()
    assert f'href="{reverse("reports:methodology")}"' in page
    assert f'href="{reverse("reports:country-list")}"' in page


def test_footer_and_home_link_the_orientation_pages(client):
    page = client.get(reverse("reports:home")).content.decode()
    for name in ("methodology", "about", "country-list"):
        # once in the home page's text, once in the footer
        assert page.count(f'href="{reverse(f"reports:{name}")}"') >= 2, name


def test_countries_index_lists_countries_with_published_material_and_their_counts(client, peru):
    colombia = Country.objects.resolve("CO")
    chile = Country.objects.resolve("CL")
    make_report(title="Patterns of Global Terrorism 1997 - Peru")
    make_report(title="Patterns of Global Terrorism 1998 - Peru", status=Status.DRAFT)
    make_incident(title="Lima bomb")
    make_incident(title="Junin raid")
    make_incident(title="Draft raid", status=Status.DRAFT)
    make_group(name="MRTA", country=peru)
    make_incident(title="Bogota bomb", country=colombia)
    make_incident(title="Santiago draft", country=chile, status=Status.DRAFT)

    response = client.get(reverse("reports:country-list"))
    rows = {row.code: row for row in response.context["countries"]}
    assert set(rows) == {"PE", "CO"}  # Chile has only a draft
    assert (rows["PE"].reports, rows["PE"].incidents, rows["PE"].groups) == (1, 2, 1)
    assert (rows["CO"].reports, rows["CO"].incidents, rows["CO"].groups) == (0, 1, 0)
    page = response.content.decode()
    assert f'<a href="{peru.get_absolute_url()}">Peru</a>' in page
    assert page.index("Colombia") < page.index("Peru")


def test_countries_index_makes_a_fixed_number_of_queries(
    client, peru, django_assert_max_num_queries
):
    for code in ("CO", "CL", "BO", "EC"):
        make_incident(title=f"Bomb {code}", country=Country.objects.resolve(code))
    with django_assert_max_num_queries(6):
        assert client.get(reverse("reports:country-list")).status_code == 200
