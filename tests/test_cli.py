"""The command line as users type it: a package, its folder, or one of its CSV files; summaries by default."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from validate_support import ROOT, copy_package, read_rows, set_cells, write_rows

UTF8_ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}


def run(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "entente", "validate", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", env=UTF8_ENV)


def records(path: Path) -> int:
    return len(read_rows(path)) - 1


def test_a_csv_file_of_the_package_is_validated_as_typed():
    result = run("data/events.csv")
    assert result.returncode == 0, result.stderr
    assert f"data/events.csv: valid ({records(ROOT / 'data/events.csv')} events; checked against" in result.stdout
    assert "not valid JSON" not in result.stderr + result.stdout


def test_a_csv_file_is_validated_from_inside_its_folder(tmp_path):
    package = copy_package(tmp_path)
    result = run("sources.csv", cwd=package / "data")
    assert result.returncode == 0, result.stderr
    assert f"sources.csv: valid ({records(package / 'data/sources.csv')} sources" in result.stdout


def test_a_csv_file_reports_its_own_problems_and_its_references_only(tmp_path):
    package = copy_package(tmp_path)
    set_cells(package, "data/claim_sources.csv", 4, source_id="no-such-report")
    set_cells(package, "data/sources.csv", 3, kind="reprot")
    events = run(package / "data/claim_sources.csv")
    assert events.returncode == 1
    assert 'data/claim_sources.csv, row 4, column "source_id": found "no-such-report"' in events.stderr
    assert "data/sources.csv" not in events.stderr.replace("listed in data/sources.csv", "")
    sources = run(package / "data/sources.csv")
    assert sources.returncode == 1
    assert 'data/sources.csv, row 3, column "kind": found "reprot"' in sources.stderr
    assert "data/events.csv" not in sources.stderr


def test_a_csv_file_whose_neighbour_cannot_be_read_is_not_called_valid(tmp_path):
    package = copy_package(tmp_path)
    (package / "data/sources.csv").write_bytes(b"\x00\x01")
    result = run(package / "data/events.csv")
    assert result.returncode == 1
    assert "data/sources.csv could not be read" in result.stderr


def test_a_csv_file_outside_any_package(tmp_path):
    (tmp_path / "stray.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = run(tmp_path / "stray.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "stray.csv: expected a CSV file of a data package, but there is no datapackage.json" in result.stderr


def test_a_csv_file_the_package_does_not_name(tmp_path):
    package = copy_package(tmp_path)
    (package / "data/extra.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = run(package / "data/extra.csv")
    assert result.returncode == 1
    assert "extra.csv: expected a data file named in" in result.stderr
    assert "this file is not one of them" in result.stderr


def test_a_folder_and_a_descriptor_still_work(tmp_path):
    package = copy_package(tmp_path)
    for target in (package, package / "datapackage.json"):
        result = run(target)
        assert result.returncode == 0, result.stderr
        assert f"valid ({records(package / 'data/events.csv')} events" in result.stdout


# --- Summaries ------------------------------------------------------------------------------------

BAD_DATES = 20_000


def _many_bad_dates(package: Path) -> None:
    rows = read_rows(package / "data/changes.csv")
    known = rows[1][1]
    write_rows(package / "data/changes.csv",
               rows + [[f"2026-13-{1 + i % 28:02d}", known, "corrected", "A bad date."] for i in range(BAD_DATES)])


def test_repeated_problems_are_counted_with_the_first_few_shown(tmp_path):
    package = copy_package(tmp_path)
    _many_bad_dates(package)
    result = run(package)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    examples = [line for line in lines if line.startswith("data/changes.csv, row ") and "there is no month 13" in line]
    assert len(examples) == 5, lines[:10]
    first = records(ROOT / "data/changes.csv") + 2
    assert examples[0].startswith(f'data/changes.csv, row {first}, column "date": found "2026-13-01"')
    assert f'data/changes.csv, column "date": {BAD_DATES - 5:,} more problem(s) like' in result.stderr
    assert f"({BAD_DATES:,} in all" in result.stderr
    assert len(lines) < 20


def test_all_prints_every_problem(tmp_path):
    package = copy_package(tmp_path)
    _many_bad_dates(package)
    result = run(package, "--all")
    assert result.returncode == 1
    examples = [line for line in result.stderr.splitlines() if "there is no month 13" in line]
    assert len(examples) == BAD_DATES
    assert "more problem(s) like" not in result.stderr


def test_a_header_of_200000_stray_columns_is_summarised(tmp_path):
    package = copy_package(tmp_path)
    path = package / "data/sources.csv"
    text = path.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    path.write_text(header + "," * 200_000 + "\n" + rest, encoding="utf-8")
    result = run(package)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) < 20, lines[:20]
    assert sum(line.startswith("data/sources.csv, row 1: found an empty cell") for line in lines) == 5
    assert "data/sources.csv: 199,995 more problem(s) like" in result.stderr
