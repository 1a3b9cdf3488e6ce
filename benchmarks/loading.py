"""Validation and load() of synthetic packages, beside pandas reading the same events file.

Run by benchmarks/run.py with the measured project's own Python and entente (PYTHONPATH points at the
project copy). When benchmarks/validation.py (the validator's own benchmark) offers ``rows(sizes)``,
its rows are used (``rows(sizes)``, or ``rows(sizes, packages)`` when it takes the packages written
here, a dict of size to folder); otherwise this times ``entente.check_package`` and ``entente.load`` itself on the
synthetic packages run.py wrote. Prints a JSON list of {"figure", "unit", "runs"}.
Usage: python loading.py RUNS N=PACKAGE_DIR [N=PACKAGE_DIR ...]
"""
from __future__ import annotations

import inspect
import json
import sys
import time
import traceback
from pathlib import Path


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def own_rows(packages: dict[int, Path], runs: int) -> list[dict]:
    import pandas as pd

    import entente

    rows = []
    for n, folder in packages.items():
        descriptor = folder / "datapackage.json"
        checked = entente.check_package(descriptor)  # (tables, problems), or the problems alone
        problems = checked[1] if isinstance(checked, tuple) else checked
        if problems:  # timing a validator that rejects the data would measure the wrong thing
            raise SystemExit(f"the synthetic package of {n} rows does not validate: {problems[0]}")
        resources = json.loads(descriptor.read_text(encoding="utf-8"))["resources"]
        events = next(r["path"] for r in resources if r["name"] == "events")
        rows += [
            {"figure": f"validate {n:,} claims (check_package)", "unit": "s",
             "runs": timed(lambda: entente.check_package(descriptor), runs)},
            {"figure": f"load() {n:,} claims (validates too)", "unit": "s",
             "runs": timed(lambda: entente.load(folder), runs)},
            {"figure": f"pandas read_csv of the same {n:,} claims", "unit": "s",
             "runs": timed(lambda: pd.read_csv(folder / events, dtype=str, keep_default_na=False), runs)},
        ]
    return rows


def main(runs: int, packages: dict[int, Path]) -> list[dict]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        import validation  # the validator's own benchmark, when there is one
    except Exception as error:  # noqa: BLE001 - none, or one that cannot be imported here: say so, time it ourselves
        print(f"benchmarks/validation.py not used ({error}); timing validation here", file=sys.stderr)
        validation = None
    if validation is not None and hasattr(validation, "rows"):
        try:
            takes_packages = len(inspect.signature(validation.rows).parameters) > 1
            given = (sorted(packages), packages) if takes_packages else (sorted(packages),)
            return [dict(row, source="(benchmarks/validation.py)") for row in validation.rows(*given)]
        except Exception:  # noqa: BLE001 - fall back to our own timings, saying why
            print("benchmarks/validation.py rows() failed; timing validation here instead:", file=sys.stderr)
            traceback.print_exc()
    return own_rows(packages, runs)


if __name__ == "__main__":
    pairs = dict(arg.split("=", 1) for arg in sys.argv[2:])
    print(json.dumps(main(int(sys.argv[1]), {int(n): Path(p) for n, p in pairs.items()})))
