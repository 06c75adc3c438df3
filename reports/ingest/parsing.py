"""Source documents (bytes) to ParsedDocument: a pure function, no database.

The format is Refworld's text form of a country report:

    <Series> <Year> - <Country>          the title, on the first non-blank line
                                         blank line
    paragraph, possibly hard-wrapped     paragraphs separated by blank lines
    ...
    This is not a UNHCR publication...   Refworld's disclaimer, at the foot

Line endings may be LF, CRLF or CR; UTF-8 may carry a byte-order mark;
UTF-16 is accepted only with its byte-order mark (it is otherwise
indistinguishable from binary data).
"""

import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from reports.countries import resolve_country

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# "<Series> <Year> - <Country>"; the dash may be a hyphen, en or em dash, and
# some series write "for <Year>". The country is whatever follows the dash.
TITLE_RE = re.compile(
    r"^(?P<series>\S.*?)\s+(?:for\s+)?(?P<year>(?:18|19|20)\d\d)\s*[-\u2013\u2014]\s*(?P<country>\S.*)$"
)

# Disclaimers republishers append; matched at the start of a trailing paragraph.
DISCLAIMER_PATTERNS = {
    "UNHCR Refworld": re.compile(r"^This is not a UNHCR publication\b", re.IGNORECASE),
}

# Publishers of the series Refworld republishes most, so a new document of a
# known series needs no editing. Unknown series are imported without one.
SERIES_PUBLISHERS = {
    "patterns of global terrorism": "United States Department of State",
    "country reports on terrorism": "United States Department of State",
    "country reports on human rights practices": "United States Department of State",
    "u.s. department of state country report on human rights practices": (
        "United States Department of State"
    ),
    "international religious freedom report": "United States Department of State",
    "trafficking in persons report": "United States Department of State",
    "freedom in the world": "Freedom House",
    "freedom of the press": "Freedom House",
    "amnesty international report": "Amnesty International",
    "world report": "Human Rights Watch",
}


class DocumentError(ValueError):
    """The document cannot be imported; the message says why, for a person."""


@dataclass(frozen=True)
class ParsedDocument:
    title: str
    series: str
    year: int
    country_code: str
    country_name: str
    paragraphs: tuple
    disclaimer: str
    republisher: str
    publisher: str
    sha256: str
    size_bytes: int


# Longest first line taken for a title (Report.title holds 300 characters).
MAX_TITLE_LENGTH = 300

# Control characters other than tab, line breaks and form feed mean binary data.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode(data, max_bytes=DEFAULT_MAX_BYTES):
    """Return the text of `data`, or raise DocumentError saying why it is not a text document."""
    if not data:
        raise DocumentError("the file is empty")
    if len(data) > max_bytes:
        # Callers may read only max_bytes + 1 bytes of a huge file, so the
        # message names the limit, not the size.
        raise DocumentError(f"the file is larger than the limit of {max_bytes:,} bytes")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise DocumentError("the file starts as UTF-16 but is not valid UTF-16") from None
    elif b"\x00" in data:
        raise DocumentError("the file is binary (it contains NUL bytes), not a text document")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise DocumentError(
                f"the file is not UTF-8 text (invalid byte 0x{data[error.start]:02x} at "
                f"position {error.start}); save it as UTF-8 and try again"
            ) from None
    if CONTROL_RE.search(text):
        raise DocumentError("the file contains control characters: it is not a text document")
    return text


def split_paragraphs(text):
    """Split text on blank lines; join the hard-wrapped lines of each paragraph.

    Runs of whitespace become one space, as a browser would show them.
    """
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        joined = " ".join(block.split())
        if joined:
            paragraphs.append(joined)
    return paragraphs


def parse_title(line):
    """Return (series, year, country_code, country_name) from a title line."""
    if len(line) > MAX_TITLE_LENGTH:
        raise DocumentError(
            f"the first line is {len(line):,} characters long: too long for a title "
            "of the form “<Series> <Year> - <Country>”"
        )
    match = TITLE_RE.match(line)
    if not match:
        raise DocumentError(
            f"the first line “{line[:120]}” is not a title of the form "
            "“<Series> <Year> - <Country>”"
        )
    country = match["country"].strip().rstrip(".,:;").strip()
    try:
        code, name = resolve_country(country)
    except LookupError:
        raise DocumentError(f"the title names “{country}”, which is not a known country") from None
    # "Patterns of Global Terrorism, 1997 - Peru": the comma is not the series'.
    series = match["series"].strip().rstrip(",:;").strip()
    return series, int(match["year"]), code, name


def parse_text(text):
    """Return (title, series, year, code, name, paragraphs, disclaimer, republisher)."""
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise DocumentError("the file holds only blank lines")
    title = " ".join(lines[0].split())
    series, year, code, name = parse_title(title)
    paragraphs = split_paragraphs("\n".join(lines[1:]))

    disclaimer, republisher = [], ""
    while paragraphs:
        found = next(
            (org for org, rx in DISCLAIMER_PATTERNS.items() if rx.match(paragraphs[-1])), None
        )
        if found is None:
            break
        disclaimer.insert(0, paragraphs.pop())
        republisher = found
    if not paragraphs:
        raise DocumentError("the document has a title but no body text")
    return title, series, year, code, name, tuple(paragraphs), "\n\n".join(disclaimer), republisher


def parse_document(data, max_bytes=DEFAULT_MAX_BYTES):
    """Parse the bytes of a source document; raise DocumentError when it cannot be imported."""
    text = decode(data, max_bytes=max_bytes)
    title, series, year, code, name, paragraphs, disclaimer, republisher = parse_text(text)
    return ParsedDocument(
        title=title,
        series=series,
        year=year,
        country_code=code,
        country_name=name,
        paragraphs=paragraphs,
        disclaimer=disclaimer,
        republisher=republisher,
        publisher=SERIES_PUBLISHERS.get(series.lower(), ""),
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
    )
