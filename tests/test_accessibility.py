"""Accessibility of the web book: axe-core on every page, only pages published, the explorer by keyboard.

axe-core comes with the project: the pinned `axe-playwright-python` package (requirements.txt) ships
`axe.min.js`, which is injected into each page opened from disk in Debian's chromium, with the network
refused (tests/test_web.py's `Visit`). Its WCAG 2.0 and 2.1 rules at levels A and AA run on every page;
a violation of serious or critical impact fails the page.

The explorer's controls are then used the way a reader without a mouse would: each is reached with
Tab, shows where the focus is, and is changed from the keyboard, and the count and list follow.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from conftest import IN_CI, ROOT, raw, require
from entente import access, explore
from test_explore import _first_day
from test_web import HTML, PAGES, Visit, browser, file_url  # noqa: F401  (browser is a fixture)

RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
EXPLORER = "chapters/explore.html"


def axe_script() -> Path:
    try:
        from axe_playwright_python.base import AXE_FILE_PATH
    except ImportError:
        require(False, "axe-playwright-python (axe-core) is not installed: `make install` installs it")
    require(AXE_FILE_PATH.is_file(), f"no axe-core script at {AXE_FILE_PATH}")
    return AXE_FILE_PATH


def axe(visit: Visit) -> list[dict]:
    """axe-core's WCAG A/AA violations on the page shown, as {rule, impact, help, targets}."""
    visit.page.add_script_tag(path=str(axe_script()))
    result = visit.page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                                 " resultTypes: ['violations']})", RULE_TAGS)
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [" ".join(map(str, n["target"])) for n in v["nodes"]][:5]} for v in result["violations"]]


# --- the fixes, on their own ---------------------------------------------------------------------

CITATIONS = """Text [CIT1]_ and [CIT2]_.

.. [CIT1] One report.
.. [CIT2] Another.
"""


def docutils_citations() -> str:
    """A citation list as docutils (the writer Sphinx uses) writes it."""
    from docutils.core import publish_parts

    return publish_parts(CITATIONS, writer_name="html5")["body"]


def test_citation_entries_become_items_of_their_list():
    body = docutils_citations()
    assert '<div role="list" class="citation-list">' in body and body.count('role="doc-biblioentry"') == 2
    fixed = access.citations_as_list_items(body)
    assert "doc-biblioentry" not in fixed and fixed.count('role="listitem"') == 2
    assert fixed.replace('role="listitem"', 'role="doc-biblioentry"') == body  # nothing else touched


@pytest.mark.build
def test_axe_flags_docutils_citation_list_and_passes_the_fixed_one(browser, tmp_path):
    """The rule the references page broke, shown on a page of our own: axe-core fails docutils' list, not ours."""
    found = {}
    for name, body in (("docutils", docutils_citations()), ("fixed", access.citations_as_list_items(docutils_citations()))):
        page = tmp_path / f"{name}.html"
        page.write_text(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{name}</title></head>'
                        f"<body><main>{body}</main></body></html>", encoding="utf-8")
        visit = Visit(browser, page.as_uri())
        try:
            found[name] = {v["rule"] for v in axe(visit) if v["impact"] in BLOCKING}
        finally:
            visit.close()
    assert found == {"docutils": {"aria-required-children"}, "fixed": set()}


def test_template_fragments_are_found_in_static_only(tmp_path):
    (tmp_path / "_static" / "styles").mkdir(parents=True)
    for name in ("_static/webpack-macros.html", "_static/styles/x.html", "_static/app.js", "chapters/intro.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in access.template_fragments(tmp_path)] == [
        "_static/styles/x.html", "_static/webpack-macros.html"]


def test_the_bare_redirect_becomes_a_page_that_still_redirects():
    bare = '<meta http-equiv="Refresh" content="0; url=chapters/intro.html" />\n'  # sphinx-external-toc's
    page = access.redirect_page(bare, 'A "book" <of> claims', "en")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>A &quot;book&quot; &lt;of&gt; claims</title>" in page
    assert '<meta http-equiv="Refresh" content="0; url=chapters/intro.html">' in page
    assert '<a href="chapters/intro.html">' in page
    # Written again by the next build (sphinx-external-toc leaves an existing index.html alone), with its title.
    assert access.redirect_page(page, "Another", "en") == access.redirect_page(bare, "Another", "en")
    assert access.redirect_page("<p>no redirect</p>", "Another", "en") is None
    book_page = (HTML / "chapters" / "intro.html")
    if book_page.is_file():
        assert access.redirect_page(book_page.read_text(encoding="utf-8"), "Another", "en") is None


# --- every file published is a page; every page passes axe ---------------------------------------

def published_html() -> list[Path]:
    return sorted(HTML.rglob("*.html"))


def test_every_published_html_file_is_a_page_with_a_title_and_a_language():
    """Theme fragments (Jinja macros in _static) are not published as if they were pages: every .html file the
    reader could open has a language on <html> and a non-empty <title>; the front door is titled with the book's."""
    require((HTML / "chapters" / "intro.html").is_file(), f"no web book in {HTML} (run `make book` first)")
    files = published_html()
    assert len(files) >= len(PAGES)
    lacking = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        if not re.search(r'<html[^>]*\slang="[a-z]{2}', text, re.I) or not re.search(r"<title>\s*\S[^<]*</title>", text, re.I):
            lacking.append(path.relative_to(HTML).as_posix())
    assert lacking == [], f"HTML files without <html lang> or <title>: {lacking}"
    title = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    assert f"<title>{html.escape(title)}</title>" in (HTML / "index.html").read_text(encoding="utf-8")


def test_the_references_list_has_one_item_per_source():
    """The references page's list owns list items, one per source of data/sources.csv."""
    page = HTML / "chapters" / "references.html"
    require(page.is_file(), f"no references page in {HTML} (run `make book` first)")
    text = page.read_text(encoding="utf-8")
    listed = re.search(r'<div role="list" class="citation-list">(.*?)\n</div>\n</div>', text, re.S)
    assert listed, "no citation list on the references page"
    assert "doc-biblioentry" not in text
    assert listed.group(1).count('role="listitem"') == len(raw("sources"))


@pytest.mark.build
@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_no_serious_violation(browser, page):
    """axe-core (WCAG 2.0/2.1, A and AA) on each page, once its charts are drawn: nothing serious or critical."""
    require((HTML / page).is_file(), f"no {page} in {HTML} (run `make book` first)")
    visit = Visit(browser, file_url(page))
    try:
        visit.wait_for_charts()
        found = axe(visit)
    finally:
        visit.close()
    blocking = [v for v in found if v["impact"] in BLOCKING]
    assert blocking == [], f"{page}: axe-core violations: {blocking}"


def test_axe_is_available_under_ci():
    """The suite never runs without axe-core in CI: its script comes with the pinned Python package."""
    path = axe_script()
    assert path.read_text(encoding="utf-8")[:200].startswith("/*! axe v"), path
    assert not IN_CI or path.stat().st_size > 100_000


# --- the explorer from the keyboard ---------------------------------------------------------------

class _English:
    """The browser, with pages in an English locale: the date boxes then take month, day, year in that order."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        return self._browser.new_context(locale="en-US", timezone_id="UTC", **options)


# What the explorer shows: its bound controls, what has the focus and how it is drawn, and under the chart, the
# count line and the claim ids listed (text of the page, filled by the explorer's script).
STATE_JS = """chart => {
    const focus = document.activeElement, style = getComputedStyle(focus);
    return {
        focus: chart.contains(focus) && focus !== chart ? (focus.name || focus.tagName) : (focus === chart ? 'chart' : null),
        value: focus.value === undefined ? null : focus.value,
        ring: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none',
        count: document.querySelector('.entente-explorer-status').textContent,
        ids: [...document.querySelectorAll('.entente-explorer-list tbody td:first-child')].map(t => t.textContent),
    };
}"""
# The status line once the list under the explorer is filled for the filter it counts.
LISTED_JS = """() => /(listed, most recent first|none to list)\\.$/.test(
    document.querySelector('.entente-explorer-status').textContent)"""


def _state(chart) -> dict:
    return chart.evaluate(STATE_JS)


def _settle(page) -> None:
    page.wait_for_timeout(300)  # vega redraws on the next animation frame; this is not a timing test
    page.wait_for_function(LISTED_JS, timeout=10_000)


def _tab_to_next_control(page, chart, seen: set) -> dict:
    """Press Tab until the focus reaches a control of the chart not met yet (a date box takes several presses,
    one per part of the date and one for its calendar button), or leaves the chart; the state there. Every stop
    on the way must show the focus."""
    for _ in range(10):
        page.keyboard.press("Tab")
        state = _state(chart)
        if state["focus"] is None or state["focus"] not in seen:
            return state
        assert state["ring"], f"{state['focus']}: a part of it takes the focus without showing it"
    raise AssertionError(f"Tab never left {state['focus']}")


def _dates() -> list[str]:
    """Each claim's event date as its first day, blank for none (a year stands for 1 January, a month for its 1st)."""
    return [_first_day(d) for d in raw("events")["event_date"]]


def _expected(count: int) -> str:
    total = len(raw("events"))
    return f"{count} of {total} claim{'s' if total != 1 else ''} {'matches' if count == 1 else 'match'}"


@pytest.mark.build
def test_every_explorer_control_works_from_the_keyboard_with_visible_focus(browser):
    """Tab from the explorer's scroll box reaches each select box and both date boxes in turn, each with a visible
    focus ring; Arrow keys change a select box, typed dates choose a period, and the count and list follow,
    agreeing with the data: typing a period filters exactly as dragging one does, undated claims left out."""
    require((HTML / EXPLORER).is_file(), f"no {EXPLORER} in {HTML} (run `make book` first)")
    events, dates = raw("events"), _dates()
    visit = Visit(_English(browser), file_url(EXPLORER))
    try:
        visit.wait_for_charts()
        page = visit.page
        chart = next(c for c in page.query_selector_all(".entente-chart") if c.query_selector(".vega-bind"))
        assert chart.get_attribute("tabindex") == "0" and chart.get_attribute("aria-label"), \
            "the explorer's scroll box is not reachable or has no name"
        chart.focus()
        page.wait_for_function(LISTED_JS, timeout=10_000)
        start = _state(chart)
        assert start["focus"] == "chart" and start["count"].startswith(_expected(len(events)) + ";")
        reached, seen = [], {"chart"}
        while True:
            state = _tab_to_next_control(page, chart, seen)
            if state["focus"] is None:
                break
            name = state["focus"]
            seen.add(name)
            reached.append(name)
            assert state["ring"], f"{name}: no visible focus when reached with Tab"
            if name in explore.FILTERS:
                page.keyboard.press("ArrowDown")  # the first value after "all"
                _settle(page)
                changed = _state(chart)
                value = changed["value"]
                assert value != "all", f"{name}: ArrowDown did not change the select box"
                hits = events[events[name] == value]
                assert changed["count"].startswith(_expected(len(hits))), (name, value, changed["count"])
                assert set(changed["ids"]) <= set(hits["event_id"]) and len(changed["ids"]) == min(len(hits), explore.LIST_LIMIT)
                page.keyboard.press("ArrowUp")  # back to "all"
                _settle(page)
                assert _state(chart)["count"].startswith(_expected(len(events)))
        assert reached == [*explore.FILTERS, *(name for name, _ in explore.PERIOD_BOUNDS)], reached

        # A period typed into the date boxes (month, day, year in this locale), from the keyboard alone.
        dated = sorted(d for d in dates if d)
        first, last = dated[len(dated) // 4], dated[(3 * len(dated)) // 4]
        for box, day in (("period_from", first), ("period_to", last)):
            page.focus(f".vega-bind input[name={box}]")
            year, month, date = day.split("-")
            page.keyboard.type(month + date + year)
            _settle(page)
            assert page.eval_on_selector(f".vega-bind input[name={box}]", "e => e.value") == day
        shown = _state(chart)
        inside = events[[bool(d) and first <= d <= last for d in dates]]
        assert 0 < len(inside) < len(events)
        assert shown["count"].startswith(_expected(len(inside))), (first, last, shown["count"])
        assert set(shown["ids"]) <= set(inside["event_id"]) and len(shown["ids"]) == min(len(inside), explore.LIST_LIMIT)
    finally:
        visit.close()
    assert visit.errors == [] and visit.outside == []
