"""Page hooks of the book's Sphinx build: what every written page and the PDF's title page carry.

- the PDF's title page shows the data's as-of date, not the build date;
- myst-nb's stylesheet is in the output before pages link it, so its link is the same on every build;
- every web page is written at every HTML build, over a search index started afresh (see
  ``_write_every_page``), so an incremental build writes the same files as a fresh one;
- a page loads only what it uses: the vega bundle only where a chart is drawn, the optional extensions'
  files only where their markup is, and never the theme's icon-font script (see ``_light_pages``);
- nothing large holds up a page's first paint: the vega bundle is added once the text is painted, and the
  theme's search scripts and the scripts that wait for the parsed page are deferred (see ``_light_pages``,
  ``deferred_search_scripts`` and ``DEFERRED_SCRIPTS``).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from markupsafe import Markup

from . import assets
from .data import load

SEARCH_INDEX = "searchindex.js"  # the HTML builder's search index, in its output folder
CHART_MARK = 'class="entente-chart"'  # the element entente.render.chart_html draws each chart into
TEMPLATES = Path(__file__).resolve().parent / "templates"  # layout.html: the theme's, minus the icon script
# pydata-sphinx-theme's Font Awesome script (1.4 MB): it swaps <i class="fa-..."> for SVGs. The theme's
# stylesheet draws the same icons from its web font, which the browser fetches only when a page shows one.
ICON_SCRIPT = re.compile(r'\s*<script\b[^>]*\ssrc="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*>\s*</script>')


def _title_page_date(app, config) -> None:
    """The PDF's title page carries the data's as-of date (from the change record, not the clock).

    LaTeX's title page shows `today`; left unset, Sphinx would put the build date there.
    """
    config.today = f"Data as of {load(Path(app.srcdir)).as_of_label}"


def _mystnb_css_first(app) -> None:
    """Copy myst-nb's stylesheet before the pages are written, not after (myst-nb does it at the end).

    Sphinx adds a ?v=checksum to an asset link only when the file is already in the output, so a
    fresh build linked it without one and a rebuild with one: two builds of one commit differed.
    (myst-nb 1.4.0: its public setup function for the global HTML resources, called early.)
    """
    if app.builder.format != "html":
        return
    from myst_nb.sphinx_ext import add_global_html_resources

    (Path(app.outdir) / "_static").mkdir(parents=True, exist_ok=True)
    add_global_html_resources(app, None)


def _write_every_page(app, env) -> list[str]:
    """Sphinx's env-updated: every page is written, and the search index is built from scratch.

    Sphinx updates the previous search index on an incremental build and keeps the words no page holds
    any more (with an empty page list), where a fresh build has no entry: two builds of the same pages
    wrote different indexes. With the old index gone and every page written, Sphinx builds it afresh
    (Sphinx 7.4: an index it cannot load is only a problem when some pages are not written).
    Writing every page also rewrites pages the LaTeX build re-read in the shared environment. Reading
    and executing stay incremental: only writing, the cheap part, is done for all pages.
    """
    if app.builder.format != "html":
        return []
    (Path(app.outdir) / SEARCH_INDEX).unlink(missing_ok=True)
    return sorted(env.found_docs)


def without_icon_script(head: str) -> Markup:
    """The theme's <head> assets less its icon-font script (called by entente/templates/layout.html)."""
    return Markup(ICON_SCRIPT.sub("", str(head)))


# The search scripts pydata-sphinx-theme puts in every page's <head> for its search-as-you-type (off in this
# book), loaded as they come: each held up the first paint (Lighthouse's render-blocking resources).
SEARCH_SCRIPT = re.compile(r'<script src="([^"]*(?:searchtools|language_data|searchindex)\.js[^"]*)"></script>')


def deferred_search_scripts(extrahead: str) -> Markup:
    """The theme's extra <head> with its search scripts deferred: fetched beside the page and run, in
    their order, once it is parsed (called by entente/templates/layout.html)."""
    return Markup(SEARCH_SCRIPT.sub(r'<script defer src="\1"></script>', str(extrahead)))


def _use_own_layout(app, config) -> None:
    """Put entente/templates first: its layout.html extends the theme's, dropping the icon-font script."""
    # Relative to the source folder when it can be: an absolute path would change the config hash (and
    # the web book's .buildinfo) from one clone to another.
    folder = os.path.relpath(TEMPLATES, app.confdir)
    config.templates_path = [folder, *config.templates_path]


# Extensions Jupyter Book 1 always loads, each with the markup it acts on and the files and inline settings
# it adds to every page: a page without that markup does not load them.
OPTIONAL_ASSETS = (
    # sphinx-togglebutton: hidden cells and dropdown admonitions (the chapters remove code instead).
    (re.compile(r'class="[^"]*\b(?:toggle|dropdown)\b'), {"togglebutton.css", "togglebutton.js"},
     ("toggleHint", "toggleOpenOnPrint", "togglebuttonSelector")),
    # sphinx-design: cards, tabs, grids.
    (re.compile(r'class="[^"]*\bsd-'), {"sphinx-design.min.css", "design-tabs.js"}, ()),
    # sphinx-copybutton: a button on highlighted code blocks (the downloads page has one).
    (re.compile(r'class="[^"]*\bhighlight'), {"copybutton.css", "copybutton.js", "clipboard.min.js"}, ()),
)


def unused_assets(body: str) -> tuple[set[str], tuple[str, ...]]:
    """The asset files, and the words of inline scripts, of the optional extensions ``body`` does not use."""
    files: set[str] = set()
    words: tuple[str, ...] = ()
    for markup, names, settings in OPTIONAL_ASSETS:
        if not markup.search(body):
            files |= names
            words += settings
    return files, words


def _drop_unused(assets_list: list, files: set[str], words: tuple[str, ...]) -> None:
    def unused(asset) -> bool:
        if asset.filename:
            return os.path.basename(str(asset.filename)) in files
        return any(word in asset.attributes.get("body", "") for word in words)

    assets_list[:] = [asset for asset in assets_list if not unused(asset)]


# Theme and Sphinx scripts in <head> that only act once the page is parsed (each waits for the document to be
# ready): deferred, they no longer hold up the first paint, and they still run in their order, before the
# theme's own deferred scripts and before DOMContentLoaded. documentation_options.js stays as it is: inline
# scripts read it at once.
DEFERRED_SCRIPTS = ("doctools.js", "sphinx_highlight.js", "sphinx-book-theme.js")


def _defer_ready_scripts(script_files: list) -> None:
    for i, asset in enumerate(script_files):
        name = os.path.basename(str(asset.filename or ""))
        if name in DEFERRED_SCRIPTS and "defer" not in asset.attributes and "async" not in asset.attributes:
            script_files[i] = type(asset)(asset.filename, priority=asset.priority,
                                          **{**asset.attributes, "defer": "defer"})


_digests: dict[tuple[str, int], str] = {}


def _bundle_digest(outdir: Path) -> str:
    """The first 8 hex digits of the vega bundle's SHA-256 as the web book holds it: the ?v= of its address,
    so that a browser never draws with a bundle it cached from another build."""
    bundle = outdir / "_static" / assets.VEGA_FILE
    key = (str(bundle), bundle.stat().st_mtime_ns)
    if key not in _digests:
        _digests[key] = hashlib.sha256(bundle.read_bytes()).hexdigest()[:8]
    return _digests[key]


# A chart's element and the Vega spec its inline script draws (as entente.render.chart_html writes them).
CHART = re.compile(r'(<div class="entente-chart" id="[^"]+"[^>]*?\sstyle="[^"]*)("[^>]*></div>\n<script[^>]*>'
                   r'[A-Za-z]+\("#[^"]+", )(\{.*?\})(\)\.catch)', re.S)
HEIGHTS = "chart-heights.json"  # beside the web book's folder: each spec's drawn height, so it is worked out once
_heights: dict[str, dict[str, float]] = {}


def drawn_height(spec: str, store: Path | None = None) -> float:
    """The height in pixels of the SVG the Vega spec ``spec`` (its JSON text) draws, as vl-convert draws it,
    remembered in ``store`` by the spec's digest (drawing takes a few tenths of a second)."""
    key = hashlib.sha256(spec.encode("utf-8")).hexdigest()
    known = _heights.setdefault(str(store), json.loads(store.read_text(encoding="utf-8"))
                                if store is not None and store.is_file() else {})
    if key not in known:
        import vl_convert as vlc

        svg = vlc.vega_to_svg(json.loads(spec))
        known[key] = float(re.search(r'<svg[^>]*\sheight="([\d.]+)"', svg).group(1))
        if store is not None:
            store.parent.mkdir(parents=True, exist_ok=True)
            store.write_text(json.dumps(known, sort_keys=True), encoding="utf-8")
    return known[key]


def with_chart_heights(body: str, store: Path | None = None) -> str:
    """``body`` with each chart's element holding, before vega draws into it, the height its drawing will
    have (a min-height): the text after a chart is laid out where it stays, instead of being pushed down
    when the chart appears (Lighthouse's Cumulative Layout Shift). Controls bound below a chart are not
    counted: they still move what follows by their height."""
    def reserve(m: re.Match) -> str:
        return f"{m.group(1)};min-height:{drawn_height(m.group(3), store):.0f}px{m.group(2)}{m.group(3)}{m.group(4)}"

    return CHART.sub(reserve, body)


def _light_pages(app, pagename, templatename, context, doctree) -> None:
    """Sphinx's html-page-context: a page loads only what it uses.

    The vega bundle (0.6 MB) goes only on pages that draw a chart, and the optional extensions'
    files only on pages with their markup. Sphinx restores its lists once the page is written, so each
    page gets its own. The bundle is preloaded in <head> and added by an inline loader once the page's
    text is painted, with the stand-in that queues the charts' inline calls to draw them until it has
    run (``assets.loader_script``).
    """
    context["entente_without_icon_script"] = without_icon_script
    context["entente_deferred_search_scripts"] = deferred_search_scripts
    body = context.get("body", "")
    context["entente_vega_src"] = context["entente_chart_loader"] = ""
    if CHART_MARK in body:
        context["body"] = with_chart_heights(body, Path(app.outdir).parent / HEIGHTS)
        # Not a script tag Sphinx writes: the layout preloads the bundle and its inline loader adds it once
        # the text is painted; until it runs, the charts' inline calls queue their charts.
        src = f"{context['pathto']('_static/' + assets.VEGA_FILE, 1)}?v={_bundle_digest(Path(app.outdir))}"
        context["entente_vega_src"] = src
        context["entente_chart_loader"] = Markup(assets.loader_script(src))
    files, words = unused_assets(body)
    _drop_unused(context.get("script_files", []), files, words)
    _drop_unused(context.get("css_files", []), files, ())
    if pagename != "search":  # its template runs searchtools.js at once, which needs doctools.js first
        _defer_ready_scripts(context.get("script_files", []))


def setup(app):
    app.connect("config-inited", _title_page_date, priority=100)
    app.connect("config-inited", _use_own_layout)
    app.connect("builder-inited", _mystnb_css_first)
    app.connect("env-updated", _write_every_page)
    app.connect("html-page-context", _light_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
