"""Small text helpers: folding for matching (never for showing), excerpts for lists, and
the one check for text PostgreSQL cannot store, used wherever text enters the archive."""

import re
import unicodedata

from django.utils.translation import gettext


def fold(text):
    """Lower case without accents, one space between words ("  Perú " -> "peru")."""
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(text.split()).lower()


def excerpt(text, length=80):
    """`text` on one line, cut to `length` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


# What PostgreSQL cannot store in text or jsonb: NUL, and UTF-16 surrogates, which no UTF-8
# encodes. A Python str holds either (a JSON "\u0000" or "\ud800" escape, a file decoded
# with errors="surrogateescape"); SQLite stores a NUL, so an archive that took one would
# not restore into PostgreSQL.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text):
    """Name the first character of `text` PostgreSQL cannot store, or return ""."""
    if text.isascii() and "\x00" not in text:  # most text: two scans in C, no regex
        return ""
    match = UNSTORABLE.search(text)
    if not match:
        return ""
    if match.group() == "\x00":
        return gettext("a NUL character (U+0000)")
    return gettext("a lone surrogate (U+%(code)04X)") % {"code": ord(match.group())}


def unstorable_in(value, where=""):
    """(where, what) for the first string in `value` (a str, or dicts and lists of them,
    keys included) holding a character PostgreSQL cannot store, else None. `where` is
    the path to it ("fields.title", "data.claims[0]")."""
    if isinstance(value, str):
        what = unstorable(value)
        return (where, what) if what else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = unstorable_in(key, where) or unstorable_in(
                item, f"{where}.{key}" if where else str(key)
            )
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            if found := unstorable_in(item, f"{where}[{index}]"):
                return found
    return None
