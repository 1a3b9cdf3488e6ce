"""The PDF figures, drawn when the LaTeX build needs them and not while the chapters execute.

A chart's kernel output for LaTeX (``application/pdf``) is a stub holding the figure's Vega-Lite spec
(``entente.render.figure_stub``); myst-nb writes it, as any PDF output, to a file named after a hash of
its bytes. When the LaTeX builder has put the book together (``doctree-resolved`` of the one assembled
document, before it lists and copies the images), each image file that is a stub is replaced by the
figure it stands for (``entente.render.figure_pdf``, kept in _build/cache by spec and fonts), and the stub
is kept beside it. The file keeps its name, the stub's hash, so the document still points at it; every
LaTeX build draws the kept stubs again from the cache, so a figure follows a change of fonts too. The
web build never selects these outputs, so it never draws a PDF figure.
"""
from __future__ import annotations

from pathlib import Path

from docutils import nodes

from . import render


def image_files(app, doctree) -> list[Path]:
    """The files of the PDF images in ``doctree``, as the builder will copy them (relative to the source)."""
    found = []
    for image in doctree.findall(nodes.image):
        candidates = image.get("candidates") or {}
        uri = candidates.get("application/pdf") or (image.get("uri") if "*" in candidates else None)
        if uri and uri.lower().endswith(".pdf"):
            found.append(Path(app.srcdir, uri.lstrip("/")))
    return found


def draw(path: Path) -> bool:
    """Put the figure the stub at ``path`` stands for in its place; return whether the file changed.

    The stub is kept beside it (``<name>.stub``), so a later build draws it again when the figure it gives
    is another (the fonts changed, say: figure_pdf is kept by them): myst-nb never rewrites the file. A PDF
    with no stub beside it is not ours and is left as it is."""
    beside = path.with_name(path.name + ".stub")
    data = path.read_bytes()
    if render.is_figure_stub(data):
        render.keep(beside, data)
        stub = data
    elif beside.is_file():
        stub = beside.read_bytes()
    else:
        return False
    pdf = render.figure_pdf(stub)
    if pdf == data:
        return False
    render.keep(path, pdf)  # atomically: never a half-written figure
    return True


def draw_figures(app, doctree, docname) -> None:
    if app.builder.name != "latex":
        return
    for path in dict.fromkeys(image_files(app, doctree)):
        if path.is_file():
            draw(path)


def setup(app):
    app.connect("doctree-resolved", draw_figures)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
