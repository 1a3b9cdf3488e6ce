"""Which resources of the data package a kernel read, so a data edit re-runs only the chapters that read it.

``entente.execute`` gives each notebook it runs a file of its own (the variable ``READS_FILE``); the
loader and the release helpers note the resources each read touches (``note``), and the file is rewritten
with all of them whenever one is added. ``entente.freshness`` then drops a chapter's cached execution only
when a resource it read changed. A kernel without the variable (a live notebook, or myst-nb executing a
chapter itself) writes nothing, and a chapter with no record counts as reading everything.

What counts as a read is what the outputs can depend on: a table derived from others (the standing
claims join their sources and drop withdrawn claims) is a read of every table it comes from, and the
data version printed under every chart and table is a read of every file it hashes.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

READS_FILE = "ENTENTE_READS_FILE"
_noted: set[str] = set()


def recording() -> bool:
    """Whether this kernel records its reads (entente.execute started it)."""
    return bool(os.environ.get(READS_FILE))


def note(*names: str) -> None:
    """Record that this kernel read the resources ``names`` (written only when a new one is among them)."""
    path = os.environ.get(READS_FILE)
    new = set(names) - _noted
    if not path or not new:
        return
    _noted.update(new)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write("".join(f"{name}\n" for name in sorted(_noted)))
    os.replace(temporary, target)


def read(path: Path) -> set[str] | None:
    """The resources recorded in ``path``; None when there is no record (then: every resource)."""
    try:
        return {line for line in path.read_text(encoding="utf-8").splitlines() if line}
    except OSError:
        return None


class TrackedTables(dict):
    """The typed tables by resource name (``Dataset.tables``): taking one notes it (and what it derives from)."""

    def __init__(self, tables: dict, derived: dict[str, tuple[str, ...]]):
        super().__init__(tables)
        self._derived = derived

    def _note(self, name) -> None:
        note(*self._derived.get(name, (name,)))

    def __getitem__(self, name):
        self._note(name)
        return super().__getitem__(name)

    def get(self, name, default=None):
        self._note(name)
        return super().get(name, default)

    def values(self):
        note(*self)
        return super().values()

    def items(self):
        note(*self)
        return super().items()

    def __reduce__(self):  # pickled (a cache, a copy) as the plain dict it holds
        return dict, (dict(self),)
