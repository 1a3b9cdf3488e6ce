"""How charts leave the kernel: one Altair renderer for the book build, JupyterLab's own elsewhere.

In the book each chart becomes a ``<div>`` plus a call drawing its Vega spec, compiled from Vega-Lite at
build time (the vega library is served once from the book itself, see ``entente.assets``), and a vector PDF made offline by vl-convert for
the LaTeX build: the kernel gives a stub holding the figure's spec, and the LaTeX build draws it
(``figure_pdf``, called by ``entente.figures``). Both are kept in _build/cache by spec. Nothing here touches the network, and the same spec always gives the same bytes.

Every chart of the book passes through ``book_renderer``, so the stamp naming the data it was drawn from
(``entente.releases.Edition.stamp``) is added there, once: on the web as a line of text under the chart,
in the PDF drawn into the figure itself. So is the chart's own data (``entente.chartdata``): on the web a
CSV download and a data table beside the chart, in the PDF the claim ids it draws on, under the stamp.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import tempfile
from pathlib import Path

from .startup import load_jsonschema

load_jsonschema()  # Altair validates with jsonschema: load it without the IRI grammars first
import altair as alt  # noqa: E402

from . import chartdata, live, theme  # noqa: E402  (they import Altair too: after the guarded import)
# The vega-lite release Altair writes specs for (e.g. "6.4"): vl-convert compiles them with the same one, in
# the web book's bundle, the PDF figures and live notebooks alike. Defined once, in entente.live.
from .live import VEGALITE_VERSION

RENDERER = "entente-book"
# The book build sets this (entente.sphinxext) so that kernels it starts render for the book.
BUILD_ENV = "ENTENTE_BOOK_BUILD"
_counter = {"n": 0}


def script_json(value) -> str:
    """JSON safe to place inside a <script> element: no data text can close the tag or open markup."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def chart_id(spec: dict) -> str:
    """A deterministic element id: the chart's place in the notebook and a digest of its spec."""
    _counter["n"] += 1
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
    return f"entente-chart-{_counter['n']}-{digest}"


# On the web every chart's element is a block as wide as the text column (a width-"container" chart reads
# its width from it); what is still wider scrolls inside it, never the page.
CHART_STYLE = "display:block;width:100%;max-width:100%;overflow-x:auto;overflow-y:hidden"


# The function the web book's vega bundle defines (entente.assets) and every chart's script calls.
DRAW = "ententeChart"


# Where a spec's usermeta carries JSON Patch operations ("test" and "add") for its compiled Vega spec: what
# Vega-Lite cannot say (entente.explore hides the timeline's brush from screen readers this way).
VEGA_PATCH = "vegaPatch"
# Where a spec's usermeta names a page function, {"function": name, "argument": value}, to call with the drawn
# Vega view (entente.explore's list of claims follows the timeline's controls this way).
READY = "onDrawn"


def web_vega(spec: dict) -> dict:
    """The Vega spec the web page draws: the chart fitted to the page (theme.web_spec), compiled from
    Vega-Lite by vl-convert at build time, so the page needs no Vega-Lite compiler; then patched as its
    usermeta asks (``VEGA_PATCH``). Compilations are kept by spec (``compiled_vega``)."""
    web = theme.web_spec(spec)
    meta = dict(web.get("usermeta") or {})
    ops = meta.pop(VEGA_PATCH, [])
    web = {key: value for key, value in web.items() if key != "usermeta"} | ({"usermeta": meta} if meta else {})
    return patched(compiled_vega(web), ops)


# --- vl-convert's work, kept by what it was given -------------------------------------------------------
# Starting vl-convert's JavaScript engine costs a kernel a second or more (more than compiling every chart of
# a chapter); a chart whose spec did not change since an earlier build (most of them after a one-row edit)
# is read back from _build/cache instead, and a kernel whose charts are all there never starts the engine.
COMPILED = "vega"  # _build/cache/vega/<key>.json: the Vega of a Vega-Lite spec
FIGURES = "figures"  # _build/cache/figures/<key>.pdf: the PDF figure of a stub (figure_pdf)


def _vl_convert_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("vl-convert-python")
    except metadata.PackageNotFoundError:
        return "unknown"


def _cache_path(kind: str, key_text: bytes, suffix: str) -> Path | None:
    """Where the result for ``key_text`` is kept: under the project's _build/cache, keyed by a SHA-256 of
    ``key_text`` with the Vega-Lite release and vl-convert's version; None outside a project."""
    from .cache import CACHE_FOLDER
    from .schema import find_root

    try:
        root = find_root()
    except FileNotFoundError:
        return None
    head = f"vega-lite {VEGALITE_VERSION} vl-convert {_vl_convert_version()}\0".encode()
    return root / CACHE_FOLDER / kind / f"{hashlib.sha256(head + key_text).hexdigest()}{suffix}"


def keep(path: Path | None, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (two kernels may write one entry at once); no error if it cannot."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def compiled_vega(vegalite: dict) -> dict:
    """vl-convert's Vega for a Vega-Lite spec, read from the cache when this spec was compiled before."""
    text = json.dumps(vegalite, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    path = _cache_path(COMPILED, text, ".json")
    if path is not None and path.is_file():
        try:
            return json.loads(path.read_bytes())
        except (OSError, ValueError):
            pass  # unreadable or damaged: compiled again, and written over
    import vl_convert as vlc

    vega = vlc.vegalite_to_vega(vegalite, vl_version=VEGALITE_VERSION)
    keep(path, json.dumps(vega, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode())
    return vega


def patched(vega: dict, ops: list[dict]) -> dict:
    """``vega`` with JSON Patch (RFC 6902) ``test`` and ``add`` operations applied in order; a failed test
    or another operation raises, so a patch that no longer fits the compiled spec never passes silently."""
    for op in ops:
        if op["op"] not in ("test", "add"):
            raise ValueError(f"patch operation {op['op']!r} at {op['path']}: only 'test' and 'add' are applied")
        *parents, last = [part.replace("~1", "/").replace("~0", "~") for part in op["path"].split("/")[1:]]
        target = vega
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if op["op"] == "test":
            if target.get(last) != op["value"]:
                raise ValueError(f"patch test failed at {op['path']}: {target.get(last)!r}, expected {op['value']!r}")
        else:
            target[last] = op["value"]
    return vega


# --- Vega compiled by Sphinx, not by the kernel --------------------------------------------------------
# A kernel of the book build leaves each chart's Vega-Lite in its script as ``LATER(base64 of the JSON)``
# (``chart_html(..., compiled=False)``); the Sphinx extension (``compile_later``, at doctree-read) puts
# ``script_json(web_vega(...))`` of it in its place, in the one Sphinx process: vl-convert's engine starts
# there once per build (and not at all when every spec is in the cache) instead of once in every kernel.
# Only the text a chart's script opens with (``<script ...>DRAW("#id", ``) is matched: data text is
# escaped, so it can never contain that opening.
LATER = "ententeVegaLite"
_LATER_CALL = re.compile(r'(<script type="text/javascript">' + re.escape(DRAW) + r'\("#entente-chart-[0-9]+-[0-9a-f]{10}", )'
                         + re.escape(LATER) + r'\("([A-Za-z0-9+/]*={0,2})"\)')


def _later(spec: dict) -> str:
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f'{LATER}("{base64.b64encode(text.encode()).decode()}")'


def compile_later(html_text: str) -> str:
    """``html_text`` with every chart script left by ``chart_html(..., compiled=False)`` given its Vega:
    the same text ``chart_html`` gives when it compiles in the kernel."""
    if LATER not in html_text:
        return html_text
    return _LATER_CALL.sub(
        lambda m: m.group(1) + script_json(web_vega(json.loads(base64.b64decode(m.group(2))))), html_text)


def chart_html(spec: dict, stamp: str = "", *, compiled: bool = True) -> str:
    """The chart's element and script, its stamp, and its data: a CSV download and a table view.

    With ``compiled=False`` the script holds the Vega-Lite for ``compile_later`` to compile (the book build)."""
    element = chart_id(spec)
    spec, table = chartdata.table_of(spec)
    meta = dict(spec.get("usermeta") or {})
    ready = meta.pop(READY, None)
    spec = {k: v for k, v in spec.items() if k != "usermeta"} | ({"usermeta": meta} if meta else {})
    then = (f'.then(function (view) {{ if (view) window[{script_json(ready["function"])}](view, '
            f'{script_json(ready["argument"])}); }})' if ready else "")
    description = spec.get("description") or "Chart"
    fits = theme.fits_container(spec)
    # A chart that cannot narrow scrolls in its own box, which the keyboard can reach (tabindex) to scroll it.
    box = 'data-fit="container"' if fits else 'data-fit="scroll" tabindex="0"'
    return (
        f'<div class="entente-chart" id="{element}" {box} style="{CHART_STYLE}" role="figure" '
        f'aria-label="{html.escape(description)}"></div>\n'
        f'<script type="text/javascript">'
        f'{DRAW}("#{element}", {script_json(web_vega(spec)) if compiled else _later(spec)})'
        f'.catch(function (err) {{ console.error("chart {element}: " + err); }}){then};</script>'
        # Text of the page, not of the drawing: it shows even where the script cannot run.
        + (f'\n<p class="entente-stamp">{html.escape(stamp)}</p>' if stamp else "")
        + "\n" + table.html()
    )


# Properties only a top-level Vega-Lite spec may have: they stay outside the view the stamp is put under.
_TOP_LEVEL_ONLY = ("$schema", "config", "datasets", "autosize", "background", "padding", "usermeta")
STAMP_STYLE = {"orient": "bottom", "anchor": "start", "fontSize": 9, "fontWeight": "normal", "color": "#555555",
               "offset": 8}


def stamped_spec(spec: dict, stamp: str, lines: list[str] = ()) -> dict:
    """The chart with ``stamp`` printed under it, then any further ``lines`` (the claim ids), for the PDF figure.

    Charts carry their own title and subtitle, so the stamp cannot take those places: the chart goes
    whole into a one-row ``vconcat`` whose own title, placed at the bottom, is the stamp. Parameters
    of a compound chart (declared at the top, with the views they apply to) stay at the top; those of
    a single view stay with it."""
    outer = {key: spec[key] for key in _TOP_LEVEL_ONLY if key in spec}
    inner = {key: value for key, value in spec.items() if key not in outer}
    if "params" in inner and "mark" not in inner:
        outer["params"] = inner.pop("params")
    text = [stamp, *lines] if lines else stamp
    return {**outer, "vconcat": [inner], "title": {"text": text, **STAMP_STYLE}}


_PDF_OBJECT = re.compile(rb"(\d+) 0 obj\n(.*?)\nendobj\n", re.S)
_PDF_ANY_OBJECT = re.compile(rb"(?m)^\d+ \d+ obj\b")
_PDF_REF = re.compile(rb"\b(\d+) 0 R\b")
_PDF_REF_LIST = re.compile(rb"(?m)(?:^ +/\w+ \d+ 0 R\n)+")
# Features of PDF files this rewrite does not handle; svg2pdf (vl-convert 1.9) writes none of them.
_PDF_UNHANDLED = {b"/Encrypt": "encryption", b"/ObjStm": "object streams", b"/XRef": "a cross-reference stream",
                  b"/Prev": "an incremental update", b"/Linearized": "linearization"}


class PdfNotUnderstood(ValueError):
    """canonical_pdf met a PDF whose structure it cannot rewrite safely."""


def canonical_pdf(pdf: bytes) -> bytes:
    """vl-convert's PDF rewritten in one canonical form, so one chart always gives the same bytes.

    vl-convert lists a page's fonts and XObjects in hash-map order and numbers the font objects in
    that order, which changes from run to run; LaTeX then names the figure file after its hash and
    embeds it, so the book's PDF differed between builds. Here the name lists are sorted and the
    objects renumbered in the order they are reached from the catalog, then the cross-reference
    table is rebuilt. This is enough for the plain structure svg2pdf writes (checked with
    vl-convert-python 1.9.0.post1): uncompressed objects of generation 0, one cross-reference table
    and trailer, no object references inside streams. Anything else raises PdfNotUnderstood, rather
    than a PDF being passed through as it came (and the book silently losing byte-identical builds).
    """
    def refuse(why: str) -> PdfNotUnderstood:
        return PdfNotUnderstood(f"canonical_pdf: cannot rewrite this PDF ({len(pdf)} bytes): {why}")

    if not pdf.startswith(b"%PDF-"):
        raise refuse("it does not start with %PDF-")
    for marker, feature in _PDF_UNHANDLED.items():
        if marker in pdf:
            raise refuse(f"it uses {feature} ({marker.decode()})")
    if pdf.count(b"\ntrailer\n") != 1 or pdf.count(b"\nstartxref\n") != 1:
        raise refuse("it has no single trailer and startxref")

    def sort_list(match: re.Match) -> bytes:
        return b"".join(sorted(match.group(0).splitlines(keepends=True)))

    objects = {}
    for match in _PDF_OBJECT.finditer(pdf):
        body = match.group(2)
        split = body.find(b"\nstream\n")
        head, stream = (body, b"") if split < 0 else (body[:split], body[split:])
        objects[int(match.group(1))] = (_PDF_REF_LIST.sub(sort_list, head + b"\n")[:-1], stream)
    declared = len(_PDF_ANY_OBJECT.findall(pdf))
    if not objects or declared != len(objects):
        raise refuse(f"{declared} objects declared, {len(objects)} of them in the plain form expected")
    trailer_at = pdf.rfind(b"trailer\n")
    trailer = pdf[trailer_at:pdf.rfind(b"startxref")]
    heads = b"\n".join(head for head, _ in objects.values()) + trailer
    dangling = {int(n) for n in _PDF_REF.findall(heads)} - set(objects)
    if dangling or b"/Root" not in trailer:
        raise refuse(f"references to missing objects {sorted(dangling)}" if dangling else "no /Root in the trailer")
    order: list[int] = []

    def walk(text: bytes) -> None:
        for ref in _PDF_REF.findall(text):
            number = int(ref)
            if number in objects and number not in order:
                order.append(number)
                walk(objects[number][0])

    walk(trailer)
    order += [n for n in sorted(objects) if n not in order]  # unreachable ones, kept all the same
    new = {old: index for index, old in enumerate(order, start=1)}
    renumber = lambda text: _PDF_REF.sub(lambda m: b"%d 0 R" % new[int(m.group(1))], text)
    out = bytearray(pdf[:pdf.index(b"%d 0 obj\n" % next(iter(objects)))])
    offsets = []
    for old in order:
        offsets.append(len(out))
        head, stream = objects[old]
        out += b"%d 0 obj\n" % new[old] + renumber(head) + stream + b"\nendobj\n\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(order) + 1)
    out += b"".join(b"%010d 00000 n\r\n" % offset for offset in offsets)
    trailer = re.sub(rb"/Size \d+", b"/Size %d" % (len(order) + 1), renumber(trailer))
    return bytes(out + trailer + b"startxref\n%d\n%%%%EOF" % xref_at)


# The "application/pdf" output a kernel gives is not the figure itself but this line and the figure's spec:
# drawing it is left to the LaTeX build (entente.figures calls figure_pdf), so a web build never draws one.
STUB_MAGIC = b"%entente-figure-spec 1\n"


def figure_stub(printed: dict, lines: list[str] = ()) -> bytes:
    """What stands for the PDF figure of the Vega-Lite spec ``printed`` until the LaTeX build draws it;
    ``lines`` are what it prints under the figure (its claim ids), kept for ``chartdata.printed_in``."""
    body = {"vl_version": VEGALITE_VERSION, "spec": printed, "lines": list(lines)}
    return STUB_MAGIC + json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode()


def is_figure_stub(data: bytes) -> bool:
    return data.startswith(STUB_MAGIC)


def figure_pdf(stub: bytes) -> bytes:
    """The vector PDF figure a stub stands for (vl-convert, in canonical form), kept in _build/cache by the
    stub, vl-convert's version and the installed fonts (vl-convert draws with them)."""
    if not is_figure_stub(stub):
        raise ValueError(f"not a figure stub of entente.render ({len(stub)} bytes, starting {stub[:24]!r})")
    from .freshness import font_lines  # only the LaTeX build (and tests) draw figures

    path = _cache_path(FIGURES, stub + "\n".join(font_lines()).encode(), ".pdf")
    if path is not None and path.is_file():
        kept = path.read_bytes()
        if kept.startswith(b"%PDF-") and kept.rstrip().endswith(b"%%EOF"):
            return kept
    import vl_convert as vlc

    body = json.loads(stub[len(STUB_MAGIC):])
    pdf = canonical_pdf(chartdata.mark_pdf(vlc.vegalite_to_pdf(body["spec"], vl_version=body["vl_version"]),
                                           body.get("lines", [])))
    keep(path, pdf)
    return pdf


def book_renderer(spec: dict, **metadata) -> dict:
    """The mimebundle for one chart: HTML for the web book, the PDF figure's stub for the LaTeX build."""
    from .releases import output_stamp  # only book builds stamp their charts

    stamp = output_stamp()
    drawn, table = chartdata.table_of(spec)
    lines = table.printed_lines() if stamp else []  # the claims the figure names under its stamp
    printed = stamped_spec(drawn, stamp, lines) if stamp else drawn
    bundle = {
        # Vega-Lite for Sphinx to compile (compile_later): the kernel never starts vl-convert's engine.
        "text/html": chart_html(spec, stamp, compiled=False),
        # The stub keeps the ids the figure prints; the drawn figure keeps them in a comment, which the PDF's
        # appendix reads (entente.register).
        "application/pdf": figure_stub(printed, lines),
        "text/plain": f"<Chart: {spec.get('description') or spec.get('title') or 'untitled'}>",
    }
    return bundle


alt.renderers.register(RENDERER, book_renderer)


def in_book_build() -> bool:
    return bool(os.environ.get(BUILD_ENV))


def enable() -> str:
    """Pick the renderer for where this kernel runs: the book build, or a live notebook."""
    name = RENDERER if in_book_build() else live.RENDERER
    alt.renderers.enable(name)
    return name
