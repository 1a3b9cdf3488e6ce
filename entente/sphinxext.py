"""The book's Sphinx extension: what the build needs from the data and the package.

- generates the bibliography (BibTeX) from data/sources.csv before sphinxcontrib-bibtex reads it;
- tells kernels started by the build to render charts for the book (entente.render).
"""
from __future__ import annotations

import os
from pathlib import Path

from . import render
from .bib import write_bibliography
from .data import load


def _generate_bibliography(app, config) -> None:
    root = Path(app.srcdir)
    target = root / config.bibtex_bibfiles[0]
    write_bibliography(load(root), target)


def setup(app):
    os.environ[render.BUILD_ENV] = "1"
    app.connect("config-inited", _generate_bibliography, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
