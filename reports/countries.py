"""Country names as source documents and datasets spell them, to ISO 3166 codes.

Plain Python (no Django) so the parser can use it. ISO 3166-1 comes from
pycountry, with its Spanish names (pycountry ships ISO's Spanish catalogue);
the tables below add the names Refworld and the GTD codebook use that ISO does
not (Burma, Ivory Coast, Kosovo, Soviet Union, ...), in English and in Spanish.
Former states keep their ISO 3166-3 four-letter code so their rows are not
merged into a successor state.
"""

import functools
import gettext
import re

import pycountry

from reports.text import fold

ALIASES = {
    "burma": "MM",
    "russia": "RU",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "kosovo": "XK",
    "macedonia": "MK",
    "turkey": "TR",
    "cape verde": "CV",
    "swaziland": "SZ",
    "east timor": "TL",
    "palestine": "PS",
    "west bank": "PS",
    "west bank and gaza strip": "PS",
    "gaza strip": "PS",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",  # UCDP's name
    "macedonia, fyr": "MK",
    "congo, democratic republic of the": "CD",
    "congo (kinshasa)": "CD",
    "congo, republic of the": "CG",
    "congo (brazzaville)": "CG",
    "republic of the congo": "CG",
    "bosnia-herzegovina": "BA",
    "slovak republic": "SK",
    "st. kitts and nevis": "KN",
    "st. lucia": "LC",
    "st. vincent and the grenadines": "VC",
    "brunei": "BN",
    "vatican city": "VA",
    "macau": "MO",
    "hong kong": "HK",
    "west germany (frg)": "DE",
    "west germany": "DE",
    "germany, federal republic of": "DE",
    "united states of america": "US",
    "usa": "US",
    "great britain": "GB",
    "korea, south": "KR",
    "korea, north": "KP",
    "south korea": "KR",
    "north korea": "KP",
    "the gambia": "GM",
    "gambia, the": "GM",
    "bahamas, the": "BS",
    "micronesia": "FM",
    "falkland islands": "FK",
    # Former states (ISO 3166-3).
    "soviet union": "SUHH",
    "ussr": "SUHH",
    "yugoslavia": "YUCS",
    "serbia-montenegro": "CSXX",
    "serbia and montenegro": "CSXX",
    "czechoslovakia": "CSHH",
    "east germany (gdr)": "DDDE",
    "east germany": "DDDE",
    "zaire": "ZRCD",
    "rhodesia": "RHZW",
    # ISO's VD was North Vietnam; the Republic of (South) Viet Nam held VN.
    "south vietnam": "VN",
    "north vietnam": "VDVN",
    "south yemen": "YDYE",
    "north yemen": "YE",
    "people's republic of the congo": "CG",
    "new hebrides": "VU",
}

# Spanish names Spanish-language reports use that ISO's Spanish catalogue does not
# have (it says "Bolivia, Estado plurinacional de", "Federación Rusa", ...).
SPANISH_ALIASES = {
    "estados unidos de america": "US",
    "ee. uu.": "US",
    "ee.uu.": "US",
    "eeuu": "US",
    "eua": "US",
    "rusia": "RU",
    "corea del sur": "KR",
    "corea del norte": "KP",
    "republica de corea": "KR",
    "myanmar": "MM",
    "costa de marfil": "CI",
    "republica democratica del congo": "CD",
    "congo (kinshasa)": "CD",
    "republica del congo": "CG",
    "congo (brazzaville)": "CG",
    "palestina": "PS",
    "territorios palestinos": "PS",
    "territorios palestinos ocupados": "PS",
    "cisjordania": "PS",
    "franja de gaza": "PS",
    "cisjordania y franja de gaza": "PS",
    "kosovo": "XK",
    "macedonia": "MK",
    "antigua republica yugoslava de macedonia": "MK",
    "bosnia y herzegovina": "BA",
    "bosnia-herzegovina": "BA",
    "republica checa": "CZ",
    "holanda": "NL",
    "gran bretana": "GB",
    "inglaterra": "GB",
    "timor oriental": "TL",
    "suazilandia": "SZ",
    "cabo verde": "CV",
    "micronesia": "FM",
    "vaticano": "VA",
    "santa sede": "VA",
    "islas malvinas": "FK",
    "malvinas": "FK",
    "belice": "BZ",
    "argelia": "DZ",
    "arabia saudita": "SA",
    "sudafrica": "ZA",
    "laos": "LA",
    "libia": "LY",
    "siria": "SY",
    "iran": "IR",
    "tanzania": "TZ",
    "moldavia": "MD",
    "bolivia": "BO",
    "venezuela": "VE",
    # Former states (ISO 3166-3).
    "union sovietica": "SUHH",
    "urss": "SUHH",
    "yugoslavia": "YUCS",
    "serbia y montenegro": "CSXX",
    "checoslovaquia": "CSHH",
    "alemania oriental": "DDDE",
    "republica democratica alemana": "DDDE",
    "zaire": "ZRCD",
    "rodesia": "RHZW",
}

# Codes that are not in pycountry's ISO 3166-1 list.
EXTRA_NAMES = {"XK": "Kosovo"}

# Shorter names where ISO's reads like an index entry ("Congo, The Democratic
# Republic of the"), so pages and lists show what readers expect.
PREFERRED_NAMES = {
    "CD": "Democratic Republic of the Congo",
    "FM": "Micronesia",
    "PS": "Palestine",
    "VA": "Holy See",
    "VG": "British Virgin Islands",
    "VI": "US Virgin Islands",
    "SUHH": "Soviet Union",
    "CSHH": "Czechoslovakia",
    "DDDE": "East Germany",
    "RHZW": "Rhodesia",
    "VDVN": "North Vietnam",
    "YDYE": "South Yemen",
    "YUCS": "Yugoslavia",
    "ZRCD": "Zaire",
}

# Typographic apostrophes and quotes, as word processors write them.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def _key(name):
    """Fold a name for lookup: no accents, straight apostrophes, one space, lower case."""
    return re.sub(r" ?- ?", "-", fold(name.translate(_APOSTROPHES)))


def _catalogue(language):
    """Return ISO 3166-1's catalogue in `language`, or None where pycountry lacks it."""
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return None


def _spanish():
    return _catalogue("es")


@functools.cache
def _names():
    """Return {folded name: code} for every ISO name and alias ("peru", "mexico"...).

    English names win over a Spanish name spelled the same way for another
    country; none does today, but a catalogue update must not move a country.
    """
    index = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                index.setdefault(_key(value), country.alpha_2)
    for code, name in {**EXTRA_NAMES, **PREFERRED_NAMES}.items():
        index.setdefault(_key(name), code)
    index.update(ALIASES)
    spanish = _spanish()
    if spanish is not None:
        for country in pycountry.countries:
            for attribute in ("name", "official_name", "common_name"):
                value = getattr(country, attribute, None)
                if value:
                    index.setdefault(_key(spanish.gettext(value)), country.alpha_2)
    for name, code in SPANISH_ALIASES.items():
        index.setdefault(_key(name), code)
    return index


def _code(text):
    """Return the country code for an ISO 3166 code (alpha-2, alpha-3, 3166-3 alpha-4)."""
    if not text.isalpha() or not 2 <= len(text) <= 4:
        return None
    text = text.upper()
    if text in EXTRA_NAMES:
        return text
    if len(text) == 4:
        return text if pycountry.historic_countries.get(alpha_4=text) else None
    found = pycountry.countries.get(**{"alpha_2" if len(text) == 2 else "alpha_3": text})
    return found.alpha_2 if found else None


def resolve_country(name_or_code):
    """Return (code, name) for a country name or ISO code; raise LookupError if unknown.

    Names match without regard to case, accents or apostrophe style, in English
    or Spanish, so "Perú", "PERU" and "Peru" are all PE, "México" is MX and
    "Estados Unidos" is US.
    """
    text = re.sub(r"\s+", " ", name_or_code or "").strip()
    if not text:
        raise LookupError("no country given")
    key = _key(text)
    code = _names().get(key)
    # "the Gambia", "el Perú", "los Estados Unidos": the article is not the name.
    article = re.match(r"(?:the|el|la|los|las) ", key)
    if code is None and article:
        code = _names().get(key[article.end() :])
    if code is None:
        code = _code(text)
    if code is None:
        raise LookupError(f"unknown country: {text}")
    return code, country_name(code)


def country_name(code):
    """Return the English short name for an ISO 3166-1 alpha-2 or 3166-3 alpha-4 code."""
    code = code.upper()
    if code in EXTRA_NAMES:
        return EXTRA_NAMES[code]
    if code in PREFERRED_NAMES:
        return PREFERRED_NAMES[code]
    if len(code) == 4:
        found = pycountry.historic_countries.get(alpha_4=code)
    else:
        found = pycountry.countries.get(alpha_2=code)
    if found is None:
        raise LookupError(f"unknown country code: {code}")
    return getattr(found, "common_name", found.name)


@functools.cache
def _names_in(language):
    """{code: name} in `language`, from ISO 3166-1's catalogue ({} for English)."""
    catalogue = _catalogue(language) if not language.startswith("en") else None
    if catalogue is None:
        return {}
    names = {}
    for country in pycountry.countries:
        english = getattr(country, "common_name", country.name)
        translated = catalogue.gettext(english)
        if translated == english:  # the catalogue translates ISO's name, not its common one
            translated = catalogue.gettext(country.name)
        names[country.alpha_2] = translated
    return names


def local_country_name(code, name, language):
    """The country's name in `language`, where ISO 3166 gives one; else `name`.

    ISO's formal names come inverted ("Bolivia, Estado plurinacional de"); where the
    stored name is a short one, it reads better untranslated than formal.
    """
    local = _names_in(language).get(code, name)
    return name if ", " in local and ", " not in name else local
