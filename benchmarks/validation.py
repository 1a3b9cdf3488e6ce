"""How fast validation and loading are, against pandas reading the same files and against Frictionless.

Not a test: it prints a table of timings (median of 3 runs each). Usage:
    python benchmarks/validation.py [N ...]          (default: 10000 100000)
    python benchmarks/validation.py --no-frictionless 100000

pandera is measured too when it is importable (it is not a requirement of the project), e.g. with
PYTHONPATH pointing at a folder where `pip install --target` put it.

The synthetic package (from entente.synth) draws every coded field from the real data, each claim with its
change-record row, in a temporary folder, so it passes validation.
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import entente
from entente.validate import check_package
from entente.synth import write_package  # N synthetic claims with the real data's mix of every coded field

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


def median_time(fn) -> float:
    return statistics.median(timed(fn))


def read_with_pandas(package: Path) -> None:
    """Every CSV file the package lists, as the validator reads them, with nothing checked."""
    for resource in json.loads((package / "datapackage.json").read_text(encoding="utf-8"))["resources"]:
        pd.read_csv(package / resource["path"], dtype=str, keep_default_na=False)


def validate_ours(package: Path) -> None:
    _, problems = check_package(package / "datapackage.json")
    assert not problems, problems[:3]


def pandera_schemas(package: Path) -> dict:
    """The schema's column checks (required, enum, pattern, length, bounds, unique) as pandera schemas over
    frames of strings. Only the column checks: no structure, foreign keys or codebook rules."""
    import pandera.pandas as pa

    from entente.schema import Schema

    schemas = {}
    for name, res in Schema(package / "datapackage.json").resources.items():
        columns = {}
        for f in res.fields:
            c, checks = f.constraints, []
            if f.required:
                checks.append(pa.Check.str_length(min_value=1))
            if "enum" in c:
                checks.append(pa.Check.isin([str(v) for v in c["enum"]], ignore_na=True))
            if "pattern" in c:
                checks.append(pa.Check(lambda s, rx=c["pattern"]: (s == "") | s.str.fullmatch(rx)))
            if "minLength" in c or "maxLength" in c:
                checks.append(pa.Check(lambda s, lo=c.get("minLength", 0), hi=c.get("maxLength", 10**9):
                                       (s == "") | s.str.len().between(lo, hi)))
            if f.type == "integer":
                checks.append(pa.Check(lambda s, lo=c.get("minimum", -10**18), hi=c.get("maximum", 10**18):
                                       pd.to_numeric(s, errors="coerce").between(lo, hi)))
            if f.type == "boolean":
                checks.append(pa.Check.isin(list(f.true_values + f.false_values)))
            if f.type == "date":
                checks.append(pa.Check(lambda s: pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").notna()))
            columns[f.name] = pa.Column(str, checks=checks, unique=bool(c.get("unique")) or res.primary_key == (f.name,))
        schemas[name] = (res.path, pa.DataFrameSchema(columns, strict=True, ordered=True))
    return schemas


def validate_pandera(package: Path) -> None:
    for path, schema in pandera_schemas(package).values():
        schema.validate(pd.read_csv(package / path, dtype=str, keep_default_na=False), lazy=True)


def validate_frictionless(package: Path) -> None:
    import frictionless

    report = frictionless.validate(str(package / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:3]


def _has_pandera() -> bool:
    try:
        import pandera.pandas  # noqa: F401  (not a requirement of the project: measured when installed)
    except ImportError:
        return False
    return True


def rows(sizes: list[int], packages: dict[int, Path] | None = None) -> list[dict]:
    """The figures benchmarks/run.py tabulates (through loading.py): per size, validation, load() and pandas
    reading the same files, each run RUNS times, on the packages run.py wrote (or fresh ones)."""
    out = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            package = packages[n] if packages and n in packages else write_package(n, Path(tmp)).parent
            validate_ours(package)  # a package the validator refuses would time the wrong thing
            for figure, fn in ((f"validate {n:,} claims (check_package)", lambda: validate_ours(package)),
                               (f"load() {n:,} claims (validates too)", lambda: entente.load(package, use_cache=False)),
                               (f"pandas read_csv of the same {n:,} claims (every file)", lambda: read_with_pandas(package))):
                out.append({"figure": figure, "unit": "s", "runs": timed(fn)})
    return out


def timed(fn) -> list[float]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str]) -> None:
    with_frictionless = "--no-frictionless" not in argv
    with_pandera = _has_pandera()
    sizes = [int(a) for a in argv if not a.startswith("--")] or [10_000, 100_000]
    columns = ["pandas read_csv", "entente validate", "entente load", "load, cached"] + (["frictionless"] if with_frictionless else []) \
        + (["pandera (columns only)"] if with_pandera else [])
    print(f"median of {RUNS} runs, seconds; ratios to pandas read_csv in brackets")
    print(f"{'events':>8}  " + "  ".join(f"{c:>22}" for c in columns))
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            package = write_package(n, Path(tmp)).parent
            timings = [median_time(lambda: read_with_pandas(package)),
                       median_time(lambda: validate_ours(package)),
                       median_time(lambda: entente.load(package, use_cache=False)),
                       median_time(lambda: entente.load(package))]  # the first run fills the cache
            if with_frictionless:
                timings.append(median_time(lambda: validate_frictionless(package)))
            if with_pandera:
                timings.append(median_time(lambda: validate_pandera(package)))
            base = timings[0]
            print(f"{n:>8}  " + "  ".join(f"{t:>13.3f} ({t / base:4.1f}x)" for t in timings), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
