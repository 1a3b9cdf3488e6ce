"""`make lab`: the chapters open as notebooks in JupyterLab, run, and draw their charts with its own Vega.

The unit tests check the live renderer's output (entente.live). The end-to-end tests start JupyterLab
exactly as `make lab` does (the command is read from `make -n lab`), on 127.0.0.1 with a random port and
a token, open chapters in Debian's chromium through Playwright, run every cell from the Run menu, and
check what an analyst would see: charts drawn, controls that change them, no failing cell, and nothing
asked of another host. Each server's JupyterLab/IPython configuration, settings and workspaces live in a
temporary folder, autosave is off and no test saves: the chapters on disk are left exactly as they were.
Screenshots land in _build/screenshots/lab-*.png for a human to look at.

Under CI (CI=true) a missing browser fails the suite; elsewhere those tests are skipped, with the reason.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import altair as alt
import pytest

import entente
from entente import charts, explore, live
from conftest import require, standing_events

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
EXPLORE = ROOT / "chapters" / "explore.md"
CHART_CHAPTER = ROOT / "chapters" / "01-arms.md"  # glues two charts: flows and the certainty ladder
MIN_SIZE = 50           # px: a chart smaller than this in either direction did not really draw
SERVER_START_S = 90     # bounded waits, in seconds: they only cap a failure, nothing is timed
RUN_ALL_S = 240
UI_S = 30
DATA = entente.load()
EVENTS = standing_events()


# --- the live renderer, in the kernel ------------------------------------------------------------

def jupyterlab_mimetypes() -> set[str]:
    """The Vega and Vega-Lite mimetypes the installed JupyterLab renders, read from its own bundle."""
    from jupyterlab.commands import get_app_dir

    found = set()
    for script in (Path(get_app_dir()) / "static").glob("*.js"):
        found |= set(re.findall(r"application/vnd\.vega(?:lite)?\.v\d+\+json", script.read_text(errors="ignore")))
    return found


def vega_strings(node) -> str:
    """Every string in a compiled Vega spec, joined: where signal names and expressions can be searched."""
    if isinstance(node, dict):
        return " ".join(vega_strings(v) for v in node.values())
    if isinstance(node, list):
        return " ".join(vega_strings(v) for v in node)
    return node if isinstance(node, str) else ""


def test_live_bundle_is_compiled_vega_jupyterlab_renders():
    chart = charts.flows(DATA.events)
    spec = chart.to_dict()
    bundle, metadata = live.live_renderer(spec)
    assert set(bundle) == {live.VEGA_MIMETYPE, "text/plain"}
    assert live.VEGA_MIMETYPE in jupyterlab_mimetypes(), "JupyterLab no longer renders the mimetype we emit"
    vega = bundle[live.VEGA_MIMETYPE]
    assert vega["$schema"].startswith("https://vega.github.io/schema/vega/v")  # Vega, not Vega-Lite
    assert vega["description"] == spec["description"] and vega["marks"]
    # The chart's rows travel inside the spec: JupyterLab is asked for no data file.
    (rows,) = spec["datasets"].values()
    embedded = [row for data in vega["data"] for row in data.get("values", [])]
    assert rows and all(row in embedded for row in rows)
    assert "url" not in json.dumps(vega["data"])
    assert bundle["text/plain"] == f"<Chart: {spec['description']}>"
    options = metadata[live.VEGA_MIMETYPE]["embed_options"]
    assert options["renderer"] == "svg" and options["actions"]["editor"] is False


def test_live_bundle_keeps_the_explorer_interactive():
    """The static explorer's bound selects, brush and selection test survive compilation."""
    bundle, _ = live.live_renderer(explore.explorer(DATA.events).live_chart().to_dict())
    vega = bundle[live.VEGA_MIMETYPE]
    bound = {s["name"]: s["bind"] for s in vega["signals"] if "bind" in s}
    selects = {name: b for name, b in bound.items() if b["input"] == "select"}
    assert set(selects) == set(explore.FILTERS)
    assert all(b["options"][0] == explore.ALL for b in selects.values())
    # The period's two date boxes, the keyboard's way to choose what the brush chooses.
    assert {name: b["input"] for name, b in bound.items() if name not in selects} == {"period_from": "date", "period_to": "date"}
    assert "period_store" in {d["name"] for d in vega["data"]}
    assert "vlSelectionTest(\"period_store\"" in vega_strings(vega).replace("'", '"')


def test_enable_makes_altair_charts_render_live():
    before = alt.renderers.active
    try:
        assert live.enable() == live.RENDERER == alt.renderers.active
        bundle, metadata = charts.timeline(DATA.events)._repr_mimebundle_()
        assert live.VEGA_MIMETYPE in bundle and live.VEGA_MIMETYPE in metadata
    finally:
        alt.renderers.enable(before)


def test_live_notebooks_use_the_live_renderer(monkeypatch):
    """notebook_setup() (through entente.render.enable) picks the live renderer outside a book build."""
    before = alt.renderers.active
    try:
        monkeypatch.delenv(entente.render.BUILD_ENV, raising=False)
        assert entente.render.enable() == live.RENDERER
        monkeypatch.setenv(entente.render.BUILD_ENV, "1")
        assert entente.render.enable() == entente.render.RENDERER
    finally:
        alt.renderers.enable(before)


# --- JupyterLab, as `make lab` starts it --------------------------------------------------------

def make_lab_command() -> tuple[dict[str, str], list[str]]:
    """The environment settings and the command `make lab` runs (make -n prints it without running it)."""
    out = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    for line in out.stdout.replace("\\\n", " ").splitlines():  # recipe lines may continue with a backslash
        words = shlex.split(line)
        env = {}
        while words and re.fullmatch(r"[A-Za-z_]\w*=.*", words[0]):  # VAR=value before the command
            name, value = words.pop(0).split("=", 1)
            env[name] = value
        program = Path(words[0]).name if words else ""
        if program == "jupyter-lab" or (program == "jupyter" and words[1:2] == ["lab"]):
            return env, words
    pytest.fail(f"`make -n lab` runs no `jupyter lab`:\n{out.stdout}")


def root_dir(command: list[str]) -> Path:
    """The folder the server shows: a directory given on the command line, else the project."""
    for word in command[1:]:
        if word.startswith("--ServerApp.root_dir="):
            return (ROOT / word.split("=", 1)[1]).resolve()
    dirs = [w for w in command[2:] if not w.startswith("-") and (ROOT / w).is_dir()]
    return (ROOT / dirs[-1]).resolve() if dirs else ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def digest(paths) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


class Lab:
    """One JupyterLab server started with `make lab`'s command, private settings, and our port and token."""

    def __init__(self, home: Path):
        env_settings, command = make_lab_command()
        self.root = root_dir(command)
        self.port, self.token = free_port(), secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        config = home / "jupyter-config"
        # The analyst's own settings, workspaces and startup files are not the test's business: a private
        # config dir holds them. Autosave off: a test never writes a chapter back.
        docmanager = config / "lab" / "user-settings" / "@jupyterlab" / "docmanager-extension"
        docmanager.mkdir(parents=True)
        (docmanager / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
        env = {k: v for k, v in os.environ.items() if k != entente.render.BUILD_ENV}  # a live session
        env.update(env_settings, JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
                   IPYTHONDIR=str(home / "ipython"),
                   # The kernels import this checkout's entente, whatever else is installed.
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        self.log_path = home / "server.log"
        # Our flags come last and win: a fixed port (no fallback to another), our token, no browser.
        self.command = command + [f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                                  f"--IdentityProvider.token={self.token}", "--ServerApp.open_browser=False"]
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"`make lab`'s server exited ({self.process.returncode}):\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        pytest.fail(f"JupyterLab did not answer within {SERVER_START_S} s:\n{self.log()}")

    def stop(self) -> None:
        """Ask the server to shut down (it stops its kernels); end it if it does not."""
        if self.process.poll() is None:
            try:
                request = urllib.request.Request(f"{self.url}/api/shutdown", method="POST",
                                                 headers={"Authorization": f"token {self.token}"})
                urllib.request.urlopen(request, timeout=10).close()
            except OSError:
                pass
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=10)

    def notebook_url(self, path: Path) -> str:
        """The chapter in a workspace of its own, so that no tab from an earlier test is restored beside it."""
        where = path.resolve().relative_to(self.root).as_posix()
        return f"{self.url}/lab/workspaces/test-{path.stem}/tree/{where}?token={self.token}"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require(CHROMIUM.is_file(), f"no browser at {CHROMIUM} (make system-browser installs it)")
    require(shutil.which("make") is not None, "no `make` to read the `make lab` command from")
    chapters = sorted((ROOT / "chapters").glob("*.md"))
    before = digest(chapters)
    server = Lab(tmp_path_factory.mktemp("lab"))
    try:
        server.wait_until_up()
        yield server
    finally:
        server.stop()
    assert digest(chapters) == before, "running the chapters in JupyterLab changed them on disk"


@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM.is_file(), f"no browser at {CHROMIUM} (make system-browser installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Notebook:
    """One chapter opened in JupyterLab in a fresh browser context, recording what the page did."""

    def __init__(self, browser, chapter: Path):
        self.name = chapter.stem
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.set_default_timeout(UI_S * 1000)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def open(self, url: str) -> None:
        """Load JupyterLab on the chapter and find the document it opened (a notebook, or a text editor)."""
        self.page.goto(url)
        document = self.page.locator(".jp-NotebookPanel, .jp-FileEditor").first
        document.wait_for(timeout=SERVER_START_S * 1000)
        self.is_notebook = "jp-NotebookPanel" in (document.get_attribute("class") or "")
        # Every query below is scoped to this document's panel.
        self.scope = "#" + document.evaluate("e => (e.closest('.jp-NotebookPanel') || e).id")
        self.panel = self.page.locator(self.scope)

    def _route(self, route) -> None:
        if route.request.url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def run_all(self) -> None:
        """Run > Run All Cells once the kernel is up and idle, then wait until every code cell has run."""
        # Before the kernel exists the indicator also says idle, next to "No Kernel": wait for both.
        self.page.wait_for_function(
            """panel => { const name = document.querySelector(panel + ' .jp-Toolbar-kernelName');
                          const state = document.querySelector(panel + ' .jp-Notebook-ExecutionIndicator');
                          return name && !/No Kernel/.test(name.textContent) && state && state.dataset.status === 'idle'; }""",
            arg=self.scope, timeout=SERVER_START_S * 1000)
        self.page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
        self.page.locator(".lm-Menu-item", has_text=re.compile(r"^Run All Cells")).first.click()
        self.page.wait_for_function(
            """panel => { const p = [...document.querySelectorAll(panel + ' .jp-CodeCell .jp-InputPrompt')];
                          return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }""",
            arg=self.scope, timeout=RUN_ALL_S * 1000)

    def cell(self, code: str):
        """The code cell whose source holds this text (with its outputs)."""
        return self.panel.locator(".jp-CodeCell").filter(has_text=code)

    def failed_outputs(self) -> list[str]:
        """Tracebacks and anything else a cell wrote to stderr."""
        return self.panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                                  ).all_inner_texts()

    def wait_for_charts(self, count: int, within: str = "") -> list[dict]:
        """Every chart's drawn size, once at least `count` charts hold their SVG (vega draws asynchronously)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        selector = f"{self.scope} {within} .jp-RenderedVegaCommon5"
        try:
            self.page.wait_for_function(
                """([sel, n]) => { const c = [...document.querySelectorAll(sel)];
                                   return c.length >= n && c.every(e => e.querySelector('svg.marks')); }""",
                arg=[selector, count])
            drawn = True
        except PlaywrightTimeout:
            drawn = False
        if not drawn:  # say what the outputs show instead (outside the except: no chained timeout trace)
            shown = [t[:120] for t in self.panel.locator(f"{within} .jp-OutputArea-output").all_inner_texts() if t.strip()]
            pytest.fail(f"{self.name}: fewer than {count} charts drawn by JupyterLab's Vega within {UI_S} s; "
                        f"outputs show {shown[:6]}; outside requests {self.outside}")
        return self.page.eval_on_selector_all(selector, """charts => charts.map(c => {
            const box = c.querySelector('svg.marks').getBoundingClientRect();
            return {width: box.width, height: box.height}; })""")

    def shot(self, suffix: str = "", element=None) -> None:
        """A screenshot of the window, or of one element (scrolled into view)."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        (element or self.page).screenshot(path=str(SHOTS / f"lab-{self.name}{suffix}.png"))

    def close(self) -> None:
        """Close the page, after a last screenshot (taken on failure too: it shows what went wrong)."""
        try:
            self.shot()
        finally:
            self.context.close()


@contextlib.contextmanager
def running(browser, lab: Lab, chapter: Path):
    """The chapter opened as a notebook and run from the Run menu; closed (and screenshotted) whatever happens."""
    notebook = Notebook(browser, chapter)
    try:
        notebook.open(lab.notebook_url(chapter))
        assert notebook.is_notebook, f"{chapter.name} opened as text, not as a notebook (jupytext default viewer)"
        notebook.run_all()
        yield notebook
    finally:
        notebook.close()


def check_clean(notebook: Notebook) -> None:
    assert notebook.failed_outputs() == [], f"{notebook.name}: a cell failed"
    assert notebook.outside == [], f"{notebook.name} asked outside hosts for: {notebook.outside}"
    assert notebook.errors == [], f"{notebook.name} logged console errors: {notebook.errors}"


def wait_for_svg_text(notebook: Notebook, chart, start: str) -> None:
    """Until the chart draws a text beginning so (vega redraws asynchronously after a change)."""
    notebook.page.wait_for_function(
        "([el, start]) => [...el.querySelectorAll('svg.marks text')].some(t => t.textContent.startsWith(start))",
        arg=[chart.element_handle(), start])


def svg_text(locator, pattern: str) -> str:
    """The first text drawn in a chart's SVG that matches the pattern."""
    texts = locator.locator("svg.marks text").all_text_contents()
    return next((t for t in texts if re.search(pattern, t)), "")


@pytest.mark.slow
def test_chart_chapter_runs_and_draws(lab, browser):
    with running(browser, lab, CHART_CHAPTER) as notebook:
        sizes = notebook.wait_for_charts(2)
        check_clean(notebook)
    assert all(s["width"] > MIN_SIZE and s["height"] > MIN_SIZE for s in sizes), sizes


@pytest.mark.slow
def test_explorers_run_and_respond(lab, browser):
    total = len(EVENTS)
    space = int((EVENTS["domain"] == "space").sum())
    with running(browser, lab, EXPLORE) as notebook:
        notebook.wait_for_charts(2)  # the static explorer, and the widget explorer's chart
        notebook.shot("-run")
        check_clean(notebook)

        # The static explorer: Altair's bound select and interval brush, run by JupyterLab's Vega.
        static = notebook.cell("explore.explorer(").locator(".jp-RenderedVegaCommon5")
        count = r"\d+ of \d+ claims match"
        assert svg_text(static, count).startswith(f"{total} of {total} claims match")
        domain = static.locator(".vega-bind select[name=domain]")
        domain.select_option("space")
        wait_for_svg_text(notebook, static, f"{space} of {total} claims match")
        domain.select_option(explore.ALL)
        wait_for_svg_text(notebook, static, f"{total} of {total} claims match")
        # The timeline's ticks: Vega draws them as rects, in the one rect group that is not the brush's.
        ticks = static.locator("svg.marks g.mark-rect.role-mark:not([class*='_brush'])").first.bounding_box()
        y = ticks["y"] + ticks["height"] / 2
        notebook.page.mouse.move(ticks["x"] + ticks["width"] * 0.6, y)  # brush the latest part of the timeline
        notebook.page.mouse.down()
        notebook.page.mouse.move(ticks["x"] + ticks["width"] + 2, y, steps=8)
        notebook.page.mouse.up()
        notebook.page.wait_for_function(
            """([el, total]) => [...el.querySelectorAll('svg.marks text')].some(t => {
                   const m = /^(\\d+) of \\d+ claims match/.exec(t.textContent);
                   return m && +m[1] > 0 && +m[1] < total; })""",
            arg=[static.element_handle(), total])
        notebook.shot("-static-brushed", element=static)

        # The widget explorer: ipywidgets through the live kernel; its chart is drawn again on each change.
        widget = notebook.cell("explore.live(").locator(".widget-vbox").first
        summary = widget.locator(".widget-html", has_text="claims match").first
        assert summary.inner_text().startswith(f"{total} of {total} claims match")
        widget.locator(".widget-dropdown", has_text="Domain").locator("select").select_option("space")
        summary.filter(has_text=f"{space} of {total} claims match").wait_for()
        listed = min(space, explore.LIST_LIMIT)
        rows = widget.locator(".widget-html table tbody tr")
        rows.nth(listed - 1).wait_for()
        assert rows.count() == listed
        # Its chart now has one bar, for space: the axis names no other domain. (Looked up afresh on each
        # poll: the output widget replaces the chart's element when it redraws.)
        notebook.page.wait_for_function(
            """sel => { const c = document.querySelector(sel);
                        const t = c ? [...c.querySelectorAll('svg.marks text')].map(e => e.textContent) : [];
                        return t.includes('space') && !t.includes('military'); }""",
            arg=f"{notebook.scope} .widget-output .jp-RenderedVegaCommon5")
        notebook.shot("-widgets-space", element=widget)
        check_clean(notebook)  # the changes too: no traceback, no console error
