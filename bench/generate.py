"""Synthetic archive data of realistic shape, for tests of speed.

Every row is marked: `is_synthetic=True` and "[SYNTHETIC]" in its title or
name, so it can never be mistaken for a real fact. Everything is drawn from
one `random.Random(seed)`, so the same seed gives the same archive.

Shapes follow the real data: countries and groups are Zipf-distributed (the
GTD's top country holds a fifth of its incidents, a few groups most of the
attributions) and recent years are busier, so list pages have deep tails.

Rows are written in bulk (reports.ingest.bulk.RowInserter, bulk_create for the few
groups) in one transaction: no per-row save(), so no per-row history or Citation
quote query; the quotes are instead taken verbatim from the generated
paragraphs, so they hold by construction. The tables being empty, the large
ones get their indexes and the incidents their search rows once, at the end.
"""

import csv
import hashlib
import itertools
import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from django.db import transaction
from django.utils import timezone

from reports.countries import country_name
from reports.ingest import gtd_codebook as gtd
from reports.ingest.bulk import (
    DeferredIndexes,
    RowInserter,
    bulk_writes,
    refresh_planner_statistics,
    reset_sequences,
)
from reports.models import (
    ArchiveState,
    Citation,
    Country,
    DatePrecision,
    Group,
    GroupActivity,
    GroupAlias,
    Incident,
    IncidentType,
    Organisation,
    Paragraph,
    Perpetration,
    Report,
    Status,
    quote_key,
)
from reports.search import pause_search_index, rebuild_search_index

MARK = "[SYNTHETIC]"
COUNTRY_CODES = (  # noqa: SIM905
    "IQ AF PK IN CO PH SO NG TR GB PE YE SY TH LY EG DZ IL PS ES "
    "LK FR US RU NP CD SD BD ML KE CM DE MZ GR SV GT LB MX CF IR "
    "UA SA IT NI ET UG BI TN ZA BR VE CL AR KH ID MM CN JP NO BE"
).split()
FIRST_YEAR, YEARS = 1990, 30
# Searched for by the benchmark: one word in every report, and one in ten reports
# (evenly spaced) whatever the archive's size, so the rare word's results page is the
# same page at 1,000 and at 200,000 incidents and only the index's cost can differ.
COMMON_WORD = "violence"
RARE_WORD = "quillwort"
RARE_REPORTS = 10
BATCH = 2000

_WORDS = (  # noqa: SIM905
    "the of and to in a was were by on for with that armed group police government forces "
    "attack attacks bomb bombing killed wounded kidnapped hostages security army military "
    "village town province capital district region members leaders militants insurgents "
    "authorities officials civilians soldiers officers reported claimed responsibility "
    "during year years month against near between after before since under several "
    "two three four five dozens hundreds many some most few other which who their its "
    "campaign offensive ceasefire talks negotiations peace agreement elections political "
    "party opposition parliament president minister ministry embassy ambassador residence "
    "station checkpoint market bus train road bridge pipeline power oil company workers "
    "employees journalists students teachers priests judges mayors candidates activists "
    "arrested detained sentenced released freed rescued captured surrendered escaped "
    "explosive device car truck grenade rifle ambush raid assault siege occupation "
    "continued increased decreased remained reduced expanded declined persisted "
    "international regional national local rural urban northern southern eastern western "
    "central border coastal mountain jungle highland lowland valley river"
).split()
_SYLLABLES = "ka ri mo ta ne lu sa vi do pe ra zu ho mi ga te no bi ya ke".split()  # noqa: SIM905
_ADJECTIVES = ("Popular", "Revolutionary", "National", "Patriotic", "Liberation", "United")
_NOUNS = ("Front", "Movement", "Army", "Brigade", "Council", "Alliance", "Vanguard", "Union")
_CITIES = ("Capital", "Port", "North", "South", "Upper", "Lower", "New", "Old", "East", "West")
# Each attacktype1_txt with its share of incidents (the order is part of what a seed draws).
_GTD_ATTACKS = (
    ("Bombing/Explosion", 0.48),
    ("Armed Assault", 0.24),
    ("Assassination", 0.10),
    ("Hostage Taking (Kidnapping)", 0.06),
    ("Facility/Infrastructure Attack", 0.06),
    ("Unknown", 0.04),
    ("Unarmed Assault", 0.006),
    ("Hostage Taking (Barricade Incident)", 0.006),
    ("Hijacking", 0.008),
)
_TARGETS = (
    "Private Citizens & Property",
    "Military",
    "Police",
    "Government (General)",
    "Business",
    "Transportation",
    "Educational Institution",
    "Religious Figures/Institutions",
    "Utilities",
    "Journalists & Media",
)


class ArchiveNotEmpty(Exception):
    """The database already holds reports, incidents or groups."""


@dataclass
class Counts:
    reports: int = 0
    paragraphs: int = 0
    groups: int = 0
    incidents: int = 0
    perpetrations: int = 0
    citations: int = 0


def _zipf(n, s=1.0):
    return list(accumulate(1 / (rank**s) for rank in range(1, n + 1)))


def _picker(rng, population, cum_weights):
    """A function returning rng.choices(population, cum_weights=cum_weights)[0].

    The same draw from the same number of rng (this is what choices() computes), so
    a seed gives the archive it gave, without choices()' checks and list on each of
    the million calls a full-size archive makes.
    """
    random_, total, hi = rng.random, cum_weights[-1] + 0.0, len(cum_weights) - 1
    return lambda: population[bisect_right(cum_weights, random_() * total, 0, hi)]


class Shapes:
    """Draws of the data's shapes (see the module docstring) from one rng."""

    def __init__(self, rng):
        self.country = _picker(rng, COUNTRY_CODES, _zipf(len(COUNTRY_CODES)))
        # Later years are busier.
        years = range(FIRST_YEAR, FIRST_YEAR + YEARS)
        self.year = _picker(rng, years, list(accumulate(range(1, YEARS + 1))))
        attacks, weights = zip(*_GTD_ATTACKS, strict=True)
        self.attack = _picker(rng, attacks, list(accumulate(weights)))
        # Resolved once: a lazy label is translated again each time it is formatted.
        self.labels = {kind: str(IncidentType(kind).label) for kind in IncidentType}
        self.labels[IncidentType.OTHER] = "Incident"


class Text:
    """Sentences of a Zipf-distributed vocabulary: real words and made-up ones."""

    def __init__(self, rng):
        self.rng = rng
        made_up = {
            "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(3000)
        }
        self.words = _WORDS + sorted(made_up)
        self.weights = _zipf(len(self.words), 0.9)

    def sentence(self, extra=()):
        words = self.rng.choices(self.words, cum_weights=self.weights, k=self.rng.randint(8, 22))
        for word in extra:
            words.insert(self.rng.randrange(len(words) + 1), word)
        return " ".join(words).capitalize() + "."

    def paragraph(self, extra=()):
        sentences = [self.sentence() for _ in range(self.rng.randint(2, 6))]
        if extra:
            sentences[0] = self.sentence(extra)
        return " ".join(sentences)


def _sentences(text):
    return [part if part.endswith(".") else part + "." for part in text.split(". ") if part]


def ensure_empty():
    for model in (Report, Incident, Group, Paragraph, Citation):
        if model.objects.exists():
            raise ArchiveNotEmpty(
                f"the database already holds {model._meta.verbose_name_plural}; "
                "generate_archive fills only an empty archive (use a new DATABASE_URL)"
            )


def generate_archive(*, reports, incidents, groups, seed, log=None):
    """Fill an empty archive with published synthetic data; return Counts.

    Raise ArchiveNotEmpty, writing nothing, if the archive holds any content.
    """
    log = log or (lambda message: None)
    rng = random.Random(seed)
    text = Text(rng)
    counts = Counts()
    now = timezone.now()
    published = {
        "status": Status.PUBLISHED,
        "status_changed_at": now,
        "is_synthetic": True,
        "created_at": now,
        "updated_at": now,
    }
    with bulk_writes(), transaction.atomic():
        ensure_empty()
        pause_search_index()  # rebuilt once at the end, in rowid order, not row by row
        Country.objects.bulk_create(
            [Country(code=code, name=country_name(code)) for code in COUNTRY_CODES],
            ignore_conflicts=True,
        )
        names = dict(Country.objects.filter(code__in=COUNTRY_CODES).values_list("code", "name"))
        shapes = Shapes(rng)
        publisher, _ = Organisation.objects.get_or_create(name=f"{MARK} Ministry of Reports")
        republisher, _ = Organisation.objects.get_or_create(name=f"{MARK} Report Archive")

        # Reports and their paragraphs, with explicit ids (the tables are empty): report n
        # has id n, and its paragraphs' ids follow those of report n - 1.
        by_country = {}
        paragraphs_of = []  # per report: its paragraphs' texts, then [(id, text)]
        report_rows = []
        report_inserter = RowInserter(
            Report,
            ("id", "title", "slug", "year", "country", "published_on")
            + ("source_filename", "sha256", "size_bytes"),
            constants={
                **published,
                "series": f"{MARK} Country Reports on Political Violence",
                "publisher": publisher.pk,
                "republisher": republisher.pk,
                "disclaimer": f"{MARK} Generated test data; not a real document.",
                "imported_at": now,
                "import_method": "generate_archive",
            },
        )
        rare_every = max(reports // RARE_REPORTS, 1)
        for n in range(1, reports + 1):
            code = shapes.country()
            year = shapes.year()
            target, body = rng.randint(2000, 6000), []
            rare = n % rare_every == 0 and n // rare_every <= RARE_REPORTS
            extra = (COMMON_WORD, RARE_WORD) if rare else (COMMON_WORD,)
            body.append(
                f"{MARK} This synthetic report on {names[code]} in {year} is test data. "
                + text.paragraph(extra)
            )
            size = len(body[0])
            while size < target:
                body.append(text.paragraph())
                size += len(body[-1]) + 2
            data = "\n\n".join(body).encode()
            report_rows.append(
                (
                    n,
                    f"{MARK} Country Report on Political Violence {year} - {names[code]} #{n}",
                    f"synthetic-report-{n:05}",
                    year,
                    code,
                    date(year + 1, rng.randint(1, 12), rng.randint(1, 28)),
                    f"synthetic-report-{n:05}.txt",
                    hashlib.sha256(data + str(n).encode()).hexdigest(),
                    len(data),
                )
            )
            paragraphs_of.append(body)
            by_country.setdefault(code, []).append(n - 1)
        report_inserter.insert(report_rows)
        paragraph_rows, pid = [], 0
        for n, body in enumerate(paragraphs_of):
            ids = []
            for number, paragraph in enumerate(body, start=1):
                pid += 1
                paragraph_rows.append((pid, n + 1, number, paragraph))
                ids.append(pid)
            paragraphs_of[n] = list(zip(ids, body, strict=True))
        RowInserter(Paragraph, ("id", "report", "number", "text")).insert(paragraph_rows)
        counts.reports, counts.paragraphs = len(report_rows), len(paragraph_rows)
        log(f"{counts.reports} reports, {counts.paragraphs} paragraphs")

        def citation_for(code, incident=None, group=None):
            """A citation quoting one sentence of a report on `code` (any report if none)."""
            candidates = by_country.get(code) or range(len(report_rows))
            index = rng.choice(candidates)
            paragraph_id, paragraph = rng.choice(paragraphs_of[index])
            quote = rng.choice(_sentences(paragraph))
            return (index + 1, paragraph_id, quote, quote_key(quote), incident, group)

        # Groups, their aliases and one citation each.
        group_rows, alias_rows, citations = [], [], []
        for n in range(1, groups + 1):
            code = shapes.country()
            name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} of {names[code]}"
            group_rows.append(
                Group(
                    name=f"{MARK} {name} {n}",
                    slug=f"synthetic-group-{n:04}",
                    acronym="".join(word[0] for word in name.split() if word[0].isupper()) + str(n),
                    country_id=code,
                    description=f"{MARK} " + text.sentence(),
                    founded_year=rng.randint(1950, FIRST_YEAR + YEARS - 1),
                    activity=rng.choice(GroupActivity.values),
                    **published,
                )
            )
        Group.objects.bulk_create(group_rows, batch_size=BATCH)
        for n, group in enumerate(group_rows, start=1):
            for k in range(rng.choice((0, 1, 1, 2))):
                alias_rows.append(GroupAlias(group=group, name=f"{MARK} alias {k + 1} of {n}"))
            citations.append(citation_for(group.country_id, group=group.pk))
        GroupAlias.objects.bulk_create(alias_rows, batch_size=BATCH)
        counts.groups = len(group_rows)
        log(f"{counts.groups} groups, {len(alias_rows)} aliases")

        # Incidents in batches, each with perpetrators and a citation.
        incident_rows = RowInserter(
            Incident,
            ("id", "title", "slug", "summary", "start_date", "end_date", "country", "region")
            + ("city", "type", "target_type", "killed", "injured", "hostages"),
            constants={**published, "start_precision": DatePrecision.DAY},
            raw=("start_date", "end_date"),  # ISO text, as the field would write them
        )
        perpetration_rows = RowInserter(Perpetration, ("incident", "group", "uncertain"))
        citation_rows = RowInserter(
            Citation,
            ("report", "paragraph", "quote", "quote_key", "incident", "group"),
            {"created_at": now},
        )
        group_ids = [group.pk for group in group_rows]
        if group_ids:
            perpetrators = _picker(rng, (0, 1, 2, 3), (20, 85, 97, 100))
            perpetrator = _picker(rng, group_ids, _zipf(len(group_ids), 1.1))
        # The tables are empty: their indexes are built once at the end, from sorted
        # keys, rather than row by row in random order (see DeferredIndexes).
        deferred = [DeferredIndexes(model) for model in (Incident, Perpetration, Citation)]
        for indexes in deferred:
            indexes.before_insert(incidents)  # about one perpetration and citation each
        for start in range(0, incidents, BATCH):
            batch, perpetrations = [], []
            for n in range(start + 1, min(start + BATCH, incidents) + 1):
                row = _incident_fields(rng, shapes)
                day, end = row["date"].isoformat(), row["end"]
                batch.append(
                    (
                        n,
                        f"{MARK} {row['kind']} in {row['city']}, {names[row['code']]} ({day})",
                        f"synthetic-incident-{n:06}",
                        f"{MARK} " + text.sentence(),
                        day,
                        None if end is None else end.isoformat(),
                        row["code"],
                        row["region"],
                        row["city"],
                        row["type"],
                        row["target"],
                        row["killed"],
                        row["injured"],
                        row["hostages"],
                    )
                )
                if group_ids:
                    chosen = {perpetrator() for _ in range(perpetrators())}
                    perpetrations += [(n, g, rng.random() < 0.1) for g in sorted(chosen)]
                citations.append(citation_for(row["code"], incident=n))
            incident_rows.insert(batch)
            perpetration_rows.insert(perpetrations)
            citation_rows.insert(citations)
            counts.incidents += len(batch)
            counts.perpetrations += len(perpetrations)
            counts.citations += len(citations)
            citations = []
            if counts.incidents % 50000 < BATCH:
                log(f"{counts.incidents} incidents")
        if citations:  # groups but no incidents
            citation_rows.insert(citations)
            counts.citations += len(citations)
        reset_sequences(Report, Paragraph, Incident)
        incident_indexes, *other_indexes = deferred
        for indexes in other_indexes:  # the search index reads citations by incident
            indexes.restore()
        # The incidents' indexes after it: without them its two passes over the
        # incidents in date order read the table in order and sort it, rather than walk
        # an index and fetch each incident from wherever it is.
        rebuild_search_index()
        incident_indexes.restore()
        ArchiveState.bump()  # bulk writes send no signals
        refresh_planner_statistics()
    return counts


def _incident_fields(rng, shapes):
    code = shapes.country()
    year = shapes.year()
    day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    attack = shapes.attack()
    kind = gtd.INCIDENT_TYPE_OF_ATTACK[attack.lower()]
    hostage = kind in (IncidentType.KIDNAPPING, IncidentType.HOSTAGE_TAKING)

    def count(mean):
        # GTD-like: about one count in ten unknown, most small, a long tail.
        return None if rng.random() < 0.1 else int(rng.expovariate(1 / mean))

    return {
        "code": code,
        "date": day,
        "end": day + timedelta(days=rng.randint(1, 120))
        if hostage and rng.random() < 0.3
        else None,
        "attack": attack,
        "type": kind,
        "kind": shapes.labels[kind],
        "city": f"{rng.choice(_CITIES)} {rng.choice(_SYLLABLES).capitalize()}"
        f"{rng.choice(_SYLLABLES)}",
        "region": f"Province {rng.randint(1, 25)}",
        "target": rng.choice(_TARGETS),
        "killed": count(2.5),
        "injured": count(4.0),
        "hostages": count(6.0) if hostage else None,
    }


def write_gtd_csv(stream, *, rows, groups=2000, seed=1):
    """Write `rows` synthetic incidents in the GTD export's 135 columns to a text stream."""
    rng = random.Random(seed)
    text = Text(rng)
    shapes = Shapes(rng)
    names = {code: country_name(code) for code in COUNTRY_CODES}
    gnames = [
        f"{MARK} {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {n} (SYN{n})"
        for n in range(1, groups + 1)
    ]
    gname = _picker(rng, gnames, _zipf(len(gnames), 1.1))
    writer = csv.DictWriter(stream, fieldnames=gtd.COLUMNS, lineterminator="\n")
    writer.writeheader()
    counter = itertools.count(1)
    for _ in range(rows):
        row = _incident_fields(rng, shapes)
        day = row["date"]
        unknown_day = rng.random() < 0.02
        perpetrator = gtd.UNKNOWN_TEXT if rng.random() < 0.4 else gname()
        writer.writerow(
            {
                "eventid": f"{day:%Y%m%d}{next(counter):06}",
                "iyear": day.year,
                "imonth": day.month,
                "iday": 0 if unknown_day else day.day,
                "extended": 1 if row["end"] else 0,
                "resolution": f"{row['end']:%m/%d/%Y}" if row["end"] else "",
                "country": COUNTRY_CODES.index(row["code"]) + 1,
                "country_txt": names[row["code"]],
                "region": 1,
                "region_txt": "Synthetic Region",
                "provstate": row["region"],
                "city": row["city"],
                "latitude": f"{rng.uniform(-60, 60):.6f}",
                "longitude": f"{rng.uniform(-170, 170):.6f}",
                "specificity": 1,
                "vicinity": 0,
                "summary": f"{MARK} " + text.sentence(),
                "crit1": 1,
                "crit2": 1,
                "crit3": 1,
                "doubtterr": 0,
                "multiple": 0,
                "success": 1,
                "suicide": 0,
                "attacktype1": gtd.ATTACK_CODES[row["attack"]],
                "attacktype1_txt": row["attack"],
                "targtype1": _TARGETS.index(row["target"]) + 1,
                "targtype1_txt": row["target"],
                "target1": text.sentence()[:40],
                "natlty1_txt": names[row["code"]],
                "gname": perpetrator,
                "guncertain1": int(rng.random() < 0.1),
                "individual": 0,
                "nperps": gtd.UNKNOWN_NUMBER,
                "nperpcap": gtd.UNKNOWN_NUMBER,
                "claimed": 0,
                "weaptype1": 6,
                "weaptype1_txt": "Explosives",
                "nkill": _gtd_count(row["killed"], rng),
                "nkillus": 0,
                "nkillter": 0,
                "nwound": _gtd_count(row["injured"], rng),
                "nwoundus": 0,
                "nwoundte": 0,
                "property": gtd.UNKNOWN_YES_NO,
                "ishostkid": int(row["hostages"] is not None),
                "nhostkid": "" if row["hostages"] is None else row["hostages"],
                "scite1": f"{MARK} Synthetic source {rng.randint(1, 9999)}",
                "dbsource": "SYNTHETIC",
                "INT_LOG": gtd.UNKNOWN_YES_NO,
                "INT_IDEO": gtd.UNKNOWN_YES_NO,
                "INT_MISC": 0,
                "INT_ANY": gtd.UNKNOWN_YES_NO,
            }
        )


def _gtd_count(value, rng):
    """The GTD writes unknown counts as -99 or blank, and some counts as floats."""
    if value is None:
        return rng.choice(("", str(gtd.UNKNOWN_NUMBER)))
    return f"{value}.0" if rng.random() < 0.5 else value
