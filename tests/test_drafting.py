"""Curation that drafts the entry (reports/drafting.py): what a passage says, as
suggestions for an incident's form, and how many of the seed's curated fields they get
right from the passages the seed cites."""

from datetime import date
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import call_command

from reports.drafting import (
    Names,
    archive_names,
    dates_in,
    draft,
    figures_in,
    marks,
    score,
    segments,
)
from reports.models import Group, Incident, Report
from tests.test_admin import admin_url

SEED_SCORE_AT_LEAST = 20  # of 23 (printed by the test and by `manage.py drafting_score`)


@pytest.fixture
def names(db):
    call_command("loaddata", "peru_1997", verbosity=0)
    return Names()


def figures(text):
    return [(f.figure, f.low, f.high, f.wording) for f in figures_in(text, dates_in(text, 1997))]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("seized the residence on 17 December 1996, taking", [(date(1996, 12, 17), "day")]),
        ("On 22 April, after weeks", [(date(1997, 4, 22), "day")]),
        ("a police station in Lima in May, injuring", [(date(1997, 5, 1), "month")]),
        ("In August, Sendero kidnapped", [(date(1997, 8, 1), "month")]),
        ("later in the year, it set off", [(date(1997, 1, 1), "year")]),
        ("the arrest of its founder, Abimael Guzman, in 1992", [(date(1992, 1, 1), "year")]),
        (
            "December 17, 1996 and March 1997",
            [(date(1996, 12, 17), "day"), (date(1997, 3, 1), "month")],
        ),
        (
            "el 17 de diciembre de 1996 y en agosto",
            [(date(1996, 12, 17), "day"), (date(1997, 8, 1), "month")],
        ),
        # "may" the verb is no month, nor "31 February" a date.
        ("the group may attack again on 31 February", []),
    ],
)
def test_dates_at_their_precision(text, found):
    assert [(d.date, d.precision) for d in dates_in(text, 1997)] == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "injuring eight policemen and more than a dozen civilians",
            [("injured", 21, None, "eight policemen and more than a dozen civilians")],
        ),
        ("taking hundreds of hostages", [("hostages", 200, 999, "hundreds of hostages")]),
        ("the terrorists still held 81 hostages", [("hostages", 81, 81, "81 hostages")]),
        (
            "rescued all but one of the 72 remaining hostages",
            [("hostages", 72, 72, "72 remaining hostages")],
        ),
        (
            "Two Peruvian soldiers and all 14 of the MRTA terrorists died in the assault.",
            [("killed", 16, 16, "Two Peruvian soldiers and all 14 of the MRTA terrorists")],
        ),
        (
            "Sendero kidnapped 30 employees of a French oil company and released them after "
            "two days",
            [("hostages", 30, 30, "30 employees")],
        ),
        (
            "several smaller bombs in Lima, which caused no injuries",
            [("injured", 0, 0, "no injuries")],
        ),
        ("at least 5 people were killed", [("killed", 5, None, "at least 5 people")]),
        (
            "between 10 and 20 villagers were wounded",
            [("injured", 10, 20, "between 10 and 20 villagers")],
        ),
        ("murieron al menos 12 campesinos", [("killed", 12, None, "al menos 12 campesinos")]),
        # Counted, but not people; people, but not a casualty.
        ("the attack lasted 3 hours", []),
        ("Fourteen terrorists from the MRTA, including its leader, seized the residence", []),
    ],
)
def test_figures_say_no_more_than_the_words(text, found):
    assert figures(text) == found


def test_a_passage_drafts_an_incident(names):
    passage = (
        "In August, Sendero kidnapped 30 employees of a French oil company in Junin "
        "Department and released them after two days in exchange for food."
    )
    found = draft(passage, 1997, names)
    assert (found.start_date, found.start_precision) == (date(1997, 8, 1), "month")
    assert (found.city, found.region, found.type) == ("", "Junin", "kidnapping")
    assert [group.pk for group in found.groups] == [Group.objects.get(slug="sendero-luminoso").pk]
    assert [(f.figure, f.low, f.high) for f in found.figures] == [("hostages", 30, 30)]
    assert found.initial() == {
        "start_date": date(1997, 8, 1),
        "start_precision": "month",
        "region": "Junin",
        "type": "kidnapping",
    }
    assert found.facts() == ["start_date", "place", "type", "perpetrators", "hostages"]


def test_a_passage_naming_nothing_suggests_nothing(names):
    found = draft("The situation remained tense.", 1997, names)
    assert found.initial() == {}
    assert found.facts() == []


def test_marks_cut_a_paragraph_for_the_curation_list(names):
    text = "The group also car-bombed a police station in Lima in May, injuring eight policemen."
    found = marks(text, 1997, names)
    assert [(text[m.start : m.end], m.kind, m.reading) for m in found] == [
        ("Lima", "place", "Lima"),
        ("in May", "date", "1997-05 (month)"),
        ("eight policemen", "figure", "Injured: 8"),
    ]
    assert "".join(piece for piece, _mark in segments(text, found)) == text


def test_the_suggestions_on_the_seed(names, capsys):
    rows = score(Incident.objects.order_by("pk"), names)
    right = sum(1 for row in rows if row[2])
    with capsys.disabled():
        print(f"\nDrafting from the seed's cited passages: {right} of {len(rows)} fields right")
        for incident, field, ok, got, want in rows:
            if not ok:
                print(f"  {incident.slug}: {field}: suggested {got!r}, curated {want!r}")
    assert len(rows) == 23
    assert right >= SEED_SCORE_AT_LEAST


def test_the_command_prints_the_score(names):
    out = StringIO()
    call_command("drafting_score", stdout=out)
    assert "fields right" in out.getvalue()


# --- In the admin ---------------------------------------------------------------------

KIDNAPPING = (
    "In August, Sendero kidnapped 30 employees of a French oil company in Junin Department "
    "and released them after two days in exchange for food, clothing, and other supplies."
)


def passage_link(report, number, quote):
    paragraph = report.paragraphs.get(number=number)
    query = urlencode(
        {"cite_report": report.pk, "cite_paragraph": paragraph.pk, "cite_quote": quote}
    )
    return f"{admin_url(Incident, 'add')}?{query}"


def test_a_new_incident_from_a_passage_is_drafted_for_the_editor(client, names, editor):
    client.force_login(editor)
    report = Report.objects.get()
    before = Incident.objects.count()
    response = client.get(passage_link(report, 3, KIDNAPPING))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.initial["start_date"] == date(1997, 8, 1)
    assert form.initial["start_precision"] == "month"
    assert (form.initial["region"], form.initial["type"]) == ("Junin", "kidnapping")
    assert form.initial["country"] == report.country_id
    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    [perpetrator] = formsets["perpetration_set"].forms
    assert perpetrator.initial == {"group": Group.objects.get(slug="sendero-luminoso").pk}
    [citation] = formsets["citations"].extra_forms
    assert citation.initial["facts"] == ["start_date", "place", "type", "perpetrators", "hostages"]
    page = response.content.decode()
    assert "Suggested from the passage" in page
    assert "hostages 30 (“30 employees”)" in page
    assert Incident.objects.count() == before  # nothing is saved before the editor saves


def test_a_saved_incident_is_offered_the_figures_its_citations_give(client, names, editor):
    client.force_login(editor)
    incident = Incident.objects.get(slug="lima-police-station-car-bomb-1997")
    incident.claims.all().delete()
    url = admin_url(Incident, "change", incident.pk)
    assert "Suggest the figures its citations give" in client.get(url).content.decode()
    response = client.get(f"{url}?suggest_figures=1")
    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    [row] = [form.initial for form in formsets["claims"].extra_forms]
    assert {key: row[key] for key in ("figure", "low", "high", "wording")} == {
        "figure": "injured",
        "low": 21,
        "high": None,
        "wording": "eight policemen and more than a dozen civilians",
    }
    assert row["citation"] == incident.citations.get().pk
    assert not incident.claims.exists()


def test_the_curation_list_marks_what_drafting_reads(client, names, editor):
    client.force_login(editor)
    report = Report.objects.get()
    page = client.get(admin_url(Report, "change", report.pk)).content.decode()
    assert (
        '<mark class="curate-mark curate-mark--date" title="1997-08 (month)">In August</mark>'
        in page
    )
    assert (
        '<mark class="curate-mark curate-mark--group" title="Sendero Luminoso">Sendero</mark>'
        in page
    )
    assert (
        '<mark class="curate-mark curate-mark--figure" title="Hostages: 30">30 employees</mark>'
        in page
    )


def test_marked_text_stays_escaped(client, names, editor):
    report = Report.objects.get()
    paragraph = report.paragraphs.get(number=2)
    paragraph.text = "<script>alert(1)</script> In May 1997 MRTA <b>killed</b> 3 guards."
    paragraph.save()
    client.force_login(editor)
    page = client.get(admin_url(Report, "change", report.pk)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;killed&lt;/b&gt;" in page


def test_names_are_found_by_their_words_among_thousands(names):
    for number in range(3000):
        Group.objects.create(name=f"Frente Sintético {number}", slug=f"frente-{number}")
    many = Names()
    text = "MRTA and Frente Sintético 2999 attacked Lima's police; the Frente Sintético 30 did not."
    assert [(text[s:e], g.name) for s, e, g in many.groups.find(text)] == [
        ("MRTA", "MRTA"),
        ("Frente Sintético 2999", "Frente Sintético 2999"),
        ("Frente Sintético 30", "Frente Sintético 30"),
    ]
    assert [name for _s, _e, name in many.cities.find(text)] == ["Lima"]


def test_the_archives_names_are_read_once_per_change(names, django_assert_num_queries):
    first = archive_names()
    with django_assert_num_queries(1):  # the archive's stamp only
        again = archive_names()
    assert again.groups.names == first.groups.names
    Group.objects.create(name="Frente Nuevo", slug="frente-nuevo")  # a change to the archive
    assert "Frente Nuevo" in archive_names().groups.names
