"""The codebook's rules: what a Table Schema cannot say, such as "date precision agrees with the date".

Each rule is one small function over whole columns, registered with ``@rule(...)`` naming the tables it
reads. It runs only when those tables were read without problems of structure (a half-read table would
make every comparison look wrong), and returns Problems with spreadsheet row and column. Tables are
frames of strings, as in the files, with the spreadsheet row in column ``ROW``.

To add a rule: write one function taking ``Tables`` and returning a list of Problems, and put
``@rule("events", ...)`` above it. Nothing else changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .checks import one_of_these, partial_dates
from .csvfile import ROW
from .problems import Problem, shown
from .schema import Schema

DATE_FORMS = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"}


@dataclass(frozen=True)
class Tables:
    """The package's tables as read, for the rules: frames of strings, and their schema."""
    schema: Schema
    frames: dict[str, pd.DataFrame]

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def path(self, name: str) -> str:
        return self.schema.resources[name].path

    def filled(self, name: str, column: str) -> pd.Series:
        """Whether each cell of a column holds a value (is not one of the table's missingValues)."""
        frame = self.frames[name]
        return pd.Series(~one_of_these(frame[column].to_numpy(), self.schema.resources[name].missing_values),
                         index=frame.index)

    def is_true(self, name: str, column: str) -> pd.Series:
        """Whether each cell of a boolean column holds one of its field's trueValues."""
        frame = self.frames[name]
        return pd.Series(one_of_these(frame[column].to_numpy(), self.schema.resources[name].field(column).true_values),
                         index=frame.index)

    def categories(self, name: str, column: str) -> tuple[str, ...]:
        return self.schema.categories(name, column)


@dataclass(frozen=True)
class Rule:
    name: str
    needs: tuple[str, ...]  # the tables it reads
    check: Callable[[Tables], list[Problem]]


RULES: list[Rule] = []


def rule(*needs: str):
    """Register a codebook rule that reads the tables named in ``needs``."""
    def register(check):
        RULES.append(Rule(check.__name__, needs, check))
        return check
    return register


def problems_at(t: Tables, table: str, mask, column: str, expected, kind: str, values=None) -> list[Problem]:
    """One Problem per row of ``table`` where ``mask`` holds. ``expected`` is a text, or a function of the
    row's index in the frame; the value shown is the column's cell unless ``values`` gives another."""
    frame = t[table]
    mask = np.asarray(mask, dtype=bool)
    cells = (frame[column] if values is None else values).to_numpy()
    out = []
    for i in np.flatnonzero(mask):
        text = expected(i) if callable(expected) else expected
        out.append(Problem(t.path(table), int(frame[ROW].iat[i]), column, cells[i], text, kind=kind))
    return out


def _precision_mismatch(said: str, written: str, column: str) -> str:
    return (f'a date to the {said} ({DATE_FORMS[said]}), since {column} says "{said}", but this date is written '
            f'to the {written}; correct one of the two')


def _in_words(choices) -> str:
    choices = list(choices)
    return choices[0] if len(choices) == 1 else ", ".join(choices[:-1]) + " or " + choices[-1]


# --- Events ---------------------------------------------------------------------------------------

@rule("events")
def event_date_fits_its_precision(t: Tables) -> list[Problem]:
    """An undated event has no date; a dated one has a date written to the precision date_precision gives."""
    ev = t["events"]
    precision = ev["date_precision"]
    known = precision.isin(t.categories("events", "date_precision"))  # a bad category is reported already
    unknown = precision == "unknown"
    has_start, has_end = t.filled("events", "event_date"), t.filled("events", "event_date_end")
    start = partial_dates(ev["event_date"].where(has_start, ""))
    dated = [p for p in t.categories("events", "date_precision") if p != "unknown"]
    false_word = t.schema.resources["events"].field("date_inferred").false_values[0]
    mismatch = known & ~unknown & has_start & (start["precision"] != "") & (precision != "span") \
        & (start["precision"] != precision)
    return (
        problems_at(t, "events", unknown & (has_start | has_end), "date_precision",
                    f"{_in_words(dated)}, since event_date is filled in", "precision")
        + problems_at(t, "events", unknown & t.is_true("events", "date_inferred"), "date_inferred",
                      f"{false_word}, since there is no event date", "precision")
        + problems_at(t, "events", known & ~unknown & ~has_start, "event_date",
                      lambda i: f'a date, since date_precision is "{precision.iat[i]}" (or date_precision "unknown")',
                      "precision")
        + problems_at(t, "events", mismatch, "event_date",
                      lambda i: _precision_mismatch(precision.iat[i], start["precision"].iat[i], "date_precision"),
                      "precision")
    )


@rule("events")
def only_a_span_has_an_end(t: Tables) -> list[Problem]:
    """event_date_end belongs to spans only, and a span ends no earlier than it starts."""
    ev = t["events"]
    precision = ev["date_precision"]
    known = precision.isin(t.categories("events", "date_precision"))
    has_end = t.filled("events", "event_date_end")
    start = partial_dates(ev["event_date"].where(t.filled("events", "event_date"), ""))
    end = partial_dates(ev["event_date_end"].where(has_end, ""))
    # The end names a period (a day, month or year): the span may end anywhere in it, so compare its last day.
    backwards = has_end & start["first"].notna() & end["last"].notna() & (end["last"] < start["first"])
    return (
        problems_at(t, "events", has_end & known & (precision != "span"), "event_date_end",
                    "an empty cell, since only a span has an end", "span")
        + problems_at(t, "events", backwards, "event_date_end",
                      lambda i: f"a date no earlier than event_date {ev['event_date'].iat[i]}", "span")
    )


@rule("events")
def hedge_words_match_certainty(t: Tables) -> list[Problem]:
    """A hedged claim keeps the article's hedging words; a firm one (the scale's first level) has none."""
    ev = t["events"]
    firm, *hedged = t.categories("events", "certainty")
    certainty = ev["certainty"]
    has_words = t.filled("events", "hedge_words")
    return (
        problems_at(t, "events", certainty.isin(hedged) & ~has_words, "hedge_words",
                    lambda i: f"the article's words that make the claim {certainty.iat[i]}", "hedge")
        + problems_at(t, "events", (certainty == firm) & has_words, "hedge_words",
                      f"an empty cell, since the claim is {firm} (stated as fact)", "hedge")
    )


# --- Sources --------------------------------------------------------------------------------------

@rule("sources")
def published_fits_its_precision(t: Tables) -> list[Problem]:
    """A source's publication date is written to the precision its published_precision gives."""
    src = t["sources"]
    said = src["published_precision"]
    written = partial_dates(src["published"])["precision"]
    mismatch = said.isin(list(DATE_FORMS)) & (written != "") & (written != said)
    return problems_at(t, "sources", mismatch, "published",
                       lambda i: _precision_mismatch(said.iat[i], written.iat[i], "published_precision"), "precision")


@rule("sources")
def one_domain_per_outlet(t: Tables) -> list[Problem]:
    """Every row of one outlet gives the same web domain as its first row."""
    src = t["sources"]
    first = src.groupby("outlet", sort=False)[["domain", ROW]].transform("first")
    return problems_at(t, "sources", src["domain"] != first["domain"], "domain",
                       lambda i: f"{shown(first['domain'].iat[i])} as in row {first[ROW].iat[i]}: one outlet, one domain",
                       "domain")


# --- The change record ----------------------------------------------------------------------------

OWNERS = {"events": "event_id", "sources": "source_id"}  # the records the change record tracks, by their id


@rule("events", "sources", "changes")
def change_record_is_complete(t: Tables) -> list[Problem]:
    """Every change-record row names a known record, and every record has its 'added' row."""
    changes = t["changes"]
    known = pd.concat([t[name][col] for name, col in OWNERS.items()])
    named = t.filled("changes", "record_id")
    problems = problems_at(t, "changes", named & ~changes["record_id"].isin(known), "record_id",
                           f"the event_id or source_id of a record in {t.path('events')} or {t.path('sources')}, "
                           "but none has this id", "change record")
    added = changes.loc[changes["change"] == "added", "record_id"]
    for name, col in OWNERS.items():
        ids = t[name][col]
        problems += problems_at(t, name, t.filled(name, col) & ~ids.isin(added), col,
                                lambda i, ids=ids: f'a row in {t.path("changes")} recording that {ids.iat[i]} was '
                                                   'added (change "added"): every record enters the change record '
                                                   'when it is added', "change record")
    return problems


def run_rules(schema: Schema, frames: dict[str, pd.DataFrame], readable: set[str]) -> list[Problem]:
    """Every registered rule whose tables were read cleanly; problems in file order, then row order."""
    tables = Tables(schema, frames)
    problems = []
    for r in RULES:
        absent = [name for name in r.needs if name not in schema.resources]
        if len(absent) == len(r.needs):
            continue  # a package without the codebook's tables (a test's, another project's): the rule has nothing to read
        if absent:
            problems.append(Problem(str(schema.path.name), None, None, None,
                                    f"a resource named {_in_words(absent)}, which the codebook rule {r.name} reads",
                                    kind="rule"))
        elif set(r.needs) <= readable:
            problems += r.check(tables)
    order = {res.path: i for i, res in enumerate(schema.resources.values())}
    return sorted(problems, key=lambda p: (order.get(p.file, -1), p.row or 0))
