"""The search as data: the API's /api/search/ and the downloads /search/export.csv and
.json give the search page's results, all of one kind, and refuse a bad search."""

import csv
import io
import json

import pytest
from django.urls import reverse

from reports.models import Report
from tests.factories import make_report
from tests.test_search_syntax import archive  # noqa: F401 - the fixture


def test_the_api_gives_one_kind_a_page_with_every_count(client, archive):  # noqa: F811
    response = client.get(reverse("api:search"), {"q": "bomb", "kind": "passages"})
    assert response.status_code == 200
    data = response.json()
    assert data["kind"] == "passages"
    assert data["counts"] == {"reports": 2, "passages": 2, "incidents": 2, "groups": 0}
    assert data["page"] == 1 and data["last_page"] == 1 and data["next"] is None
    assert sorted(row["year"] for row in data["results"]) == [1991, 1992]
    lima = next(row for row in data["results"] if row["year"] == 1991)
    assert lima["text"] == "A car bomb exploded near the embassy in Lima."
    assert lima["paragraph_url"].endswith("#p1")
    assert lima["url"].startswith("http://testserver/reports/")


def test_the_api_says_which_group_names_it_searched(client, archive):  # noqa: F811
    data = client.get(reverse("api:search"), {"q": "shining path", "kind": "groups"}).json()
    [names] = data["group_names"]
    assert names["group"] == "Shining Path"
    assert set(names["names"]) == {"shining path", "sl", "sendero luminoso"}
    assert [row["name"] for row in data["results"]] == ["Shining Path"]
    assert data["results"][0]["aliases"] == ["Sendero Luminoso"]


def test_the_api_pages_through_every_result(client, db):
    for year in range(1960, 1985):
        make_report(title=f"Patterns of Global Terrorism {year} - Peru", body="Okapi herds.")
    url, years = reverse("api:search") + "?q=okapi&sort=oldest", []
    while url:
        data = client.get(url).json()
        years += [row["year"] for row in data["results"]]
        url = data["next"]
    assert years == list(range(1960, 1985))


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "bomb", "kind": "x"}, {"q": "bomb", "year_from": "x"}, {"q": "x" * 201}],
)
def test_the_api_answers_a_bad_search_with_400_and_the_fields(client, db, params):
    response = client.get(reverse("api:search"), params)
    assert response.status_code == 400
    assert response.json()["error"] == "The search is not valid."
    assert response.json()["fields"]


def test_the_schema_documents_the_search(client, db):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/search/"]["get"]
    assert {"200", "400"} <= set(operation["responses"])
    assert "q" in {parameter["name"] for parameter in operation["parameters"]}


def test_the_csv_download_has_every_result_of_the_kind(client, archive):  # noqa: F811
    response = client.get(
        reverse("open_data:search-export-csv"), {"q": "bomb", "kind": "incidents"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(row["title"] for row in rows) == ["Bombing in Medellin", "Car bomb in Lima"]
    assert rows[0]["url"].startswith("http://testserver/incidents/")


def test_the_json_download_says_what_was_searched(client, archive):  # noqa: F811
    response = client.get(
        reverse("open_data:search-export-json"), {"q": "shining path", "kind": "reports"}
    )
    data = json.loads(b"".join(response.streaming_content))
    assert data["meta"]["query"] == "shining path"
    assert data["meta"]["kind"] == "reports" and data["meta"]["published_only"]
    assert data["meta"]["group_names"][0]["group"] == "Shining Path"
    assert [row["year"] for row in data["results"]] == [1993]


def test_a_formula_in_a_found_title_is_text_in_the_csv(client, db):
    report = make_report(title="Patterns of Global Terrorism 1999 - Peru", body="Okapi herds.")
    Report.objects.filter(pk=report.pk).update(title='=HYPERLINK("http://evil.example","okapi")')
    response = client.get(reverse("open_data:search-export-csv"), {"q": "okapi"})
    [row] = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert row["title"] == '\'=HYPERLINK("http://evil.example","okapi")'


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_bad_download_is_a_400(client, db, fmt):
    response = client.get(reverse(f"open_data:search-export-{fmt}"), {"q": "bomb", "sort": "x"})
    assert response.status_code == 400
    assert "sort" in response.json()["fields"]


def test_the_page_of_one_kind_links_its_downloads(client, archive):  # noqa: F811
    html = client.get(
        reverse("reports:search"), {"q": "bomb", "kind": "incidents", "country": "PE"}
    ).content.decode()
    assert 'href="/search/export.csv?q=bomb&amp;kind=incidents&amp;country=PE"' in html
    assert 'href="/api/search/?q=bomb&amp;kind=incidents&amp;country=PE"' in html
