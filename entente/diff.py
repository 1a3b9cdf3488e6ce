"""Compares two versions of the data package: per table, the rows added, withdrawn and removed, and
every changed field of the rows both versions hold.

A version is a folder holding datapackage.json and the files its resources list, or a revision of the
git repository the command runs in. Each table is read as plain text, as its descriptor says, and
its rows are matched on the table's primary key; a table without one is compared as a multiset of
rows. Ids are never deleted: a record the change record marks withdrawn keeps its row, so it is
reported as withdrawn, not removed. A column only one version holds is a change of the table's
schema, reported once rather than once per row.

    python -m entente.diff OLD NEW      (exit status 0 when both were read, 2 when one cannot be)
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from .schema import DESCRIPTOR, Schema, find_root

# The resource holding the data's own history, and what its fields mean to a comparison.
CHANGE_RECORD = "changes"
CHANGE_FIELDS = ("date", "record_id", "change")
WITHDRAWN = "withdrawn"
SUMMARY = "summary"  # a field that says in one line what a record is, shown beside its id

# Kinds of change, in the order a table's report lists them.
ROW_KINDS = ("added", "withdrawn", "reinstated", "removed")


class PackageError(Exception):
    """A version that cannot be read; the message names the file, the line or value, and what was expected."""


# --- reading one version --------------------------------------------------------------------------

@dataclass
class Package:
    """One version of the data package, every table as text."""
    label: str
    version: str
    tables: dict[str, pd.DataFrame]  # in descriptor order, indexed by the primary key when there is one
    keys: dict[str, tuple[str, ...]]
    record_tables: frozenset[str]  # the tables whose ids the change record speaks of


def _safe_path(path, where: str) -> PurePosixPath:
    """A resource path as the descriptor gives it, refused when it could name a file outside the package."""
    if not isinstance(path, str) or not path:
        raise PackageError(f"{where}: path {path!r}: expected the relative path of one file")
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or "\\" in path or ":" in pure.parts[0]:
        raise PackageError(f"{where}: path {path!r}: expected a path inside the package folder, "
                           f"relative and without '..'")
    return pure


def resource_paths(schema: Schema, where: str) -> dict[str, PurePosixPath]:
    """Each resource's file, by resource name, checked to lie inside the package."""
    try:
        resources = schema.resources
    except (KeyError, TypeError, AttributeError) as err:
        raise PackageError(f"{where}: expected \"resources\", each with a name, a path and a schema with "
                           f"fields (missing or malformed: {err})") from None
    return {name: _safe_path(res.path, f"{where}, resource {name!r}") for name, res in resources.items()}


def open_schema(root: Path, label: str | None = None) -> Schema:
    """The descriptor of the package in folder ``root``, or a PackageError saying why there is none."""
    label = label or str(root)
    if not root.is_dir():
        raise PackageError(f"{label}: {'not a folder' if root.exists() else 'no such folder'}; "
                           f"expected a data package folder")
    descriptor = root / DESCRIPTOR
    if not descriptor.is_file():
        raise PackageError(f"{label}: no {DESCRIPTOR} in this folder; expected a data package folder")
    try:
        return Schema(descriptor)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise PackageError(f"{label}/{DESCRIPTOR}: not valid UTF-8 JSON ({err})") from None


def _read_rows(path: Path, where: str, encoding: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of one CSV file, every value as text. A row with more or fewer values than
    the header is an error (pandas would pad or shift it silently); blank lines hold no row."""
    if not path.is_file():
        raise PackageError(f"{where}: file not found; the descriptor lists it")
    try:
        with path.open(encoding="utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding,
                       newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                raise PackageError(f"{where}: empty file; expected a header row")
            repeated = sorted({name for name in header if header.count(name) > 1})
            if repeated:
                raise PackageError(f"{where}, line 1: column(s) {', '.join(map(repr, repeated))} appear "
                                   f"more than once; expected each column once")
            rows = []
            for row in reader:
                if not row:
                    continue
                if len(row) != len(header):
                    raise PackageError(f"{where}, line {reader.line_num}: {len(row)} values; expected "
                                       f"{len(header)}, one per column of the header")
                rows.append(row)
    except csv.Error as err:
        raise PackageError(f"{where}, line {reader.line_num}: not well-formed CSV ({err})") from None
    except UnicodeDecodeError as err:
        raise PackageError(f"{where}: not valid {encoding} text ({err})") from None
    except LookupError:
        raise PackageError(f"{where}: unknown encoding {encoding!r} in the descriptor") from None
    return header, rows


def _keyed(frame: pd.DataFrame, key: tuple[str, ...], where: str) -> pd.DataFrame:
    """The table indexed by its primary key (the key's columns are kept as columns too)."""
    missing = [name for name in key if name not in frame.columns]
    if missing:
        raise PackageError(f"{where}, line 1: no column {', '.join(map(repr, missing))}; expected the "
                           f"primary key's fields {', '.join(key)} in the header")
    keyed = frame.set_index(list(key), drop=False)
    duplicated = np.flatnonzero(keyed.index.duplicated(keep=False))
    if len(duplicated):
        first = keyed.index[duplicated[0]]
        rows = [str(i + 1) for i in duplicated if keyed.index[i] == first]
        raise PackageError(f"{where}: primary key {', '.join(key)} = {_record(first)} is held by "
                           f"{len(rows)} rows (data rows {', '.join(rows)}, not counting the header); "
                           f"expected each key once")
    return keyed


def _read_table(root: Path, schema: Schema, name: str, where: Callable[[str], str]) -> pd.DataFrame:
    path = resource_paths(schema, where(DESCRIPTOR))[name]
    raw = next(res for res in schema.descriptor["resources"] if res.get("name") == name)
    header, rows = _read_rows(root / path, where(str(path)), raw.get("encoding", "utf-8"))
    frame = pd.DataFrame(rows, columns=header, dtype=str) if rows else \
        pd.DataFrame({column: pd.Series([], dtype=str) for column in header})
    key = schema.resources[name].primary_key
    return _keyed(frame, key, where(str(path))) if key else frame


def read_table(root: Path | str, name: str) -> pd.DataFrame:
    """One resource of the package in folder ``root``, read as ``read_package`` reads each."""
    root = Path(root)
    schema = open_schema(root)
    if name not in resource_paths(schema, str(root / DESCRIPTOR)):
        raise PackageError(f"{root / DESCRIPTOR}: no resource named {name!r}")
    return _read_table(root, schema, name, lambda rel: str(root / rel))


def read_version(root: Path, label: str | None = None, where: Callable[[str], str] | None = None) -> Package:
    """The package in folder ``root``, named ``label`` in the report; ``where`` names a file of it in
    messages (a revision's files are read from a temporary folder but named as git names them)."""
    label = label or str(root)
    where = where or (lambda rel: str(root / rel))
    schema = open_schema(root, label)
    tables, keys, record_tables = {}, {}, set()
    for name, res in schema.resources.items():
        keys[name] = res.primary_key
        tables[name] = _read_table(root, schema, name, where)
        # A table whose single key is its own (no foreign key borrows it from another table) is where
        # those ids are born: the events and the sources, not the tables that refer to them.
        borrowed = set()
        for fk in res.foreign_keys:
            borrowed.update(fk.fields)
        if len(res.primary_key) == 1 and res.primary_key[0] not in borrowed:
            record_tables.add(name)
    version = schema.descriptor.get("version", "")
    return Package(label, version if isinstance(version, str) else str(version), tables, keys,
                   frozenset(record_tables))


def read_package(root: Path | str) -> dict[str, pd.DataFrame]:
    """Every resource of the package in folder ``root``, as text (no value is converted or read as
    missing), indexed by its primary key (one field or several); a table without a key keeps a plain
    row index."""
    return read_version(Path(root)).tables


def withdrawn_ids(package: Package) -> set[str]:
    """The record ids whose latest entry in the change record says withdrawn."""
    record = package.tables.get(CHANGE_RECORD)
    if record is None:
        return set()
    missing = [name for name in CHANGE_FIELDS if name not in record.columns]
    if missing:
        raise PackageError(f"{package.label}: the {CHANGE_RECORD} table has no column "
                           f"{', '.join(missing)}; expected {', '.join(CHANGE_FIELDS)} to tell withdrawn records")
    # ISO dates sort as text; a stable sort keeps the file's order within a day.
    latest = record.sort_values("date", kind="stable").groupby("record_id", sort=False)["change"].last()
    return set(latest.index[latest == WITHDRAWN])


# --- comparing ------------------------------------------------------------------------------------

_UNSAFE = re.compile(r'["\\\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff]')
_PLAIN = re.compile(r"[\w.:;@+-]+")


def _quote(value: str) -> str:
    """A value in double quotes, with quotes, backslashes and every control or direction-changing
    character escaped, so that no text in the data can disguise itself or steer a terminal."""
    def escape(match: re.Match) -> str:
        char = match.group(0)
        return "\\" + char if char in '"\\' else f"\\u{ord(char):04x}"
    return '"' + _UNSAFE.sub(escape, value) + '"'


def _name(value: str) -> str:
    """An id or a field name as is when it is one plain word, else quoted."""
    return value if _PLAIN.fullmatch(value) else _quote(value)


def _record(key) -> str:
    """A primary key value for the terminal: an id, or a composite key's parts separated by slashes."""
    return " / ".join(_name(str(part)) for part in (key if isinstance(key, tuple) else (key,)))


def _plain_record(key) -> str:
    """A primary key value for a table (escaped later by whoever renders it)."""
    return " / ".join(str(part) for part in (key if isinstance(key, tuple) else (key,)))


@dataclass
class TableDiff:
    """What changed in one table between two versions."""
    name: str
    status: str  # "compared", or "added" / "removed" for a table only one version holds
    key: tuple[str, ...]  # the fields rows were matched on; () when compared as a multiset of rows
    rows_old: int
    rows_new: int
    columns_added: tuple[str, ...] = ()
    columns_dropped: tuple[str, ...] = ()
    key_change: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    # Whole rows: added, withdrawn and reinstated as the new version holds them, removed as the old did.
    added: pd.DataFrame = field(default_factory=pd.DataFrame)
    withdrawn: pd.DataFrame = field(default_factory=pd.DataFrame)
    reinstated: pd.DataFrame = field(default_factory=pd.DataFrame)
    removed: pd.DataFrame = field(default_factory=pd.DataFrame)
    # One row per changed value: the key's fields, then field, old, new.
    changed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["field", "old", "new"]))

    @property
    def changed_rows(self) -> int:
        return len(self.changed[list(self.key)].drop_duplicates()) if self.key and len(self.changed) else 0

    @property
    def unchanged(self) -> bool:
        return (self.status == "compared" and not (self.columns_added or self.columns_dropped or self.key_change)
                and not any(len(getattr(self, kind)) for kind in ROW_KINDS) and not len(self.changed))

    def _row_label(self, row: pd.Series, plain: bool = False) -> str:
        if self.key:
            key = tuple(row[name] for name in self.key)
            return _plain_record(key) if plain else _record(key)
        return " | ".join(map(str, row)) if plain else ", ".join(_quote(str(v)) for v in row)

    def text(self) -> list[str]:
        """This table's lines of the terminal report."""
        name = _name(self.name)
        if self.status != "compared":
            return [f"{name}: table {self.status} ({self.rows_new if self.status == 'added' else self.rows_old} rows)"]
        if self.unchanged:
            return [f"{name}: unchanged ({self.rows_new} rows)"]
        counts = ", ".join(f"{len(getattr(self, kind))} {kind}" for kind in ROW_KINDS
                           if kind in ("added", "removed") or len(getattr(self, kind)))
        if self.key:
            counts += f", {self.changed_rows} changed ({len(self.changed)} fields)"
        lines = [f"{name}: {counts}"]
        if self.key_change:
            lines.append(f"  primary key: {', '.join(self.key_change[0]) or 'none'} -> "
                         f"{', '.join(self.key_change[1]) or 'none'}"
                         + ("" if self.key else " (rows compared whole)"))
        for what, columns in (("columns added", self.columns_added), ("columns dropped", self.columns_dropped)):
            if columns:
                lines.append(f"  {what}: {', '.join(map(_name, columns))}")
        for kind in ROW_KINDS:
            for _, row in getattr(self, kind).iterrows():
                summary = f": {_quote(str(row[SUMMARY]))}" if self.key and SUMMARY in row.index else ""
                lines.append(f"  {kind} {self._row_label(row)}{summary}")
        for key, name, old, new in self.changes():
            lines.append(f"  {_record(key)} {_name(name)}: {_quote(old)} -> {_quote(new)}")
        return lines

    def changes(self) -> Iterator[tuple[tuple[str, ...], str, str, str]]:
        """Each changed value as (key, field, old, new)."""
        if not len(self.changed):
            return iter(())
        keys = self.changed[list(self.key)].itertuples(index=False, name=None)
        return zip(keys, self.changed["field"], self.changed["old"], self.changed["new"])


DETAIL_COLUMNS = ["table", "record", "change", "field", "old", "new", "summary"]
SUMMARY_COLUMNS = ["table", "status", "rows_old", "rows_new", *ROW_KINDS, "changed_rows", "changed_fields",
                   "columns_added", "columns_dropped"]


@dataclass
class PackageDiff:
    """What changed between two versions of the data package, table by table."""
    old: str  # how each version was named (a folder, or a git revision)
    new: str
    old_version: str  # the descriptors' "version"
    new_version: str
    tables: list[TableDiff]

    def __getitem__(self, name: str) -> TableDiff:
        return next(table for table in self.tables if table.name == name)

    def text(self) -> str:
        """The report for the terminal: a line per table with its counts, then each record and change."""
        def version(v: str) -> str:
            return f" (version {_name(v)})" if v else ""
        lines = [f"Comparing {_quote(self.old)}{version(self.old_version)} "
                 f"with {_quote(self.new)}{version(self.new_version)}"]
        for table in self.tables:
            lines += table.text()
        return "\n".join(lines) + "\n"

    def summary(self) -> pd.DataFrame:
        """One row per table: its status and how many rows, fields and columns changed."""
        rows = [{"table": t.name, "status": "unchanged" if t.unchanged else t.status,
                 "rows_old": t.rows_old, "rows_new": t.rows_new,
                 **{kind: len(getattr(t, kind)) for kind in ROW_KINDS},
                 "changed_rows": t.changed_rows, "changed_fields": len(t.changed),
                 "columns_added": ", ".join(t.columns_added), "columns_dropped": ", ".join(t.columns_dropped)}
                for t in self.tables]
        return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)

    def details(self) -> pd.DataFrame:
        """One row per change, in the order of the terminal report: a table added or removed, a column
        added or dropped, a record added, withdrawn, reinstated or removed (with its summary where the
        table has one; a table without a key names the row by its values), or one changed field."""
        out = []
        for t in self.tables:
            def row_of(**values) -> list[str]:
                return [values.get(column, t.name if column == "table" else "") for column in DETAIL_COLUMNS]
            if t.status != "compared":
                out.append(row_of(change=f"table {t.status}"))
                continue
            for what, columns in (("column added", t.columns_added), ("column dropped", t.columns_dropped)):
                out += [row_of(change=what, field=column) for column in columns]
            for kind in ROW_KINDS:
                # Only the columns a row is named by, as plain lists, not a pandas Series per row: at 100,051
                # claims (310,000 rows added) 14 s became 1 s.
                frame = getattr(t, kind)
                if not len(frame):  # an empty frame may lack the columns
                    continue
                summaries = frame[SUMMARY].tolist() if t.key and SUMMARY in frame.columns else None
                named_by = zip(*(frame[name].tolist() for name in (t.key or frame.columns)))
                for at, values in enumerate(named_by):
                    record = _plain_record(tuple(values)) if t.key else " | ".join(map(str, values))
                    out.append(row_of(record=record, change=kind,
                                      summary="" if summaries is None else str(summaries[at])))
            out += [row_of(record=_plain_record(key), change="changed", field=name, old=old, new=new)
                    for key, name, old, new in t.changes()]
        return pd.DataFrame(out, columns=DETAIL_COLUMNS, dtype=str)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """The comparison as tables, for the book: ``summary`` (one row per table) and ``details``
        (one row per change). Values are the data's own text, unescaped."""
        return {"summary": self.summary(), "details": self.details()}


def _compare_multiset(name: str, old: pd.DataFrame, new: pd.DataFrame, shared: list[str]) -> dict:
    """Rows of a table without a key, matched whole on the columns both versions hold: a row the new
    version holds more often than the old is added, one it holds less often is removed."""
    def tuples(frame):
        return list(frame[shared].itertuples(index=False, name=None))
    old_rows, new_rows = tuples(old), tuples(new)
    unmatched_old, unmatched_new = Counter(old_rows), Counter(new_rows)
    unmatched_old.subtract(Counter(new_rows))
    unmatched_new.subtract(Counter(old_rows))

    def surplus(rows, counter):
        picked = []
        for i, row in enumerate(rows):
            if counter[row] > 0:
                counter[row] -= 1
                picked.append(i)
        return picked
    return {"added": new.iloc[surplus(new_rows, unmatched_new)].reset_index(drop=True),
            "removed": old.iloc[surplus(old_rows, unmatched_old)].reset_index(drop=True)}


def _compare_keyed(old: pd.DataFrame, new: pd.DataFrame, key: tuple[str, ...], shared: list[str],
                   withdrawn_old: set[str] | None, withdrawn_new: set[str] | None) -> dict:
    in_old = new.index.isin(old.index)
    common = new.index[in_old]
    before = old.reindex(common)[shared].to_numpy(dtype=object)
    after = new.loc[in_old, shared].to_numpy(dtype=object)
    rows, cols = np.nonzero(before != after)
    changed = pd.DataFrame({**{name: new.loc[in_old, name].to_numpy(dtype=object)[rows] for name in key},
                            "field": np.array(shared, dtype=object)[cols],
                            "old": before[rows, cols], "new": after[rows, cols]},
                           columns=[*key, "field", "old", "new"])
    out = {"changed": changed, "removed": old[~old.index.isin(new.index)].reset_index(drop=True)}
    if withdrawn_new is None:  # not a table the change record speaks of
        out["added"] = new[~in_old].reset_index(drop=True)
        return out
    now_withdrawn = new.index.isin(list(withdrawn_new))
    was_withdrawn = in_old & new.index.isin(list(withdrawn_old))
    # A record new since the old version and already withdrawn is reported withdrawn, not added.
    out["added"] = new[~in_old & ~now_withdrawn].reset_index(drop=True)
    out["withdrawn"] = new[now_withdrawn & ~was_withdrawn].reset_index(drop=True)
    out["reinstated"] = new[was_withdrawn & ~now_withdrawn].reset_index(drop=True)
    return out


def _compare_table(name: str, old: Package, new: Package, withdrawn: tuple[set[str], set[str]]) -> TableDiff:
    old_frame, new_frame = old.tables[name], new.tables[name]
    old_key, new_key = old.keys[name], new.keys[name]
    shared = [c for c in new_frame.columns if c in old_frame.columns]
    diff = TableDiff(name, "compared", new_key, len(old_frame), len(new_frame),
                     columns_added=tuple(c for c in new_frame.columns if c not in old_frame.columns),
                     columns_dropped=tuple(c for c in old_frame.columns if c not in new_frame.columns),
                     key_change=(old_key, new_key) if old_key != new_key else None)
    if new_key and old_key != new_key:
        # Matched on the new key when the old version holds its fields, once each; else as whole rows.
        if all(k in old_frame.columns for k in new_key) and \
                not old_frame.set_index(list(new_key)).index.duplicated().any():
            old_frame = old_frame.set_index(list(new_key), drop=False)
        else:
            diff.key = ()
    if diff.key:
        in_record = name in new.record_tables and name in old.record_tables
        parts = _compare_keyed(old_frame, new_frame, new_key, shared,
                               *(withdrawn if in_record else (None, None)))
    else:
        parts = _compare_multiset(name, old_frame.reset_index(drop=True),
                                  new_frame.reset_index(drop=True), shared)
    for kind, frame in parts.items():
        setattr(diff, kind, frame)
    return diff


def compare_packages(old: Package, new: Package) -> PackageDiff:
    withdrawn = (withdrawn_ids(old), withdrawn_ids(new))
    tables = []
    for name in [*new.tables, *(n for n in old.tables if n not in new.tables)]:
        if name not in old.tables:
            tables.append(TableDiff(name, "added", new.keys[name], 0, len(new.tables[name])))
        elif name not in new.tables:
            tables.append(TableDiff(name, "removed", old.keys[name], len(old.tables[name]), 0))
        else:
            tables.append(_compare_table(name, old, new, withdrawn))
    return PackageDiff(old.label, new.label, old.version, new.version, tables)


def compare(old_root: Path | str, new_root: Path | str) -> PackageDiff:
    """Compare the data packages in two folders (see the module's docstring for what is reported)."""
    return compare_packages(read_version(Path(old_root)), read_version(Path(new_root)))


# --- git revisions --------------------------------------------------------------------------------

def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True)


@contextmanager
def exported_revision(revision: str, repo: Path) -> Iterator[Package]:
    """The data package as git revision ``revision`` of the repository holding ``repo`` had it: its
    descriptor and each file the descriptor lists, written to a temporary folder and read from there."""
    if shutil.which("git") is None:
        raise PackageError(f"{revision}: no such folder, and git is not installed to read it as a revision")
    if revision.startswith("-"):
        raise PackageError(f"{revision}: no such folder, and not a git revision (it starts with '-')")
    top = _git(repo, "rev-parse", "--show-toplevel")
    if top.returncode:
        raise PackageError(f"{revision}: no such folder, and {repo} is not in a git repository "
                           f"to read it as a revision")
    top_dir = Path(top.stdout.decode().strip())
    commit = _git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if commit.returncode:
        raise PackageError(f"{revision}: no such folder, and no revision of that name in the git "
                           f"repository {top_dir}")
    sha = commit.stdout.decode().strip()
    # The package's place in the repository: the folder holding datapackage.json at or above repo.
    try:
        package_dir = find_root(repo)
        prefix = package_dir.resolve().relative_to(top_dir.resolve()).as_posix()
    except (FileNotFoundError, ValueError):
        prefix = "."
    prefix = "" if prefix == "." else prefix + "/"

    def where(rel: str) -> str:
        return f"{revision}:{prefix}{rel}"

    def blob(rel: str) -> bytes:
        shown = _git(repo, "cat-file", "blob", f"{sha}:{prefix}{rel}")
        if shown.returncode:
            raise PackageError(f"{where(rel)}: no such file at revision {revision} ({sha[:12]})"
                               + (f"; expected the {DESCRIPTOR} of a data package" if rel == DESCRIPTOR
                                  else f"; {prefix}{DESCRIPTOR} there lists it"))
        return shown.stdout

    with tempfile.TemporaryDirectory(prefix="entente-diff-") as folder:
        root = Path(folder)
        (root / DESCRIPTOR).write_bytes(blob(DESCRIPTOR))
        try:
            schema = Schema(root / DESCRIPTOR)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise PackageError(f"{where(DESCRIPTOR)}: not valid UTF-8 JSON ({err})") from None
        for rel in resource_paths(schema, where(DESCRIPTOR)).values():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob(str(rel)))
        yield read_version(root, f"{revision} ({sha[:12]})", where)


@contextmanager
def opened(spec: str, repo: Path) -> Iterator[Package]:
    """A version named on the command line: a folder (or its datapackage.json), else a git revision."""
    path = Path(spec)
    if path.is_file() and path.name == DESCRIPTOR:
        path = path.parent
    if path.exists() or shutil.which("git") is None:
        yield read_version(path, spec)
    else:
        with exported_revision(spec, repo) as package:
            yield package


DESCRIPTION = ("Compare two versions of the data package: per table, the records added, withdrawn and "
               "removed, and each changed field. Exit status 0 when both versions were read (whatever "
               "they hold), 2 when one cannot be read.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments, on its own parser or on a subcommand of ``python -m entente``."""
    parser.add_argument("old", metavar="OLD", help="the earlier version: a data package folder, or a git revision")
    parser.add_argument("new", metavar="NEW", help="the later version: a data package folder, or a git revision")
    parser.add_argument("--repo", default=".", type=Path,
                        help="the git repository revisions are read from (default: the working directory)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m entente.diff", description=DESCRIPTION)
    add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Print the comparison of args.old with args.new; the exit status."""
    try:
        with opened(args.old, args.repo) as old, opened(args.new, args.repo) as new:
            diff = compare_packages(old, new)
    except PackageError as err:
        print(f"entente diff: {err}", file=sys.stderr)
        return 2
    sys.stdout.write(diff.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
