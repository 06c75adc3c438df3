"""The first worksheet of an Excel workbook (.xlsx), read as a stream of rows of text.

openpyxl's read-only mode reads the cells of a 200,000-row GTD workbook several
times slower than ElementTree's C parser fed the sheet's XML straight from the
zip, each row cleared once read. So the sheet's XML is read here, and openpyxl
lends only its knowledge of Excel's number formats and date serials.
The standard library's parser is safe with a file from outside (S314 below):
ElementTree resolves no external entity, and expat from 2.4.1 on (Python 3.11
bundles 2.5) refuses runaway entity expansion. defusedxml's wrapper of the same
parser would add a Python layer that slows the rows' reading by more than half.

Cells become the text a CSV export of the sheet would hold: numbers as Python
writes them (a whole number without ".0"), dates as YYYY-MM-DD, booleans as 1
or 0. A cell that holds no value of its own (a formula, an error, or part of a
merged range) makes its row a problem the caller reports with the row's number.
"""

import functools
import gc
import posixpath
import re
import tempfile
import zipfile
import zlib
from array import array
from datetime import datetime, time
from xml.etree.ElementTree import ParseError, fromstring, iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

ZIP_SIGNATURE = b"PK\x03\x04"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
OFFICE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
ROW, VALUE, FORMULA, INLINE, TEXT, RUN = (MAIN + tag for tag in ("row", "v", "f", "is", "t", "r"))
# A sheet's <mergeCells> follows its rows; it is looked for in the raw bytes (a "<"
# in a cell's text is written "&lt;", so this can only be markup), the name first:
# bytes.find skips through the rows far faster than a pattern that starts at "<".
MERGE_CELLS = re.compile(rb"<(?:[\w.-]+:)?mergeCells[\s>]")
MERGE_CELLS_END = re.compile(rb"</(?:[\w.-]+:)?mergeCells>")
MERGE_CELL_REF = re.compile(rb"<(?:[\w.-]+:)?mergeCell\s[^>]*?\bref=\"([^\"]+)\"")
CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")
# Past this size of their XML, a workbook's shared strings are kept in a file (SpilledStrings).
SHARED_STRINGS_IN_MEMORY = 16 << 20
# The errors an unreadable zip or sheet raises while it is read.
DAMAGE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ParseError,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
)


class WorkbookError(Exception):
    """The file cannot be read as a workbook; the message says why."""


def is_zip(binary):
    """Whether a seekable binary file starts as a zip archive (an .xlsx is one)."""
    if not binary.seekable():
        return False
    start = binary.tell()
    magic = binary.read(len(ZIP_SIGNATURE))
    binary.seek(start)
    return magic == ZIP_SIGNATURE


DIGITS = "0123456789"
COLUMN_INDEXES = {}  # "A": 0, ...: the few column letters a sheet uses, worked out once


def column_index(letters):
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    COLUMN_INDEXES[letters] = index - 1
    return index - 1


def column_letters(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def number_text(text):
    """A number cell's text as CSV would hold it: 12 for 12.0, 12.046 for 12.045999999999999."""
    if text.isdigit():
        return text
    try:
        return str(int(text))
    except ValueError:
        number = float(text)
    return str(int(number)) if number.is_integer() else repr(number)


class Sheet:
    """The first worksheet of a workbook: `rows()` yields (row number, cells, problem)."""

    def __init__(self, binary):
        self.binary = binary
        try:
            self.zip = zipfile.ZipFile(binary)
            names = set(self.zip.namelist())
            if "xl/workbook.xml" not in names:
                raise WorkbookError("the file is a zip archive but not an Excel workbook")
            workbook = fromstring(self.zip.read("xl/workbook.xml"))  # noqa: S314
            self.path = self._first_sheet(workbook, names)
            properties = workbook.find(f"{MAIN}workbookPr")
            date1904 = properties is not None and properties.get("date1904") in {"1", "true"}
            self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
            self.date_styles = self._date_styles(names)
            self.strings = self._shared_strings(names)
            self.merged = self._merged_rows()
        except WorkbookError:
            raise
        except (*DAMAGE, OSError) as error:
            raise WorkbookError(f"the workbook cannot be read ({error})") from None

    def _first_sheet(self, workbook, names):
        sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
        if sheet is None:
            raise WorkbookError("the workbook has no sheet")
        target = None
        relationships = "xl/_rels/workbook.xml.rels"
        if relationships in names:
            wanted = sheet.get(f"{OFFICE_RELATIONSHIPS}id")
            for relationship in fromstring(self.zip.read(relationships)):  # noqa: S314
                if relationship.get("Id") == wanted:
                    target = relationship.get("Target", "")
        if target is None:
            target = "worksheets/sheet1.xml"
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        path = posixpath.normpath(path)
        if path not in names:
            raise WorkbookError(f"the workbook's first sheet ({path}) is missing")
        return path

    def _date_styles(self, names):
        """The indexes of the cell styles that show a number as a date."""
        if "xl/styles.xml" not in names:
            return frozenset()
        styles = fromstring(self.zip.read("xl/styles.xml"))  # noqa: S314
        formats = dict(BUILTIN_FORMATS)
        for fmt in styles.iter(f"{MAIN}numFmt"):
            formats[int(fmt.get("numFmtId"))] = fmt.get("formatCode", "")
        cell_styles = styles.find(f"{MAIN}cellXfs")
        if cell_styles is None:
            return frozenset()
        return frozenset(
            str(index)
            for index, style in enumerate(cell_styles.iter(f"{MAIN}xf"))
            if is_date_format(formats.get(int(style.get("numFmtId", 0)), ""))
        )

    def _shared_strings(self, names):
        """A function of a shared string's index to its text."""
        name = "xl/sharedStrings.xml"
        if name not in names:
            return [].__getitem__
        large = self.zip.getinfo(name).file_size > SHARED_STRINGS_IN_MEMORY
        strings = SpilledStrings() if large else []
        with self.zip.open(name) as stream:
            for _, element in iterparse(stream):  # noqa: S314
                if element.tag == MAIN + "si":
                    strings.append(_text(element))
                    element.clear()
        return strings.reader() if large else strings.__getitem__

    def _merged_rows(self):
        """{row number: "A5:C5"} for the rows a merged range covers."""
        found, tail = None, b""
        with self.zip.open(self.path) as stream:
            while chunk := stream.read(1 << 20):
                if found is not None:
                    found += chunk
                else:
                    data = tail + chunk
                    at = data.find(b"mergeCells")
                    match = at >= 0 and MERGE_CELLS.search(data, max(at - 40, 0))
                    if match:
                        found = data[match.start() :]
                    tail = data[-64:]
                if found is not None and MERGE_CELLS_END.search(found):
                    break
        rows = {}
        for ref in MERGE_CELL_REF.findall(found or b""):
            ref = ref.decode()
            first, _, last = ref.partition(":")
            numbers = [int(match[2]) for match in map(CELL_REF.fullmatch, (first, last or first))]
            if None in numbers:
                continue
            for number in range(numbers[0], numbers[-1] + 1):
                rows.setdefault(number, ref)
        return rows

    def position(self):
        """How far into the file the reading is, in bytes (of the compressed sheet)."""
        return self.binary.tell()

    def rows(self):
        """Yield (row number, [cell text], problem or None) for each row with a cell.

        The first row yielded is the header; `names` then holds it, to name the
        column in a problem. A data row has as many cells as the header, more
        only where it has values past the header's last column.
        """
        number = 0
        self.names = None
        # The parser builds a chunk's elements (a thousand or so) before its rows are
        # read and cleared, which at the default threshold (700) sets off a young
        # collection at nearly every chunk and, with what they promote, full ones over
        # the importer's heap. The elements hold no cycles: collect less often.
        threshold = gc.get_threshold()
        gc.set_threshold(max(threshold[0], 20_000), *threshold[1:])
        try:
            with self.zip.open(self.path) as stream:
                for _, element in iterparse(stream):  # noqa: S314
                    if element.tag != ROW:
                        continue
                    number = int(element.get("r") or number + 1)
                    cells, problem = self._cells(element)
                    # A cleared row stays in the tree as an empty element (tens of bytes):
                    # reaching its parent to drop it would take a start event per element.
                    element.clear()
                    if not any(cells):
                        continue
                    if self.names is None:
                        self.names = cells
                        if number in self.merged:
                            raise WorkbookError(
                                f"row {number}: the header has merged cells {self.merged[number]}"
                            )
                    elif number in self.merged:
                        problem = f"merged cells {self.merged[number]}"
                    yield number, cells, problem
        except DAMAGE as error:
            raise WorkbookError(
                f"row {number + 1}: the workbook is damaged or cut short ({error})"
            ) from None
        finally:
            gc.set_threshold(*threshold)

    def _cells(self, row):
        # The sheet's ten million cells pass through here: the common ones (a number,
        # a shared or inline string) take the shortest path.
        width = len(self.names) if self.names is not None else 0
        cells = [""] * width
        problem = None
        index = -1
        string_at, date_styles, known = self.strings, self.date_styles, COLUMN_INDEXES
        for cell in row:
            ref = cell.get("r")
            if ref:
                letters = ref.rstrip(DIGITS)
                index = known.get(letters)
                if index is None:
                    index = column_index(letters)
            else:
                index += 1
            size = len(cell)
            if not size:
                continue  # a styled blank
            kind = cell.get("t")
            value = cell[0]
            if size != 1 or value.tag != VALUE and value.tag != INLINE:
                value = cell.find(INLINE if kind == "inlineStr" else VALUE)
                if cell.find(FORMULA) is not None:
                    problem = problem or f"column {self._name(index)} holds a formula, not a value"
                    continue
                if value is None:
                    continue
            if kind is None or kind == "n":
                text = value.text
                if not text:
                    continue
                if date_styles and cell.get("s") in date_styles:
                    text = self._date(text)
                elif not text.isdigit():
                    text = number_text(text)
            elif kind == "s":
                text = string_at(int(value.text))
            elif kind == "inlineStr":
                text = _text(value)
            elif kind == "e":
                problem = problem or f"column {self._name(index)} holds the error {value.text}"
                continue
            elif kind == "b":
                text = "1" if value.text in {"1", "true"} else "0"
            elif kind == "d":
                text = (value.text or "").removesuffix("T00:00:00")
            else:  # "str": a formula's text, kept as text where no formula is left
                text = value.text or ""
            if index >= width:
                if not text:
                    continue
                cells.extend([""] * (index + 1 - width))
                width = index + 1
            cells[index] = text
        return cells, problem

    def _date(self, text):
        try:
            when = from_excel(float(text), self.epoch)
        except (ValueError, OverflowError):
            return number_text(text)  # no date Python can hold: the number, for the caller to judge
        if isinstance(when, datetime) and when.time() == time.min:
            return when.date().isoformat()
        return when.isoformat(sep=" ") if isinstance(when, datetime) else when.isoformat()

    def _name(self, index):
        if self.names is not None and index < len(self.names) and self.names[index]:
            return self.names[index]
        return column_letters(index)


class SpilledStrings:
    """A large workbook's shared strings, kept in a temporary file rather than in memory.

    The GTD's texts (summaries, motives, citations) are over a hundred megabytes
    as Python strings; here memory holds only their offsets. Excel writes the
    strings in the order the sheet first uses them, so reading the rows reads the
    file mostly straight on; the strings used again and again (a country, an
    attack type) are kept in a small cache.
    """

    def __init__(self):
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed with this object)
        self.offsets = array("Q", [0])

    def append(self, text):
        data = text.encode()
        self.file.write(data)
        self.offsets.append(self.offsets[-1] + len(data))

    def reader(self):
        """A function of a string's index to its text."""
        file, offsets, count = self.file, self.offsets, len(self.offsets) - 1
        file.flush()

        @functools.lru_cache(maxsize=4096)
        def string_at(index):
            if not 0 <= index < count:
                raise IndexError(f"no shared string {index}")
            start = offsets[index]
            if file.tell() != start:
                file.seek(start)
            return file.read(offsets[index + 1] - start).decode()

        return string_at


def _text(element):
    """The text of a string item (<si> or <is>): its <t>, or its runs' <t>s; not phonetics."""
    text = element.find(TEXT)
    if text is not None:
        return text.text or ""
    return "".join(run.text or "" for run in element.iterfind(f"{RUN}/{TEXT}"))
