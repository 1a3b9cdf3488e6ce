"""How fast validation and loading are, against pandas reading the same files and against Frictionless.

Not a test: it prints a table of timings (median of 3 runs each). Usage:
    python benchmarks/validation.py [N ...]          (default: 10000 100000)
    python benchmarks/validation.py --no-frictionless 100000

The synthetic package (from scale.py) replicates the real events with fresh ids, each with its
change-record row, in a temporary folder, so it passes validation.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import entente
from entente.validate import check_package
from scale import synthetic_package  # the scale benchmark's package: real rows under new ids

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


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
