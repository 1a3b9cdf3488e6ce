"""`make bench`: how long the book takes to build and execute, how heavy its pages are, how fast its data loads.

Prints one Markdown table: every figure is the median of ``--runs`` runs (3 by default; ``--quick`` is
one), with the runs beside it, the machine's core count and its load average (other people's work on a
shared machine makes every figure noisy: compare runs made side by side, not across days).

Everything is measured on a temporary copy of the project (without .venv, _build, .git), built with the
project's own virtual environment, so the user's _build is never touched. ``--project PATH`` measures
another checkout (a git worktree of an older commit, say) with that checkout's .venv.

Each web build is `make book` itself, with the measured checkout's .venv (so what its Makefile skips
is skipped); the PDF build runs the steps before Sphinx the checkout has (entente.assets,
entente.execute), then Jupyter Book's LaTeX builder with the Makefile's flags. Per run: a cold HTML build (no _build, no execution cache); a rebuild with nothing changed; a rebuild
after one row of data/events.csv changed (every chapter re-executes, since they all read the data);
the PDF (Jupyter Book's LaTeX builder after the HTML build, as `make all` runs it). Each chapter's
execution time comes from the cold builds' execution cache (what myst-nb measured), beside the floor: a
notebook that only imports pandas, altair and entente, run the same way. Then validation and load() of
synthetic packages (entente.synth) of 10,000 and 100,000 claims beside pandas reading the same file,
each page of the table of contents in headless chromium: bytes fetched and time until every chart
is drawn; Lighthouse's performance score of each page (benchmarks/lighthouse.py: desktop preset,
loopback server), with the metrics it is made of; and the whole book at scale (``--scale-claims``,
100,000 by default: that many synthetic claims after the real ones): a cold web build and the PDF,
alternated with the same builds on the real data so both see the same load, and each page's weight
in both books.

Usage: python benchmarks/run.py [--project PATH] [--runs N | --quick] [--sizes 10000 100000] [--skip ...]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
IGNORED = shutil.ignore_patterns(".venv", "_build", ".git", ".pytest_cache", "__pycache__", "*.egg-info",
                                 ".ipynb_checkpoints", "node_modules")
PARTS = ("builds", "chapters", "data", "pages", "lighthouse", "scale")
EDITED_TABLE = "data/events.csv"


# --- the project under measurement ----------------------------------------------------------------

class Project:
    def __init__(self, source: Path, copy: Path):
        self.source, self.root = source, copy
        venv = source / ".venv" / "bin"
        if not (venv / "jupyter-book").is_file():
            raise SystemExit(f"no {venv / 'jupyter-book'}: run `make install` in {source} first")
        self.python, self.jupyter_book = venv / "python", venv / "jupyter-book"
        self.env = dict(os.environ, PATH=f"{venv}:{os.environ.get('PATH', '')}", PYTHONPATH=str(copy),
                        SOURCE_DATE_EPOCH=self._git("log", "-1", "--format=%ct") or "0", FORCE_SOURCE_DATE="1")
        self.env.pop("CI", None)
        # Synthetic claims make the chapters' data-dependent sentences untrue; the timing is what counts here.
        self.env["ENTENTE_STALE_PROSE_LOG"] = str(copy.parent / "stale-prose.txt")
        self.flags = self._jupyter_book_flags()

    def _git(self, *args: str) -> str:
        done = subprocess.run(["git", "-C", str(self.source), *args], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    @property
    def commit(self) -> str:
        return self._git("rev-parse", "--short", "HEAD") or "unknown commit"

    def _jupyter_book_flags(self) -> list[str]:
        """The flags `make book` passes (JB_FLAGS in the Makefile), so the benchmark builds what it builds."""
        makefile = self.source / "Makefile"
        m = re.search(r"^JB_FLAGS\s*:?=\s*(.*)$", makefile.read_text(encoding="utf-8"), re.M) if makefile.is_file() else None
        return m.group(1).split() if m else ["-W", "-n", "--keep-going"]

    def steps(self) -> list[list[str]]:
        """What `make book` runs before Jupyter Book, for the checkouts that have it: the generated files
        (entente.assets), then the stale chapters executed in parallel (entente.execute)."""
        return [[str(self.python), "-m", f"entente.{name}"] for name in ("assets", "execute")
                if (self.root / "entente" / f"{name}.py").is_file()]

    def jupyter_book_command(self) -> list[str]:
        """Jupyter Book as `make book` starts it: through entente.jupyterbook where the checkout has it."""
        if (self.root / "entente" / "jupyterbook.py").is_file():
            return [str(self.python), "-m", "entente.jupyterbook"]
        return [str(self.jupyter_book)]

    def build(self, *extra: str) -> float:
        """A web build as `make book` makes it (the Makefile itself, with this checkout's venv, never
        reinstalled), or with ``extra`` arguments (another builder) its steps run one by one."""
        if extra:
            steps = [(" ".join(c[1:]), c) for c in self.steps()]
            steps.append((f"jupyter-book build {' '.join(extra)}",
                          [*self.jupyter_book_command(), "build", ".", *self.flags, *extra]))
        else:
            venv = self.python.parent.parent
            steps = [("make book", ["make", "--no-print-directory", "-o", f"{venv}/.installed", f"VENV={venv}", "book"])]
        start = time.perf_counter()
        for step, command in steps:
            done = subprocess.run(command, cwd=self.root, env=self.env, capture_output=True, text=True)
            if done.returncode != 0:
                tail = "\n".join((done.stdout + done.stderr).splitlines()[-40:])
                raise RuntimeError(f"{step} failed in {self.root}:\n{tail}")
        return time.perf_counter() - start

    def run_python(self, *args: str) -> str:
        done = subprocess.run([str(self.python), *args], cwd=self.root, env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:1])} failed:\n{done.stderr[-3000:]}")
        noise = "Kernel is running over TCP"  # ipykernel's warning at every kernel start
        said = [line for line in done.stderr.splitlines() if line.strip() and noise not in line]
        if said:
            print("\n".join(said)[-2000:], file=sys.stderr)
        return done.stdout

    def toc_pages(self) -> list[str]:
        """Every page of _toc.yml, as built HTML paths (the root first)."""
        from pages import toc_pages

        return toc_pages(self.root)

    def chapter_times(self) -> dict[str, float]:
        """Execution seconds of each notebook in the cold build, as myst-nb stored them in the cache."""
        from jupyter_cache import get_cache

        cache = get_cache(self.root / "_build" / ".jupyter_cache")
        return {Path(r.uri).stem: r.data["execution_seconds"] for r in cache.list_cache_records()
                if "execution_seconds" in (r.data or {})}


def edit_one_row(path: Path, run: int) -> None:
    """Change the summary of one claim (a valid edit): the last row whose summary has no quotes or commas."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    row = next(r for r in reversed(rows) if not set(r["summary"]) & set('",\n'))
    old = row["summary"]
    new = old.rstrip(".") + f" (benchmark edit {run})."
    assert text.count(old) == 1, "the edited summary must be unique"
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- measuring ------------------------------------------------------------------------------------

class Results:
    def __init__(self):
        self.rows: list[tuple[str, str, list[float], str]] = []  # figure, unit, runs, note

    def add(self, figure: str, unit: str, runs: list[float], note: str = "") -> None:
        self.rows.append((figure, unit, runs, note))
        print(f"  {figure}: {fmt(statistics.median(runs), unit) if runs else 'n/a'}", file=sys.stderr, flush=True)

    def failed(self, figure: str, error: Exception) -> None:
        """A figure that could not be measured, with the line of the log that says why."""
        lines = [line.strip() for line in str(error).splitlines()[1:] if line.strip()] or [str(error)]
        telling = ("does not validate", "WARNING", "expected", "Error:", "error:")
        why = next((line for line in lines if any(t in line for t in telling)), lines[-1])
        self.rows.append((figure, "", [], f"failed: {why[:160].replace('|', '/')}"))
        print(f"  {figure}: FAILED\n{error}", file=sys.stderr, flush=True)


def fmt(value: float, unit: str) -> str:
    if unit == "KiB":
        return f"{value:,.0f}"
    if unit == "ms":
        return f"{value:,.0f}"
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def measure_builds(project: Project, runs: int, results: Results, with_pdf: bool) -> dict[str, list[float]]:
    cold, unchanged, one_row, pdf = [], [], [], []
    chapters: dict[str, list[float]] = {}
    edited = project.root / EDITED_TABLE
    original = edited.read_bytes()
    try:
        for run in range(1, runs + 1):
            print(f"build run {run}/{runs}", file=sys.stderr, flush=True)
            shutil.rmtree(project.root / "_build", ignore_errors=True)
            edited.write_bytes(original)
            cold.append(project.build())
            for name, seconds in project.chapter_times().items():
                chapters.setdefault(name, []).append(seconds)
            unchanged.append(project.build())
            edit_one_row(edited, run)
            one_row.append(project.build())
            if with_pdf:
                pdf.append(project.build("--builder", "pdflatex"))
    except RuntimeError as error:
        results.failed("book build", error)
        return chapters
    finally:
        edited.write_bytes(original)
    results.add("build: cold (web book, no _build, no execution cache)", "s", cold)
    results.add("build: rebuild, nothing changed", "s", unchanged)
    results.add("build: rebuild after a one-row change to data/events.csv", "s", one_row)
    if with_pdf:
        results.add("build: PDF (LaTeX builder + xelatex, after the web build)", "s", pdf)
    return chapters


def measure_chapters(project: Project, chapters: dict[str, list[float]], runs: int, results: Results) -> None:
    floor = []
    try:
        floor = json.loads(project.run_python(str(HERE / "floor.py"), str(project.root / "chapters"), str(runs)))
        results.add("chapter floor: a notebook importing only pandas, altair, entente", "s", floor)
    except RuntimeError as error:
        results.failed("chapter floor", error)
    order = [Path(p).stem for p in project.toc_pages()]
    for name in sorted(chapters, key=lambda c: order.index(c) if c in order else len(order)):
        ratio = f"({statistics.median(chapters[name]) / statistics.median(floor):.1f} x the floor)" if floor else ""
        results.add(f"chapter execution: {name}", "s", chapters[name], ratio)


def measure_data(project: Project, sizes: list[int], runs: int, results: Results, scratch: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from entente import synth  # this checkout's generator, imitating the measured project's data

    packages = []
    for n in sizes:
        folder = scratch / f"synthetic-{n}"
        start = time.perf_counter()
        synth.write_package(n, folder, seed=0, root=project.root)
        results.add(f"synthetic package of {n:,} claims written (entente.synth)", "s",
                    [time.perf_counter() - start], "(one run)")
        packages.append(f"{n}={folder}")
    try:
        rows = json.loads(project.run_python(str(HERE / "loading.py"), str(runs), *packages))
    except RuntimeError as error:
        results.failed("validation and load()", error)
        return
    for row in rows:
        values = row.get("runs") or [row[k] for k in ("seconds", "median", "value") if k in row][:1]
        figure = row.get("figure") or row.get("label") or ", ".join(f"{k}={v}" for k, v in row.items()
                                                                      if not isinstance(v, (int, float, list)))
        results.add(figure, row.get("unit", "s"), [float(v) for v in values], row.get("source", ""))


def measure_pages(project: Project, runs: int, results: Results) -> None:
    from pages import measure

    html = project.root / "_build" / "html"
    if not html.is_dir():
        results.failed("pages", RuntimeError("no web book was built"))
        return
    pages = [p for p in project.toc_pages() if (html / p).is_file()]
    if not pages:
        results.failed("pages", RuntimeError("\nno page of _toc.yml was built"))
        return
    try:
        measured = measure(html, pages, runs)
    except Exception as error:  # noqa: BLE001 - a browser problem must not lose the other figures
        results.failed("pages", error)
        return
    for page, visits in measured.items():
        charts, requests = visits[0]["charts"], visits[0]["requests"]
        results.add(f"page weight: {page} ({requests} requests)", "KiB", [v["bytes"] / 1024 for v in visits])
    for page, visits in measured.items():
        charts = visits[0]["charts"]
        label = f"{charts} chart{'s' if charts > 1 else ''}" if charts else "no charts: until the load event"
        results.add(f"time to charts drawn: {page} ({label})", "ms", [v["ms"] for v in visits])


def measure_lighthouse(project: Project, runs: int, results: Results) -> None:
    """Lighthouse's performance score (desktop preset) of every page, with its metrics beside it."""
    import lighthouse

    html = project.root / "_build" / "html"
    if not html.is_dir():
        results.failed("lighthouse", RuntimeError("\nno web book was built"))
        return
    try:
        measured = lighthouse.measure(html, lighthouse.book_pages(project.root, html), runs)
    except (Exception, SystemExit) as error:  # noqa: BLE001 - no node, npm or browser must not lose the other figures
        results.failed("lighthouse", RuntimeError(f"\n{error}"))
        return
    for page, found in measured.items():
        results.add(f"lighthouse performance (desktop): {page}", "score", [r["score"] for r in found["runs"]],
                    f"({lighthouse.metrics_note(found['runs'])})")


def _scale_copy(project: Project, folder: Path) -> Project:
    shutil.copytree(project.root, folder, ignore=IGNORED)
    return Project(project.source, folder)


def measure_scale(project: Project, claims: int, runs: int, results: Results, scratch: Path,
                  with_pdf: bool) -> None:
    """The whole book with ``claims`` synthetic claims after the real ones, beside the real data's book.

    The two are built in copies of their own, one after the other in each run (a cold web build, then
    the PDF), so a change of load falls on both; the ratio is of their medians. Then each page's
    weight in both books, and the register's first and last later pages, which the real data has not.
    """
    sys.path.insert(0, str(ROOT))
    from entente import synth  # this checkout's generator, imitating the measured project's data
    from pages import measure

    real = _scale_copy(project, scratch / "scale-real")
    big = _scale_copy(project, scratch / f"scale-{claims}")
    start = time.perf_counter()
    synth.write_package(claims, big.root, seed=1, root=project.root, keep_real=True)
    results.add(f"scale: {claims:,} synthetic claims added to the real ones (entente.synth)", "s",
                [time.perf_counter() - start], "(one run)")
    web: dict[str, list[float]] = {"real": [], "big": []}
    pdf: dict[str, list[float]] = {"real": [], "big": []}
    try:
        for run in range(1, runs + 1):
            for name, copy in (("real", real), ("big", big)):
                print(f"scale run {run}/{runs}: {name}", file=sys.stderr, flush=True)
                shutil.rmtree(copy.root / "_build", ignore_errors=True)
                web[name].append(copy.build())
                if with_pdf:
                    pdf[name].append(copy.build("--builder", "pdflatex"))
    except RuntimeError as error:
        results.failed(f"scale: the book at {claims:,} claims", error)
        return
    ratio = lambda kind: f"({statistics.median(kind['big']) / statistics.median(kind['real']):.1f} x the real data's)"
    results.add("scale: cold web build, real data", "s", web["real"])
    results.add(f"scale: cold web build, {claims:,} more claims", "s", web["big"], ratio(web))
    if with_pdf:
        results.add("scale: PDF after the web build, real data", "s", pdf["real"])
        results.add(f"scale: PDF after the web build, {claims:,} more claims", "s", pdf["big"], ratio(pdf))
    pages = [p for p in project.toc_pages() if (real.root / "_build" / "html" / p).is_file()]
    later = sorted((big.root / "_build" / "html" / "chapters").glob("register-*.html"),
                   key=lambda p: int(re.sub(r"\D", "", p.stem) or 0))
    extra = [f"chapters/{p.name}" for p in (later[:1] + later[-1:] if len(later) > 1 else later)]
    try:
        weights = {"real": measure(real.root / "_build" / "html", pages, 1),
                   "big": measure(big.root / "_build" / "html", pages + extra, 1)}
    except Exception as error:  # noqa: BLE001 - a browser problem must not lose the build figures
        results.failed("scale: pages", error)
        return
    for page in pages + extra:
        kib = weights["big"][page][0]["bytes"] / 1024
        note = (f"({kib / (weights['real'][page][0]['bytes'] / 1024):.2f} x the real data's)" if page in pages
                else "(a later register page: the real data has none)")
        results.add(f"scale: page weight at {claims:,} more claims: {page}", "KiB", [kib], note)


def table(project: Project, results: Results, runs: int, started: float, load_start) -> str:
    load_end = os.getloadavg()
    lines = [
        f"entente benchmarks: {project.source} at {project.commit}, "
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"load average {load_start[0]:.1f} at start and {load_end[0]:.1f} at end "
        f"(shared machine: figures are noisy), median of {runs} run{'s' if runs > 1 else ''}, "
        f"{(time.perf_counter() - started) / 60:.0f} min in all",
        "",
        "| figure | median | unit | runs |",
        "| --- | ---: | --- | --- |",
    ]
    for figure, unit, values, note in results.rows:
        median = fmt(statistics.median(values), unit) if values else "n/a"
        shown = " / ".join(fmt(v, unit) for v in values)
        lines.append(f"| {figure} | {median} | {unit} | {shown}{' ' + note if note else ''} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of the book: builds, chapters, data, pages, Lighthouse.")
    parser.add_argument("--project", type=Path, default=ROOT, help="checkout to measure (default: this one)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median is shown); default 3")
    parser.add_argument("--quick", action="store_true", help="one run of everything, for development")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="claims in the data tests")
    parser.add_argument("--skip", choices=PARTS, nargs="*", default=[], help="parts to leave out")
    parser.add_argument("--scale-claims", type=int, default=100_000,
                        help="synthetic claims added for the whole book at scale (the 'scale' part)")
    parser.add_argument("--no-pdf", action="store_true", help="leave out the PDF builds")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy and print where it is")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else args.runs
    started, load_start = time.perf_counter(), os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix="entente-bench-"))
    try:
        copy = scratch / "project"
        shutil.copytree(args.project.resolve(), copy, ignore=IGNORED)
        project = Project(args.project.resolve(), copy)
        results = Results()
        chapters: dict[str, list[float]] = {}
        if "builds" not in args.skip:
            chapters = measure_builds(project, runs, results, with_pdf=not args.no_pdf)
        elif {"pages", "lighthouse", "chapters"} - set(args.skip):
            project.build()  # the pages need a web book, and the chapters their execution times
            chapters = {k: [v] for k, v in project.chapter_times().items()}
        if "chapters" not in args.skip:
            measure_chapters(project, chapters, runs, results)
        if "data" not in args.skip:
            measure_data(project, args.sizes, runs, results, scratch)
        if "pages" not in args.skip:
            measure_pages(project, runs, results)
        if "lighthouse" not in args.skip:
            measure_lighthouse(project, runs, results)
        if "scale" not in args.skip:
            measure_scale(project, args.scale_claims, runs, results, scratch, with_pdf=not args.no_pdf)
        print(table(project, results, runs, started, load_start))
    finally:
        if args.keep:
            print(f"kept {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
