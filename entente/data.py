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

from .checks import last_day
from .schema import DESCRIPTOR, Resource, Schema, find_root
from .validate import DataError, parse_partial_date, validated

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


def typed_frame(frame: pd.DataFrame, resource: Resource) -> pd.DataFrame:
    """A validated frame of strings typed by its schema: integers, numbers and years as numbers, booleans by
    the field's trueValues, dates and datetimes as timestamps. A missing cell (one of missingValues) is
    missing in a typed column and an empty string in a text column, as in the file."""
    out = {}
    for f in resource.fields:
        text = frame[f.name]
        missing = text.isin(resource.missing_values)
        present = text.where(~missing)
        if f.type in ("integer", "year"):
            column = pd.to_numeric(present).astype("Int64")
            out[f.name] = column.astype("int64") if not missing.any() else column
        elif f.type == "number":
            out[f.name] = pd.to_numeric(present).astype("float64")
        elif f.type == "boolean":
            out[f.name] = present.map(lambda v: v in f.true_values if isinstance(v, str) else pd.NA).astype("boolean")
        elif f.type in ("date", "datetime"):
            out[f.name] = pd.to_datetime(present, format=f.strptime_format if f.format != "default" or f.type == "date"
                                         else "ISO8601")
        else:
            out[f.name] = text.where(~missing, "").astype("string")
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def _span_ends(texts: pd.Series) -> pd.Series:
    """The last day of each partial date's period: 2022 ends on 31 Dec 2022, 2022-11 on 30 Nov 2022."""
    return pd.to_datetime([last_day(*p) if (p := parse_partial_date(d)) else None for d in texts])


def _span_starts(texts: pd.Series) -> pd.Series:
    return pd.to_datetime([p[0] if (p := parse_partial_date(d)) else None for d in texts])


def load(root: Path | None = None) -> Dataset:
    """Validate the data package at ``root`` (default: the project holding the working directory) and load it.

    Raises ``DataError`` listing every problem when the data does not pass validation.
    """
    root = Path(root) if root else find_root()
    result = validated(root / DESCRIPTOR)
    if result.problems:
        raise DataError(result.problems)
    schema = result.schema
    res = schema.resources
    events = typed_frame(result.frames["events"], res["events"])
    sources = typed_frame(result.frames["sources"], res["sources"])
    changes = typed_frame(result.frames["changes"], res["changes"])

    events["certainty"] = pd.Categorical(events["certainty"], categories=schema.categories("events", "certainty"),
                                         ordered=True)
    # A span runs from the first day of its start's period to the last day of its end's period.
    events["event_start"] = _span_starts(events["event_date"])
    events["event_end"] = _span_ends(events["event_date_end"])
    events["date_label"] = [date_label(d, p, e) for d, p, e in
                            zip(events["event_date"], events["date_precision"], events["event_date_end"])]
    sources["published_date"] = _span_starts(sources["published"])
    sources["published_label"] = [date_label(d, p) for d, p in zip(sources["published"], sources["published_precision"])]

    # A withdrawn claim keeps its row and id, but its latest change says it no longer stands: leave it out.
    latest = changes.sort_values("date", kind="stable").groupby("record_id")["change"].last()
    events = events[events["event_id"].map(latest) != "withdrawn"]

    # Each event carries its source's outlet and report date, for tables and tooltips.
    cited = sources.set_index("source_id")[["outlet", "published", "published_label", "published_date", "year_inferred", "kind"]]
    events = events.join(cited.rename(columns={"year_inferred": "source_year_inferred", "kind": "source_kind"}), on="source_id")
    return Dataset(schema=schema, events=events.reset_index(drop=True), sources=sources, changes=changes)
