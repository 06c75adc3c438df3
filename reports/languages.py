"""Language codes of documents: ISO 639-1, optionally with a region ("pt-BR").

Plain Python (no Django) so the parser, the command and the admin check them alike.
"""

import re

import pycountry

CODE_RE = re.compile(r"^(?P<language>[A-Za-z]{2})(?:[-_](?P<region>[A-Za-z]{2}))?$")


def normalise_language(code):
    """Return `code` as BCP 47 writes it ("es", "pt-BR"); raise ValueError if it is not
    an ISO 639-1 code, with or without an ISO 3166 region."""
    text = (code or "").strip()
    match = CODE_RE.match(text)
    if not match or pycountry.languages.get(alpha_2=match["language"].lower()) is None:
        raise ValueError(
            f"“{text[:20]}” is not an ISO 639-1 language code (two letters, such as en or es)"
        )
    if match["region"] is None:
        return match["language"].lower()
    if pycountry.countries.get(alpha_2=match["region"].upper()) is None:
        raise ValueError(f"“{text}” names no known region after its language")
    return f"{match['language'].lower()}-{match['region'].upper()}"
