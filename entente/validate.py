"""Validation of the data package: every problem found, one line each, nothing coerced.

The checks follow ``datapackage.json`` (types, required fields, categories, list items, patterns,
unique and primary keys, foreign keys) and add the rules a Table Schema cannot say: date precision
agrees with the date, hedge words go with hedged certainty, every record has its change-record row.

Rows are counted as a spreadsheet counts them: the header is row 1, the first record row 2, and a
quoted cell holding a line break does not start a new row. Where the file's physical line differs
from the row, problems with the file's structure give the line too. Files are only read, never
written, and every pass is linear in the size of the data (lookups go through sets and dicts).
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import difflib
import io
import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .schema import Field, Resource, Schema

# [0-9], not \d: \d also matches other scripts' digits, which int() would quietly convert.
ISO_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
INTEGER = re.compile(r"^-?[0-9]+$")
PRECISION_OF_PARTS = {1: "year", 2: "month", 3: "day"}
DATE_PRECISIONS = ("day", "month", "year", "span", "unknown")
# Bytes that are not UTF-8 are decoded to these lone surrogates so they can be located, then reported.
NOT_UTF8 = re.compile("[\udc80-\udcff]+")
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
# Plain words for the patterns datapackage.json uses; any other pattern is quoted as it stands.
PATTERN_WORDS = {
    "^E[0-9]{3,}$": "an id made of E and at least three digits, such as E044",
    "^[a-z0-9]+(-[a-z0-9]+)*$": "an id of lower-case letters and digits in groups joined by single hyphens, "
                                "such as rferl-2022-11-15",
    r"^[a-z0-9-]+(\.[a-z0-9-]+)+$": "a web domain in lower case, such as example.com (no https:// and no slash)",
    "^“[^“”]{1,300}”$": "a quotation of at most 300 characters inside curly quotation marks “…”, "
                        "with no other curly quotation marks inside",
}
WORDY_DATE_FORMATS = (("%B %d, %Y", "%Y-%m-%d"), ("%b %d, %Y", "%Y-%m-%d"), ("%d %B %Y", "%Y-%m-%d"),
                      ("%d %b %Y", "%Y-%m-%d"), ("%B %d %Y", "%Y-%m-%d"), ("%B %Y", "%Y-%m"), ("%b %Y", "%Y-%m"))
# Suggestions compare a bad value with every allowed one; past this many candidates they are skipped
# so that a file full of bad ids cannot make validation quadratic.
MAX_SUGGESTION_CANDIDATES = 1000


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    line: int | None = None  # the file's physical line: shown when no row is known or it differs from the row

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            moved = self.line is not None and self.line != self.row
            where.append(f"row {self.row} (line {self.line} of the file)" if moved else f"row {self.row}")
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f'column "{self.column}"')
        text = ", ".join(where)
        if self.value is not None:
            return f"{text}: found {shown(self.value)}; expected {self.expected}"
        return f"{text}: expected {self.expected}"


class DataError(Exception):
    """Raised by the loader when the data has problems; carries every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def shown(value: str, limit: int = 80) -> str:
    """A cell as one readable line: quoted, line breaks as ↵, bytes that are not UTF-8 as �, long text cut."""
    if value == "":
        return "an empty cell"
    text = NOT_UTF8.sub("�", re.sub(r"\r\n|\r|\n", "↵", value))
    return f'"{text[:limit]}…"' if len(text) > limit else f'"{text}"'


def _letter(index: int) -> str:
    """A spreadsheet's column letter for a 0-based column index: A, B, …, Z, AA, AB, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _closest(value: str, choices) -> str | None:
    """The allowed value closest to ``value``, ignoring case; None when none is close or there are too many."""
    if len(choices) > MAX_SUGGESTION_CANDIDATES:
        return None
    by_lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(value.strip().lower(), list(by_lower), n=1)
    return by_lower[close[0]] if close else None


def _did_you_mean(value: str, choices) -> str:
    close = _closest(value, choices)
    return f' (did you mean "{close}"?)' if close else ""


def _one_of(choices) -> str:
    return "one of: " + ", ".join(choices)


# --- Dates ----------------------------------------------------------------------------------------

def parse_partial_date(text: str) -> tuple[dt.date, str] | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as (first day, precision); None when not a real date."""
    m = ISO_DATE.match(text)
    if not m:
        return None
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        first = dt.date(year, month or 1, day or 1)
    except ValueError:
        return None
    return first, PRECISION_OF_PARTS[sum(g is not None for g in (year, month, day))]


def _why_not_a_date(m: re.Match) -> str:
    """Why digits in date form name no real day, in words: 'there is no month 13'."""
    year, month, day = (int(g) if g else None for g in m.groups())
    if year == 0:
        return "there is no year 0000"
    if month is not None and not 1 <= month <= 12:
        return f"there is no month {month:02d}"
    days = calendar.monthrange(year, month)[1]
    return f"{calendar.month_name[month]} {year} has {days} days, so there is no day {day:02d}"


def _iso_from_words(text: str) -> str | None:
    """The ISO form of a date written in words ('November 15, 2022' gives 2022-11-15), if it is one."""
    for wordy, iso in WORDY_DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, wordy).strftime(iso)
        except ValueError:
            continue
    return None


def _date_problem(value: str, day_only: bool) -> str | None:
    """What is wrong with a date cell, or None. Partial dates (YYYY, YYYY-MM) pass unless ``day_only``."""
    forms = "YYYY-MM-DD" if day_only else "YYYY-MM-DD, YYYY-MM or YYYY"
    m = ISO_DATE.match(value)
    if not m or (day_only and m.group(3) is None):
        iso = _iso_from_words(value)
        hint = f"; write this one as {iso}" if iso and (not day_only or len(iso) == 10) else ""
        return f"a date written {forms} in digits{hint}"
    if parse_partial_date(value) is None:
        return f"a real calendar date, but {_why_not_a_date(m)}"
    return None


# --- Reading a CSV file ---------------------------------------------------------------------------

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
        return b"", [Problem(label, None, None, None, expected)]
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


def _split_records(text: str, label: str) -> tuple[list[Record], list[Problem]]:
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
    return Problem(label, row, column, value.rstrip("\r\n"), expected, line=first)


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
            problems.append(Problem(label, rec.row, column, cell, expected, line=rec.first_line))
    return problems


def _header_problems(header: list[str], resource: Resource, label: str) -> list[Problem]:
    """The header must name each schema column once, spelt right, in the schema's order."""
    expected = list(resource.field_names)

    def at(column, value, text):
        return Problem(label, 1, column, value, text)

    if not any(cell.strip() for cell in header):
        return [at(None, None, f"the first row to name the columns ({', '.join(expected)}), but it is blank")]
    if len(header) == 1 and len(expected) > 1:
        for delimiter, name in OTHER_DELIMITERS:
            if delimiter in header[0]:
                return [at(None, header[0], f"cells separated by commas, but this file separates them with {name}; "
                                            f"{SAVE_AS_CSV}")]
    counts = Counter(header)
    problems = [at(name, name, "each column once, but the header has this one in columns "
                               + " and ".join(_letter(i) for i, h in enumerate(header) if h == name))
                for name, n in counts.items() if n > 1 and name.strip()]
    missing = [name for name in expected if name not in counts]
    for i, name in enumerate(header):
        if name in expected:
            continue
        if not name.strip():
            problems.append(at(None, name, f"a name for every column, but column {_letter(i)} has no name in "
                                           "the header (a stray comma, or an extra column?)"))
            continue
        meant = _closest(name, missing)
        if meant:
            missing.remove(meant)  # reported once, as a misspelling, not again as missing
            problems.append(at(name, name, f'a column name from datapackage.json (did you mean "{meant}"?)'))
        else:
            problems.append(at(name, name, f"only the columns datapackage.json names ({', '.join(expected)}); "
                                           "delete this column, or add it to datapackage.json first"))
    problems += [at(name, None, f"a column named {name}, but the header has none") for name in missing]
    if not problems and header != expected:
        i = next(i for i, (got, want) in enumerate(zip(header, expected)) if got != want)
        problems.append(at(header[i], header[i], "the columns in the order datapackage.json gives them ("
                                                 + ", ".join(expected)
                                                 + f"): column {_letter(i)} should be {expected[i]}"))
    return problems


def _width_problem(rec: Record, header: list[str], label: str) -> Problem:
    """A record whose cell count differs from the header's, with the likeliest cause."""
    width, n = len(header), len(rec.cells)
    if n > width:
        column, value = None, ",".join(rec.cells[width:])
        expected = (f"{width} cells, one per column, but this row has {n} (the extra cells are shown). "
                    "Is there a comma inside a cell that is not in quotation marks?")
    else:
        column, value = header[n], None
        expected = (f"{width} cells, one per column, but this row has {n}, so it stops before this column. "
                    "Is a comma missing, or is there a line break inside a cell that is not in quotation marks?")
    if rec.last_line > rec.first_line:
        expected += (f" The row runs over lines {rec.first_line} to {rec.last_line} of the file: "
                     "is a quotation mark left open?")
    return Problem(label, rec.row, column, value, expected, line=rec.first_line)


def _drop_trailing_blank(records: list[Record]) -> list[Record]:
    """Blank lines (or rows of empty cells) at the very end of a file are harmless; one between records is not."""
    end = len(records)
    while end > 1 and not any(cell.strip() for cell in records[end - 1].cells):
        end -= 1
    return records[:end]


def read_table(path: Path, resource: Resource, label: str) -> tuple[list[dict[str, str]], list[Problem]]:
    """Read one CSV strictly. Returns its records (as text) and the problems found reading it.

    A file with any problem of structure (encoding, quoting, header) gives no records; rows with the
    wrong number of cells are reported and left out, so the caller must treat the table as unusable.
    """
    data, problems = _read_bytes(path, label)
    if problems:
        return [], problems
    text, utf8 = _decoded(data)
    if not text.strip():
        return [], [Problem(label, None, None, None, "a header row naming the columns, then one row per record, "
                                                    "but the file is empty")]
    records, problems = _split_records(text, label)
    if not utf8:
        problems = _encoding_problems(records, label) + problems
    if problems:
        return [], problems
    records = _drop_trailing_blank(records)
    header = records[0].cells
    problems = _header_problems(header, resource, label)
    if problems:
        return [], problems
    rows = []
    for rec in records[1:]:
        if not any(cell.strip() for cell in rec.cells):
            problems.append(Problem(label, rec.row, None, None, "a record, but the row is blank; delete the empty row",
                                    line=rec.first_line))
        elif len(rec.cells) != len(header):
            problems.append(_width_problem(rec, header, label))
        else:
            rows.append({"__row__": rec.row, **dict(zip(header, rec.cells))})
    return rows, problems


# --- Values ---------------------------------------------------------------------------------------

def _bounds(c: dict) -> str:
    low, high = c.get("minimum"), c.get("maximum")
    if low is not None and high is not None:
        return f"a whole number from {low} to {high}"
    return f"a whole number of at least {low}" if low is not None else f"a whole number of at most {high}"


def _type_problem(f: Field, value: str) -> str | None:
    """What is wrong with a non-empty value for the field's type, or None."""
    if f.type == "integer":
        if not INTEGER.match(value):
            return "a whole number written in digits"
        c, n = f.constraints, int(value)
        if ("minimum" in c and n < c["minimum"]) or ("maximum" in c and n > c["maximum"]):
            return _bounds(c)
    elif f.type == "boolean":
        allowed = f.true_values + f.false_values
        if value not in allowed:
            hint = " in lower case (a spreadsheet may have changed it to capitals)" if value.lower() in allowed else ""
            return " or ".join(allowed) + hint
    elif f.type == "date":
        return _date_problem(value, day_only=True)
    return None


class FieldCheck(NamedTuple):
    """One field's checks, worked out once per table rather than once per cell."""
    field: Field
    required: bool
    unique: bool
    categories: frozenset[str]  # allowed values of a category field, for fast lookup
    items: frozenset[str]  # allowed items of a list field
    partial_date: bool


def _checks_of(resource: Resource) -> list[FieldCheck]:
    key = set(resource.primary_key)  # a primary key is required and unique even when its fields do not say so
    return [FieldCheck(f, f.required or f.name in key, bool(f.constraints.get("unique")) or f.name in key,
                  frozenset(f.categories or ()), frozenset(f.list_items or ()), f.is_partial_date)
            for f in resource.fields]


def _list_problems(check: FieldCheck, value: str) -> list[tuple[str, str]]:
    """Problems of a semicolon list: empty items, unknown items (each reported alone), repeats."""
    items = value.split(";")
    allowed = check.field.list_items
    problems = []
    if "" in items:
        problems.append((value, "items separated by single semicolons, but there is an empty item "
                                "(a doubled semicolon, or one at the start or end?)"))
    for item in items:
        if item and item not in check.items:
            hint = " with no space after the semicolon" if item.strip() in check.items else _did_you_mean(item, allowed)
            problems.append((item, f"each item in the list to be {_one_of(allowed)}{hint}"))
    repeated = [item for item, n in Counter(items).items() if n > 1 and item] if len(set(items)) < len(items) else []
    if repeated:
        problems.append((value, f"each item once, but {', '.join(repeated)} is repeated"))
    return problems


def _value_problems(check: FieldCheck, value: str) -> list[tuple[str, str]]:
    """Every problem of one cell as (value shown, expected), checked against its field in the schema."""
    if value == "":
        return [(value, "a value; this column may not be left empty")] if check.required else []
    if value != value.strip():
        return [(value, "no spaces before or after the text")]
    f = check.field
    problem = _type_problem(f, value)
    if problem:
        return [(value, problem)]
    c = f.constraints
    problems = []
    if check.categories:
        if value not in check.categories:
            problems.append((value, _one_of(f.categories) + _did_you_mean(value, f.categories)))
    elif check.items:
        problems += _list_problems(check, value)
    elif check.partial_date:
        problem = _date_problem(value, day_only=False)
        problems += [(value, problem)] if problem else []
    elif "pattern" in c and not re.fullmatch(c["pattern"], value):
        problems.append((value, PATTERN_WORDS.get(c["pattern"], f"a value matching the pattern {c['pattern']}")))
    if "minLength" in c and len(value) < c["minLength"]:
        problems.append((value, f"at least {c['minLength']} characters (this has {len(value)})"))
    if "maxLength" in c and len(value) > c["maxLength"]:
        problems.append((value, f"at most {c['maxLength']} characters (this has {len(value)})"))
    return problems


def check_values(rows: list[dict], resource: Resource, label: str) -> list[Problem]:
    """Check every value against its field: required, type, category, list items, pattern, length, unique."""
    checks = _checks_of(resource)
    first_row: dict[str, dict[str, int]] = {check.field.name: {} for check in checks if check.unique}
    problems = []
    for row in rows:
        r = row["__row__"]
        for check in checks:
            name = check.field.name
            value = row[name]
            for shown_value, expected in _value_problems(check, value):
                problems.append(Problem(label, r, name, shown_value, expected))
            if check.unique and value:
                seen = first_row[name].setdefault(value, r)
                if seen != r:
                    problems.append(Problem(label, r, name, value,
                                            f"a value no other row has, but row {seen} has it too"))
    return problems


# --- Rules across fields and tables ---------------------------------------------------------------

def check_event_rules(rows: list[dict], label: str) -> list[Problem]:
    """Rules across the fields of one event that the Table Schema cannot express."""
    problems = []
    for row in rows:
        r = row["__row__"]
        start, end, precision = row["event_date"], row["event_date_end"], row["date_precision"]
        parsed = parse_partial_date(start) if start else None
        if precision not in DATE_PRECISIONS:
            pass  # the bad category is reported already; comparing against it would only add noise
        elif precision == "unknown":
            if start or end:
                problems.append(Problem(label, r, "date_precision", precision,
                                        "day, month, year or span, since event_date is filled in"))
            if row["date_inferred"] == "true":
                problems.append(Problem(label, r, "date_inferred", "true", "false, since there is no event date"))
        elif not start:
            problems.append(Problem(label, r, "event_date", "",
                                    f'a date, since date_precision is "{precision}" (or date_precision "unknown")'))
        elif parsed and precision != "span" and parsed[1] != precision:
            problems.append(Problem(label, r, "event_date", start,
                                    _precision_mismatch(precision, parsed[1], "date_precision")))
        if end and precision in DATE_PRECISIONS and precision != "span":
            problems.append(Problem(label, r, "event_date_end", end, "an empty cell, since only a span has an end"))
        if end and parsed and (pe := parse_partial_date(end)) and pe[0] < parsed[0]:
            problems.append(Problem(label, r, "event_date_end", end, f"a date no earlier than event_date {start}"))
        hedged = row["certainty"] in ("alleged", "possible", "reported")
        if hedged and not row["hedge_words"]:
            problems.append(Problem(label, r, "hedge_words", "",
                                    f"the article's words that make the claim {row['certainty']}"))
        if row["certainty"] == "established" and row["hedge_words"]:
            problems.append(Problem(label, r, "hedge_words", row["hedge_words"],
                                    "an empty cell, since the claim is established (stated as fact)"))
    return problems


def _precision_mismatch(said: str, written: str, column: str) -> str:
    forms = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"}
    return (f'a date to the {said} ({forms[said]}), since {column} says "{said}", but this date is written '
            f'to the {written}; correct one of the two')


def check_source_rules(rows: list[dict], label: str) -> list[Problem]:
    """A source's publication date is written to the precision its published_precision gives."""
    problems = []
    for row in rows:
        parsed = parse_partial_date(row["published"])
        said = row["published_precision"]
        if parsed and said in ("day", "month", "year") and parsed[1] != said:
            problems.append(Problem(label, row["__row__"], "published", row["published"],
                                    _precision_mismatch(said, parsed[1], "published_precision")))
    return problems


def _foreign_key_problems(schema: Schema, tables: dict, readable: set) -> list[Problem]:
    problems = []
    for name, res in schema.resources.items():
        for fk in res.foreign_keys:
            (col,), target = fk["fields"], fk["reference"]
            if name not in readable or target["resource"] not in readable:
                continue  # a table that could not be read would make every reference look broken
            target_path = schema.resources[target["resource"]].path
            keys = {row[target["fields"][0]] for row in tables[target["resource"]]}
            hints: dict[str, str] = {}  # a typo repeated on many rows is looked up once
            for row in tables[name]:
                value = row[col]
                if value and value not in keys:
                    if value not in hints:
                        hints[value] = _did_you_mean(value, keys)
                    problems.append(Problem(res.path, row["__row__"], col, value,
                                            f"a {target['fields'][0]} listed in {target_path}, but none has this "
                                            f"one{hints[value]}"))
    return problems


def _outlet_domain_problems(rows: list[dict], label: str) -> list[Problem]:
    problems = []
    domains: dict[str, tuple[str, int]] = {}
    for row in rows:
        first = domains.setdefault(row["outlet"], (row["domain"], row["__row__"]))
        if first[0] != row["domain"]:
            problems.append(Problem(label, row["__row__"], "domain", row["domain"],
                                    f"{shown(first[0])} as in row {first[1]}: one outlet, one domain"))
    return problems


def _change_record_problems(schema: Schema, tables: dict) -> list[Problem]:
    """Every change-record row names a known record, and every record has its 'added' row."""
    changes_path = schema.resources["changes"].path
    owners = {"events": "event_id", "sources": "source_id"}
    known = {row[col] for name, col in owners.items() for row in tables[name]}
    problems, added = [], set()
    for row in tables["changes"]:
        if row["record_id"] and row["record_id"] not in known:
            problems.append(Problem(changes_path, row["__row__"], "record_id", row["record_id"],
                                    f"the event_id or source_id of a record in {schema.resources['events'].path} "
                                    f"or {schema.resources['sources'].path}, but none has this id"))
        if row["change"] == "added":
            added.add(row["record_id"])
    for name, col in owners.items():
        for row in tables[name]:
            if row[col] and row[col] not in added:
                problems.append(Problem(schema.resources[name].path, row["__row__"], col, row[col],
                                        f'a row in {changes_path} recording that {row[col]} was added '
                                        '(change "added"): every record enters the change record when it is added'))
    return problems


def check_references(schema: Schema, tables: dict[str, list[dict]], readable: set[str] | None = None) -> list[Problem]:
    """Foreign keys, one domain per outlet, and a change-record row for every event and source.

    Only tables read without problems of structure (``readable``) take part.
    """
    readable = set(tables) if readable is None else readable
    problems = _foreign_key_problems(schema, tables, readable)
    if "sources" in readable:
        problems += _outlet_domain_problems(tables["sources"], schema.resources["sources"].path)
    if {"events", "sources", "changes"} <= readable:
        problems += _change_record_problems(schema, tables)
    return problems


# --- The whole package ----------------------------------------------------------------------------

def _open_schema(descriptor: Path) -> tuple[Schema | None, list[Problem]]:
    """The parsed descriptor, or the reason it cannot be read."""
    def problem(expected, line=None):
        return None, [Problem(str(descriptor), None, None, None, expected, line=line)]
    if not descriptor.is_file():
        return problem("a datapackage.json describing the data, but there is no such file")
    try:
        schema = Schema(descriptor)
        schema.resources  # parsed now, so a malformed descriptor is reported here rather than later
    except UnicodeDecodeError:
        return problem("a datapackage.json saved as UTF-8 text")
    except json.JSONDecodeError as err:
        return problem(f"valid JSON, but {err.msg} (column {err.colno})", line=err.lineno)
    except (KeyError, TypeError, AttributeError) as err:
        return problem(f"a data package descriptor with resources, each with a name, path and schema of fields, "
                       f"but {type(err).__name__}: {err}")
    return schema, []


def check_package(descriptor: Path) -> tuple[dict[str, list[dict]], list[Problem]]:
    """Validate a whole data package. Returns its tables (records as text) and every problem found."""
    schema, problems = _open_schema(Path(descriptor))
    if schema is None:
        return {}, problems
    tables, readable = {}, set()
    for name, res in schema.resources.items():
        rows, found = read_table(schema.root / res.path, res, res.path)
        if not found:
            readable.add(name)
        problems += found + check_values(rows, res, res.path)
        tables[name] = rows
    if "events" in readable:
        problems += check_event_rules(tables["events"], schema.resources["events"].path)
    if "sources" in readable:
        problems += check_source_rules(tables["sources"], schema.resources["sources"].path)
    problems += check_references(schema, tables, readable)
    return tables, problems
