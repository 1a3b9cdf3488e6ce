"""The static explorer's list in real chromium, on more claims than one chunk holds, from disk and over http.

A harness page holds what the book's explorer page holds (the vega bundle, the explorer's HTML as the
notebook gives it) and, beside it, the chunk files the web book's builder writes (entente.exploredata),
all made from a synthetic package (entente.synth): no book build is needed. The expectations are worked
out with plain pandas from the package's CSV files.
"""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest
from conftest import ROOT, require, standing_events
from test_explore import _first_day
from test_web import browser  # noqa: F401  (the fixture)

from entente import assets, explore, exploredata, load, render, synth

CLAIMS = 1200  # several chunks of exploredata.CHUNK_SIZE
# What the explorer page may fetch at its first view, theme aside: the page, the vega bundle, the first chunk.
FIRST_VIEW_BUDGET = 1_000_000
# What the data adds to the explorer's first view (its page and first chunk) at 100,000 claims. The rest is
# fixed: on the built book's explorer page the theme's files and the vega bundle weigh about 1.25 MB (measured
# in chromium), so within this the page stays under 1.5 MB with everything it fetches.
DATA_PART_AT_100K = 240_000
HOSTILE = "=cmd|' /C calc'!A0 <img src=x onerror=\"document.title='hacked'\"></td>"
STATUS = ".entente-explorer-status"


def _site(top, claims: int, seed: int = 5, hostile: bool = True):
    """A harness site for ``claims`` synthetic claims under ``top``: the page as the web book's builder leaves
    it (the timeline's CSV moved beside it, as entente.chartdata does), its chunks, the vega bundle."""
    from entente import chartdata

    bundle = ROOT / assets.VEGA_DIR / assets.VEGA_FILE
    require(bundle.is_file(), f"no vega bundle at {bundle} (run `python -m entente.assets`)")
    synth.write_package(claims, top / "package", seed=seed)
    data = load(top / "package")
    events = data.events.copy()
    newest = explore.with_when(events).index[0]
    if hostile:
        events.loc[newest, "summary"] = HOSTILE  # text a spreadsheet would run, and markup: both must stay text
    found = explore.explorer(events, schema=data.schema)
    site = top / "site"
    (site / exploredata.folder("explore")).mkdir(parents=True)
    shutil.copyfile(bundle, site / assets.VEGA_FILE)
    for name, text in exploredata.chunk_files(exploredata.rows(explore.with_when(events))).items():
        (site / exploredata.folder("explore") / name).write_text(text, encoding="utf-8")
    body, files = chartdata.files_beside("explore", found.html(render.chart_html(found.to_dict())))
    for path, text in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text, encoding="utf-8")
    (site / "explore.html").write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Explorer</title><link rel="icon" href="data:,">'
        f'<script src="{assets.VEGA_FILE}"></script></head><body>{body}</body></html>', encoding="utf-8")
    return site, events, found.config


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    """The folder with the harness page (explore.html), its chunks and the vega bundle; the claims, most recent
    first, as pandas reads them from the package's CSV."""
    top = tmp_path_factory.mktemp("explorer")
    site, events, config = _site(top, CLAIMS)
    assert len(config["chunkFiles"]) > 1
    raw = standing_events(top / "package")
    newest = explore.with_when(events)["event_id"].iloc[0]
    raw.loc[raw["event_id"] == newest, "summary"] = HOSTILE
    raw = raw.set_index("event_id").loc[list(explore.with_when(events)["event_id"])].reset_index()
    return site, raw, config


@pytest.fixture(scope="module")
def server(harness):
    site = harness[0]
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Tab:
    """The harness page in chromium, with what it requested and what it complained of."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(accept_downloads=True, locale="en-US", timezone_id="UTC")
        self.page = self.context.new_page()
        self.errors, self.requested = [], []
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        self.page.on("request", lambda request: self.requested.append(request.url))
        self.page.goto(url, wait_until="load")

    def listed(self, first: int, last: int) -> tuple[str, list[str]]:
        """Once the list shows claims ``first`` to ``last``: the status line and the ids listed."""
        self.page.wait_for_function(f"""() => document.querySelector('{STATUS}').textContent
            .endsWith('; claims {first} to {last} listed, most recent first.')""", timeout=20_000)
        return self.status(), self.page.eval_on_selector_all(
            ".entente-explorer-list tbody tr td:first-child", "cells => cells.map(c => c.textContent)")

    def status(self) -> str:
        return self.page.eval_on_selector(STATUS, "e => e.textContent")

    def close(self):
        self.context.close()


def _url(harness, server, scheme: str, fragment: str = "") -> str:
    base = (harness[0] / "explore.html").as_uri() if scheme == "file" else f"{server}/explore.html"
    return base + (f"#{fragment}" if fragment else "")


def _pages(n: int, limit: int = explore.LIST_LIMIT) -> list[tuple[int, int]]:
    return [(start + 1, min(n, start + limit)) for start in range(0, n, limit)]


SCHEMES = ["file", "http"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_paging_reaches_the_oldest_claim_loading_a_chunk_at_a_time(browser, harness, server, scheme):
    """The first screen loads the first chunk only; the "Older claims" button, pressed from the keyboard, pages
    through every claim, most recent first, to the oldest; the list shows hostile text as text."""
    _, raw, config = harness
    tab = Tab(browser, _url(harness, server, scheme))
    try:
        pages = _pages(len(raw))
        status, ids = tab.listed(*pages[0])
        assert status.startswith(explore.match_text(len(raw), len(raw)))
        assert ids == list(raw["event_id"][:explore.LIST_LIMIT])
        chunks = [u.rsplit("/", 1)[-1] for u in tab.requested if "/explore-data/" in u]
        assert chunks == [config["chunkFiles"][0]], "the first screen loads more than the first chunk"
        if scheme == "file":
            fetched = sum(Path(unquote(urlparse(u).path)).stat().st_size for u in set(tab.requested) if u.startswith("file:"))
            assert fetched < FIRST_VIEW_BUDGET, f"the first view fetches {fetched:,} bytes"
        first_row = tab.page.eval_on_selector_all(".entente-explorer-list tbody tr:first-child td",
                                                  "cells => cells.map(c => c.textContent)")
        assert HOSTILE in first_row and tab.page.query_selector(".entente-explorer-list img") is None
        assert tab.page.title() == "Explorer"
        older = tab.page.locator("[data-go=older]")
        seen = list(ids)
        for first, last in pages[1:]:
            older.focus()
            tab.page.keyboard.press("Enter")
            seen += tab.listed(first, last)[1]
        assert older.is_disabled() and seen == list(raw["event_id"]), "paging skipped, repeated or reordered claims"
        assert seen[-1] == raw["event_id"].iloc[-1]
        chunks = {u.rsplit("/", 1)[-1] for u in tab.requested if "/explore-data/" in u}
        assert chunks == set(config["chunkFiles"])
        tab.page.locator("[data-go=newer]").click()
        first, last = pages[-2]
        assert tab.listed(first, last)[1] == seen[first - 1:last]
    finally:
        tab.close()
    assert tab.errors == []


def _within(raw: pd.DataFrame, first: str, last: str) -> pd.Series:
    """The claims whose event date starts within the days ``first`` to ``last``; never one without a date."""
    return pd.Series([bool(d) and first <= _first_day(d) <= last for d in raw["event_date"]], index=raw.index)


def _filter(raw: pd.DataFrame, config: dict) -> tuple[str, pd.DataFrame, dict]:
    """An address filter on two select boxes and a period, and the claims pandas says it selects."""
    dated = raw[raw["event_date"] != ""]
    days = sorted(_first_day(d) for d in dated["event_date"])
    first, last = days[len(days) // 5], days[(4 * len(days)) // 5]
    field, other = config["filters"][1], config["filters"][3]
    within = _within(raw, first, last)
    value = raw[within][field].value_counts().index[0]
    second = raw[within & (raw[field] == value)][other].value_counts().index[0]
    chosen = {field: value, other: second, "period_from": first, "period_to": last}
    keep = (raw[field] == value) & (raw[other] == second) & within
    from urllib.parse import urlencode

    return urlencode(chosen), raw[keep], chosen


@pytest.mark.parametrize("scheme", SCHEMES)
def test_an_address_filter_is_applied_shown_and_counted_as_pandas_counts(browser, harness, server, scheme):
    _, raw, config = harness
    fragment, matches, chosen = _filter(raw, config)
    assert explore.LIST_LIMIT < len(matches) < len(raw) - 100
    tab = Tab(browser, _url(harness, server, scheme, fragment))
    try:
        pages = _pages(len(matches))
        status, ids = tab.listed(*pages[0])
        assert status.startswith(explore.match_text(len(matches), len(raw)) + ";"), status
        shown = {name: tab.page.eval_on_selector(f".vega-bind [name={name}]", "e => e.value") for name in chosen}
        assert shown == chosen, "the controls do not show the filter of the address"
        assert ids == list(matches["event_id"][:explore.LIST_LIMIT])
        # Changing a box resets the list to its first page and the address to the new filter.
        tab.page.select_option(f".vega-bind select[name={config['filters'][1]}]", config["all"])
        wider = raw[(raw[config["filters"][3]] == chosen[config["filters"][3]])
                    & _within(raw, chosen["period_from"], chosen["period_to"])]
        status, _ = tab.listed(*_pages(len(wider))[0])
        assert status.startswith(explore.match_text(len(wider), len(raw)))
        assert config["filters"][1] + "=" not in tab.page.evaluate("() => location.hash")
    finally:
        tab.close()
    assert tab.errors == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_csv_holds_every_match_with_its_id(browser, harness, server, scheme, tmp_path):
    _, raw, config = harness
    fragment, matches, _ = _filter(raw, config)
    tab = Tab(browser, _url(harness, server, scheme, fragment))
    try:
        tab.listed(*_pages(len(matches))[0])
        with tab.page.expect_download() as event:
            tab.page.click("[data-go=csv]")
        path = tmp_path / event.value.suggested_filename
        event.value.save_as(path)
    finally:
        tab.close()
    assert tab.errors == [] and path.name == config["csvName"]
    got = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(got.columns) == config["csvHeadings"]
    assert list(got[config["csvHeadings"][0]]) == list(matches["event_id"])
    for field in config["filters"]:
        assert list(got[config["titles"][field]]) == list(matches[field]), field


def test_the_csv_of_every_claim_keeps_hostile_text_inert(browser, harness, tmp_path):
    site, raw, config = harness
    tab = Tab(browser, (site / "explore.html").as_uri())
    try:
        tab.listed(1, explore.LIST_LIMIT)
        with tab.page.expect_download() as event:
            tab.page.click("[data-go=csv]")
        path = tmp_path / "all.csv"
        event.value.save_as(path)
    finally:
        tab.close()
    got = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(got) == len(raw) and list(got[config["csvHeadings"][0]]) == list(raw["event_id"])
    summary = config["csvHeadings"][-2]
    assert got[summary].iloc[0] == "'" + HOSTILE  # a spreadsheet shows it, never runs it


def test_a_period_with_one_bound_leaves_out_the_claims_without_an_event_date(browser, harness):
    """Only a last day typed: every dated claim up to it matches, and no undated one (the list pages agree)."""
    site, raw, _ = harness
    last = max(_first_day(d) for d in raw["event_date"] if d)
    dated = raw[_within(raw, "0000-01-01", last)]
    assert 0 < len(dated) < len(raw)
    tab = Tab(browser, (site / "explore.html").as_uri() + f"#period_to={last}")
    try:
        status, ids = tab.listed(*_pages(len(dated))[0])
    finally:
        tab.close()
    assert status.startswith(explore.match_text(len(dated), len(raw)) + ";")
    assert ids == list(dated["event_id"][:explore.LIST_LIMIT]) and tab.errors == []


@pytest.mark.slow
def test_at_100000_claims_the_first_view_stays_light(browser, tmp_path):
    """At 100,000 synthetic claims the first view fetches the page and the first chunk only, light enough."""
    site, events, config = _site(tmp_path, 100_000, seed=1, hostile=False)
    tab = Tab(browser, (site / "explore.html").as_uri())
    try:
        status, ids = tab.listed(1, explore.LIST_LIMIT)
    finally:
        tab.close()
    assert status.startswith(explore.match_text(100_000, 100_000)) and tab.errors == []
    assert ids == list(explore.with_when(events)["event_id"][:explore.LIST_LIMIT])
    fetched = {Path(unquote(urlparse(u).path)).name: Path(unquote(urlparse(u).path)).stat().st_size
               for u in set(tab.requested) if u.startswith("file:")}
    assert set(fetched) == {"explore.html", assets.VEGA_FILE, config["chunkFiles"][0]}, fetched
    data_part = fetched["explore.html"] + fetched[config["chunkFiles"][0]]
    assert data_part < DATA_PART_AT_100K, fetched
