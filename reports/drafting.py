"""What a passage says that an incident's form asks for: its dates, figures, places,
kind of event and armed groups, found by rules and the archive's own names (no network,
no downloaded model).

`marks()` finds them in a paragraph, for the report's curation list; `draft()` turns a
selected passage into suggestions for a new incident's form. A suggestion only fills a
form: the editor confirms or corrects each and saves, and nothing is written before.
Figures say no more than the words: "more than a dozen" is at least 13, "hundreds" 200
to 999, and figures joined by "and" ("eight policemen and more than a dozen civilians")
add up (at least 21).
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.core.cache import cache

from reports.caching import stamp
from reports.models import (
    ArchiveState,
    DatePrecision,
    Figure,
    Group,
    GroupAlias,
    Incident,
    IncidentType,
)
from reports.text import fold

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "enero"),
            ("february", "febrero"),
            ("march", "marzo"),
            ("april", "abril"),
            ("may", "mayo"),
            ("june", "junio"),
            ("july", "julio"),
            ("august", "agosto"),
            ("september", "septiembre", "setiembre"),
            ("october", "octubre"),
            ("november", "noviembre"),
            ("december", "diciembre"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
# (pattern, precision, whether the year may be left to the report's): the first match
# of a span wins, in this order.
DATE_RULES = [
    (
        rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:de\s+)?{_MONTH}(?:,?\s+(?:de\s+|of\s+)?{_YEAR})?\b",
        "day",
    ),
    (rf"\b{_MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,\s*{_YEAR}\b)?", "day"),
    (rf"\b{_MONTH}\s+(?:de\s+|of\s+)?{_YEAR}\b", "month"),
    # A month alone only after a word that makes it one ("In May", not "may").
    (
        r"\b(?:in|during|early|late|mid|since|until|by|en|durante|desde|hasta|"
        rf"principios\s+de|finales\s+de|mediados\s+de)[\s-]+{_MONTH}\b",
        "month",
    ),
    (rf"\b(?:in|during|since|en|durante|desde)\s+{_YEAR}\b", "year"),
    (rf"\b(?:beginning|start|end|middle)\s+of\s+{_YEAR}\b", "year"),
    (
        r"\b(?:(?:later|earlier|early|late)\s+in\s+the\s+year|during\s+the\s+year|"
        r"(?:beginning|start|end)\s+of\s+the\s+year|this\s+year|that\s+year|"
        r"(?:m[aá]s\s+tarde|a\s+lo\s+largo|durante)\s+(?:en\s+)?(?:el|del)\s+a[nñ]o)\b",
        "year",
    ),
]
DATE_RULES = [(re.compile(pattern, re.IGNORECASE), precision) for pattern, precision in DATE_RULES]

_UNITS = {
    "en": "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty",
    "es": "uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
    "dieciseis diecisiete dieciocho diecinueve veinte",
}
_TENS = {
    "en": "thirty forty fifty sixty seventy eighty ninety",
    "es": "treinta cuarenta cincuenta sesenta setenta ochenta noventa",
}
NUMBER_WORDS = {
    **{word: n for words in _UNITS.values() for n, word in enumerate(words.split(), start=1)},
    **{word: 10 * n for words in _TENS.values() for n, word in enumerate(words.split(), start=3)},
    "una": 1,
    "dieciséis": 16,
    "a dozen": 12,
    "dozen": 12,
    "una docena": 12,
    "a hundred": 100,
    "one hundred": 100,
    "cien": 100,
}
# Words for "many" and the least and most they say.
VAGUE = {
    "dozens": (24, 99),
    "scores": (40, 99),
    "hundreds": (200, 999),
    "thousands": (2000, 9999),
    "decenas": (20, 99),
    "cientos": (200, 999),
    "centenares": (200, 999),
    "miles": (2000, 9999),
}
_NUMBER = (
    r"(?P<number>\d{1,3}(?:,\d{3})+|\d+|"
    + "|".join(sorted([*NUMBER_WORDS, *VAGUE], key=len, reverse=True))
    + r")\b"
)
# Verbs that end what a number counts ("14 terrorists died").
VERBS = (
    r"were|was|are|is|had|have|has|remained|died|killed|killing|injured|injuring|wounded|"
    r"wounding|kidnapped|abducted|murdered|fueron|murieron|resultaron|quedaron"
)
# Before a number: what the figure is, exactly or as a bound.
AT_LEAST = r"at\s+least|al\s+menos|por\s+lo\s+menos"
MORE_THAN = r"more\s+than|over|m[aá]s\s+de"
UP_TO = r"up\s+to|hasta"
FIGURE_RE = re.compile(
    rf"(?<![\w-])(?:(?P<bound>{AT_LEAST}|{MORE_THAN}|{UP_TO}|between|entre|about|some|nearly|"
    rf"almost|approximately|around|all|unos|unas|cerca\s+de|casi|todos\s+los)\s+)?{_NUMBER}"
    r"(?:\s*(?:and|to|-|–|y|a)\s*(?P<high>\d{1,3}(?:,\d{3})+|\d+)\b)?"
    # What is counted: up to three words (after "of the"), not a clause's other words.
    r"(?P<noun>(?:\s+(?:of|de)(?:\s+(?:the|los|las|la|el))?"
    r"(?=\s+(?!(?:the|los|las|la|el)\b)[^\W\d]))?"
    r"(?:\s+(?!(?:and|or|of|a|an|the|in|on|at|from|who|which|that|after|before|for|with|"
    r"y|o|de|los|las|la|el|en|que|por|con|" + VERBS + r")\b)[^\W\d][\w'’-]*){0,3})",
    re.IGNORECASE,
)
# What a figure counts, by the words near it (the first that appears nearest wins).
FIGURE_WORDS = [
    (Figure.HOSTAGES, r"hostages?|kidnap\w*|abduct\w*|captives?|held|rehen\w*|secuestr\w*"),
    (
        Figure.KILLED,
        r"kill\w*|dead|died|deaths?|murder\w*|slain|executed|muert\w*|murier\w*|muri[oó]|"
        r"asesin\w*|fallec\w*",
    ),
    (Figure.INJURED, r"injur\w*|wound\w*|hurt|herid\w*|lesionad\w*"),
]
FIGURE_WORDS = [
    (figure, re.compile(rf"\b(?:{words})\b", re.IGNORECASE)) for figure, words in FIGURE_WORDS
]
# Words a figure's keyword may be from it, before or after.
NEAR_WORDS = 6
# Things counted that are not people.
NOT_PEOPLE = frozenset(
    "day days week weeks month months year years hour hours minute minutes time times km "  # noqa: SIM905
    "kilometers kilometres miles mile percent per dollars bombs bomb cars vehicles attacks "
    "incidents occasions dias semanas meses anos horas veces".split()
)
# "No injuries", "nobody was killed": a figure of none.
NONE_RE = re.compile(
    r"\b(?:no|without|sin)\s+(?P<what>injuries|injured|deaths|dead|casualties|fatalities|"
    r"victims|heridos|muertos|v[ií]ctimas)\b|\bno\s*(?:one|body)\s+was\s+(?P<verb>killed|injured|hurt)\b",
    re.IGNORECASE,
)
NONE_OF = {
    "injuries": [Figure.INJURED],
    "injured": [Figure.INJURED],
    "hurt": [Figure.INJURED],
    "heridos": [Figure.INJURED],
    "deaths": [Figure.KILLED],
    "dead": [Figure.KILLED],
    "fatalities": [Figure.KILLED],
    "killed": [Figure.KILLED],
    "muertos": [Figure.KILLED],
    "casualties": [Figure.KILLED, Figure.INJURED],
    "victims": [Figure.KILLED, Figure.INJURED],
    "victimas": [Figure.KILLED, Figure.INJURED],
}
# The kind of event, by the words that say it, most telling first.
TYPE_WORDS = [
    (IncidentType.HOSTAGE_TAKING, r"hostages?|toma\s+de\s+rehenes|rehenes"),
    (IncidentType.KIDNAPPING, r"kidnap\w*|abduct\w*|secuestr\w*"),
    (IncidentType.ASSASSINATION, r"assassinat\w*|asesinato|asesin[oó]"),
    (IncidentType.BOMBING, r"\w*bomb\w*|explosi\w*|dynamite|grenades?|explosivos?|dinamita"),
    (IncidentType.ARMED_ASSAULT, r"attack\w*|ambush\w*|assault\w*|raid\w*|ataque\w*|emboscad\w*"),
]
TYPE_WORDS = [(kind, re.compile(rf"\b(?:{words})\b", re.IGNORECASE)) for kind, words in TYPE_WORDS]
# "in Junin Department", "departamento de Junín": a region by its word.
REGION_RE = re.compile(
    r"\b(?P<before>[A-ZÁÉÍÓÚÑ][\w'’-]+(?:\s+[A-ZÁÉÍÓÚÑ][\w'’-]+)?)\s+(?:Department|Province|Region|State)\b"
    r"|\b(?:departamento|provincia|regi[oó]n|estado)\s+de\s+(?P<after>[A-ZÁÉÍÓÚÑ][\w'’-]+)"
)


@dataclass(frozen=True)
class Mark:
    """A span of text that says something an incident's form asks for."""

    start: int
    end: int
    kind: str  # "date", "figure", "place", "group"
    reading: str  # what it is read as, for the editor: "1997-05 (month)", "injured: 8"


@dataclass(frozen=True)
class DateFound:
    start: int
    end: int
    date: date
    precision: str


@dataclass(frozen=True)
class FigureFound:
    start: int
    end: int
    figure: str
    low: int
    high: int | None
    wording: str

    @property
    def bounds(self):
        """The least and the most, as the editor reads them: "30", "≥21", "200–999"."""
        if self.high is None:
            return f"≥{self.low}"
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


@dataclass
class Draft:
    """Suggestions for a new incident from one passage; None or empty: nothing found."""

    start_date: date | None = None
    start_precision: str | None = None
    city: str = ""
    region: str = ""
    type: str | None = None
    figures: list = field(default_factory=list)  # FigureFound
    groups: list = field(default_factory=list)  # GroupName

    def initial(self):
        """The incident form's initial data these suggestions give."""
        data = {"city": self.city, "region": self.region}
        if self.start_date:
            data.update(start_date=self.start_date, start_precision=self.start_precision)
        if self.type:
            data["type"] = self.type
        return {key: value for key, value in data.items() if value}

    def facts(self):
        """The facts of Fact the passage gives, for its citation's checkboxes."""
        given = [
            ("start_date", self.start_date),
            ("place", self.city or self.region),
            ("type", self.type),
            ("perpetrators", self.groups),
        ]
        figures = list(dict.fromkeys(found.figure for found in self.figures))
        return [name for name, value in given if value] + figures


# --- Dates ------------------------------------------------------------------------------


def dates_in(text, year):
    """Every date `text` gives, in order; a date without its year is in `year`."""
    found, taken = [], []
    for pattern, precision in DATE_RULES:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            groups = match.groupdict()
            month = MONTHS.get((groups.get("month") or "").lower(), 1)
            the_year = int(groups.get("year") or year)
            day = int(groups.get("day") or 1) if precision == "day" else 1
            try:
                when = date(the_year, month if precision != "year" else 1, day)
            except ValueError:  # "31 February": not a date
                continue
            taken.append((match.start(), match.end()))
            found.append(DateFound(match.start(), match.end(), when, precision))
    return sorted(found, key=lambda found: found.start)


# --- Figures ------------------------------------------------------------------------------


def _value(word):
    word = " ".join(word.lower().split())
    if word in VAGUE:
        return VAGUE[word]
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word], NUMBER_WORDS[word]
    number = int(word.replace(",", ""))
    return number, number


def _bounds(match):
    """(low, high) of one number phrase: high None for "at least" and "more than"."""
    low, high = _value(match["number"])
    bound = " ".join((match["bound"] or "").lower().split())
    if match["high"]:
        high = int(match["high"].replace(",", ""))
    elif re.fullmatch(MORE_THAN, bound):
        low, high = high + 1, None
    elif re.fullmatch(AT_LEAST, bound):
        high = None
    elif re.fullmatch(UP_TO, bound):
        low = 0
    return low, high


def _noun_words(match):
    """The words of what a number phrase counts, without "of the"."""
    words = re.findall(r"[\w'’]+", fold(match["noun"]))
    return [w for w in words if w not in {"of", "the", "de", "los", "las", "la", "el"}]


def _figure_of(text, start, end):
    """What a number phrase at text[start:end] counts: the nearest figure word within
    NEAR_WORDS words of it, in its clause."""
    clause_start = max(text.rfind(stop, 0, start) for stop in ".;\n") + 1
    clause_end = min(
        (i for i in (text.find(stop, end) for stop in ".;\n") if i >= 0), default=len(text)
    )
    before = text[clause_start:start]
    after = text[end:clause_end]
    window_before = " ".join(before.split()[-NEAR_WORDS:])
    window_after = " ".join(after.split()[:NEAR_WORDS])
    # (characters from the phrase, figure) of every figure word near it or in it
    near = []
    for figure, pattern in FIGURE_WORDS:
        near += [(len(window_before) - m.end(), figure) for m in pattern.finditer(window_before)]
        near += [(m.start(), figure) for m in pattern.finditer(window_after)]
        if pattern.search(text[start:end]):
            near.append((0, figure))
    return min(near)[1] if near else None


def figures_in(text, dates=()):
    """Every figure `text` gives: what it counts, its bounds and its words. Phrases joined
    by "and" that count the same thing add up."""
    phrases = []
    for match in FIGURE_RE.finditer(text):
        if any(match.start() < found.end and found.start < match.end() for found in dates):
            continue
        word = match["number"]
        if word.isdigit() and len(word) == 4 and 1800 <= int(word) <= 2100:
            continue  # a year
        nouns = _noun_words(match)
        if not word[0].isdigit() and not nouns:
            continue  # "all but one", "one of the": a word alone is no figure
        if nouns and nouns[0] in NOT_PEOPLE:
            continue
        end = match.end("noun") if nouns else match.end("number")
        phrases.append([match.start(), end, *_bounds(match)])
    # "eight policemen and more than a dozen civilians": one figure of both.
    joined = []
    for phrase in phrases:
        if joined and re.fullmatch(r"\s*,?\s*(?:and|y)\s+", text[joined[-1][1] : phrase[0]]):
            last = joined[-1]
            last[1] = phrase[1]
            last[2] += phrase[2]
            last[3] = None if last[3] is None or phrase[3] is None else last[3] + phrase[3]
        else:
            joined.append(phrase)
    found = []
    for start, end, low, high in joined:
        figure = _figure_of(text, start, end)
        if figure is not None:
            found.append(FigureFound(start, end, figure, low, high, text[start:end].strip()))
    for match in NONE_RE.finditer(text):
        for figure in NONE_OF[fold(match["what"] or match["verb"])]:
            found.append(FigureFound(match.start(), match.end(), figure, 0, 0, match.group()))
    return sorted(found, key=lambda found: found.start)


# --- Places, kinds, groups ------------------------------------------------------------------


class Names:
    """The archive's own names: places its incidents name, and its armed groups with their
    acronyms and aliases. archive_names() reads them once per change of the archive."""

    def __init__(self):
        # Without its default ordering: DISTINCT would count the ordering's columns too.
        places = Incident.objects.order_by().values_list("city", "region").distinct()
        rows = Group.objects.order_by("pk").values_list("pk", "name", "acronym")
        named = {pk: GroupName(pk, name) for pk, name, _acronym in rows}
        groups = {}
        for pk, name, acronym in rows:
            for each in (name, acronym):
                if each:
                    groups.setdefault(each, named[pk])
        for pk, alias in GroupAlias.objects.order_by("pk").values_list("group", "name"):
            groups.setdefault(alias, named[pk])
        self.cities = NameIndex(city for city, _region in places if city)
        self.regions = NameIndex(region for _city, region in places if region)
        self.groups = NameIndex(groups, values=groups)


# Seconds the archive's names stay cached; a change to the archive retires them sooner.
NAMES_TTL = 3600


def archive_names():
    """The Names of the archive as it is now: read once per change of the archive (its
    places alone mean reading every incident), then from the cache."""
    key = f"drafting-names:{stamp(*ArchiveState.current())}"
    return cache.get_or_set(key, Names, timeout=NAMES_TTL)


class GroupName(NamedTuple):
    """An armed group as drafting names it: its primary key and its name."""

    pk: int
    name: str


# A word of a name, as names are written: letters, digits, hyphens and apostrophes, but
# not a possessive's ("Lima's" is Lima).
WORD_RE = re.compile(r"[\w-]+(?:['’](?!s\b)[\w-]+)*")


class NameIndex:
    """Names (of one or more words) found in a text by its words: each run of words is
    looked up, longest first, so an archive of thousands of names costs no more per
    paragraph than a few (a pattern of them all would try each at every position)."""

    def __init__(self, names, values=None):
        self.names = {}
        for name in names:
            key = " ".join(WORD_RE.findall(name))
            if key:
                self.names.setdefault(key, values[name] if values else name)
        self.longest = max((key.count(" ") + 1 for key in self.names), default=0)

    def find(self, text):
        """[(start, end, value)] of the names in `text`, left to right, none overlapping."""
        words = list(WORD_RE.finditer(text))
        found, index = [], 0
        while index < len(words):
            for size in range(min(self.longest, len(words) - index), 0, -1):
                run = words[index : index + size]
                key = " ".join(word.group() for word in run)
                if key in self.names:
                    found.append((run[0].start(), run[-1].end(), self.names[key]))
                    index += size
                    break
            else:
                index += 1
        return found


def places_in(text, names):
    """[(start, end, "city" or "region", name)] of the places `text` names."""
    found = [(s, e, "city", name) for s, e, name in names.cities.find(text)]
    found += [(s, e, "region", name) for s, e, name in names.regions.find(text)]
    for match in REGION_RE.finditer(text):
        name = match["before"] or match["after"]
        if not any(start <= match.start() < end for start, end, _k, _n in found):
            found.append((match.start(), match.end(), "region", name))
    return sorted(found)


def groups_in(text, names):
    """[(start, end, GroupName)] of the armed groups `text` names, by name, acronym or
    alias."""
    return names.groups.find(text)


def type_of(text):
    """The kind of event the words of `text` say, the most telling first; None if none."""
    return next((kind for kind, pattern in TYPE_WORDS if pattern.search(text)), None)


# --- The two uses -------------------------------------------------------------------------


def draft(passage, year, names):
    """Suggestions for a new incident from `passage` of a report covering `year` (several
    passages: one per line)."""
    dates = dates_in(passage, year)
    places = places_in(passage, names)
    result = Draft(type=type_of(passage), figures=figures_in(passage, dates))
    if dates:
        result.start_date, result.start_precision = dates[0].date, dates[0].precision
    result.city = next((name for _s, _e, kind, name in places if kind == "city"), "")
    result.region = next((name for _s, _e, kind, name in places if kind == "region"), "")
    result.groups = list(dict.fromkeys(group for _s, _e, group in groups_in(passage, names)))
    return result


def marks(text, year, names):
    """The Marks of a paragraph: dates, figures, places and groups, in order, none
    overlapping another (a date's day is not also a figure)."""
    dates = dates_in(text, year)
    found = [
        Mark(d.start, d.end, "date", f"{_date_text(d.date, d.precision)} ({d.precision})")
        for d in dates
    ]
    found += [
        Mark(f.start, f.end, "figure", f"{Figure(f.figure).label}: {f.bounds}")
        for f in figures_in(text, dates)
    ]
    found += [Mark(s, e, "place", name) for s, e, _kind, name in places_in(text, names)]
    found += [Mark(s, e, "group", group.name) for s, e, group in groups_in(text, names)]
    kept = []
    for mark in sorted(found, key=lambda m: (m.start, -m.end)):
        if not kept or mark.start >= kept[-1].end:
            kept.append(mark)
    return kept


def segments(text, found):
    """`text` cut at its marks: [(text, Mark or None)], for a template to write."""
    pieces, position = [], 0
    for mark in found:
        if mark.start > position:
            pieces.append((text[position : mark.start], None))
        pieces.append((text[mark.start : mark.end], mark))
        position = mark.end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces


def _date_text(when, precision):
    return {
        DatePrecision.DAY: when.isoformat(),
        DatePrecision.MONTH: when.isoformat()[:7],
        DatePrecision.YEAR: str(when.year),
    }[precision]


# --- How well it drafts -------------------------------------------------------------------


def score(incidents, names):
    """How many of the curated `incidents`' fields the suggestions get right from the
    passages they cite: [(incident, field, right, suggested, curated)]. The fields: the
    start date with its precision, the place, the type, the perpetrators, and each
    figure claim (what it counts, its least and its most)."""
    rows = []
    for incident in incidents:
        citations = list(incident.citations.select_related("report").order_by("pk"))
        if not citations:
            continue
        year = citations[0].report.year
        found = draft("\n".join(c.quote for c in citations), year, names)
        perpetrators = set(incident.perpetration_set.values_list("group", flat=True))
        checks = [
            (
                "start date",
                (found.start_date, found.start_precision),
                (incident.start_date, incident.start_precision),
            ),
            ("place", (found.city, found.region), (incident.city, incident.region)),
            ("type", found.type, incident.type),
            ("perpetrators", {group.pk for group in found.groups}, perpetrators),
        ]
        suggested = {(f.figure, f.low, f.high) for f in found.figures}
        for claim in incident.claims.order_by("pk"):
            curated = (claim.figure, claim.low, claim.high)
            checks.append(
                (f"{claim.figure} claim", curated if curated in suggested else None, curated)
            )
        rows += [(incident, name, got == want, got, want) for name, got, want in checks]
    return rows
