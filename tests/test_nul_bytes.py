"""A NUL byte in a URL is a 400 on both engines (PostgreSQL refuses it in any text it
compares, which was a 500)."""

import pytest

from tests.open_data_helpers import archive_with_drafts


@pytest.fixture
def archive(db):
    return archive_with_drafts()


@pytest.mark.parametrize(
    "url",
    [
        "/countries/%00/",
        "/countries/PE%00/",
        "/api/reports/a%00b/",
        "/feeds/countries/PE%00/",
        "/incidents/lima%00/",
        "/incidents/?country=PE%00",
        "/search/?q=Lima%00",
        "/oai/?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:x%00y",
        "/es/groups/?q=%00",
        "/groups/suggest.json?q=a%00",
    ],
)
def test_a_nul_byte_anywhere_in_the_url_is_a_400(client, archive, url):
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):  # in JSON, as the API's other errors
        assert response.json() == {"error": "A NUL byte is not allowed in a URL.", "fields": {}}
    else:
        assert response.content == b"A NUL byte is not allowed in a URL."


def test_other_urls_are_untouched(client, archive):
    assert client.get("/countries/PE/").status_code == 200
    assert client.get("/search/?q=Lima%2000").status_code == 200
