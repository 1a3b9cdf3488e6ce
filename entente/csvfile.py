"""Reading one CSV file strictly: bytes, then text, then one frame of strings, with every problem of structure.

The file is read once. A file whose structure is plainly regular (every quotation mark opens or closes a
quoted cell, every record has the header's number of cells, no blank record) is split by pandas' C
parser, after one pass of numpy over its bytes has proved that; that pass follows the rules of Python's
csv module in strict mode, so both give the same cells. Any other file is split by the csv module in
strict mode (so a stray quotation mark is an error, not a guess), which says where and why. The
records become a DataFrame of strings with a ``ROW`` column holding each record's spreadsheet row: the
header is row 1, the first record row 2, and a quoted cell holding a line break does not start a new
row. The file's physical lines are only worked out when a problem needs them. Files are only read,
never written.
"""
from __future__ import annotations

import csv
import difflib
import io
import itertools
import operator
import re
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from .problems import NOT_UTF8, Problem, shown
from .schema import Resource

ROW = "__row__"  # the column of a table's frame holding each record's spreadsheet row
SAVE_AS_CSV = 'save it again from the spreadsheet as CSV in UTF-8 ("CSV UTF-8" in Excel)'
# The opening bytes of files people save by mistake instead of a CSV.
NOT_CSV_SIGNATURES = (
    (b"PK\x03\x04", "a zip archive, such as an Excel (.xlsx) or OpenDocument (.ods) workbook"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\xff\xfe", "UTF-16 text (what spreadsheets call \"Unicode text\")"),
    (b"\xfe\xff", "UTF-16 text (what spreadsheets call \"Unicode text\")"),
)
OTHER_DELIMITERS = ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars"))
# Suggestions compare a bad value with every allowed one; past this many candidates they are skipped
# so that a file full of bad ids cannot make validation quadratic.
MAX_SUGGESTION_CANDIDATES = 1000


def letter(index: int) -> str:
    """A spreadsheet's column letter for a 0-based column index: A, B, …, Z, AA, AB, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def closest(value: str, choices) -> str | None:
    """The allowed value closest to ``value``, ignoring case; None when none is close or there are too many."""
    if len(choices) > MAX_SUGGESTION_CANDIDATES:
        return None
    by_lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(value.strip().lower(), list(by_lower), n=1)
    return by_lower[close[0]] if close else None


class Record(NamedTuple):
    """One CSV record: its spreadsheet row, the physical lines it spans, and its cells."""
    row: int
    first_line: int
    last_line: int
    cells: list[str]


def _what_binary(data: bytes) -> str | None:
    """What a file that cannot be CSV text seems to be, or None when it may be text."""
    for signature, kind in NOT_CSV_SIGNATURES:
        if data.startswith(signature):
            return kind
    return "a binary file (it holds NUL bytes)" if b"\x00" in data else None


def _read_bytes(path: Path, label: str) -> tuple[bytes, list[Problem]]:
    def problem(expected):
        return b"", [Problem(label, None, None, None, expected, kind="file")]
    what = "a CSV file"
    if path.is_dir():
        return problem(f"{what}, but this is a folder")
    if not path.exists():
        return problem(f"{what} here, but there is no such file")
    try:
        data = path.read_bytes()
    except OSError as err:
        return problem(f"{what} that can be read, but opening it failed: {err.strerror}")
    kind = _what_binary(data)
    if kind:
        return problem(f"{what}, but this is {kind}, not plain text; {SAVE_AS_CSV}")
    return data, []


def _decoded(data: bytes) -> tuple[str, bool]:
    """The text of a file (a UTF-8 byte-order mark dropped) and whether it is all UTF-8.

    Bytes that are not UTF-8 become lone surrogates, so the cells holding them can be found and reported.
    """
    try:
        return data.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        return data.decode("utf-8-sig", errors="surrogateescape"), False


def _records_with_lines(text: str, label: str) -> tuple[list[Record], list[Problem]]:
    """Split text into records, noting the lines each spans. Stops at the first quoting error."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[Record] = []
    next_line = 1
    try:
        for cells in reader:
            records.append(Record(len(records) + 1, next_line, reader.line_num, cells))
            next_line = reader.line_num + 1
    except csv.Error as err:
        header = records[0].cells if records else None
        return records, [_quoting_problem(str(err), text, header, label, len(records) + 1, next_line, reader.line_num)]
    return records, []


def _quoting_problem(error: str, text: str, header, label: str, row: int, first: int, last: int) -> Problem:
    """Explain a CSV quoting error in the record that starts on line ``first``, naming the cell when it can."""
    # Re-read the broken record leniently: the first cell that swallowed a line break is where a quote was left open.
    rest = itertools.islice(io.StringIO(text, newline=""), first - 1, None)
    try:
        cells = next(csv.reader(rest), [])
    except csv.Error:  # a cell too large to read even leniently
        cells = []
    broken = next((i for i, cell in enumerate(cells) if "\n" in cell or "\r" in cell), None)
    if broken is None and "end of data" in error and cells:
        broken = len(cells) - 1
    column = header[broken] if header and broken is not None and broken < len(header) else None
    if broken is not None:
        value = cells[broken]
    else:  # no cell to blame: show the line where the record starts
        value = next(itertools.islice(io.StringIO(text, newline=""), first - 1, None), "")
    if "end of data" in error or "field larger" in error:
        expected = (f"a closing quotation mark: a quotation mark that opens a cell here is never closed, so "
                    f"everything from line {first} to the end of the file was read into this one cell")
    elif broken is not None:
        expected = (f"a closing quotation mark: a quotation mark that opens a cell here is not closed, so lines "
                    f"{first} to {last} of the file ran together into this one cell")
    elif "expected after" in error:
        expected = ('a comma or the end of the row right after a closing quotation mark; to show a quotation '
                    'mark inside a quoted cell, type it twice ("")')
    else:
        expected = f"text that reads as CSV, but reading stopped at line {last} of the file ({error})"
    return Problem(label, row, column, value.rstrip("\r\n"), expected, line=first, kind="quoting")


def _bytes_named(raw: bytes) -> str:
    return ("the byte " if len(raw) == 1 else "the bytes ") + raw.hex(" ").upper()


def _encoding_problems(records: list[Record], label: str) -> list[Problem]:
    """One problem per cell holding bytes that are not UTF-8, with a guess at what they were meant to be."""
    header = records[0].cells if records else []
    problems = []
    for rec in records:
        for i, cell in enumerate(rec.cells):
            bad = NOT_UTF8.search(cell)
            if not bad:
                continue
            raw = bytes(ord(ch) - 0xDC00 for ch in bad.group())
            guess = raw.decode("cp1252", errors="replace")
            column = header[i] if rec.row > 1 and i < len(header) and not NOT_UTF8.search(header[i]) else None
            expected = (f"text saved as UTF-8, but {_bytes_named(raw)} here {'is' if len(raw) == 1 else 'are'} "
                        f"not UTF-8 (read as Windows-1252, a common spreadsheet encoding, it would be {shown(guess)}); "
                        + SAVE_AS_CSV)
            problems.append(Problem(label, rec.row, column, cell, expected, line=rec.first_line, kind="encoding"))
    return problems


def _header_problems(header: list[str], resource: Resource, label: str) -> list[Problem]:
    """The header must name each schema column once, spelt right, in the schema's order."""
    expected = list(resource.field_names)

    def at(column, value, text):
        return Problem(label, 1, column, value, text, kind="header")

    if not any(cell.strip() for cell in header):
        return [at(None, None, f"the first row to name the columns ({', '.join(expected)}), but it is blank")]
    if len(header) == 1 and len(expected) > 1:
        for delimiter, name in OTHER_DELIMITERS:
            if delimiter in header[0]:
                return [at(None, header[0], f"cells separated by commas, but this file separates them with {name}; "
                                            f"{SAVE_AS_CSV}")]
    counts = Counter(header)
    problems = [at(name, name, "each column once, but the header has this one in columns "
                               + " and ".join(letter(i) for i, h in enumerate(header) if h == name))
                for name, n in counts.items() if n > 1 and name.strip()]
    missing = [name for name in expected if name not in counts]
    # Thousands of stray columns are one mistake (a row of stray commas): name the first few, count the rest.
    nameless = [i for i, name in enumerate(header) if not name.strip()]
    for i, name in enumerate(header):
        if name in expected or not name.strip():
            continue
        meant = closest(name, missing)
        if meant:
            missing.remove(meant)  # reported once, as a misspelling, not again as missing
            problems.append(at(name, name, f'a column name from datapackage.json (did you mean "{meant}"?)'))
        else:
            problems.append(at(name, name, f"only the columns datapackage.json names ({', '.join(expected)}); "
                                           "delete this column, or add it to datapackage.json first"))
    problems += [Problem(label, 1, None, "", f"a name for every column, but column {letter(i)} has no name in the "
                                             "header (a stray comma, or an extra column?)", kind="nameless column")
                 for i in nameless]
    problems += [at(name, None, f"a column named {name}, but the header has none") for name in missing]
    if not problems and header != expected:
        i = next(i for i, (got, want) in enumerate(zip(header, expected)) if got != want)
        problems.append(at(header[i], header[i], "the columns in the order datapackage.json gives them ("
                                                 + ", ".join(expected)
                                                 + f"): column {letter(i)} should be {expected[i]}"))
    return problems


def _width_problem(rec: Record, header: list[str], label: str) -> Problem:
    """A record whose cell count differs from the header's, with the likeliest cause."""
    width, n = len(header), len(rec.cells)
    if n > width:
        column, value, kind = None, ",".join(rec.cells[width:]), "too many cells"
        expected = (f"{width} cells, one per column, but this row has {n} (the extra cells are shown). "
                    "Is there a comma inside a cell that is not in quotation marks?")
    else:
        column, value, kind = header[n], None, "too few cells"
        expected = (f"{width} cells, one per column, but this row has {n}, so it stops before this column. "
                    "Is a comma missing, or is there a line break inside a cell that is not in quotation marks?")
    if rec.last_line > rec.first_line:
        expected += (f" The row runs over lines {rec.first_line} to {rec.last_line} of the file: "
                     "is a quotation mark left open?")
    return Problem(label, rec.row, column, value, expected, line=rec.first_line, kind=kind)


def _blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _trailing_blank_start(cells: list[list[str]]) -> int:
    """Blank lines (or rows of empty cells) at the very end of a file are harmless; one between records is not."""
    end = len(cells)
    while end > 1 and _blank(cells[end - 1]):
        end -= 1
    return end


def empty_frame(resource: Resource) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in resource.field_names})
    frame[ROW] = pd.Series([], dtype="int64")
    return frame


QUOTE, COMMA, CR, LF = (ord(c) for c in '",\r\n')
ENDS = (COMMA, CR, LF)  # what may stand before an opening quotation mark, or after a closing one
# A visible ASCII character: a file holding one is not blank (UTF-8 or not, it decodes to that character).
VISIBLE_ASCII = re.compile(rb"[\x21-\x7e]")


def _ends(a: np.ndarray) -> np.ndarray:
    """Where the bytes that may end a cell or a record (comma, CR, LF) are: three comparisons over the file,
    cheaper than a lookup table indexed by every byte."""
    return np.flatnonzero((a == COMMA) | (a == LF) | (a == CR))


def _quote_runs_are_regular(a: np.ndarray, quotes: np.ndarray) -> bool:
    """Whether every quotation mark opens a quoted cell, closes one, or is doubled inside one, as the csv
    module in strict mode reads them, with none left open; a quotation mark inside an unquoted cell (which
    the csv module allows) also gives False, and the file is then read by the csv module."""
    if not len(quotes):
        return True
    starts = np.flatnonzero(np.diff(quotes, prepend=-2) != 1)  # runs of adjacent quotation marks
    length = np.diff(starts, append=len(quotes))
    begin = quotes[starts]
    odd = length & 1
    inside_after = np.cumsum(odd) & 1  # an odd run opens or closes a cell; an even one does neither
    if inside_after[-1]:
        return False  # a quoted cell is never closed
    outside_before = (inside_after ^ odd) == 0
    before = begin[outside_before] - 1  # a run outside a cell must open one where a cell starts
    if not (np.isin(a[np.maximum(before, 0)], ENDS) | (before < 0)).all():
        return False
    after = begin[inside_after == 0] + length[inside_after == 0]  # a run that leaves the cell ends it
    return bool((np.isin(a[np.minimum(after, len(a) - 1)], ENDS) | (after >= len(a))).all())


def _regular_width(data: bytes) -> tuple[int, int] | None:
    """(cells per record, records) when the file is regular enough for pandas' parser to split exactly as the
    csv module would: quotation marks as ``_quote_runs_are_regular`` asks, every record with the first's
    number of cells, no empty record and no cell longer than the csv module reads. None otherwise."""
    a = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(a == QUOTE)
    if not _quote_runs_are_regular(a, quotes):
        return None
    marks = _ends(a)
    if len(quotes):
        marks = marks[(np.searchsorted(quotes, marks) & 1) == 0]  # outside quoted cells: an even count before
    kind = a[marks]
    crlf = (kind == CR) & np.append(kind[1:] == LF, False) & np.append(marks[1:] == marks[:-1] + 1, False)
    ends = (kind != COMMA) & ~crlf  # a record ends at LF, or at a CR not followed by LF
    end_at = marks[ends]
    if not len(end_at) or end_at[-1] != len(a) - 1:  # the last record may have no line end
        end_at = np.append(end_at, len(a))
    starts = np.append(0, end_at[:-1] + 1)
    term_begin = end_at - np.isin(end_at, marks[crlf] + 1)  # where each record's line end starts (its CR, if any)
    if (starts >= term_begin).any():
        return None  # an empty record (a blank line)
    commas = np.cumsum(kind == COMMA)[ends]
    if len(end_at) > len(commas):  # the unterminated last record: every comma is before its end
        commas = np.append(commas, np.count_nonzero(kind == COMMA))
    cells = np.diff(commas, prepend=0) + 1
    if (cells != cells[0]).any():
        return None
    if np.diff(np.concatenate(([-1], marks, [len(a)]))).max() > csv.field_size_limit():
        return None  # a cell the csv module refuses as too large: let it say so
    return int(cells[0]), len(cells)


def _quick_cells(data: bytes) -> tuple[list[str], pd.DataFrame] | None:
    """The header and the records of a regular file (see ``_regular_width``), split by pandas' C parser;
    None when the file is not regular, or has a blank record, and must be read by the csv module."""
    data = data[3:] if data.startswith(b"\xef\xbb\xbf") else data  # the byte-order mark, as utf-8-sig drops it
    data = data.rstrip(b"\r\n")  # blank lines at the very end are harmless (as _trailing_blank_start says)
    shape = _regular_width(data)
    if shape is None:
        return None
    width, records = shape
    table = pd.read_csv(io.BytesIO(data), header=None, names=range(width), dtype=object, na_filter=False,
                        skip_blank_lines=False, encoding="utf-8", engine="c", quotechar='"', doublequote=True,
                        escapechar=None, comment=None, skipinitialspace=False, index_col=False, low_memory=False)
    if len(table) != records:
        return None
    first = table[0].to_numpy()[1:]
    blank_first = np.flatnonzero(np.fromiter(map(operator.not_, map(str.strip, first)), dtype=bool, count=len(first)))
    if len(blank_first) and any(_blank(row) for row in table.iloc[blank_first + 1].itertuples(index=False)):
        return None  # a blank record: the csv module's reading says which line
    header = [str(cell) for cell in table.iloc[0]]
    return header, table.iloc[1:].reset_index(drop=True)


def read_table(path: Path, resource: Resource, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one CSV strictly. Returns its records as a frame of strings (column ``ROW`` holds each one's
    spreadsheet row) and the problems of structure found reading it.

    A file with a problem of encoding, quoting or its header gives an empty frame; rows with the wrong
    number of cells, and blank rows, are reported and left out, so the caller must treat the table as
    unusable when any problem is returned.
    """
    data, problems = _read_bytes(path, label)
    if problems:
        return empty_frame(resource), problems
    # A file that is not blank is first offered to the quick reading, which pandas decodes cell by cell as
    # UTF-8, strictly: a byte that is not UTF-8 stops it, and the file is decoded here to say where.
    quick = None
    if VISIBLE_ASCII.search(data):
        try:
            quick = _quick_cells(data)
        except UnicodeDecodeError:
            quick = None
    if quick is not None:
        header, body = quick
        problems = _header_problems(header, resource, label)
        if problems:
            return empty_frame(resource), problems
        body.columns = header
        body[ROW] = np.arange(2, len(body) + 2, dtype="int64")
        return body, []
    text, utf8 = _decoded(data)
    if not text or text.isspace():
        return empty_frame(resource), [Problem(label, None, None, None, "a header row naming the columns, then one "
                                                                        "row per record, but the file is empty",
                                               kind="file")]
    try:
        cells = list(csv.reader(io.StringIO(text, newline=""), strict=True)) if utf8 else None
    except csv.Error:
        cells = None
    if cells is None:  # read again, noting lines, to say where and why
        records, problems = _records_with_lines(text, label)
        if not utf8:
            problems = _encoding_problems(records, label) + problems
        return empty_frame(resource), problems
    cells = cells[:_trailing_blank_start(cells)]
    header = cells[0]
    problems = _header_problems(header, resource, label)
    if problems:
        return empty_frame(resource), problems
    width = len(header)
    # Only rows of the wrong width, or whose first cell is blank, can be malformed: look closer at those.
    lengths = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
    first_blank = np.fromiter((not rec[0].strip() if rec else True for rec in cells), dtype=bool, count=len(cells))
    suspects = np.flatnonzero((lengths != width) | first_blank)
    suspects = suspects[suspects > 0].tolist()
    bad = [i for i in suspects if len(cells[i]) != width or _blank(cells[i])]
    if bad:
        records = _records_with_lines(text, label)[0]
        for i in bad:
            rec = records[i]
            if _blank(rec.cells):
                problems.append(Problem(label, rec.row, None, None, "a record, but the row is blank; delete the "
                                        "empty row", line=rec.first_line, kind="blank row"))
            else:
                problems.append(_width_problem(rec, header, label))
        dropped = set(bad)
        rows = np.array([i + 1 for i in range(1, len(cells)) if i not in dropped], dtype="int64")
        body = [rec for i, rec in enumerate(cells) if i and i not in dropped]
    else:
        rows = np.arange(2, len(cells) + 1, dtype="int64")
        body = cells[1:]
    # Plain Python strings (object dtype): the checks look at distinct values and need no conversion.
    frame = pd.DataFrame(body, columns=header, dtype=object) if body else empty_frame(resource).drop(columns=ROW)
    frame[ROW] = rows
    return frame, problems
