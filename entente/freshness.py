"""Keeps the book fresh: notebooks re-execute when anything they read besides their own cells changed.

jupyter-cache matches a notebook on its code cells only, and Sphinx re-reads a page only when its
source changed, so neither notices a new row in data/, an edit to this package, an upgraded library or
a font installed since (vl-convert draws the PDF figures with the system's fonts). This extension
hashes all of that (the *fingerprint*) at every build and compares the hash with the one stored last
time, in two places, since the execution cache and the Sphinx environment can be deleted separately:

- beside the jupyter cache: when it differs, the cache is cleared (jupyter-cache's ``clear_cache``), so
  notebooks run again instead of coming back from the cache (the marker goes with the cache);
- in the Sphinx environment: when it differs, every document is marked outdated, so Sphinx re-reads
  it (and myst-nb executes it, or takes the fresh execution another build just cached).

A notebook whose last execution failed (jupyter-cache keeps the traceback in its project record) and
that has no cached execution as it is now is marked outdated at every build, so the failure is reported (and fails a -W build) again, instead of the
stale page being kept with exit status 0.

Only public interfaces are used: Sphinx's ``env-get-outdated`` event, myst-nb's ``nb_execution_*``
configuration values and jupyter-cache's cache API.
"""
from __future__ import annotations

import hashlib
import os
import platform
from importlib import metadata
from pathlib import Path

from jupyter_cache import get_cache
from sphinx.util import logging

from .schema import DESCRIPTOR

logger = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parent  # the package the build imports (PYTHONPATH may point elsewhere)
DATA_FOLDER = "data"  # beside datapackage.json: the folder holding the files its resources list
REQUIREMENTS = "requirements.txt"
# The font files vl-convert's font database loads (TrueType and OpenType, single or collections); other
# files in font folders (Type 1 fonts, fontconfig's .uuid markers) do not change a chart.
FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".otc"}
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


def font_folders() -> list[Path]:
    """Where fonts for vl-convert's PDF figures come from: the usual system and user font folders."""
    home = Path.home()
    data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), data_home / "fonts", home / ".fonts"]


def environment() -> list[str]:
    """What the kernels run on besides the project's files: Python, every installed distribution's
    version (a changed requirements.txt reaches here once `make` reinstalled) and the fonts."""
    lines = [f"python {platform.python_version()} {platform.machine()}"]
    versions = {(dist.metadata["Name"] or "").lower(): dist.version for dist in metadata.distributions()}
    lines += [f"package {name} {version}" for name, version in sorted(versions.items())]
    return lines + font_lines()


def font_lines() -> list[str]:
    """Every font file vl-convert may draw with, with its size (entente.render keys the PDF figures by it too)."""
    lines = []
    for folder in font_folders():
        if folder.is_dir():
            lines += [f"font {path} {path.stat().st_size}" for path in sorted(folder.rglob("*"))
                      if path.suffix.lower() in FONT_SUFFIXES and not path.name.startswith(".") and path.is_file()]
    return lines


def fingerprint(root: Path, package: Path = PACKAGE) -> str:
    """A hash of everything a notebook reads besides its own cells: the data package at ``root``
    (descriptor and data files), the requirements, the source of the entente package and the environment."""
    digest = hashlib.sha256()
    files = [root / DESCRIPTOR, root / REQUIREMENTS, *_inputs(root / DATA_FOLDER)]
    for base, paths in ((root, files), (package, list(_inputs(package)))):
        for path in paths:
            if path.is_file():
                # The name goes in too, so a renamed or moved file changes the hash.
                digest.update(path.relative_to(base).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    digest.update("\n".join(environment()).encode())
    return digest.hexdigest()


def cache_folder(app) -> Path | None:
    """The jupyter cache myst-nb uses, or None when it executes without one."""
    if app.config.nb_execution_mode != "cache":
        return None
    configured = app.config.nb_execution_cache_path
    # Left empty, myst-nb puts it beside the builder's output folder (myst-nb 1.4.0's documented default).
    return Path(configured).resolve() if configured else Path(app.outdir).parent / ".jupyter_cache"


def failed_notebooks(cache_path: Path) -> set[Path]:
    """The notebooks whose last execution failed and that have no cached execution as they are now.

    myst-nb leaves the traceback in the notebook's project record, and clears it only when it executes the
    notebook again; a notebook put back as it was comes from the cache instead, and is not failing.
    """
    if not cache_path.is_dir():
        return set()
    cache = get_cache(str(cache_path))
    return {Path(record.uri) for record in cache.list_project_records()
            if record.traceback and not _cached_as_it_is(cache, record)}


def _cached_as_it_is(cache, record) -> bool:
    try:
        return cache.get_cached_project_nb(record.pk) is not None
    except Exception:  # the notebook cannot be read (moved, broken): count it as failing
        return False


def drop_stale_executions(cache_path: Path, current: str) -> int:
    """Clear the jupyter cache when it was filled under another fingerprint than ``current``; return how
    many cached executions went."""
    marker = cache_path / MARKER
    if marker.is_file() and marker.read_text(encoding="utf8").strip() == current:
        return 0
    dropped = 0
    if cache_path.is_dir():
        cache = get_cache(str(cache_path))
        dropped = len(cache.list_cache_records())
        cache.clear_cache()
    cache_path.mkdir(parents=True, exist_ok=True)
    marker.write_text(current + "\n", encoding="utf8")
    return dropped


def _outdated_documents(app, env, added, changed, removed) -> list[str]:
    """Sphinx's env-get-outdated: the documents to re-read besides those whose source changed."""
    if app.config.nb_execution_mode in ("off", False):
        return []
    current = fingerprint(Path(app.srcdir))
    cache_path = cache_folder(app)
    failed, dropped = set(), 0
    if cache_path is not None:
        failed = {doc for path in failed_notebooks(cache_path)
                  if (doc := env.path2doc(str(path))) is not None and doc in env.found_docs}
        dropped = drop_stale_executions(cache_path, current)
    stale = set(env.found_docs) if getattr(env, ENV_ATTR, None) != current else set()
    # Stored now, before reading: the environment is only saved once the documents were read.
    setattr(env, ENV_ATTR, current)

    # Inline, after Sphinx's "updating environment: ", as Sphinx itself reports a changed config.
    if stale or dropped:
        logger.info(f"[entente: data, package or environment changed: {len(stale)} documents to re-read, "
                    f"{dropped} cached executions dropped] ", nonl=True)
    if failed:
        logger.info(f"[entente: failed last time, re-run: {', '.join(sorted(failed))}] ", nonl=True)
    return sorted(stale | failed)


def setup(app):
    app.connect("env-get-outdated", _outdated_documents)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "2"}
