"""No duplicate citations: the same subject, report and quote (whitespace aside) once only,
in the database (citation_unique_passage), in Citation.clean and in every admin form; and a
form opened from a selected passage does not offer it again after "Save and continue"."""

from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from reports.models import Citation, Incident, Status, quote_key
from tests.factories import make_citation, make_group, make_incident
from tests.test_admin import admin_url, form_data
from tests.test_curation import save_new_incident

QUOTE = "In August, Sendero kidnapped 30 employees of a French oil company in Junin Department"
SPACED = "In August,  Sendero kidnapped 30 employees\nof a French oil company in Junin Department"
MESSAGE = "This passage of this report is already cited here."


@pytest.fixture
def incident(db):
    return make_incident(title="Junin kidnapping", status=Status.DRAFT)


@pytest.fixture
def cited(seed_report, incident):
    return make_citation(seed_report, QUOTE, incident=incident)


# --- the database ------------------------------------------------------------------------


def test_the_database_refuses_the_same_passage_again_through_bulk_create(
    seed_report, incident, cited
):
    again = Citation(report=seed_report, incident=incident, quote=SPACED)
    again.quote_key = quote_key(SPACED)  # bulk_create sends no signal to key it
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.bulk_create([again])
    assert incident.citations.count() == 1


def test_the_database_refuses_an_update_that_repeats_a_passage(seed_report, incident, cited):
    other = make_citation(seed_report, "Sendero kidnapped 30 employees", incident=incident)
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.filter(pk=other.pk).update(quote=SPACED, quote_key=quote_key(SPACED))
    other.refresh_from_db()
    assert other.quote == "Sendero kidnapped 30 employees"


def test_the_same_passage_for_a_group_of_the_same_pk_is_another_subject(
    seed_report, incident, cited
):
    # The same pk as the incident: the constraint tells the subjects apart all the same.
    group = make_group(id=incident.pk, name="Sendero Luminoso", status=Status.DRAFT)
    make_citation(seed_report, QUOTE, group=group)
    assert Citation.objects.filter(quote_key=quote_key(QUOTE)).count() == 2


def test_two_incidents_may_cite_the_same_passage(seed_report, incident, cited):
    second = make_incident(title="Same event, another entry", status=Status.DRAFT)
    make_citation(seed_report, SPACED, incident=second)
    assert Citation.objects.filter(quote_key=quote_key(QUOTE)).count() == 2


# --- clean() --------------------------------------------------------------------------------


def test_clean_names_the_repeat_and_save_refuses_it(seed_report, incident, cited):
    again = Citation(report=seed_report, incident=incident, quote=SPACED)
    with pytest.raises(ValidationError) as refused:
        again.full_clean()
    assert refused.value.message_dict["quote"] == [MESSAGE]
    with pytest.raises(ValidationError):
        again.save()
    assert incident.citations.count() == 1


def test_clean_lets_a_citation_be_saved_again_unchanged(cited):
    cited.note = "checked"
    cited.full_clean()
    cited.save()


# --- the admin -------------------------------------------------------------------------------


def test_the_inline_refuses_a_second_citation_of_the_same_passage(
    client, editor, seed_report, incident, cited
):
    client.force_login(editor)
    url = admin_url(Incident, "change", incident.pk)
    data = form_data(client.get(url))
    data.update(
        {
            "citations-TOTAL_FORMS": "2",
            "citations-1-report": str(seed_report.pk),
            "citations-1-quote": SPACED,
        }
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert incident.citations.count() == 1


def test_the_inline_refuses_the_same_passage_twice_in_one_post(
    client, editor, seed_report, incident
):
    client.force_login(editor)
    url = admin_url(Incident, "change", incident.pk)
    data = form_data(client.get(url))
    data.update(
        {
            "citations-TOTAL_FORMS": "2",
            "citations-0-report": str(seed_report.pk),
            "citations-0-quote": QUOTE,
            "citations-1-report": str(seed_report.pk),
            "citations-1-quote": SPACED,
        }
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert (
        "The same passage of “Patterns of Global Terrorism 1997 - Peru” is cited twice here; "
        "keep one." in response.content.decode()
    )
    assert not incident.citations.exists()


def test_the_citation_admin_refuses_the_same_passage_again(
    client, editor, seed_report, incident, cited
):
    client.force_login(editor)
    response = client.post(
        admin_url(Citation, "add"),
        {"report": seed_report.pk, "quote": SPACED, "incident": incident.pk},
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert incident.citations.count() == 1


# --- the form opened from a selected passage ----------------------------------------------------


def test_save_and_continue_on_a_form_opened_from_a_passage_cites_it_once(
    client, editor, seed_report
):
    """The issue's scenario through the admin views: the add form opened from a selected
    passage, "Save and continue editing" (which keeps the link's query), then again."""
    paragraph = seed_report.paragraphs.get(number=3)
    client.force_login(editor)
    query = {"cite_report": seed_report.pk, "cite_paragraph": paragraph.pk, "cite_quote": QUOTE}
    add = f"{reverse('admin:reports_incident_add')}?{urlencode(query)}"

    response = save_new_incident(client, add, _continue="1")

    assert response.status_code == 302
    incident = Incident.objects.get(slug="junin-kidnapping")
    assert "cite_quote=" in response.url  # the query is still there ...
    page = client.get(response.url)
    [citations] = [
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.prefix == "citations"
    ]
    # ... but the page offers no pre-filled second citation, and says why.
    assert [form.instance.pk for form in citations.forms] == [incident.citations.get().pk]
    assert page.content.decode().count(f"{QUOTE}</textarea>") == 1
    assert "This passage is already cited here." in [str(m) for m in page.context["messages"]]

    again = client.post(response.url, {**form_data(page), "_continue": "1"})

    assert again.status_code == 302
    assert incident.citations.count() == 1
    assert client.get(again.url).content.decode().count(f"{QUOTE}</textarea>") == 1
