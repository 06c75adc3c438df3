"""Editor-written text in English and Spanish (reports/translated.py, migration 0016):
sorting, search, backups, history and revisions still read the English text."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import override

from reports.models import Group, Incident, Revision, RevisionStatus, Status
from reports.search import search_archive
from reports.translated import Localized, localized
from tests.factories import make_group, make_incident, make_user
from tests.migrating import migrate_to
from tests.test_admin import admin_url, form_data

TITLE = "Car bomb at a police station, Lima"
TITLE_ES = "Coche bomba en una comisaría de Lima"
SUMMARY = "A car bomb exploded outside a police station."
SUMMARY_ES = "Un coche bomba estalló frente a una comisaría."


@pytest.fixture
def car_bomb(db):
    return make_incident(
        title=TITLE, slug="car-bomb", summary=SUMMARY, title_es=TITLE_ES, summary_es=SUMMARY_ES
    )


@pytest.fixture
def superuser(db):
    return make_user("admin", is_superuser=True, is_staff=True)


def page(client, url, language):
    """The page at `url` (an English URL) in `language`: the URL's prefix decides. The
    request's language ends with it, so the test's next URLs are English ones again."""
    with override("en"):
        response = client.get(url if language == "en" else f"/{language}{url}")
    assert response.status_code == 200
    return response.content.decode()


def h1(html):
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)


# --- The admin -------------------------------------------------------------------------


def test_admin_saves_both_languages_of_an_incident(client, superuser, car_bomb):
    client.force_login(superuser)
    url = admin_url(Incident, "change", car_bomb.pk)
    data = form_data(client.get(url))
    data.update(title="Car bomb in Lima", title_es="Coche bomba en Lima", outcome_es="Heridos.")
    response = client.post(url, {**data, "_save": "Save"})
    assert response.status_code == 302
    car_bomb.refresh_from_db()
    assert (car_bomb.title, car_bomb.title_es, car_bomb.outcome_es) == (
        "Car bomb in Lima",
        "Coche bomba en Lima",
        "Heridos.",
    )
    assert car_bomb.history.latest().title_es == "Coche bomba en Lima"


def test_admin_labels_each_language(client, superuser, car_bomb):
    client.force_login(superuser)
    html = client.get(admin_url(Incident, "change", car_bomb.pk)).content.decode()
    assert "Title (English)" in html and "Title (Spanish)" in html
    assert "Summary (Spanish)" in html and "Outcome (Spanish)" in html


def test_admin_saves_a_groups_spanish_description_but_no_spanish_name(client, superuser):
    group = make_group(name="Shining Path", slug="sendero", description="A Maoist party.")
    client.force_login(superuser)
    url = admin_url(Group, "change", group.pk)
    response = client.get(url)
    assert "name_es" not in response.context["adminform"].form.fields
    data = {**form_data(response), "description_es": "Un partido maoísta."}
    assert client.post(url, {**data, "_save": "Save"}).status_code == 302
    group.refresh_from_db()
    assert (group.description, group.description_es) == ("A Maoist party.", "Un partido maoísta.")


# --- Pages -------------------------------------------------------------------------------


def test_spanish_incident_page_shows_the_spanish_text(client, car_bomb):
    html = page(client, car_bomb.get_absolute_url(), "es")
    assert h1(html) == TITLE_ES
    article = html[html.index("<article") :]
    assert SUMMARY_ES in article and SUMMARY not in article


def test_english_incident_page_shows_the_english_text(client, car_bomb):
    html = page(client, car_bomb.get_absolute_url(), "en")
    assert h1(html) == TITLE
    assert SUMMARY in html and SUMMARY_ES not in html


def test_english_incident_list_shows_the_english_titles(client, car_bomb):
    assert f">{TITLE}</a>" in page(client, reverse("reports:incident-list"), "en")


def test_a_missing_spanish_title_shows_the_english_one_marked(client, db):
    incident = make_incident(title=TITLE, slug="untranslated", summary=SUMMARY)
    html = page(client, incident.get_absolute_url(), "es")
    assert h1(html) == (
        f'<span lang="en">{TITLE}</span> <span class="translation-note">(en inglés)</span>'
    )
    assert re.search(r'<div lang="en">\s*<p>' + re.escape(SUMMARY), html)


def test_a_missing_english_summary_shows_the_spanish_one_marked(client, db):
    incident = make_incident(title=TITLE, slug="spanish-only", summary_es=SUMMARY_ES)
    html = page(client, incident.get_absolute_url(), "en")
    assert h1(html) == TITLE
    assert re.search(r'<div lang="es">\s*<p>' + re.escape(SUMMARY_ES), html)
    assert "(in Spanish)" in html


def test_group_page_shows_the_description_in_the_readers_language(client, db):
    group = make_group(
        name="Shining Path", slug="sendero", description="A party.", description_es="Un partido."
    )
    assert "Un partido." in page(client, group.get_absolute_url(), "es")
    assert "A party." in page(client, group.get_absolute_url(), "en")
    untranslated = make_group(name="MRTA", slug="mrta", description="A movement.")
    html = page(client, untranslated.get_absolute_url(), "es")
    assert '<div lang="en">' in html and "A movement." in html
    # A name is a proper name: the same in both languages.
    assert h1(html) == "MRTA"


def test_incident_list_rows_show_the_readers_language_and_mark_the_fallback(client, car_bomb):
    make_incident(title="Bomb in Cusco", slug="cusco")
    html = page(client, reverse("reports:incident-list"), "es")
    assert f">{TITLE_ES}</a>" in html
    assert '<span lang="en">Bomb in Cusco</span> <span class="translation-note">' in html


def test_home_country_and_group_timeline_show_the_spanish_title(client, car_bomb):
    group = make_group(name="MRTA", slug="mrta")
    car_bomb.perpetration_set.create(group=group)
    for url in (
        reverse("reports:home"),
        car_bomb.country.get_absolute_url(),
        group.get_absolute_url(),
    ):
        assert TITLE_ES in page(client, url, "es"), url


def test_search_rows_show_the_spanish_title_and_summary(client, car_bomb):
    html = page(client, reverse("reports:search") + "?q=police", "es")
    assert TITLE_ES in html and SUMMARY_ES in html


# --- What reads the English text ---------------------------------------------------------


def test_lists_sort_on_the_english_title_in_both_languages(db):
    for title, title_es in (("B second", "A segundo"), ("A first", "Z primero")):
        make_incident(title=title, slug=title.replace(" ", "-").lower(), title_es=title_es)
    for language in ("en", "es"):
        with override(language):
            ordered = Incident.objects.published().order_by("title")
            assert "title_es" not in str(ordered.query).split("ORDER BY")[1]
            assert [i.title for i in ordered] == ["A first", "B second"]
            assert [i.title for i in Incident.objects.published()] == ["A first", "B second"]


def test_lookups_stay_on_the_english_column_on_a_spanish_page(car_bomb):
    with override("es"):
        assert Incident.objects.get(title=TITLE) == car_bomb
        assert not Incident.objects.filter(title=TITLE_ES).exists()
        # The original attribute is the English text whatever the page's language.
        assert Incident.objects.get(pk=car_bomb.pk).title == TITLE


def test_an_incident_made_on_a_spanish_page_has_no_spanish_title_yet(db):
    with override("es"):
        incident = make_incident(title=TITLE, slug="car-bomb")
    incident.refresh_from_db()
    assert (incident.title, incident.title_es) == (TITLE, "")


def test_search_finds_an_incident_by_its_english_title_in_both_languages(car_bomb):
    for language in ("en", "es"):
        with override(language):
            assert search_archive("police station").incidents == [car_bomb]


def test_localized_falls_back_to_the_other_language():
    incident = Incident(title=TITLE, title_es="", summary="", summary_es=SUMMARY_ES)
    assert localized(incident, "title", "en") == Localized(TITLE, "en")
    assert localized(incident, "title", "es") == Localized(TITLE, "en", fallback=True)
    assert localized(incident, "summary", "en") == Localized(SUMMARY_ES, "es", fallback=True)
    assert localized(incident, "summary", "es") == Localized(SUMMARY_ES, "es")
    assert not localized(incident, "outcome", "es")


# --- Backups and revisions ------------------------------------------------------------


class _Rollback(Exception):
    pass


def test_backup_round_trip_keeps_both_languages(db, tmp_path):
    path = tmp_path / "archive.json"
    try:
        with transaction.atomic():
            make_incident(title=TITLE, slug="car-bomb", title_es=TITLE_ES, summary_es=SUMMARY_ES)
            make_group(name="MRTA", slug="mrta", description_es="Un movimiento.")
            call_command("export_archive", str(path), verbosity=0)
            raise _Rollback
    except _Rollback:
        pass
    assert not Incident.objects.exists()
    call_command("import_archive", str(path), stdout=StringIO(), verbosity=0)
    incident = Incident.objects.get(slug="car-bomb")
    assert (incident.title, incident.title_es, incident.summary_es) == (TITLE, TITLE_ES, SUMMARY_ES)
    assert Group.objects.get(slug="mrta").description_es == "Un movimiento."


def test_an_editors_spanish_summary_waits_for_a_publisher(client, car_bomb):
    editor = make_user("editor", role="Editors")
    publisher = make_user("publisher", role="Publishers")
    assert car_bomb.status == Status.PUBLISHED
    client.force_login(editor)
    url = admin_url(Incident, "change", car_bomb.pk)
    data = {**form_data(client.get(url)), "summary_es": "Un coche bomba estalló en Lima."}
    assert client.post(url, {**data, "_save": "Save"}).status_code == 302
    car_bomb.refresh_from_db()
    assert car_bomb.summary_es == SUMMARY_ES  # still the live text
    revision = Revision.objects.get(status=RevisionStatus.PENDING)

    client.force_login(publisher)
    review = client.get(reverse("admin:reports_revision_change", args=[revision.pk]))
    changes = [(str(c.label), c.live, c.proposed) for c in review.context["changes"].fields]
    assert changes == [("Summary (Spanish)", SUMMARY_ES, "Un coche bomba estalló en Lima.")]
    response = client.post(reverse("admin:reports_revision_approve", args=[revision.pk]))
    assert response.status_code == 302
    car_bomb.refresh_from_db()
    assert car_bomb.summary_es == "Un coche bomba estalló en Lima."
    assert car_bomb.summary == SUMMARY


# --- Open data ---------------------------------------------------------------------------


def test_api_gives_both_languages_empty_where_not_translated(client, car_bomb):
    make_group(name="MRTA", slug="mrta", description="A movement.")
    incident = client.get(reverse("api:incident-detail", args=[car_bomb.slug])).json()
    assert (incident["title"], incident["title_es"]) == (TITLE, TITLE_ES)
    assert (incident["summary_es"], incident["outcome_es"]) == (SUMMARY_ES, "")
    group = client.get(reverse("api:group-detail", args=["mrta"])).json()
    assert (group["description"], group["description_es"]) == ("A movement.", "")


@pytest.fixture
def at_0015(transactional_db):
    """The schema at 0015 (modeltranslation's columns); the latest again after the test."""
    yield migrate_to(BEFORE_PLAIN_COLUMNS)
    migrate_to()


BEFORE_PLAIN_COLUMNS = [("reports", "0015_entry_translations")]


def test_migration_0016_keeps_the_spanish_text_and_drops_the_english_copies(at_0015):
    OldIncident = at_0015.get_model("reports", "Incident")
    OldGroup = at_0015.get_model("reports", "Group")
    peru, _ = at_0015.get_model("reports", "Country").objects.get_or_create(
        code="PE", defaults={"name": "Peru"}
    )
    entry = {"country": peru, "start_date": "1997-05-01", "status": Status.PUBLISHED}
    OldIncident.objects.create(
        slug="car-bomb", title=TITLE, title_en=TITLE, title_es=TITLE_ES, **entry
    )
    OldIncident.objects.create(slug="plain", title="Untranslated", title_en="Untranslated", **entry)
    OldGroup.objects.create(name="MRTA", slug="mrta", description_es="Un movimiento.")

    migrate_to()

    with connection.cursor() as cursor:
        table = connection.introspection.get_table_description(cursor, "reports_incident")
    columns = {column.name for column in table}
    assert "title_es" in columns and "title_en" not in columns
    spanish = dict(Incident.objects.values_list("slug", "title_es"))
    assert spanish == {"car-bomb": TITLE_ES, "plain": ""}
    assert Group.objects.get(slug="mrta").description_es == "Un movimiento."
    # SQLite rebuilt the table: its search triggers are back and keep the index in step.
    Incident.objects.filter(slug="plain").update(title="Untranslated quagmire")
    assert [incident.slug for incident in search_archive("quagmire").incidents] == ["plain"]
