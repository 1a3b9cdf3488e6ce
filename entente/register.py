"""The claim register: one anchored entry per claim id, withdrawn claims included, generated from the data.

Each entry gives every field of the claim (titles and order from ``datapackage.json``), the sources that
carry it through the link table with their own fields, and its rows of the change record. An entry can be
reached as ``register.html#E012`` and as ``register.html#e012``: Sphinx lowercases the ids it makes, and
HTML ids are case-sensitive, so the entry carries both as raw HTML anchors (the PDF drops raw HTML and
keeps the entry's text). Every mention of a claim id in the book's tables links here (``linked_cell``).

The register is emitted as GitHub-flavoured Markdown, like the book's tables, with every value escaped.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from itertools import cycle

import pandas as pd

from .labels import missing, plural
from .schema import Schema
from .tables import escaped, markdown_cell, one_line

# The register's page, as a link from any other chapter (they all live in chapters/, beside it).
PAGE = "register.html"
# The change that ends a claim: its entry stays, marked with the reason.
WITHDRAWN = "withdrawn"


@lru_cache(maxsize=8)
def _id_pattern(pattern: str) -> re.Pattern:
    # The schema anchors the pattern to a whole cell; in running text an id is a whole word instead.
    return re.compile(r"(?<![0-9A-Za-z_])(" + pattern.strip("^$") + r")(?![0-9A-Za-z_])")


def claim_id_pattern(schema: Schema) -> re.Pattern:
    """A claim id as a word of running text, from the pattern ``datapackage.json`` gives ``event_id``."""
    return _id_pattern(schema.resources["events"].field("event_id").constraints["pattern"])


def href(event_id: str) -> str:
    """Where a claim's entry is, from any chapter: 'register.html#E012'."""
    return f"{PAGE}#{event_id}"


def linked_cell(value, schema: Schema) -> str:
    """A table cell as escaped Markdown on one line, with every claim id in it linked to its register entry.

    The ids are found in the plain text, before escaping, so only whole ids are linked. The link is raw
    HTML, which the web book keeps and the LaTeX builder drops: in the PDF the id stays plain text. Only
    the id itself, which matches the schema's pattern, goes into the link."""
    parts = claim_id_pattern(schema).split(one_line(value))  # ids at the odd places
    return "".join(f'<a class="entente-claim-link" href="{html.escape(href(part))}">{escaped(part)}</a>'
                   if odd else escaped(part) for odd, part in zip(cycle((False, True)), parts))


def id_key(event_id: str) -> tuple[int, str]:
    """Sorts ids in numeric order (E999 before E1000): by length, then text, as they share one prefix."""
    return len(event_id), event_id


def _text(value, field) -> str:
    """A typed value written back as the file writes it: booleans by the schema's words, whole numbers bare."""
    if missing(value):
        return ""
    if field.type == "boolean":
        return field.true_values[0] if bool(value) else field.false_values[0]
    if field.type == "date" and hasattr(value, "strftime"):
        return value.strftime(field.strptime_format)
    return str(value)


def _table(header: list[str], rows: list[list[str]], schema: Schema) -> list[str]:
    """A GFM table, every cell escaped and every claim id in it linked, as in the book's other tables."""
    lines = ["| " + " | ".join(markdown_cell(h) for h in header) + " |",
             "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(linked_cell(v, schema) for v in row) + " |" for row in rows]
    return lines


def claims(data) -> pd.DataFrame:
    """Every claim the data has ever held, standing and withdrawn, in id order; ``reason`` is blank unless
    it was withdrawn."""
    standing = data.events.assign(reason="")
    every = pd.concat([standing, data.withdrawn], ignore_index=True)
    every["reason"] = every["reason"].fillna("").astype(str)
    every["withdrawn"] = every["event_id"].isin(data.withdrawn["event_id"])
    order = sorted(range(len(every)), key=lambda row: id_key(every.at[row, "event_id"]))
    return every.iloc[order].reset_index(drop=True)


def entries(data) -> list[str]:
    """One Markdown entry per claim, in id order: anchors, summary, every field, sources, changes."""
    schema = data.schema
    event_fields = schema.resources["events"].fields
    source_fields = schema.resources["sources"].fields
    change_fields = [f for f in schema.resources["changes"].fields if f.name != "record_id"]
    sources = data.sources.set_index("source_id", drop=False)
    # Grouped once, so a register of many claims is built in one pass, not one search per claim.
    carried = data.claim_sources.groupby("event_id", sort=False)["source_id"].agg(list).to_dict()
    history = data.changes.sort_values("date", kind="stable")
    history = {k: g for k, g in history.groupby("record_id", sort=False)}
    source_rows = {sid: [_text(sources.at[sid, f.name], f) for f in source_fields] for sid in sources.index}

    out = []
    for claim in claims(data).to_dict("records"):
        cid = claim["event_id"]
        anchor = html.escape(cid, quote=True)
        lines = [f'<div class="entente-claim" id="{anchor}">', f'<span id="{anchor.lower()}"></span>', ""]
        title = f"**{markdown_cell(cid)}**: {markdown_cell(claim['summary'])}"
        lines += [title, ""]
        if claim["withdrawn"]:
            lines += [f"**Withdrawn.** {markdown_cell(claim['reason'])}", ""]
        lines += _table(["Field", "Value"], [[f.title, _text(claim[f.name], f)] for f in event_fields], schema) + [""]
        ids = carried.get(cid, [])
        lines += [f"*{plural(len(ids), 'source')}*", ""]
        if ids:
            lines += _table([f.title for f in source_fields], [source_rows[s] for s in ids], schema) + [""]
        changes = history.get(cid)
        lines += [f"*{plural(0 if changes is None else len(changes), 'change')} recorded*", ""]
        if changes is not None:
            rows = [[_text(row[f.name], f) for f in change_fields] for row in changes.to_dict("records")]
            lines += _table([f.title for f in change_fields], rows, schema) + [""]
        lines += ["</div>", ""]
        out.append("\n".join(lines))
    return out


class Register:
    """The register as one Markdown output (book and notebook) and a count (terminal)."""

    def __init__(self, entries: list[str], withdrawn: int):
        self.entries = entries
        self.withdrawn = withdrawn

    def to_markdown(self) -> str:
        return "\n".join(self.entries)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/markdown": self.to_markdown(),
                "text/plain": f"{plural(len(self.entries), 'claim')} in the register, {self.withdrawn} withdrawn"}

    def __len__(self) -> int:
        return len(self.entries)


def register(data) -> Register:
    """The claim register of ``data``: what the register chapter shows."""
    return Register(entries(data), len(data.withdrawn))
