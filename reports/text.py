"""Text folded for matching, never for showing."""

import unicodedata


def fold(text):
    """Lower case without accents, one space between words ("  Perú " -> "peru")."""
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(text.split()).lower()
