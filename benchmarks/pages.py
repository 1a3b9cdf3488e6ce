"""Each page's weight and the time until every chart on it is drawn, in headless chromium.

The built book is served from a loopback http.server that counts the bytes of every response; each
visit opens a fresh browser context (nothing cached) and waits until every chart holds its drawn SVG or
canvas (as tests/test_web.py waits). The page's weight is the bytes served until then; the time is the
page's own clock (performance.now(), from navigation start) at the first animation frame where every
chart was drawn, or at the load event for a page without charts.
"""
from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
# Checked at every animation frame from the first script on; the chart containers are the entente
# renderer's (.entente-chart), or vega-embed's own when a build has none of those.
WATCH_CHARTS = """(() => {
  const charts = () => {
    const own = [...document.querySelectorAll('.entente-chart')];
    return own.length ? own : [...document.querySelectorAll('.vega-embed')];
  };
  const check = () => {
    const list = charts();
    const ready = list.length ? document.readyState !== 'loading' : document.readyState === 'complete';
    if (ready && list.every(c => c.querySelector('svg.marks, canvas.marks'))) {
      window.__benchDrawn = {ms: performance.now(), charts: list.length};
    } else {
      requestAnimationFrame(check);
    }
  };
  requestAnimationFrame(check);
})();"""


def toc_pages(root: Path) -> list[str]:
    """Every page of ``root``'s _toc.yml, as built HTML paths (the root first), without needing a YAML parser."""
    text = (root / "_toc.yml").read_text(encoding="utf-8")
    files = re.findall(r"^\s*(?:-\s*)?(?:root|file):\s*(\S+)\s*$", text, re.M)
    return [f"{f.strip(chr(34) + chr(39)).removesuffix('.md')}.html" for f in files]


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files and records the size of every body it sends."""

    def log_message(self, *args) -> None:  # quiet
        pass

    def copyfile(self, source, outputfile) -> None:
        sent = 0
        while chunk := source.read(64 * 1024):
            outputfile.write(chunk)
            sent += len(chunk)
        with self.server.lock:
            self.server.sent.append((self.path, sent))


@contextmanager
def serve(folder: Path):
    handler = functools.partial(CountingHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.sent, server.lock = [], threading.Lock()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def measure(html: Path, pages: list[str], runs: int, timeout_ms: int = 120_000) -> dict[str, list[dict]]:
    """For each page (relative to ``html``): one dict per run with bytes, requests, ms and charts."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"no browser at {CHROMIUM}: install Debian's chromium (make system-browser)")
    results: dict[str, list[dict]] = {page: [] for page in pages}
    with serve(html) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                for page in pages:
                    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
                    context.add_init_script(WATCH_CHARTS)
                    tab = context.new_page()
                    with server.lock:
                        server.sent.clear()
                    tab.goto(f"http://127.0.0.1:{server.server_port}/{page}", wait_until="commit")
                    tab.wait_for_function("() => window.__benchDrawn", timeout=timeout_ms)
                    with server.lock:
                        sent = list(server.sent)
                    drawn = tab.evaluate("() => window.__benchDrawn")
                    context.close()
                    results[page].append({"bytes": sum(n for _, n in sent), "requests": len(sent),
                                          "ms": drawn["ms"], "charts": drawn["charts"]})
        finally:
            browser.close()
    return results
