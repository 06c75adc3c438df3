"""Incidents from UCDP's Georeferenced Event Dataset (GED), a CSV in its own columns.

One GED row is one event of organised violence. It becomes an incident (its id kept as
"ged-<id>", so it never meets a GTD eventid) with:
- its dates (date_start, date_end) at the archive's precision for UCDP's date_prec;
- its place (adm_1, the named place where UCDP places it within 25 km, coordinates) and
  UCDP's where_prec as the place's precision;
- its sides: a government is a state actor, never an armed group; a non-state side is a
  group (matched by name, acronym or alias, as the GTD's are), the perpetrator of
  one-sided violence, else a side in the fighting (UCDP does not say who attacked whom);
- its deaths as one claim resting on the row: UCDP's best estimate within low and high.

The row's other cells (UCDP's sources, deaths by side, event clarity, number of
sources, conflict and dyad) are kept in the incident's source row; the incident's page
shows them (reports.dataset_sources).

Only parse_row and its helpers are here: reading the file, bad rows, --strict, batches
and the one transaction are every dataset's (reports.ingest.incidents).
"""

import functools
from datetime import date

from reports.ingest.incidents import (
    BadRow,
    Dataset,
    ParsedRow,
    coordinate,
    count_cell,
    known_country,
    row_json,
)
from reports.models import (
    DatePrecision,
    Figure,
    IncidentType,
    PlacePrecision,
    Role,
    ViolenceType,
    last_day,
)

SOURCE = "UCDP GED"
ID_PREFIX = "ged-"
ID_COLUMN = "id"

REQUIRED_COLUMNS = (
    "id",
    "type_of_violence",
    "side_a",
    "side_b",
    "country",
    "date_start",
    "date_end",
    "best",
    "low",
    "high",
)

# The cells parse_row reads, in the order Columns.pick returns them.
READ_COLUMNS = (
    "id",
    "type_of_violence",
    "side_a",
    "side_b",
    "country",
    "date_prec",
    "date_start",
    "date_end",
    "where_prec",
    "where_coordinates",
    "adm_1",
    "latitude",
    "longitude",
    "best",
    "low",
    "high",
)

VIOLENCE_TYPES = {
    "1": ViolenceType.STATE_BASED,
    "2": ViolenceType.NON_STATE,
    "3": ViolenceType.ONE_SIDED,
}

# UCDP's where_prec: 1 the exact place, 2 within 25 km of a named place, 3 a second-
# and 4 a first-level division, 5 a part of the country or a line (a road, a river),
# 6 only the country, 7 international waters or airspace.
PLACE_PRECISIONS = {
    "1": PlacePrecision.EXACT,
    "2": PlacePrecision.NEAR,
    "3": PlacePrecision.DISTRICT,
    "4": PlacePrecision.PROVINCE,
    "5": PlacePrecision.PART_OF_COUNTRY,
    "6": PlacePrecision.COUNTRY,
    "7": PlacePrecision.INTERNATIONAL,
}
# The named place (where_coordinates) is where the event happened only at these.
NAMED_PLACE = {PlacePrecision.EXACT, PlacePrecision.NEAR}

# UCDP's date_prec: 1 the day is known; 2 it lies within 2-6 days, 3 within a week,
# 4 within a month (8-30 days), 5 only the year (or more than a month). date_start and
# date_end bound the event in every case.
DATE_PRECISIONS = ("1", "2", "3", "4", "5")
MONTH_OR_YEAR = ("4", "5")

# Side names that stand for no armed group.
CIVILIANS = "civilians"
GOVERNMENT = "government of "


def parse_row(columns, values, line):
    """Return a ParsedRow for one GED record; raise BadRow saying what is wrong."""
    cells = columns.cells(values)
    (
        event_id,
        violence,
        side_a,
        side_b,
        country,
        date_prec,
        date_start,
        date_end,
        where_prec,
        place_name,
        adm_1,
        latitude,
        longitude,
        best,
        low,
        high,
    ) = columns.pick(cells)
    if not event_id:
        raise BadRow("no id")
    if not event_id.isdigit() or len(event_id) > 30:
        raise BadRow(f"id {event_id[:40]!r} is not UCDP's number of an event")
    violence_type = VIOLENCE_TYPES.get(_code(violence))
    if violence_type is None:
        raise BadRow(f"type_of_violence {violence!r} is not 1, 2 or 3")
    country_name = _country(country)
    known_country(country_name, "country")
    start, start_precision, end = event_dates(date_start, date_end, _code(date_prec))
    place_precision = PLACE_PRECISIONS.get(_code(where_prec), "")
    if where_prec and not place_precision:
        raise BadRow(f"where_prec {where_prec!r} is not one of 1-7")
    deaths = _deaths(best, low, high)
    state_actors, perpetrators = _sides(violence_type, side_a, side_b)

    fields = {
        "start_date": start,
        "start_precision": start_precision,
        "end_date": end,
        "end_precision": DatePrecision.DAY,
        "region": adm_1[:200],
        "city": place_name[:200] if place_precision in NAMED_PLACE else "",
        "latitude": coordinate(latitude, "latitude", 90),
        "longitude": coordinate(longitude, "longitude", 180),
        "place_precision": place_precision,
        "type": IncidentType.OTHER,  # UCDP codes the violence, not the means
        "violence_type": violence_type,
        "state_actors": state_actors[:300],
        "killed": deaths[1],
        "injured": None,
        "hostages": None,
        "summary": "",
        "target_type": "",
    }
    digest, source_json = row_json(columns.keys, cells)
    return ParsedRow(
        line=line,
        external_id=f"{ID_PREFIX}{event_id}",
        fields=fields,
        country_name=country_name,
        kind=_label(violence_type),
        perpetrators=perpetrators,
        digest=digest,
        source_json=source_json,
        claims=[(Figure.KILLED, *_claim(*deaths))],
    )


def event_dates(date_start, date_end, precision):
    """(start, its precision, end or None) for UCDP's date_start, date_end and date_prec.

    The archive's precisions are the day, the month and the year, a date standing for
    the first day of its period. An event known to a month or a year (date_prec 4 or 5)
    whose bounds lie in one month or one year is dated so; any other (or one without a
    date_prec) keeps its bounds as days, start and end, which say no more than UCDP does.
    """
    if precision and precision not in DATE_PRECISIONS:
        raise BadRow(f"date_prec {precision!r} is not one of 1-5")
    start, end = _day(date_start, "date_start"), _day(date_end, "date_end")
    if end < start:
        raise BadRow(f"date_end {end} is before date_start {start}")
    if precision in MONTH_OR_YEAR and start.day == 1:
        if end == last_day(start, DatePrecision.MONTH):
            return start, DatePrecision.MONTH, None
        if start.month == 1 and end == last_day(start, DatePrecision.YEAR):
            return start, DatePrecision.YEAR, None
    return start, DatePrecision.DAY, None if end == start else end


@functools.lru_cache(maxsize=65536)
def _day(text, column):
    # GED writes "1989-01-01", some exports "1989-01-01 00:00:00.000".
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise BadRow(f"{column} {text!r} is not a date (YYYY-MM-DD)") from None


def _code(cell):
    # Stata and spreadsheet exports write codes as "1.0".
    return cell[:-2] if cell.endswith(".0") else cell


def _deaths(best, low, high):
    """(low, best, high) of the row; raise BadRow unless low <= best <= high."""
    numbers = []
    for value, column in ((low, "low"), (best, "best"), (high, "high")):
        number = count_cell(value, column)
        if number is None:
            raise BadRow(f"no {column} estimate of deaths")
        numbers.append(number)
    low_n, best_n, high_n = numbers
    if low_n > best_n:
        raise BadRow(f"low {low_n} is above best {best_n}")
    if best_n > high_n:
        raise BadRow(f"best {best_n} is above high {high_n}")
    return low_n, best_n, high_n


def _claim(low, best, high):
    """The claim's (low, high, point): an exact figure, or a range with its best."""
    return (low, high, None) if low == high else (low, high, best)


def _sides(violence_type, side_a, side_b):
    """(the governments named, as text; [(group name, uncertain, role)])."""
    states, groups = [], []
    for side in (side_a, side_b):
        if not side or side.casefold() == CIVILIANS:
            continue
        if side.casefold().startswith(GOVERNMENT):
            states.append(side)
            continue
        # One-sided violence has one actor, side A, against civilians: its perpetrator.
        role = Role.PERPETRATOR if violence_type == ViolenceType.ONE_SIDED else Role.SIDE
        groups.append((side[:200], False, role))
    return "; ".join(states), groups


@functools.lru_cache(maxsize=1024)
def _country(name):
    # UCDP writes a state's former name after its name: "Yemen (North Yemen)"; the
    # event's country is the state of the name.
    base, _, former = name.partition(" (")
    return base if former.endswith(")") and base else name


@functools.cache
def _label(violence_type):
    return str(ViolenceType(violence_type).label)


GED = Dataset("ucdp-ged", SOURCE, "ucdp", ID_COLUMN, REQUIRED_COLUMNS, READ_COLUMNS, parse_row)
