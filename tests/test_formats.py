"""Documents as they arrive: Refworld-style web pages and PDF files (reports/ingest/
formats.py), imported with their original bytes, refused with a reason when they are
not what they claim. The files are written here, the PDFs built with fpdf2."""

import hashlib
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from fpdf import FPDF

from reports.ingest.documents import ImportRefused, import_documents
from reports.ingest.parsing import DocumentError, parse_document
from reports.models import Paragraph, Report, SourceFile, Status
from tests.test_admin import admin_url

DISCLAIMER = (
    "This is not a UNHCR publication. UNHCR is not responsible for, nor does it "
    "necessarily endorse, its content."
)
FIRST = (
    "Peru's two main terrorist groups, Sendero Luminoso and the Tupac Amaru "
    "Revolutionary Movement (MRTA), continued to weaken in 1997."
)
SECOND = "The MRTA seized the Japanese ambassador's residence in Lima on 17 December 1996."

REFWORLD_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Refworld | Patterns of Global Terrorism 1997 - Peru</title>
  <script>var tracker = "Patterns of Global Terrorism 1998 - Chile";</script>
  <style>p {{ color: red }}</style>
</head>
<body onload="alert('loaded')">
  <header class="site-header"><a href="/">Refworld</a> <nav>Countries Themes Search</nav></header>
  <div class="breadcrumbs">Home &gt; Peru &gt; Reports</div>
  <main id="content">
    <h1>Patterns of Global Terrorism 1997 - Peru</h1>
    <div class="disclaimer"><p><strong>Disclaimer:</strong> {DISCLAIMER}</p></div>
    <div class="document-meta">Publisher: United States Department of State</div>
    <div id="document-text">
      <p>{FIRST.replace("Tupac Amaru", "Tupac <em>Amaru</em>")}</p>
      <p onclick="steal()">{SECOND}<script>document.write("injected")</script></p>
      <ul><li>Car bomb &amp; grenade attacks &lt;b&gt;continued&lt;/b&gt;.</li></ul>
    </div>
    <aside class="related">Related documents: Peru 1998</aside>
    <form action="/search"><input name="q"><button>Search Refworld</button></form>
  </main>
  <footer>© UNHCR 2026 · Privacy</footer>
  <script src="/js/app.js"></script>
</body>
</html>
"""


def page_bytes(text=REFWORLD_PAGE, encoding="utf-8"):
    return text.encode(encoding)


def import_one(name, data, **kwargs):
    [outcome] = import_documents([(name, data)], method="test", **kwargs)
    return outcome.report


def refusal(name, data):
    with pytest.raises(ImportRefused) as refused:
        import_documents([(name, data)], method="test")
    [(refused_name, reason)] = refused.value.problems
    assert refused_name == name
    return reason


# --- Web pages ------------------------------------------------------------------------


def test_a_refworld_page_gives_its_title_text_and_disclaimer():
    doc = parse_document(page_bytes(), name="peru-1997.html")
    assert doc.title == "Patterns of Global Terrorism 1997 - Peru"
    assert (doc.series, doc.year, doc.country_code) == ("Patterns of Global Terrorism", 1997, "PE")
    assert doc.paragraphs == (
        "Publisher: United States Department of State",
        FIRST,
        SECOND,
        "Car bomb & grenade attacks <b>continued</b>.",
    )
    assert doc.disclaimer == f"Disclaimer: {DISCLAIMER}"
    assert doc.republisher == "UNHCR Refworld"
    assert (doc.source_format, doc.extracted_with) == (
        "html",
        "html.parser (Python standard library)",
    )
    everything = " ".join([doc.title, *doc.paragraphs, doc.disclaimer])
    for furniture in ("Refworld |", "Countries Themes", "Home >", "Related documents", "Privacy"):
        assert furniture not in everything
    for hostile in ("tracker", "injected", "alert", "steal", "color: red"):
        assert hostile not in everything


def test_a_page_without_main_content_reads_its_body():
    page = f"""<html><head><title>Patterns of Global Terrorism 1997 - Peru</title></head>
    <body><div id="nav-menu">Home | About</div><p>{FIRST}</p><p>{SECOND}</p>
    <div class="footer"><p>{DISCLAIMER}</p></div></body></html>"""
    doc = parse_document(page.encode(), name="peru.htm")
    assert doc.title == "Patterns of Global Terrorism 1997 - Peru"
    assert doc.paragraphs == (FIRST, SECOND)
    assert doc.disclaimer == DISCLAIMER


def test_a_page_declaring_windows_1252_is_read_in_it():
    page = REFWORLD_PAGE.replace('charset="utf-8"', 'charset="windows-1252"')
    page = page.replace("1997 - Peru</h1>", "1997 - Perú</h1>").replace("Lima", "Líma")
    doc = parse_document(page.encode("cp1252"), name="peru.html")
    assert doc.title.endswith("Perú")
    assert "Líma" in doc.paragraphs[2]


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        (
            "<html><body><nav>Home</nav><footer>Privacy</footer></body></html>",
            "the web page has no title (no <h1> and no <title>)",
        ),
        (
            "<html><head><title>Patterns of Global Terrorism 1997 - Peru</title></head>"
            "<body><nav>Home</nav><h1>Patterns of Global Terrorism 1997 - Peru</h1>"
            "<footer>Privacy</footer></body></html>",
            "the web page holds no document text, only its title and page furniture",
        ),
        (
            "<html><head><title>Refworld | Search results</title></head>"
            "<body><h1>Search results</h1><main><p>No documents found.</p></main></body></html>",
            "the first line “Search results” is not a title",
        ),
        (
            '<html><head><meta charset="klingon-8"></head><body><h1>x</h1></body></html>',
            "the page declares the character set “klingon-8”",
        ),
    ],
    ids=["no-title", "no-text", "not-a-report", "unknown-charset"],
)
def test_a_page_with_no_document_is_refused_and_nothing_is_written(db, markup, reason):
    assert reason in refusal("page.html", markup.encode())
    assert not Report.objects.exists()


def test_a_hostile_page_reaches_readers_as_text(client, db):
    report = import_one("peru.html", page_bytes(), publish=True)
    html = client.get(report.get_absolute_url()).content.decode()
    assert "&lt;b&gt;continued&lt;/b&gt;" in html
    assert "<b>continued</b>" not in html
    assert "steal()" not in html and "injected" not in html


# --- PDF files ------------------------------------------------------------------------

HEADER = "U.S. Department of State - Patterns of Global Terrorism"
# The body as a PDF sets it: the lines of each paragraph, with one word broken by a
# hyphen at a line's end and a paragraph running over the page break.
PDF_LINES = [
    ["Patterns of Global Terrorism 1997 - Peru", ""],
    [
        "Peru's two main terrorist groups, Sendero Luminoso and the Tupac Amaru Revolu-",
        "tionary Movement (MRTA), continued to weaken in 1997 as the Government kept up",
        "its counterterrorist campaign.",
        "",
        "The MRTA seized the Japanese ambassador's residence in Lima on 17 December",
        "1996, taking hundreds of hostages; security forces stormed the residence on",
    ],
    [
        "22 April 1997, freeing all but one of the 72 remaining hostages. All fourteen",
        "MRTA members died in the operation.",
        "",
        DISCLAIMER,
    ],
]


class ReportPdf(FPDF):
    """A government-style PDF: a running header and a page number on every page."""

    def header(self):
        self.set_font("helvetica", size=8)
        self.cell(0, 6, HEADER, new_x="LMARGIN", new_y="NEXT")
        self.ln(8)

    def footer(self):
        self.set_y(-15)
        self.set_font("helvetica", size=8)
        self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")


def make_pdf(pages, pdf_class=ReportPdf, encrypt=None):
    pdf = pdf_class()
    if encrypt:
        pdf.set_encryption(owner_password="owner", user_password=encrypt)  # noqa: S106
    for page in pages:
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        for line in page:
            if line:
                pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.ln(6)
    return bytes(pdf.output())


def pdf_pages():
    """The first two pages of PDF_LINES, the title on the first."""
    return [PDF_LINES[0] + PDF_LINES[1], PDF_LINES[2]]


def test_a_pdf_gives_its_paragraphs_without_headers_footers_and_page_numbers():
    doc = parse_document(make_pdf(pdf_pages()), name="peru-1997.pdf")
    assert doc.title == "Patterns of Global Terrorism 1997 - Peru"
    assert doc.paragraphs == (
        "Peru's two main terrorist groups, Sendero Luminoso and the Tupac Amaru Revolutionary "
        "Movement (MRTA), continued to weaken in 1997 as the Government kept up its "
        "counterterrorist campaign.",
        "The MRTA seized the Japanese ambassador's residence in Lima on 17 December 1996, "
        "taking hundreds of hostages; security forces stormed the residence on 22 April "
        "1997, freeing all but one of the 72 remaining hostages. All fourteen MRTA members "
        "died in the operation.",
    )
    assert doc.disclaimer == DISCLAIMER
    assert doc.source_format == "pdf"
    assert doc.extracted_with.startswith("pypdf ")


def test_a_pdf_paragraph_ends_at_a_short_line_without_a_blank_one():
    lines = [
        "Patterns of Global Terrorism 1997 - Peru",
        "",
        "The Tupac Amaru Revolutionary Movement (MRTA) was weakened by the loss of its",
        "leaders during the year.",
        "Sendero Luminoso continued to carry out attacks in the Upper Huallaga Valley and",
        "in the central highlands.",
    ]
    doc = parse_document(make_pdf([lines]), name="peru.pdf")
    assert doc.paragraphs == (
        "The Tupac Amaru Revolutionary Movement (MRTA) was weakened by the loss of its "
        "leaders during the year.",
        "Sendero Luminoso continued to carry out attacks in the Upper Huallaga Valley and "
        "in the central highlands.",
    )


def test_a_pdf_is_imported_with_its_original_for_readers_to_download(client, db):
    data = make_pdf(pdf_pages())
    report = import_one("peru-1997.pdf", data, publish=True)
    assert (report.source_format, report.sha256) == ("pdf", hashlib.sha256(data).hexdigest())
    assert bytes(SourceFile.objects.get(report=report).data) == data
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Extracted from the PDF file with pypdf" in page
    original_url = f"{report.get_absolute_url()}original/"
    assert f'href="{original_url}"' in page
    response = client.get(original_url)
    assert response.status_code == 200
    assert response.content == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="peru-1997.pdf"'
    assert response["Content-Security-Policy"] == "sandbox"
    # The same bytes again store nothing twice.
    import_one("peru-1997.pdf", data)
    assert SourceFile.objects.count() == 1


def test_the_original_of_a_web_page_is_never_served_as_a_page(client, db):
    report = import_one("peru.html", page_bytes(), publish=True)
    response = client.get(f"{report.get_absolute_url()}original/")
    assert response.content == page_bytes()
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_original_of_a_draft_or_of_a_report_imported_without_one(client, db):
    draft = import_one("peru.html", page_bytes())
    assert draft.status == Status.DRAFT
    assert client.get(f"{draft.get_absolute_url()}original/").status_code == 404
    SourceFile.objects.all().delete()
    Report.objects.filter(pk=draft.pk).update(status=Status.PUBLISHED)
    assert client.get(f"{draft.get_absolute_url()}original/").status_code == 404
    assert "Download the original" not in client.get(draft.get_absolute_url()).content.decode()


def test_a_pdf_whose_text_holds_markup_reaches_readers_as_text(client, db):
    pages = pdf_pages()
    pages[1] = ["<script>alert('pdf')</script> was found on 22 April 1997.", *pages[1]]
    report = import_one("peru.pdf", make_pdf(pages), publish=True)
    assert any("<script>" in p.text for p in Paragraph.objects.filter(report=report))
    html = client.get(report.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert" in html
    assert "<script>alert" not in html


class ImageOnlyPdf(FPDF):
    pass


def image_only_pdf():
    pdf = ImageOnlyPdf()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")  # a scanned page: shapes, no text
    return bytes(pdf.output())


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "locked.pdf",
            lambda: make_pdf(pdf_pages(), encrypt="secret"),
            "the PDF is encrypted and needs a password to open",
        ),
        ("scan.pdf", image_only_pdf, "the PDF has no text layer"),
        ("broken.pdf", lambda: b"%PDF-1.7\n1 0 obj <<>> garbage", "the PDF file cannot be read"),
        (
            "report.pdf",
            lambda: b"Patterns of Global Terrorism 1997 - Peru\n\nText.\n",
            "named .pdf",
        ),
        ("report.html", lambda: make_pdf(pdf_pages()), "named .html but is not an HTML page"),
        ("report.txt", lambda: make_pdf(pdf_pages()), "named .txt but is a PDF file"),
    ],
    ids=[
        "encrypted",
        "no-text-layer",
        "corrupt",
        "text-named-pdf",
        "pdf-named-html",
        "pdf-named-txt",
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused(db, name, data, reason):
    good = ("good.pdf", make_pdf(pdf_pages()))
    with pytest.raises(ImportRefused) as refused:
        import_documents([good, (name, data())], method="test")
    assert refused.value.problems[0][0] == name
    assert reason in refused.value.problems[0][1]
    # Nothing of the run is written, the good file included.
    assert not Report.objects.exists()
    assert not SourceFile.objects.exists()


def test_an_encrypted_pdf_that_opens_without_a_password_is_read():
    # Owner-only encryption (printing, copying rules): every reader opens it.
    doc = parse_document(make_pdf(pdf_pages(), encrypt=""), name="peru.pdf")
    assert doc.title == "Patterns of Global Terrorism 1997 - Peru"


def test_the_parser_refuses_a_pdf_with_a_clear_message():
    with pytest.raises(DocumentError, match="no text layer"):
        parse_document(image_only_pdf(), name="scan.pdf")


# --- The command and the admin upload -------------------------------------------------


def test_the_command_imports_a_folder_of_pages_and_pdfs(db, tmp_path):
    (tmp_path / "peru-1997.html").write_bytes(page_bytes())
    chile = make_pdf(
        [["Patterns of Global Terrorism 1998 - Chile", "", "A paragraph about Chile in 1998."]]
    )
    (tmp_path / "chile-1998.pdf").write_bytes(chile)
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")  # not a document it reads
    out = StringIO()
    call_command("import_documents", str(tmp_path), stdout=out)
    assert sorted(Report.objects.values_list("source_format", flat=True)) == ["html", "pdf"]


def test_the_command_names_the_file_it_refuses(db, tmp_path):
    (tmp_path / "scan.pdf").write_bytes(image_only_pdf())
    with pytest.raises(CommandError, match=r"scan\.pdf.*no text layer"):
        call_command("import_documents", str(tmp_path / "scan.pdf"), stdout=StringIO())
    assert not Report.objects.exists()


def test_the_admin_upload_takes_a_pdf_and_a_page(client, editor):
    client.force_login(editor)
    files = [
        SimpleUploadedFile("peru-1997.html", page_bytes(), content_type="text/html"),
        SimpleUploadedFile(
            "chile-1998.pdf",
            make_pdf([["Patterns of Global Terrorism 1998 - Chile", "", "About Chile."]]),
            content_type="application/pdf",
        ),
    ]
    response = client.post(admin_url(Report, "import"), {"documents": files})
    assert response.status_code == 302
    assert Report.objects.count() == 2
    assert SourceFile.objects.count() == 2


def test_the_admin_upload_refuses_other_files(client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("notes.docx", b"PK\x03\x04", content_type="application/msword")
    response = client.post(admin_url(Report, "import"), {"documents": [upload]})
    assert "refused notes.docx: only .txt text files, .html web pages and .pdf files" in (
        response.content.decode()
    )
    assert not Report.objects.exists()
