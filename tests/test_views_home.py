"""The home page, the shared layout, and the error pages."""

import re

import pytest
from django.core.cache import cache
from django.template.loader import get_template
from django.urls import reverse

from reports.figures import COMPUTE_QUERIES
from reports.models import Status
from tests.factories import make_group, make_incident, make_report


def test_home_counts_only_published_entries(client, db):
    make_report(title="Patterns of Global Terrorism 1998 - Peru")
    make_report(title="Patterns of Global Terrorism 1999 - Peru", status=Status.DRAFT)
    make_incident(title="Shown")
    make_incident(title="Hidden incident", status=Status.REVIEW)
    make_group(name="Shown group")
    make_group(name="Hidden group", status=Status.DRAFT)
    response = client.get(reverse("reports:home"))
    assert response.status_code == 200
    assert (response.context["report_count"], response.context["incident_count"]) == (1, 1)
    assert response.context["group_count"] == 1
    html = response.content.decode()
    assert "<strong>1</strong> report</a>" in html
    assert "1999" not in html and "Hidden incident" not in html and "Hidden group" not in html


def test_home_lists_latest_reports_and_offers_a_search_box(client, seed_report):
    html = client.get(reverse("reports:home")).content.decode()
    assert f'href="{seed_report.get_absolute_url()}"' in html
    assert '<label for="home-q">' in html and 'id="home-q"' in html
    assert "This is not a UNHCR publication." in html[html.index("<footer") :]


def test_layout_has_landmarks_navigation_and_a_skip_link(client, db):
    html = client.get(reverse("reports:home")).content.decode()
    assert '<html lang="en">' in html
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    for name in ("report-list", "incident-list", "group-list", "search"):
        assert f'href="{reverse(f"reports:{name}")}"' in html
    assert '<label for="site-search-q">' in html
    assert "<footer" in html and "Political Violence Report Archive republishes" in html
    assert '<meta name="description" content="Browse and search' in html


@pytest.mark.parametrize(
    "url",
    ["/", "/reports/", "/incidents/", "/groups/", "/search/?q=Lima", "/reports/?year=abc"],
)
def test_pages_have_no_inline_script_or_style_and_ordered_headings(client, seed_report, url):
    html = client.get(url).content.decode()
    # A script may be loaded from a file (<script src>, as the CSP allows); never inline.
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)
    assert "<style" not in html and "style=" not in html
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_every_filter_field_has_a_label(client, db):
    for name in ("report-list", "incident-list", "group-list"):
        html = client.get(reverse(f"reports:{name}")).content.decode()
        for field_id in re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', html):
            assert f'for="{field_id}"' in html, (name, field_id)


def test_unknown_page_is_a_styled_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html and 'class="site-header"' in html


def test_500_page_renders_without_any_context():
    html = get_template("500.html").render()
    assert "<h1>Server error</h1>" in html
    assert "/static/css/archive.css" in html


def test_home_makes_a_fixed_number_of_queries(client, db, django_assert_max_num_queries):
    for n in range(8):
        make_report(title=f"Patterns of Global Terrorism {1960 + n} - Peru")
        make_incident(title=f"Incident {n}")
    # The first request after a change computes the three counts and stores them.
    with django_assert_max_num_queries(5 + 3 + COMPUTE_QUERIES):
        client.get(reverse("reports:home"))
    cache.clear()  # the page itself would come from the page cache
    with django_assert_max_num_queries(5):  # incl. the archive version
        client.get(reverse("reports:home"))
