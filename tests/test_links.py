"""reports/links.py: url_for() gives exactly what reverse() gives."""

import pytest
from django.urls import reverse, set_script_prefix

from reports.links import url_for


@pytest.mark.parametrize(
    ("viewname", "kwargs"),
    [
        ("reports:home", {}),
        ("reports:incident-list", {}),
        ("reports:report-detail", {"slug": "patterns-of-global-terrorism-1997-peru"}),
        ("reports:incident-detail", {"slug": "a_b-0"}),
        ("reports:group-detail", {"slug": "mrta"}),
        ("reports:country-detail", {"code": "PE"}),
        ("open_data:feed-group", {"slug": "mrta"}),
        ("open_data:report-cite-bib", {"slug": "x"}),
    ],
)
def test_url_for_is_reverse(viewname, kwargs):
    assert url_for(viewname, **kwargs) == reverse(viewname, kwargs=kwargs or None)


def test_url_for_follows_the_script_prefix():
    try:
        set_script_prefix("/archive/")
        assert url_for("reports:group-detail", slug="mrta") == "/archive/groups/mrta/"
        assert url_for("reports:home") == reverse("reports:home") == "/archive/"
    finally:
        set_script_prefix("/")
    assert url_for("reports:group-detail", slug="mrta") == "/groups/mrta/"


def test_url_for_quotes_what_it_puts_in():
    assert url_for("reports:country-detail", code="P/E?") == "/countries/P%2FE%3F/"
