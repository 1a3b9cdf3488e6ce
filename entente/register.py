"""The claim register: one anchored entry per claim id, withdrawn claims included, generated from the data.

Each entry gives every field of the claim (titles and order from ``datapackage.json``), the sources that
carry it through the link table with their own fields, and its rows of the change record. An entry can be
reached as ``register.html#E012`` and as ``register.html#e012``: Sphinx lowercases the ids it makes, and
HTML ids are case-sensitive, so the entry carries both as raw HTML anchors (the PDF drops raw HTML and
keeps the entry's text). Every mention of a claim id in the book's tables links here (``linked_cell``).

The register pages itself so that no page outgrows the page budget however many claims there are: the
chapter shows the first hundred ids, and the HTML builder writes a page per further hundred beside it
(``setup``, run by ``entente.sphinxext``). A claim's page follows from its id alone (``href``).

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

# The register chapter. Every chapter lives in chapters/, beside it, so links to it are relative to that folder.
DOCNAME = "chapters/register"
# Ids per register page, by number: E000 to E099 on register.html, E100 to E199 on register-1.html, and so on.
# Fixed for good, so a claim's address follows from its id alone and no link breaks as the data grows; a
# hundred entries weigh about 450 KB of HTML, within the book's page budget.
IDS_PER_PAGE = 100
# The change that ends a claim: its entry stays, marked with the reason.
WITHDRAWN = "withdrawn"


@lru_cache(maxsize=8)
def _id_pattern(pattern: str) -> re.Pattern:
    # The schema anchors the pattern to a whole cell; in running text an id is a whole word instead.
    return re.compile(r"(?<![0-9A-Za-z_])(" + pattern.strip("^$") + r")(?![0-9A-Za-z_])")


def claim_id_pattern(schema: Schema) -> re.Pattern:
    """A claim id as a word of running text, from the pattern ``datapackage.json`` gives ``event_id``."""
    return _id_pattern(schema.resources["events"].field("event_id").constraints["pattern"])


def page_of(event_id: str) -> int:
    """The register page holding a claim's entry: its id's number, a hundred ids to a page."""
    return int("".join(c for c in event_id if c.isdigit())) // IDS_PER_PAGE


def page_file(number: int) -> str:
    """A register page's file name: 'register.html' for the first (the chapter), 'register-1.html' after it."""
    name = DOCNAME.rsplit("/", 1)[-1]
    return f"{name}.html" if number == 0 else f"{name}-{number}.html"


def href(event_id: str) -> str:
    """Where a claim's entry is, from any chapter: 'register.html#E012', 'register-1.html#E150'."""
    return f"{page_file(page_of(event_id))}#{event_id}"


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


def claims(data) -> pd.DataFrame:
    """Every claim the data has ever held, standing and withdrawn, in id order; ``reason`` is blank unless
    it was withdrawn."""
    standing = data.events.assign(reason="")
    every = pd.concat([standing, data.withdrawn], ignore_index=True)
    every["reason"] = every["reason"].fillna("").astype(str)
    every["withdrawn"] = every["event_id"].isin(data.withdrawn["event_id"])
    order = sorted(range(len(every)), key=lambda row: id_key(every.at[row, "event_id"]))
    return every.iloc[order].reset_index(drop=True)


class Markdown:
    """How an entry is written for the chapter: GitHub-flavoured Markdown, every value escaped."""

    def __init__(self, schema: Schema):
        self.schema = schema

    def text(self, value) -> str:
        return markdown_cell(value)

    def linked(self, value) -> str:
        return linked_cell(value, self.schema)

    def paragraph(self, strong: str, rest: str = "", em: bool = False) -> list[str]:
        line = (f"*{strong}*" if em else f"**{strong}**") + rest
        return [line, ""]

    def table(self, header: list[str], rows: list[list[str]]) -> list[str]:
        lines = ["| " + " | ".join(self.text(h) for h in header) + " |",
                 "| " + " | ".join("---" for _ in header) + " |"]
        return lines + ["| " + " | ".join(self.linked(v) for v in row) + " |" for row in rows] + [""]


class Html(Markdown):
    """How an entry is written for the register's later pages: HTML straight away (no Markdown parser to
    run over thousands of entries), every value escaped, ids linked as in the chapter."""

    def text(self, value) -> str:
        return html.escape(one_line(value), quote=False)

    def linked(self, value) -> str:
        parts = claim_id_pattern(self.schema).split(one_line(value))  # ids at the odd places
        return "".join(f'<a class="entente-claim-link" href="{html.escape(href(part))}">{part}</a>'
                       if odd else html.escape(part, quote=False) for odd, part in zip(cycle((False, True)), parts))

    def paragraph(self, strong: str, rest: str = "", em: bool = False) -> list[str]:
        tag = "em" if em else "strong"
        return [f"<p><{tag}>{strong}</{tag}>{rest}</p>"]

    def table(self, header: list[str], rows: list[list[str]]) -> list[str]:
        head = "".join(f"<th>{self.text(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{self.linked(v)}</td>" for v in row) + "</tr>\n" for row in rows)
        return [f'<table class="table">\n<thead>\n<tr>{head}</tr>\n</thead>\n<tbody>\n{body}</tbody>\n</table>']


def entries(data, writer: type[Markdown] = Markdown, on_pages: set[int] | None = None) -> dict[str, str]:
    """One entry per claim (only those on ``on_pages``, if given), by id in id order: anchors, summary,
    every field, sources, changes; written by ``writer`` (Markdown for the chapter, HTML for later pages)."""
    schema = data.schema
    out_as = writer(schema)
    event_fields = schema.resources["events"].fields
    source_fields = schema.resources["sources"].fields
    change_fields = [f for f in schema.resources["changes"].fields if f.name != "record_id"]
    sources = data.sources.set_index("source_id", drop=False)
    # Grouped once, so a register of many claims is built in one pass, not one search per claim.
    carried = data.claim_sources.groupby("event_id", sort=False)["source_id"].agg(list).to_dict()
    history = data.changes.sort_values("date", kind="stable")
    history = {k: g for k, g in history.groupby("record_id", sort=False)}
    source_rows = {sid: [_text(sources.at[sid, f.name], f) for f in source_fields] for sid in sources.index}

    out = {}
    for claim in claims(data).to_dict("records"):
        cid = claim["event_id"]
        if on_pages is not None and page_of(cid) not in on_pages:
            continue
        anchor = html.escape(cid, quote=True)
        lines = [f'<div class="entente-claim" id="{anchor}">', f'<span id="{anchor.lower()}"></span>', ""]
        lines += out_as.paragraph(out_as.text(cid), ": " + out_as.text(claim["summary"]))
        if claim["withdrawn"]:
            lines += out_as.paragraph("Withdrawn.", " " + out_as.text(claim["reason"]))
        lines += out_as.table(["Field", "Value"], [[f.title, _text(claim[f.name], f)] for f in event_fields])
        ids = carried.get(cid, [])
        lines += out_as.paragraph(plural(len(ids), "source"), em=True)
        if ids:
            lines += out_as.table([f.title for f in source_fields], [source_rows[s] for s in ids])
        changes = history.get(cid)
        lines += out_as.paragraph(f"{plural(0 if changes is None else len(changes), 'change')} recorded", em=True)
        if changes is not None:
            rows = [[_text(row[f.name], f) for f in change_fields] for row in changes.to_dict("records")]
            lines += out_as.table([f.title for f in change_fields], rows)
        lines += ["</div>", ""]
        out[cid] = "\n".join(lines)
    return out


def pages(data) -> dict[int, list[str]]:
    """The claim ids page by page (``page_of``), in order; a page with no claim is not made."""
    out: dict[int, list[str]] = {}
    for cid in claims(data)["event_id"]:
        out.setdefault(page_of(cid), []).append(cid)
    return out


def _span(ids) -> str:
    ids = list(ids)
    return f"{ids[0]} to {ids[-1]}" if len(ids) > 1 else ids[0]


class Register:
    """The register's first page as one Markdown output (book and notebook), with links to the pages after
    it, and a count (terminal)."""

    def __init__(self, entries: dict[str, str], pages: dict[int, list[str]], withdrawn: int):
        self.entries = entries  # the first page's: the ids below the first hundred
        self.pages = pages
        self.withdrawn = withdrawn

    def __len__(self) -> int:
        """Every claim in the register, on whatever page."""
        return sum(len(ids) for ids in self.pages.values())

    def to_markdown(self) -> str:
        parts = list(self.entries.values())
        later = [number for number in self.pages if number > 0]
        if later:
            # Raw HTML links: on the web they lead to the pages; the PDF keeps their text only.
            links = ", ".join(f'<a class="entente-register-page" href="{page_file(n)}">{escaped(_span(self.pages[n]))}</a>'
                              for n in later)
            parts.append(f"**Further entries**, a page per hundred ids, on the web: {links}.")
        return "\n".join(parts)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/markdown": self.to_markdown(),
                "text/plain": f"{plural(len(self), 'claim')} in the register, {self.withdrawn} withdrawn"}


def register(data) -> Register:
    """The claim register of ``data``: what the register chapter shows (the first page's entries, and
    links to the pages after it)."""
    return Register(entries(data, on_pages={0}), pages(data), len(data.withdrawn))


def later_pages(data) -> list[tuple[str, str, str]]:
    """The register's pages after the first, as (file name without suffix, title, body HTML).

    They are written by the HTML builder beside the chapter, outside the table of contents (so every
    page's sidebar stays the same size), with the same entries as the chapter's, written as HTML."""
    written = entries(data, Html, on_pages=set(pages(data)) - {0})
    out = []
    for number, ids in pages(data).items():
        if number == 0:
            continue
        title = f"Claim register, {_span(ids)}"
        intro = (f'<p>Entries of the claim register for ids {html.escape(_span(ids))}. What each entry gives, '
                 f'and the first hundred ids, are on <a href="{page_file(0)}">the register\'s first page</a>.</p>')
        body = "\n".join(written[cid] for cid in ids)
        name = page_file(number)[:-len(".html")]
        out.append((name, title, f'<section id="{html.escape(name)}">\n<h1>{html.escape(title)}</h1>\n{intro}\n{body}</section>\n'))
    return out


def _write_later_pages(app):
    """Sphinx's html-collect-pages: the register's later pages, in the chapter's folder, themed like it."""
    from pathlib import Path

    from .data import load

    folder = DOCNAME.rsplit("/", 1)[0]
    for name, title, body in later_pages(load(Path(app.srcdir))):
        yield f"{folder}/{name}", {"title": title, "body": body}, "page.html"


def setup(app):
    app.connect("html-collect-pages", _write_later_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
