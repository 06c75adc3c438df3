"""A query string cut into terms and words, once, for every engine.

Terms are what the reader typed, split on white space: the portable engine looks
them up as substrings. Words are what the full-text engines index: runs of letters
and digits, so punctuation, FTS5 and tsquery syntax included, only separates them
and is never obeyed.
"""

import re

MAX_TERMS = 8
MAX_WORDS = 16
MAX_WORD_CHARS = 255  # PostgreSQL refuses a tsquery word of over 2 KB
WORD = re.compile(r"[^\W_]+")


def terms_of(query):
    """Return the first MAX_TERMS terms of `query`."""
    # NUL cannot travel to PostgreSQL and means nothing in a search anyway.
    return (query or "").replace("\x00", " ").split()[:MAX_TERMS]


def words_of(terms):
    """The words of the query's terms, as the engines cut text into words.

    "NEAR(river" is "near" and "river", "say_hi" is "say" and "hi": punctuation, FTS5
    and tsquery syntax included, only separates words, so it is searched for as
    words and never obeyed.
    """
    return [word[:MAX_WORD_CHARS] for term in terms for word in WORD.findall(term)][:MAX_WORDS]
