"""A chart's own data, beside the chart: the rows it draws, each with the claim ids behind it.

Every chart function (``entente.charts``, and the explorer) hands its aggregated rows to ``attach``, which
keeps them in the spec's ``usermeta`` (a place Vega-Lite carries and never draws). The book's renderer
(``entente.render``) takes them out again (``detach``) and puts beside each chart:

- a CSV of those rows, every claim id of each row in full. The renderer gives it as a ``data:`` link (which
  downloads with no server, from a page opened from disk); the web book's builder then writes it to a
  file beside the page and links that instead (``setup``), so a page stays light however many ids its
  charts draw on: ``chapters/chartdata/<page>/<chart-name>.csv``, also from disk;
- a data table a reader can open instead of the chart, with each claim id linked to its entry in the
  claim register (``entente.register.href``), up to the book's one limit (``labels.ID_LIST_LIMIT``);
- in the PDF, a line under the figure naming the claims it draws on (``printed_lines``). The figure's file
  keeps that line in a comment too (``mark_pdf``), where the PDF build reads which ids it prints
  (``printed_in``, for the register's appendix).

Charts aggregate, so their rows are few; nothing here drops a row or an id. Every text is escaped.
"""
from __future__ import annotations

import csv
import html
import io
import json
import math
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

import pandas as pd

from .labels import ID_LIST_LIMIT, missing, plural

DATA_URI = "data:text/csv;charset=utf-8,"
# The folder, beside each page, that holds its charts' CSVs (one folder per page).
FOLDER = "chartdata"
# The download line and the table view read as text of the page, left-aligned even inside a centred figure.
VIEW_STYLE = "text-align:left;font-size:0.875em"
# Where in a spec's ``usermeta`` the rows travel.
KEY = "entente_data"
IDS_HEADING = "Claim ids"
# How the ids of one row are joined in the CSV: the data files' own list separator.
IDS_SEPARATOR = ";"
# Text a spreadsheet would run as a formula (OWASP "CSV injection"); such a cell is written with a quote first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters per line of the claim ids printed under a PDF figure (9 pt: narrower than the narrowest figure).
PRINTED_CHARS = 64


def _value(value):
    """A cell as JSON keeps it: text, a whole number, a number, a date as YYYY-MM-DD, or "" for none."""
    if isinstance(value, (list, tuple)):
        return [_value(v) for v in value]
    if missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) or (hasattr(value, "is_integer") and float(value).is_integer() and math.isfinite(value)):
        return int(value)
    if isinstance(value, float):
        return value
    return str(value)


def attach(chart, rows: pd.DataFrame, name: str, columns: dict[str, str], ids: str = "claim_ids"):
    """``chart`` with its data table: ``columns`` of ``rows`` (column: heading, in order) and, per row, the
    list of claim ids in ``ids``. ``name`` names the CSV (``name.csv``)."""
    table = {"name": name, "columns": list(columns.values()),
             "rows": [[_value(row[c]) for c in columns] for row in rows.to_dict("records")],
             # One string per row, joined as in the CSV: Altair checks every item of a list it is given, and
             # 100,000 ids as lists took seconds a chart, at every copy of the spec; ``detach`` splits them.
             "ids": [IDS_SEPARATOR.join(sorted(map(str, row), key=lambda i: (len(i), i))) for row in rows[ids]]}
    kept = chart.usermeta if isinstance(getattr(chart, "usermeta", None), dict) else {}  # e.g. a Vega patch
    return chart.properties(usermeta={**kept, KEY: table})


@dataclass(frozen=True)
class ChartTable:
    """The rows one chart draws: headings, values and the claim ids behind each row."""
    name: str
    title: str
    columns: list[str]
    rows: list[list]
    ids: list[list[str]]

    @property
    def all_ids(self) -> list[str]:
        """Every claim the chart draws on, once, in id order."""
        return sorted({i for row in self.ids for i in row}, key=lambda i: (len(i), i))

    def csv(self) -> str:
        """The CSV: the headings and a column of ids, every id of every row, none left out."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*self.columns, IDS_HEADING])
        for row, ids in zip(self.rows, self.ids):
            writer.writerow([*(_cell(v) for v in row), IDS_SEPARATOR.join(ids)])
        return out.getvalue()

    def href(self) -> str:
        """The CSV as a ``data:`` URI: it downloads from a page opened from disk, with no server."""
        return DATA_URI + quote(self.csv(), safe=",;:")

    def html(self) -> str:
        """The download link and the table view that follow the chart on the web."""
        from .register import href as register_href

        caption = f"{self.title}: {plural(len(self.rows), 'row')}, drawn from {plural(len(self.all_ids), 'claim')}"
        head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in [*self.columns, IDS_HEADING])

        def ids_cell(ids: list[str]) -> str:
            # Short links (no class): a table view of many rows stays light.
            links = [f'<a href="{html.escape(register_href(i))}">{html.escape(i)}</a>' for i in ids[:ID_LIST_LIMIT]]
            more = f" and {len(ids) - ID_LIST_LIMIT} more (every one in the CSV)" if len(ids) > ID_LIST_LIMIT else ""
            return ", ".join(links) + more

        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + f"<td>{ids_cell(ids)}</td></tr>"
                       for row, ids in zip(self.rows, self.ids))
        label = html.escape(f"Data table: {self.title}")
        return (
            f'<p class="entente-chart-download" style="{VIEW_STYLE}"><a download="{html.escape(self.name)}.csv" href="{self.href()}">'
            f"Download the chart's data (CSV, {plural(len(self.rows), 'row')})</a></p>\n"
            f'<details class="entente-chart-data" style="{VIEW_STYLE}"><summary>Data table</summary>\n'
            f'<div class="entente-chart-table" role="region" aria-label="{label}" tabindex="0" '
            f'style="overflow-x:auto;max-width:100%">'
            f'<table class="table"><caption style="text-align:left">{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"</div></details>"
        )

    def printed_lines(self) -> list[str]:
        """What the PDF prints under the figure: the claim ids it draws on, or past the book's limit their
        number, first and last, and where each is described."""
        ids = self.all_ids
        if not ids:  # a chart of no claim (or of a frame with no claim ids) names none
            return []
        if len(ids) <= ID_LIST_LIMIT:
            text = f"Drawn from {plural(len(ids), 'claim')}: {', '.join(ids)}."
        else:
            text = (f"Drawn from {plural(len(ids), 'claim')}, {ids[0]} to {ids[-1]}; the claim register "
                    f"describes each, and the web edition lists them under the chart.")
        return _wrap(text, PRINTED_CHARS)


# The comment, right after a figure's PDF header, that repeats what the figure prints under it. A comment
# is not drawn, and LaTeX, which embeds the figure's page, does not carry it into the book's PDF.
PRINTED_COMMENT = b"%entente-printed: "


def mark_pdf(pdf: bytes, lines: list[str]) -> bytes:
    """``pdf`` with ``lines`` (what it prints under the figure) kept in a comment before its first object.

    Done before ``render.canonical_pdf``, which then counts every object's place afresh."""
    if not pdf.startswith(b"%PDF-"):
        raise ValueError("mark_pdf: not a PDF (it does not start with %PDF-)")
    text = " ".join(" ".join(lines).split())  # one line: a comment ends at the line's end
    first = re.search(rb"\n\d+ 0 obj\n", pdf)  # after the header and its binary marker, before any object
    if first is None:
        raise ValueError("mark_pdf: no object in the PDF")
    at = first.start() + 1
    return pdf[:at] + PRINTED_COMMENT + text.encode("ascii", "backslashreplace") + b"\n" + pdf[at:]


def printed_in(pdf: bytes) -> str:
    """What a figure prints under it, from its PDF's comment (``mark_pdf``) or, before the LaTeX build drew
    it, from its stub (``render.figure_stub``); "" for a PDF with neither."""
    from .render import STUB_MAGIC  # render imports this module

    if pdf.startswith(STUB_MAGIC):
        return " ".join(" ".join(json.loads(pdf[len(STUB_MAGIC):]).get("lines", [])).split())
    head = pdf[:pdf.find(b" 0 obj")] if b" 0 obj" in pdf else pdf
    at = head.find(PRINTED_COMMENT)
    if at < 0:
        return ""
    start = at + len(PRINTED_COMMENT)
    return head[start:head.index(b"\n", start)].decode("ascii")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS and not _is_number(text) else text


def _is_number(text: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?", text) is not None


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [text]


def _title(spec: dict) -> str:
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(title)
    return str(title or spec.get("description") or "Chart")


def detach(spec: dict) -> tuple[dict, ChartTable | None]:
    """The spec without its data table, and the table (None for a chart that carries none)."""
    meta = spec.get("usermeta")
    if not isinstance(meta, dict) or KEY not in meta:
        return spec, None
    table = meta[KEY]
    rest = {k: v for k, v in meta.items() if k != KEY}
    spec = {k: v for k, v in spec.items() if k != "usermeta"}
    if rest:
        spec["usermeta"] = rest
    return spec, ChartTable(str(table["name"]), _title(spec), list(table["columns"]),
                            [list(r) for r in table["rows"]], [i.split(IDS_SEPARATOR) if i else [] for i in table["ids"]])


def from_spec(spec: dict) -> ChartTable:
    """The table of a chart no chart function described (one made in a notebook, say): its one inline
    dataset as it stands, with the ids of an ``event_id`` column where it has one."""
    datasets = spec.get("datasets") or {}
    if len(datasets) != 1:
        raise ValueError(f"chart {_title(spec)!r}: no data table was attached (entente.chartdata.attach) and it has "
                         f"{len(datasets)} datasets, not one, to show instead")
    (rows,) = datasets.values()
    columns = list(dict.fromkeys(k for row in rows for k in row))
    return ChartTable(re.sub(r"[^a-z0-9]+", "-", _title(spec).lower()).strip("-") or "chart", _title(spec),
                      columns, [[_value(row.get(c)) for c in columns] for row in rows],
                      [[str(row["event_id"])] if row.get("event_id") else [] for row in rows])


def table_of(spec: dict) -> tuple[dict, ChartTable]:
    """The spec to draw, and the table to show beside it: the attached one, else one read from the spec."""
    drawn, table = detach(spec)
    return drawn, table if table is not None else from_spec(drawn)


# --- the web book: each CSV written to a file beside its page ------------------------------------------------

_DATA_LINK = re.compile(r'<a download="([A-Za-z0-9_-]+)\.csv" href="' + re.escape(DATA_URI) + r'([^"]*)"')


def files_beside(pagename: str, body: str) -> tuple[str, dict[str, str]]:
    """The page's body with each chart's ``data:`` CSV link pointing at a file beside the page instead, and
    those files (path relative to the page's folder: CSV text). Two charts of one name on a page get
    ``name-2.csv`` and so on."""
    page = pagename.rsplit("/", 1)[-1]
    files: dict[str, str] = {}

    def move(match: re.Match) -> str:
        name, n = match.group(1), 2
        path = f"{FOLDER}/{page}/{name}.csv"
        while path in files:
            path, n = f"{FOLDER}/{page}/{match.group(1)}-{n}.csv", n + 1
        files[path] = unquote(html.unescape(match.group(2)))
        return f'<a download="{html.escape(path.rsplit("/", 1)[-1])}" href="{html.escape(path)}"'

    return _DATA_LINK.sub(move, body), files


def _write_files(app, pagename, templatename, context, doctree) -> None:
    """Sphinx's html-page-context: the page's CSVs written beside it (its folder emptied first, so a chart
    taken out leaves no file behind), and its links pointed at them."""
    import shutil
    from pathlib import Path

    body = context.get("body")
    if not isinstance(body, str):
        return
    folder = Path(app.outdir, pagename).parent / FOLDER / pagename.rsplit("/", 1)[-1]
    shutil.rmtree(folder, ignore_errors=True)
    if DATA_URI not in body:
        return
    context["body"], files = files_beside(pagename, body)
    for path, text in files.items():
        target = Path(app.outdir, pagename).parent / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))


def setup(app):
    app.connect("html-page-context", _write_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
