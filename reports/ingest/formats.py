"""Documents as they arrive (plain text, a web page, a PDF file) to the plain text that
reports.ingest.parsing reads: a title line, paragraphs separated by blank lines, the
republisher's disclaimer at the foot.

- **Web pages** (Refworld's and the like) are read with the standard library's HTML
  parser. A general extractor (trafilatura, readability) is built to keep an article's
  prose and drop the rest, and the rest is where a republisher puts its disclaimer,
  which the archive must keep; the parser also keeps no markup or attribute at all, so
  a script or an event handler in the page can never reach the archive.
  The title is the page's <h1> (else its <title>, less the site's name); the text is
  the paragraphs of its <main> or <article> (else of its body), without navigation,
  headers, footers, forms and scripts; a disclaimer is taken from wherever the page
  shows it.
- **PDF files** are read with pypdf, in its layout mode (blank lines where the page
  leaves space): running headers, footers and page numbers are dropped, words
  hyphenated at a line's end are joined, and paragraphs are rebuilt across line and
  page breaks.
"""

import codecs
import io
import math
import re
from collections import Counter
from html.parser import HTMLParser

from reports.text import fold

TEXT, HTML, PDF = "text", "html", "pdf"
# The files an import reads, by their names' suffixes, and the media types a browser may
# send for each (the bytes decide in the end: sniff()).
SUFFIXES = {
    ".txt": {"text/plain"},
    ".html": {"text/html", "application/xhtml+xml"},
    ".htm": {"text/html", "application/xhtml+xml"},
    ".pdf": {"application/pdf", "application/x-pdf"},
}
HTML_EXTRACTOR = "html.parser (Python standard library)"


def pdf_extractor():
    from pypdf import __version__  # imported when a PDF arrives, as in pdf_text()

    return f"pypdf {__version__}"


class FormatError(ValueError):
    """The bytes are not a readable document of their format; the message says why."""


def sniff(data, name=""):
    """The format of `data` (TEXT, HTML or PDF), from its bytes; refuse a file whose name
    claims a format its bytes do not have."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"%PDF-" in data[:1024]:
        found = PDF
    elif _looks_like_html(head):
        found = HTML
    else:
        found = TEXT
    suffix = name.lower().rpartition(".")[2] if "." in name else ""
    if suffix == "pdf" and found != PDF:
        raise FormatError("the file is named .pdf but is not a PDF file")
    if suffix in ("html", "htm") and found != HTML:
        raise FormatError(f"the file is named .{suffix} but is not an HTML page")
    if suffix == "txt" and found == PDF:
        raise FormatError("the file is named .txt but is a PDF file")
    return found


def _looks_like_html(head):
    lowered = head[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return True
    return lowered.startswith(b"<") and (b"<body" in lowered or b"<head" in lowered)


# --- Web pages ---------------------------------------------------------------------

# Elements whose content is never document text.
SKIPPED = frozenset(
    "script style noscript template head nav header footer aside form button select "  # noqa: SIM905
    "textarea iframe object embed svg canvas video audio map".split()
)
# Elements inside a paragraph's text; any other element ends one paragraph and starts
# another (and may change whether what follows is furniture).
INLINE = frozenset(
    "a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong "  # noqa: SIM905
    "sub sup time u var wbr".split()
)
# Elements with no end tag: never pushed on the stack of open elements.
VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()  # noqa: SIM905
)
# Classes and ids of page furniture that sits in ordinary <div>s.
FURNITURE_RE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|breadcrumbs?|footer|header|sidebar|"
    r"share|social|cookies?|skip|toolbar|search)(?:$|[\s_-])",
    re.IGNORECASE,
)
META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class _PageReader(HTMLParser):
    """Collects a page's paragraphs, each marked as inside its main content or not and
    as furniture or not, and its <h1>s and <title>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, furniture, main) of the open elements
        self.blocks = []  # (text, furniture, main)
        self.headings = []
        self.title = ""
        self.buffer = []
        self.heading = None  # the text of an <h1> being read
        self.in_title = False
        self.hidden = 0  # depth inside <script>, <style>, ...: never text at all

    def _state(self):
        return self.stack[-1][1:] if self.stack else (False, False)

    def _flush(self):
        text = " ".join("".join(self.buffer).split())
        self.buffer = []
        if text:
            self.blocks.append((text, *self._state()))

    def handle_starttag(self, tag, attrs):
        if tag not in INLINE:
            self._flush()
        if tag in VOID:
            return
        furniture, main = self._state()
        marks = " ".join(value or "" for name, value in attrs if name in ("class", "id", "role"))
        furniture = furniture or tag in SKIPPED or bool(FURNITURE_RE.search(marks))
        main = main or tag in ("main", "article") or "main" in marks.split()
        self.stack.append((tag, furniture, main))
        if tag in ("script", "style", "template", "noscript"):
            self.hidden += 1
        if tag == "title":
            self.in_title = True
        if tag == "h1":
            self.heading = []

    def handle_endtag(self, tag):
        if tag not in INLINE:
            self._flush()
        if tag == "title":
            self.in_title = False
        if tag == "h1" and self.heading is not None:
            self.headings.append(" ".join("".join(self.heading).split()))
            self.heading = None
        # Close up to the matching open element (pages leave some unclosed).
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                for closed, _furniture, _main in self.stack[depth:]:
                    if closed in ("script", "style", "template", "noscript"):
                        self.hidden -= 1
                del self.stack[depth:]
                break

    def handle_data(self, data):
        if self.hidden:
            return
        if self.in_title:
            self.title += data
            return
        if self.heading is not None:
            self.heading.append(data)
        self.buffer.append(data)

    def close(self):
        super().close()
        self._flush()


def _page_encoding(data):
    """The codec a page declares in a <meta> (or a byte-order mark), else UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    found = META_CHARSET_RE.search(data[:4096])
    if found:
        try:
            return codecs.lookup(found.group(1).decode("ascii")).name
        except LookupError:
            raise FormatError(
                f"the page declares the character set “{found.group(1).decode('ascii')}”, "
                "which is not one Python knows"
            ) from None
    return "utf-8"


def _title(reader, is_title):
    """The page's document title: the first <h1> that reads as one, else the part of
    <title> that does ("Refworld | Patterns of Global Terrorism 1997 - Peru")."""
    title = " ".join(reader.title.split())
    candidates = [*reader.headings, title, *re.split(r"\s+[|·]\s+", title)]
    candidates = [c for c in candidates if c]
    return next((c for c in candidates if is_title(c)), candidates[0] if candidates else "")


def html_text(text, is_title, is_disclaimer):
    """The plain text of the page `text`: its title line, then its paragraphs, then any
    disclaimer the page shows, each separated by a blank line. `is_title` and
    `is_disclaimer` say whether a line reads as a title or a disclaimer."""
    reader = _PageReader()
    reader.feed(text)
    reader.close()
    title = _title(reader, is_title)
    if not title:
        raise FormatError("the web page has no title (no <h1> and no <title>)")
    disclaimers = list(dict.fromkeys(t for t, _f, _m in reader.blocks if is_disclaimer(t)))
    content = [(t, main) for t, furniture, main in reader.blocks if not furniture]
    if any(main for _t, main in content):
        content = [(t, main) for t, main in content if main]
    body = [t for t, _main in content if t not in disclaimers]
    # The title is the page's heading, not its first paragraph.
    if body and fold(body[0]) == fold(title):
        body = body[1:]
    if not body:
        raise FormatError("the web page holds no document text, only its title and page furniture")
    return "\n\n".join([title, *body, *disclaimers])


def decode_page(data):
    codec = _page_encoding(data)
    try:
        return data.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as error:
        raise FormatError(
            f"the page is not valid {codec} (invalid byte 0x{data[error.start]:02x} at "
            f"position {error.start})"
        ) from None


# --- PDF files ---------------------------------------------------------------------

# "12", "- 12 -", "Page 12", "Page 12 of 40", "Página 3 de 9", "12/40".
PAGE_NUMBER_RE = re.compile(
    r"^[-–—\s]*(?:(?:page|p\.|pagina)\s*)?\d{1,4}(?:\s*(?:of|de|/)\s*\d{1,4})?[-–—\s]*$",
    re.IGNORECASE,
)
# A line that ends a sentence: a paragraph may end there.
SENTENCE_END_RE = re.compile(r"[.!?:;)\]”’\"»]$")
# Lines at the top and bottom of a page where running headers and footers sit.
EDGE_LINES = 3
# The first page's lines in which to look for the title.
TITLE_SEARCH_LINES = 10
# Hyphen at a line's end before a lower-case word: one word broken across the lines.
HYPHENATED_RE = re.compile(r"(\w)[-\u00ad]\n[ \t]*(?=[a-zà-öø-ÿ])")


def pdf_text(data, is_title):
    """The plain text of the PDF file `data`: its pages' text from its title line (the
    first of its first lines that `is_title` accepts) without running headers, footers
    and page numbers, words joined across hyphenated line ends, paragraphs separated by
    blank lines. Raise FormatError for an encrypted PDF or one with no text."""
    # Imported when a PDF arrives: the web processes, which import the importer for the
    # admin's upload, seldom read one.
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        # Owner-only encryption (printing and copying rules) opens without a password.
        locked = reader.is_encrypted and not reader.decrypt("")
        pages = (
            [] if locked else [page.extract_text(extraction_mode="layout") for page in reader.pages]
        )
    # NotImplementedError: an encryption pypdf does not implement.
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        OSError,
        NotImplementedError,
    ) as error:
        raise FormatError(f"the PDF file cannot be read ({error})") from None
    if locked:
        raise FormatError(
            "the PDF is encrypted and needs a password to open; save an unencrypted copy "
            "and import that"
        )
    lines = [[line.rstrip() for line in page.splitlines()] for page in pages]
    if not any(line.strip() for page in lines for line in page):
        raise FormatError(
            "the PDF has no text layer (it is an image of the pages, perhaps a scan); "
            "import a copy with text"
        )
    pages = _without_running_lines(lines)
    pages[0] = _from_title(pages[0], is_title)
    return _join_pages([_paragraph_breaks(page) for page in pages])


def _from_title(page, is_title):
    """The first page from its title line on: a publisher's banner above the title (on
    a one-page file, nothing repeats to tell it for a running header) is not the text."""
    for index in _filled(page)[:TITLE_SEARCH_LINES]:
        if is_title(" ".join(page[index].split())):
            return page[index:]
    return page


def _shape(line):
    """A line with its numbers and spacing aside, so "Page 3" and "Page 4" are alike."""
    return re.sub(r"\d+", "#", " ".join(fold(line).split()))


def _filled(page):
    """Indexes of a page's non-blank lines."""
    return [index for index, line in enumerate(page) if line.strip()]


def _edges(page):
    """Indexes of a page's first and last EDGE_LINES non-blank lines."""
    filled = _filled(page)
    return set(filled[:EDGE_LINES] + filled[-EDGE_LINES:])


def _without_running_lines(pages):
    """The pages less their page numbers and the lines that repeat at the top or bottom
    of at least half of them (two at least): running headers and footers."""
    seen = Counter()
    for page in pages:
        seen.update({_shape(page[index]) for index in _edges(page)})
    repeated = {
        shape for shape, count in seen.items() if count >= max(2, math.ceil(len(pages) / 2))
    }
    kept = []
    for page in pages:
        edges = _edges(page)
        kept.append(
            [
                line
                for index, line in enumerate(page)
                if index not in edges
                or not (PAGE_NUMBER_RE.match(line) or _shape(line) in repeated)
            ]
        )
    return kept


def _paragraph_breaks(page):
    """The page's lines, without blank lines at its top and foot, with a blank line after
    each that ends a paragraph without one: a line that ends a sentence well short of
    the page's full lines. A page whose last paragraph ends on it ends with a blank line."""
    while page and not page[-1].strip():
        page = page[:-1]
    while page and not page[0].strip():
        page = page[1:]
    lengths = sorted(len(line.strip()) for line in page if line.strip())
    if not lengths:
        return []
    full = lengths[int(0.9 * (len(lengths) - 1))]
    lines = []
    for index, line in enumerate(page):
        lines.append(line)
        stripped = line.strip()
        following = page[index + 1].strip() if index + 1 < len(page) else "end of page"
        if (
            stripped
            and following
            and SENTENCE_END_RE.search(stripped)
            and len(stripped) < 0.8 * full
        ):
            lines.append("")
    return lines


def _join_pages(pages):
    """One text of all pages: a paragraph that runs over a page break continues on the
    next page, unless the page ended it (_paragraph_breaks)."""
    # A page that ends its paragraph ends with "", so its text ends with a line break
    # and the one added here makes the blank line between paragraphs.
    text = "\n".join("\n".join(page) for page in pages if page)
    return HYPHENATED_RE.sub(r"\1", text)
