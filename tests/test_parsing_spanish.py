"""Spanish source documents: titles, countries, Refworld's Spanish disclaimer, the language."""

import pytest

from reports.countries import resolve_country
from reports.ingest.parsing import DocumentError, detect_language, parse_document
from tests.conftest import ROOT

SPANISH_PATH = ROOT / "tests" / "data" / "informe_sobre_terrorismo_2005_peru.txt"

DISCLAIMER_ES = (
    "Esta no es una publicación del ACNUR. El ACNUR no es responsable por, ni necesariamente "
    "respalda, su contenido. Cualquier opinión expresada es únicamente la del autor o editor y "
    "no refleja necesariamente la del ACNUR, las Naciones Unidas o sus Estados miembros."
)
BODY_ES = (
    "Durante el año las autoridades informaron de varios ataques de la guerrilla contra "
    "patrullas del ejército en las zonas rurales del país."
)


def spanish(title="Informe sobre terrorismo 2005 - Perú", body=BODY_ES, disclaimer=DISCLAIMER_ES):
    return "\n\n".join(part for part in (title, body, disclaimer) if part).encode()


@pytest.fixture
def spanish_bytes():
    return SPANISH_PATH.read_bytes()


def test_the_sample_spanish_document_parses_whole(spanish_bytes):
    doc = parse_document(spanish_bytes)
    assert doc.title == "Informe sobre terrorismo 2005 - Perú"
    assert (doc.series, doc.year, doc.country_code, doc.country_name) == (
        "Informe sobre terrorismo",
        2005,
        "PE",
        "Peru",
    )
    assert doc.language == "es"
    assert doc.publisher == "United States Department of State"
    assert doc.republisher == "UNHCR Refworld"
    assert len(doc.paragraphs) == 3
    assert doc.paragraphs[1].startswith("En diciembre, una columna de Sendero Luminoso emboscó")
    assert "«Artemio»" in doc.paragraphs[2]
    assert doc.disclaimer.startswith("Esta no es una publicación del ACNUR.")
    assert doc.disclaimer.endswith("las Naciones Unidas o sus Estados miembros.")
    assert not any("ACNUR" in paragraph for paragraph in doc.paragraphs)


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda b: b.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="utf8-bom"),
        pytest.param(lambda b: b"\xff\xfe" + b.decode().encode("utf-16-le"), id="utf16le"),
        pytest.param(
            lambda b: b.decode().replace("ú", "u\u0301").replace("ó", "o\u0301").encode(),
            id="decomposed-accents",
        ),
        pytest.param(lambda b: b.replace(b" - ", " \u2013 ".encode()), id="en-dash"),
        pytest.param(lambda b: b.replace(b" - ", "\u00a0-\u00a0".encode()), id="no-break-spaces"),
    ],
)
def test_variations_of_the_spanish_sample_parse_alike(spanish_bytes, transform):
    expected = parse_document(spanish_bytes)
    doc = parse_document(transform(spanish_bytes))
    assert (doc.series, doc.year, doc.country_code, doc.language) == (
        "Informe sobre terrorismo",
        2005,
        "PE",
        "es",
    )
    assert doc.paragraphs == expected.paragraphs
    assert doc.republisher == "UNHCR Refworld"


@pytest.mark.parametrize(
    ("title", "series", "year", "code", "publisher"),
    [
        (
            "Informe sobre terrorismo 2005 - Perú",
            "Informe sobre terrorismo",
            2005,
            "PE",
            "United States Department of State",
        ),
        ("Informe anual 2010 - Colombia", "Informe anual", 2010, "CO", ""),
        (
            "Informe sobre derechos humanos de 2004 - México",
            "Informe sobre derechos humanos",
            2004,
            "MX",
            "United States Department of State",
        ),
        (
            "Informe sobre Derechos Humanos del 2004 – MÉXICO",
            "Informe sobre Derechos Humanos",
            2004,
            "MX",
            "United States Department of State",
        ),
        (
            "Informe sobre derechos humanos, 2006 - Panamá",
            "Informe sobre derechos humanos",
            2006,
            "PA",
            "United States Department of State",
        ),
        (
            "Libertad en el mundo 2008 - República Dominicana",
            "Libertad en el mundo",
            2008,
            "DO",
            "Freedom House",
        ),
        ("Informe mundial 2012 - Haití", "Informe mundial", 2012, "HT", "Human Rights Watch"),
        (
            "Informe sobre la trata de personas 2009 - Brasil",
            "Informe sobre la trata de personas",
            2009,
            "BR",
            "United States Department of State",
        ),
        ("Informe anual 2003 - España.", "Informe anual", 2003, "ES", ""),
        ("Informe anual 2001 - Estados Unidos", "Informe anual", 2001, "US", ""),
        ("Informe anual 2001 - los Estados Unidos de América", "Informe anual", 2001, "US", ""),
        ("Informe anual 1999 - el Perú", "Informe anual", 1999, "PE", ""),
        (
            "Amnistía Internacional Informe 2007 - Guatemala",
            "Amnistía Internacional Informe",
            2007,
            "GT",
            "Amnesty International",
        ),
    ],
)
def test_spanish_titles(title, series, year, code, publisher):
    doc = parse_document(spanish(title))
    assert (doc.series, doc.year, doc.country_code, doc.publisher) == (
        series,
        year,
        code,
        publisher,
    )
    assert doc.title == title
    assert doc.language == "es"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Perú", "PE"),
        ("México", "MX"),
        ("MEXICO", "MX"),
        ("Panamá", "PA"),
        ("República Dominicana", "DO"),
        ("Republica dominicana", "DO"),
        ("Haití", "HT"),
        ("Brasil", "BR"),
        ("España", "ES"),
        ("Estados Unidos", "US"),
        ("EE. UU.", "US"),
        ("Bolivia", "BO"),
        ("Venezuela", "VE"),
        ("Corea del Norte", "KP"),
        ("Costa de Marfil", "CI"),
        ("Argelia", "DZ"),
        ("Arabia Saudita", "SA"),
        ("Reino Unido", "GB"),
        ("Rusia", "RU"),
        ("Unión Soviética", "SUHH"),
        ("la Argentina", "AR"),
    ],
)
def test_spanish_country_names_resolve(name, code):
    assert resolve_country(name)[0] == code


def test_spanish_names_give_the_english_short_name():
    assert resolve_country("República Dominicana") == ("DO", "Dominican Republic")
    assert resolve_country("Haití") == ("HT", "Haiti")


@pytest.mark.parametrize(
    "disclaimer",
    [
        DISCLAIMER_ES,
        "Esta no es una publicación de ACNUR. ACNUR no es responsable por su contenido.",
        "Ésta no es una publicación del ACNUR.",
        "ESTA NO ES UNA PUBLICACION DEL ACNUR.",
        "Este documento no es una publicación oficial del ACNUR.",
        "Esta no es una publicación del Alto Comisionado de las Naciones Unidas para los "
        "Refugiados.",
        "Aviso legal: Esta no es una publicación del ACNUR.",
    ],
)
def test_variants_of_the_spanish_disclaimer_are_recognised(disclaimer):
    doc = parse_document(spanish(disclaimer=disclaimer))
    assert doc.disclaimer == " ".join(disclaimer.split())
    assert doc.republisher == "UNHCR Refworld"
    assert doc.paragraphs == (BODY_ES,)


def test_a_paragraph_that_merely_mentions_acnur_stays_in_the_body():
    body = "El ACNUR no es una publicación; esta frase habla del ACNUR en el texto."
    doc = parse_document(spanish(body=BODY_ES + "\n\n" + body, disclaimer=""))
    assert doc.paragraphs[-1] == body
    assert doc.disclaimer == "" and doc.republisher == ""


def test_the_body_decides_the_language_over_the_title_and_disclaimer():
    english_body = (
        "The government of Peru continued its campaign against the remnants of the group, "
        "which was active in the valleys of the Upper Huallaga."
    )
    doc = parse_document(spanish(body=english_body))
    assert doc.language == "en"


def test_a_short_body_takes_the_language_of_its_series_then_of_its_disclaimer():
    doc = parse_document(spanish(body="Lima, 2005."))
    assert doc.language == "es"  # "Informe sobre terrorismo"
    doc = parse_document(spanish(title="Colombia 2005 - Colombia", body="Bogotá."))
    assert doc.language == "es"  # the Spanish disclaimer
    doc = parse_document(spanish(title="Colombia 2005 - Colombia", body="Bogotá.", disclaimer=""))
    assert doc.language == "en"  # nothing says otherwise


def test_the_seed_stays_english(seed_bytes):
    assert parse_document(seed_bytes).language == "en"


def test_detect_language_needs_a_clear_majority():
    assert detect_language(("el the de of la and",), "") == "en"  # no winner: default
    assert detect_language(("de la de la de la y en el",), "") == "es"


# --- Hostile and malformed Spanish documents: refused, saying why --------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            "Informe sobre terrorismo 2005 - Perú\n\nDurante el año hubo ataques.".encode("cp1252"),
            "looks like Windows-1252 or Latin-1 text",
            id="latin-1",
        ),
        pytest.param(
            "Informe sobre terrorismo 2005 - PerÃº\n\nDurante el aÃ±o.".encode(),
            "converted to UTF-8 twice",
            id="double-encoded",
        ),
        pytest.param(
            spanish(title="Informe anual 2010 - Narnia"),
            "the title names “Narnia”, which is not a known country",
            id="unknown-country",
        ),
        pytest.param(
            spanish(title="Informe anual 2010 - Perú y Bolivia"),
            "which is not a known country",
            id="two-countries",
        ),
        pytest.param(spanish(title="Informe anual - Colombia"), "is not a title", id="no-year"),
        pytest.param(spanish(title="Informe anual 2010"), "is not a title", id="no-country"),
        pytest.param(
            spanish(title="Informe anual 3010 - Colombia"), "is not a title", id="year-3010"
        ),
        pytest.param(
            spanish(body=""),
            "the document has a title but no body text, only a disclaimer",
            id="only-disclaimer",
        ),
        pytest.param(
            b"<!DOCTYPE html>\n<html lang='es'><body>Informe anual 2010 - Colombia</body></html>",
            r"the web page has no title \(no <h1> and no <title>\)",
            id="html-page",
        ),
        pytest.param(
            spanish(title="Informe anual 2010 - Colombia" + " de Colombia" * 40),
            "too long for a title",
            id="title-too-long",
        ),
        pytest.param(spanish(body="Texto\x00oculto"), "binary", id="nul-byte"),
    ],
)
def test_malformed_spanish_documents_are_refused_with_a_reason(data, message):
    with pytest.raises(DocumentError, match=message):
        parse_document(data)
