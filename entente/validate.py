"""Validation of the data package: every problem found, each with its file, row, column, value and
expectation, nothing coerced and no file changed.

One pass: each CSV is read once into a frame of strings (``csvfile``), its columns are checked against
``datapackage.json`` (``checks``: types, constraints, lists, keys, foreign keys), and the codebook's own
rules run over the frames (``rules``). The loader types the same frames; nothing is read twice.
A descriptor that asks for a check the validator does not make is refused before any data is read.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .checks import check_foreign_keys, check_table, parse_partial_date  # noqa: F401  (parse_partial_date: public)
from .csvfile import ROW, empty_frame, read_table
from .problems import DataError, Problem, shown, summarised  # noqa: F401  (re-exported: the public names)
from .rules import run_rules
from .schema import Schema

__all__ = ["DataError", "Problem", "Validated", "check_package", "parse_partial_date", "shown", "summarised",
           "validated", "ROW"]


@dataclass
class Validated:
    """What one validation found: the schema, each table as a frame of strings, and every problem."""
    schema: Schema | None
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    readable: set[str] = field(default_factory=set)  # tables read with no problem of structure


def open_schema(descriptor: Path) -> tuple[Schema | None, list[Problem]]:
    """The parsed descriptor, or the reasons it cannot be used: unreadable, or asking for checks not made."""
    def problem(expected, line=None):
        return None, [Problem(str(descriptor), None, None, None, expected, line=line, kind="descriptor")]
    if not descriptor.is_file():
        return problem("a datapackage.json describing the data, but there is no such file")
    try:
        schema = Schema(descriptor)
        schema.resources  # parsed now, so a malformed descriptor is reported here rather than later
        unsupported = schema.unsupported()
    except UnicodeDecodeError:
        return problem("a datapackage.json saved as UTF-8 text")
    except json.JSONDecodeError as err:
        return problem(f"valid JSON, but {err.msg} (column {err.colno})", line=err.lineno)
    except (KeyError, TypeError, AttributeError, ValueError) as err:
        return problem(f"a data package descriptor with resources, each with a name, path and schema of fields, "
                       f"but {type(err).__name__}: {err}")
    if unsupported:
        return None, [Problem(str(descriptor), None, None, None,
                              f"a schema whose every part the validator checks, but {text}; remove it or teach "
                              "entente/checks.py to check it", kind="descriptor") for text in unsupported]
    return schema, []


def validated(descriptor: Path) -> Validated:
    """Validate a whole data package: read each table once, check its columns, then the rules across tables."""
    schema, problems = open_schema(Path(descriptor))
    if schema is None:
        return Validated(None, problems=problems)
    result = Validated(schema)
    for name, res in schema.resources.items():
        frame, found = read_table(schema.root / res.path, res, res.path)
        if not found:
            result.readable.add(name)
        elif frame.empty:
            frame = empty_frame(res)
        result.problems += found + check_table(frame, res, res.path)
        result.frames[name] = frame
    result.problems += run_rules(schema, result.frames, result.readable)
    result.problems += check_foreign_keys(schema, result.frames, result.readable)
    return result


def check_package(descriptor: Path) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Validate a whole data package. Returns its tables (frames of strings, as in the files, with each
    record's spreadsheet row in column ``ROW``) and every problem found."""
    result = validated(descriptor)
    return result.frames, result.problems
