"""The source-document parser: plain strings in, ParsedDocument or DocumentError out."""

import codecs
import hashlib

import pytest

from reports.ingest.parsing import DocumentError, parse_document

DISCLAIMER = (
    "This is not a UNHCR publication. UNHCR is not responsible for, nor does it necessarily "
    "endorse, its content."
)


def document(title="Patterns of Global Terrorism 1997 - Peru", *paragraphs, disclaimer=True):
    """Return the bytes of a small document in Refworld's text form."""
    paragraphs = paragraphs or ("First paragraph.", "Second paragraph.")
    parts = [title, *paragraphs, *([DISCLAIMER] if disclaimer else [])]
    return "\n\n".join(parts).encode()


# --- The seed -----------------------------------------------------------------


def test_seed_title_series_year_and_country(seed_bytes):
    doc = parse_document(seed_bytes)
    assert doc.title == "Patterns of Global Terrorism 1997 - Peru"
    assert doc.series == "Patterns of Global Terrorism"
    assert doc.year == 1997
    assert (doc.country_code, doc.country_name) == ("PE", "Peru")


def test_seed_body_is_three_paragraphs_without_the_disclaimer(seed_bytes):
    doc = parse_document(seed_bytes)
    assert len(doc.paragraphs) == 3
    assert doc.paragraphs[0].startswith("The first four months of 1997 were marred by the hostage")
    assert "successfully rescued all but one of the 72 remaining hostages" in doc.paragraphs[1]
    assert "kidnapped 30 employees of a French oil company in Junin" in doc.paragraphs[2]
    assert not any("UNHCR" in paragraph for paragraph in doc.paragraphs)


def test_seed_disclaimer_is_kept_apart_and_names_the_republisher(seed_bytes):
    doc = parse_document(seed_bytes)
    assert doc.disclaimer.startswith("This is not a UNHCR publication.")
    assert doc.disclaimer.endswith("the United Nations or its Member States.")
    assert doc.republisher == "UNHCR Refworld"
    assert doc.publisher == "United States Department of State"


def test_seed_provenance_is_the_checksum_and_size_of_the_bytes(seed_bytes):
    doc = parse_document(seed_bytes)
    assert doc.sha256 == hashlib.sha256(seed_bytes).hexdigest()
    assert doc.size_bytes == len(seed_bytes) == 2298


# --- Variations that must parse alike ----------------------------------------


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda b: b.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda b: b.replace(b"\n", b"\r"), id="cr-only"),
        pytest.param(lambda b: codecs.BOM_UTF8 + b, id="utf8-bom"),
        pytest.param(lambda b: codecs.BOM_UTF16_LE + b.decode().encode("utf-16-le"), id="utf16le"),
        pytest.param(lambda b: codecs.BOM_UTF16_BE + b.decode().encode("utf-16-be"), id="utf16be"),
        pytest.param(lambda b: b"\n\n  \n" + b, id="leading-blank-lines"),
        pytest.param(lambda b: b.replace(b"\n", b"  \t\n"), id="trailing-whitespace"),
        pytest.param(lambda b: b.replace(b". ", b".  "), id="double-spaces"),
        pytest.param(lambda b: b.replace(b"\n\n\n", b"\n\n\n\n\n"), id="many-blank-lines"),
    ],
)
def test_variations_of_the_seed_parse_to_the_same_text(seed_bytes, transform):
    expected = parse_document(seed_bytes)
    data = transform(seed_bytes)
    doc = parse_document(data)
    assert doc.title == expected.title
    assert (doc.series, doc.year, doc.country_code) == (expected.series, 1997, "PE")
    assert doc.paragraphs == expected.paragraphs
    assert doc.disclaimer == expected.disclaimer
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.size_bytes == len(data)


def test_hard_wrapped_paragraphs_are_joined():
    wrapped = "The first line of a paragraph\nwrapped at a narrow\n   width."
    doc = parse_document(document("Patterns of Global Terrorism 1997 - Peru", wrapped, "Next."))
    assert doc.paragraphs == ("The first line of a paragraph wrapped at a narrow width.", "Next.")


def test_blank_lines_holding_only_spaces_separate_paragraphs():
    doc = parse_document(b"Patterns of Global Terrorism 1997 - Peru\n \t \nOne.\n   \nTwo.\n")
    assert doc.paragraphs == ("One.", "Two.")


def test_accented_names_are_kept_and_composed():
    decomposed = "Abimael Guzma\u0301n was arrested in Lima."
    doc = parse_document(document("Patterns of Global Terrorism 1997 - Peru", decomposed))
    assert doc.paragraphs == ("Abimael Guzmán was arrested in Lima.",)


def test_accented_country_in_title_resolves_to_its_iso_code():
    doc = parse_document(document("Patterns of Global Terrorism 1997 - Perú"))
    assert doc.title == "Patterns of Global Terrorism 1997 - Perú"
    assert (doc.country_code, doc.country_name) == ("PE", "Peru")


@pytest.mark.parametrize("dash", ["\u2013", "\u2014", "-"])
def test_title_dash_may_be_hyphen_en_or_em_dash(dash):
    doc = parse_document(document(f"Patterns of Global Terrorism 1997 {dash} Peru"))
    assert (doc.series, doc.year, doc.country_code) == ("Patterns of Global Terrorism", 1997, "PE")


def test_multiple_spaces_in_the_title_are_collapsed():
    doc = parse_document(document("  Patterns  of Global   Terrorism 1997  -  Peru  "))
    assert doc.title == "Patterns of Global Terrorism 1997 - Peru"
    assert doc.series == "Patterns of Global Terrorism"


@pytest.mark.parametrize(
    ("title", "series", "year", "code", "publisher"),
    [
        (
            "Country Reports on Human Rights Practices for 2010 - Peru",
            "Country Reports on Human Rights Practices",
            2010,
            "PE",
            "United States Department of State",
        ),
        (
            "Country Reports on Terrorism 2005 - Colombia",
            "Country Reports on Terrorism",
            2005,
            "CO",
            "United States Department of State",
        ),
        ("Freedom in the World 2008 - Burma", "Freedom in the World", 2008, "MM", "Freedom House"),
        (
            "Patterns of Global Terrorism 1999 - Guinea-Bissau",
            "Patterns of Global Terrorism",
            1999,
            "GW",
            "United States Department of State",
        ),
        (
            "Minorities at Risk Assessment 2003 - Peru",
            "Minorities at Risk Assessment",
            2003,
            "PE",
            "",
        ),
        (
            "Patterns of Global Terrorism 1997 - Peru.",
            "Patterns of Global Terrorism",
            1997,
            "PE",
            "United States Department of State",
        ),
        (
            "Patterns of Global Terrorism, 1997 - Peru",
            "Patterns of Global Terrorism",
            1997,
            "PE",
            "United States Department of State",
        ),
    ],
)
def test_other_series_and_countries(title, series, year, code, publisher):
    doc = parse_document(document(title))
    assert (doc.series, doc.year, doc.country_code, doc.publisher) == (
        series,
        year,
        code,
        publisher,
    )


def test_document_without_a_disclaimer_has_no_republisher():
    doc = parse_document(
        document("Patterns of Global Terrorism 1997 - Peru", "Body.", disclaimer=False)
    )
    assert doc.paragraphs == ("Body.",)
    assert doc.disclaimer == ""
    assert doc.republisher == ""
    assert doc.publisher == "United States Department of State"


def test_disclaimer_wording_in_the_body_is_not_taken_for_the_disclaimer():
    body = "Officials said: this is not a UNHCR publication, nor ours."
    doc = parse_document(document("Patterns of Global Terrorism 1997 - Peru", body, "End."))
    assert doc.paragraphs == (body, "End.")


def test_title_followed_directly_by_text_without_blank_line():
    doc = parse_document(b"Patterns of Global Terrorism 1997 - Peru\nBody text.\n")
    assert doc.paragraphs == ("Body text.",)


# --- Bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"", "the file is empty", id="empty"),
        pytest.param(b"  \n\r\n\t\n", "only blank lines", id="only-whitespace"),
        pytest.param(codecs.BOM_UTF8, "only blank lines", id="only-bom"),
        pytest.param(
            "Patterns of Global Terrorism 1997 - Perú\n\nAbimael Guzmán.".encode("latin-1"),
            "not UTF-8 text (invalid byte 0xfa",
            id="latin-1",
        ),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
            "binary",
            id="png",
        ),
        pytest.param(
            b"Patterns of Global Terrorism 1997 - Peru\n\nText\x00\x00 more.",
            "binary",
            id="nul-bytes",
        ),
        pytest.param(
            b"Patterns of Global Terrorism 1997 - Peru\n\nText\x1b[31m red.",
            "control characters",
            id="control-characters",
        ),
        pytest.param(
            codecs.BOM_UTF16_LE + b"P\x00e\x00\x00\xd8",
            "not valid UTF-16",
            id="broken-utf16",
        ),
        pytest.param(
            b"Terrorism in Peru\n\nText.",
            "is not a title of the form",
            id="title-without-series-year-country",
        ),
        pytest.param(
            b"Patterns of Global Terrorism - Peru\n\nText.",
            "is not a title of the form",
            id="title-without-year",
        ),
        pytest.param(
            b"1997 - Peru\n\nText.",
            "is not a title of the form",
            id="title-without-series",
        ),
        pytest.param(
            b"Patterns of Global Terrorism 1997 -\n\nText.",
            "is not a title of the form",
            id="title-without-country",
        ),
        pytest.param(
            b"Patterns of Global Terrorism 1997 - Atlantis\n\nText.",
            "“Atlantis”, which is not a known country",
            id="unknown-country",
        ),
        pytest.param(
            b"Patterns of Global Terrorism 1997 - Peru\n\n\n",
            "a title but no body",
            id="title-without-body",
        ),
        pytest.param(
            f"Patterns of Global Terrorism 1997 - Peru\n\n{DISCLAIMER}".encode(),
            "a title but no body",
            id="title-and-disclaimer-only",
        ),
        pytest.param(
            ("word " * 100 + "1997 - Peru\n\nText.").encode(),
            "too long for a title",
            id="overlong-first-line",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_reason(data, reason):
    with pytest.raises(DocumentError) as error:
        parse_document(data)
    assert reason in str(error.value)


def test_file_over_the_size_limit_is_refused():
    data = document()
    with pytest.raises(DocumentError) as error:
        parse_document(data, max_bytes=len(data) - 1)
    assert f"larger than the limit of {len(data) - 1:,} bytes" in str(error.value)


def test_file_at_the_size_limit_is_accepted():
    data = document()
    assert parse_document(data, max_bytes=len(data)).size_bytes == len(data)
