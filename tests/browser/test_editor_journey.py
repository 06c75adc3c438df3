"""An editor's journey through the admin, then a publisher's, then the public site, in Chromium."""

import re

import pytest
from fpdf import FPDF
from playwright.sync_api import expect

from reports.models import Citation, Incident, Report, Status
from tests.browser.conftest import log_in, screenshot

TITLE = "Patterns of Global Terrorism 1999 - Peru"
PASSAGE = "In March 1999 a car bomb exploded outside the Huancayo police barracks"
DOCUMENT = f"""{TITLE}

{PASSAGE}, injuring four officers; police blamed Sendero Luminoso.

Sendero Luminoso remained active in the Upper Huallaga Valley.

This is not a UNHCR publication. UNHCR is not responsible for, nor does it necessarily
endorse, its content.
""".encode()
INCIDENT = "Car bomb at the Huancayo police barracks"


def document_pdf():
    """The same document as a PDF file sets it: hard-wrapped lines, a running header, a
    page number; its text comes out as the same paragraphs."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=8)
    pdf.cell(0, 6, "U.S. Department of State", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    for line in (
        TITLE,
        "",
        f"{PASSAGE}, injuring",
        "four officers; police blamed Sendero Luminoso.",
        "",
        "Sendero Luminoso remained active in the Upper Huallaga Valley.",
        "",
        "This is not a UNHCR publication. UNHCR is not responsible for, nor does it",
        "necessarily endorse, its content.",
    ):
        if line:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(6)
    pdf.set_y(-15)
    pdf.cell(0, 10, "1", align="C")
    return bytes(pdf.output())


UPLOADS = {
    "txt": {"name": "pgt-1999-peru.txt", "mimeType": "text/plain", "buffer": DOCUMENT},
    "pdf": {"name": "pgt-1999-peru.pdf", "mimeType": "application/pdf", "buffer": document_pdf()},
}
QUOTE = f"{PASSAGE}, injuring four officers"


def select_passage(page, number, passage):
    """Select `passage` inside paragraph `number` of the curation list, as a mouse would
    (across the marks drafting puts in the text)."""
    page.locator(f"#curate-p{number} .curate-text").evaluate(
        """(element, passage) => {
            const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
            const nodes = [];
            let text = "";
            while (walker.nextNode()) {
                nodes.push([walker.currentNode, text.length]);
                text += walker.currentNode.data;
            }
            const locate = (offset) => {
                for (const [node, at] of nodes) {
                    if (offset <= at + node.data.length) return [node, offset - at];
                }
            };
            const start = text.indexOf(passage);
            const range = document.createRange();
            range.setStart(...locate(start));
            range.setEnd(...locate(start + passage.length));
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        passage,
    )


def choose_in_autocomplete(page, field, text):
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


@pytest.mark.parametrize("upload", UPLOADS)
def test_editor_uploads_curates_and_submits_then_publisher_publishes(
    page, archive, editor, publisher, upload
):
    # The editor uploads a source document.
    log_in(page, "editor")
    screenshot(page, "editor-01-admin-index")
    page.goto("/admin/reports/report/")
    page.get_by_role("link", name=re.compile("Upload|Import", re.I)).first.click()
    page.locator("input[type=file]").set_input_files(UPLOADS[upload])
    screenshot(page, "editor-02-upload")
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".messagelist")).to_contain_text("Imported")

    # ...opens it, and curates an incident from a selected passage.
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name="Curate from the document")).to_be_visible()
    toolbar = page.locator("#curate-toolbar")
    expect(toolbar).to_be_hidden()
    select_passage(page, 1, PASSAGE)
    expect(toolbar).to_be_visible()
    expect(toolbar.locator(".curate-selection-quote")).to_have_text(PASSAGE)
    screenshot(page, "editor-03-curate-selection")
    toolbar.get_by_role("link", name="New incident from this passage").click()

    expect(page).to_have_url(re.compile(r"/admin/reports/incident/add/\?cite_report="))
    expect(page.locator("#id_citations-0-quote")).to_have_value(PASSAGE)
    expect(page.locator(".field-report .select2-selection")).to_contain_text(TITLE)
    expect(page.locator(".field-paragraph .select2-selection")).to_contain_text("¶1")
    # The passage drafted the form: its month, the country of its report, the kind of event.
    expect(page.locator(".drafted")).to_contain_text("Suggested from the passage")
    expect(page.locator("#id_start_date")).to_have_value("1999-03-01")
    expect(page.locator("#id_start_precision")).to_have_value("month")
    expect(page.locator("#id_type")).to_have_value("bombing")
    expect(page.locator(".field-country .select2-selection")).to_contain_text("Peru")
    for fact in ("start_date", "type"):
        expect(page.locator(f"#id_citations-0-facts input[value={fact}]")).to_be_checked()
    page.get_by_label("Title (English):").fill(INCIDENT)
    page.get_by_label("Title (English):").press("Tab")  # the admin fills the slug on change
    expect(page.get_by_label("Slug:")).to_have_value(re.compile("car-bomb-at-the-huancayo"))
    page.get_by_label("Status:").select_option(Status.REVIEW)
    page.locator("#id_start_date").fill("1999-03-01")
    page.locator("#id_start_precision").select_option("month")
    choose_in_autocomplete(page, "country", "Peru")
    page.locator("#id_type").select_option("bombing")
    # The passage goes on to give the injured: the editor quotes that too.
    page.locator("#id_citations-0-quote").fill(QUOTE)
    page.locator("#id_citations-0-facts input[value=injured]").check()
    # Each fact the incident states is marked on the passage that says it (the publish rule).
    for fact in ("start_date", "type"):
        page.locator(f"#id_citations-0-facts input[value={fact}]").check()
    screenshot(page, "editor-04-incident-prefilled")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    incident = Incident.objects.get(title=INCIDENT)
    assert incident.status == Status.REVIEW
    citation = Citation.objects.get(incident=incident)
    assert (citation.quote, citation.paragraph.number) == (QUOTE, 1)
    assert citation.report.title == TITLE

    # ...then claims the figure the citation gives, resting on it.
    page.locator("#claims-group .add-row a").click()
    page.locator("#id_claims-0-figure").select_option("injured")
    page.locator("#id_claims-0-low").fill("4")
    page.locator("#id_claims-0-high").fill("4")
    page.locator("#id_claims-0-wording").fill("four officers")
    page.locator("#id_claims-0-citation").select_option(str(citation.pk))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    incident.refresh_from_db()
    assert incident.injured is None  # its report is a draft: no list may show the figure yet
    page.get_by_role("button", name="Log out").click()

    # The publisher publishes the report and the incident.
    log_in(page, "publisher")
    for changelist, name in (("report", TITLE), ("incident", INCIDENT)):
        page.goto(f"/admin/reports/{changelist}/")
        row = page.locator("#result_list tr", has_text=name)
        row.locator("input.action-select").check()
        page.locator("select[name=action]").select_option("publish")
        page.get_by_role("button", name="Go").click()
        expect(page.locator(".messagelist .success")).to_be_visible()
        expect(page.locator(".messagelist .error")).to_have_count(0)
    screenshot(page, "editor-05-published")
    assert Report.objects.get(title=TITLE).status == Status.PUBLISHED
    assert Incident.objects.get(title=INCIDENT).status == Status.PUBLISHED
    assert Incident.objects.get(title=INCIDENT).injured == 4  # the best estimate, now public
    page.get_by_role("button", name="Log out").click()

    # Logged out, a reader finds it on the public site, with its quoted passage.
    page.goto("/")
    page.get_by_role("searchbox", name="Search the archive").fill("Huancayo")
    page.get_by_role("searchbox", name="Search the archive").press("Enter")
    page.get_by_role("link", name=re.compile("Huancayo police barracks")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(INCIDENT)
    expect(page.locator(".citation-list")).to_contain_text(PASSAGE)
    expect(page.locator(".facts")).to_contain_text("“four officers” (4)")
    expect(page.locator(".disclaimer").first).to_contain_text("This is not a UNHCR publication")
    screenshot(page, "editor-06-public-incident")
