"""Country names as documents spell them, to ISO 3166 codes."""

import pycountry
import pytest

from reports.countries import ALIASES, country_name, resolve_country


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("Peru", "PE"),
        ("PERU", "PE"),
        ("Perú", "PE"),
        ("Peru\u0301", "PE"),  # decomposed accent
        ("  Peru  ", "PE"),
        ("PE", "PE"),
        ("pe", "PE"),
        ("PER", "PE"),
        ("México", "MX"),
        ("Guinea-Bissau", "GW"),
        ("Guinea - Bissau", "GW"),
        ("Côte d’Ivoire", "CI"),
        ("Cote d'Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("Burma", "MM"),
        ("Bolivia, Plurinational State of", "BO"),
        ("the Philippines", "PH"),
        ("Kosovo", "XK"),
        ("Soviet Union", "SUHH"),
        ("SUHH", "SUHH"),
    ],
)
def test_names_resolve_whatever_their_case_accents_or_apostrophes(spelling, code):
    assert resolve_country(spelling)[0] == code


def test_resolved_names_are_short_english_names():
    assert resolve_country("Perú") == ("PE", "Peru")
    assert resolve_country("Congo, The Democratic Republic of the")[1] == (
        "Democratic Republic of the Congo"
    )
    assert country_name("SUHH") == "Soviet Union"


@pytest.mark.parametrize("spelling", ["", "   ", "Atlantis", "004", "ZZ", "Peru Bolivia"])
def test_unknown_countries_raise_lookup_error(spelling):
    with pytest.raises(LookupError):
        resolve_country(spelling)


def test_every_code_has_a_name_and_no_two_codes_share_one():
    # Country.name is unique in the database.
    codes = {c.alpha_2 for c in pycountry.countries} | set(ALIASES.values())
    names = [country_name(code) for code in codes]
    assert all(names)
    assert len(set(names)) == len(names)
