"""Synthetic archive data of realistic shape, for tests of speed.

Every row is marked: `is_synthetic=True` and "[SYNTHETIC]" in its title or
name, so it can never be mistaken for a real fact. The dataset files written for
the importer (GTD-shaped CSV and .xlsx, UCDP GED-shaped CSV) carry the mark in each
row's text; a GED event names some groups by a bare acronym ("SYN12"), as UCDP does.
Everything is drawn from one `random.Random(seed)`, so the same seed gives the same
archive.

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

import pycountry
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from reports.countries import country_name, resolve_country
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


class _Draws:
    """A seed's rng, text, shapes and Zipf-weighted pool of group names.

    Each dataset writer starts from one, so the same seed names the same groups, with
    the same weights, in the GTD-shaped files and the GED-shaped one.
    """

    def __init__(self, seed, groups):
        self.rng = rng = random.Random(seed)
        self.text = Text(rng)
        self.shapes = Shapes(rng)
        self.group_names = [
            f"{MARK} {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {n} (SYN{n})"
            for n in range(1, groups + 1)
        ]
        self.group = _picker(rng, self.group_names, _zipf(len(self.group_names), 1.1))


def _gtd_rows(rows, groups, seed):
    """Yield `rows` synthetic incidents as {GTD column: value}, a missing column blank.

    Values are typed as the GTD's workbook holds them: numbers as int or float (the
    CSV's "12.0" counts as floats), text as str, a blank as None.
    """
    draws = _Draws(seed, groups)
    rng, text, shapes = draws.rng, draws.text, draws.shapes
    names = {code: country_name(code) for code in COUNTRY_CODES}
    counter = itertools.count(1)
    for _ in range(rows):
        row = _incident_fields(rng, shapes)
        day = row["date"]
        unknown_day = rng.random() < 0.02
        perpetrator = gtd.UNKNOWN_TEXT if rng.random() < 0.4 else draws.group()
        yield {
            "eventid": int(f"{day:%Y%m%d}{next(counter):06}"),
            "iyear": day.year,
            "imonth": day.month,
            "iday": 0 if unknown_day else day.day,
            "extended": 1 if row["end"] else 0,
            "resolution": f"{row['end']:%m/%d/%Y}" if row["end"] else None,
            "country": COUNTRY_CODES.index(row["code"]) + 1,
            "country_txt": names[row["code"]],
            "region": 1,
            "region_txt": "Synthetic Region",
            "provstate": row["region"],
            "city": row["city"],
            "latitude": round(rng.uniform(-60, 60), 6),
            "longitude": round(rng.uniform(-170, 170), 6),
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
            "nhostkid": row["hostages"],
            "scite1": f"{MARK} Synthetic source {rng.randint(1, 9999)}",
            "dbsource": "SYNTHETIC",
            "INT_LOG": gtd.UNKNOWN_YES_NO,
            "INT_IDEO": gtd.UNKNOWN_YES_NO,
            "INT_MISC": 0,
            "INT_ANY": gtd.UNKNOWN_YES_NO,
        }


def write_gtd_csv(stream, *, rows, groups=2000, seed=1):
    """Write `rows` synthetic incidents in the GTD export's 135 columns to a text stream."""
    writer = csv.DictWriter(stream, fieldnames=gtd.COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_gtd_rows(rows, groups, seed))  # None is written as a blank


def write_gtd_xlsx(path, *, rows, groups=2000, seed=1):
    """Write write_gtd_csv's rows as the GTD's .xlsx workbook: a header, then a row each.

    Numbers are number cells, text is text, a blank is no cell at all (as Excel writes
    it). Write-only mode streams the rows to the file rather than hold the sheet.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(gtd.COLUMNS)
    for row in _gtd_rows(rows, groups, seed):
        sheet.append([row.get(column) for column in gtd.COLUMNS])
    workbook.save(path)


def _gtd_count(value, rng):
    """The GTD writes unknown counts as -99 or blank, and some counts as floats."""
    if value is None:
        return rng.choice((None, gtd.UNKNOWN_NUMBER))
    return float(value) if rng.random() < 0.5 else value


# UCDP's Georeferenced Event Dataset: its 49 columns, in its order.
GED_COLUMNS = (  # noqa: SIM905
    "id relid year active_year code_status type_of_violence conflict_dset_id conflict_new_id "
    "conflict_name dyad_dset_id dyad_new_id dyad_name side_a_dset_id side_a_new_id side_a "
    "side_b_dset_id side_b_new_id side_b number_of_sources source_article source_office "
    "source_date source_headline source_original where_prec where_coordinates "
    "where_description adm_1 adm_2 latitude longitude geom_wkt priogrid_gid country "
    "country_id region event_clarity date_prec date_start date_end deaths_a deaths_b "
    "deaths_civilians deaths_unknown best high low gwnoa gwnob"
).split()
# type_of_violence (1 state-based, 2 non-state, 3 one-sided) with its share of events.
_GED_TYPES = ((1, 0.55), (2, 0.15), (3, 0.30))
# Each drawn country's Gleditsch-Ward number (the GED's country_id) by UCDP region.
# UCDP files events in Palestine under Israel's number.
_GED_STATES = {
    "Africa": "SO:520 NG:475 LY:620 DZ:615 CD:490 SD:625 ML:432 KE:501 CM:471 MZ:541 "
    "CF:482 ET:530 UG:500 BI:516 TN:616 ZA:560",
    "Americas": "CO:100 PE:135 US:2 SV:92 GT:90 MX:70 NI:93 BR:140 VE:101 CL:155 AR:160",
    "Asia": "AF:700 PK:770 IN:750 PH:840 TH:800 LK:780 NP:790 BD:771 ID:850 MM:775 "
    "CN:710 JP:740 KH:811",
    "Europe": "GB:200 ES:230 FR:220 RU:365 DE:260 GR:350 UA:369 IT:325 NO:385 BE:211",
    "Middle East": "IQ:645 TR:640 YE:678 SY:652 EG:651 IL:666 PS:666 LB:660 IR:630 SA:670",
}
# The GED's spelling where it is not the archive's, a former name in brackets; written
# only where reports.countries resolves it to the same country.
# Each region's rough box, (south, north, west, east): a country's events lie near a
# point drawn in its region's box.
_GED_BOXES = {
    "Africa": (-30, 30, -15, 45),
    "Americas": (-50, 45, -115, -40),
    "Asia": (-8, 45, 60, 140),
    "Europe": (36, 65, -10, 40),
    "Middle East": (15, 40, 30, 60),
}
_GED_SPELLINGS = {
    "CD": "DR Congo (Zaire)",
    "RU": "Russia (Soviet Union)",
    "YE": "Yemen (North Yemen)",
    "MM": "Myanmar (Burma)",
    "KH": "Cambodia (Kampuchea)",
    "TR": "Turkey",
    "US": "United States of America",
}
_GED_WHERE_PRECISION = ((1, 0.45), (2, 0.2), (3, 0.15), (4, 0.1), (5, 0.04), (6, 0.05), (7, 0.01))
_GED_SOURCES = ((1, 0.45), (2, 0.25), (3, 0.15), (4, 0.1), (5, 0.05))
_NEWS = ("Reuters", "Agence France Presse", "BBC Monitoring", "Associated Press", "Xinhua")
_ORIGINALS = ("police", "army spokesman", "local residents", "hospital officials", "the group")
CIVILIANS = "Civilians"


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return _picker(rng, values, list(accumulate(weights)))


def ged_country_names():
    """{code: the GED's name} for every drawn country, each one the archive resolves."""
    names = {}
    for code in COUNTRY_CODES:
        name = _GED_SPELLINGS.get(code)
        try:
            resolved = name is not None and resolve_country(name)[0] == code
        except LookupError:
            resolved = False
        names[code] = name if resolved else country_name(code)
    return names


def _ged_rows(rows, groups, seed):
    """Yield `rows` synthetic GED events as {GED column: value}, a blank as None."""
    draws = _Draws(seed, groups)  # the GTD files' group names, by the same weights
    rng, text, shapes = draws.rng, draws.text, draws.shapes
    names = ged_country_names()
    states = {
        code: (int(number), region)
        for region, pairs in _GED_STATES.items()
        for code, number in (pair.split(":") for pair in pairs.split())
    }
    iso3 = {code: pycountry.countries.get(alpha_2=code).alpha_3 for code in COUNTRY_CODES}
    governments = {
        code: (f"Government of {names[code]}", 100 + index)
        for index, code in enumerate(COUNTRY_CODES)
    }
    # One spelling a group: the GED names many by acronym alone (FARC, PKK), the rest
    # in full; both find the GTD file's group, by its acronym or its name.
    actors = {}
    for index, full in enumerate(draws.group_names):
        match = gtd.NAME_WITH_ACRONYM.match(full)
        spelling = match["acronym"] if rng.random() < 0.3 else match["name"]
        actors[full] = (spelling, 1000 + index)
    anchors = {}
    for code in COUNTRY_CODES:
        south, north, west, east = _GED_BOXES[states[code][1]]
        anchors[code] = (rng.uniform(south, north), rng.uniform(west, east))
    kind_of = _weighted(rng, _GED_TYPES if groups > 1 else _GED_TYPES[::2])
    where_precision = _weighted(rng, _GED_WHERE_PRECISION)
    sources = _weighted(rng, _GED_SOURCES)
    conflicts, dyads, event_id = {}, {}, 0

    def deaths(mean):
        return int(rng.expovariate(1 / mean))

    def place():
        return (
            f"{rng.choice(_CITIES)} {rng.choice(_SYLLABLES).capitalize()}{rng.choice(_SYLLABLES)}"
        )

    for n in range(1, rows + 1):
        code = shapes.country()
        start = date(shapes.year(), 1, 1) + timedelta(days=rng.randrange(365))
        span = 0 if rng.random() < 0.85 else rng.choice((1, 3, 6, 7, 20, 30, 45))
        kind = kind_of()
        if kind == 1:
            side_a, side_b = governments[code], actors[draws.group()]
            conflict_key, conflict_name = (1, code), f"{names[code]}: Government"
        elif kind == 2:
            side_a = actors[draws.group()]
            while (side_b := actors[draws.group()]) == side_a:
                pass
            side_a, side_b = sorted((side_a, side_b), key=lambda side: side[1])
            conflict_key, conflict_name = (2, side_a[1], side_b[1]), f"{side_a[0]} - {side_b[0]}"
        else:
            side_a = actors[draws.group()] if rng.random() < 0.8 else governments[code]
            side_b = (CIVILIANS, 1)
            conflict_key, conflict_name = (3, side_a[1]), side_a[0]
        conflict = conflicts.setdefault(conflict_key, 200 + len(conflicts))
        dyad = dyads.setdefault((side_a[1], side_b[1]), 400 + len(dyads))
        if kind == 3:
            parts = (0, 0, 1 + deaths(3), deaths(1) if rng.random() < 0.2 else 0)
        else:
            civilians = deaths(1) if rng.random() < 0.3 else 0
            parts = (deaths(2), deaths(3), civilians, deaths(2) if rng.random() < 0.2 else 0)
        best = sum(parts)
        low = best if rng.random() < 0.7 else rng.randint(0, best)
        high = best if rng.random() < 0.6 else best + rng.randint(1, best + 5)
        anchor_lat, anchor_lon = anchors[code]
        lat = round(anchor_lat + rng.uniform(-3, 3), 4)
        lon = round(anchor_lon + rng.uniform(-3, 3), 4)
        town, district, province = place(), f"{place()} district", f"{place()} province"
        precision = where_precision()
        where = (
            (f"{town} town", f"{town} town", district, province, province)[precision - 1]
            if precision <= 5
            else names[code]
        )
        description = rng.choice(
            (
                town,
                f"{town}, {district}",
                f'the "{rng.choice(_WORDS)}" road near {town}, {province}',
                f"between {town} and {place()}",
            )
        )
        offices, days, titles = [], [], []
        for _ in range(sources()):
            offices.append(rng.choice(_NEWS))
            days.append(f"{start + timedelta(days=span + rng.randint(0, 3)):%Y-%m-%d}")
            titles.append(f"{MARK} {text.sentence()[:60].rstrip(' .')}")
        event_id += rng.randint(1, 5)
        gw, region = states[code]
        yield {
            "id": event_id,
            "relid": f"{iso3[code]}-{start.year}-{kind}-{conflict}-{n}",
            "year": start.year,
            "active_year": int(rng.random() < 0.9),
            "code_status": "Clear",
            "type_of_violence": kind,
            "conflict_dset_id": conflict,
            "conflict_new_id": conflict,
            "conflict_name": conflict_name,
            "dyad_dset_id": dyad,
            "dyad_new_id": dyad,
            "dyad_name": f"{side_a[0]} - {side_b[0]}",
            "side_a_dset_id": side_a[1],
            "side_a_new_id": side_a[1],
            "side_a": side_a[0],
            "side_b_dset_id": side_b[1],
            "side_b_new_id": side_b[1],
            "side_b": side_b[0],
            "number_of_sources": len(offices),
            "source_article": ";".join(
                f'{office},{day},"{title}"'
                for office, day, title in zip(offices, days, titles, strict=True)
            ),
            "source_office": ";".join(offices),
            "source_date": ";".join(days),
            "source_headline": ";".join(titles),
            "source_original": "; ".join(sorted(set(rng.choices(_ORIGINALS, k=2)))),
            "where_prec": precision,
            "where_coordinates": where,
            "where_description": description,
            "adm_1": province,
            "adm_2": district if precision <= 3 else None,
            "latitude": lat,
            "longitude": lon,
            "geom_wkt": f"POINT ({lon} {lat})",
            "priogrid_gid": int((lat + 90) * 2) * 720 + int((lon + 180) * 2) + 1,
            "country": names[code],
            "country_id": gw,
            "region": region,
            "event_clarity": 1 if rng.random() < 0.9 else 2,
            "date_prec": 1
            if span == 0
            else 2
            if span <= 6
            else 3
            if span == 7
            else 4
            if span <= 31
            else 5,
            "date_start": f"{start:%Y-%m-%d}",
            "date_end": f"{start + timedelta(days=span):%Y-%m-%d}",
            "deaths_a": parts[0],
            "deaths_b": parts[1],
            "deaths_civilians": parts[2],
            "deaths_unknown": parts[3],
            "best": best,
            "high": high,
            "low": low,
            "gwnoa": gw if side_a[0].startswith("Government of ") else None,
            "gwnob": None,
        }


def write_ged_csv(stream, *, rows, groups=2000, seed=1):
    """Write `rows` synthetic events in UCDP GED's 49 columns to a text stream."""
    writer = csv.DictWriter(stream, fieldnames=GED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_ged_rows(rows, groups, seed))


# Refworld's disclaimer, as the text form of its reports ends (reports/ingest/parsing.py).
REFWORLD_DISCLAIMER = (
    "This is not a UNHCR publication. UNHCR is not responsible for, nor does it necessarily "
    "endorse, its content. Any views expressed are solely those of the author or publisher "
    "and do not necessarily reflect those of UNHCR, the United Nations or its Member States."
)


def write_documents(folder, *, count, seed=1, series="Synthetic Bulletin"):
    """Write `count` small source documents in Refworld's text form to `folder`, for
    import_documents: each its own title (so its own report), marked synthetic.

    Return the paths written. Another `series` gives another set of reports.
    """
    rng = random.Random(seed)
    text = Text(rng)
    paths = []
    for number in range(1, count + 1):
        code = COUNTRY_CODES[number % len(COUNTRY_CODES)]
        year = FIRST_YEAR + number % YEARS
        title = f"{MARK} {series} No. {number} {year} - {country_name(code)}"
        # The common word in every document's body, as in the generated reports.
        paragraphs = [text.paragraph((COMMON_WORD,)), text.paragraph(), text.paragraph()]
        path = folder / f"{slug_of(series)}-{number:05d}.txt"
        path.write_text("\n\n".join([title, *paragraphs, REFWORLD_DISCLAIMER]) + "\n")
        paths.append(path)
    return paths


def slug_of(text):
    return "-".join(text.lower().split())
