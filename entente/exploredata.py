"""The static explorer's claims, every one of them, in small script files beside its page.

A page opened from disk (``file://``) cannot fetch a data file, so the explorer's list reads its claims from
``<script>``-loaded chunks instead: ``explore-data/claims-000.js`` beside ``explore.html``, ``claims-001.js``, … each calls one
global function (``CALLBACK``) with its number and its rows. The chunks hold the claims most recent first
(``explore.with_when``'s order), ``CHUNK_SIZE`` to a file, so the first screen of the list needs the first
chunk only and a page of older claims the one or two chunks holding it.

The page itself embeds no claim, only *cells*: the claims counted per chunk, event day and value of each
filter field (``cells``). From them the page's script counts the matches of any filter without loading a
chunk, and knows which chunks hold the matches of the page of the list it shows.

The notebook (``entente.explore``) puts the cells and a digest of the claims' order in the page; the web
book's builder writes the chunks beside the page from the same data (``setup``), as ``entente.chartdata``
writes the charts' CSVs, and stops the build if the two disagree. Every text is written as JSON escaped for
a script (``render.script_json``): text from the data stays text.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd

# The category fields the static explorer filters by; each is also a key of the explorer's address
# (``explore.html#stage=done``), so a list of claims elsewhere in the book can link to them.
FILTERS = ("domain", "direction", "certainty", "stage")
# The two date boxes of the explorer and their labels: the keyboard's way to choose the period the brush
# chooses, and the address keys of a period.
PERIOD_BOUNDS = (("period_from", "Period from "), ("period_to", "Period to "))
ALL = "all"  # a select's value when it sets no condition
EXPLORER_DOCNAME = "chapters/explore"  # the book's page with the explorer (the links of entente.claimlinks)
FOLDER_SUFFIX = "-data"  # beside the page, named after it: explore.html's chunks are in explore-data/
# Claims per chunk file: about 68 KB of JS with synthetic summaries, so the explorer page with its theme,
# the vega bundle and its first chunk stays under 1.5 MB at 100,000 claims (about 1.42 MB, estimated).
CHUNK_SIZE = 250
CALLBACK = "ententeExplorerChunk"
CONFIG_CLASS = "entente-explorer-config"
DAY_MS = 86_400_000
# The columns of a chunk's rows, in order; the filter fields follow "day".
HEAD = ("id", "href", "day")
TAIL = ("when_label", "summary", "source")


def chunk_name(number: int) -> str:
    return f"claims-{number:03d}.js"


def folder(pagename: str) -> str:
    """The chunks' folder, relative to the page's own: ``explore-data`` for ``chapters/explore``."""
    return pagename.rsplit("/", 1)[-1] + FOLDER_SUFFIX


def _days(dates: pd.Series) -> list:
    """Each date as whole days since 1970-01-01, None for no date (a chunk's and a cell's time: short in JSON)."""
    return [None if pd.isna(d) else int(pd.Timestamp(d).value // (DAY_MS * 1_000_000)) for d in dates]


def rows(ranked: pd.DataFrame, filters=FILTERS) -> list[list]:
    """The claims of ``ranked`` (already most recent first) as the chunks give them: id, register address,
    event day, the filter fields' values, then the date as written, summary and sources."""
    from .register import href

    text = lambda column: [str(v) for v in ranked[column].astype("string").fillna("")]
    ids = text("event_id")
    columns = [ids, [href(i) for i in ids], _days(ranked["when"]), *(text(f) for f in filters),
               text("when_label"), text("summary"), text("sources_label")]
    return [list(row) for row in zip(*columns)]


def digest(ids) -> str:
    """A short hash of the claims' ids in chunk order: the page and its chunks must agree on it."""
    return hashlib.sha256("\n".join(map(str, ids)).encode("utf-8")).hexdigest()[:16]


def cells(ranked: pd.DataFrame, values: dict[str, list[str]], chunk_size: int = CHUNK_SIZE) -> list[list[int]]:
    """The claims counted per chunk, event day and filter values: ``[chunk, day or -1, i1, i2, …, n]``, each
    value given by its place in ``values[field]``. In chunk order, then day, then values."""
    filters = list(values)
    frame = pd.DataFrame({"chunk": [i // chunk_size for i in range(len(ranked))],
                          "day": [-1 if d is None else d for d in _days(ranked["when"])],
                          **{f: ranked[f].astype("string").map({v: i for i, v in enumerate(values[f])}).fillna(-1)
                             .astype(int).to_numpy() for f in filters}})
    counted = frame.groupby(["chunk", "day", *filters], sort=True).size().reset_index(name="n")
    return counted.astype(int).values.tolist()


def chunk_files(claim_rows: list[list], chunk_size: int = CHUNK_SIZE) -> dict[str, str]:
    """The chunk files (name: JavaScript), each registering its rows with ``CALLBACK``."""
    from .render import script_json

    return {chunk_name(n): f"{CALLBACK}({n},{script_json(claim_rows[start:start + chunk_size])});\n"
            for n, start in enumerate(range(0, len(claim_rows), chunk_size))}


def script() -> str:
    """The explorer's list, count, paging, CSV and address filters: the page's script (``explorer.js``)."""
    return (Path(__file__).parent / "explorer.js").read_text(encoding="utf-8")


# --- the web book: the chunks written beside the page ---------------------------------------------------------

_CONFIG = re.compile(r'<script type="application/json" class="' + CONFIG_CLASS + r'"[^>]*>(.*?)</script>', re.S)


def _write_chunks(app, pagename, templatename, context, doctree) -> None:
    """Sphinx's html-page-context: for a page with an explorer, its chunks from the book's data (the folder
    emptied first), after checking they are the claims, in the order, the page counts."""
    import shutil

    from sphinx.errors import ExtensionError

    from .data import load
    from .explore import with_when

    body = context.get("body")
    target = Path(app.outdir, pagename).parent / folder(pagename)
    shutil.rmtree(target, ignore_errors=True)  # an explorer taken out of the page leaves no chunk behind
    configs = _CONFIG.findall(body) if isinstance(body, str) else []
    if not configs:
        return
    if len(configs) > 1:
        raise ExtensionError(f"{pagename}: {len(configs)} explorers on one page; their chunks would share {folder(pagename)}/")
    config = json.loads(configs[0])
    ranked = with_when(load(Path(app.srcdir)).events)
    claim_rows = rows(ranked, config["filters"])
    if len(claim_rows) != config["total"] or digest(r[0] for r in claim_rows) != config["digest"]:
        raise ExtensionError(f"{pagename}: the explorer counts {config['total']} claims (digest {config['digest']}), "
                             f"the book's data has {len(claim_rows)} (digest {digest(r[0] for r in claim_rows)}): "
                             f"the explorer must be given the book's claims, all of them")
    target.mkdir(parents=True)
    for name, text in chunk_files(claim_rows, config["chunkSize"]).items():
        (target / name).write_bytes(text.encode("utf-8"))


def setup(app):
    app.connect("html-page-context", _write_chunks)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
