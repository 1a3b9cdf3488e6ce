"""The validated, typed tables kept on disk, so a build validates the data once however many notebooks load it.

Every notebook runs in its own process and calls ``load()``; without this each would read and check
the whole package again. The first load of a build validates and stores the typed tables under
``_build/cache/`` beside the package; later loads with the same inputs read them back.

The key is a hash of everything the tables depend on: datapackage.json, every data file it names, the
source of this package, and the Python and pandas versions. A change to any of them gives another key,
so a stale entry is never found. Each entry carries a digest of its own bytes and is written to a
temporary file first, then renamed into place, so a half-written or damaged entry is detected and
ignored (the data is validated again), never served.

Set ``ENTENTE_VALIDATION_LOG`` to a file name to have each full validation append one line to it, so a
test can count how many a build made.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import platform
import tempfile
from pathlib import Path

import pandas as pd

from .schema import DESCRIPTOR, Schema

PACKAGE = Path(__file__).resolve().parent
CACHE_FOLDER = Path("_build") / "cache"
LOG_VARIABLE = "ENTENTE_VALIDATION_LOG"
MAGIC = b"entente-validated-tables-1\n"


def _source_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def key_of(root: Path) -> str | None:
    """The hash of every input of the typed tables; None when an input cannot be read (then nothing is cached)."""
    digest = hashlib.sha256()
    digest.update(f"{platform.python_version()} pandas {pd.__version__}\0".encode())
    try:
        descriptor = (root / DESCRIPTOR).read_bytes()
        digest.update(descriptor + b"\0")
        for res in Schema(root / DESCRIPTOR).resources.values():
            digest.update(res.path.encode() + b"\0" + (root / res.path).read_bytes() + b"\0")
        for path in _source_files():
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return digest.hexdigest()


def _entry(root: Path, key: str) -> Path:
    return root / CACHE_FOLDER / f"validated-{key}.pickle"


def read(root: Path, key: str | None) -> dict | None:
    """The tables stored under ``key``, or None when there are none or the entry is damaged."""
    if key is None:
        return None
    try:
        data = _entry(root, key).read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + 64
    if not data.startswith(MAGIC) or hashlib.sha256(data[head:]).hexdigest().encode() != data[len(MAGIC):head]:
        return None  # damaged or written by something else: validate again
    try:
        stored_key, tables = pickle.loads(data[head:])
    except Exception:  # noqa: BLE001  (a payload that passed its digest but cannot be read is still not served)
        return None
    return tables if stored_key == key else None


def write(root: Path, key: str | None, tables: dict) -> None:
    """Store the tables under ``key``, atomically; a folder that cannot be written is no error (nothing cached)."""
    if key is None:
        return
    payload = pickle.dumps((key, tables), protocol=pickle.HIGHEST_PROTOCOL)
    data = MAGIC + hashlib.sha256(payload).hexdigest().encode() + payload
    folder = root / CACHE_FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("validated-*.pickle"):  # entries for other data are stale for good
            old.unlink(missing_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".validated-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, _entry(root, key))
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def note_validation(root: Path) -> None:
    """Append a line to the file ``ENTENTE_VALIDATION_LOG`` names, if it names one: one line per full validation."""
    log = os.environ.get(LOG_VARIABLE)
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"validated {root}\n")
