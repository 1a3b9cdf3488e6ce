"""Lighthouse's performance score of every page of the built book (desktop preset, loopback server).

The built ``_build/html`` is served from a loopback http.server (benchmarks/pages.py's, uncompressed,
as `python -m http.server` serves it), and Lighthouse opens each page in Debian's chromium
(``CHROME_PATH=/usr/bin/chromium``, headless) with ``--preset=desktop --only-categories=performance``:
its simulated desktop network and CPU, so the score does not depend on the loopback's speed, but the
page's own work (scripts, layout) is timed on this machine and moves with its load.

Pages: every page of ``_toc.yml`` and the register's first extra page (``register-1.html``), the one page
kind the table of contents does not list. Per page: the performance score and the metrics it is made of
(First Contentful Paint, Largest Contentful Paint, Total Blocking Time, Cumulative Layout Shift, Speed
Index), the median of ``--runs`` runs. ``--explain`` also prints, per page, the audits that cost it points.

Lighthouse itself is pinned in benchmarks/lighthouse/package.json and its package-lock.json (12.8.2: the
13.x releases need Node 22) and installed on demand with ``npm ci`` into benchmarks/lighthouse/node_modules
(git ignores it). Its trace engine asks for two packages by the dist-tag "latest", which `npm ci` checks
against the registry's tag of the day; package.json's overrides pin them to the locked versions
(tests/test_lighthouse_lock.py checks all this). It is a benchmark, not a test: the scores depend on the
machine.

Usage: python benchmarks/lighthouse.py [--html _build/html] [--runs N] [--pages chapters/intro.html ...]
                                       [--explain] [--reports DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOOL = HERE / "lighthouse"  # package.json, package-lock.json; node_modules installed here by npm ci
CLI = TOOL / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
TARGET = 0.90  # issue 11: performance at least 0.90 on every page
# The metrics the performance score is made of, as Lighthouse's audits name them, and how they are shown.
METRICS = (
    ("FCP", "first-contentful-paint", "ms"),
    ("LCP", "largest-contentful-paint", "ms"),
    ("TBT", "total-blocking-time", "ms"),
    ("CLS", "cumulative-layout-shift", ""),
    ("SI", "speed-index", "ms"),
)


# --- Lighthouse, installed on demand --------------------------------------------------------------

def pinned_version(folder: Path = TOOL) -> str:
    """The Lighthouse version package.json asks for (an exact version, never a range)."""
    wanted = json.loads((folder / "package.json").read_text(encoding="utf-8"))["dependencies"]["lighthouse"]
    if not re.fullmatch(r"\d+\.\d+\.\d+", wanted):
        raise SystemExit(f"{folder / 'package.json'}: lighthouse must be pinned to one version, not {wanted!r}")
    return wanted


def installed_version(folder: Path = TOOL) -> str | None:
    manifest = folder / "node_modules" / "lighthouse" / "package.json"
    return json.loads(manifest.read_text(encoding="utf-8"))["version"] if manifest.is_file() else None


def ensure_lighthouse(folder: Path = TOOL) -> Path:
    """Lighthouse's CLI, installed from the lock file with `npm ci` when missing or of another version."""
    for program in ("node", "npm"):
        if not shutil.which(program):
            raise SystemExit(f"the Lighthouse benchmark needs {program} (Node 18.16 or later) on PATH")
    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"no browser at {CHROMIUM}: install Debian's chromium (make system-browser)")
    wanted = pinned_version(folder)
    if installed_version(folder) != wanted or not CLI.is_file():
        print(f"installing lighthouse {wanted} into {folder / 'node_modules'} (npm ci)", file=sys.stderr, flush=True)
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"npm ci failed in {folder}:\n{(done.stdout + done.stderr)[-3000:]}")
        if installed_version(folder) != wanted:
            raise SystemExit(f"{folder / 'package-lock.json'} does not install lighthouse {wanted}: "
                             f"got {installed_version(folder)}; run `npm install` there and commit the lock file")
    return CLI


# --- the pages ------------------------------------------------------------------------------------

def register_pages(html: Path) -> list[str]:
    """The register's pages after its chapter (register-1.html, register-2.html ...), in order."""
    found = [p for p in html.glob("chapters/register-*.html") if re.fullmatch(r"register-\d+\.html", p.name)]
    found.sort(key=lambda p: int(re.search(r"\d+", p.name).group()))
    return [p.relative_to(html).as_posix() for p in found]


def book_pages(root: Path, html: Path) -> list[str]:
    """The pages measured: every page of the table of contents that was built, and the register's first
    extra page (the others are made the same way)."""
    from pages import toc_pages

    pages = [p for p in toc_pages(root) if (html / p).is_file()]
    return pages + register_pages(html)[:1]


# --- measuring ------------------------------------------------------------------------------------

def run_once(cli: Path, url: str, report: Path) -> dict:
    """One Lighthouse run of ``url``: its JSON report (the LHR), also written to ``report``."""
    command = ["node", str(cli), url, "--preset=desktop", "--only-categories=performance",
               "--output=json", f"--output-path={report}", f"--chrome-flags={CHROME_FLAGS}", "--quiet"]
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not report.is_file():
        raise RuntimeError(f"lighthouse failed on {url}:\n{(done.stdout + done.stderr)[-3000:]}")
    lhr = json.loads(report.read_text(encoding="utf-8"))
    if lhr.get("runtimeError") or lhr["categories"]["performance"]["score"] is None:
        problem = lhr.get("runtimeError", {}).get("message", "no performance score")
        raise RuntimeError(f"lighthouse could not score {url}:\n{problem}")
    return lhr


def summary(lhr: dict) -> dict:
    """The score and the metrics of one run."""
    audits = lhr["audits"]
    out = {"score": lhr["categories"]["performance"]["score"]}
    for short, audit, _ in METRICS:
        out[short] = audits[audit]["numericValue"]
    return out


def costly_audits(lhr: dict, limit: int = 8) -> list[str]:
    """What costs the page points: the metrics below their best, and the opportunities and diagnostics
    Lighthouse flags (with their worst items), most savings first."""
    lines = []
    ranked = []
    for audit in lhr["audits"].values():
        score, mode = audit.get("score"), audit.get("scoreDisplayMode")
        if score is None or score >= 0.9 or mode in ("informative", "notApplicable", "manual"):
            continue
        details = audit.get("details") or {}
        savings = details.get("overallSavingsMs") or max((audit.get("metricSavings") or {}).values(), default=0)
        ranked.append((-(savings or 0), audit["id"], audit))
    for _, _, audit in sorted(ranked)[:limit]:
        lines.append(f"- {audit['title']}: {audit.get('displayValue', '')} (score {audit['score']:.2f})".rstrip())
        items = (audit.get("details") or {}).get("items")
        for item in (items if isinstance(items, list) else [])[:3]:
            if not isinstance(item, dict):
                continue
            what = item.get("url") or (item.get("node") or {}).get("snippet") or item.get("label") or ""
            extra = [f"{k} {item[k]:,.0f}" for k in ("wastedMs", "wastedBytes", "totalBytes") if isinstance(item.get(k), (int, float))]
            if isinstance(item.get("score"), float):
                extra.append(f"shift {item['score']:.3f}")
            if what:
                lines.append(f"    - {str(what)[:140]} {' '.join(extra)}".rstrip())
    return lines


def measure(html: Path, pages: list[str], runs: int, reports: Path | None = None,
            explain: bool = False) -> dict[str, dict]:
    """For each page: its runs (score and metrics each) and, with ``explain``, its costly audits (last run)."""
    from pages import serve  # the loopback server of the page-weight benchmark

    cli = ensure_lighthouse()
    keep = reports or Path(tempfile.mkdtemp(prefix="entente-lighthouse-"))
    keep.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {page: {"runs": [], "explain": []} for page in pages}
    try:
        with serve(html) as server:
            for run in range(1, runs + 1):
                for page in pages:
                    url = f"http://127.0.0.1:{server.server_port}/{page}"
                    name = page.replace("/", "_").removesuffix(".html")
                    lhr = run_once(cli, url, keep / f"{name}-run{run}.json")
                    results[page]["runs"].append(summary(lhr))
                    if explain and run == runs:
                        results[page]["explain"] = costly_audits(lhr)
                    print(f"  lighthouse {page} run {run}: {summary(lhr)['score']:.2f}", file=sys.stderr, flush=True)
    finally:
        if reports is None:
            shutil.rmtree(keep, ignore_errors=True)
    return results


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def metrics_note(runs: list[dict]) -> str:
    """'FCP 0.4 s, LCP 0.6 s, TBT 0 ms, CLS 0.000, SI 0.5 s': the medians of the runs."""
    shown = []
    for short, _, unit in METRICS:
        value = median(runs, short)
        if not unit:
            shown.append(f"{short} {value:.3f}")
        elif short == "TBT":
            shown.append(f"{short} {value:,.0f} ms")
        else:
            shown.append(f"{short} {value / 1000:.2f} s")
    return ", ".join(shown)


def table(results: dict[str, dict]) -> str:
    lines = ["| page | performance | runs | FCP (s) | LCP (s) | TBT (ms) | CLS | Speed Index (s) |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    for page, found in results.items():
        runs = found["runs"]
        score = median(runs, "score")
        flag = "" if score >= TARGET else " **under 0.90**"
        lines.append(f"| {page} | {score:.2f}{flag} | {' / '.join(format(r['score'], '.2f') for r in runs)} | "
                     f"{median(runs, 'FCP') / 1000:.2f} | {median(runs, 'LCP') / 1000:.2f} | {median(runs, 'TBT'):,.0f} | "
                     f"{median(runs, 'CLS'):.3f} | {median(runs, 'SI') / 1000:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Lighthouse performance (desktop, loopback) of every page of the book.")
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="the built web book")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project whose _toc.yml lists the pages")
    parser.add_argument("--runs", type=int, default=3, help="runs per page (the median is shown); default 3")
    parser.add_argument("--pages", nargs="+", help="pages to measure, relative to --html (default: every page)")
    parser.add_argument("--explain", action="store_true", help="print, per page, the audits that cost it points")
    parser.add_argument("--reports", type=Path, help="keep Lighthouse's JSON reports in this folder")
    args = parser.parse_args(argv)
    html = args.html.resolve()
    if not (html / "index.html").is_file():
        raise SystemExit(f"no web book in {html}: run `make book` first")
    pages = args.pages or book_pages(args.root.resolve(), html)
    results = measure(html, pages, args.runs, args.reports, args.explain)
    print(f"Lighthouse {pinned_version()} (--preset=desktop, performance only), {html} served from loopback, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, median of {args.runs} "
          f"run{'s' if args.runs > 1 else ''}\n")
    print(table(results))
    if args.explain:
        for page, found in results.items():
            print(f"\n{page} ({found['runs'][-1]['score']:.2f} in the last run): what costs it points")
            print("\n".join(found["explain"]) or "- nothing flagged")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())
