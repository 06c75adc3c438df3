"""Source documents (bytes) to ParsedDocument: a pure function, no database.

A web page or a PDF file is first turned into this text form (reports/ingest/formats.py).
The format is Refworld's text form of a country report:

    <Series> <Year> - <Country>          the title, on the first non-blank line
                                         blank line
    paragraph, possibly hard-wrapped     paragraphs separated by blank lines
    ...
    This is not a UNHCR publication...   Refworld's disclaimer, at the foot

or its Spanish form ("Informe sobre derechos humanos de 2004 - México" ...
"Esta no es una publicación del ACNUR..."). The document's language comes from
its body's common words, else from its title's, else from its disclaimer's.

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
from reports.ingest import formats
from reports.text import fold, unstorable

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# "<Series> <Year> - <Country>"; the dash may be a hyphen, figure, en or em dash
# or a minus sign, and some series write "for <Year>" or, in Spanish, "de 2004".
# The country is whatever follows the dash.
TITLE_RE = re.compile(
    r"^(?P<series>\S.*?)\s+(?:(?:for|de|del)\s+)?(?P<year>(?:18|19|20)\d\d)"
    r"\s*[-\u2012\u2013\u2014\u2212]\s*(?P<country>\S.*)$",
    re.IGNORECASE,
)

# Disclaimers republishers append, as (republisher, language, pattern), matched
# on the folded start of a trailing paragraph (folded: lower case, no accents,
# so "Ésta no es una publicación" and "ESTA NO ES UNA PUBLICACION" both match).
# A label such as "Disclaimer:" or "Aviso legal:" before it is allowed.
_LABEL = r"(?:(?:disclaimer|aviso legal|aviso|descargo de responsabilidad)\s*:\s*)?"
DISCLAIMER_PATTERNS = (
    ("UNHCR Refworld", "en", re.compile(_LABEL + r"this is not an? unhcr publication\b")),
    (
        "UNHCR Refworld",
        "es",
        re.compile(
            _LABEL + r"(?:esta|este documento) no es una publicacion (?:oficial )?"
            r"(?:del|de la|de) (?:acnur|alto comisionado de las naciones unidas para "
            r"(?:los )?refugiados)\b"
        ),
    ),
)


def _words(text):
    return frozenset(text.split())


# Common short words of each language the archive reads; the body's count of
# them says which language it is written in.
STOP_WORDS = {
    "en": _words(
        "the of and to in is was were that for with by on as at from its their "
        "have has had this which are been be it an or not"
    ),
    "es": _words(
        "el la los las de del y en que por con para una un es fue se su sus al lo "
        "como entre fueron han ha este esta sobre"
    ),
}
# Words of a series' name that say its language when the body does not.
SERIES_WORDS = {
    "en": _words("report reports patterns global country human rights practices annual freedom"),
    "es": _words(
        "informe informes sobre derechos humanos anual mundial libertad terrorismo trata "
        "personas paises practicas"
    ),
}
# A language wins the count with at least this many words and twice the other's.
MIN_STOP_WORDS = 5

# Publishers of the series Refworld republishes most, so a new document of a
# known series needs no editing; keys are folded (lower case, no accents).
# Unknown series, and "Informe anual" (Amnesty International's and the
# Inter-American Commission's alike), are imported without one.
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
    # Spanish editions.
    "informe sobre terrorismo": "United States Department of State",
    "informe sobre el terrorismo": "United States Department of State",
    "informes sobre terrorismo por pais": "United States Department of State",
    "informes por pais sobre terrorismo": "United States Department of State",
    "informe sobre derechos humanos": "United States Department of State",
    "informe sobre los derechos humanos": "United States Department of State",
    "informe de derechos humanos": "United States Department of State",
    "informe sobre practicas de derechos humanos": "United States Department of State",
    "informes de paises sobre practicas de derechos humanos": "United States Department of State",
    "informe sobre la libertad religiosa internacional": "United States Department of State",
    "informe sobre libertad religiosa internacional": "United States Department of State",
    "informe sobre la trata de personas": "United States Department of State",
    "informe sobre trata de personas": "United States Department of State",
    "libertad en el mundo": "Freedom House",
    "libertad de prensa": "Freedom House",
    "informe de amnistia internacional": "Amnesty International",
    "amnistia internacional informe": "Amnesty International",
    "informe mundial": "Human Rights Watch",
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
    language: str  # ISO 639-1
    sha256: str
    size_bytes: int
    source_format: str = "text"  # reports.ingest.formats: TEXT, HTML or PDF
    extracted_with: str = ""  # the extractor and its version, for a web page or a PDF


# Longest first line taken for a title (Report.title holds 300 characters).
MAX_TITLE_LENGTH = 300

# Control characters other than tab, line breaks and form feed mean binary data.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

# UTF-8 read as Latin-1 and saved again: "PerÃº" for "Perú", "Ã©" for "é".
MOJIBAKE_RE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]")


def decode(data, max_bytes=DEFAULT_MAX_BYTES):
    """Return the text of `data`, or raise DocumentError saying why it is not a text document."""
    _check_size(data, max_bytes)
    return _text_of(data)


def _text_of(data):
    """The text of a text file's bytes (their size checked already)."""
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
                f"position {error.start}){_legacy_hint(data)}; save it as UTF-8 and try again"
            ) from None
    return _checked(text)


def _check_size(data, max_bytes):
    if not data:
        raise DocumentError("the file is empty")
    if len(data) > max_bytes:
        # Callers may read only max_bytes + 1 bytes of a huge file, so the
        # message names the limit, not the size.
        raise DocumentError(f"the file is larger than the limit of {max_bytes:,} bytes")


def _checked(text):
    """`text`, unless it holds control characters or doubly encoded accents."""
    if CONTROL_RE.search(text):
        raise DocumentError("the file contains control characters: it is not a text document")
    found = MOJIBAKE_RE.search(text)
    if found:
        raise DocumentError(
            f"the text holds “{found.group()}” where an accented letter should be: it was "
            "converted to UTF-8 twice; save the original text as UTF-8 and try again"
        )
    return text


def _legacy_hint(data):
    """Say so when the bytes read as Windows-1252 text, as older editors save Spanish."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    if CONTROL_RE.search(text):
        return ""
    return " but looks like Windows-1252 or Latin-1 text, as older editors save accents"


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
    if not match and line.startswith("<"):
        raise DocumentError(
            "the file starts with markup, not a title, and is not an HTML page; "
            "import the web page itself or the document's text"
        )
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


def _disclaimer(paragraph):
    """Return (republisher, language) if `paragraph` is a known disclaimer, else None."""
    folded = fold(paragraph)
    for republisher, language, pattern in DISCLAIMER_PATTERNS:
        if pattern.match(folded):
            return republisher, language
    return None


def _winner(counts):
    """The language counted most, if clearly: MIN_STOP_WORDS and twice the runner-up."""
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    (best, best_count), (_other, other_count) = ranked[0], ranked[1]
    if best_count >= MIN_STOP_WORDS and best_count >= 2 * other_count:
        return best
    return None


def count_words(text, vocabulary):
    """Return {language: how many words of `text` are in that language's list}."""
    words = re.findall(r"\w+", fold(text))
    return {language: sum(w in listed for w in words) for language, listed in vocabulary.items()}


def detect_language(paragraphs, series, disclaimer_language=""):
    """Return the ISO 639-1 code of a document: its body's, else its series', else its
    disclaimer's, else English. Only English and Spanish are told apart here; an
    editor sets any other language in the admin."""
    found = _winner(count_words(" ".join(paragraphs), STOP_WORDS))
    if found:
        return found
    series_counts = count_words(series, SERIES_WORDS)
    if any(series_counts.values()) and series_counts["es"] != series_counts["en"]:
        return max(series_counts, key=series_counts.get)
    return disclaimer_language or "en"


def parse_text(text):
    """Return (title, series, year, code, name, paragraphs, disclaimer, republisher,
    disclaimer language)."""
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

    disclaimer, republisher, language = [], "", ""
    while paragraphs:
        found = _disclaimer(paragraphs[-1])
        if found is None:
            break
        disclaimer.insert(0, paragraphs.pop())
        republisher, language = found
    if not paragraphs:
        if disclaimer:
            raise DocumentError("the document has a title but no body text, only a disclaimer")
        raise DocumentError("the document has a title but no body text")
    return (
        title,
        series,
        year,
        code,
        name,
        tuple(paragraphs),
        "\n\n".join(disclaimer),
        republisher,
        language,
    )


def is_title(line):
    return bool(TITLE_RE.match(line)) and len(line) <= MAX_TITLE_LENGTH


def document_text(data, max_bytes=DEFAULT_MAX_BYTES, name=""):
    """(text, format, how it was extracted) of a text file, a web page or a PDF file."""
    _check_size(data, max_bytes)
    try:
        kind = formats.sniff(data, name)
        if kind == formats.PDF:
            return _storable(formats.pdf_text(data, is_title)), kind, formats.pdf_extractor()
        if kind == formats.HTML:
            page = _checked(formats.decode_page(data))
            text = formats.html_text(page, is_title, lambda text: _disclaimer(text) is not None)
            return _storable(text), kind, formats.HTML_EXTRACTOR
    except formats.FormatError as error:
        raise DocumentError(str(error)) from None
    return _storable(_text_of(data)), kind, ""


def _storable(text):
    """`text`, unless it holds what PostgreSQL cannot store (a PDF's text layer may)."""
    what = unstorable(text)
    if what:
        raise DocumentError(
            f"the text extracted from the file holds {what}, which the archive cannot store"
        )
    return text


def parse_document(data, max_bytes=DEFAULT_MAX_BYTES, name=""):
    """Parse the bytes of a source document (`name` is its file's name, whose suffix must
    not claim another format); raise DocumentError when it cannot be imported."""
    text, source_format, extracted_with = document_text(data, max_bytes, name)
    title, series, year, code, country, paragraphs, disclaimer, republisher, disclaimer_language = (
        parse_text(text)
    )
    return ParsedDocument(
        title=title,
        series=series,
        year=year,
        country_code=code,
        country_name=country,
        paragraphs=paragraphs,
        disclaimer=disclaimer,
        republisher=republisher,
        publisher=SERIES_PUBLISHERS.get(fold(series), ""),
        language=detect_language(paragraphs, series, disclaimer_language),
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        source_format=source_format,
        extracted_with=extracted_with,
    )
