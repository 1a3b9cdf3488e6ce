"""The claim register: one anchored entry per claim id, withdrawn claims included, generated from the data.

Each entry gives every field of the claim (titles and order from ``datapackage.json``), the sources that
carry it through the link table with their own fields, and its rows of the change record. An entry can be
reached as ``register.html#E012`` and as ``register.html#e012``: Sphinx lowercases the ids it makes, and
HTML ids are case-sensitive, so the entry carries both as raw HTML anchors (the PDF drops raw HTML and
keeps the entry's text). Every mention of a claim id in the book's tables links here (``linked_cell``).

The register pages itself so that no page outgrows the page budget however many claims there are: the
chapter shows the first hundred ids, and the HTML builder writes a page per further hundred beside it
(``setup``, run by ``entente.sphinxext``). A claim's page follows from its id alone (``href``).

In the PDF the register is an appendix whose entries are chosen when the PDF is built (``fill_appendix``,
run by ``entente.latex``): every claim up to ``APPENDIX_LIMIT``, and past it the claims the PDF prints the
ids of, so that no id printed on paper points to an entry the paper lacks.

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
    # id_key, sorted by pandas (a stable sort on length, then text): a Python key per row cost 3 s per 100,000.
    ids = every["event_id"].astype(str)
    order = pd.DataFrame({"length": ids.str.len(), "id": ids}).sort_values(["length", "id"], kind="stable").index
    return every.loc[order].reset_index(drop=True)


class Markdown:
    """How an entry is written for the chapter: GitHub-flavoured Markdown, every value escaped."""

    def __init__(self, schema: Schema):
        self.schema = schema
        self.ids = claim_id_pattern(schema)  # looked up once: every cell of every entry is searched for ids

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

    def entry(self, event_id: str, parts: list[str]) -> str:
        """The entry, anchored by its id in both cases (raw HTML: the web keeps it)."""
        anchor = html.escape(event_id, quote=True)
        return "\n".join([f'<div class="entente-claim" id="{anchor}">', f'<span id="{anchor.lower()}"></span>', "",
                          *parts, "</div>", ""])


class Html(Markdown):
    """How an entry is written for the register's later pages: HTML straight away (no Markdown parser to
    run over thousands of entries), every value escaped, ids linked as in the chapter."""

    def __init__(self, schema: Schema):
        super().__init__(schema)
        # A cell's HTML by its text: most cells (field titles, categories, dates, every cell of a source's row)
        # recur from entry to entry, so each distinct text is split and escaped once per writer.
        self.cells: dict = {}

    def text(self, value) -> str:
        return html.escape(one_line(value), quote=False)

    def linked(self, value) -> str:
        cell = self.cells.get(value)
        if cell is None:
            cell = self.cells[value] = self._linked(value)
        return cell

    def _linked(self, value) -> str:
        parts = self.ids.split(one_line(value))  # ids at the odd places
        return "".join(f'<a class="entente-claim-link" href="{html.escape(href(part))}">{part}</a>'
                       if odd else html.escape(part, quote=False) for odd, part in zip(cycle((False, True)), parts))

    def paragraph(self, strong: str, rest: str = "", em: bool = False) -> list[str]:
        tag = "em" if em else "strong"
        return [f"<p><{tag}>{strong}</{tag}>{rest}</p>"]

    def table(self, header: list[str], rows: list[list[str]]) -> list[str]:
        head = self.cells.get(("head", *header))  # a table's header is the same in every entry
        if head is None:
            head = self.cells[("head", *header)] = "".join(f"<th>{self.text(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{self.linked(v)}</td>" for v in row) + "</tr>\n" for row in rows)
        return [f'<table class="table">\n<thead>\n<tr>{head}</tr>\n</thead>\n<tbody>\n{body}</tbody>\n</table>']


class Nodes(Markdown):
    """How an entry is written for the PDF's appendix: docutils nodes, made while the PDF is built (the
    LaTeX writer escapes every text; ids stay plain text, as everywhere in the PDF)."""

    def text(self, value) -> str:
        return one_line(value)

    linked = text

    def paragraph(self, strong: str, rest: str = "", em: bool = False) -> list:
        from docutils import nodes

        mark = nodes.emphasis if em else nodes.strong
        return [nodes.paragraph("", "", mark(strong, strong), *([nodes.Text(rest)] if rest else []))]

    def table(self, header: list[str], rows: list[list[str]]) -> list:
        from docutils import nodes

        def row_of(cells) -> nodes.row:
            row = nodes.row()
            row += [nodes.entry("", nodes.paragraph(text=self.text(c))) for c in cells]
            return row

        table, group = nodes.table(classes=["colwidths-auto"]), nodes.tgroup(cols=len(header))
        table += group
        group += [nodes.colspec(colwidth=1) for _ in header]
        group += nodes.thead("", row_of(header))
        group += nodes.tbody("", *(row_of(r) for r in rows))
        return [table]

    def entry(self, event_id: str, parts: list):
        from docutils import nodes

        return nodes.container("", *parts)


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows as dicts of Python values, as ``to_dict("records")`` gives them, built from each column's
    ``tolist``: pandas boxes every value of a record one at a time (2.4 s for 100,000 claims; this, 0.5 s)."""
    columns = list(frame.columns)
    return [dict(zip(columns, row)) for row in zip(*(frame[c].tolist() for c in columns))]


class _Entries:
    """Writes one claim's entry at a time with ``writer``; what every entry reads (each claim's sources and
    changes, every source's row) is grouped once, so a register of many claims is built in one pass, not
    one search per claim."""

    def __init__(self, data, writer: type[Markdown], ids: set[str] | None = None):
        """``ids``: the claims whose entries will be written, if not all (only their rows are read)."""
        schema = data.schema
        self.out_as = writer(schema)
        self.event_fields = schema.resources["events"].fields
        self.source_fields = schema.resources["sources"].fields
        self.change_fields = [f for f in schema.resources["changes"].fields if f.name != "record_id"]
        links, changes = data.claim_sources, data.changes
        if ids is not None:
            links, changes = links[links["event_id"].isin(ids)], changes[changes["record_id"].isin(ids)]
        self.carried = links.groupby("event_id", sort=False)["source_id"].agg(list).to_dict()
        # Rows as plain records, grouped by hand: a pandas group per claim cost a second per 10,000 claims.
        self.history: dict[str, list[dict]] = {}
        for row in _records(changes.sort_values("date", kind="stable")):
            self.history.setdefault(row["record_id"], []).append(row)
        self.source_rows = {row["source_id"]: [_text(row[f.name], f) for f in self.source_fields]
                            for row in _records(data.sources)}

    def __call__(self, claim: dict):
        out_as, cid = self.out_as, claim["event_id"]
        parts = out_as.paragraph(out_as.text(cid), ": " + out_as.text(claim["summary"]))
        if claim["withdrawn"]:
            parts += out_as.paragraph("Withdrawn.", " " + out_as.text(claim["reason"]))
        parts += out_as.table(["Field", "Value"], [[f.title, _text(claim[f.name], f)] for f in self.event_fields])
        ids = self.carried.get(cid, [])
        parts += out_as.paragraph(plural(len(ids), "source"), em=True)
        if ids:
            parts += out_as.table([f.title for f in self.source_fields], [self.source_rows[s] for s in ids])
        changes = self.history.get(cid)
        parts += out_as.paragraph(f"{plural(0 if changes is None else len(changes), 'change')} recorded", em=True)
        if changes is not None:
            rows = [[_text(row[f.name], f) for f in self.change_fields] for row in changes]
            parts += out_as.table([f.title for f in self.change_fields], rows)
        return out_as.entry(cid, parts)


def entries(data, writer: type[Markdown] = Markdown, on_pages: set[int] | None = None,
            only: set[str] | None = None) -> dict:
    """One entry per claim (only those on ``on_pages``, or named in ``only``, if given), by id in id order:
    anchors, summary, every field, sources, changes; written by ``writer`` (Markdown for the chapter, HTML
    for later pages, docutils nodes for the PDF's appendix)."""
    every = claims(data)
    chosen = pd.Series(True, index=every.index)
    if on_pages is not None:
        chosen &= every["event_id"].map(page_of).isin(on_pages)
    if only is not None:
        chosen &= every["event_id"].isin(only)
    every = every[chosen]  # chosen before any row is read as a record: the chapter needs a hundred of 100,000
    write = _Entries(data, writer, set(every["event_id"]) if on_pages is not None or only is not None else None)
    return {claim["event_id"]: write(claim) for claim in _records(every)}


def pages(data) -> dict[int, list[str]]:
    """The claim ids page by page (``page_of``), in order; a page with no claim is not made."""
    ids = claims(data)["event_id"]
    out: dict[int, list[str]] = {}
    for number, cid in zip(ids.map(page_of), ids):
        out.setdefault(number, []).append(cid)
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


def facts(data) -> dict:
    """The register's own counts, each a count of the claims it counts (``claimlinks.Counted``): every claim
    the data has held, withdrawn ones included, and the withdrawn ones. Their glue names are ``COUNTS``."""
    from .claimlinks import Counted

    every = claims(data)
    return {"register_claims": Counted(every["event_id"], "every claim the data has held, withdrawn ones included"),
            "register_withdrawn": Counted(every.loc[every["withdrawn"], "event_id"], "withdrawn")}


# The glue names of ``facts``, registered with the book's other counts of claims (``facts.claim_counts``).
COUNTS = ("register_claims", "register_withdrawn")


# --- the PDF's appendix -------------------------------------------------------------------------------------
#
# In the PDF the register is an appendix (``latex_appendices`` in _config.yml), set after the other back
# matter. Its entries are made while the PDF is built, once the whole text is assembled, so that it can hold
# every claim whose id the PDF prints: in the notes to its counts, under its figures, in its tables and its
# prose (``printed_ids``).

# Claims the PDF's appendix lists in full; past this it lists only the claims the PDF names. Measured on the
# article's data, an entry takes about 1.2 pages (49 entries filled 59 pages), so 2,000 claims already make
# an appendix of some 2,400 pages: the most a PDF meant for reading and printing should carry, and xelatex
# sets it page by page. Beyond that the full register is the data files and the web edition's register pages.
APPENDIX_LIMIT = 2000


def appendix_ids(every: list[str], cited, named_in, limit: int = APPENDIX_LIMIT) -> list[str]:
    """The claims the PDF's appendix gives an entry, in the order of ``every`` (id order).

    Up to ``limit`` claims, every one. Past it, the claims the PDF names (``cited``), then every claim
    their entries name in turn (``named_in(id)``: the ids an entry prints, a note such as "see E014"), and
    so on, so that no id printed anywhere in the PDF, the appendix included, lacks its entry. An id that
    is no claim's has no entry to give and is left out."""
    if len(every) <= limit:
        return list(every)
    known = set(every)
    chosen: set[str] = set()
    todo = [i for i in cited if i in known]
    while todo:
        cid = todo.pop()
        if cid not in chosen:
            chosen.add(cid)
            todo += [i for i in named_in(cid) if i in known and i not in chosen]
    return [i for i in every if i in chosen]


def appendix(data, cited, limit: int = APPENDIX_LIMIT) -> list:
    """The PDF appendix's entries (``appendix_ids``) as docutils nodes, after a paragraph saying which
    claims it holds; past ``limit`` it says how many are left out and in which files of the book they are."""
    from docutils import nodes

    every = claims(data)
    rows = {claim["event_id"]: claim for claim in every.to_dict("records")}
    write, written = _Entries(data, Nodes), {}
    pattern = claim_id_pattern(data.schema)

    def named_in(cid: str) -> list[str]:
        written[cid] = write(rows[cid])
        return pattern.findall(written[cid].astext())

    listed = appendix_ids(list(rows), cited, named_in, limit)
    total = len(rows)
    if len(listed) == total:
        said = (f"This appendix gives the entry of every claim the data has held, {plural(total, 'claim')} "
                f"in id order, withdrawn ones included.")
    else:
        paths = {name: data.schema.resources[name].path for name in ("events", "claim_sources", "changes")}
        rest = total - len(listed)
        said = (f"The data holds {total:,} claims, more than the {limit:,} this PDF sets out in full. This "
                f"appendix gives the entries of the claims whose ids the PDF prints (in the notes to its counts, "
                f"under its figures, in its tables and in its text), and of any claim those entries name: "
                f"{len(listed):,} in all. The other {rest:,} {'claim is' if rest == 1 else 'claims are'} not "
                f"listed here. Each is a row of {paths['events']}, with its sources in {paths['claim_sources']} "
                f"and its changes in {paths['changes']}: files that come with the book and that the Downloads "
                f"page of the web edition offers. The claim register of the web edition has an entry for every one.")
    out = [nodes.paragraph(text=said)]
    return out + [written[cid] if cid in written else write(rows[cid]) for cid in listed]


def printed_ids(doctree, pattern: re.Pattern, srcdir) -> set[str]:
    """Every claim id the PDF will print, read from the assembled LaTeX doctree: text (prose, tables,
    titles), raw LaTeX (the notes of counts, ``entente.claimlinks``) and the lines each figure prints
    under it (kept in the figure's file, ``chartdata.printed_in``). Raw HTML and comments print nothing."""
    from pathlib import Path

    from docutils import nodes

    from .chartdata import printed_in

    found: set[str] = set()
    for node in doctree.findall(nodes.Text):
        parent = node.parent
        if isinstance(parent, nodes.comment) or (isinstance(parent, nodes.raw) and parent.get("format") != "latex"):
            continue
        found.update(pattern.findall(str(node)))
    for image in doctree.findall(nodes.image):
        path = Path(srcdir) / image["uri"].lstrip("/")
        if path.suffix == ".pdf":
            if not path.is_file():
                raise FileNotFoundError(f"{path}: a figure of the PDF is missing, so the ids it prints are unknown")
            found.update(pattern.findall(printed_in(path.read_bytes())))
    return found


def fill_appendix(doctree, appendix_doc, srcdir) -> None:
    """The LaTeX build: the register chapter's one output (the web's first page of entries) in the appendix
    ``appendix_doc`` becomes the PDF's entries, chosen from what the rest of the assembled PDF prints."""
    from pathlib import Path

    from docutils import nodes

    from .data import load

    outputs = [n for n in appendix_doc.findall(nodes.container) if n.get("nb_element") == "cell_code_output"]
    if len(outputs) != 1:
        raise ValueError(f"{DOCNAME}: the PDF's appendix needs the chapter's one cell output (the register); "
                         f"found {len(outputs)}")
    (output,) = outputs
    parent, at = output.parent, output.parent.index(output)
    parent.remove(output)
    data = load(Path(srcdir))
    cited = printed_ids(doctree, claim_id_pattern(data.schema), srcdir)
    parent[at:at] = appendix(data, cited)


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
