"""Curation from the document: the report's admin page links to forms with the passage filled in."""

import re
from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from reports.models import Citation, Incident, Status
from tests.factories import make_incident, make_report

QUOTE = "In August, Sendero kidnapped 30 employees of a French oil company in Junin Department"


@pytest.fixture
def paragraph(seed_report):
    return seed_report.paragraphs.get(number=3)


def incident_add(**params):
    return f"{reverse('admin:reports_incident_add')}?{urlencode(params)}"


def form_data(response):
    """The POST data the admin form on `response` sends if nothing is changed."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False and value != []:
                data[form[name].html_name] = value
    return data


def save_new_incident(client, url, **extra):
    """POST the incident add form at `url` as it is filled in, with an incident's fields."""
    data = form_data(client.get(url))
    data.update(
        title="Junin kidnapping",
        slug="junin-kidnapping",
        status=Status.DRAFT,
        start_date="1997-08-01",
        start_precision="month",
        end_precision="day",
        country="PE",
        type="kidnapping",
        **extra,
    )
    return client.post(url, data)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_report_change_page_lists_paragraphs_with_links_to_cite_them(client, editor, paragraph):
    client.force_login(editor)
    report = paragraph.report

    response = client.get(reverse("admin:reports_report_change", args=[report.pk]))

    html = response.content.decode()
    assert 'id="curate"' in html
    assert f'data-paragraph="{paragraph.pk}" data-number="3"' in html
    assert "Sendero kidnapped 30 employees" in html
    link = f"cite_report={report.pk}&amp;cite_paragraph={paragraph.pk}"
    assert f'href="{reverse("admin:reports_incident_add")}?{link}"' in html
    assert f"?report={report.pk}&amp;paragraph={paragraph.pk}" in html
    assert "New incident from this passage" in html
    assert "Cite in an existing incident/group" in html


def test_report_change_page_loads_the_script_from_static_and_has_no_inline_script(
    client, editor, seed_report
):
    client.force_login(editor)
    html = client.get(reverse("admin:reports_report_change", args=[seed_report.pk])).content
    html = html.decode()
    assert re.search(r'<script src="[^"]*js/curate\.js" defer></script>', html)
    # Every script the page has is loaded from a file (the CSP forbids inline script).
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attributes and not body.strip(), attributes
    assert "style=" not in html.split('id="curate"')[1].split("</section>")[0]


def test_report_change_page_escapes_paragraph_text(client, editor):
    report = make_report(body="<script>alert(1)</script> & more")
    client.force_login(editor)
    html = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "<script>alert(1)" not in html


def test_incident_add_page_prefills_one_citation_from_the_passage(client, editor, paragraph):
    client.force_login(editor)

    response = client.get(
        incident_add(cite_report=paragraph.report_id, cite_paragraph=paragraph.pk, cite_quote=QUOTE)
    )

    [citations] = [
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "citations"
    ]
    [form] = citations.formset.forms
    assert form.initial == {
        "report": paragraph.report_id,
        "paragraph": paragraph.pk,
        "quote": QUOTE,
        # What the passage gives, drafted for the new incident (tests/test_drafting.py).
        "facts": ["start_date", "place", "type", "hostages"],
    }
    assert f"{QUOTE}</textarea>" in response.content.decode()


def test_existing_incident_page_gets_an_extra_prefilled_citation(client, editor, paragraph):
    incident = make_incident(title="Junin kidnapping", status=Status.DRAFT)
    Citation.objects.create(report=paragraph.report, quote="Sendero kidnapped", incident=incident)
    client.force_login(editor)
    url = reverse("admin:reports_incident_change", args=[incident.pk])

    response = client.get(
        f"{url}?{urlencode({'cite_report': paragraph.report_id, 'cite_quote': QUOTE})}"
    )

    [citations] = [
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "citations"
    ]
    existing, extra = citations.formset.forms
    assert existing.instance.quote == "Sendero kidnapped"
    assert extra.initial == {"report": paragraph.report_id, "quote": QUOTE}


def test_saving_the_prefilled_form_creates_the_incident_and_its_checked_citation(
    client, editor, paragraph
):
    client.force_login(editor)
    url = incident_add(
        cite_report=paragraph.report_id, cite_paragraph=paragraph.pk, cite_quote=QUOTE
    )
    response = save_new_incident(client, url)

    assert response.status_code == 302, response.context["errors"]
    citation = Incident.objects.get(slug="junin-kidnapping").citations.get()
    assert (citation.report, citation.paragraph, citation.quote) == (
        paragraph.report,
        paragraph,
        QUOTE,
    )


def test_a_quote_changed_to_one_not_in_the_paragraph_is_refused_and_nothing_saved(
    client, editor, paragraph
):
    client.force_login(editor)
    forged = "Sendero kidnapped 300 employees"
    url = incident_add(
        cite_report=paragraph.report_id, cite_paragraph=paragraph.pk, cite_quote=forged
    )
    data = form_data(client.get(url))
    data.update(
        title="Forged",
        slug="forged",
        status=Status.DRAFT,
        start_date="1997-08-01",
        start_precision="month",
        end_precision="day",
        country="PE",
        type="kidnapping",
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert "does not occur in paragraph 3" in response.content.decode()
    assert not Incident.objects.exists() and not Citation.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"cite_report": "999999", "cite_quote": "x"},
        {"cite_report": "abc", "cite_quote": "x"},
        {"cite_quote": "no report"},
    ],
)
def test_a_passage_link_naming_no_report_warns_and_prefills_nothing(
    client, editor, seed_report, params
):
    client.force_login(editor)

    response = client.get(incident_add(**params))

    assert response.status_code == 200
    assert messages_of(response) == ["The passage link names no report; cite the passage by hand."]
    [citations] = [
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "citations"
    ]
    assert [form.initial for form in citations.formset.forms] == [{}]


def test_a_passage_link_with_a_paragraph_of_another_report_warns(client, editor, seed_report):
    other = make_report(title="Patterns of Global Terrorism 1998 - Peru", body="Other text.")
    client.force_login(editor)

    response = client.get(
        incident_add(
            cite_report=seed_report.pk,
            cite_paragraph=other.paragraphs.get().pk,
            cite_quote="Other text.",
        )
    )

    assert messages_of(response) == [
        "The passage link names no paragraph of that report; cite it by hand."
    ]
    assert Citation.objects.count() == 0


def test_group_add_page_prefills_its_citation_too(client, editor, paragraph):
    client.force_login(editor)
    url = reverse("admin:reports_group_add")

    response = client.get(
        f"{url}?{urlencode({'cite_report': paragraph.report_id, 'cite_quote': 'Sendero'})}"
    )

    [citations] = [
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "citations"
    ]
    assert citations.formset.forms[0].initial == {"report": paragraph.report_id, "quote": "Sendero"}


def test_citation_add_page_reads_report_paragraph_and_quote_from_the_link(
    client, editor, paragraph
):
    client.force_login(editor)
    params = {"report": paragraph.report_id, "paragraph": paragraph.pk, "quote": QUOTE}

    response = client.get(f"{reverse('admin:reports_citation_add')}?{urlencode(params)}")

    form = response.context["adminform"].form
    assert form["report"].value() == str(paragraph.report_id)
    assert form["paragraph"].value() == str(paragraph.pk)
    assert form["quote"].value() == QUOTE


def test_a_passage_already_cited_is_not_offered_again_after_save_and_continue(
    client, editor, paragraph
):
    client.force_login(editor)
    url = incident_add(
        cite_report=paragraph.report_id, cite_paragraph=paragraph.pk, cite_quote=QUOTE
    )
    response = save_new_incident(client, url, _continue="1")
    assert response.status_code == 302, response.context["errors"]
    incident = Incident.objects.get(slug="junin-kidnapping")
    assert incident.citations.count() == 1

    # The same link on the saved entry (the query kept, or followed again; the quote's
    # whitespace aside) offers no second citation of that passage.
    change = reverse("admin:reports_incident_change", args=[incident.pk])
    query = {"cite_report": paragraph.report_id, "cite_quote": QUOTE.replace(" ", "  ")}
    response = client.get(f"{change}?{urlencode(query)}")

    [citations] = [
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "citations"
    ]
    assert [form.initial.get("quote") for form in citations.formset.forms] == [QUOTE]
    assert "This passage is already cited here." in messages_of(response)
    data = form_data(response)
    client.post(change + "?" + urlencode(query), {**data, "_continue": "1"})
    assert incident.citations.count() == 1
