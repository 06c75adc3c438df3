"""The public pages in English and Spanish, the admin in the editor's language
(archive/urls.py, archive/middleware.py, reports/templatetags/languages.py)."""

import datetime
import re

import pytest
from django.utils import translation

from reports import caching
from reports.links import url_for
from reports.models import DatePrecision
from reports.templatetags.formatting import number, precise_date
from reports.templatetags.source_tags import moment
from tests.factories import make_incident

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def html_lang(response):
    return re.search(r'<html lang="([^"]*)"', response.content.decode())[1]


def test_a_spanish_page_is_in_spanish(client, db):
    response = client.get("/es/")
    assert response.status_code == 200
    assert html_lang(response) == "es"
    assert response["Content-Language"] == "es"
    html = response.content.decode()
    assert "Saltar al contenido" in html and ">Informes</a>" in html
    assert "Skip to content" not in html


@pytest.mark.parametrize("path", ["/", "/reports/", "/incidents/", "/groups/", "/search/?q=bomb"])
def test_the_old_urls_answer_in_english_whatever_the_browser_asks(client, db, path):
    response = client.get(path, **SPANISH)
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert "Skip to content" in response.content.decode()
    # The URL alone decides the language, so a shared cache keeps one copy per URL.
    assert "Accept-Language" not in response.get("Vary", "")


def test_the_spanish_urls_mirror_the_english_ones(client, db):
    incident = make_incident(title="Car bomb")
    assert client.get(f"/es/incidents/{incident.slug}/").status_code == 200
    assert client.get("/es/countries/PE/").status_code == 200
    assert client.get("/en/incidents/").status_code == 404  # English has no prefix


def test_a_missing_spanish_page_says_so_in_spanish(client, db):
    response = client.get("/es/no-such-page/")
    assert response.status_code == 404
    assert "Página no encontrada" in response.content.decode()


def test_the_language_selector_links_the_same_page_and_query(client, db):
    english = client.get("/incidents/?country=PE&sort=-date").content.decode()
    assert '<a href="/es/incidents/?country=PE&amp;sort=-date" hreflang="es" lang="es"' in english
    assert '<span aria-current="true" lang="en">English</span>' in english
    spanish = client.get("/es/incidents/?country=PE&sort=-date").content.decode()
    assert '<a href="/incidents/?country=PE&amp;sort=-date" hreflang="en" lang="en"' in spanish
    assert '<span aria-current="true" lang="es">Español</span>' in spanish


def test_every_page_names_its_alternates_with_hreflang(client, db):
    for path in ("/groups/", "/es/groups/"):
        html = client.get(path).content.decode()
        links = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
        assert links == {
            "en": "http://testserver/groups/",
            "es": "http://testserver/es/groups/",
            "x-default": "http://testserver/groups/",
        }


def test_a_spanish_pages_links_stay_in_spanish(client, db):
    incident = make_incident(title="Car bomb")
    html = client.get("/es/incidents/").content.decode()
    assert f'href="/es/incidents/{incident.slug}/"' in html
    assert 'href="/es/reports/"' in html and 'href="/es/search/"' in html
    # Downloads and feeds stay unprefixed: one URL each for machines.
    assert 'href="/incidents/export.csv' in html


def test_the_group_field_gives_its_script_the_pages_words(client, db):
    html = client.get("/es/incidents/").content.decode()
    assert 'data-text-none="Ningún grupo publicado coincide."' in html
    assert 'data-suggest="/es/groups/suggest.json"' in html
    assert 'data-text-chosen="Chosen: %(group)s."' in client.get("/incidents/").content.decode()


def test_url_for_keeps_a_cache_per_language():
    for _ in range(2):  # the second round reads the cache
        with translation.override("es"):
            assert url_for("reports:incident-detail", slug="x") == "/es/incidents/x/"
            assert url_for("reports:home") == "/es/"
        with translation.override("en"):
            assert url_for("reports:incident-detail", slug="x") == "/incidents/x/"
            assert url_for("reports:home") == "/"


@pytest.mark.parametrize(
    "precision, english, spanish",
    [
        (DatePrecision.DAY, "22 April 1997", "22 de abril de 1997"),
        (DatePrecision.MONTH, "April 1997", "abril de 1997"),
        (DatePrecision.YEAR, "1997", "1997"),
    ],
)
def test_dates_show_their_precision_in_each_language(precision, english, spanish):
    day = datetime.date(1997, 4, 22)
    with translation.override("en"):
        assert precise_date(day, precision) == english
    with translation.override("es"):
        assert precise_date(day, precision) == spanish


def test_an_incident_page_gives_its_month_in_spanish(client, db):
    incident = make_incident(
        title="Car bomb", start_date="1997-05-01", start_precision=DatePrecision.MONTH
    )
    assert "mayo de 1997" in client.get(f"/es/incidents/{incident.slug}/").content.decode()
    assert "May 1997" in client.get(f"/incidents/{incident.slug}/").content.decode()


def test_a_moment_of_the_provenance_is_written_in_the_pages_language():
    when = datetime.datetime(2026, 3, 5, 14, 2, tzinfo=datetime.UTC)
    with translation.override("en"):
        assert moment(when) == "5 March 2026, 14:02 UTC"
    with translation.override("es"):
        assert moment(when) == "5 de marzo de 2026, 14:02 UTC"


def test_numbers_carry_the_languages_thousands_separator():
    with translation.override("en"):
        assert number(12500) == "12,500"
    with translation.override("es"):
        assert number(12500) == "12\xa0500"  # Spanish groups with a (non-breaking) space
    assert number(None) == ""


def test_the_admin_speaks_the_editors_browser_language(client, editor):
    client.force_login(editor)
    spanish = client.get("/admin/", **SPANISH)
    assert spanish.status_code == 200
    assert spanish["Content-Language"] == "es"
    assert "Accept-Language" in spanish["Vary"]
    html = spanish.content.decode()
    assert "Administración del archivo" in html  # the archive's catalogue
    assert "Cerrar sesión" in html  # Django's own
    english = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Archive administration" in english.content.decode()


def test_machine_surfaces_stay_in_english(client, db):
    for path in ("/feeds/reports/", "/robots.txt", "/healthz"):
        response = client.get(path, **SPANISH)
        assert response.status_code == 200, path
        assert response.get("Content-Language", "en") == "en", path


def test_the_page_cache_keeps_each_language_apart(client, db, django_assert_num_queries):
    make_incident(title="Car bomb")
    # Each URL rendered once, then served from the cache: stamp lookup only.
    assert html_lang(client.get("/incidents/")) == "en"
    assert html_lang(client.get("/es/incidents/")) == "es"
    for _ in range(2):
        with django_assert_num_queries(1):
            english = client.get("/incidents/")
        with django_assert_num_queries(1):
            spanish = client.get("/es/incidents/")
        assert html_lang(english) == "en" and "Skip to content" in english.content.decode()
        assert html_lang(spanish) == "es" and "Saltar al contenido" in spanish.content.decode()
    # The browser's language changes nothing on a cached page either.
    assert html_lang(client.get("/incidents/", **SPANISH)) == "en"


def test_the_page_cache_resolves_a_path_in_its_own_language():
    """PageCacheMiddleware runs before LocaleMiddleware, in whatever language the thread
    served last: /es/... must still be found a public page, and / too."""
    caching._public_view.cache_clear()
    with translation.override("en"):
        assert caching._public_view("/es/incidents/")
    with translation.override("es"):
        assert caching._public_view("/incidents/")
        assert not caching._public_view("/admin/")


def test_a_sum_over_incidents_is_written_in_the_pages_language():
    from reports.tallies import Tally

    tally = Tally(12500, 2, 3)  # known sum, incidents giving it, incidents
    with translation.override("en"):
        assert (tally.label, tally.missing_label) == (
            "at least 12,500",
            "1 of 3 incidents gives no figure",
        )
    with translation.override("es"):
        assert (tally.label, tally.missing_label) == (
            "al menos 12\xa0500",
            "1 de 3 incidentes no da ninguna cifra",
        )


def test_the_cite_this_line_dates_in_the_pages_language(client, db):
    incident = make_incident(title="Car bomb")
    html = client.get(f"/es/incidents/{incident.slug}/").content.decode()
    line = re.search(r'<p class="citation-line">(.*?)</p>', html, re.S)[1]
    # Both dates, the entry's and the day of access: "5 de diciembre de 2026".
    assert len(re.findall(r"\d+ de [a-z]+ de \d{4}", line)) == 2
    assert "disponible en:" in line


def test_country_names_are_in_the_readers_language(client, db):
    incident = make_incident(title="Attack")
    assert incident.country.name == "Peru"
    spanish = client.get("/es/countries/PE/").content.decode()
    assert "<h1>Perú</h1>" in spanish
    assert ">Perú</a>" in client.get("/es/incidents/").content.decode()
    assert ">Perú</a>" in client.get("/es/countries/").content.decode()
    english = client.get("/countries/PE/").content.decode()
    assert "<h1>Peru</h1>" in english and "Perú" not in english


def test_a_formal_iso_name_does_not_replace_a_short_stored_one():
    from reports.countries import local_country_name

    assert local_country_name("BO", "Bolivia", "es") == "Bolivia"
    assert local_country_name("MX", "Mexico", "es") == "México"
    assert local_country_name("PE", "Peru", "en") == "Peru"
    assert local_country_name("XK", "Kosovo", "es") == "Kosovo"  # not in ISO 3166-1
