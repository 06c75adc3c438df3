"""An armed group's names as one term: a search for "Shining Path" also finds the
passages, incidents and groups that say "Sendero Luminoso" or "SL".

A term that is one of a published group's names (its name, acronym or an alias, any
case, as a phrase or as words in a row) becomes "any of that group's names". The
Query keeps which clauses were so expanded, and the results page says so.
"""

from dataclasses import replace

from django.core.cache import cache

from reports.caching import stamp
from reports.models import ArchiveState, Group, GroupAlias
from reports.search.query import WORD, Clause, Term

# A group's names in one term at most (name, acronym, then aliases by name).
MAX_NAMES = 8
NAMES_TTL = 3600  # a change to the archive retires them sooner


class GroupNames:
    """Every published group's names, looked up by their words (lower case)."""

    def __init__(self):
        names = {}  # group id -> its names, name and acronym first
        groups = Group.objects.published().order_by("pk")
        for pk, name, acronym in groups.values_list("pk", "name", "acronym"):
            names[pk] = [name, acronym] if acronym else [name]
        aliases = GroupAlias.objects.filter(group__in=names).order_by("group", "name")
        for pk, alias in aliases.values_list("group", "name"):
            names[pk].append(alias)
        self.groups = {}  # words of a name -> (the group's name, the Terms of its names)
        for group_names in names.values():
            terms = _unique(key_of(name) for name in group_names)[:MAX_NAMES]
            value = (group_names[0], tuple(Term(words, text=" ".join(words)) for words in terms))
            for key in terms:
                self.groups.setdefault(key, value)
        self.longest = max((len(key) for key in self.groups), default=0)

    def of(self, words):
        """(the group's name, its names as Terms) for a name given as `words`, or None."""
        return self.groups.get(tuple(word.lower() for word in words))


def key_of(name):
    return tuple(word.lower() for word in WORD.findall(name))


def _unique(keys):
    return [key for key in dict.fromkeys(keys) if key]


# The last GroupNames this process read, by its archive stamp: every search asks,
# and unpickling thousands of names from the shared cache costs more than the search.
_latest = {}


def group_names(archive_stamp=None):
    """The GroupNames of the archive as it is now (its `archive_stamp`, (version,
    changed_at), where the caller has read it), read once per change of the archive."""
    key = f"search-names:{stamp(*(archive_stamp or ArchiveState.current()))}"
    names = _latest.get(key)
    if names is None:
        names = cache.get_or_set(key, GroupNames, timeout=NAMES_TTL)
        _latest.clear()
        _latest[key] = names
    return names


def expand(query, names):
    """`query` with every group name in it made a term of all that group's names."""
    if not names.groups or not query.clauses:
        return query
    clauses, index, given = [], 0, list(query.clauses)
    while index < len(given):
        size, found = _name_run(given, index, names)
        if found:
            clauses.append(Clause(found[1], negated=given[index].negated, group=found[0]))
            index += size
            continue
        clauses.append(_expand_terms(given[index], names))
        index += 1
    expanded = tuple(clause for clause in clauses if clause.group)
    return replace(query, clauses=tuple(clauses), expanded=expanded)


def _bare_word(clause):
    """The one word of a clause that is a plain positive word, else None."""
    if len(clause.terms) == 1 and not clause.negated:
        term = clause.terms[0]
        if len(term.words) == 1 and not term.prefix:
            return term.words[0]
    return None


def _name_run(clauses, start, names):
    """(how many clauses, the group found) for the longest name spelt by plain words in
    a row from `start` (two at least: a single word is a term, see _expand_terms)."""
    words = []
    for clause in clauses[start : start + names.longest]:
        word = _bare_word(clause)
        if word is None:
            break
        words.append(word)
    for size in range(len(words), 1, -1):
        found = names.of(words[:size])
        if found:
            return size, found
    return 0, None


def _expand_terms(clause, names):
    """The clause with each term that is a group's name replaced by all its names."""
    terms, group = [], ""
    for term in clause.terms:
        found = None if term.prefix else names.of(term.words)
        if found:
            group = group or found[0]
            terms.extend(found[1])
        else:
            terms.append(term)
    if not group:
        return clause
    return replace(clause, terms=tuple(dict.fromkeys(terms)), group=group)
