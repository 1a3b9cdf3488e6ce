"""How validation, loading, charts and tables scale: a synthetic data package of N events.

Not a test: it prints timings and sizes. Usage: python benchmarks/scale.py [N ...]  (default 10000 100000 300000)
The synthetic rows are copies of the real ones with new ids and shifted dates, so they pass validation.
"""
from __future__ import annotations

import csv
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import entente
from entente import charts, explore, tables

ROOT = Path(__file__).resolve().parent.parent


def synthetic_package(n: int, folder: Path) -> Path:
    shutil.copy(ROOT / "datapackage.json", folder / "datapackage.json")
    (folder / "data").mkdir()
    shutil.copy(ROOT / "data" / "sources.csv", folder / "data" / "sources.csv")
    with open(ROOT / "data" / "events.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(folder / "data" / "events.csv", "w", newline="", encoding="utf-8") as ev, \
         open(folder / "data" / "changes.csv", "w", newline="", encoding="utf-8") as ch:
        events, changes = csv.DictWriter(ev, rows[0].keys()), csv.writer(ch)
        events.writeheader()
        changes.writerow(["date", "record_id", "change", "description"])
        with open(ROOT / "data" / "sources.csv", newline="", encoding="utf-8") as f:
            for s in csv.DictReader(f):
                changes.writerow(["2026-01-01", s["source_id"], "added", "Synthetic benchmark source."])
        for i in range(n):
            row = dict(rows[i % len(rows)], event_id=f"E{i + 1:06d}")
            if row["date_precision"] == "day":  # spread dated events over the years
                row["event_date"] = f"{2000 + i % 23}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            events.writerow(row)
            changes.writerow(["2026-01-01", row["event_id"], "added", "Synthetic benchmark event."])
    return folder


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"  {label:<28} {time.perf_counter() - start:8.2f} s")
    return result


def main(sizes: list[int]) -> None:
    for n in sizes:
        print(f"{n} events")
        with tempfile.TemporaryDirectory() as tmp:
            package = synthetic_package(n, Path(tmp))
            _, problems = timed("validate", lambda: entente.check_package(package / "datapackage.json"))
            assert not problems, problems[:3]
            data = timed("load (validates again)", lambda: entente.load(package))
            for name in ("timeline", "flows", "certainty_profile", "sources", "theatres", "relations", "status"):
                chart = timed(f"chart {name}", lambda: getattr(charts, name)(data.events))
                print(f"  {'':<28} {len(json.dumps(chart.to_dict())) / 1024:8.1f} KiB of spec")
            spec = timed("explorer", lambda: explore.explorer(data.events).to_dict())
            print(f"  {'':<28} {len(json.dumps(spec)) / 1024:8.1f} KiB of spec")
            timed("claims table (bounded)", lambda: tables.claims(data.events).to_markdown())


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000, 300_000])
