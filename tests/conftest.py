"""Shared test helpers: the project root, the raw CSVs read independently of entente, and the built book."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def raw(name: str) -> pd.DataFrame:
    """A data file read with plain pandas, every value as text: the tests' own view of the data."""
    return pd.read_csv(ROOT / "data" / f"{name}.csv", dtype=str, keep_default_na=False)


def require_html() -> Path:
    """The built web book; in CI its absence is a failure, elsewhere a skip with the command to run."""
    if not (HTML / "chapters" / "intro.html").is_file():
        if IN_CI:
            pytest.fail("the web book is not built: `make test` builds it before running the suite")
        pytest.skip("the web book is not built; run `make book` first")
    return HTML
