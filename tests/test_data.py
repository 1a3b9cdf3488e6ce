"""The loader: typed tables from the validated frames, spans drawn over whole periods, nothing partial."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import entente
from validate_support import ROOT, copy_package, read_rows, set_cells


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
