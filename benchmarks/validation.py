"""How fast validation and loading are, against pandas reading the same files and against Frictionless.

Not a test: it prints a table of timings (median of 3 runs each). Usage:
    python benchmarks/validation.py [N ...]          (default: 10000 100000)
    python benchmarks/validation.py --no-frictionless 100000

The synthetic package replicates the real events with fresh ids (each with its change-record row), in
a temporary folder, so it passes validation; the real sources are kept.
"""
from __future__ import annotations

import csv
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import entente
from entente.validate import check_package

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


def synthetic_package(n: int, folder: Path) -> Path:
    """A copy of the package with ``n`` events: the real rows repeated, each under a new id."""
    shutil.copy(ROOT / "datapackage.json", folder / "datapackage.json")
    (folder / "data").mkdir()
    shutil.copy(ROOT / "data" / "sources.csv", folder / "data" / "sources.csv")
    with open(ROOT / "data" / "events.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(ROOT / "data" / "changes.csv", newline="", encoding="utf-8") as f:
        source_changes = [r for r in csv.DictReader(f) if not r["record_id"].startswith("E")]
    with open(folder / "data" / "events.csv", "w", newline="", encoding="utf-8") as ev, \
         open(folder / "data" / "changes.csv", "w", newline="", encoding="utf-8") as ch:
        events, changes = csv.DictWriter(ev, rows[0].keys()), csv.DictWriter(ch, source_changes[0].keys())
        events.writeheader()
        changes.writeheader()
        changes.writerows(source_changes)
        for i in range(n):
            row = dict(rows[i % len(rows)], event_id=f"E{i + 1:06d}")
            events.writerow(row)
            changes.writerow({"date": "2026-01-01", "record_id": row["event_id"], "change": "added",
                              "description": "Synthetic benchmark event."})
    return folder


def median_time(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def read_with_pandas(package: Path) -> None:
    for name in ("events", "sources", "changes"):
        pd.read_csv(package / "data" / f"{name}.csv", dtype=str, keep_default_na=False)


def validate_ours(package: Path) -> None:
    _, problems = check_package(package / "datapackage.json")
    assert not problems, problems[:3]


def validate_frictionless(package: Path) -> None:
    import frictionless

    report = frictionless.validate(str(package / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:3]


def main(argv: list[str]) -> None:
    with_frictionless = "--no-frictionless" not in argv
    sizes = [int(a) for a in argv if not a.startswith("--")] or [10_000, 100_000]
    columns = ["pandas read_csv", "entente validate", "entente load"] + (["frictionless"] if with_frictionless else [])
    print(f"median of {RUNS} runs, seconds; ratios to pandas read_csv in brackets")
    print(f"{'events':>8}  " + "  ".join(f"{c:>22}" for c in columns))
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            package = synthetic_package(n, Path(tmp))
            timings = [median_time(lambda: read_with_pandas(package)),
                       median_time(lambda: validate_ours(package)),
                       median_time(lambda: entente.load(package))]
            if with_frictionless:
                timings.append(median_time(lambda: validate_frictionless(package)))
            base = timings[0]
            print(f"{n:>8}  " + "  ".join(f"{t:>13.3f} ({t / base:4.1f}x)" for t in timings), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
