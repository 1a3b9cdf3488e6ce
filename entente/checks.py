"""The checks ``datapackage.json`` asks for, run column by column over a table's frame of strings.

Every field type and constraint the schema may use is checked here (``schema.TYPES`` and
``schema.CONSTRAINTS``; the schema refuses anything else), plus list fields ("x-list"), single and
composite primary keys and foreign keys. Nothing here knows a field by name: a new resource or field
in the descriptor is checked with no change to this module.

A column is checked through its distinct values: each distinct value is judged once, then the verdict
is spread back over the rows holding it, so a column of 100,000 cells with a few hundred distinct
values costs a few hundred checks. A text column's distinct values (ids, summaries: nearly one per row)
first go through a fast pass made of whole-column tests (spaces, formula starts, length, pattern,
categories); only the values it does not pass are judged one by one, with the full explanation.
Problems keep their spreadsheet row and column.
"""
from __future__ import annotations

import calendar
import datetime as dt
import operator
import re
from collections import Counter
from functools import cached_property
from itertools import repeat

import numpy as np
import pandas as pd

from .csvfile import ROW, closest
from .problems import Problem
from .schema import Field, Resource, Schema

# [0-9], not \d: \d also matches other scripts' digits, which int() would quietly convert.
ISO_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
INTEGER = re.compile(r"^-?[0-9]+$")
NUMBER = re.compile(r"^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
YEAR = re.compile(r"^[0-9]{4}$")
ISO_DATETIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"
                          r"(?:Z|[+-][0-9]{2}:[0-9]{2})?$")
PRECISION_OF_PARTS = {1: "year", 2: "month", 3: "day"}
# A spreadsheet runs a cell beginning with one of these as a formula (or as the start of one) when it
# opens the CSV: =HYPERLINK(...) or +cmd|... in a downloaded file can fetch or run things.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_NAMES = {"=": "=", "+": "+", "-": "-", "@": "@", "\t": "a tab", "\r": "a carriage return"}
FORMULA_EXPECTED = ("text that does not begin with =, +, -, @, a tab or a carriage return: a spreadsheet opening "
                    "the downloaded CSV would run a cell beginning with {start} as a formula, so such text is "
                    "refused to keep the published files safe; reword it to begin otherwise (with a word or a "
                    "quotation mark, for example)")
DELIMITER_NAMES = {";": "semicolon", ",": "comma", "|": "vertical bar", "/": "slash"}
# Plain words for the patterns datapackage.json uses; any other pattern is quoted as it stands, unless the
# field gives its own words in "x-pattern-description".
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


def did_you_mean(value: str, choices) -> str:
    close = closest(value, choices)
    return f' (did you mean "{close}"?)' if close else ""


def one_of(choices) -> str:
    return "one of: " + ", ".join(str(c) for c in choices)


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


def last_day(first: dt.date, precision: str) -> dt.date:
    """The last day of the period a partial date names: its year, its month, or the day itself."""
    if precision == "year":
        return dt.date(first.year, 12, 31)
    if precision == "month":
        return dt.date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    return first


def partial_dates(column: pd.Series) -> pd.DataFrame:
    """Each cell of a partial-date column as its first day, last day and precision (NaT and "" when it is
    no date). Each distinct text is parsed once."""
    codes, uniques = pd.factorize(column)  # frames of strings hold no NaN, so every code names a text
    parsed = [parse_partial_date(v) for v in uniques]
    first = pd.DatetimeIndex([p[0] if p else None for p in parsed], dtype="datetime64[ns]")
    last = pd.DatetimeIndex([last_day(*p) if p else None for p in parsed], dtype="datetime64[ns]")
    precision = np.array([p[1] if p else "" for p in parsed] or [""], dtype=object)
    return pd.DataFrame({"first": first.take(codes), "last": last.take(codes), "precision": precision[codes]},
                        index=column.index)


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


def date_problem(value: str, day_only: bool) -> str | None:
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


# --- Typed values ---------------------------------------------------------------------------------

def typed(f: Field, text: str):
    """The value a cell's text stands for under its field's type; ValueError when it stands for none."""
    if f.type == "integer":
        if not INTEGER.match(text):
            raise ValueError(text)
        return int(text)
    if f.type == "number":
        if not NUMBER.match(text):
            raise ValueError(text)
        return float(text)
    if f.type == "year":
        if not YEAR.match(text):
            raise ValueError(text)
        return int(text)
    if f.type == "boolean":
        if text in f.true_values:
            return True
        if text in f.false_values:
            return False
        raise ValueError(text)
    if f.type == "date":
        if f.strptime_format == "%Y-%m-%d" and not ISO_DATE.match(text):
            raise ValueError(text)
        return dt.datetime.strptime(text, f.strptime_format).date()
    if f.type == "datetime":
        if f.format == "default":
            if not ISO_DATETIME.match(text):
                raise ValueError(text)
            return dt.datetime.fromisoformat(text)
        return dt.datetime.strptime(text, f.strptime_format)
    return text


def _schema_value(f: Field, value):
    """A value written in the schema (an enum entry, a bound) as the cell values it is compared with."""
    if isinstance(value, str) and f.type != "string":
        if f.type in ("date", "datetime") and f.format != "default":
            probe = Field(f.name, f.title, f.type, "", {}, None)  # bounds are written in ISO form
            return typed(probe, value)
        return typed(f, value)
    if f.type == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


TYPE_WORDS = {"integer": "whole number", "number": "number", "year": "year", "date": "date", "datetime": "date and time"}


def _bounds(f: Field) -> str:
    c = f.constraints
    low, high = c.get("minimum"), c.get("maximum")
    noun = TYPE_WORDS[f.type]
    if low is not None and high is not None:
        return f"a {noun} from {low} to {high}"
    return f"a {noun} of at least {low}" if low is not None else f"a {noun} of at most {high}"


def _type_expected(f: Field, value: str) -> str:
    if f.type == "integer":
        return "a whole number written in digits"
    if f.type == "number":
        return "a number written in digits, such as 12, -0.5 or 1.5e3"
    if f.type == "year":
        return "a year written in four digits, such as 2022"
    if f.type == "boolean":
        allowed = f.true_values + f.false_values
        hint = " in lower case (a spreadsheet may have changed it to capitals)" if value.lower() in allowed else ""
        return " or ".join(allowed) + hint
    if f.type == "date" and f.strptime_format == "%Y-%m-%d":
        return date_problem(value, day_only=True) or "a real calendar date"
    if f.type == "date":
        return f"a real calendar date in the form {f.format}"
    if f.format == "default" and ISO_DATETIME.match(value):
        return "a real date and time, but this one names no real day or time of day"
    if f.format == "default":
        return "a date and time written YYYY-MM-DDThh:mm:ss (optionally with Z or an offset such as +03:00)"
    return f"a real date and time in the form {f.format}"


class FieldCheck:
    """One field's checks, worked out once per table rather than once per cell."""

    def __init__(self, f: Field):
        self.field = f
        c = f.constraints
        self.enum = frozenset(_schema_value(f, v) for v in c.get("enum", ()))
        self.items = frozenset(f.list_items or ())
        self.minimum = _schema_value(f, c["minimum"]) if "minimum" in c else None
        self.maximum = _schema_value(f, c["maximum"]) if "maximum" in c else None
        self.pattern = re.compile(c["pattern"]) if "pattern" in c else None
        self.pattern_words = (dict(f.custom).get("x-pattern-description") or PATTERN_WORDS.get(c.get("pattern"))
                              or f"a value matching the pattern {c.get('pattern')}")

        self.is_text = f.type == "string"
        self.is_partial_date = f.is_partial_date
        self.fast_pass = self._fast_pass()

    def _fast_pass(self):
        """For a text field with no list: the compiled pattern (anchored at the end), or True when the field
        has none; None for other fields. ``judge`` passes, column-wide, only values with no space at either
        end, no formula start, the right length, the pattern and (if any) a category; values it does not
        pass are judged in full, so it may be stricter than the checks but never looser."""
        c = self.field.constraints
        if not self.is_text or self.items or self.is_partial_date:
            return None
        return re.compile(f"(?:{c['pattern']})\\Z") if "pattern" in c else True

    def judge(self, values: np.ndarray) -> dict[int, list[tuple[str, str, str]]]:
        """The problems of a column's distinct present values, by position, for the bad ones only. A text
        field's values go through its fast pass all at once (each test one C-level pass over the column);
        only the values that fail it, and every value of other fields, are judged one by one."""
        if self.fast_pass is None:
            suspects = range(len(values))
        else:
            suspects = np.flatnonzero(~self._passes(values)).tolist()
        found = {}
        for i in suspects:
            problems = self.problems(values[i])
            if problems:
                found[i] = problems
        return found

    def _passes(self, values: np.ndarray) -> np.ndarray:
        """Which values pass the fast pass: whole-column tests, each a C-level map over the values."""
        n, c = len(values), self.field.constraints
        good = np.fromiter(map(operator.eq, values, map(str.strip, values)), dtype=bool, count=n)
        good &= ~np.fromiter(map(str.startswith, values, repeat(FORMULA_STARTS)), dtype=bool, count=n)
        if "minLength" in c or "maxLength" in c:
            length = np.fromiter(map(len, values), dtype=np.int64, count=n)
            good &= (length >= c.get("minLength", 0)) & (length <= c.get("maxLength", length.max(initial=0)))
        if self.fast_pass is not True:
            good &= np.fromiter(map(operator.is_not, map(self.fast_pass.match, values), repeat(None)), dtype=bool,
                                count=n)
        if self.enum:
            good &= pd.Series(values, dtype=object).isin(list(self.enum)).to_numpy()
        return good

    def problems(self, value: str) -> list[tuple[str, str, str]]:
        """Every problem of one present cell as (value shown, expected, kind)."""
        f, c = self.field, self.field.constraints
        if self.is_text and value[:1] in FORMULA_STARTS and value not in self.enum:
            return [(value, FORMULA_EXPECTED.format(start=FORMULA_NAMES[value[0]]), "formula")]
        if value != value.strip():
            return [(value, "no spaces before or after the text", "spaces")]
        try:
            parsed = typed(f, value)
        except ValueError:
            return [(value, _type_expected(f, value), "type")]
        if (self.minimum is not None and parsed < self.minimum) or (self.maximum is not None and parsed > self.maximum):
            return [(value, _bounds(f), "bounds")]
        problems = []
        if self.enum:
            if parsed not in self.enum:
                problems.append((value, one_of(f.categories) + did_you_mean(value, [str(v) for v in f.categories]),
                                 "enum"))
        elif self.items:
            problems += self._list_problems(value)
        elif self.is_partial_date:
            problem = date_problem(value, day_only=False)
            problems += [(value, problem, "date")] if problem else []
        if not problems and self.pattern is not None and not self.pattern.fullmatch(value):
            problems.append((value, self.pattern_words, "pattern"))
        if "minLength" in c and len(value) < c["minLength"]:
            problems.append((value, f"at least {c['minLength']} characters (this has {len(value)})", "length"))
        if "maxLength" in c and len(value) > c["maxLength"]:
            problems.append((value, f"at most {c['maxLength']} characters (this has {len(value)})", "length"))
        return problems

    @cached_property
    def _delimiter_name(self) -> str:
        d = self.field.list_delimiter
        return DELIMITER_NAMES.get(d, f'"{d}"')

    def _list_problems(self, value: str) -> list[tuple[str, str, str]]:
        """Problems of a list: empty items, unknown items (each reported alone), repeats."""
        items = value.split(self.field.list_delimiter)
        allowed = self.field.list_items
        name = self._delimiter_name
        problems = []
        if "" in items:
            problems.append((value, f"items separated by single {name}s, but there is an empty item "
                                    f"(a doubled {name}, or one at the start or end?)", "list"))
        for item in items:
            if item and item not in self.items:
                hint = (f" with no space after the {name}" if item.strip() in self.items
                        else did_you_mean(item, allowed))
                problems.append((item, f"each item in the list to be {one_of(allowed)}{hint}", "list item"))
        repeated = [item for item, n in Counter(items).items() if n > 1 and item]
        if repeated:
            problems.append((value, f"each item once, but {', '.join(repeated)} is repeated", "list"))
        return problems


# One equality test over the cells per text is faster than a set lookup per cell while the texts are few.
FEW_TEXTS = 8
# A text column whose first cells are mostly distinct (ids, summaries, notes) is judged cell by cell through
# its fast pass rather than hashed first into its distinct values: hashing every long text costs more than
# the fast pass itself. Both ways give the same problems (tests/test_validate_fuzz.py).
SAMPLE, MOSTLY_DISTINCT = 1000, 0.5


def one_of_these(cells, texts) -> np.ndarray:
    """Which cells equal one of a few texts (missingValues, trueValues, categories): one C-level comparison
    of the column with each text, or one pass of set membership when the texts are many."""
    cells = np.asarray(cells, dtype=object)
    texts = tuple(dict.fromkeys(texts))
    if len(texts) > FEW_TEXTS:
        return np.fromiter(map(frozenset(texts).__contains__, cells), dtype=bool, count=len(cells))
    found = np.zeros(len(cells), dtype=bool)
    for text in texts:
        found |= cells == text
    return found


def missing_mask(frame: pd.DataFrame, resource: Resource, name: str) -> np.ndarray:
    """Which cells of a column are missing: they hold one of the resource's missingValues."""
    return one_of_these(frame[name].to_numpy(), resource.missing_values)


class Column:
    """One column of a frame: its cells, which are missing, and (worked out when first needed) each cell's
    code into the column's distinct values."""

    def __init__(self, frame: pd.DataFrame, resource: Resource, name: str):
        self.values = frame[name].to_numpy()
        self.rows = frame[ROW].to_numpy()
        self.missing_values = resource.missing_values
        self.missing = one_of_these(self.values, self.missing_values)

    @cached_property
    def _factorized(self):
        codes, uniques = pd.factorize(self.values)
        return codes, uniques, one_of_these(uniques, self.missing_values)

    @property
    def codes(self) -> np.ndarray:
        return self._factorized[0]

    @property
    def uniques(self) -> np.ndarray:
        return self._factorized[1]

    @property
    def missing_unique(self) -> np.ndarray:
        return self._factorized[2]

    def mostly_distinct(self) -> bool:
        """Whether the column's first cells are mostly distinct values (ids, summaries, notes)."""
        head = self.values[:SAMPLE]
        return len(head) >= SAMPLE and len(set(head.tolist())) > MOSTLY_DISTINCT * len(head)

    def judged(self, judge, check: "FieldCheck | None" = None) -> list[tuple[int, list]]:
        """Judge each distinct present value once; (row, problems) for each row holding a bad one. With the
        field's ``check``, a text column of mostly distinct values goes through the fast pass cell by cell
        instead (``judged_by_cell``): the same problems, without hashing every cell first."""
        if check is not None and check.fast_pass is not None and "_factorized" not in self.__dict__ \
                and self.mostly_distinct():
            return self.judged_by_cell(check)
        present = np.flatnonzero(~self.missing_unique)
        verdicts = {int(present[i]): problems for i, problems in judge(self.uniques[present]).items()}
        if not verdicts:
            return []
        bad = np.zeros(len(self.uniques), dtype=bool)
        bad[list(verdicts)] = True
        hit = bad[self.codes]
        return [(int(r), verdicts[code]) for r, code in zip(self.rows[hit], self.codes[hit].tolist())]

    def judged_by_cell(self, check: "FieldCheck") -> list[tuple[int, list]]:
        """Every present cell through the field's fast pass at once; the cells it does not pass are judged in
        full, each distinct value once. (row, problems) for each row holding a bad value, in row order."""
        present = np.flatnonzero(~self.missing)
        values = self.values[present]
        suspects = np.flatnonzero(~check._passes(values))
        verdicts: dict[str, list] = {}
        found = []
        for i in suspects.tolist():
            value = values[i]
            if value not in verdicts:
                verdicts[value] = check.problems(value)
            if verdicts[value]:
                found.append((int(self.rows[present[i]]), verdicts[value]))
        return found

    def repeats(self) -> list[tuple[int, str, int]]:
        """(row, value, first row holding it) for each present cell repeating an earlier cell's value."""
        if not len(self.values):
            return []
        _, first = np.unique(self.codes, return_index=True)  # the first position of each distinct value
        repeat = (np.arange(len(self.codes)) != first[self.codes]) & ~self.missing
        return [(int(r), v, int(self.rows[first[c]])) for r, v, c in
                zip(self.rows[repeat], self.values[repeat], self.codes[repeat])]


def _repeated_keys(frame: pd.DataFrame, names: list[str], complete: np.ndarray) -> list[tuple[int, str, int]]:
    """(row, key shown, first row with that key) for each row repeating an earlier row's composite key."""
    keys = frame.loc[complete, names]
    rows = frame[ROW].to_numpy()[complete]
    repeat = keys.duplicated(keep="first").to_numpy()
    if not repeat.any():
        return []
    joined = keys.astype(str).agg(", ".join, axis=1).to_numpy()
    first = dict(zip(joined[~repeat], rows[~repeat]))
    return [(int(r), v, int(first[v])) for r, v in zip(rows[repeat], joined[repeat])]


def check_table(frame: pd.DataFrame, resource: Resource, label: str) -> list[Problem]:
    """Every value against its field: required, type, bounds, category, list items, pattern, length,
    unique; and the primary key. Problems come in row order, then column order."""
    found: list[tuple[int, int, Problem]] = []
    key = list(resource.primary_key)
    for position, f in enumerate(resource.fields):
        name = f.name
        column = Column(frame, resource, name)
        if f.required or name in key:  # a primary key is required even when its fields do not say so
            found += [(int(r), position, Problem(label, int(r), name, value, "a value; this column may not be left "
                                                                             "empty", kind="required"))
                      for r, value in zip(column.rows[column.missing], column.values[column.missing])]
        check = FieldCheck(f)
        for r, problems in column.judged(check.judge, check):
            found += [(r, position, Problem(label, r, name, shown_value, expected, kind=kind))
                      for shown_value, expected, kind in problems]
        if f.constraints.get("unique") or key == [name]:
            found += [(r, position, Problem(label, r, name, v, f"a value no other row has, but row {first} has it too",
                                            kind="unique"))
                      for r, v, first in column.repeats()]
    if len(key) > 1:
        complete = ~np.logical_or.reduce([missing_mask(frame, resource, k) for k in key])
        where = resource.field_names.index(key[0])
        found += [(r, where, Problem(label, r, ", ".join(key), v, f"a combination of {' and '.join(key)} no other "
                                                                 f"row has, but row {first} has it too", kind="unique"))
                  for r, v, first in _repeated_keys(frame, key, complete)]
    found.sort(key=lambda t: (t[0], t[1]))
    return [p for _, _, p in found]


def _unlisted(values: np.ndarray, listed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which values are not among the listed ones, and the distinct listed values in order of appearance
    (what ``pd.unique`` gives): both columns hashed once together, where ``pd.unique`` and ``isin`` hashed the
    listed values twice."""
    codes, uniques = pd.factorize(np.concatenate([np.asarray(listed, dtype=object), np.asarray(values, dtype=object)]),
                                  use_na_sentinel=False)
    n = len(listed)
    known = np.zeros(len(uniques), dtype=bool)
    known[codes[:n]] = True
    return ~known[codes[n:]], uniques[:int(codes[:n].max()) + 1 if n else 0]


def check_foreign_keys(schema: Schema, frames: dict[str, pd.DataFrame], readable: set[str]) -> list[Problem]:
    """Every foreign key of every resource, single-field or composite. A row whose key has a missing cell
    refers to nothing and passes (a required field reports the missing cell)."""
    problems = []
    for name, res in schema.resources.items():
        for fk in res.foreign_keys:
            if name not in readable or fk.resource not in readable:
                continue  # a table that could not be read would make every reference look broken
            frame, target = frames[name], frames[fk.resource]
            target_res = schema.resources[fk.resource]
            fields, ref = list(fk.fields), list(fk.reference)
            complete = ~np.logical_or.reduce([missing_mask(frame, res, k) for k in fields])
            known = ~np.logical_or.reduce([missing_mask(target, target_res, k) for k in ref])
            rows = frame[ROW].to_numpy()
            if len(fields) == 1:
                values = frame[fields[0]].to_numpy()
                broken, keys = _unlisted(values, target[ref[0]].to_numpy()[known])
                broken &= complete
                hints: dict[str, str] = {}  # a typo repeated on many rows is looked up once
                for r, v in zip(rows[broken], values[broken]):
                    if v not in hints:
                        hints[v] = did_you_mean(v, keys)
                    problems.append(Problem(res.path, int(r), fields[0], v, f"a {ref[0]} listed in "
                                            f"{target_res.path}, but none has this one{hints[v]}",
                                            kind="foreign key"))
                continue
            broken = complete & ~pd.MultiIndex.from_frame(frame[fields]).isin(
                pd.MultiIndex.from_frame(target.loc[known, ref]))
            for r, values in zip(rows[broken], frame.loc[broken, fields].itertuples(index=False)):
                problems.append(Problem(res.path, int(r), ", ".join(fields), ", ".join(values),
                                        f"a combination of {' and '.join(ref)} listed in {target_res.path}, but "
                                        "none has this one", kind="foreign key"))
    return problems
