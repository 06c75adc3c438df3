"""Small text helpers: folding for matching (never for showing), excerpts for lists."""

import unicodedata


def fold(text):
    """Lower case without accents, one space between words ("  Perú " -> "peru")."""
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(text.split()).lower()


def excerpt(text, length=80):
    """`text` on one line, cut to `length` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"
