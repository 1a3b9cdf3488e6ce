"""The book's Sphinx extension (the one _config.yml names): it sets up one module per concern.

- entente.assets: the vega bundle and the bibliography, made before Sphinx starts
  (`python -m entente.assets`); here they are only checked and handed to Sphinx;
- entente.freshness: chapters re-execute when the data, the package or the environment changed;
- entente.pages: the title page's date, stable asset links, every page and the search index written afresh,
  the vega bundle only on pages with a chart and no icon-font script;
- entente.iconfont: the theme's icon fonts cut down to the icons the book shows;
- entente.downloads: the data, the chapters as notebooks and the PDF on the Downloads page;
- entente.register: the claim register's pages after the first (web only);
- entente.chartdata: each chart's CSV written to a file beside its page (web only);
- entente.exploredata: the explorer's claims written in chunks beside its page (web only);
- entente.claimlinks: the ``{count}`` role, which links a count of claims in the prose to the claims it counts;
- entente.access: citation lists whose entries are list items, and only pages published (no theme fragments);
- entente.latex: the PDF's structure (parts, an unnumbered introduction, tables that break across pages).
- entente.figures: the PDF figures drawn from the specs the kernels left, when the LaTeX build needs them.

Kernels started by the build render charts for the book (entente.render); each chart's Vega is compiled
here, once the page is read (``compile_charts``), so vl-convert's engine starts in this process only.
"""
from __future__ import annotations

import os
from pathlib import Path

from docutils import nodes
from sphinx.errors import ConfigError, ExtensionError

from . import assets, latex, render


def _use_generated_assets(app, config) -> None:
    """The files `python -m entente.assets` made: present and current, or the build stops and says so."""
    root = Path(app.srcdir)
    stale = assets.stale(root)
    if stale:
        raise ConfigError(f"generated files missing or out of date: {', '.join(stale)}; "
                          f"run `python -m entente.assets` first (`make book` and `make pdf` do)")
    if list(config.bibtex_bibfiles) != [assets.BIBLIOGRAPHY]:
        raise ConfigError(f"bibtex_bibfiles in _config.yml must be [{assets.BIBLIOGRAPHY}], the generated one")
    # Relative to the source folder: an absolute path would change the config hash from clone to clone.
    # The bundle is copied into every book but only pages with a chart load it (entente.pages).
    config.html_static_path = [*config.html_static_path, assets.VEGA_DIR]


def compile_charts(app, doctree, docname: str | None = None) -> None:
    """Give each chart a kernel left in the page (raw HTML whose script holds Vega-Lite, see
    ``render.compile_later``) its Vega, as the kernel used to: the page comes out the same."""
    for node in doctree.findall(nodes.raw):
        text = node.astext()
        if "html" not in node.get("format", "").split() or render.LATER not in text:
            continue
        try:
            done = render.compile_later(text)
        except Exception as error:  # vl-convert's own errors: say which page, and stop the build
            raise ExtensionError(f"{docname or app.env.docname}: a chart could not be compiled to Vega: {error}") from error
        node.replace_self(nodes.raw(done, done, **node.attributes))


def setup(app):
    os.environ[render.BUILD_ENV] = "1"
    app.connect("config-inited", _use_generated_assets, priority=100)
    for module in ("freshness", "pages", "iconfont", "downloads", "register", "chartdata", "exploredata", "claimlinks",
                   "access", "figures", "bib"):
        app.setup_extension(f"entente.{module}")
    app.connect("doctree-read", compile_charts)
    app.connect("doctree-resolved", compile_charts)  # glue from another page comes in after reading
    app.connect("doctree-resolved", latex.structure)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "3"}
