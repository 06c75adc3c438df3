"""Spanish words as the search indexes them: accents folded, then Snowball-stemmed.

PostgreSQL does this itself (migration 0014's reports_spanish configuration: the
unaccent dictionary, then spanish_stem). SQLite's FTS5 has only the English porter
stemmer, so Spanish text is stemmed here, in Python, into the stems its own FTS5
table (reports_search_es) holds: the triggers that fill it call spanish_stems()
through the SQL function STEMS_FUNCTION, which register() adds to every SQLite
connection of the app (reports.apps), and the query's words are stemmed the same
way. Folding first, on both sides, makes "accion" and "acción", "peru" and "Perú"
the same word whatever the writer or the reader typed.
"""

from functools import lru_cache

import snowballstemmer

from reports.search.query import WORD
from reports.text import fold

LANGUAGE = "es"  # Report.language of the documents searched in Spanish
STEMS_FUNCTION = "reports_spanish_stems"  # as migration 0014's triggers call it
_stemmer = snowballstemmer.stemmer("spanish")


@lru_cache(maxsize=50_000)
def stem(word):
    return _stemmer.stemWord(fold(word))


def spanish_stems(text):
    """The stems of `text`'s words, space-separated, in order: what FTS5 indexes."""
    return " ".join(stem(word) for word in WORD.findall(text or ""))


def first_match(text, words):
    """The first word of `text` with the stem of one of `words`, else None."""
    wanted = {stem(word) for word in words}
    return next((word for word in WORD.findall(text or "") if stem(word) in wanted), None)


def register(sender=None, connection=None, **kwargs):
    """connection_created receiver: give an SQLite connection the stemming function."""
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_function(STEMS_FUNCTION, 1, spanish_stems, deterministic=True)
