"""Tables for the book, emitted as Markdown so both the web book and the PDF typeset real tables.

Every claim id in a table's cells links to its entry in the claim register (``entente.register``) on
the web; in the PDF it stays plain text.

myst-nb parses a ``text/markdown`` output as MyST: a Markdown table becomes an HTML table and, in
LaTeX, a longtable that can break across pages. Every cell is escaped first, so text from the data
(however hostile: markup, roles, HTML) is always shown as text, never interpreted.
"""
from __future__ import annotations

import re

import pandas as pd

from . import theme
from .labels import id_list, key, plural
from .schema import Schema

# Any ASCII punctuation can be backslash-escaped in CommonMark; escaping all of it leaves nothing for
# the parser to interpret (emphasis, links, roles, raw HTML, maths, substitutions).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
DEFAULT_LIMIT = 50


def one_line(value) -> str:
    """A cell's value as plain text on one line ("" for a missing value), not yet escaped."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return " ".join(str(value).split())


def escaped(text: str) -> str:
    """Plain text escaped for MyST Markdown: every ASCII punctuation mark backslashed."""
    return _PUNCTUATION.sub(r"\\\1", text)


def markdown_cell(value) -> str:
    """One table cell: plain text, escaped for MyST Markdown, on one line."""
    return escaped(one_line(value))


class Table:
    """A table that shows itself as Markdown (book and notebook) and as plain text (terminal)."""

    def __init__(self, frame: pd.DataFrame, caption: str = "", note: str = ""):
        self.frame = frame
        self.caption = caption
        self.note = note

    def to_markdown(self) -> str:
        from .register import linked_cell  # the register builds its entries from this module's cells

        try:
            schema = theme.project_schema()
        except FileNotFoundError:  # a table shown outside the project (no claim ids to link, no register)
            schema = None
        # Every claim id a cell mentions links to its entry in the register.
        cell = (lambda value: linked_cell(value, schema)) if schema is not None else markdown_cell
        cols = list(self.frame.columns)
        lines = ["| " + " | ".join(markdown_cell(c) for c in cols) + " |",
                 "| " + " | ".join("---" for _ in cols) + " |"]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |"
                  for row in self.frame.itertuples(index=False)]
        parts = [f"**{markdown_cell(self.caption)}**", ""] if self.caption else []
        parts += lines
        if self.note:
            parts += ["", f"*{markdown_cell(self.note)}*"]
        return "\n".join(parts)

    def _repr_mimebundle_(self, include=None, exclude=None):
        # Every table the book shows leaves through here: the one place its data stamp is added.
        from .releases import output_stamp

        stamp = output_stamp()
        markdown = self.to_markdown() + (f"\n\n*{markdown_cell(stamp)}*" if stamp else "")
        return {"text/markdown": markdown, "text/plain": self.frame.to_string(index=False)}

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
        "Sources": events["sources_label"],
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


def sources(data, caption: str = "", limit: int | None = DEFAULT_LIMIT) -> Table:
    """The cited reports, up to ``limit`` (the article cites 19): outlet, date, whether its year is inferred,
    and the claims resting on it."""
    cited = data.citations().groupby("source_id")["event_id"]
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
    shown, note = _limited(frame, limit, "source")
    return Table(shown, caption, note)


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


class Text:
    """A short passage of plain text shown as one escaped Markdown paragraph (for ``{glue:md}``)."""

    def __init__(self, text: str):
        self.text = text

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/markdown": markdown_cell(self.text), "text/plain": self.text}


def definition(schema: Schema, resource: str, field: str) -> Text:
    """A field's definition as the codebook gives it, with its values in order: the schema's own words."""
    f = schema.resources[resource].field(field)
    values = f.categories or f.list_items
    tail = f" Values, in order: {', '.join(values)}." if values else ""
    return Text(f"{f.title}: {f.description}{tail}")


def description(schema: Schema, resource: str) -> Text:
    """A data file's description as datapackage.json gives it."""
    return Text(schema.resources[resource].description)


def outlets(data, caption: str = "") -> Table:
    """Each outlet the article cites: country and type (and whether inferred), reports, claims carried, share."""
    from .evidence import outlets as outlet_table

    t = outlet_table(data.events, data.claim_sources, data.sources)
    frame = pd.DataFrame({
        "Outlet": t["outlet"], "Country": t["country"], "Type": t["type"],
        "Country and type": t["inferred"].map({True: "inferred", False: "given by the article"}),
        "Reports": t["reports"], "Claims": t["claims"],
        "Share of citations": (100 * t["share"]).round().astype(int).astype(str) + "%",
    })
    return Table(frame, caption)


def set_aside(data, caption: str = "") -> Table:
    """The main finding recomputed with the weakest support set aside: claims kept, and for each flow
    direction the claims of something done and how many of them are stated as fact."""
    from .evidence import leading_outlet, set_aside as scenarios
    from .findings import flow_facts, flow_directions

    lead = leading_outlet(data.events, data.claim_sources, data.sources) or "no outlet"
    names = {"nothing": "Nothing set aside", "article alone": "Claims on the article's word alone",
             "leading outlet": f"Claims carried only by {lead}", "both": "Both"}
    done = theme.order("stage", schema=data.schema)[0]
    rows = []
    for name, kept in scenarios(data.events, data.claim_sources, data.sources).items():
        facts = flow_facts(kept, data.schema)
        row = {"Set aside": names[name], "Claims kept": len(kept)}
        for direction in flow_directions(data.schema):
            k = f"{key(direction)}_{key(done)}"
            row[f"{direction}, {done}"] = f"{facts[k]} ({facts[k + '_established']} stated as fact)"
        rows.append(row)
    return Table(pd.DataFrame(rows), caption)


def since_article(data, theme_number: int, caption: str = "") -> Table | Text:
    """Claims of a chapter's theme added from reports published after the article, with their sources; a
    sentence saying there are none when there are none."""
    later = data.since_article(theme_number)
    if later.empty:
        return Text("Since the article: no claim on this theme has been added from a later report.")
    frame = pd.DataFrame({"Id": later["event_id"], "Claim": later["summary"], "When": later["date_label"],
                          "Certainty": later["certainty"].astype("string"), "Sources": later["sources_label"]})
    return Table(frame, caption or "Since the article: claims added from later reports", "")


def agreement(data, caption: str = "") -> Table:
    """Agreement of the first and second coding, per field, before reconciliation."""
    from .agreement import compare_codings

    table, _ = compare_codings(data)
    frame = pd.DataFrame({"Field": table["field"], "Measure": table["measure"],
                          "Agreement": table["value"].map(lambda v: f"{v:.2f}"),
                          "Units coded alike": table["agree"].astype(str) + " of " + table["units"].astype(str)})
    return Table(frame, caption)


def resource(data, name: str, caption: str = "", limit: int | None = None) -> Table:
    """A table of the package as it stands in its file, with the schema's field titles as headings."""
    fields = data.schema.resources[name].fields
    frame = data.tables[name][[f.name for f in fields]].rename(columns={f.name: f.title for f in fields})
    shown, note = _limited(frame, limit, "row")
    return Table(shown, caption, note)


def disagreements(data, caption: str = "", limit: int | None = None) -> Table:
    """Every disagreement of the two codings, with the resolution and the codebook rule behind it."""
    return resource(data, "coding_reconciliation", caption, limit)


def unit_decisions(data, caption: str = "") -> Table:
    """The units the second coder proposed, and whether each became a claim."""
    return resource(data, "coding_unit_decisions", caption)


def release_changes(diff, caption: str = "", limit: int | None = DEFAULT_LIMIT) -> tuple[Table, Table]:
    """What changed since the previous release (an ``entente.diff`` comparison): a summary per table, and
    each record added, withdrawn or changed field by field (the change record, shown above it, left out)."""
    frames = diff.to_frames()
    summary = Table(frames["summary"], caption or f"What changed between {diff.old} and {diff.new}")
    details = frames["details"][frames["details"]["table"] != "changes"]
    shown, note = _limited(details, limit, "change")
    return summary, Table(shown, f"Each change between {diff.old} and {diff.new}", note)
