"""The PDF figures, drawn when the LaTeX build needs them and not while the chapters execute.

A chart's kernel output for LaTeX (``application/pdf``) is a stub holding the figure's Vega-Lite spec
(``entente.render.figure_stub``); myst-nb writes it, as any PDF output, to a file named after a hash of
its bytes. When the LaTeX builder has put the book together (``doctree-resolved`` of the one assembled
document, before it lists and copies the images), each image file that is still a stub is replaced by
the figure it stands for (``entente.render.figure_pdf``, kept in _build/cache by spec). The file keeps
its name, which is the stub's hash: a stub always gives the same figure, so a later read of the chapter
that finds the file there (myst-nb never overwrites one) finds the right figure. The web build never
selects these outputs, so it never draws a PDF figure.
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
    """Replace the stub at ``path`` by its figure; False (nothing done) when the file is already a PDF."""
    with open(path, "rb") as stub_file:
        if not render.is_figure_stub(stub_file.read(len(render.STUB_MAGIC))):
            return False
    render.keep(path, render.figure_pdf(path.read_bytes()))  # atomically: never a half-written figure
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
