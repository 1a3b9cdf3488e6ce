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


def require(ok: bool, reason: str) -> None:
    """Skip with the reason on a developer's machine; fail under CI, where nothing may be missing."""
    if not ok:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: the suite needs it)")
        pytest.skip(reason)


def require_html() -> Path:
    """The built web book (`make test` builds it before the suite runs)."""
    require((HTML / "chapters" / "intro.html").is_file(), "the web book is not built; run `make book` first")
    return HTML
