"""Shared test helpers: the project root, the raw CSVs and the table of contents read independently of
entente, and the built book. Under CI (CI=true) no test may skip: a skip is turned into a failure."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Each chart of a built page is drawn by one call, ententeChart("#element", {its Vega spec}) (entente.render).
DRAWN = re.compile(r'ententeChart\("#([^"]+)", ')


def drawn_charts(html: str) -> dict[str, dict]:
    """Every chart a page (or a piece of one) draws: its element's id, and the Vega spec it is drawn from."""
    decoder = json.JSONDecoder()
    return {m.group(1): decoder.raw_decode(html, m.end())[0] for m in DRAWN.finditer(html)}


def vega_parts(spec: dict, key: str) -> list[dict]:
    """Every entry of ``key`` ("scales", "signals", "data") in a Vega spec, its nested groups' included."""
    found = list(spec.get(key, []))
    for mark in spec.get("marks", []):
        found += vega_parts(mark, key)
    return found


def raw(name: str, root: Path = ROOT) -> pd.DataFrame:
    """A data file read with plain pandas, every value as text: the tests' own view of the data."""
    return pd.read_csv(root / "data" / f"{name}.csv", dtype=str, keep_default_na=False)


def standing_events(root: Path = ROOT) -> pd.DataFrame:
    """The events the book shows: every row of events.csv but those whose latest change withdrew them.

    The same rule as the README's ("a withdrawn claim keeps its row"), applied here with plain pandas, so
    every test counting claims agrees with the others and with the book about withdrawn rows.
    """
    events, changes = raw("events", root), raw("changes", root)
    latest = changes.assign(_order=range(len(changes))).sort_values(["date", "_order"]).groupby("record_id").last()
    withdrawn = set(latest.index[latest["change"] == "withdrawn"])
    return events[~events["event_id"].isin(withdrawn)].reset_index(drop=True)


def as_of_label() -> str:
    """The latest date of the change record, written as the book writes dates (25 Nov 2026)."""
    year, month, day = max(raw("changes")["date"]).split("-")
    return f"{int(day)} {'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split()[int(month) - 1]} {year}"


def data_version(root: Path = ROOT) -> str:
    """The data hash as the README documents it, worked out here: SHA-256 over datapackage.json and each
    resource's file but the release manifest, each as path, NUL, length, NUL, bytes; 12 hex digits."""
    import hashlib
    import json

    package = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256()
    for rel in ["datapackage.json", *sorted({r["path"] for r in package["resources"] if r["name"] != "releases"})]:
        content = (root / rel).read_bytes()
        digest.update(rel.encode() + b"\0" + str(len(content)).encode() + b"\0" + content)
    return digest.hexdigest()[:12]


def data_stamp() -> str:
    """The line the book prints under every chart and table."""
    return f"Data as of {as_of_label()}, data version {data_version()}"


def toc_files() -> list[str]:
    """The book's documents (no suffix) in _toc.yml's order: the root, then every part's chapters."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]
    return [re.sub(r"\.(md|ipynb)$", "", f) for f in files]


def heading(doc: str) -> str:
    """A chapter's title as its source writes it: the first `# ` line, inline markup stripped."""
    text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("# "))
    return re.sub(r"[*_`]", "", line[2:]).strip()


def runs_code(doc: str) -> bool:
    """A chapter with a Jupyter kernel named in its front matter."""
    text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
    front = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    return bool(front and "kernelspec" in (yaml.safe_load(front.group(1)) or {}))


def require(ok: bool, reason: str) -> None:
    """Skip with the reason on a developer's machine; fail under CI, where nothing may be missing."""
    if not ok:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: the suite needs it)")
        pytest.skip(reason)


def require_html() -> Path:
    """The built web book (`make test` builds it before the suite runs)."""
    require((HTML / "chapters" / "intro.html").is_file(), "the web book is not built; run `make book` first")
    return HTML


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI a skip, from whatever call, is a failure: CI has every tool, so a skip hides a problem."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where nothing may skip: {report.longrepr}"
