"""Loading the validated data into pandas: the one door every chapter uses.

``load()`` runs the full validation first and refuses bad data with every problem listed, so no
chapter, table or chart ever draws from rows that failed a check.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from .schema import CERTAINTY_ORDER, DESCRIPTOR, Schema, find_root
from .validate import DataError, check_package, parse_partial_date

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def date_label(text: str, precision: str, end: str = "") -> str:
    """A partial ISO date as a reader says it: '15 Nov 2022', 'Aug 2022', '2022', 'since 2018'."""
    if not text:
        return "undated"
    parsed = parse_partial_date(text)
    if parsed is None:
        return text
    first, own = parsed
    words = {"day": f"{first.day} {MONTHS[first.month - 1]} {first.year}",
             "month": f"{MONTHS[first.month - 1]} {first.year}", "year": f"{first.year}"}[own]
    if precision == "span":
        return f"{words} to {date_label(end, 'day')}" if end else f"since {words}"
    return words


@dataclass(frozen=True)
class Dataset:
    """The validated tables, typed for analysis. Build it with ``load()``."""

    schema: Schema
    events: pd.DataFrame
    sources: pd.DataFrame
    changes: pd.DataFrame

    @cached_property
    def as_of(self) -> dt.date:
        """The data's as-of date: the latest date in the change record (never a file or git time)."""
        return max(self.changes["date"]).date()

    @property
    def as_of_label(self) -> str:
        return f"{self.as_of.day} {MONTHS[self.as_of.month - 1]} {self.as_of.year}"

    def paragraph(self, n: int) -> pd.DataFrame:
        """The events drawn from the article's body paragraph ``n`` (chapter n of Part I)."""
        return self.events[self.events["paragraph"] == n]


def _frame(rows: list[dict], columns) -> pd.DataFrame:
    return pd.DataFrame([{c: r[c] for c in columns} for r in rows], columns=list(columns)).astype("string")


def load(root: Path | None = None) -> Dataset:
    """Validate the data package at ``root`` (default: the project holding the working directory) and load it.

    Raises ``DataError`` listing every problem when the data does not pass validation.
    """
    root = Path(root) if root else find_root()
    tables, problems = check_package(root / DESCRIPTOR)
    if problems:
        raise DataError(problems)
    schema = Schema(root / DESCRIPTOR)
    res = schema.resources

    events = _frame(tables["events"], res["events"].field_names)
    events["paragraph"] = events["paragraph"].astype(int)
    events["date_inferred"] = events["date_inferred"] == "true"
    events["certainty"] = pd.Categorical(events["certainty"], categories=CERTAINTY_ORDER, ordered=True)
    events["event_start"] = pd.to_datetime(
        [parse_partial_date(d)[0] if d else None for d in events["event_date"].fillna("")])
    events["event_end"] = pd.to_datetime(
        [parse_partial_date(d)[0] if d else None for d in events["event_date_end"].fillna("")])
    events["date_label"] = [date_label(d or "", p, e or "") for d, p, e in
                            zip(events["event_date"].fillna(""), events["date_precision"], events["event_date_end"].fillna(""))]

    sources = _frame(tables["sources"], res["sources"].field_names)
    sources["year_inferred"] = sources["year_inferred"] == "true"
    sources["published_date"] = pd.to_datetime([parse_partial_date(d)[0] for d in sources["published"]])
    sources["published_label"] = [date_label(d, p) for d, p in zip(sources["published"], sources["published_precision"])]

    changes = _frame(tables["changes"], res["changes"].field_names)
    changes["date"] = pd.to_datetime(changes["date"], format="%Y-%m-%d")

    # A withdrawn claim keeps its row and id, but its latest change says it no longer stands: leave it out.
    latest = changes.sort_values("date", kind="stable").groupby("record_id")["change"].last()
    events = events[events["event_id"].map(latest) != "withdrawn"]

    # Each event carries its source's outlet and report date, for tables and tooltips.
    cited = sources.set_index("source_id")[["outlet", "published", "published_label", "published_date", "year_inferred", "kind"]]
    events = events.join(cited.rename(columns={"year_inferred": "source_year_inferred", "kind": "source_kind"}), on="source_id")
    return Dataset(schema=schema, events=events.reset_index(drop=True), sources=sources, changes=changes)
