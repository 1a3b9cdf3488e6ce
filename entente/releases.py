"""The data's releases: the release manifest (the ``releases`` resource), the hash that pins each
release's data, and the snapshots of earlier releases kept for comparison.

The manifest is data, committed with the rest, so the book can name its release and compare it with
the previous one without reading git. The snapshot of release V is the whole package as released,
kept byte for byte in ``releases/V/`` beside datapackage.json (outside data/, which the book hashes
to decide what to re-execute: a snapshot never changes once written).

    python -m entente.releases hash [FOLDER]    print the data hash of a package (default: this one)
    python -m entente.releases stamp [FOLDER]   print the stamp the book puts under every chart and table
    python -m entente.releases snapshot VERSION  keep this package as release VERSION in releases/VERSION
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import shutil
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .diff import PackageDiff, PackageError, compare, open_schema, read_table, resource_paths
from .schema import DESCRIPTOR, find_root
from .validate import DataError

RELEASES = "releases"  # the manifest's resource name
SNAPSHOTS = "releases"  # the folder, beside datapackage.json, holding a snapshot of each earlier release
HASH_LENGTH = 12
VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


def hashed_files(root: Path) -> list[str]:
    """What the data hash covers, in the order it reads them: datapackage.json, then the file of every
    resource it lists except the manifest itself (which records the hash), by path in code-point order."""
    paths = resource_paths(open_schema(root), str(root / DESCRIPTOR))
    return [DESCRIPTOR, *sorted({str(path) for name, path in paths.items() if name != RELEASES})]


def data_hash(root: Path | str) -> str:
    """The first 12 hex digits of a SHA-256 over each file of ``hashed_files``, taken as its path
    (UTF-8), a NUL byte, its length in bytes written in decimal, a NUL byte and its bytes as stored.
    Bytes, not parsed values: any edit, even of a line ending, gives another hash."""
    root = Path(root)
    digest = hashlib.sha256()
    for rel in hashed_files(root):
        path = root / rel
        if not path.is_file():
            raise PackageError(f"{path}: file not found; {DESCRIPTOR} lists it")
        content = path.read_bytes()
        digest.update(rel.encode("utf-8") + b"\0" + str(len(content)).encode("ascii") + b"\0" + content)
    return digest.hexdigest()[:HASH_LENGTH]


@dataclass(frozen=True)
class Edition:
    """Which data a page, chart or table was made from: the data's as-of date and its data version (the
    data hash: datapackage.json and the data files only, never the code), with the package's release."""
    as_of: dt.date
    as_of_label: str  # as the book writes dates: 2 Dec 2026
    data_version: str
    release: str  # datapackage.json "version"

    @property
    def stamp(self) -> str:
        """The line under every chart and table, so a screenshot or a printout can be matched to a release."""
        return f"Data as of {self.as_of_label}, data version {self.data_version}"


@lru_cache(maxsize=8)
def _edition(root: Path, version: str) -> Edition:
    from .data import load  # loading validates the data (and is cached): only once per data version

    data = load(root)
    return Edition(data.as_of, data.as_of_label, version, str(data.schema.descriptor.get("version", "")))


def edition(root: Path | str | None = None) -> Edition:
    """The edition of the data package at ``root`` (default: the project holding the working directory).

    The as-of date is the one the PDF's title page shows (``Dataset.as_of``: the change record's latest
    date); the data version is ``data_hash``. Remembered while the files are unchanged, so a chapter with
    many charts and tables hashes and validates the data once."""
    root = Path(root).resolve() if root else find_root()
    from . import reads

    # The data version hashes every file but the manifest: a read of each of them (entente.reads).
    if reads.recording():
        reads.note(*(name for name in resource_paths(open_schema(root), str(root / DESCRIPTOR)) if name != RELEASES))
    return _edition(root, _data_hash_of(root, _file_signature(root)))


def _file_signature(root: Path) -> tuple:
    """Each hashed file with its size and modification time (None if missing: data_hash then says so)."""
    stats = [(rel, (root / rel).stat() if (root / rel).is_file() else None) for rel in hashed_files(root)]
    return tuple((rel, st and (st.st_size, st.st_mtime_ns)) for rel, st in stats)


@lru_cache(maxsize=8)
def _data_hash_of(root: Path, signature: tuple) -> str:
    # Every chart and table asks for the stamp: the files are read and hashed again only when one changed.
    return data_hash(root)


def output_stamp() -> str:
    """The stamp for charts and tables shown from the project's data, or "" where there is no data package
    to name (a table or chart of some other frame, outside any project)."""
    try:
        return edition().stamp
    except FileNotFoundError:
        return ""


def version_key(version: str, where: str = "version") -> tuple[int, int, int]:
    """A MAJOR.MINOR.PATCH version as numbers, so that 1.10.0 comes after 1.9.0."""
    match = VERSION.fullmatch(version) if isinstance(version, str) else None
    if not match:
        raise PackageError(f"{where}: {version!r}: expected a version MAJOR.MINOR.PATCH, such as 2.0.0")
    return tuple(int(part) for part in match.groups())


def releases(root: Path | str) -> pd.DataFrame:
    """The release manifest of the package at ``root``, oldest first, every value as text."""
    from . import reads

    reads.note(RELEASES)
    manifest = read_table(root, RELEASES).reset_index(drop=True)
    keys = [version_key(v, f"{root}/{DESCRIPTOR}, resource {RELEASES!r}, data row {i + 1}, column version")
            for i, v in enumerate(manifest["version"])]
    return manifest.iloc[sorted(range(len(manifest)), key=keys.__getitem__)].reset_index(drop=True)


def snapshot(root: Path | str, version: str) -> Path:
    """The folder holding release ``version`` of the package at ``root`` as it was released."""
    return Path(root) / SNAPSHOTS / version


def write_snapshot(root: Path | str, version: str) -> Path:
    """Copy the package at ``root`` (its descriptor and every file it lists) to ``releases/<version>``,
    once the manifest records ``version`` with the hash of exactly these bytes. An existing snapshot
    is never overwritten: a release, once published, does not change."""
    root = Path(root)
    target = snapshot(root, version)
    if target.exists():
        raise PackageError(f"{target}: already exists; a release's snapshot is never rewritten")
    recorded = releases(root)
    row = recorded[recorded["version"] == version]
    if not len(row):
        raise PackageError(f"{root / DESCRIPTOR}: no release {version!r} in the {RELEASES!r} resource; "
                           f"record it (version, date, data_hash, notes) first")
    current = data_hash(root)
    if row["data_hash"].iloc[0] != current:
        raise PackageError(f"release {version}: the manifest records data_hash {row['data_hash'].iloc[0]}, "
                           f"but the data in {root} hashes to {current}; expected the data as released")
    paths = resource_paths(open_schema(root), str(root / DESCRIPTOR))
    for rel in [DESCRIPTOR, *sorted({str(path) for path in paths.values()})]:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / rel, target / rel)
    return target


def previous_release(root: Path | str) -> pd.Series | None:
    """The latest release older than the package's own version (datapackage.json "version"), or None."""
    root = Path(root)
    current = version_key(open_schema(root).descriptor.get("version", ""), f"{root / DESCRIPTOR}, \"version\"")
    manifest = releases(root)
    older = manifest[[version_key(v) < current for v in manifest["version"]]]
    return older.iloc[-1] if len(older) else None


def compare_with_previous_release(root: Path | str | None = None) -> PackageDiff | None:
    """The comparison of the previous release's snapshot with the data at ``root`` (default: the
    project's own), for the book's change page; None when there is no earlier release."""
    root = Path(root) if root else find_root()
    from . import reads

    if reads.recording():  # the comparison reads every table
        reads.note(*resource_paths(open_schema(root), str(root / DESCRIPTOR)))
    previous = previous_release(root)
    if previous is None:
        return None
    diff = compare(snapshot(root, previous["version"]), root)
    # Named as a reader knows them, not by this machine's paths.
    diff.old, diff.new = f"release {previous['version']}", "this edition"
    return diff


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m entente.releases", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_hash = sub.add_parser("hash", help="print the data hash of a data package, as the manifest records it")
    p_hash.add_argument("folder", nargs="?", type=Path, help="a data package folder (default: this project's)")
    p_stamp = sub.add_parser("stamp", help="print the as-of date and data version stamped under charts and tables")
    p_stamp.add_argument("folder", nargs="?", type=Path, help="a data package folder (default: this project's)")
    p_snap = sub.add_parser("snapshot", help="copy this project's data package to releases/VERSION, once the "
                                             "manifest records VERSION with the data's hash")
    p_snap.add_argument("version", metavar="VERSION")
    args = parser.parse_args(argv)
    try:
        if args.command == "hash":
            print(data_hash(args.folder or find_root()))
        elif args.command == "stamp":
            print(edition(args.folder).stamp)
        else:
            print(write_snapshot(find_root(), args.version))
    except (PackageError, FileNotFoundError, DataError) as err:
        print(f"entente releases: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
