"""The loader: typed tables from the validated frames, spans drawn over whole periods, nothing partial."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import entente
from entente.cache import LOG_VARIABLE
from validate_support import ROOT, copy_package, edit_descriptor, read_rows, set_cells, write_rows


def _standing_event_row() -> int:
    """The spreadsheet row of an event whose latest change is not a withdrawal (read from the files)."""
    changes = sorted(read_rows(ROOT / "data/changes.csv")[1:], key=lambda r: r[0])
    latest = {record: change for _, record, change, _ in changes}
    events = read_rows(ROOT / "data/events.csv")
    return next(i for i, r in enumerate(events[1:], start=2) if latest[r[0]] != "withdrawn")


@pytest.mark.parametrize("start, end, first, last, label", [
    ("2022-03", "2024-02", dt.date(2022, 3, 1), dt.date(2024, 2, 29), "Mar 2022 to Feb 2024"),
    ("2021", "2022", dt.date(2021, 1, 1), dt.date(2022, 12, 31), "2021 to 2022"),
    ("2022-03-05", "2022-11-30", dt.date(2022, 3, 5), dt.date(2022, 11, 30), "5 Mar 2022 to 30 Nov 2022"),
    ("2022-03-05", "2022-03", dt.date(2022, 3, 5), dt.date(2022, 3, 31), "5 Mar 2022 to Mar 2022"),
])
def test_a_span_runs_from_the_first_day_of_its_start_to_the_last_day_of_its_end(tmp_path, start, end, first, last,
                                                                                 label):
    package = copy_package(tmp_path)
    row = _standing_event_row()
    set_cells(package, "data/events.csv", row, date_precision="span", event_date=start, event_date_end=end,
              date_inferred="false")
    event_id = read_rows(package / "data/events.csv")[row - 1][0]
    event = entente.load(package).events.set_index("event_id").loc[event_id]
    assert event["event_start"] == pd.Timestamp(first)
    assert event["event_end"] == pd.Timestamp(last)
    assert event["date_label"] == label


def test_a_year_dated_event_starts_on_the_first_of_january(tmp_path):
    package = copy_package(tmp_path)
    row = _standing_event_row()
    set_cells(package, "data/events.csv", row, date_precision="year", event_date="2019", event_date_end="",
              date_inferred="false")
    event_id = read_rows(package / "data/events.csv")[row - 1][0]
    event = entente.load(package).events.set_index("event_id").loc[event_id]
    assert event["event_start"] == pd.Timestamp(2019, 1, 1)
    assert pd.isna(event["event_end"])
    assert event["date_label"] == "2019"


def test_loaded_columns_are_typed_by_the_schema():
    data = entente.load(ROOT)
    raw_events = read_rows(ROOT / "data/events.csv")
    assert data.events["paragraph"].dtype == "int64"
    assert data.events["date_inferred"].dtype == "boolean"
    assert data.sources["year_inferred"].dtype == "boolean"
    assert str(data.changes["date"].dtype).startswith("datetime64")
    # The true cells of the file, counted here from the text, are the loader's True values (withdrawn aside).
    col = raw_events[0].index("date_inferred")
    trues = {r[0] for r in raw_events[1:] if r[col] == "true"}
    assert set(data.events.loc[data.events["date_inferred"], "event_id"]) == trues & set(data.events["event_id"])
    assert data.as_of == max(dt.date.fromisoformat(r[0]) for r in read_rows(ROOT / "data/changes.csv")[1:])


def test_bad_data_never_reaches_a_chapter(tmp_path):
    package = copy_package(tmp_path)
    set_cells(package, "data/events.csv", 3, paragraph="eight")
    with pytest.raises(entente.DataError) as caught:
        entente.load(package)
    assert 'data/events.csv, row 3, column "paragraph": found "eight"' in str(caught.value)


# --- The validated-tables cache -------------------------------------------------------------------

LOADER = "import sys, entente; data = entente.load(sys.argv[1]); print(len(data.events), len(data.sources))"


def _load_in_new_process(package: Path, log: Path) -> str:
    """Load as a notebook does: in a process of its own. Returns what it printed."""
    done = subprocess.run([sys.executable, "-c", LOADER, str(package)], capture_output=True, text=True,
                          env={**os.environ, LOG_VARIABLE: str(log)})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _validations(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def _counts(package: Path) -> str:
    """Events (less withdrawn ones) and sources, counted from the files themselves."""
    changes = sorted(read_rows(package / "data/changes.csv")[1:], key=lambda r: r[0])
    latest = {record: change for _, record, change, _ in changes}
    events = [r for r in read_rows(package / "data/events.csv")[1:] if latest.get(r[0]) != "withdrawn"]
    return f"{len(events)} {len(read_rows(package / 'data/sources.csv')) - 1}"


def test_many_loads_of_the_same_data_validate_once(tmp_path):
    package, log = copy_package(tmp_path / "p"), tmp_path / "validations.log"
    outputs = {_load_in_new_process(package, log) for _ in range(4)}
    assert outputs == {_counts(package)}
    assert _validations(log) == 1


def test_changed_data_is_validated_again_and_bad_data_refused_despite_the_cache(tmp_path):
    package, log = copy_package(tmp_path / "p"), tmp_path / "validations.log"
    _load_in_new_process(package, log)
    rows = read_rows(package / "data/sources.csv")
    write_rows(package / "data/sources.csv", rows[:-1])  # drop a source: its events' references break
    done = subprocess.run([sys.executable, "-c", LOADER, str(package)], capture_output=True, text=True,
                          env={**os.environ, LOG_VARIABLE: str(log)})
    assert done.returncode != 0 and "DataError" in done.stderr
    assert _validations(log) == 2


@pytest.mark.parametrize("damage", ["changed text", "truncate", "another key's entry"])
def test_a_damaged_or_foreign_cache_entry_is_never_served(tmp_path, damage):
    package, log = copy_package(tmp_path / "p"), tmp_path / "validations.log"
    _load_in_new_process(package, log)
    (entry,) = (package / "_build/cache").glob("validated-*.pickle")
    data = entry.read_bytes()
    if damage == "changed text":  # still a readable pickle, holding other data: only the digest tells
        outlet = read_rows(ROOT / "data/sources.csv")[1][1].encode()
        assert outlet in data
        entry.write_bytes(data.replace(outlet, outlet[:-1] + b"#"))
    elif damage == "truncate":
        entry.write_bytes(data[: len(data) // 2])
    else:  # an intact entry made for other data, under this data's name
        set_cells(package, "data/sources.csv", 2, notes="Changed, so the data has another key.")
        _load_in_new_process(package, log)
        (other,) = (package / "_build/cache").glob("validated-*.pickle")
        set_cells(package, "data/sources.csv", 2, notes=read_rows(ROOT / "data/sources.csv")[1][-1])
        other.rename(entry)
    before = _validations(log)
    assert _load_in_new_process(package, log) == _counts(package)
    assert _validations(log) == before + 1, "the entry was served instead of validating again"
    sources = entente.load(package).sources
    assert sources["notes"].iloc[0] == read_rows(ROOT / "data/sources.csv")[1][-1]
    assert sources["outlet"].iloc[0] == read_rows(ROOT / "data/sources.csv")[1][1]


@pytest.mark.slow
def test_a_book_build_validates_the_data_once(tmp_path):
    """Every notebook and the Sphinx process load the data; the build validates it once."""
    copy = tmp_path / "book"
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.splitlines()
    for name in files:
        if not (ROOT / name).is_file():
            continue
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    log = tmp_path / "validations.log"
    env = {**os.environ, "PYTHONPATH": str(copy), LOG_VARIABLE: str(log)}
    subprocess.run([sys.executable, "-m", "entente.assets"], cwd=copy, env=env, check=True,
                   capture_output=True, text=True)  # as make does, before Sphinx starts (it loads the data too)
    done = subprocess.run([str(Path(sys.executable).with_name("jupyter-book")), "build", ".", "-W", "-n",
                           "--keep-going"], cwd=copy, env=env, capture_output=True, text=True)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    notebooks = sum(1 for p in (copy / "chapters").glob("*.md") if "kernelspec" in p.read_text(encoding="utf-8"))
    assert notebooks > 1
    assert _validations(log) == 1, log.read_text(encoding="utf-8")


def test_list_items_are_split_by_the_schemas_delimiter(tmp_path):
    """With "|" declared as the delimiter (and the files rewritten to match), the items are the same."""
    package = copy_package(tmp_path)

    def edit(descriptor):
        for f in descriptor["resources"][0]["schema"]["fields"]:
            if "x-list" in f:
                f["x-list"]["delimiter"] = "|"
                f["constraints"]["pattern"] = f["constraints"]["pattern"].replace("(;(", r"(\|(")
    edit_descriptor(package, edit)
    rows = read_rows(package / "data/events.csv")
    lists = [i for i, name in enumerate(rows[0]) if name in ("actors", "third_parties", "theatres")]
    write_rows(package / "data/events.csv", [rows[0]] + [[c.replace(";", "|") if i in lists else c
                                                         for i, c in enumerate(r)] for r in rows[1:]])
    original, piped = entente.load(ROOT), entente.load(package)
    for column in ("actors", "third_parties", "theatres"):
        assert piped.items(column).value_counts().to_dict() == original.items(column).value_counts().to_dict()
    # Known numbers, counted from the file by hand-written splitting: every actor mention.
    expected = sum(len(r[rows[0].index("actors")].split(";")) for r in read_rows(ROOT / "data/events.csv")[1:]
                   if r[rows[0].index("actors")] and r[0] in set(original.events["event_id"]))
    assert len(original.items("actors")) == expected
