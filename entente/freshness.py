"""Keeps the book fresh: notebooks re-execute when the data or the entente package change.

jupyter-cache matches a notebook on its code cells only, and Sphinx re-reads a page only when its
source changed, so neither notices a new row in data/ or an edit to this package. This extension
hashes both (the *fingerprint*) at every build and compares the hash with the one stored last time,
in two places, since the execution cache and the Sphinx environment can be deleted separately:

- beside the jupyter cache: when it differs, the cached executions are dropped, so notebooks run
  again instead of coming back from the cache (the marker goes when the cache is deleted);
- in the Sphinx environment: when it differs, every notebook document is marked outdated, so Sphinx
  re-reads it (and myst-nb executes it, or takes the fresh execution another build just cached).

A notebook whose execution failed is marked outdated at every build, so the failure is reported
(and fails a -W build) again, instead of the stale page being kept with exit status 0.

The HTML and LaTeX builds share the execution cache and one environment (``_build/.doctrees``). A
page the LaTeX build re-read looks up to date to the HTML builder, which compares the page's *source*
with its output: after `make pdf` picked up new data, `make book` would keep the old web pages. So
every page whose doctree is newer than its web page is written again.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from jupyter_cache import get_cache
from jupyter_cache.cache.db import NbCacheRecord
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.util import logging

from .schema import DESCRIPTOR

logger = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parent  # the package the build imports (PYTHONPATH may point elsewhere)
DATA_FOLDER = "data"  # beside datapackage.json: the folder holding the files its resources list
MARKER = "entente-fingerprint.txt"  # kept in the jupyter cache folder, so it lives and dies with the cache
ENV_ATTR = "entente_fingerprint"  # kept in the pickled Sphinx environment


def _inputs(folder: Path):
    """The files under ``folder`` a notebook may read, skipping bytecode and hidden files such as the
    lock files spreadsheets leave beside an open CSV (``.~lock.events.csv#``)."""
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if path.is_file() and path.suffix != ".pyc" and not any(
                p.startswith(".") or p == "__pycache__" for p in parts):
            yield path


def fingerprint(root: Path, package: Path = PACKAGE) -> str:
    """A hash of everything a notebook reads besides its own cells: the data package at ``root``
    (descriptor and data files) and the source of the entente package."""
    digest = hashlib.sha256()
    files = [root / DESCRIPTOR, *_inputs(root / DATA_FOLDER)]
    for base, paths in ((root, files), (package, list(_inputs(package)))):
        for path in paths:
            if path.is_file():
                # The name goes in too, so a renamed or moved file changes the hash.
                digest.update(path.relative_to(base).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _drop_stale_executions(cache_path: Path, current: str) -> int:
    """Empty the jupyter cache when it was filled from other data or package source than ``current``."""
    marker = cache_path / MARKER
    if marker.is_file() and marker.read_text(encoding="utf8").strip() == current:
        return 0
    cache = get_cache(str(cache_path))
    records = cache.list_cache_records()
    for record in records:
        try:
            cache.remove_cache(record.pk)
        except KeyError:  # the executed notebook's file is gone already: drop the record alone
            NbCacheRecord.remove_records([record.pk], cache.db)
    marker.write_text(current + "\n", encoding="utf8")
    return len(records)


def _outdated_notebooks(app, env, added, changed, removed) -> list[str]:
    """Sphinx's env-get-outdated: the notebook documents to re-read besides those whose source changed."""
    nb_config = env.mystnb_config  # set by myst-nb at builder-inited
    if nb_config.execution_mode == "off":
        return []
    current = fingerprint(Path(app.srcdir))
    dropped = 0
    if nb_config.execution_mode == "cache":
        dropped = _drop_stale_executions(Path(nb_config.execution_cache_path), current)

    # myst-nb records an execution result for every notebook it read (executed or from the cache).
    executions = {doc: data["exec_data"] for doc, data in NbMetadataCollector.get_doc_data(env).items()
                  if data.get("exec_data") and doc in env.found_docs}
    failed = {doc for doc, result in executions.items() if not result.get("succeeded")}
    stale = set(executions) if getattr(env, ENV_ATTR, None) != current else set()
    # Stored now, before reading: the environment is only saved once the documents were read.
    setattr(env, ENV_ATTR, current)

    # Inline, after Sphinx's "updating environment: ", as Sphinx itself reports a changed config.
    if stale or dropped:
        logger.info(f"[entente: data or package changed: {len(stale)} notebooks to re-read, "
                    f"{dropped} cached executions dropped] ", nonl=True)
    if failed:
        logger.info(f"[entente: failed last time, re-run: {', '.join(sorted(failed))}] ", nonl=True)
    return sorted(stale | failed)


def _pages_read_by_another_build(app, env) -> list[str]:
    """Sphinx's env-updated: the pages to write again because their doctree is newer than their output
    (the other builder re-read them). Only builders writing one file per page (HTML) need this."""
    outfile = getattr(app.builder, "get_outfilename", None)
    if outfile is None:
        return []
    pages = []
    for docname in env.found_docs:
        doctree, page = Path(env.doctreedir, f"{docname}.doctree"), Path(outfile(docname))
        if doctree.is_file() and (not page.is_file() or doctree.stat().st_mtime > page.stat().st_mtime):
            pages.append(docname)
    return pages


def setup(app):
    app.connect("env-get-outdated", _outdated_notebooks)
    app.connect("env-updated", _pages_read_by_another_build)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
