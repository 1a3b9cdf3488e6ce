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
import json
import os
import platform
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from jupyter_cache import get_cache
from jupyter_cache.cache.db import NbCacheRecord
from sphinx.util import logging

from . import reads
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


@dataclass(frozen=True)
class Fingerprint:
    """What a notebook reads besides its own cells, hashed in two parts: ``base`` (the descriptor, the
    requirements, the entente package's source, the environment, and any file under data/ that no resource
    names) and ``resources`` (a hash of each resource's file, by resource name). A change to the base re-runs
    every chapter; a change to resources re-runs the chapters that read one of them (entente.reads)."""
    base: str
    resources: tuple[tuple[str, str], ...]

    def changed(self, other: "Fingerprint") -> set[str]:
        """The resources whose file differs from ``other``'s (added and removed ones included)."""
        mine, theirs = dict(self.resources), dict(other.resources)
        return {name for name in mine.keys() | theirs.keys() if mine.get(name) != theirs.get(name)}

    def text(self) -> str:
        return f"base {self.base}\n" + "".join(f"resource {name} {digest}\n" for name, digest in self.resources)

    @classmethod
    def parse(cls, text: str) -> "Fingerprint | None":
        lines = text.splitlines()
        if not lines or not lines[0].startswith("base "):
            return None  # an older marker (one hash of everything): counts as another base
        try:
            pairs = tuple(tuple(line.split(" ")[1:3]) for line in lines[1:] if line)
        except ValueError:
            return None
        return cls(lines[0][5:], pairs)


def _resource_files(root: Path) -> dict[str, Path]:
    """Each resource's file by name, as datapackage.json lists them; {} when it cannot be read (then every
    data file counts as the base's)."""
    try:
        descriptor = json.loads((root / DESCRIPTOR).read_text(encoding="utf-8"))
        return {str(res["name"]): root / res["path"] for res in descriptor["resources"]
                if isinstance(res.get("path"), str)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _hash_files(digest, base: Path, paths) -> None:
    for path in paths:
        if path.is_file():
            # The name goes in too, so a renamed or moved file changes the hash.
            digest.update(path.relative_to(base).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")


def fingerprint(root: Path, package: Path = PACKAGE) -> Fingerprint:
    """The fingerprint of the project at ``root`` (see ``Fingerprint``)."""
    resources = _resource_files(root)
    named = {path.resolve() for path in resources.values()}
    others = [path for path in _inputs(root / DATA_FOLDER) if path.resolve() not in named]
    digest = hashlib.sha256()
    _hash_files(digest, root, [root / DESCRIPTOR, root / REQUIREMENTS, *others])
    _hash_files(digest, package, list(_inputs(package)))
    digest.update("\n".join(environment()).encode())
    hashes = []
    for name, path in sorted(resources.items()):
        one = hashlib.sha256()
        _hash_files(one, root, [path])
        hashes.append((name, one.hexdigest() if path.is_file() else "missing"))
    return Fingerprint(digest.hexdigest(), tuple(hashes))


READS_FOLDER = "entente-reads"  # in the jupyter cache folder: one file per cached execution, by its hash key


def reads_file(cache_path: Path, key: str) -> Path:
    """Where the resources read by the execution cached under ``key`` are recorded (entente.reads)."""
    return cache_path / READS_FOLDER / f"{key}.txt"


def spared(cache_path: Path, record, changed: set[str]) -> bool:
    """Whether the cached execution ``record`` read none of the ``changed`` resources (known from its record)."""
    read = reads.read(reads_file(cache_path, record.hashkey))
    return read is not None and not read & changed


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


def drop_stale_executions(cache_path: Path, current: Fingerprint) -> int:
    """Drop the cached executions made under another fingerprint than ``current``: all of them when the base
    changed, else those that read a changed resource or whose reads are unknown. Return how many went."""
    marker = cache_path / MARKER
    stored = Fingerprint.parse(marker.read_text(encoding="utf8")) if marker.is_file() else None
    if stored == current:
        return 0
    dropped = 0
    if cache_path.is_dir():
        cache = get_cache(str(cache_path))
        records = cache.list_cache_records()
        if stored is None or stored.base != current.base:
            dropped = len(records)
            cache.clear_cache()
            shutil.rmtree(cache_path / READS_FOLDER, ignore_errors=True)
        else:
            changed = current.changed(stored)
            for record in records:
                if not spared(cache_path, record, changed):
                    try:
                        cache.remove_cache(record.pk)
                    except KeyError:  # its notebook file is gone already: the record alone
                        NbCacheRecord.remove_records([record.pk], cache.db)
                    reads_file(cache_path, record.hashkey).unlink(missing_ok=True)
                    dropped += 1
    cache_path.mkdir(parents=True, exist_ok=True)
    marker.write_text(current.text(), encoding="utf8")
    return dropped


def _spared_documents(env, cache_path: Path | None, changed: set[str]) -> set[str]:
    """The notebooks whose cached execution, as they are now, read none of the ``changed`` resources."""
    if cache_path is None or not cache_path.is_dir():
        return set()
    cache = get_cache(str(cache_path))
    found = set()
    for project in cache.list_project_records():
        doc = env.path2doc(project.uri)
        try:
            record = cache.get_cached_project_nb(project.pk)
        except Exception:  # the notebook cannot be read (moved, broken): not spared
            continue
        if doc is not None and record is not None and spared(cache_path, record, changed):
            found.add(doc)
    return found


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
    stored = getattr(env, ENV_ATTR, None)
    if not isinstance(stored, Fingerprint) or stored.base != current.base:
        stale = set(env.found_docs)
    elif stored != current:
        # Only the data changed: every page but the notebooks whose execution read none of what changed.
        stale = set(env.found_docs) - _spared_documents(env, cache_path, current.changed(stored))
    else:
        stale = set()
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
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "3"}
