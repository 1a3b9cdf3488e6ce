"""Validation of the data package: every problem found, one line each, nothing coerced.

The checks follow ``datapackage.json`` (types, required fields, categories, list items, patterns,
unique and primary keys, foreign keys) and add the rules a Table Schema cannot say: date precision
agrees with the date, hedge words go with hedged certainty, every record has its change-record row.
Rows are counted as a spreadsheet counts them: the header is row 1, the first record row 2.
"""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .schema import Field, Resource, Schema

ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PRECISION_OF_PARTS = {1: "year", 2: "month", 3: "day"}


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = ", ".join(where)
        if self.value is not None:
            text += f": value {self.value!r}"
        return f"{text}: expected {self.expected}"


class DataError(Exception):
    """Raised by the loader when the data has problems; carries every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


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


def _row_of_offset(data: bytes, offset: int) -> int:
    """The 1-based line holding byte ``offset``: the row for files without multi-line cells."""
    return data[:offset].count(b"\n") + 1


def read_table(path: Path, resource: Resource, label: str) -> tuple[list[dict[str, str]], list[Problem]]:
    """Read one CSV strictly. Returns its records (as text) and the problems found reading it."""
    def problem(row, column, value, expected):
        return Problem(label, row, column, value, expected)

    if not path.is_file():
        return [], [problem(None, None, None, f"a CSV file of {resource.title.lower()} here, but there is no such file")]
    data = path.read_bytes()
    if b"\x00" in data:
        return [], [problem(None, None, None, "a UTF-8 CSV text file, but it holds NUL bytes (is it a spreadsheet or binary file?)")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        bad = data[err.start:err.start + 4]
        return [], [problem(_row_of_offset(data, err.start), None, bad.hex(" "),
                            "UTF-8 text; re-save the file as UTF-8 (CSV UTF-8 in a spreadsheet)")]
    if not text.strip():
        return [], [problem(None, None, None, "a header row and data rows, but the file is empty")]

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    try:
        for rec in reader:
            records.append(rec)
    except csv.Error as err:
        return [], [problem(len(records) + 1, None, None,
                            f"well-formed CSV, but {err} (an unbalanced quotation mark?)")]
    # Trailing blank lines are harmless; a blank line between records is reported below.
    while records and not any(cell.strip() for cell in records[-1]):
        records.pop()

    header, body = records[0], records[1:]
    expected_cols = list(resource.field_names)
    problems: list[Problem] = []
    if len(header) == 1 and len(expected_cols) > 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if sep in header[0]:
                return [], [problem(1, None, header[0][:60], f"fields separated by commas, but this file separates them with {name}")]
        return [], [problem(1, None, header[0][:60], "a CSV header row naming the columns " + ", ".join(expected_cols))]
    seen = set()
    for col in header:
        if col in seen:
            problems.append(problem(1, col, col, "each column once, but this column appears twice"))
        seen.add(col)
    missing = [c for c in expected_cols if c not in header]
    for col in header:
        if col not in expected_cols:
            close = difflib.get_close_matches(col, missing, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(problem(1, col, col, "only the columns " + ", ".join(expected_cols) + hint))
    for col in missing:
        problems.append(problem(1, col, None, "this column in the header, but it is missing"))
    if problems:
        return [], problems

    rows = []
    for i, rec in enumerate(body, start=2):
        if not any(cell.strip() for cell in rec):
            problems.append(problem(i, None, None, "a record, but the row is blank (delete it, or fill it in)"))
            continue
        if len(rec) != len(header):
            problems.append(problem(i, None, None,
                                    f"{len(header)} fields as in the header, but the row has {len(rec)}"))
            continue
        rows.append({"__row__": i, **dict(zip(header, rec))})
    return rows, problems


def check_values(rows: list[dict], resource: Resource, label: str) -> list[Problem]:
    """Check every value against its field: required, type, category, list items, pattern, bounds, unique."""
    problems = []
    seen: dict[str, dict[str, int]] = {f.name: {} for f in resource.fields if f.constraints.get("unique")}
    for row in rows:
        r = row["__row__"]
        for f in resource.fields:
            value = row[f.name]
            def bad(expected, v=value, col=f.name):
                problems.append(Problem(label, r, col, v, expected))
            if value == "":
                if f.required:
                    bad("a value (this field is required)")
                continue
            if value != value.strip():
                bad("no spaces at the start or end of the value")
                continue
            c = f.constraints
            if f.type == "integer":
                if not re.fullmatch(r"-?\d+", value):
                    bad("a whole number")
                    continue
                n = int(value)
                if "minimum" in c and n < c["minimum"] or "maximum" in c and n > c["maximum"]:
                    bad(f"a whole number from {c.get('minimum')} to {c.get('maximum')}")
            elif f.type == "boolean":
                if value not in f.true_values + f.false_values:
                    bad("one of " + ", ".join(f.true_values + f.false_values))
            elif f.type == "date":
                parsed = parse_partial_date(value)
                if parsed is None or parsed[1] != "day":
                    bad("a real calendar date written YYYY-MM-DD")
            if f.categories and value not in f.categories:
                close = difflib.get_close_matches(value, f.categories, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                bad("one of " + ", ".join(f.categories) + hint)
            elif f.list_items:
                items = value.split(";")
                for item in items:
                    if item not in f.list_items:
                        close = difflib.get_close_matches(item.strip(), f.list_items, n=1)
                        hint = f" (did you mean {close[0]!r}?)" if close else ""
                        bad(f"each item one of {', '.join(f.list_items)}, separated by ';' with no spaces{hint}", v=item)
                if len(set(items)) != len(items):
                    bad("each item once")
            elif "pattern" in c and f.type == "string":
                if not re.fullmatch(c["pattern"], value):
                    bad(_pattern_expectation(f, c["pattern"]))
                elif f.is_partial_date and parse_partial_date(value) is None:
                    bad("a real calendar date (YYYY-MM-DD, YYYY-MM or YYYY)")
            if "minLength" in c and len(value) < c["minLength"]:
                bad(f"at least {c['minLength']} characters")
            if "maxLength" in c and len(value) > c["maxLength"]:
                bad(f"at most {c['maxLength']} characters (this value has {len(value)})")
            if f.name in seen:
                if value in seen[f.name]:
                    bad(f"a unique value, but row {seen[f.name][value]} has it too")
                else:
                    seen[f.name][value] = r
    return problems


def _pattern_expectation(field: Field, pattern: str) -> str:
    if field.is_partial_date:
        return "a date written YYYY-MM-DD, YYYY-MM or YYYY (not in words)"
    if pattern.startswith("^“"):
        return "a quotation inside curly quotation marks “…”"
    if pattern == "^E[0-9]{3,}$":
        return "an id of E and at least three digits, such as E044"
    return f"a value matching {pattern}"


def check_event_rules(rows: list[dict], label: str) -> list[Problem]:
    """Rules across the fields of one event that the Table Schema cannot express."""
    problems = []
    for row in rows:
        r = row["__row__"]
        start, end, precision = row["event_date"], row["event_date_end"], row["date_precision"]
        parsed = parse_partial_date(start) if start else None
        if precision == "unknown":
            if start or end:
                problems.append(Problem(label, r, "date_precision", precision, "day, month, year or span, since event_date is filled in"))
            if row["date_inferred"] == "true":
                problems.append(Problem(label, r, "date_inferred", "true", "false, since there is no event date"))
        elif not start:
            problems.append(Problem(label, r, "event_date", "", f"a date, since date_precision is {precision!r}"))
        elif parsed and precision != "span" and parsed[1] != precision:
            problems.append(Problem(label, r, "event_date", start, f"a date of {precision} precision, as date_precision says"))
        if end and precision != "span":
            problems.append(Problem(label, r, "event_date_end", end, "blank, since only a span has an end"))
        if end and parsed and (pe := parse_partial_date(end)) and pe[0] < parsed[0]:
            problems.append(Problem(label, r, "event_date_end", end, f"a date no earlier than event_date {start}"))
        hedged = row["certainty"] in ("alleged", "possible", "reported")
        if hedged and not row["hedge_words"]:
            problems.append(Problem(label, r, "hedge_words", "", f"the article's words that make the claim {row['certainty']}"))
        if row["certainty"] == "established" and row["hedge_words"]:
            problems.append(Problem(label, r, "hedge_words", row["hedge_words"], "blank, since the claim is established (stated as fact)"))
    return problems


def check_package(descriptor: Path) -> tuple[dict[str, list[dict]], list[Problem]]:
    """Validate a whole data package. Returns its tables (records as text) and every problem found."""
    descriptor = Path(descriptor)
    if not descriptor.is_file():
        return {}, [Problem(str(descriptor), None, None, None, "a datapackage.json, but there is no such file")]
    schema = Schema(descriptor)
    tables, problems = {}, []
    for name, res in schema.resources.items():
        path = schema.root / res.path
        label = res.path
        rows, found = read_table(path, res, label)
        problems += found
        problems += check_values(rows, res, label)
        tables[name] = rows
    if "events" in tables and tables["events"] and "event_date" in tables["events"][0]:
        problems += check_event_rules(tables["events"], schema.resources["events"].path)
    problems += check_references(schema, tables)
    return tables, problems


def check_references(schema: Schema, tables: dict[str, list[dict]]) -> list[Problem]:
    """Foreign keys, one domain per outlet, and a change-record row for every event and source."""
    problems = []
    for name, res in schema.resources.items():
        for fk in res.foreign_keys:
            (col,), target = fk["fields"], fk["reference"]
            keys = {row[target["fields"][0]] for row in tables.get(target["resource"], [])}
            for row in tables.get(name, []):
                if row[col] and row[col] not in keys:
                    problems.append(Problem(res.path, row["__row__"], col, row[col],
                                            f"an id listed in {schema.resources[target['resource']].path}"))
    domains: dict[str, tuple[str, int]] = {}
    for row in tables.get("sources", []):
        first = domains.setdefault(row["outlet"], (row["domain"], row["__row__"]))
        if first[0] != row["domain"]:
            problems.append(Problem(schema.resources["sources"].path, row["__row__"], "domain", row["domain"],
                                    f"{first[0]!r} as in row {first[1]}: one outlet, one domain"))
    known = {row["event_id"] for row in tables.get("events", [])} | {row["source_id"] for row in tables.get("sources", [])}
    added = set()
    changes_path = schema.resources["changes"].path if "changes" in schema.resources else "changes"
    for row in tables.get("changes", []):
        if row["record_id"] and row["record_id"] not in known:
            problems.append(Problem(changes_path, row["__row__"], "record_id", row["record_id"],
                                    "an event_id or source_id present in the data"))
        if row["change"] == "added":
            added.add(row["record_id"])
    if "changes" in tables and not any(p.file == changes_path and p.row is None for p in problems):
        for name, col in (("events", "event_id"), ("sources", "source_id")):
            for row in tables.get(name, []):
                if row[col] and row[col] not in added:
                    problems.append(Problem(changes_path, None, "record_id", row[col],
                                            f"an 'added' row for {col} {row[col]} (every record enters the change record when it is added)"))
    return problems
