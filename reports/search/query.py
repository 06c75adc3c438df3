"""A search as the reader writes it, parsed once for every engine.

    words                 every word must occur (in one passage, or anywhere in an
                          incident or group)
    "exact phrase"        the words next to each other, in this order
    word OR other         either (OR in capitals; binds the terms either side)
    -word, NOT word       none of the rows that have it (a phrase too: -"car bomb")
    prefix*               any word beginning so ("terror*": terrorism, terrorist)

Everything else is text: punctuation, lower-case "or" and "not", and the syntax of
the engines (FTS5's NEAR( and column filters, tsquery's & | !) only separates words,
so it is searched for as words and never obeyed. A term of several words joined by
punctuation ("PCP-SL", "l'été") is a phrase of them, as the engines read the text.

Each engine turns a parsed Query into its own query from these parts (never from the
reader's text): sqlite.fts5_match, postgresql.tsquery_sql, portable.condition.
"""

import re
from dataclasses import dataclass, field

MAX_TERMS = 8
MAX_WORDS = 16
MAX_WORD_CHARS = 255  # PostgreSQL refuses a tsquery word of over 2 KB
WORD = re.compile(r"[^\W_]+")
# A phrase in double quotes (to the end of the query when the quote is not closed),
# excluded by a minus before it or not, or a run of anything else but white space.
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    """A word, or the words of a phrase in order; `prefix`: the last one begins a word."""

    words: tuple
    prefix: bool = False
    text: str = ""  # as typed, for the substring search where there is no engine

    def __str__(self):
        shown = " ".join(self.words) + ("*" if self.prefix else "")
        return f'"{shown}"' if len(self.words) > 1 else shown


@dataclass(frozen=True)
class Clause:
    """Any of `terms` (one but for OR); `negated`: none of them. `group`: the name of the
    armed group whose names the terms are, when the query named one (names.expand)."""

    terms: tuple
    negated: bool = False
    group: str = ""

    def __str__(self):
        shown = " OR ".join(str(term) for term in self.terms)
        shown = f"({shown})" if len(self.terms) > 1 else shown
        return f"-{shown}" if self.negated else shown


@dataclass(frozen=True)
class Query:
    clauses: tuple = ()
    text: str = ""
    expanded: tuple = field(default=(), compare=False)  # the Clauses names.expand made

    @property
    def positive(self):
        return [clause for clause in self.clauses if not clause.negated]

    @property
    def negative(self):
        return [clause for clause in self.clauses if clause.negated]

    @property
    def words(self):
        """The words a hit may show, to mark them: every word of every positive term."""
        return [word for clause in self.positive for term in clause.terms for word in term.words]

    def __bool__(self):
        """Whether it can find anything: only excluded words find nothing."""
        return bool(self.positive)

    def __str__(self):
        return " ".join(str(clause) for clause in self.clauses)


def parse(text):
    """The Query of `text`: at most MAX_TERMS terms and MAX_WORDS words, the rest ignored."""
    text = (text or "").replace("\x00", " ")  # NUL cannot travel to PostgreSQL
    clauses, terms, budget = [], 0, MAX_WORDS
    # The clause being read: its terms and negation; what the last operator said.
    alternatives, negated, joined, excluded = [], False, False, False

    for match in TOKEN.finditer(text):
        if terms == MAX_TERMS or budget == 0:
            break
        minus_phrase, phrase, bare = match.groups()
        if bare in ("OR", "NOT"):
            # OR joins the term before to the next; NOT excludes the next.
            joined, excluded = bare == "OR" and bool(alternatives), bare == "NOT"
            continue
        minus = bool(minus_phrase) or (bare is not None and bare.startswith("-") and len(bare) > 1)
        typed = phrase if phrase is not None else bare[1:] if minus else bare
        words = [word[:MAX_WORD_CHARS] for word in WORD.findall(typed)][:budget]
        if not words:
            continue
        term = Term(tuple(words), prefix=typed.endswith("*"), text=typed.strip(' *"'))
        if joined and not (minus or excluded):
            alternatives.append(term)
        else:
            if alternatives:
                clauses.append(Clause(tuple(alternatives), negated))
            alternatives, negated = [term], minus or excluded
        joined = excluded = False
        terms, budget = terms + 1, budget - len(words)
    if alternatives:
        clauses.append(Clause(tuple(alternatives), negated))
    return Query(tuple(clauses), text=text.strip())
