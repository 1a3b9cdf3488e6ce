"""How the book words counts, sources and lists of ids: one function each, used by every table, chart and page."""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

# How many claim ids a table cell, a tooltip or the explorer names before saying "and k more".
ID_LIST_LIMIT = 10


def plural(n: int, word: str, many: str | None = None) -> str:
    """A count with its noun: '1 claim', '3 claims', '0 claims' ('1 country', '2 countries' with ``many``)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def source_label(outlet, published_label):
    """A report as a reader cites it, 'Outlet, 17 Nov 2022': for one value or, element-wise, for two Series."""
    return outlet + ", " + published_label


def id_list(ids: Iterable[str], limit: int = ID_LIST_LIMIT) -> str:
    """Ids up to ``limit``, then how many more: 'E001, E002 and 3 more'."""
    ids = list(ids)
    if len(ids) <= limit:
        return ", ".join(ids)
    return ", ".join(ids[:limit]) + f" and {len(ids) - limit} more"


def in_prose(names: list[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]


def key(value: str) -> str:
    """A category value as part of a glue name: 'Joint venture (planned)' gives 'joint_venture_planned'."""
    return "_".join("".join(c if c.isalnum() else " " for c in value.lower()).split())


def missing(value) -> bool:
    """True for a blank cell as pandas holds it (None, NaN, NA)."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))
