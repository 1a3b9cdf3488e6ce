"""Tables for the book, emitted as Markdown so both the web book and the PDF typeset real tables.

myst-nb parses a ``text/markdown`` output as MyST: a Markdown table becomes an HTML table and, in
LaTeX, a longtable that can break across pages. Every cell is escaped first, so text from the data
(however hostile: markup, roles, HTML) is always shown as text, never interpreted.
"""
from __future__ import annotations

import re

import pandas as pd

from . import theme
from .labels import id_list, plural, source_label
from .schema import Schema

# Any ASCII punctuation can be backslash-escaped in CommonMark; escaping all of it leaves nothing for
# the parser to interpret (emphasis, links, roles, raw HTML, maths, substitutions).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
DEFAULT_LIMIT = 50


def markdown_cell(value) -> str:
    """One table cell: plain text, escaped for MyST Markdown, on one line."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = " ".join(str(value).split())
    return _PUNCTUATION.sub(r"\\\1", text)


class Table:
    """A table that shows itself as Markdown (book and notebook) and as plain text (terminal)."""

    def __init__(self, frame: pd.DataFrame, caption: str = "", note: str = ""):
        self.frame = frame
        self.caption = caption
        self.note = note

    def to_markdown(self) -> str:
        cols = list(self.frame.columns)
        lines = ["| " + " | ".join(markdown_cell(c) for c in cols) + " |",
                 "| " + " | ".join("---" for _ in cols) + " |"]
        lines += ["| " + " | ".join(markdown_cell(v) for v in row) + " |"
                  for row in self.frame.itertuples(index=False)]
        parts = [f"**{markdown_cell(self.caption)}**", ""] if self.caption else []
        parts += lines
        if self.note:
            parts += ["", f"*{markdown_cell(self.note)}*"]
        return "\n".join(parts)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/markdown": self.to_markdown(), "text/plain": self.frame.to_string(index=False)}

    def __len__(self) -> int:
        return len(self.frame)


def _limited(frame: pd.DataFrame, limit: int | None, what: str) -> tuple[pd.DataFrame, str]:
    if limit is None or len(frame) <= limit:
        return frame, ""
    return frame.head(limit), f"Showing {limit} of {plural(len(frame), what)}; the full list is in the data files."


def claims(events: pd.DataFrame, caption: str = "", limit: int | None = DEFAULT_LIMIT) -> Table:
    """The claims with when, how firmly and on whose report: the chapter tables."""
    frame = pd.DataFrame({
        "Id": events["event_id"],
        "Claim": events["summary"],
        "When": events["date_label"] + events["date_inferred"].map({True: " (inferred)", False: ""}),
        "Certainty": events["certainty"].astype("string"),
        "Hedge words": events["hedge_words"].fillna("").str.replace(";", ", "),
        "Source": source_label(events["outlet"], events["published_label"]),
    })
    shown, note = _limited(frame, limit, "claim")
    return Table(shown, caption, note)


def counts(events: pd.DataFrame, rows: str, columns: str, caption: str = "", schema: Schema | None = None) -> Table:
    """A cross-count of two fields, with totals: e.g. domain against certainty, categories in schema order."""
    schema = theme.project_schema(schema)
    axes = [events[f].astype("string") if theme.is_category(f, schema) else events[f] for f in (rows, columns)]
    table = pd.crosstab(*axes, margins=True, margins_name="Total")
    order = [[*(theme.order(f, labels.drop("Total"), schema) if theme.is_category(f, schema) else labels.drop("Total")), "Total"]
             for f, labels in ((rows, table.index), (columns, table.columns))]
    table = table.loc[order[0], order[1]]
    table = table.reset_index().rename(columns={rows: rows.replace("_", " ").capitalize()})
    table.columns.name = None
    return Table(table, caption)


def sources(data, caption: str = "") -> Table:
    """Every cited report: outlet, date, whether its year is inferred, and the claims resting on it."""
    cited = data.events.groupby("source_id")["event_id"]
    # A bounded list of ids per source, so the table stays readable as the data grows.
    ids = cited.agg(id_list)
    frame = pd.DataFrame({
        "Source id": data.sources["source_id"],
        "Outlet": data.sources["outlet"],
        "Web domain": data.sources["domain"].fillna(""),
        "Published": data.sources["published_label"],
        "Year": data.sources["year_inferred"].map({True: "inferred", False: "given"}),
        "Claims": data.sources["source_id"].map(cited.size()).fillna(0).astype(int),
        "Claim ids": data.sources["source_id"].map(ids).fillna(""),
    })
    return Table(frame, caption)


def changes(data, caption: str = "", limit: int | None = DEFAULT_LIMIT) -> Table:
    """The change record, newest first."""
    frame = data.changes.sort_values("date", ascending=False, kind="stable")
    frame = pd.DataFrame({"Date": frame["date"].dt.strftime("%Y-%m-%d"), "Record": frame["record_id"],
                          "Change": frame["change"], "What and why": frame["description"]})
    shown, note = _limited(frame, limit, "change")
    return Table(shown, caption, note)


def fields(schema: Schema, resource: str, caption: str = "") -> Table:
    """The codebook's field table for one data file, generated from datapackage.json."""
    rows = []
    for f in schema.resources[resource].fields:
        allowed = f.categories or f.list_items
        rows.append({
            "Field": f.name,
            "Type": ("list of " if f.list_items else "") + f.type,
            "Required": "yes" if f.required else "no",
            "Meaning": f.description,
            "Allowed values": ", ".join(allowed) if allowed else "",
        })
    return Table(pd.DataFrame(rows), caption)
