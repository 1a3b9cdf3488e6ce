"""The floor under every chapter: a notebook that only imports entente, pandas and altair, as chapters do.

Chapters get Altair through ``entente`` (``entente.render`` imports it with ``rfc3987_syntax`` kept out,
so jsonschema does not compile that module's grammars, about a second even on a quiet machine). The floor
imports ``entente.render`` first for the same reason: a floor importing Altair before entente would pay
for grammars no chapter loads, and every chapter would look closer to it than it is.

Run by benchmarks/run.py with the measured project's own Python (so its kernel and its entente), in the
chapters folder of the project copy. Executes the notebook as myst-nb's cache mode does (jupyter-cache's
``single_nb_execution``, kernel start included) and prints the seconds of each run as JSON.
Usage: python floor.py CHAPTERS_DIR RUNS
"""
from __future__ import annotations

import json
import sys

import nbformat
from jupyter_cache.executors.utils import single_nb_execution


CELL = "import entente.render, pandas, altair"  # entente first: Altair as the chapters load it


def main(cwd: str, runs: int) -> None:
    times = []
    for _ in range(runs):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        result = single_nb_execution(nb, cwd=cwd, timeout=300, allow_errors=False)
        if result.err:
            raise SystemExit(f"the floor notebook failed: {result.err}")
        times.append(result.time)
    print(json.dumps(times))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
