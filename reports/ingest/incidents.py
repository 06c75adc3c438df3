"""Incidents from a dataset's file: reading it, checking its rows, writing them.

Plain functions used by the `import_incidents` command, for each dataset it reads
(reports.ingest.datasets: the GTD, UCDP's GED). A file is CSV text or an Excel
workbook (found by its bytes; its first sheet is read by reports.ingest.workbook);
its header tells which dataset it is of. A row is checked by its dataset's
`parse_row` (no database) into a ParsedRow, then written in batches: one lookup of
the batch's ids tells new rows (bulk_create) from changed ones (bulk_update) and from
unchanged ones (skipped, by a hash of the row kept in `source_row`).

The whole file is one transaction. A failure mid-file (a crash, a full disk,
an integrity error) rolls back every batch, so a file is never half-imported
and a rerun starts from a clean state; `--strict` uses the same rollback to
refuse a file with any bad row. On SQLite one transaction is also the fastest
way to write 200,000 rows (one journal sync instead of one per batch), and it
lets a large import on SQLite drop the incident table's secondary indexes and
build them once at the end (reports.ingest.bulk.DeferredIndexes).

Bulk writes skip django-simple-history's per-row signals on creation: the
provenance of an imported incident is its id and its source row. Updates
of changed rows are written with history, so "who changed what" still shows a
re-import that altered an incident.
"""

import codecs
import csv
import functools
import hashlib
import json
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import compress
from json.encoder import encode_basestring

from django.db import connection, transaction
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_update_with_history

from reports.claims import refresh_estimates
from reports.countries import resolve_country
from reports.ingest import gtd_codebook as codebook
from reports.ingest import workbook
from reports.ingest.bulk import (
    DeferredIndexes,
    RowInserter,
    ahead,
    bulk_writes,
    refresh_planner_statistics,
)
from reports.models import (
    ArchiveState,
    Country,
    DatePrecision,
    FigureClaim,
    Group,
    GroupAlias,
    Incident,
    Perpetration,
    Status,
)
from reports.text import unstorable

HASH_KEY = "_sha256"  # inside source_row: the hash of the row as last imported


class BadRow(ValueError):
    """A row that cannot become an incident; the message says why."""


class FileRefused(Exception):
    """The file cannot be imported at all (header, encoding, or --strict); nothing written."""

    def __init__(self, message, problems=(), id_column="eventid", unit="line"):
        self.problems = list(problems)
        self.id_column = id_column  # of the rows' ids in `problems`
        self.unit = unit  # what the problems' numbers count: a CSV's lines, a sheet's rows
        super().__init__(message)


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    problems: list = field(default_factory=list)  # [(line, row's id, reason)]
    groups_created: int = 0
    id_column: str = "eventid"  # the dataset's column of the rows' ids
    unit: str = "line"  # what the problems' numbers count: a CSV's lines, a sheet's rows

    @property
    def skipped(self):
        return len(self.problems)


@dataclass(slots=True)
class ParsedRow:
    line: int
    external_id: str
    fields: dict
    country_name: str
    kind: str  # for the title: the archive's type, or the dataset's own for "other"
    perpetrators: list  # [(group name, uncertain, Role)]
    digest: str  # the hash of the row's non-blank cells (HASH_KEY in source_row)
    source_json: str  # the row's non-blank cells and HASH_KEY, serialised
    claims: list  # [(figure, low, high, point)], each resting on the row

    @property
    def source_row(self):
        # Only a changed row needs the dict (for its history); a new one is written as text.
        return json.loads(self.source_json)


MICRODEGREE = Decimal("0.000001")  # the coordinates' decimal places


@dataclass(frozen=True)
class Dataset:
    """What the import needs to know of a dataset: its rows' columns and parser, and how
    its incidents are named."""

    name: str  # as --format names it
    source: str  # Incident.external_source
    slug_prefix: str
    id_column: str
    required_columns: tuple
    read_columns: tuple  # the cells its parse_row reads, in the order Columns.pick gives them
    parse_row: Callable  # (Columns, values, line) -> ParsedRow, or raise BadRow

    def recognises(self, header):
        return all(column in header for column in self.required_columns)


class Columns:
    """What a dataset's parse_row needs to know of a file's header, worked out once per
    file: `pick` gives a record's cells of `read` in that order, `keys` row_json's keys."""

    def __init__(self, header, read):
        self.header = header
        self.count = len(header)
        at = {name: index for index, name in enumerate(header)}
        # A column the file lacks reads as the blank cell cells() appends to each record.
        self.pick = operator.itemgetter(*(at.get(name, -1) for name in read))
        # Each column's JSON key as json.dumps(row, ensure_ascii=False) writes it.
        self.keys = [f"{encode_basestring(name)}: " for name in header]

    def cells(self, values):
        """A record's cells, stripped, and the blank one; BadRow for a record of another
        length than the header, or with a NUL character or a lone surrogate (an encoding
        such as unicode_escape makes one), which PostgreSQL cannot store (nor a backup of
        a SQLite archive holding one restore there)."""
        if len(values) != self.count:
            raise BadRow(f"{len(values)} columns, the header has {self.count}")
        if unstorable("".join(values)):
            at = next(index for index, value in enumerate(values) if unstorable(value))
            raise BadRow(f"column {self.header[at]} holds {unstorable(values[at])}")
        return [*map(str.strip, values), ""]


def row_json(keys, cells):
    """(the hash, the JSON text) of a row's source_row: its non-blank cells by column name
    (`keys`: Columns.keys) and HASH_KEY, the hash of the rest.

    The text is json.dumps(row, ensure_ascii=False) of that dict, built here from the
    cells in C-level passes: blank cells carry no information, so a file that merely
    adds an empty column does not count as changed. The hash is what tells an unchanged
    row on a rerun: the text's form must not change.
    """
    pairs = map(operator.add, compress(keys, cells), map(encode_basestring, filter(None, cells)))
    text = "{" + ", ".join(pairs) + "}"
    digest = hashlib.sha256(text.encode()).hexdigest()
    return digest, f'{text[:-1]}, "{HASH_KEY}": "{digest}"}}'


TITLE_DATE_FORMATS = {
    DatePrecision.DAY: "%Y-%m-%d",
    DatePrecision.MONTH: "%Y-%m",
    DatePrecision.YEAR: "%Y",
}


# The same text cut from date.isoformat(), which is cheaper than strftime; strftime
# writes years before 1000 without leading zeros, so those still go through it.
TITLE_DATE_LENGTHS = {DatePrecision.DAY: 10, DatePrecision.MONTH: 7, DatePrecision.YEAR: 4}


def title_for(kind, fields, country_name):
    """Return a readable title such as "Bombing in Lima, Peru (1997-05-12)"."""
    city = fields["city"]
    where = f"{city}, {country_name}" if city and country_name else city or country_name
    start, precision = fields["start_date"], fields["start_precision"]
    if start.year >= 1000:
        when = start.isoformat()[: TITLE_DATE_LENGTHS[precision]]
    else:
        when = start.strftime(TITLE_DATE_FORMATS[precision])
    return f"{kind} in {where} ({when})"[:300]


# pycountry's lookup scans its tables; a dataset names about 200 countries.
_resolve_country = functools.lru_cache(maxsize=1024)(resolve_country)


def known_country(name, column):
    try:
        _resolve_country(name)
    except LookupError:
        raise BadRow(f"unknown {column} {name!r}") from None


def whole_number(value, column):
    try:
        return int(value)  # the common case; the GTD also writes counts as "12.0"
    except ValueError:
        pass
    try:
        number = float(value)
    except ValueError:
        raise BadRow(f"{column} {value!r} is not a number") from None
    if not number.is_integer():
        raise BadRow(f"{column} {value!r} is not a whole number")
    return int(number)


@functools.lru_cache(maxsize=4096)
def count_cell(value, column):
    """Return a count, or None where the source does not know it (blank, -99, -9)."""
    if not value:
        return None
    number = whole_number(value, column)
    if number in codebook.UNKNOWN_COUNTS:
        return None
    if number < 0:
        raise BadRow(f"{column} {number} is negative")
    return number


def coordinate(value, column, limit):
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise BadRow(f"{column} {value!r} is not a number") from None
    if not number.is_finite() or abs(number) > limit:
        raise BadRow(f"{column} {value} is out of range")
    return number.quantize(MICRODEGREE)


# --- Reading the file --------------------------------------------------------


def check_encoding(encoding):
    """Return the codec name to decode with; raise FileRefused for an unusable one."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise FileRefused(f"unknown encoding {encoding!r}") from None
    # Lines are split on b"\n" before decoding, so the encoding must be ASCII-based.
    if "\n".encode(name) != b"\n":
        raise FileRefused(f"encoding {encoding!r} is not supported; convert the file to UTF-8")
    return "utf-8-sig" if name == "utf-8" else name


def decoded_lines(binary, encoding, counter):
    """Yield the text lines of a binary file, failing with the line number on bad bytes.

    Decoding line by line (rather than through a TextIOWrapper, which decodes
    ahead in 8 KB chunks) is what lets the error name the right line.
    """
    codec = check_encoding(encoding)
    for number, raw in enumerate(binary, start=1):
        counter[0] += len(raw)
        try:
            yield raw.decode(codec)
        except UnicodeDecodeError as error:
            raise FileRefused(
                f"line {number}: byte 0x{raw[error.start]:02x} cannot be decoded as "
                f"{encoding}; try --encoding cp1252 (the GTD's own exports use it)"
            ) from None
        if codec == "utf-8-sig":
            # A BOM can only open the file; utf-8-sig's decoder is Python code, utf-8's C.
            codec = "utf-8"


def dataset_recognised(header, candidates):
    """The dataset of `candidates` whose required columns `header` has; FileRefused
    naming the columns it lacks of the one it comes closest to, if none."""
    for dataset in candidates:
        if dataset.recognises(header):
            return dataset
    lacking = [
        [column for column in dataset.required_columns if column not in header]
        for dataset in candidates
    ]
    closest, missing = min(zip(candidates, lacking, strict=True), key=lambda pair: len(pair[1]))
    of = f" of a {closest.source} file" if len(candidates) > 1 else ""
    raise FileRefused(f"the header lacks the column(s){of}: {', '.join(missing)}")


def checked_header(header, candidates):
    """(the header's column names, stripped; the dataset of `candidates` it is of);
    FileRefused for an empty header, one of no dataset, or a name given twice."""
    if not header:
        raise FileRefused("the file is empty")
    header = [name.strip() for name in header]
    dataset = dataset_recognised(header, list(candidates))
    if len(set(header)) != len(header):
        raise FileRefused("the header names a column twice")
    return header, dataset


class Records:
    """The header and then (line number, values) of each record of CSV text lines, and
    the dataset of `candidates` the header is of."""

    unit = "line"  # what a record's number counts, in messages

    def __init__(self, lines, candidates):
        self.reader = csv.reader(lines)
        try:
            header = next(self.reader, None)
        except csv.Error as error:
            raise FileRefused(f"line 1: {error}") from None
        self.header, self.dataset = checked_header(header, candidates)
        self.eventid_at = self.header.index(self.dataset.id_column)
        self.columns = Columns(self.header, self.dataset.read_columns)
        self.bad_rows = {}  # CSV text has no record the reader itself must refuse

    def __iter__(self):
        reader = self.reader
        while True:
            start = reader.line_num + 1  # a quoted field may span lines; name the first
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise FileRefused(f"line {start}: {error}") from None
            if values:  # a blank line is no record
                yield start, values


class WorkbookRecords:
    """Records as `Records` gives them, from the first sheet of an Excel workbook.

    A record's number is its row in the sheet. A row whose cells the sheet cannot
    give as values (a formula, an error, a merged range) is yielded all the same,
    its reason in `bad_rows` under its number, so that it is counted and reported
    as any bad row is.
    """

    unit = "row"

    def __init__(self, binary, counter, candidates):
        self.counter = counter
        self.size = binary.seek(0, 2)
        binary.seek(0)
        try:
            self.sheet = workbook.Sheet(binary)
            self.rows = self.sheet.rows()
            _, header, _ = next(self.rows, (None, None, None))
        except workbook.WorkbookError as error:
            raise FileRefused(str(error)) from None
        self.header, self.dataset = checked_header(header, candidates)
        self.eventid_at = self.header.index(self.dataset.id_column)
        self.columns = Columns(self.header, self.dataset.read_columns)
        self.bad_rows = {}

    def __iter__(self):
        counter, position = self.counter, self.sheet.position
        try:
            for number, values, problem in self.rows:
                if problem:
                    self.bad_rows[number] = problem
                counter[0] = position()
                yield number, values
        except workbook.WorkbookError as error:
            raise FileRefused(str(error)) from None
        counter[0] = self.size


def read_records(binary, encoding, counter, candidates):
    """The file's records: those of an Excel workbook (found by its bytes) or of CSV text.

    `counter[0]` follows the bytes read, for a progress bar; a workbook has no
    encoding of its own to choose.
    """
    if workbook.is_zip(binary):
        return WorkbookRecords(binary, counter, candidates)
    return Records(decoded_lines(binary, encoding, counter), candidates)


# --- Writing -----------------------------------------------------------------


class GroupIndex:
    """Groups by lowercased name, acronym and alias; creates the ones not seen."""

    def __init__(self, status):
        self.status = status
        self.by_key = {}
        for pk, name, acronym in Group.objects.values_list("pk", "name", "acronym"):
            self.by_key.setdefault(name.casefold(), pk)
            if acronym:
                self.by_key.setdefault(acronym.casefold(), pk)
        for pk, alias in GroupAlias.objects.values_list("group_id", "name"):
            self.by_key.setdefault(alias.casefold(), pk)
        self.slugs = set(Group.objects.values_list("slug", flat=True))
        self.created = 0

    def lookup(self, gname):
        found = self.by_key.get(gname.casefold())
        if found is None:
            match = codebook.NAME_WITH_ACRONYM.match(gname)
            if match:
                found = self.by_key.get(match["name"].casefold())
        return found

    def ensure(self, names):
        """Create, in one bulk insert, the groups of `names` not yet known."""
        new = {}
        for gname in names:
            if self.lookup(gname) is None and gname.casefold() not in new:
                match = codebook.NAME_WITH_ACRONYM.match(gname)
                name, acronym = (match["name"], match["acronym"]) if match else (gname, "")
                new[gname.casefold()] = Group(
                    name=name,
                    acronym=acronym,
                    slug=self._slug(name),
                    status=self.status,
                    status_changed_at=timezone.now() if self.status == Status.PUBLISHED else None,
                )
        if new:
            Group.objects.bulk_create(new.values())
            for key, group in new.items():
                self.by_key[key] = group.pk
            self.created += len(new)

    def _slug(self, name):
        base = slugify(name)[:190] or "group"
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug


class CountryIndex:
    """(code, name) by the name the file uses; creates each country's row once."""

    def __init__(self):
        self.known = {}

    def resolve(self, name):
        if name not in self.known:
            country = Country.objects.resolve(name)
            self.known[name] = (country.pk, country.name)
        return self.known[name]


WRITTEN_FIELDS = (
    "title",
    "summary",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "country",
    "region",
    "city",
    "latitude",
    "longitude",
    "place_precision",
    "type",
    "violence_type",
    "state_actors",
    "target_type",
    "killed",
    "injured",
    "hostages",
    "external_source",
    "source_row",
    "status",
    "status_changed_at",
    "status_changed_by",
    "updated_at",
)


def import_rows(
    binary,
    datasets,
    *,
    encoding="utf-8",
    strict=False,
    dry_run=False,
    publish=False,
    batch_size=2000,
    progress: Callable[[int, int], None] | None = None,
):
    """Import the rows of a binary file of one of `datasets` (the first whose required
    columns its header has); return a Summary.

    Bad rows are skipped and listed in the summary; with `strict`,
    any bad row raises FileRefused and nothing is written. With `dry_run`, all the
    work is done and rolled back. `progress(rows, bytes_read)` is called after each
    batch.
    """
    summary = Summary()
    counter = [0]
    with bulk_writes(), transaction.atomic():
        records = read_records(binary, encoding, counter, datasets)
        summary.id_column, summary.unit = records.dataset.id_column, records.unit
        groups = GroupIndex(Status.PUBLISHED if publish else Status.DRAFT)
        countries = CountryIndex()
        inserter = Inserters(publish, records.dataset)
        # In an archive with no imported incident, no id of the file can be known
        # (its own repeats are refused below): its batches need not look them up.
        lookup = Incident.objects.exclude(external_id=None).exists()
        batches = _batches(records, summary, strict, batch_size, counter)
        if connection.vendor == "postgresql":
            # Rows are read and checked in a thread while the server writes the batch
            # before. SQLite writes in this process, under Python's lock often enough
            # that the thread only adds its switches.
            batches = ahead(batches)
        for batch, rows, read in batches:
            if batch:
                _write_batch(batch, summary, groups, countries, publish, inserter, lookup)
            if progress:
                progress(rows, read)
        if strict and summary.problems:
            transaction.set_rollback(True)
            raise FileRefused(
                f"{summary.skipped} bad row(s); --strict refuses the whole file",
                summary.problems,
                summary.id_column,
                summary.unit,
            )
        summary.groups_created = groups.created
        if dry_run:
            transaction.set_rollback(True)
        else:
            inserter.finish()
            # bulk writes send no signals: tell the page cache and HTTP validators.
            ArchiveState.bump()
            refresh_planner_statistics(Incident, Perpetration, FigureClaim, Group, Country)
    return summary


def _batches(records, summary, strict, batch_size, counter):
    """Yield (batch of ParsedRow, rows read, bytes read) for each `batch_size` rows of
    `records` and the rest (a batch that may be empty), counting and listing the bad
    rows in `summary`; with `strict`, no batch once a row is bad. No database."""
    parse, id_column = records.dataset.parse_row, records.dataset.id_column
    seen = {}  # external id -> line, to refuse a duplicate within the file
    batch = []
    for line, values in records:
        summary.rows += 1
        try:
            if records.bad_rows:
                reason = records.bad_rows.pop(line, None)
                if reason:
                    raise BadRow(reason)
            parsed = parse(records.columns, values, line)
            if parsed.external_id in seen:
                raise BadRow(
                    f"{id_column} {values[records.eventid_at].strip()} already on "
                    f"{records.unit} {seen[parsed.external_id]}"
                )
        except BadRow as error:
            at = records.eventid_at
            eventid = values[at].strip() if at < len(values) else ""
            summary.problems.append((line, eventid, str(error)))
            continue
        seen[parsed.external_id] = line
        if strict and summary.problems:
            continue  # the file is refused anyway; keep reading only to list every bad row
        batch.append(parsed)
        if len(batch) >= batch_size:
            yield batch, summary.rows, counter[0]
            batch = []
    if not (strict and summary.problems):
        yield batch, summary.rows, counter[0]


class Inserters:
    """Raw bulk inserts for new incidents and perpetrations (see reports.ingest.bulk)."""

    def __init__(self, publish, dataset):
        self.dataset = dataset
        now = timezone.now()
        self.incidents = RowInserter(
            Incident,
            INCIDENT_COLUMNS,
            constants={
                "created_at": now,
                "updated_at": now,
                "external_source": dataset.source,
                "status": Status.PUBLISHED if publish else Status.DRAFT,
                "status_changed_at": now if publish else None,
            },
            # JSON text, decimals and dates as text (_incident_row)
            raw=("source_row", "latitude", "longitude", "start_date", "end_date"),
            numbered=True,  # the perpetrations and claims name them
        )
        self.perpetrations = RowInserter(Perpetration, ("incident", "group", "uncertain", "role"))
        # The row's figures (ParsedRow.claims), each a claim resting on the dataset row.
        self.claims = RowInserter(
            FigureClaim,
            ("incident", "figure", "low", "high", "point"),
            constants={"from_dataset": True},
        )
        # Not perpetrations': theirs are smaller, and deferring them saved too little
        # of a full-size import to be worth the DDL.
        self.incident_indexes = DeferredIndexes(Incident)

    def finish(self):
        self.incident_indexes.restore()


# A new incident's fields, in the order _incident_row gives them.
INCIDENT_COLUMNS = (
    "slug",
    "external_id",
    "title",
    "country",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "region",
    "city",
    "latitude",
    "longitude",
    "place_precision",
    "type",
    "violence_type",
    "state_actors",
    "target_type",
    "killed",
    "injured",
    "hostages",
    "summary",
    "source_row",
)


def _incident_row(parsed, countries, dataset):
    """The values Inserters.incidents writes for a new incident."""
    code, name = countries.resolve(parsed.country_name)
    f = parsed.fields
    end = f["end_date"]
    return (
        f"{dataset.slug_prefix}-{_slug(parsed.external_id)}"[:200],
        parsed.external_id,
        title_for(parsed.kind, f, name),
        code,
        f["start_date"].isoformat(),
        f["start_precision"],
        None if end is None else end.isoformat(),
        f["end_precision"],
        f["region"],
        f["city"],
        None if f["latitude"] is None else str(f["latitude"]),
        None if f["longitude"] is None else str(f["longitude"]),
        f["place_precision"],
        f["type"],
        f["violence_type"],
        f["state_actors"],
        f["target_type"],
        f["killed"],
        f["injured"],
        f["hostages"],
        f["summary"],
        parsed.source_json,
    )


def _write_batch(batch, summary, groups, countries, publish, inserter, lookup):
    # KT: the hash as text, not a JSON value, which Django would try to json.loads()
    # (and fail, at a cost: the hex digest is no JSON) for each of 200,000 rows.
    existing = {}
    if lookup:
        existing = {
            external_id: (pk, digest, status)
            for external_id, pk, digest, status in Incident.objects.filter(
                external_id__in=[parsed.external_id for parsed in batch]
            ).values_list("external_id", "pk", KT(f"source_row__{HASH_KEY}"), "status")
        }
    groups.ensure(name for parsed in batch for name, *_ in parsed.perpetrators)
    now = timezone.now()
    new, changed = [], []
    for parsed in batch:
        known = existing.get(parsed.external_id)
        if known is None:
            new.append(parsed)
        elif known[1] != parsed.digest or (publish and known[2] != Status.PUBLISHED):
            changed.append(parsed)
        else:
            summary.unchanged += 1

    created = []
    if new:
        inserter.incident_indexes.before_insert(len(new))
        created = inserter.incidents.insert(
            _incident_row(parsed, countries, inserter.dataset) for parsed in new
        )

    updated = []
    if changed:
        # The row's figures are claimed afresh below; an editor's claims stay. Deleted
        # before the rows are written: each deletion refreshes its incident's figures.
        FigureClaim.objects.filter(
            incident__external_id__in=[parsed.external_id for parsed in changed],
            from_dataset=True,
        ).delete()
        # Changed rows are few: load them whole, so their history rows are complete.
        current = Incident.objects.in_bulk(
            [parsed.external_id for parsed in changed], field_name="external_id"
        )
        for parsed in changed:
            incident = current[parsed.external_id]
            _fill(incident, parsed, countries, now, inserter.dataset)
            if publish and incident.status != Status.PUBLISHED:
                incident.set_status(Status.PUBLISHED)
            updated.append(incident)
        bulk_update_with_history(
            updated,
            Incident,
            list(WRITTEN_FIELDS),
            batch_size=500,
            default_change_reason="import_incidents: the source row changed",
        )
        # The row names the groups; an update replaces the incident's set.
        Perpetration.objects.filter(incident__in=updated).delete()

    perpetrations = []
    written = list(zip(created + [i.pk for i in updated], new + changed, strict=True))
    for pk, parsed in written:
        group_ids = set()
        for gname, uncertain, role in parsed.perpetrators:
            group_id = groups.lookup(gname)
            if group_id not in group_ids:  # a row may name the same group twice
                group_ids.add(group_id)
                perpetrations.append((pk, group_id, uncertain, role))
    inserter.perpetrations.insert(perpetrations)
    inserter.claims.insert((pk, *claim) for pk, parsed in written for claim in parsed.claims)
    if updated:
        # Where an editor's claims stand next to the row's, the best estimate may be theirs.
        curated = FigureClaim.objects.filter(incident__in=updated, from_dataset=False)
        for incident_id in set(curated.values_list("incident_id", flat=True)):
            refresh_estimates(incident_id)
    summary.created += len(created)
    summary.updated += len(updated)


def _slug(external_id):
    # What slugify() (a normalisation and two regexes) makes of an eventid of ASCII
    # letters and digits, as the GTD's are, without its cost at 200,000 rows.
    if external_id.isascii() and external_id.isalnum():
        return external_id.lower()
    return slugify(external_id)


def _fill(incident, parsed, countries, now, dataset):
    code, name = countries.resolve(parsed.country_name)
    for key, value in parsed.fields.items():
        setattr(incident, key, value)
    incident.title = title_for(parsed.kind, parsed.fields, name)
    incident.country_id = code
    incident.external_source = dataset.source
    incident.source_row = parsed.source_row
    incident.updated_at = now


def iter_problems(problems: Iterable, id_column="eventid", unit="line") -> Iterable[str]:
    for line, identifier, reason in problems:
        named = f" ({id_column} {identifier})" if identifier else ""
        yield f"{unit} {line}{named}: {reason}"
