"""The read-only JSON API: published entries only, the lists' filters, and the schema."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation import GenerationMode

from reports.figures import COMPUTE_QUERIES
from reports.models import Group, Incident, Report
from tests.factories import make_incident
from tests.open_data_helpers import DRAFT_MARK, add_claims, archive_with_drafts


@pytest.fixture
def archive(db):
    return archive_with_drafts()


@pytest.fixture
def claimed(archive):
    return add_claims(archive)


def test_lists_show_published_entries_only(client, archive):
    for kind in ("reports", "incidents", "groups", "citations"):
        response = client.get(f"/api/{kind}/")
        assert response.status_code == 200, kind
        assert DRAFT_MARK not in response.content.decode(), kind
    slugs = [row["slug"] for row in client.get("/api/reports/").json()["results"]]
    assert slugs == [archive.report.slug]
    assert client.get("/api/incidents/").json()["count"] == 4
    assert client.get("/api/groups/").json()["count"] == 2


def test_draft_detail_is_a_404(client, archive):
    assert client.get(f"/api/reports/{archive.draft_report.slug}/").status_code == 404
    assert client.get(f"/api/incidents/{archive.draft_incident.slug}/").status_code == 404
    assert client.get(f"/api/groups/{archive.draft_group.slug}/").status_code == 404
    draft_citation = archive.draft_incident.citations.get()
    assert client.get(f"/api/citations/{draft_citation.pk}/").status_code == 404


def test_incident_detail_by_slug_hides_a_draft_perpetrator(client, archive):
    data = client.get(f"/api/incidents/{archive.hostage_crisis.slug}/").json()
    assert [p["slug"] for p in data["perpetrators"]] == ["mrta"]
    assert data["killed"] == 16 and data["injured"] is None
    assert data["start_date"] == "1996-12-17" and data["end_date"] == "1997-04-22"
    assert data["source_reports"] == ["http://testserver" + archive.report.get_absolute_url()]
    assert data["page"] == "http://testserver" + archive.hostage_crisis.get_absolute_url()


def test_report_detail_carries_the_text_and_its_provenance(client, archive):
    data = client.get(f"/api/reports/{archive.report.slug}/").json()
    assert data["sha256"] == archive.report.sha256
    assert data["publisher"] == "United States Department of State"
    assert data["paragraphs"][0]["anchor"] == "p1"
    assert "Japanese Ambassador" in data["paragraphs"][0]["text"]


def test_lists_take_the_pages_filters(client, archive):
    data = client.get("/api/incidents/?country=PE&year=1996").json()
    assert [row["slug"] for row in data["results"]] == [archive.hostage_crisis.slug]
    data = client.get("/api/incidents/?group=sendero-luminoso&sort=date").json()
    assert data["count"] == 3
    assert client.get("/api/groups/?q=Guzman").json()["count"] == 1
    data = client.get(f"/api/citations/?incident={archive.hostage_crisis.slug}").json()
    assert data["count"] >= 1
    assert all(
        row["incident"].endswith(f"/{archive.hostage_crisis.slug}/") for row in data["results"]
    )


def test_bad_filter_value_is_a_400(client, archive):
    response = client.get("/api/incidents/?year=abc")
    assert response.status_code == 400
    assert "year" in response.json()
    assert client.get(f"/api/citations/?group={archive.draft_group.slug}").status_code == 400


def test_lists_are_paginated(client, archive):
    first = client.get("/api/incidents/?page_size=2").json()
    assert first["count"] == 4 and len(first["results"]) == 2
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    slugs = {row["slug"] for row in first["results"] + second["results"]}
    assert len(slugs) == 4


def test_a_page_size_that_is_not_a_whole_number_is_a_400(client, archive):
    for value in ("abc", "0", "-3", "2.5"):
        response = client.get(f"/api/incidents/?page_size={value}")
        assert response.status_code == 400, value
        assert list(response.json()) == ["page_size"]
    # Empty is not given; more than 100 is 100.
    assert len(client.get("/api/incidents/?page_size=").json()["results"]) == 4
    assert len(client.get("/api/incidents/?page_size=1000").json()["results"]) == 4


def test_any_other_url_under_api_is_a_404_in_json(client, archive):
    for url in ("/api/nothing/", "/api/incidents/a.b/", "/api/incidents/a/b/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}
    # Without its slash, a URL is still sent to the one with it.
    assert client.get("/api/incidents").status_code == 301


DETAIL_ONLY = {
    "reports": {"paragraphs"},
    "incidents": {"citations"},
    "groups": {"relations_about", "citations"},
    "citations": set(),
}


@pytest.mark.parametrize("kind", DETAIL_ONLY)
@pytest.mark.parametrize("query", ["", "format=json"])
def test_a_lists_row_is_its_entrys_detail_less_the_details_own_fields(client, claimed, kind, query):
    """A list's rows are read as values, a detail through its serializer: the same JSON,
    keys in the same order, the links keeping the request's ?format=."""
    rows = client.get(f"/api/{kind}/?page_size=100&{query}").json()["results"]
    assert rows
    for row in rows:
        detail = client.get(row["url"]).json()
        expected = {key: value for key, value in detail.items() if key not in DETAIL_ONLY[kind]}
        assert list(row.items()) == list(expected.items()), row["url"]
        assert row["url"].endswith(f"/?{query}" if query else "/")


def test_list_makes_a_fixed_number_of_queries(client, claimed, django_assert_max_num_queries):
    # The first request after a change also stores the filter's country choices (one
    # query) and, as the reading room's list does, the archive's counts (three).
    with django_assert_max_num_queries(7 + 2 * COMPUTE_QUERIES + 4):
        assert client.get("/api/incidents/").status_code == 200
    # The two stored figures, the page's ids, then its rows, perpetrators, claims and
    # sources; filtered, the count takes the place of the stored one.
    for url in ("/api/incidents/", "/api/incidents/?country=PE&year=1997"):
        with django_assert_max_num_queries(7):
            assert client.get(url).status_code == 200


def test_schema_and_docs_are_served_without_a_cdn(client, archive):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "<style" not in html
    # Only data: images are added to the CSP, on this page only: Swagger UI's icons.
    assert "img-src 'self' data:" in docs["Content-Security-Policy"]
    assert "script-src 'self';" in docs["Content-Security-Policy"] + ";"
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


OPERATIONS = [
    f"/api/{kind}/{detail}"
    for kind, lookup in (
        ("reports", "{slug}"),
        ("incidents", "{slug}"),
        ("groups", "{slug}"),
        ("citations", "{id}"),
    )
    for detail in ("", lookup + "/")
] + ["/api/search/"]


@pytest.fixture
def api_schema(claimed):
    # The WSGI app closes "old" connections around each request; inside a test's
    # transaction that would close the test's own connection (as Django's test
    # client knows, and prevents the same way).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_schema_documents_every_operation(api_schema):
    documented = {result.ok().path for result in api_schema.get_all_operations()}
    assert documented == set(OPERATIONS)


# schemathesis's own pytest plugin reaches into pytest internals that pytest 9
# removed, so each operation's Hypothesis strategy is driven here with @given, with
# every check schemathesis has. Those of a stateful run, of authentication and of other
# methods find nothing to judge in a case of one GET; the rest judge each response:
# status code, media type, headers and body as documented (the 400s and 404s too), no
# server error, valid data answered and invalid data refused.
load_all_checks()
CHECKS_ALL = CHECKS.get_all()
CASES = [(path, mode) for path in OPERATIONS for mode in GenerationMode]


def archive_values(path):
    """The values the fixture's archive has for the parameters that name its data."""

    def published(model, field):
        values = model.objects.published().values_list(field, flat=True)
        return sorted({value for value in values if value is not None})

    countries = {"/api/incidents/": Incident, "/api/groups/": Group}.get(path, Report)
    return {
        "country": published(countries, "country"),
        "series": published(Report, "series"),
        "publisher": published(Report, "publisher__name"),
        "language": published(Report, "language"),
        "group": published(Group, "slug"),
        "report": published(Report, "slug"),
        "incident": published(Incident, "slug"),
    }


def as_the_archive_has_it(case, draw, values):
    """Make a case the schema allows one the archive answers: which countries, series,
    groups, ... exist is the archive's data, which the schema does not list (another
    value is a 400, tested above), and a range runs forwards (its end before its start
    is a 400, which a schema cannot say)."""
    query = case.query or {}
    for name in query.keys() & values.keys():
        if query[name] != "":  # an empty value is a parameter not given
            query[name] = draw(st.sampled_from(values[name]))
    for first, last in (("start", "end"), ("year_from", "year_to")):
        if query.get(first) not in (None, "") and query.get(last) not in (None, ""):
            query[first], query[last] = sorted((query[first], query[last]))


@pytest.mark.parametrize(("path", "mode"), CASES)
def test_api_conforms_to_its_schema(api_schema, path, mode):
    operation = api_schema[path]["GET"]
    values = archive_values(path)

    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case, data):
        if mode == GenerationMode.POSITIVE:
            as_the_archive_has_it(case, data.draw, values)
        case.call_and_validate(checks=CHECKS_ALL)

    check()


def test_schema_documents_a_400_and_a_404_in_json_on_every_operation(client, archive):
    schema = client.get("/api/schema/?format=json").json()
    for path in OPERATIONS:
        responses = schema["paths"][path]["get"]["responses"]
        assert {"200", "400", "404"} <= set(responses), path
        for status in ("400", "404"):
            assert "application/json" in responses[status]["content"], (path, status)


@pytest.mark.parametrize(
    ("path", "parameters", "status"),
    [
        ("/api/incidents/", {"query": {"country": "P\x00E"}}, 400),
        ("/api/incidents/", {"query": {"year": "abc"}}, 400),
        ("/api/incidents/", {"query": {"page_size": "abc"}}, 400),
        ("/api/incidents/", {"query": {"page": 99}}, 404),
        ("/api/incidents/{slug}/", {"path_parameters": {"slug": "a\x00b"}}, 400),
        ("/api/incidents/{slug}/", {"path_parameters": {"slug": "no-such-incident"}}, 404),
        ("/api/citations/", {"query": {"group": "no-such-group"}}, 400),
        ("/api/citations/{id}/", {"path_parameters": {"id": 999999}}, 404),
        ("/api/search/", {"query": {"q": "MRTA\x00"}}, 400),
        ("/api/search/", {"query": {"q": "MRTA", "year_from": 1998, "year_to": 1997}}, 400),
    ],
)
def test_refusals_are_as_the_schema_documents_them(api_schema, path, parameters, status):
    """A NUL byte is refused before any view, in the API's JSON error; the filters, the
    pages and the details refuse in theirs. Each is a response the schema documents."""
    case = api_schema[path]["GET"].Case(**parameters)
    response = case.call_and_validate(checks=CHECKS_ALL)
    assert response.status_code == status


def test_citation_list_makes_a_fixed_number_of_queries(
    client, archive, django_assert_max_num_queries
):
    # The first request after a change also stores the number of citations.
    with django_assert_max_num_queries(3 + COMPUTE_QUERIES + 1):
        client.get("/api/citations/")
    # The stored count, the page's ids and its rows.
    with django_assert_max_num_queries(3):
        data = client.get("/api/citations/").json()
    assert data["count"] >= 5
    assert all(row["passage"].startswith("http://testserver/reports/") for row in data["results"])


# --- Figure claims, relations and designations ------------------------------------


def citation_url(citation):
    return f"http://testserver/api/citations/{citation.pk}/"


def test_incident_carries_its_published_claims_and_their_estimates(client, claimed):
    data = client.get(f"/api/incidents/{claimed.incident.slug}/").json()

    assert data["figures"] == {
        "killed": {"best": 16, "low": 16, "high": 16},
        "injured": {"best": 21, "low": 21, "high": None},
        "hostages": {"best": 72, "low": 72, "high": 81},
    }
    assert (data["killed"], data["injured"], data["hostages"]) == (16, 21, 72)
    assert data["claims"] == [
        {
            "figure": "hostages",
            "low": 81,
            "high": 81,
            "point": None,
            "wording": "",
            "moment": "at the beginning of 1997",
            "moment_date": "1997-01-01",
            "best": False,
            "citation": citation_url(claimed.hostages[0].citation),
            "from_dataset": False,
        },
        {
            "figure": "hostages",
            "low": 72,
            "high": 72,
            "point": None,
            "wording": "",
            "moment": "at the rescue",
            "moment_date": "1997-04-22",
            "best": False,
            "citation": citation_url(claimed.hostages[1].citation),
            "from_dataset": False,
        },
        {
            "figure": "injured",
            "low": 21,
            "high": None,
            "point": None,
            "wording": "eight policemen and more than a dozen civilians",
            "moment": "",
            "moment_date": None,
            "best": False,
            "citation": citation_url(claimed.injured.citation),
            "from_dataset": False,
        },
        {
            "figure": "killed",
            "low": 16,
            "high": 16,
            "point": None,
            "wording": "",
            "moment": "",
            "moment_date": None,
            "best": False,
            "citation": citation_url(claimed.killed.citation),
            "from_dataset": False,
        },
    ]
    # Each claim's citation is one the API serves.
    for claim in data["claims"]:
        assert client.get(claim["citation"]).status_code == 200


def test_a_claim_on_a_draft_reports_passage_reaches_no_one(client, claimed):
    for url in (
        f"/api/incidents/{claimed.incident.slug}/",
        "/api/incidents/",
        f"/api/groups/{claimed.group.slug}/",
        "/api/groups/",
    ):
        text = client.get(url).content.decode()
        assert DRAFT_MARK not in text, url
    data = client.get(f"/api/incidents/{claimed.incident.slug}/").json()
    assert {(c["low"], c["high"]) for c in data["claims"] if c["figure"] == "killed"} == {(16, 16)}


def test_a_claim_resting_on_the_dataset_row_is_public(client, claimed):
    claimed.killed.citation = None
    claimed.killed.from_dataset = True
    claimed.killed.save()

    data = client.get(f"/api/incidents/{claimed.incident.slug}/").json()

    [killed] = [c for c in data["claims"] if c["figure"] == "killed"]
    assert killed["from_dataset"] is True and killed["citation"] is None
    assert data["figures"]["killed"] == {"best": 16, "low": 16, "high": 16}


def test_an_incident_without_claims_keeps_its_own_figures(client, archive):
    incident = make_incident(title="Unclaimed incident", killed=4, injured=None)

    data = client.get(f"/api/incidents/{incident.slug}/").json()

    assert (data["killed"], data["injured"]) == (4, None)
    assert data["figures"] == {"killed": None, "injured": None, "hostages": None}
    assert data["claims"] == []


def test_group_carries_strength_relations_and_designations(client, claimed):
    data = client.get(f"/api/groups/{claimed.group.slug}/").json()

    assert data["figures"] == {"strength": {"best": 14, "low": 14, "high": None}}
    assert [(c["low"], c["high"], c["wording"]) for c in data["claims"]] == [(14, None, "fourteen")]
    assert data["relations"] == [
        {
            "kind": "counterpart",
            "other": {
                "url": "http://testserver/api/groups/sendero-luminoso/",
                "slug": "sendero-luminoso",
                "name": claimed.relation.other.name,
                "acronym": claimed.relation.other.acronym,
            },
            "citation": citation_url(claimed.relation.citation),
        }
    ]
    assert data["designations"] == [
        {
            "authority": "Government of Peru",
            "list": "Terrorist groups",
            "from": "1997-01-01",
            "to": None,
            "citation": citation_url(claimed.designation.citation),
        }
    ]


def test_incident_detail_quotes_the_passages_it_rests_on(client, claimed):
    data = client.get(f"/api/incidents/{claimed.incident.slug}/").json()

    report = claimed.incident.citations.filter(report__status="published").first().report
    assert {c["quote"] for c in data["citations"]} == {
        "the terrorists still held 81 hostages",
        "all but one of the 72 remaining hostages",
        "Two Peruvian soldiers and all 14 of the MRTA terrorists died",
        "injuring eight policemen and more than a dozen civilians",
    }
    paragraphs = [c["paragraph"] for c in data["citations"]]
    assert paragraphs == sorted(paragraphs)  # in the report's order
    first = data["citations"][0]
    assert first["report"] == f"http://testserver/api/reports/{report.slug}/"
    assert first["anchor"] == f"p{first['paragraph']}"
    assert first["passage"] == f"http://testserver{report.get_absolute_url()}#{first['anchor']}"
    # The draft report's passage is not among them; every claim's citation is.
    assert DRAFT_MARK not in str(data["citations"])
    assert {c["citation"] for c in data["claims"]} <= {c["url"] for c in data["citations"]}
    for citation in data["citations"]:
        assert client.get(citation["url"]).json()["quote"] == citation["quote"]


def test_group_detail_gives_its_relations_both_ways_and_its_passages(client, claimed):
    sendero = client.get("/api/groups/sendero-luminoso/").json()
    front = client.get(f"/api/groups/{claimed.group.slug}/").json()

    # What the Front's source says of Sendero (and the MRTA's, in the fixture), read from
    # Sendero's side.
    assert {r["other"]["slug"] for r in sendero["relations_about"]} == {"mrta", claimed.group.slug}
    assert {
        "kind": "counterpart",
        "other": {
            "url": f"http://testserver/api/groups/{claimed.group.slug}/",
            "slug": claimed.group.slug,
            "name": "Claims Test Front",
            "acronym": "CTF",
        },
        "citation": citation_url(claimed.relation.citation),
    } in sendero["relations_about"]
    # Resting on a draft report's passage (the rivalry with the MRTA) or naming a draft
    # group, a relation reaches no one, from either side.
    assert client.get("/api/groups/mrta/").json()["relations_about"] == []
    assert [r["other"]["slug"] for r in front["relations"]] == ["sendero-luminoso"]
    assert [c["quote"] for c in front["citations"]] == [
        "its larger and more violent counterpart",
        "Peruvian authorities continue to pursue aggressively members",
    ]
    cited = {c["url"] for c in front["citations"]}
    assert {r["citation"] for r in front["relations"] + front["designations"]} <= cited


def test_group_list_makes_a_fixed_number_of_queries(client, claimed, django_assert_max_num_queries):
    client.get("/api/groups/")  # the filter's choices and the counts, stored on the first
    # The two stored figures, the page's ids, then its rows, aliases, leaders, relations,
    # designations, claims and sources.
    with django_assert_max_num_queries(10):
        data = client.get("/api/groups/").json()
    assert data["count"] == 3
    assert any(row["relations"] for row in data["results"])


def test_schema_documents_claims_relations_and_designations(client, archive):
    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]

    assert {"figures", "claims"} <= set(schema["Incident"]["properties"])
    assert {"figures", "claims", "relations", "designations"} <= set(schema["Group"]["properties"])
    assert "citations" in schema["IncidentDetail"]["properties"]
    assert {"relations_about", "citations"} <= set(schema["GroupDetail"]["properties"])
    passage = schema["SourcePassage"]["properties"]
    assert {"quote", "report", "anchor", "passage"} <= set(passage)
    assert passage["anchor"]["nullable"] is True and passage["paragraph"]["nullable"] is True
    assert set(schema["Designation"]["properties"]) == {
        "authority",
        "list",
        "from",
        "to",
        "citation",
    }
    assert schema["Claim"]["properties"]["high"]["nullable"] is True


def test_a_report_without_a_publisher_is_null_in_the_json_and_the_schema(client, archive):
    """The document may not say who published it: the schema must allow what is sent."""
    report = Report.objects.published().first()
    Report.objects.filter(pk=report.pk).update(publisher=None, republisher=None)
    data = client.get(f"/api/reports/{report.slug}/").json()
    assert (data["publisher"], data["republisher"]) == (None, None)
    schema = client.get("/api/schema/?format=json").json()
    fields = schema["components"]["schemas"]["Report"]["properties"]
    assert fields["publisher"].get("nullable") is True
    assert fields["republisher"].get("nullable") is True
