"""The read-only JSON API: published entries only, the lists' filters, and the schema."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from reports.figures import COMPUTE_QUERIES
from reports.models import Report
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


def test_list_makes_a_fixed_number_of_queries(client, claimed, django_assert_max_num_queries):
    # The first request after a change also stores the filter's country choices.
    with django_assert_max_num_queries(8 + COMPUTE_QUERIES):
        assert client.get("/api/incidents/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/incidents/").status_code == 200


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
# removed, so each operation's Hypothesis strategy is driven here with @given.
# Invalid data goes to the lists' filters; a detail's only input is its path, where an
# invalid value cannot be told apart from an unknown slug (a 404 either way).
CASES = [(path, GenerationMode.POSITIVE) for path in OPERATIONS] + [
    (path, GenerationMode.NEGATIVE) for path in OPERATIONS if path.endswith(("s/", "search/"))
]


@pytest.mark.parametrize(("path", "mode"), CASES)
def test_api_conforms_to_its_schema(api_schema, path, mode):
    operation = api_schema[path]["GET"]
    checks = [not_a_server_error]
    if mode == GenerationMode.POSITIVE:
        checks += [response_schema_conformance, content_type_conformance]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(checks=checks)

    check()


def test_citation_list_makes_a_fixed_number_of_queries(
    client, archive, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
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


def test_group_list_makes_a_fixed_number_of_queries(client, claimed, django_assert_max_num_queries):
    client.get("/api/groups/")  # the filter's choices, stored on the first request
    # country, aliases, leaders, citations, claims, relations, designations, count, stamp
    with django_assert_max_num_queries(10):
        data = client.get("/api/groups/").json()
    assert data["count"] == 3
    assert any(row["relations"] for row in data["results"])


def test_schema_documents_claims_relations_and_designations(client, archive):
    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]

    assert {"figures", "claims"} <= set(schema["Incident"]["properties"])
    assert {"figures", "claims", "relations", "designations"} <= set(schema["Group"]["properties"])
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
