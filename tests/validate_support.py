"""Helpers for the validator's tests: private copies of the data package, and packages made from scratch."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from entente.validate import check_package

ROOT = Path(__file__).resolve().parents[1]


def copy_package(folder: Path) -> Path:
    """A private copy of the project's data package, to break."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "datapackage.json", folder)
    shutil.copytree(ROOT / "data", folder / "data")
    return folder


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows: list[list[str]], **dialect) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", **dialect).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def set_cells(package: Path, file: str, row: int, **values: str) -> None:
    """Set cells addressed as in a spreadsheet: row 1 is the header."""
    rows = read_rows(package / file)
    for column, value in values.items():
        rows[row - 1][rows[0].index(column)] = value
    write_rows(package / file, rows)


def make_package(folder: Path, resources: dict[str, tuple[dict, list[list[str]]]]) -> Path:
    """A package from scratch: for each resource name, (its schema, its rows with the header first)."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    descriptor = {"name": "test", "resources": []}
    for name, (schema, rows) in resources.items():
        descriptor["resources"].append({"name": name, "path": f"data/{name}.csv", "schema": schema})
        write_rows(folder / "data" / f"{name}.csv", rows)
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=1), encoding="utf-8")
    return folder


def edit_descriptor(package: Path, edit) -> None:
    """Change the package's datapackage.json in place with ``edit(descriptor)``."""
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    edit(descriptor)
    path.write_text(json.dumps(descriptor, indent=1, ensure_ascii=False), encoding="utf-8")


def problems(package: Path) -> list[str]:
    """Every problem the validator reports for the package, as printed."""
    return [str(p) for p in check_package(package / "datapackage.json")[1]]


def has_line(lines: list[str], *fragments: str) -> bool:
    return any(all(f in line for f in fragments) for line in lines)
