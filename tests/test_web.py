"""The web book in a real browser, opened from disk with no network: every page, every chart.

Reads the book `make book` (or `make all`) built in _build/html. Debian's chromium drives the pages
through Playwright (never a downloaded browser). Every request to anything but a local file is
recorded and refused, so a page that reaches for a CDN fails here even on a machine that is online.
Screenshots of every page land in _build/screenshots/ for a human to look at.

Under CI (CI=true) a missing browser or book fails the suite; elsewhere those tests are skipped, with
the reason.
"""
from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import require, runs_code, toc_files, vega_parts

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
SHOTS = BUILD / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
MIN_SIZE = 50  # px: a chart smaller than this in either direction did not really draw


# The pages the book must have, from _toc.yml (not from what the build happened to write), plus the
# redirecting index.html and Sphinx's own search and index pages.
PAGES = sorted(["index.html", "search.html", "genindex.html", *(f"{doc}.html" for doc in toc_files())])


def built_pages() -> list[str]:
    """Every HTML page the build wrote, relative to _build/html (assets and downloads aside)."""
    skip = ("_static", "_sources", "_images", "downloads")
    return sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
                  if p.relative_to(HTML).parts[0] not in skip)


# --- the browser --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM.is_file(), f"no browser at {CHROMIUM} (make system-browser installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the venv has it
        require(False, "the playwright package is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """One page opened from disk, with everything it asked for and complained about."""

    def __init__(self, browser, url: str, width: int = 1280, dark: bool = False):
        self.outside: list[str] = []
        self.requested: list[str] = []  # every URL the page asked for, in order
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block",
                                           color_scheme="dark" if dark else "light")
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", self._request)
        self.page.on("websocket", lambda ws: self.outside.append(ws.url))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        self.page.goto(url, wait_until="load")
        if 'http-equiv="Refresh"' in self._source(url):  # index.html sends the reader to the first page
            self.page.wait_for_url(lambda now: now != url)
            self.page.wait_for_load_state("load")

    @staticmethod
    def _source(url: str) -> str:
        return Path(unquote(urlparse(url).path)).read_text(encoding="utf-8")

    @property
    def html(self) -> str:
        """The source of the page shown at the end (after any redirect)."""
        return self._source(self.page.url)

    def _request(self, request) -> None:
        self.requested.append(request.url)
        if not request.url.startswith(LOCAL_SCHEMES):
            self.outside.append(request.url)

    def _route(self, route) -> None:
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def wait_for_charts(self) -> None:
        """Until every chart holds an SVG or canvas (the charts draw asynchronously), or 20 s."""
        try:
            self.page.wait_for_function(
                "() => [...document.querySelectorAll('.entente-chart')]"
                ".every(c => c.querySelector('svg.marks, canvas.marks'))", timeout=20_000)
        except Exception:  # the assertions below say which chart is missing
            pass

    def chart_sizes(self) -> list[dict]:
        return self.page.eval_on_selector_all(".entente-chart", """charts => charts.map(c => {
            const drawn = c.querySelector('svg.marks, canvas.marks');
            const box = drawn ? drawn.getBoundingClientRect() : {width: 0, height: 0};
            return {id: c.id, width: box.width, height: box.height};
        })""")

    def close(self) -> None:
        self.context.close()


def file_url(page: str) -> str:
    return (HTML / page).as_uri()


def screenshot_path(page: str) -> Path:
    return SHOTS / (page.removesuffix(".html").replace("/", "__") + ".png")


# Screenshots are for people to look at: the first screens of a very long page (the register's runs to some
# 110,000 px, and a picture of all of it takes chromium longer than a test should wait) show what they need.
SHOT_HEIGHT = 12_000


def keep_screenshot(tab, path: Path) -> None:
    size = tab.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    tab.screenshot(path=str(path), full_page=True,
                   clip={"x": 0, "y": 0, "width": size[0], "height": min(size[1], SHOT_HEIGHT)})


def test_the_book_is_built():
    """Exactly the pages of the table of contents were written: none missing, none left over."""
    require(HTML.is_dir(), f"no web book in {HTML} (run `make book` first)")
    assert built_pages() == PAGES


def test_no_page_loads_a_script_twice_or_thebe():
    """Thebe is off (sphinx_thebe is left out of the extensions): none of its scripts, on no page; and no
    script file is loaded twice."""
    require(HTML.is_dir(), f"no web book in {HTML}")
    for page in PAGES:
        html = (HTML / page).read_text(encoding="utf-8")
        assert "thebe" not in html.lower(), page
        sources = re.findall(r'<script[^>]*\ssrc="([^"?]+)', html)
        assert len(sources) == len(set(sources)), f"{page}: {sorted(sources)}"


@pytest.mark.build
@pytest.mark.parametrize("page", PAGES)
def test_page_draws_offline(browser, page):
    """Each page: charts drawn at a real size, nothing asked of another host, a clean console."""
    require((HTML / page).is_file(), f"no {page} in {HTML} (run `make book` first)")
    visit = Visit(browser, file_url(page))
    try:
        visit.wait_for_charts()
        sizes = visit.chart_sizes()
        html = visit.html
        SHOTS.mkdir(parents=True, exist_ok=True)
        keep_screenshot(visit.page, screenshot_path(page))
    finally:
        visit.close()
    assert visit.outside == [], f"{page} asked outside hosts for: {visit.outside}"
    assert visit.errors == [], f"{page} logged console errors: {visit.errors}"
    small = [s for s in sizes if s["width"] <= MIN_SIZE or s["height"] <= MIN_SIZE]
    assert small == [], f"{page}: charts not drawn (or too small): {small}"
    assert len(sizes) == html.count('class="entente-chart"'), f"{page}: some charts lost their element"


def test_no_page_links_an_outside_asset():
    """Statically too: no script, stylesheet, image or frame from another host, on any page."""
    require(HTML.is_dir(), f"no web book in {HTML}")
    asset = re.compile(r'<(?:script|img|iframe|source|audio|video)[^>]*\ssrc="(https?:)?//'
                       r'|<link[^>]*rel="(?:stylesheet|preload|modulepreload|icon)"[^>]*href="(https?:)?//', re.I)
    offenders = {p: m.group(0) for p in PAGES
                 if (m := asset.search((HTML / p).read_text(encoding="utf-8")))}
    assert offenders == {}


VEGA_BUNDLE, ICON_SCRIPT = "entente-vega.js", "fontawesome.js"


def _fetched(visit: Visit) -> set[str]:
    return {Path(unquote(urlparse(url).path)).name for url in visit.requested}


def test_pages_link_only_what_they_use():
    """The vega bundle only on pages that draw a chart; the theme's 1.4 MB icon-font script on none."""
    require(HTML.is_dir(), f"no web book in {HTML}")
    for page in PAGES:
        html = (HTML / page).read_text(encoding="utf-8")
        assert (VEGA_BUNDLE in html) == ('class="entente-chart"' in html), page
        # Never a script tag the parser runs before painting: the head's loader adds it after the first paint.
        assert not re.search(r'<script[^>]*\ssrc="[^"]*' + re.escape(VEGA_BUNDLE), html), page
        assert ICON_SCRIPT not in html, page
        # The extensions Jupyter Book always loads, only where their markup is: no page has toggles or
        # sphinx-design's cards, and only pages with a highlighted code block get the copy button.
        assert "togglebutton" not in html and "sphinx-design" not in html and "design-tabs" not in html, page
        assert ("copybutton.js" in html) == ('class="highlight' in html), page


def test_the_icon_fonts_hold_every_icon_the_pages_show_and_little_else():
    from entente import iconfont
    from fontTools.ttLib import TTFont

    require(HTML.is_dir(), f"no web book in {HTML}")
    by_icon, own = iconfont.glyphs_by_icon((HTML / iconfont.STYLESHEET).read_text(encoding="utf-8"))
    shown = iconfont.icons_on_pages((HTML / p).read_text(encoding="utf-8") for p in PAGES)
    wanted = own.union(*(by_icon[name] for name in shown if name in by_icon))
    assert {"magnifying-glass", "bars", "sun", "moon"} <= shown  # the theme's header, on every page
    fonts = sorted((HTML / iconfont.WEBFONTS).glob("*.woff2"))
    held = set()
    for font in fonts:
        held |= set(TTFont(font).getBestCmap())
        assert font.stat().st_size < 10_000, f"{font.name}: {font.stat().st_size} bytes, not cut down"
    originals = set().union(*(set(TTFont(f).getBestCmap()) for f in iconfont.theme_webfonts().glob("*.woff2")))
    assert wanted & originals <= held, f"icons missing from the cut fonts: {sorted(map(hex, wanted - held))}"
    assert held <= wanted | {0x20}, f"glyphs no page shows: {sorted(map(hex, held - wanted))}"


@pytest.mark.build
def test_a_page_without_a_chart_fetches_no_vega_bundle(browser):
    """In the browser: a page with charts fetches the bundle and draws them, pages without fetch neither
    the bundle nor the icon-font script, and their icons still come (from the theme's web font)."""
    charted = [p for p in PAGES if _page_has(p, 'class="entente-chart"')]
    plain = [p for p in PAGES if p != "index.html" and p not in charted]
    require(bool(charted and plain), f"no web book in {HTML}")
    for page in (charted[0], *plain):
        visit = Visit(browser, file_url(page))
        try:
            visit.wait_for_charts()
            drawn = visit.chart_sizes()
            icon = visit.page.evaluate("""() => { const i = document.querySelector('.fa-solid');
                return i ? getComputedStyle(i, '::before').fontFamily : null; }""")
        finally:
            visit.close()
        assert (VEGA_BUNDLE in _fetched(visit)) == (page in charted), f"{page}: {sorted(_fetched(visit))}"
        assert ICON_SCRIPT not in _fetched(visit), page
        assert all(s["width"] > MIN_SIZE for s in drawn), f"{page}: charts not drawn: {drawn}"
        assert icon is None or "Font Awesome" in icon, f"{page}: the theme's icons lost their font ({icon})"
        assert visit.errors == [] and visit.outside == [], page


@pytest.mark.build
def test_charts_are_drawn_in_the_height_kept_for_them(browser):
    """Before vega draws, each chart's element already has its drawing's height (entente.pages keeps it as
    a min-height), so the text after a chart stays where it was when the chart appears. The controls some
    charts bind below their drawing are not counted in it."""
    charted = [p for p in PAGES if _page_has(p, 'class="entente-chart"')]
    require(bool(charted), f"no web book in {HTML}")
    for page in charted:
        visit = Visit(browser, file_url(page))
        try:
            visit.wait_for_charts()
            found = visit.page.eval_on_selector_all(".entente-chart", """charts => charts.map(c => ({
                id: c.id, kept: parseFloat(c.style.minHeight),
                drawn: c.querySelector('svg.marks').getBoundingClientRect().height}))""")
        finally:
            visit.close()
        assert found, page
        for chart in found:
            assert chart["kept"] > MIN_SIZE and abs(chart["drawn"] - chart["kept"]) <= 2, f"{page}: {chart}"


# --- every width: a phone's and a desktop's ------------------------------------------------------------

WIDTHS = {"phone": 390, "desktop": 1280}
# Where each chart's drawing sits against its own element and the window; and how far the page itself
# scrolls sideways (what the reader would have to pan).
FIT_JS = """() => ({
    sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    window: window.innerWidth,
    // Tables of the text that are in no box of their own that scrolls sideways.
    loose: [...document.querySelectorAll('article table')].filter(t => {
        for (let e = t.parentElement; e && e.tagName !== 'ARTICLE'; e = e.parentElement) {
            if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) return false;
        }
        return true;
    }).map(t => (t.querySelector('caption') || t).textContent.trim().slice(0, 60)),
    charts: [...document.querySelectorAll('.entente-chart')].map(c => {
        const drawn = c.querySelector('svg.marks, canvas.marks');
        const box = c.getBoundingClientRect(), art = drawn ? drawn.getBoundingClientRect() : null;
        // Text the drawing cuts at its edge: titles, labels and legends past the SVG's own box.
        // (Vega hides a label it leaves out by making it transparent: that one is not cut, it is not shown.)
        const texts = drawn ? [...drawn.querySelectorAll('text')].filter(t => getComputedStyle(t).opacity !== '0')
                                  .map(t => t.getBoundingClientRect()).filter(r => r.width > 0) : [];
        const cut = art ? texts.filter(r => r.left < art.left - 1 || r.right > art.right + 1).length : 0;
        return {id: c.id, fit: c.dataset.fit, left: box.left, right: box.right, cut: cut,
                overflow: getComputedStyle(c).overflowX, inner: c.clientWidth, content: c.scrollWidth,
                width: art ? art.width : 0, height: art ? art.height : 0};
    }),
})"""


def _page_has_chart(page: str) -> bool:
    return (HTML / page).is_file() and 'class="entente-chart"' in (HTML / page).read_text(encoding="utf-8")


def screenshot_at(page: str, width: str) -> Path:
    return SHOTS / width / (page.removesuffix(".html").replace("/", "__") + ".png")


@pytest.mark.build
@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("page", PAGES)
def test_page_fits_the_width(browser, page, width):
    """At a phone's width (390 px) and a desktop's, the page never scrolls sideways and every chart is drawn
    whole: a chart sized to its column fits in it; one that cannot narrow (a facet, the explorer) scrolls in
    its own box, which stays inside the window; every table sits in a box that scrolls sideways.
    Screenshots in _build/screenshots/<width>/."""
    require((HTML / page).is_file(), f"no {page} in {HTML} (run `make book` first)")
    visit = Visit(browser, file_url(page), width=WIDTHS[width])
    try:
        visit.wait_for_charts()
        found = visit.page.evaluate(FIT_JS)
        shot = screenshot_at(page, width)
        shot.parent.mkdir(parents=True, exist_ok=True)
        keep_screenshot(visit.page, shot)
    finally:
        visit.close()
    assert found["sideways"] <= 0, f"{page} scrolls sideways by {found['sideways']} px at {WIDTHS[width]} px"
    assert found["loose"] == [], f"{page}: tables that cannot scroll in a box of their own: {found['loose']}"
    for chart in found["charts"]:
        assert chart["width"] > MIN_SIZE and chart["height"] > MIN_SIZE, f"{page}: chart not drawn: {chart}"
        assert chart["left"] >= 0 and chart["right"] <= found["window"] + 0.5, f"{page}: chart box leaves the window: {chart}"
        assert chart["cut"] == 0, f"{page}: {chart['cut']} texts cut at the chart's edge at {WIDTHS[width]} px: {chart}"
        if chart["fit"] == "container":
            assert chart["width"] <= chart["inner"] + 0.5, f"{page}: chart wider than its column: {chart}"
        else:
            assert chart["fit"] == "scroll" and chart["overflow"] in ("auto", "scroll"), f"{page}: {chart}"


# In the theme's dark mode each chart keeps the light background of its own (entente.theme.BACKGROUND) that its
# dark text and marks were chosen for; the page around it turns dark.
DARK_JS = """() => ({
    mode: document.documentElement.dataset.theme,
    page: getComputedStyle(document.body).backgroundColor,
    charts: [...document.querySelectorAll('.entente-chart svg.marks')].map(s => ({
        background: getComputedStyle(s).backgroundColor,
        text: [...new Set([...s.querySelectorAll('.role-title text, .role-axis text, .role-legend text')]
                   .map(t => getComputedStyle(t).fill))],
    })),
})"""


def _rgb(colour: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[\d.]+", colour)[:3])


def _luminance(colour: str) -> float:
    """WCAG's relative luminance of a CSS rgb() colour."""
    channel = lambda v: v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v / 255) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.build
@pytest.mark.parametrize("page", [p for p in PAGES if _page_has_chart(p)] or [None])
def test_charts_stay_legible_in_dark_mode(browser, page):
    """With the theme switched to dark, every chart is drawn on its own light background, and its titles, axes and
    legends keep a contrast of at least 4.5:1 against it (WCAG AA)."""
    require(page is not None, f"no web book in {HTML}, or no page draws a chart")
    visit = Visit(browser, file_url(page), dark=True)
    try:
        visit.page.evaluate("() => { localStorage.setItem('mode', 'dark'); }")
        visit.page.reload(wait_until="load")
        visit.wait_for_charts()
        found = visit.page.evaluate(DARK_JS)
        shot = screenshot_at(page, "dark")
        shot.parent.mkdir(parents=True, exist_ok=True)
        keep_screenshot(visit.page, shot)
    finally:
        visit.close()
    assert found["mode"] == "dark", f"{page}: the theme did not switch to dark mode ({found['mode']})"
    assert _luminance(found["page"]) < 0.2, f"{page}: the page is not dark: {found['page']}"
    assert found["charts"], f"{page}: no chart drawn"
    for chart in found["charts"]:
        assert _luminance(chart["background"]) > 0.9, f"{page}: a chart without its light background: {chart}"
        assert chart["text"], f"{page}: a chart with no title, axis or legend text: {chart}"
        weak = [t for t in chart["text"] if contrast(t, chart["background"]) < 4.5]
        assert weak == [], f"{page}: chart text too faint on its background: {weak}"


# --- interactivity: Altair's bound controls and tooltips -----------------------------------------

CONTROLS = ".vega-bind select, .vega-bind input[type=range], .vega-bind input[type=radio], .vega-bind input[type=checkbox]"
# What a chart shows: its SVG, or for a canvas its pixels.
SHOWN_JS = """c => { const s = c.querySelector('svg.marks'); if (s) return s.outerHTML;
                     const k = c.querySelector('canvas.marks'); return k ? k.toDataURL() : ''; }"""


def _settle(page) -> None:
    page.wait_for_timeout(300)  # vega re-renders on the next animation frame; this is not a timing test


def _try_each_value(page, chart, control) -> bool:
    """Set the control to each of its other values in turn; True once the chart shows something else. A select
    box is then set back, so the next control is tried on its own (four filters at once may select nothing)."""
    before = chart.evaluate(SHOWN_JS)
    kind = control.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
    if kind.startswith("select"):
        current = control.input_value()
        values = [v for v in control.eval_on_selector_all("option", "os => os.map(o => o.value)") if v != current]
    elif kind.endswith(":range"):
        lo, hi, now = (float(control.get_attribute(a) or d) for a, d in (("min", 0), ("max", 100), ("value", 0)))
        values = [str(v) for v in (lo, hi, (lo + hi) / 2) if v != now]
    else:  # radio or checkbox: clicking is the change
        values = ["click"]
    for value in values:
        if value == "click":
            control.click()
        elif kind.startswith("select"):
            control.select_option(value)
        else:
            control.evaluate(
                "(e, v) => { e.value = v; e.dispatchEvent(new Event('input', {bubbles: true}));"
                " e.dispatchEvent(new Event('change', {bubbles: true})); }", value)
        _settle(page)
        if chart.evaluate(SHOWN_JS) != before:
            if kind.startswith("select"):
                control.select_option(current)
                _settle(page)
            return True
    return False


def _page_has(page: str, text: str) -> bool:
    return (HTML / page).is_file() and text in (HTML / page).read_text(encoding="utf-8")


def pages_with_controls() -> list[str]:
    """Pages whose chart specs bind a parameter to an input (Altair's `bind=`)."""
    return [p for p in PAGES if _page_has(p, '"bind":{')]


def test_explore_page_has_controls():
    """The explorer of the table of contents offers Altair-bound controls."""
    require(HTML.is_dir(), f"no web book in {HTML}")
    assert "chapters/explore" in toc_files()
    assert "chapters/explore.html" in pages_with_controls()


@pytest.mark.build
def test_the_explorer_lists_the_books_claims_from_its_chunks_and_applies_an_address_filter(browser):
    """The built explorer page, from disk: its list is filled from the chunk files beside it and counts every
    claim; opened with a filter in its address (as a list of claims elsewhere in the book links to it), its
    boxes show the filter and its count is pandas' count of the claims it selects."""
    require((HTML / "chapters" / "explore.html").is_file(), f"no web book in {HTML}")
    from conftest import standing_events

    from entente import explore, exploredata

    events = standing_events()
    chunks = sorted(p.name for p in (HTML / "chapters" / exploredata.folder("explore")).glob("*.js"))
    assert chunks == [exploredata.chunk_name(n) for n in range(-(-len(events) // exploredata.CHUNK_SIZE))]
    listed = """() => /(listed, most recent first|none to list)\\.$/.test(
        document.querySelector('.entente-explorer-status').textContent)"""
    field, value = "stage", events["stage"].value_counts().index[0]
    for fragment, expected in (("", events), (f"#{field}={value.replace(' ', '%20')}", events[events[field] == value])):
        visit = Visit(browser, file_url("chapters/explore.html") + fragment)
        try:
            visit.page.wait_for_function(listed, timeout=20_000)
            status = visit.page.eval_on_selector(".entente-explorer-status", "e => e.textContent")
            ids = visit.page.eval_on_selector_all(".entente-explorer-list tbody td:first-child a",
                                                  "cells => cells.map(c => c.textContent)")
            shown = visit.page.eval_on_selector(f".vega-bind select[name={field}]", "e => e.value")
        finally:
            visit.close()
        assert status.startswith(explore.match_text(len(expected), len(events)) + ";"), status
        assert set(ids) <= set(expected["event_id"]) and len(ids) == min(len(expected), explore.LIST_LIMIT)
        assert shown == (value if fragment else explore.ALL)
        assert visit.errors == [] and visit.outside == []


@pytest.mark.build
@pytest.mark.parametrize("page", pages_with_controls() or [None])
def test_bound_controls_change_the_chart(browser, page):
    """Every Altair control on the page (select, slider, radio, checkbox) changes what its chart shows."""
    require(page is not None, f"no web book in {HTML}, or no page binds a chart parameter to a control")
    visit = Visit(browser, file_url(page))
    try:
        visit.wait_for_charts()
        checked = 0
        for chart in visit.page.query_selector_all(".entente-chart"):
            for control in chart.query_selector_all(CONTROLS):
                name = control.evaluate("e => e.closest('.vega-bind').innerText.trim() || e.name")
                assert _try_each_value(visit.page, chart, control), f"{page}: control {name!r} changes nothing"
                checked += 1
        assert checked, f"{page}: the spec binds parameters but no control was drawn"
    finally:
        visit.close()
    assert visit.errors == [] and visit.outside == []


def _tooltip_shows(page, chart) -> bool:
    """Hover the chart's marks one by one until vega's tooltip appears."""
    for mark in chart.query_selector_all(".role-mark path, .role-mark rect, .role-mark text")[:40]:
        mark.scroll_into_view_if_needed()
        box = mark.bounding_box()
        if not box or box["width"] * box["height"] == 0:
            continue
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        _settle(page)
        if page.query_selector("#vg-tooltip-element.visible"):
            return True
    return False


@pytest.mark.build
@pytest.mark.parametrize("page", [p for p in PAGES if _page_has(p, '"tooltip":')] or [None])
def test_tooltips_show(browser, page):
    """On each page with tooltips, hovering a mark of the first such chart shows one."""
    require(page is not None, f"no web book in {HTML}, or no chart of the book has a tooltip")
    visit = Visit(browser, file_url(page))
    try:
        visit.wait_for_charts()
        charts = [c for c in visit.page.query_selector_all(".entente-chart")
                  if '"tooltip"' in (c.evaluate("c => c.nextElementSibling ? c.nextElementSibling.textContent : ''"))]
        assert charts, f"{page}: no chart carries its tooltip spec"
        assert _tooltip_shows(visit.page, charts[0]), f"{page}: hovering the marks shows no tooltip"
    finally:
        visit.close()


@pytest.mark.build
def test_renderer_controls_and_tooltip_in_a_page_of_our_own(browser, tmp_path):
    """The renderer's HTML with the book's vega bundle, from disk: select, slider, brush and tooltip work.

    Independent of what the chapters draw today, so the mechanism stays tested.
    """
    bundle = HTML / "_static" / "entente-vega.js"
    require(bundle.is_file(), f"no vega bundle in {bundle.parent} (run `make book` first)")
    import altair as alt
    import pandas as pd

    from entente import render

    frame = pd.DataFrame({"x": range(12), "y": [(i * 5) % 7 for i in range(12)], "k": ["a", "b", "c"] * 4})
    pick = alt.param(name="pick", value="a", bind=alt.binding_select(options=["a", "b", "c"], name="Group "))
    top = alt.param(name="top", value=6, bind=alt.binding_range(min=1, max=12, step=1, name="Up to "))
    brush = alt.selection_interval(encodings=["x"], name="brush")
    chart = alt.Chart(frame).mark_bar().encode(
        x="x:O", y="y:Q", tooltip=["x", "y", "k"],
        color=alt.condition(brush, alt.value("#1f77b4"), alt.value("#cccccc")),
    ).transform_filter((alt.datum.k == pick) | (alt.datum.x < top)).add_params(pick, top, brush)
    page_file = tmp_path / "chart.html"
    page_file.write_text(f'<!doctype html><html><head><meta charset="utf-8"><script src="{bundle.as_uri()}"></script>'
                         f'</head><body>{render.chart_html(chart.to_dict())}</body></html>', encoding="utf-8")
    visit = Visit(browser, page_file.as_uri())
    try:
        visit.wait_for_charts()
        element = visit.page.query_selector(".entente-chart")
        for control in element.query_selector_all(CONTROLS):
            assert _try_each_value(visit.page, element, control)
        assert _tooltip_shows(visit.page, element), "no tooltip on hover"
        before = element.evaluate(SHOWN_JS)
        box = element.query_selector("svg.marks").bounding_box()
        y = box["y"] + box["height"] / 2
        visit.page.mouse.move(box["x"] + box["width"] * 0.3, y)
        visit.page.mouse.down()
        visit.page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=5)
        visit.page.mouse.up()
        _settle(visit.page)
        assert element.evaluate(SHOWN_JS) != before, "brushing changes nothing"
    finally:
        visit.close()
    assert visit.errors == [] and visit.outside == []


# --- downloads --------------------------------------------------------------------------------------

def _download_links() -> list[str]:
    page = HTML / "chapters" / "downloads.html"
    require(page.is_file(), f"no downloads page in {HTML}")
    return re.findall(r'href="\.\./(downloads/[^"#]+)"', page.read_text(encoding="utf-8"))


def test_downloads_are_offered_and_present():
    links = _download_links()
    assert links, "the downloads page links nothing"
    missing = [link for link in links if not (HTML / link).is_file()]
    assert missing == [], f"dead download links: {missing}"
    package = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        assert f"downloads/{resource['path']}" in links
        assert filecmp.cmp(HTML / "downloads" / resource["path"], ROOT / resource["path"], shallow=False)
    assert "downloads/datapackage.json" in links
    # The PDF is linked exactly when one has been built: never a dead link, never left out.
    assert ("downloads/entente-report.pdf" in links) == (BUILD / "entente-report.pdf").is_file()


def test_each_chapter_comes_as_a_notebook():
    import nbformat

    links = _download_links()
    chapters = [name for name in toc_files() if runs_code(name)]
    assert chapters
    for name in chapters:
        link = f"downloads/notebooks/{Path(name).name}.ipynb"
        assert link in links
        notebook = nbformat.read(HTML / link, as_version=4)
        nbformat.validate(notebook)
        assert any(c.cell_type == "code" for c in notebook.cells)


# --- reproducibility --------------------------------------------------------------------------------

def test_known_sources_of_difference_are_gone():
    """Chart ids come from the spec, not uuid4; no page carries a build time; notebooks have fixed cell ids.

    The full check is the second build below; this one is quick and names the usual culprits.
    """
    require(HTML.is_dir(), f"no web book in {HTML}")
    ids = re.compile(r'class="entente-chart" id="([^"]+)"')
    for page in PAGES:
        html = (HTML / page).read_text(encoding="utf-8")
        for element in ids.findall(html):
            assert re.fullmatch(r"entente-chart-\d+-[0-9a-f]{10}", element), f"{page}: chart id {element}"
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", html), \
            f"{page}: a random (uuid4) id"
        assert "Last updated" not in html, f"{page}: a build time"
    index = (HTML / "searchindex.js").read_text(encoding="utf-8")
    assert not re.search(r'":\[\]', index), "the search index keeps words no page has (an incremental-build leftover)"
    for notebook in (HTML / "downloads" / "notebooks").glob("*.ipynb"):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        assert all(re.fullmatch(r"cell-\d+", c["id"]) for c in cells), notebook.name


@pytest.mark.slow
def test_a_second_build_is_byte_identical(tmp_path):
    """Build the book again in another folder, as `make all` does, with no execution cache; compare.

    The copy runs every notebook afresh, so this also shows the pages and the PDF depend neither on
    the cache, the clock, random ids nor the folder the project sits in.
    """
    require(HTML.is_dir(), f"no web book in {HTML} to compare with")
    copy = tmp_path / "book"
    shutil.copytree(ROOT, copy, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "_build", "__pycache__", "*.egg-info", ".pytest_cache", ".ipynb_checkpoints",
        "node_modules"))  # the Lighthouse benchmark's npm install, when it has run
    # The same dates as the Makefile gives the first build (make exports them; a bare pytest does not).
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or subprocess.run(
        ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True).stdout.strip() or "0"
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch, "FORCE_SOURCE_DATE": "1", "PYTHONPATH": str(copy)}
    venv = ROOT / ".venv" / "bin"
    made = subprocess.run([str(venv / "python"), "-m", "entente.assets", str(copy)], env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    build = [str(venv / "jupyter-book"), "build", str(copy), "-W", "-n", "--keep-going"]
    if (BUILD / "entente-report.pdf").is_file():  # the first build made the PDF: so does this one
        result = subprocess.run([*build, "--builder", "pdflatex"], cwd=copy, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        shutil.copyfile(copy / "_build" / "latex" / "book.pdf", copy / "_build" / "entente-report.pdf")
        # Which of the LaTeX build's inputs differ, if the PDFs do: the figures (named by hash) or book.tex.
        inputs = lambda top: {p.name: p.read_bytes() for p in (top / "_build" / "latex").glob("*")
                              if p.suffix in (".tex", ".pdf") and p.name != "book.pdf"}
        first_in, second_in = inputs(ROOT), inputs(copy)
        differ = sorted(set(first_in) ^ set(second_in)) + sorted(
            n for n in set(first_in) & set(second_in) if first_in[n] != second_in[n])
        assert (copy / "_build" / "entente-report.pdf").read_bytes() == (BUILD / "entente-report.pdf").read_bytes(), \
            f"the two PDFs differ (was the first one built from this commit, by `make all`?); LaTeX inputs that differ: {differ}"
    result = subprocess.run(build, cwd=copy, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    first, second = HTML, copy / "_build" / "html"
    files = lambda top: sorted(p.relative_to(top).as_posix() for p in top.rglob("*") if p.is_file())
    assert files(first) == files(second)
    differ = [f for f in files(first) if (first / f).read_bytes() != (second / f).read_bytes()]
    assert differ == [], f"files that differ between two builds: {differ}"


# --- each chart's data beside it: a CSV download and a table view (entente.chartdata) -----------------------

CHART_DATA = re.compile(r'<div class="entente-chart" id="([^"]+)"[^>]*aria-label="([^"]*)"></div>\n<script[^>]*>'
                        r'ententeChart\("#[^"]+", (\{.*?\})\)\.catch.*?</script>\n(?:<p class="entente-stamp">[^<]*</p>\n)?'
                        r'<p class="entente-chart-download"[^>]*><a download="([^"]+)" href="([^"]*)">'
                        r'.*?</a></p>\n<details class="entente-chart-data"[^>]*><summary>Data table</summary>(.*?)</details>', re.S)


def chart_data(page: str) -> list[dict]:
    """Every chart of a built page with its aria-label, its spec, its CSV (parsed) and its table view."""
    import html as html_module
    import io

    import pandas as pd

    text = (HTML / page).read_text(encoding="utf-8")
    out = []
    for element, label, spec, name, href, view in CHART_DATA.findall(text):
        # The builder writes each CSV to a file beside the page (entente.chartdata), linked relatively.
        target = (HTML / page).parent / unquote(html_module.unescape(href))
        assert not href.startswith("data:") and target.is_file(), f"{page}: {href}"
        csv_text = target.read_text(encoding="utf-8")
        out.append({"id": element, "label": html_module.unescape(label), "spec": json.loads(spec), "name": name, "href": href,
                    "csv": pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False), "view": view})
    return out


def _csv_ids(frame) -> list[list[str]]:
    return [cell.split(";") if cell else [] for cell in frame["Claim ids"]]


CHARTED = [p for p in PAGES if _page_has_chart(p)]


@pytest.mark.parametrize("page", CHARTED or [None])
def test_every_chart_has_its_csv_and_table_view(page):
    """As many CSV links and table views as charts, each right after its chart, the CSV named for download."""
    require(page is not None, f"no web book in {HTML}, or no page draws a chart")
    html = (HTML / page).read_text(encoding="utf-8")
    found = chart_data(page)
    assert len(found) == html.count('class="entente-chart"') > 0, f"{page}: a chart without its data beside it"
    assert html.count('class="entente-chart-download"') == html.count('<details class="entente-chart-data"') == len(found)
    for chart in found:
        assert chart["name"].endswith(".csv") and len(chart["csv"]) > 0, f"{page}: {chart['name']}"
        assert chart["href"] == f"chartdata/{Path(page).stem}/{chart['name']}", f"{page}: {chart['href']}"
        assert list(chart["csv"].columns)[-1] == "Claim ids"
        assert "<table" in chart["view"] and '<th scope="col">Claim ids</th>' in chart["view"]
        # The table view has a row per CSV row.
        assert chart["view"].count("<tr>") == len(chart["csv"]) + 1


def _anchors(register_page: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', (HTML / "chapters" / register_page).read_text(encoding="utf-8")))


def test_every_claim_id_of_every_chart_resolves_to_its_register_entry():
    """Each id in a chart's CSV is a claim of the register, at the address the table view links it to."""
    require(bool(CHARTED), f"no web book in {HTML}, or no page draws a chart")
    from entente import register

    anchors: dict[str, set[str]] = {}
    seen = 0
    for page in CHARTED:
        for chart in chart_data(page):
            for ids in _csv_ids(chart["csv"]):
                for cid in ids:
                    target, anchor = register.href(cid).split("#")
                    anchors.setdefault(target, _anchors(target) if (HTML / "chapters" / target).is_file() else set())
                    assert anchor in anchors[target], f"{page}: {cid} has no entry in {target}"
                    seen += 1
            for target in re.findall(r'<a href="([^"]+)"', chart["view"]):
                file, anchor = target.split("#")
                assert (HTML / Path(page).parent / file).is_file() and anchor in _anchors(file), f"{page}: {target}"
    assert seen > 0


def _given_data(spec: dict) -> list[list[dict]]:
    """The rows a drawn (Vega) chart is given: every data set of its own values (the others derive from them)."""
    return [data["values"] for data in vega_parts(spec, "data") if "values" in data]


def _spec_rows(spec: dict) -> list[dict]:
    (rows,) = _given_data(spec)
    return rows


@pytest.mark.parametrize("page", CHARTED or [None])
def test_each_csv_holds_the_numbers_its_chart_draws(page):
    """Where a chart draws one dataset of counts, its CSV has a row per mark with the same count, and as
    many ids as that count; the explorer's CSV has a row per timeline mark, with the claims the mark names."""
    require(page is not None, f"no web book in {HTML}, or no page draws a chart")
    for chart in chart_data(page):
        frame, spec = chart["csv"], chart["spec"]
        ids = _csv_ids(frame)
        rows = _spec_rows(spec)
        assert len(rows) == len(frame), f"{page}: {chart['name']}"
        if "claims" in rows[0]:
            assert [int(n) for n in frame["Claims"]] == [r["claims"] for r in rows] == [len(i) for i in ids], chart["name"]
        elif "ids" in rows[0]:  # the explorer's ticks: each names its claims, the first ten, then how many more
            for row, listed in zip(rows, ids):
                named, _, more = row["ids"].partition(" and ")
                assert set(named.split(", ")) <= set(listed), chart["name"]
                assert len(listed) == len(named.split(", ")) + (int(more.split()[0]) if more else 0), chart["name"]
        else:  # one mark per claim
            assert [i for i in ids] == [[r["event_id"]] for r in rows], chart["name"]


def test_the_main_findings_csv_matches_pandas_counts_of_the_raw_data():
    """On the title page, the flow chart's CSV summed by direction and stage equals the raw data's counts."""
    require((HTML / "chapters" / "intro.html").is_file(), f"no web book in {HTML}")
    from conftest import standing_events

    events = standing_events()
    (flow,) = [c for c in chart_data("chapters/intro.html") if c["name"] == "what-moves-between-iran-and-russia.csv"]
    frame = flow["csv"].assign(n=flow["csv"]["Claims"].astype(int))
    got = frame.groupby(["Direction of flow", "Stage"])["n"].sum().to_dict()
    moving = events[events["direction"].isin(set(frame["Direction of flow"]))]
    assert got == moving.groupby(["direction", "stage"]).size().to_dict()
    assert sorted(i for ids in _csv_ids(frame) for i in ids) == sorted(moving["event_id"])


@pytest.mark.parametrize("page", CHARTED or [None])
def test_each_charts_text_alternative_gives_its_numbers(page):
    """Each chart's aria-label is its own description with counts in it, and the total it states is the
    number of claims its CSV holds (where it states one)."""
    require(page is not None, f"no web book in {HTML}, or no page draws a chart")
    labels = [c["label"] for c in chart_data(page)]
    assert len(set(labels)) == len(labels), f"{page}: two charts share a text alternative"
    for chart in chart_data(page):
        assert re.search(r"\b\d+\b", chart["label"]), f"{page}: {chart['label']}"
        claims = {i for ids in _csv_ids(chart["csv"]) for i in ids}
        stated = re.match(r"Bar chart of (\d+) claims", chart["label"])
        if stated:
            assert int(stated.group(1)) == len(claims), f"{page}: {chart['label']}"


@pytest.mark.build
@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_table_view_opens_by_keyboard_and_fits(browser, width):
    """On the title page: Tab reaches each table view's summary, Enter opens it, and with every table view
    open the page still never scrolls sideways (the table scrolls in its own box, which the keyboard
    reaches too). Screenshots in _build/screenshots/<width>/intro-tables-open.png."""
    require((HTML / "chapters" / "intro.html").is_file(), f"no web book in {HTML}")
    visit = Visit(browser, file_url("chapters/intro.html"), width=WIDTHS[width])
    try:
        visit.wait_for_charts()
        summaries = visit.page.query_selector_all("details.entente-chart-data > summary")
        assert summaries
        for summary in summaries:
            summary.focus()
            assert visit.page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
            visit.page.keyboard.press("Enter")
        state = visit.page.evaluate("""() => ({
            open: [...document.querySelectorAll('details.entente-chart-data')].map(d => d.open),
            shown: [...document.querySelectorAll('.entente-chart-table table')].map(t => t.getBoundingClientRect().height),
            boxes: [...document.querySelectorAll('.entente-chart-table')].map(b => ({tab: b.tabIndex, overflow: getComputedStyle(b).overflowX,
                                                                                    right: b.getBoundingClientRect().right})),
            sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            window: window.innerWidth})""")
        shot = screenshot_at("chapters/intro-tables-open.html", width)
        shot.parent.mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(path=str(shot), full_page=True)
    finally:
        visit.close()
    assert all(state["open"]) and all(h > 0 for h in state["shown"]), state
    assert state["sideways"] <= 0, f"the page scrolls sideways by {state['sideways']} px with the tables open"
    for box in state["boxes"]:
        assert box["tab"] == 0 and box["overflow"] in ("auto", "scroll") and box["right"] <= state["window"] + 0.5, box
    assert visit.errors == [] and visit.outside == []


@pytest.mark.build
def test_the_csv_link_downloads_the_charts_data(browser, tmp_path):
    """Clicking a chart's CSV link in chromium, from disk, saves a file of that name holding the chart's rows."""
    require((HTML / "chapters" / "intro.html").is_file(), f"no web book in {HTML}")
    expected = chart_data("chapters/intro.html")[0]
    visit = Visit(browser, file_url("chapters/intro.html"))
    try:
        visit.context.set_default_timeout(10_000)
        with visit.page.expect_download() as event:
            visit.page.click("p.entente-chart-download a >> nth=0")
        download = event.value
        path = tmp_path / download.suggested_filename
        download.save_as(path)
    finally:
        visit.close()
    assert download.suggested_filename == expected["name"]
    import pandas as pd

    assert pd.read_csv(path, dtype=str, keep_default_na=False).equals(expected["csv"])
