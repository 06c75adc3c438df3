"""Country names as source documents and datasets spell them, to ISO 3166 codes.

Plain Python (no Django) so the parser can use it. ISO 3166-1 comes from
pycountry; the table below adds the names Refworld and the GTD codebook use
that ISO does not (Burma, Ivory Coast, Kosovo, Soviet Union, ...). Former
states keep their ISO 3166-3 four-letter code so their rows are not merged
into a successor state.
"""

import re
import unicodedata

import pycountry

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
    "south vietnam": "VDVN",
    "south yemen": "YDYE",
    "north yemen": "YE",
    "people's republic of the congo": "CG",
    "new hebrides": "VU",
}

# Codes that are not in pycountry's ISO 3166-1 list.
EXTRA_NAMES = {"XK": "Kosovo"}


def _key(name):
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", name).strip().lower()


def resolve_country(name_or_code):
    """Return (code, name) for a country name or ISO code; raise LookupError if unknown."""
    text = (name_or_code or "").strip()
    if not text:
        raise LookupError("no country given")
    code = ALIASES.get(_key(text))
    if code is None:
        try:
            code = pycountry.countries.lookup(text).alpha_2
        except LookupError:
            raise LookupError(f"unknown country: {text}") from None
    return code, country_name(code)


def country_name(code):
    """Return the English short name for an ISO 3166-1 alpha-2 or 3166-3 alpha-4 code."""
    code = code.upper()
    if code in EXTRA_NAMES:
        return EXTRA_NAMES[code]
    if len(code) == 4:
        found = pycountry.historic_countries.get(alpha_4=code)
    else:
        found = pycountry.countries.get(alpha_2=code)
    if found is None:
        raise LookupError(f"unknown country code: {code}")
    return getattr(found, "common_name", found.name)
