"""The Global Terrorism Database's rows: a CSV or a workbook in its codebook's columns.

`parse_row` turns one row into a ParsedRow (no database); reports.ingest.incidents
reads the file and writes the rows, as it does for every dataset.
"""

import functools
from datetime import date, datetime

from reports.ingest import gtd_codebook as codebook
from reports.ingest.incidents import (
    BadRow,
    Dataset,
    ParsedRow,
    coordinate,
    count_cell,
    known_country,
    row_json,
    whole_number,
)
from reports.models import (
    INCIDENT_FIGURES,
    DatePrecision,
    IncidentType,
    Role,
)

SOURCE = "GTD"
UNKNOWN = codebook.UNKNOWN_TEXT.lower()  # as a cell reads lowercased
FLAG_COLUMNS = tuple(flag for _, flag in codebook.PERPETRATOR_COLUMNS)

# The cells parse_row reads, in the order Columns.pick returns them.
READ_COLUMNS = (
    "eventid",
    "iyear",
    "imonth",
    "iday",
    "extended",
    "resolution",
    "country_txt",
    "provstate",
    "city",
    "latitude",
    "longitude",
    "attacktype1_txt",
    "targtype1_txt",
    "nkill",
    "nwound",
    "nhostkid",
    "summary",
    *(column for pair in codebook.PERPETRATOR_COLUMNS for column in pair),
)


def parse_row(columns, values, line):
    """Return a ParsedRow for one CSV record; raise BadRow saying what is wrong."""
    cells = columns.cells(values)
    (
        eventid,
        iyear,
        imonth,
        iday,
        extended,
        resolution,
        country,
        provstate,
        city,
        latitude,
        longitude,
        attack,
        target_type,
        nkill,
        nwound,
        nhostkid,
        summary,
        *perpetrator_cells,
    ) = columns.pick(cells)
    if not eventid:
        raise BadRow("no eventid")
    if len(eventid) > 40:
        raise BadRow(f"eventid {eventid[:40]}… is longer than 40 characters")

    start, precision = _start_date(iyear, imonth, iday)
    end, end_precision = _end_date(extended, resolution, start)
    incident_type = codebook.INCIDENT_TYPE_OF_ATTACK.get(attack.lower())
    if incident_type is None:
        raise BadRow(f"unknown attacktype1_txt {attack!r}")
    known_country(country, "country_txt")

    fields = {
        "start_date": start,
        "start_precision": precision,
        "end_date": end,
        "end_precision": end_precision,
        "region": _known(provstate)[:200],
        "city": _known(city)[:200],
        "latitude": coordinate(latitude, "latitude", 90),
        "longitude": coordinate(longitude, "longitude", 180),
        "place_precision": "",
        "type": incident_type,
        "violence_type": "",
        "state_actors": "",
        "target_type": _known(target_type)[:100],
        "killed": count_cell(nkill, "nkill"),
        "injured": count_cell(nwound, "nwound"),
        "hostages": count_cell(nhostkid, "nhostkid"),
        "summary": summary,
    }
    perpetrators = [
        (name[:200], _flag(uncertain, column), Role.PERPETRATOR)
        for name, uncertain, column in zip(
            perpetrator_cells[::2], perpetrator_cells[1::2], FLAG_COLUMNS, strict=True
        )
        if name and name.lower() != UNKNOWN
    ]
    digest, source_json = row_json(columns.keys, cells)
    if incident_type != IncidentType.OTHER:
        kind = _label(incident_type)
    else:
        kind = "Incident" if attack.lower() == UNKNOWN else attack
    # nkill, nwound and nhostkid, each an exact claim resting on the row.
    claims = [
        (figure, fields[figure], fields[figure], None)
        for figure in INCIDENT_FIGURES
        if fields[figure] is not None  # blank, -99, -9: the row gives no figure
    ]
    return ParsedRow(
        line, eventid, fields, country, kind, perpetrators, digest, source_json, claims
    )


GTD = Dataset("gtd", SOURCE, "gtd", "eventid", codebook.REQUIRED_COLUMNS, READ_COLUMNS, parse_row)


@functools.cache
def _label(incident_type):
    return str(IncidentType(incident_type).label)  # a lazy translation, resolved once


def _known(value):
    return "" if value.lower() == UNKNOWN else value


# A file repeats its dates and counts (the GTD: ~20,000 dates in 200,000 rows, a few
# hundred counts): the cells' parses are kept, as the country's are (a bad value
# raises each time; exceptions are not cached).
@functools.lru_cache(maxsize=65536)
def _start_date(iyear, imonth, iday):
    year, month, day = (
        whole_number(iyear, "iyear"),
        whole_number(imonth, "imonth"),
        whole_number(iday, "iday"),
    )
    if not 1 <= year <= 9999:
        raise BadRow(f"iyear {year} is not a year")
    if not 0 <= month <= 12:
        raise BadRow(f"imonth {month} is not a month (1-12, or 0 for unknown)")
    if not 0 <= day <= 31:
        raise BadRow(f"iday {day} is not a day (1-31, or 0 for unknown)")
    # A date is the first day of its period; the precision says how much is known.
    if month == 0:
        return date(year, 1, 1), DatePrecision.YEAR
    if day == 0:
        return date(year, month, 1), DatePrecision.MONTH
    try:
        return date(year, month, day), DatePrecision.DAY
    except ValueError:
        raise BadRow(f"{year}-{month:02}-{day:02} is not a date") from None


def _end_date(extended, text, start):
    if extended not in {"", "0", "1", "0.0", "1.0"}:
        raise BadRow(f"extended {extended!r} is not 0 or 1")
    if not text:
        return None, DatePrecision.DAY
    for fmt in codebook.DATE_FORMATS:
        try:
            end = datetime.strptime(text, fmt).date()
            break
        except ValueError:
            continue
    else:
        raise BadRow(f"resolution {text!r} is not a date")
    if end < start:
        raise BadRow(f"resolution {end} is before the start date {start}")
    return end, DatePrecision.DAY


def _flag(value, column):
    if value in {"", "0", "0.0"}:
        return False
    if value in {"1", "1.0"}:
        return True
    raise BadRow(f"{column} {value!r} is not 0 or 1")
