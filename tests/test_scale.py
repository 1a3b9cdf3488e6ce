"""The book on a few thousand synthetic claims: every page is built, charts keep their specs, pages stay light.

The synthetic claims are added to the real ones (the chapters name the article's claims and cite its
sources, so they need them).

Slow (a full web build, a few minutes): `pytest -m slow`. Builds a copy of the project (the user's
_build is untouched) whose data package is replaced by entente.synth's, with the project's own
jupyter-book and the flags `make book` uses. Sizes are budgets in bytes, never times: speed is for
`make bench`.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT, drawn_charts

from entente import synth

CLAIMS = 3000
# A page's own HTML (its inline chart specs and tables included) stays under this however many claims
# there are: the shared assets (theme, vega bundle) are not the data's doing. At 767b2fe with 3,049 claims
# the heaviest page was the explorer, 336 KB at its cap of 1,000 embedded claims; the article's 49 claims
# give pages of 20 to 50 KB. An explorer embedding every claim would be about 1 MB here, and fail.
PAGE_BUDGET = 512 * 1024
IGNORED = shutil.ignore_patterns(".venv", "_build", ".git", ".pytest_cache", "__pycache__", "*.egg-info",
                                 "node_modules")  # the Lighthouse benchmark's, when it has run
CHART = re.compile(r'<div class="entente-chart" id="([^"]+)"')



def toc_files(entries) -> list[str]:
    """The files of _toc.yml, in order: its root, then every file of every part and chapter."""
    out = []
    for entry in entries if isinstance(entries, list) else [entries]:
        if isinstance(entry, dict):
            out += [entry[k] for k in ("root", "file") if k in entry]
            for key in ("parts", "chapters", "sections"):
                out += toc_files(entry.get(key, []))
    return out


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("scale") / "project"
    shutil.copytree(ROOT, project, ignore=IGNORED)
    # The chapters name the article's claims and cite its sources: the synthetic claims come on top of them.
    synth.write_package(CLAIMS, project, seed=1, keep_real=True)
    flags = re.search(r"^JB_FLAGS\s*:?=\s*(.*)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    venv = Path(sys.executable).parent
    # Synthetic claims land in the article's paragraphs, so sentences the chapters guard become untrue:
    # they are logged (and checked below) instead of stopping the build.
    env = dict(os.environ, PYTHONPATH=str(project), PATH=f"{venv}:{os.environ['PATH']}", SOURCE_DATE_EPOCH="0",
               ENTENTE_STALE_PROSE_LOG=str(project.parent / "stale-prose.txt"))
    subprocess.run([sys.executable, "-m", "entente.assets"], cwd=project, env=env, check=True,
                   capture_output=True, text=True)  # as make does, before Sphinx starts
    done = subprocess.run([str(venv / "jupyter-book"), "build", ".", *flags.group(1).split()], cwd=project,
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, "\n".join((done.stdout + done.stderr).splitlines()[-60:])
    return project


def pages(project: Path) -> list[Path]:
    toc = yaml.safe_load((project / "_toc.yml").read_text(encoding="utf-8"))
    return [project / "_build" / "html" / f"{Path(f).with_suffix('')}.html" for f in toc_files(toc)]


@pytest.mark.slow
def test_every_page_of_the_toc_is_built(book):
    missing = [p.relative_to(book).as_posix() for p in pages(book) if not p.is_file()]
    assert missing == []


@pytest.mark.slow
def test_the_book_counts_the_synthetic_claims(book):
    claims = len(pd.read_csv(book / "data" / "events.csv", dtype=str))
    assert claims == CLAIMS + len(pd.read_csv(ROOT / "data" / "events.csv", dtype=str))
    intro = pages(book)[0].read_text(encoding="utf-8")
    assert f"{claims:,}" in intro or str(claims) in intro, "the first page does not show the number of claims"


@pytest.mark.slow
def test_every_chart_has_its_spec(book):
    """Each chart element has its drawing call with a Vega spec; Part I's chapters each have charts."""
    charted = []
    for page in pages(book):
        html = page.read_text(encoding="utf-8")
        elements = CHART.findall(html)
        specs = drawn_charts(html)
        assert sorted(elements) == sorted(specs), f"{page.name}: charts without a spec, or specs without a chart"
        for element, spec in specs.items():
            assert "/schema/vega/" in spec.get("$schema", ""), f"{page.name}: {element} has no Vega spec"
            assert spec.get("marks"), f"{page.name}: {element} draws nothing"
        if elements:
            charted.append(page.stem)
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    part_one = [Path(c["file"]).stem for c in next(p for p in toc["parts"] if p.get("numbered"))["chapters"]]
    assert set(part_one) <= set(charted), f"chapters without charts: {sorted(set(part_one) - set(charted))}"


@pytest.mark.slow
def test_stale_sentences_are_logged_not_hidden(book):
    """The guards still ran on the synthetic claims: the sentences they caught are in the log, one per line."""
    log = book.parent / "stale-prose.txt"
    lines = log.read_text(encoding="utf-8").splitlines() if log.is_file() else []
    assert lines and all(line.startswith("This sentence of the report is no longer true") for line in lines)


@pytest.mark.slow
def test_pages_stay_within_their_budget(book):
    sizes = {p.relative_to(book).as_posix(): p.stat().st_size for p in pages(book)}
    over = {page: size for page, size in sizes.items() if size > PAGE_BUDGET}
    assert over == {}, f"pages over {PAGE_BUDGET:,} bytes with {CLAIMS} claims: {over}"


@pytest.mark.slow
def test_the_register_pages_itself_and_every_claim_lands_on_its_entry(book):
    """Every claim id (both cases of it) leads to its entry, on a register page within the budget."""
    from entente import register

    folder = book / "_build" / "html" / "chapters"
    sizes = {p.name: p.stat().st_size for p in folder.glob("register*.html")}
    assert len(sizes) > 1, "the register did not page itself"
    assert {name: size for name, size in sizes.items() if size > PAGE_BUDGET} == {}
    texts: dict[str, str] = {}
    for event_id in pd.read_csv(book / "data" / "events.csv", dtype=str)["event_id"]:
        name = register.href(event_id).partition("#")[0]
        text = texts.setdefault(name, (folder / name).read_text(encoding="utf-8"))
        assert f'<div class="entente-claim" id="{event_id}">\n<span id="{event_id.lower()}"></span>' in text, event_id
