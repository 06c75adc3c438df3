"""OAI-PMH 2.0: the six verbs, sets, dates, resumption tokens and errors, and a whole
harvest by sickle (a real OAI-PMH client) talking to Django through a requests adapter."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.utils import timezone
from sickle import Sickle
from sickle.oaiexceptions import BadResumptionToken, IdDoesNotExist, NoRecordsMatch

from reports.models import Incident, Report
from reports.opendata import oai
from tests.factories import make_report
from tests.open_data_helpers import DRAFT_MARK, add_claims, archive_with_drafts

NS = {"oai": oai.OAI, "dc": oai.DC, "oai_dc": oai.OAI_DC}
REPORT_ID = "oai:testserver:report/patterns-of-global-terrorism-1997-peru"


class DjangoAdapter(requests.adapters.BaseAdapter):
    """A requests transport that hands each request to Django's test client."""

    def __init__(self):
        super().__init__()
        self.client = Client()
        self.calls = 0

    def send(self, request, **kwargs):
        self.calls += 1
        url = urlsplit(request.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        body = request.body or b""
        django_response = self.client.generic(
            request.method,
            path,
            data=body,
            content_type=request.headers.get("Content-Type", ""),
        )
        response = requests.Response()
        response.status_code = django_response.status_code
        response._content = django_response.content
        response.headers.update(django_response.headers)
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


class DjangoSickle(Sickle):
    def __init__(self, adapter, **kwargs):
        super().__init__("http://testserver/oai/", **kwargs)
        self.session = requests.Session()
        self.session.mount("http://testserver/", adapter)

    def _request(self, kwargs):
        if self.http_method == "GET":
            return self.session.get(self.endpoint, params=kwargs)
        return self.session.post(self.endpoint, data=kwargs)


@pytest.fixture
def archive(db):
    return archive_with_drafts()


def parse(content):
    """Parse the archive's own response; raises unless it is well-formed XML."""
    return ET.fromstring(content)  # noqa: S314 - our own output, in a test


def oai_get(client, **params):
    response = client.get("/oai/", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return parse(response.content)


def error_code(root):
    error = root.find("oai:error", NS)
    return None if error is None else error.get("code")


def test_sickle_harvests_every_published_report_and_incident_exactly_once(archive, monkeypatch):
    for n in range(5):
        make_report(title=f"Country Reports on Terrorism {2000 + n} - Peru", body="Text.")
    monkeypatch.setattr(oai, "PAGE_SIZE", 2)  # forces resumption tokens
    adapter = DjangoAdapter()
    sickle = DjangoSickle(adapter)
    records = list(sickle.ListRecords(metadataPrefix="oai_dc"))
    identifiers = [record.header.identifier for record in records]
    assert len(identifiers) == len(set(identifiers))
    expected = {
        f"oai:testserver:report/{slug}"
        for slug in Report.objects.published().values_list("slug", flat=True)
    }
    expected |= {
        f"oai:testserver:incident/{slug}"
        for slug in Incident.objects.published().values_list("slug", flat=True)
    }
    assert set(identifiers) == expected
    assert len(expected) == 6 + 4
    assert adapter.calls == 5  # 10 records, 2 a page
    assert not any(DRAFT_MARK in str(record.raw) for record in records)
    report = next(r for r in records if r.header.identifier == REPORT_ID)
    assert report.metadata["title"] == ["Patterns of Global Terrorism 1997 - Peru"]
    assert report.metadata["creator"] == ["United States Department of State"]
    assert "country:PE" in report.header.setSpecs
    assert "series:patterns-of-global-terrorism" in report.header.setSpecs


def test_sickle_harvests_a_set_by_post(archive, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 1)
    sickle = DjangoSickle(DjangoAdapter(), http_method="POST")
    headers = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="incidents"))
    assert len(headers) == 4
    assert all(h.identifier.startswith("oai:testserver:incident/") for h in headers)
    reports = list(
        sickle.ListIdentifiers(metadataPrefix="oai_dc", set="series:patterns-of-global-terrorism")
    )
    assert [h.identifier for h in reports] == [REPORT_ID]


def test_identify_and_metadata_formats(client, archive):
    root = oai_get(client, verb="Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.find("oai:baseURL", NS).text == "http://testserver/oai/"
    assert identify.find("oai:protocolVersion", NS).text == "2.0"
    assert identify.find("oai:granularity", NS).text == "YYYY-MM-DDThh:mm:ssZ"
    root = oai_get(client, verb="ListMetadataFormats", identifier=REPORT_ID)
    assert root.find(".//oai:metadataPrefix", NS).text == "oai_dc"


def test_list_sets_names_countries_and_series_of_published_entries_only(client, archive):
    root = oai_get(client, verb="ListSets")
    specs = [el.text for el in root.iterfind(".//oai:setSpec", NS)]
    assert {"reports", "incidents", "country:PE", "series:patterns-of-global-terrorism"} <= set(
        specs
    )
    assert "series:country-reports-on-terrorism" not in specs


def test_get_record_of_an_incident_is_oai_dc(client, archive):
    identifier = f"oai:testserver:incident/{archive.hostage_crisis.slug}"
    root = oai_get(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    dc = root.find(".//oai_dc:dc", NS)
    assert dc.find("dc:title", NS).text == archive.hostage_crisis.title
    assert dc.find("dc:type", NS).text == "Event"
    subjects = [el.text for el in dc.iterfind("dc:subject", NS)]
    assert "MRTA" in subjects
    assert not any(DRAFT_MARK in s for s in subjects)  # a draft perpetrator stays hidden
    assert [el.text for el in dc.iterfind("dc:relation", NS)] == [
        "http://testserver" + archive.report.get_absolute_url()
    ]
    assert root.find(".//oai:header/oai:setSpec", NS).text == "incidents"


def test_a_draft_does_not_exist_for_harvesters(client, archive):
    for identifier in (
        f"oai:testserver:report/{archive.draft_report.slug}",
        f"oai:testserver:incident/{archive.draft_incident.slug}",
    ):
        root = oai_get(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
        assert error_code(root) == "idDoesNotExist"
    root = oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert DRAFT_MARK not in ET.tostring(root, encoding="unicode")


def test_from_and_until_select_on_the_last_change(client, archive):
    long_ago = timezone.now() - timedelta(days=30)
    Incident.objects.update(updated_at=long_ago)
    Report.objects.filter(pk=archive.report.pk).update(updated_at=timezone.now())
    today = timezone.now().date().isoformat()
    root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": today})
    assert [el.text for el in root.iterfind(".//oai:identifier", NS)] == [REPORT_ID]
    day = long_ago.date().isoformat()
    root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until=day)
    assert len(root.findall(".//oai:header", NS)) == 4
    second = long_ago.strftime("%Y-%m-%dT%H:%M:%SZ")
    root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until=second)
    assert len(root.findall(".//oai:header", NS)) == 4
    root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="1990-01-01")
    assert error_code(root) == "noRecordsMatch"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Delete"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "1997-13-45"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "1997-01-01",
                "until": "1996-01-01",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "1997-01-01",
                "until": "1998-01-01T00:00:00Z",
            },
            "badArgument",
        ),
        # No day follows it: once a 500 from an overflow.
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "9999-12-31"}, "badArgument"),
        (
            {
                "verb": "ListIdentifiers",
                "metadataPrefix": "oai_dc",
                "until": "9999-12-31T23:59:59Z",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "9999-12-31"},
            "noRecordsMatch",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:elsewhere:x/y"},
            "idDoesNotExist",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "country:FR"},
            "noRecordsMatch",
        ),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
    ],
)
def test_bad_requests_get_the_specs_error_code(client, archive, params, code):
    root = oai_get(client, **params)
    assert error_code(root) == code
    request = root.find("oai:request", NS)
    if code in {"badVerb", "badArgument"}:
        assert request.attrib == {}


def test_a_repeated_argument_is_a_bad_argument(client, archive):
    response = client.get("/oai/?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc")
    assert error_code(parse(response.content)) == "badArgument"


def test_a_token_is_bound_to_its_verb_and_cannot_be_altered(client, archive, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 1)
    root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find(".//oai:resumptionToken", NS)
    assert token.get("completeListSize") == "5" and token.get("cursor") == "0"
    assert error_code(oai_get(client, verb="ListRecords", resumptionToken=token.text)) == (
        "badResumptionToken"
    )
    tampered = token.text[:-2] + ("AA" if not token.text.endswith("AA") else "BB")
    assert error_code(oai_get(client, verb="ListIdentifiers", resumptionToken=tampered)) == (
        "badResumptionToken"
    )
    page = oai_get(client, verb="ListIdentifiers", resumptionToken=token.text)
    assert error_code(page) is None
    assert page.find(".//oai:resumptionToken", NS).get("cursor") == "1"


def test_sickle_raises_the_protocol_errors(archive):
    sickle = DjangoSickle(DjangoAdapter())
    with pytest.raises(IdDoesNotExist):
        sickle.GetRecord(identifier="oai:testserver:report/nope", metadataPrefix="oai_dc")
    with pytest.raises(NoRecordsMatch):
        list(sickle.ListRecords(metadataPrefix="oai_dc", set="country:FR"))
    with pytest.raises(BadResumptionToken):
        list(sickle.ListRecords(resumptionToken="nonsense"))


def test_document_text_is_escaped_and_the_xml_stays_well_formed(client, archive):
    report = archive.report
    report.disclaimer = "Not ours <script>alert(1)</script> & \x0bco."
    report.save()
    response = client.get(
        "/oai/", {"verb": "GetRecord", "identifier": REPORT_ID, "metadataPrefix": "oai_dc"}
    )
    root = parse(response.content)
    assert b"<script>" not in response.content
    assert root.find(".//dc:rights", NS).text == "Not ours <script>alert(1)</script> & co."


def test_a_list_page_makes_a_fixed_number_of_queries(
    client, archive, django_assert_max_num_queries
):
    add_claims(archive)
    with django_assert_max_num_queries(11):
        oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")


def test_resumption_keeps_the_sets_and_dates_of_the_first_request(archive, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 1)
    sickle = DjangoSickle(DjangoAdapter())
    headers = list(
        sickle.ListIdentifiers(
            metadataPrefix="oai_dc",
            set="country:PE",
            **{"from": "1990-01-01", "until": "2999-12-31"},
        )
    )
    assert len(headers) == 5
    assert len({h.identifier for h in headers}) == 5


# --- Figure claims ---------------------------------------------------------------------


def incident_descriptions(client, incident):
    identifier = f"oai:testserver:incident/{incident.slug}"
    root = oai_get(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    return [element.text for element in root.iterfind(".//dc:description", NS)]


def test_an_incident_record_describes_each_published_claim_and_the_estimate(client, archive):
    claimed = add_claims(archive)

    lines = incident_descriptions(client, claimed.incident)

    assert "Killed (best estimate): 16" in lines
    assert "Injured (best estimate): at least 21" in lines
    assert "Hostages (best estimate): 72 (72 to 81)" in lines
    assert (
        "Injured: at least 21 (“eight policemen and more than a dozen civilians”), according to "
        "Patterns of Global Terrorism 1997 - Peru, paragraph 3: “injuring eight policemen and "
        "more than a dozen civilians”"
    ) in lines
    assert any(
        line.startswith("Hostages: 81 (at the beginning of 1997), according to") for line in lines
    )
    assert any(line.startswith("Hostages: 72 (at the rescue), according to") for line in lines)


def test_a_claim_on_a_draft_reports_passage_is_not_harvested(client, archive):
    claimed = add_claims(archive)

    lines = incident_descriptions(client, claimed.incident)
    harvest = client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})

    assert [line for line in lines if line.startswith("Killed:")] == [
        "Killed: 16, according to Patterns of Global Terrorism 1997 - Peru, paragraph 2: "
        "“Two Peruvian soldiers and all 14 of the MRTA terrorists died”"
    ]
    assert DRAFT_MARK not in harvest.content.decode()


def test_a_claim_on_the_dataset_row_says_so(client, archive):
    claimed = add_claims(archive)
    claimed.killed.citation, claimed.killed.from_dataset = None, True
    claimed.killed.save()

    lines = incident_descriptions(client, claimed.incident)

    assert "Killed: 16, according to the dataset row the incident was imported from" in lines
