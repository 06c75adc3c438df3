"""Small things a reader trusts a page by: a timeline in true order, a place named once,
a group's other names without its own and with their languages."""

import datetime
import re

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from reports.models import GroupAlias, Perpetration, place_name
from reports.rows import other_names
from tests.factories import make_group, make_incident


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_place_names_a_region_called_as_its_city_once(db):
    assert place_name("Lima", "Lima") == "Lima"
    assert place_name("lima", "Lima") == "lima"
    assert place_name("Huancayo", "Junin") == "Huancayo, Junin"
    assert place_name("", "Junin") == "Junin"
    assert place_name("Lima", "Lima", "Peru") == "Lima, Peru"
    assert make_incident(city="Lima", region="Lima").place == "Lima"


def test_an_entry_known_to_its_year_comes_after_that_years_dated_entries(client, db):
    group = make_group(name="Sendero Luminoso", slug="sendero-luminoso")
    for title, day, precision in (
        ("Smaller bombings", datetime.date(1997, 1, 1), "year"),
        ("Car bomb", datetime.date(1997, 5, 1), "month"),
        ("Kidnapping", datetime.date(1997, 8, 1), "month"),
        ("Earlier attack", datetime.date(1996, 12, 3), "day"),
    ):
        incident = make_incident(title=title, start_date=day, start_precision=precision)
        Perpetration.objects.create(incident=incident, group=group)
    newest_first = [entry.title for entry in Perpetration.objects.timeline(group, 10)]
    assert newest_first == ["Smaller bombings", "Kidnapping", "Car bomb", "Earlier attack"]
    html = client.get(group.get_absolute_url()).content.decode()
    timeline = text(html[html.index('class="timeline"') :])
    assert timeline.index("Earlier attack") < timeline.index("Car bomb")
    assert timeline.index("Kidnapping") < timeline.index("Smaller bombings")
    assert "Smaller bombings (month and day not given: placed at the end of the year)" in timeline


def test_a_groups_other_names_leave_out_its_own_and_name_their_language(client, db):
    group = make_group(name="Sendero Luminoso", slug="sendero-luminoso", acronym="SL")
    for name, language in (
        ("Sendero Luminoso", "es"),  # its own name again
        ("sl", ""),  # its acronym again
        ("Shining Path", "en"),
        ("Sendero", "es"),
        ("Partido Comunista", "xx"),  # a code Django does not know
    ):
        GroupAlias.objects.create(group=group, name=name, language=language)
    names = [(n.name, n.language, n.language_label) for n in other_names(group)]
    assert names == [
        ("Partido Comunista", "xx", "xx"),
        ("Sendero", "es", "Spanish"),
        ("Shining Path", "en", "English"),
    ]
    html = client.get(group.get_absolute_url()).content.decode()
    names_section = html[html.index('id="names-heading"') : html.index("</dl>")]
    assert '<span lang="es">Sendero</span> <span class="alias-language">(Spanish)</span>' in (
        names_section
    )
    assert names_section.count("Sendero Luminoso") == 1  # the name, not again as an alias


def test_every_kind_of_page_names_the_archives_icon_and_favicon_ico_leads_to_it(client, db):
    icon = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
    for url in ("/", "/no-such-page/", "/admin/login/"):
        assert icon in client.get(url).content.decode(), url
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"
    assert finders.find("favicon.svg")
    assert render_to_string("500.html").count(icon) == 1
