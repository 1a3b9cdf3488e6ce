"""The chapters that must run, run in parallel, one worker per core, before Sphinx reads them.

    python -m entente.execute [ROOT]

Jupyter Book 1 (myst-nb) executes notebooks one after another while Sphinx reads them. This step, which
the Makefile runs before every Jupyter Book build, fills the same execution cache first with
jupyter-cache's parallel execution workers (a process pool of one worker per core); myst-nb then finds
every chapter in the cache and executes nothing itself.

It uses the cache exactly as the build does, so the build keeps what the pool produced:

- the same cache folder (``execute.cache`` of _config.yml, else ``_build/.jupyter_cache``), the same
  project records (myst-nb's own reader plugin for MyST notebooks) and the same settings (timeout,
  allow_errors, the chapter's folder as working directory, the book-build environment variable);
- the freshness check first (``entente.freshness``): cached executions made under another fingerprint
  of the data, package and environment are dropped here (only those that read a changed resource, when
  only data changed), and the marker is then written with the current one, so the check at the start
  of the Sphinx build finds nothing stale to drop;
- each kernel records the data resources it reads (``entente.reads``) in a file this step then keeps
  beside the chapter's cached execution, for the next freshness check.

A chapter that fails here is not cached: Sphinx executes it again and reports the error (failing a -W
build) as it always did. This step itself only fails when it cannot run at all.
"""
from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .startup import load_jsonschema

load_jsonschema()  # before jupyter-cache's nbformat, here and in every spawned worker that imports this
from . import freshness, reads, render  # noqa: E402

CONFIG = "_config.yml"
TOC = "_toc.yml"
DEFAULT_CACHE = Path("_build") / ".jupyter_cache"  # myst-nb's default: beside the builders' output folders
# How myst-nb records a MyST Markdown notebook in the cache's project (myst_nb.sphinx_ext, read_fmt).
MYST_READER = {"type": "plugin", "name": "myst_nb_md"}


@dataclass
class Settings:
    mode: str = "auto"
    cache: Path | None = None
    timeout: int = 30
    allow_errors: bool = False


@dataclass
class Report:
    notebooks: list[Path] = field(default_factory=list)  # every chapter that runs code
    executed: list[Path] = field(default_factory=list)  # ran here and cached
    failed: list[Path] = field(default_factory=list)  # ran here and failed: Sphinx runs them again
    retried: list[Path] = field(default_factory=list)  # failed outside their cells once, then ran again
    dropped: int = 0  # cached executions cleared because the fingerprint changed


def settings(root: Path) -> Settings:
    """The execute section of _config.yml, with Jupyter Book 1's defaults for what it leaves out."""
    config = yaml.safe_load((root / CONFIG).read_text(encoding="utf-8")) or {}
    execute = config.get("execute") or {}
    cache = execute.get("cache") or ""
    return Settings(mode=str(execute.get("execute_notebooks", "auto")),
                    cache=(root / cache) if cache else root / DEFAULT_CACHE,
                    timeout=int(execute.get("timeout", 30)),
                    allow_errors=bool(execute.get("allow_errors", False)))


def _toc_files(node) -> list[str]:
    if isinstance(node, dict):
        own = [node[k] for k in ("root", "file") if isinstance(node.get(k), str)]
        return own + [f for value in node.values() for f in _toc_files(value)]
    if isinstance(node, list):
        return [f for item in node for f in _toc_files(item)]
    return []


def notebooks(root: Path) -> list[Path]:
    """The documents of _toc.yml that are MyST notebooks (they name a kernel), as absolute paths."""
    from myst_nb.core.read import is_myst_markdown_notebook

    toc = yaml.safe_load((root / TOC).read_text(encoding="utf-8")) or {}
    found = []
    for name in dict.fromkeys(_toc_files(toc)):
        path = root / (name if name.endswith(".md") else f"{name}.md")
        if path.is_file() and is_myst_markdown_notebook(path.read_text(encoding="utf-8")):
            found.append(path)
    return found


def _warm_data_cache(root: Path) -> None:
    """Validate the data once here, so the parallel kernels all read the typed tables from the cache
    instead of each validating at the same moment (entente.cache)."""
    from .data import load
    from .validate import DataError

    try:
        load(root)
    except (DataError, OSError, ValueError):
        pass  # the chapters report it (and `make assets` stopped the build before this already)


def run(root: Path) -> Report:
    """Execute every stale chapter of the book at ``root`` in a process pool; return what happened."""
    from jupyter_cache import get_cache
    from jupyter_cache.executors.base import ExecutorRunResult

    # As Sphinx sees the source folder (absolute, symlinks kept): the cache's project records match.
    root = Path(os.path.abspath(root))
    conf = settings(root)
    report = Report(notebooks=notebooks(root))
    if conf.mode != "cache" or not report.notebooks:
        return report  # only the cache mode keeps executions for Sphinx to find
    report.dropped = freshness.drop_stale_executions(conf.cache, freshness.fingerprint(root))
    cache = get_cache(str(conf.cache))
    for path in report.notebooks:
        cache.add_nb_to_project(str(path), read_data=MYST_READER)
    uris = [str(p) for p in report.notebooks]
    stale = cache.list_unexecuted(filter_uris=uris)
    if not stale:
        return report
    _warm_data_cache(root)
    os.environ[render.BUILD_ENV] = "1"  # the kernels render charts for the book, as under Sphinx
    pending = {r.uri: conf.cache / freshness.READS_FOLDER /
               f"running-{hashlib.sha256(r.uri.encode()).hexdigest()[:16]}.txt" for r in stale}
    result = _pool(cache, stale, conf, pending)
    if result.errored:
        # jupyter-cache's worker reports a cell's own error or timeout as "excepted": running it again
        # would fail again. "Errored" is a failure outside the cells, such as a kernel that died or never
        # started (two kernels starting at once can lose that race): such a chapter gets one more try.
        report.retried = [Path(u) for u in result.errored]
        again = _pool(cache, [r for r in stale if r.uri in result.errored], conf, pending)
        result = ExecutorRunResult(succeeded=[*result.succeeded, *again.succeeded],
                                   excepted=[*result.excepted, *again.excepted], errored=again.errored)
    report.executed = [Path(u) for u in result.succeeded]
    report.failed = [Path(u) for u in (*result.excepted, *result.errored)]
    # What each executed chapter read goes beside its cached execution (entente.freshness reads it there).
    for uri in result.succeeded:
        record = cache.get_cached_project_nb(uri)
        if record is not None and pending[uri].is_file():
            os.replace(pending[uri], freshness.reads_file(conf.cache, record.hashkey))
    for path in pending.values():
        path.unlink(missing_ok=True)
    return report


def _execute_recording_reads(job) -> tuple[int, str]:
    """One pool job: jupyter-cache's worker executing one notebook, its kernel told where to record the data
    resources it reads (entente.reads) by the environment it inherits from this worker process."""
    from jupyter_cache.executors.basic import ExecutionWorkerLocalMProc

    data, reads_path = job
    Path(reads_path).unlink(missing_ok=True)
    os.environ[reads.READS_FILE] = reads_path
    try:
        return ExecutionWorkerLocalMProc()(data)
    finally:
        del os.environ[reads.READS_FILE]


def _pool(cache, records, conf: Settings, reads_files: dict[str, Path]):
    """jupyter-cache's local-parallel executor, with a pool of *spawned* workers, one per core.

    Its own pool forks the calling process, which can deadlock a worker when that process already runs
    threads (a test runner, say): we saw one hang. A spawned worker starts clean. The workers, what they
    run and what they cache are jupyter-cache's, as ``jcache project execute --executor local-parallel``.
    """
    import multiprocessing

    from jupyter_cache.cache.db import NbProjectRecord
    from jupyter_cache.executors.base import ExecutorRunResult
    from jupyter_cache.executors.basic import ProcessData

    # Cleared first, as the executor does: a chapter keeps a traceback only if it fails again.
    NbProjectRecord.remove_tracebacks([r.pk for r in records], cache.db)
    jobs = [(ProcessData(r.pk, r.uri, cache, conf.timeout, conf.allow_errors), str(reads_files[r.uri]))
            for r in records]
    with multiprocessing.get_context("spawn").Pool(os.cpu_count() or 1) as pool:
        results = pool.map(_execute_recording_reads, jobs, chunksize=1)
    return ExecutorRunResult(succeeded=[uri for code, uri in results if code == 0],
                             excepted=[uri for code, uri in results if code == 1],
                             errored=[uri for code, uri in results if code == 2])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0] if args else ".")
    report = run(root)
    name = lambda p: Path(os.path.relpath(p, os.path.abspath(root))).as_posix()
    if report.dropped:
        print(f"entente.execute: data, package or environment changed: {report.dropped} cached executions dropped")
    print(f"entente.execute: {len(report.executed)} of {len(report.notebooks)} chapters executed "
          f"({os.cpu_count()} workers){': ' if report.executed else ''}{', '.join(map(name, report.executed))}")
    if report.retried:
        print(f"entente.execute: run again after their kernel failed outside the cells: "
              f"{', '.join(map(name, report.retried))}")
    if report.failed:
        print(f"entente.execute: failed, left for the book build to run and report: "
              f"{', '.join(map(name, report.failed))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
