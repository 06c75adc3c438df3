"""The group list and group page: aliases, leaders, the incident timeline, sources."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from reports.figures import COMPUTE_QUERIES
from reports.models import Country, GroupAlias, Leader, Perpetration, Status
from tests.factories import make_citation, make_group, make_incident, make_report

LIST_QUERIES = 7  # incl. the archive version (reports/caching.py)
# incl. the casualty chart, the archive version and the probe for sourced parts
DETAIL_QUERIES = 8
# A group with strength claims, relations or designations: those, both ways.
PARTS_QUERIES = 4


def names(response):
    return [group.name for group in response.context["page_obj"]]


@pytest.fixture
def mrta(seed_report):
    group = make_group(
        name="Tupac Amaru Revolutionary Movement",
        slug="mrta",
        acronym="MRTA",
        country=Country.objects.resolve("PE"),
        activity="inactive",
        description="A guerrilla movement founded in 1982.",
    )
    GroupAlias.objects.create(
        group=group, name="Movimiento Revolucionario Tupac Amaru", language="es"
    )
    Leader.objects.create(group=group, name="Nestor Cerpa Cartolini", role="operational leader")
    make_citation(seed_report, "Nestor Cerpa Cartolini", group=group, facts=["leaders"])
    return group


def test_group_list_shows_published_groups_only(client, db):
    make_group(name="Shown")
    make_group(name="Drafted", status=Status.DRAFT)
    make_group(name="Reviewed", status=Status.REVIEW)
    response = client.get(reverse("reports:group-list"))
    assert response.status_code == 200
    assert names(response) == ["Shown"]
    assert "Drafted" not in response.content.decode()


def test_group_list_filters_by_text_alias_country_and_status(client, mrta):
    make_group(name="Sendero Luminoso", activity="active")
    make_group(name="Frente Chileno", country=Country.objects.resolve("CL"))
    url = reverse("reports:group-list")
    assert names(client.get(url, {"q": "revolucionario"})) == [mrta.name]
    assert names(client.get(url, {"q": "mrta"})) == [mrta.name]
    assert names(client.get(url, {"country": "CL"})) == ["Frente Chileno"]
    assert names(client.get(url, {"activity": "active"})) == ["Sendero Luminoso"]


@pytest.mark.parametrize(
    ("params", "message"),
    [({"country": "QQ"}, "Select a valid choice."), ({"activity": "asleep"}, "Select a valid")],
)
def test_group_list_bad_filter_value_shows_the_form_error(client, db, params, message):
    make_group()
    response = client.get(reverse("reports:group-list"), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert names(response) == []


def test_group_list_pagination_keeps_the_filters(client, db):
    for n in range(30):
        make_group(name=f"Front {n:02}", activity="active")
    response = client.get(reverse("reports:group-list"), {"activity": "active"})
    assert response.context["page_obj"].paginator.count == 30
    assert 'href="?activity=active&amp;page=2"' in response.content.decode()


def test_group_list_footer_carries_the_disclaimers_of_cited_reports(client, mrta):
    html = client.get(reverse("reports:group-list")).content.decode()
    assert "This is not a UNHCR publication." in html[html.index("<footer") :]


def test_group_list_shows_the_activity_and_pages_in_name_order(client, db):
    for n in range(30):
        make_group(name=f"Group {n:02}", activity="dissolved" if n == 0 else "active")
    url = reverse("reports:group-list")
    response = client.get(url)
    assert names(response) == [f"Group {n:02}" for n in range(25)]
    assert "Dissolved" in response.content.decode()
    assert names(client.get(url, {"page": 2})) == [f"Group {n:02}" for n in range(25, 30)]
    assert response.context["page_obj"].paginator.count == 30


@pytest.mark.parametrize("rows", [1, 30])
def test_group_list_makes_a_fixed_number_of_queries(
    client, seed_report, django_assert_max_num_queries, rows
):
    for n in range(rows):
        group = make_group(name=f"Group {n}", country=Country.objects.resolve("PE"))
        GroupAlias.objects.create(group=group, name=f"Alias {n}")
        make_citation(seed_report, "Sendero Luminoso", group=group)
    # The first request after a change stores the filter's choices (1 figure).
    with django_assert_max_num_queries(LIST_QUERIES + 1 * (1 + COMPUTE_QUERIES)):
        client.get(reverse("reports:group-list"), {"country": "PE"})
    cache.clear()  # the page itself would come from the page cache
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("reports:group-list"), {"country": "PE"})
    assert len(response.context["page_obj"]) == min(rows, 25)


def test_group_page_shows_names_leaders_description_and_citations(client, mrta):
    html = client.get(mrta.get_absolute_url()).content.decode()
    assert "<h1>Tupac Amaru Revolutionary Movement (MRTA)</h1>" in html
    assert '<span lang="es">Movimiento Revolucionario Tupac Amaru</span>' in html
    assert "Nestor Cerpa Cartolini, operational leader" in html
    assert "A guerrilla movement founded in 1982." in html
    assert "<blockquote" in html
    assert 'href="/reports/patterns-of-global-terrorism-1997-peru/#p1"' in html
    assert "Disclaimer of the source document" in html
    assert mrta.get_absolute_url() in html  # in the "Cite this" line


def test_group_page_keeps_the_paragraphs_and_line_breaks_of_the_description(client, db):
    group = make_group(description="Founded in 1982.\nIn Lima.\r\n\r\n\nSplit in <1990> & after.")
    html = client.get(group.get_absolute_url()).content.decode()
    paragraphs = "<p>Founded in 1982.<br>In Lima.</p>\n\n<p>Split in &lt;1990&gt; &amp; after.</p>"
    assert paragraphs in html  # as Django's linebreaks filter wrote them


def test_group_page_timeline_is_in_date_order_and_hides_drafts(client, mrta):
    later = make_incident(title="Later event", start_date="1997-04-22")
    earlier = make_incident(title="Earlier event", start_date="1996-12-17")
    hidden = make_incident(title="Hidden event", start_date="1997-01-01", status=Status.DRAFT)
    for incident in (later, earlier, hidden):
        Perpetration.objects.create(incident=incident, group=mrta)
    html = client.get(mrta.get_absolute_url()).content.decode()
    assert html.index("Earlier event") < html.index("Later event")
    assert "17 December 1996" in html
    assert "Hidden event" not in html


def test_group_page_has_provenance_per_source_report(client, mrta):
    html = client.get(mrta.get_absolute_url()).content.decode()
    assert html.count('<dl class="provenance__source">') == 1
    assert "This entry: published" in html


def test_draft_group_page_is_not_found(client, db):
    for status in (Status.DRAFT, Status.REVIEW):
        group = make_group(name=f"Group {status}", status=status)
        assert client.get(group.get_absolute_url()).status_code == 404


def test_group_text_is_escaped(client, db):
    group = make_group(name="<script>alert(1)</script>", slug="x", description="<img src=x>")
    html = client.get(group.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html and "<img src=x>" not in html


@pytest.mark.parametrize("rows", [1, 30])
def test_group_page_makes_a_fixed_number_of_queries(
    client, db, django_assert_max_num_queries, rows
):
    group = make_group()
    for n in range(rows):
        GroupAlias.objects.create(group=group, name=f"Alias {n}")
        Leader.objects.create(group=group, name=f"Leader {n}")
        incident = make_incident(title=f"Incident {n}", start_date=f"{1960 + n}-01-01")
        Perpetration.objects.create(incident=incident, group=group)
        report = make_report(
            title=f"Patterns of Global Terrorism {1960 + n} - Peru", body=f"Passage {n}."
        )
        make_citation(report, f"Passage {n}.", group=group)
    # The first request after a change computes the chart's yearly totals and stores them.
    with django_assert_max_num_queries(DETAIL_QUERIES + 1 + COMPUTE_QUERIES):
        client.get(group.get_absolute_url())
    cache.clear()  # the page itself would come from the page cache
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(group.get_absolute_url())
    assert len(response.context["sources"]) == rows
    assert len(response.context["timeline"]) == rows
