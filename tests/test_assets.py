"""The step before Sphinx (python -m entente.assets): it makes the vega bundle and the bibliography, rewrites
nothing that did not change, and the Sphinx extension refuses to build with either missing or stale."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx.errors import ConfigError

from conftest import ROOT, raw
from entente import assets, render, sphinxext


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The data package alone, in a folder of its own, with its generated files made once."""
    root = tmp_path_factory.mktemp("assets") / "project"
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copy2(ROOT / "datapackage.json", root / "datapackage.json")
    written = assets.prepare(root)
    assert sorted(p.relative_to(root).as_posix() for p in written) == sorted(
        [assets.BIBLIOGRAPHY, f"{assets.VEGA_DIR}/{assets.VEGA_FILE}"])
    return root


def test_bundle_is_one_wrapped_script_that_defines_the_drawing_function(project):
    bundle = (project / assets.VEGA_DIR / assets.VEGA_FILE).read_text(encoding="utf-8")
    first, body = bundle.split("\n", 1)
    assert first.startswith("/* vega ") and "do not edit" in first
    assert body.startswith("(function () {") and body.rstrip().endswith("})();")
    assert f"window.{render.DRAW}=" in body.replace(" ", "")
    # Charts come compiled to Vega: neither the Vega-Lite compiler nor vega-embed is in the bundle.
    assert "vega-lite" not in first and "vega-embed" not in first and len(bundle) < 650_000


def test_bibliography_has_one_entry_per_source(project):
    bib = (project / assets.BIBLIOGRAPHY).read_text(encoding="utf-8")
    assert sorted(line.split("{", 1)[1].rstrip(",") for line in bib.splitlines() if line.startswith("@misc{")) == \
        sorted(raw("sources")["source_id"])


def test_nothing_is_rewritten_when_nothing_changed(project):
    made = [project / assets.BIBLIOGRAPHY, project / assets.VEGA_DIR / assets.VEGA_FILE]
    before = [p.stat().st_mtime_ns for p in made]
    assert assets.prepare(project) == []
    assert [p.stat().st_mtime_ns for p in made] == before
    assert assets.stale(project) == []


def test_stale_names_what_changed(project):
    sources = project / "data" / "sources.csv"
    bundle = project / assets.VEGA_DIR / assets.VEGA_FILE
    saved = sources.read_bytes(), bundle.read_bytes()
    try:
        rows = sources.read_text(encoding="utf-8").splitlines(keepends=True)
        sources.write_text(rows[0] + "".join(reversed(rows[1:])), encoding="utf-8")  # another order of entries
        bundle.write_text("/* vega 0.0 */\n", encoding="utf-8")
        assert assets.stale(project) == [f"{assets.VEGA_DIR}/{assets.VEGA_FILE}", assets.BIBLIOGRAPHY]
        bundle.unlink()
        assert f"{assets.VEGA_DIR}/{assets.VEGA_FILE}" in assets.stale(project)
    finally:
        sources.write_bytes(saved[0])
        bundle.write_bytes(saved[1])
    assert assets.stale(project) == []


def _config(**values):
    return SimpleNamespace(html_static_path=[], html_js_files=[], **values)


def test_the_extension_refuses_stale_files_and_hands_sphinx_current_ones(project):
    app = SimpleNamespace(srcdir=str(project))
    config = _config(bibtex_bibfiles=[assets.BIBLIOGRAPHY])
    sphinxext._use_generated_assets(app, config)
    # Served by the book, but linked only from the pages that draw a chart (entente.pages).
    assert config.html_static_path == [assets.VEGA_DIR] and config.html_js_files == []
    with pytest.raises(ConfigError, match="bibtex_bibfiles"):
        sphinxext._use_generated_assets(app, _config(bibtex_bibfiles=["refs.bib"]))
    bib = project / assets.BIBLIOGRAPHY
    saved = bib.read_bytes()
    try:
        bib.unlink()
        with pytest.raises(ConfigError, match=r"python -m entente.assets"):
            sphinxext._use_generated_assets(app, _config(bibtex_bibfiles=[assets.BIBLIOGRAPHY]))
    finally:
        bib.write_bytes(saved)


def test_bad_data_stops_the_step_with_the_problem(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copy2(ROOT / "datapackage.json", root / "datapackage.json")
    events = root / "data" / "events.csv"
    rows = events.read_text(encoding="utf-8").splitlines(keepends=True)
    events.write_text("".join(rows) + rows[-1], encoding="utf-8")  # a duplicate event id
    done = subprocess.run([sys.executable, "-m", "entente.assets", str(root)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "the data has problems, nothing generated" in done.stderr and "events.csv" in done.stderr
    assert not (root / "_build").exists()
