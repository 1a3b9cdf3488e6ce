"""Agreement between two codings of the same claims: how clear the codebook is, measured.

The first coding is the data; the second is an independent coder's, made blind from the article and the
codebook. Each field is compared by the measure its kind calls for, read from the schema: Cohen's kappa
for a single value from a fixed set (a category or a yes/no), Jaccard overlap for a list field, exact
match for everything else (dates, free text). Nothing here knows a field by name.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .schema import Field

KAPPA, JACCARD, EXACT = "Cohen's kappa", "mean Jaccard overlap", "exact match"


def measure_of(field: Field) -> str:
    """Which agreement measure suits a field: kappa for categories and booleans, Jaccard for lists."""
    if _delimiter(field) is not None:
        return JACCARD
    if field.categories or field.type == "boolean":
        return KAPPA
    return EXACT


def _delimiter(field: Field) -> str | None:
    """The item separator of a list field (declared by the schema's x-list), or None for a single value."""
    return field.list_delimiter if field.list_items is not None else None


def cohen_kappa(first: pd.Series, second: pd.Series) -> float:
    """Cohen's kappa of two codings of the same units: (observed - chance agreement) / (1 - chance).

    When both coders used one and the same value throughout, chance agreement is 1 and kappa is
    undefined; it is reported as 1.0 then, since the codings agree completely.
    """
    first, second = first.astype(str).reset_index(drop=True), second.astype(str).reset_index(drop=True)
    n = len(first)
    if n == 0:
        return float("nan")
    observed = float((first == second).mean())
    p1, p2 = first.value_counts() / n, second.value_counts() / n
    chance = float(sum(p1.get(value, 0.0) * p2.get(value, 0.0) for value in set(p1.index) | set(p2.index)))
    if chance == 1.0:
        return 1.0
    return (observed - chance) / (1.0 - chance)


def items(value: str, delimiter: str = ";") -> frozenset[str]:
    """The items of a list cell, compared without regard to case or surrounding spaces."""
    return frozenset(part.strip().casefold() for part in str(value).split(delimiter) if part.strip())


def jaccard(a: frozenset, b: frozenset) -> float:
    """|a ∩ b| / |a ∪ b|; two empty lists agree fully."""
    union = a | b
    return 1.0 if not union else len(a & b) / len(union)


def _same(field: Field, a: str, b: str) -> bool:
    if measure_of(field) == JACCARD:
        return items(a, _delimiter(field)) == items(b, _delimiter(field))
    return str(a).strip() == str(b).strip()


@dataclass(frozen=True)
class FieldAgreement:
    field: str
    measure: str
    value: float
    agree: int  # units coded identically
    units: int


def field_agreement(field: Field, first: pd.Series, second: pd.Series) -> FieldAgreement:
    """One field's agreement over the units both codings cover (aligned by position)."""
    first, second = first.fillna("").astype(str), second.fillna("").astype(str)
    measure = measure_of(field)
    if measure == KAPPA:
        value = cohen_kappa(first, second)
    elif measure == JACCARD:
        delim = _delimiter(field)
        value = float(pd.Series([jaccard(items(a, delim), items(b, delim)) for a, b in zip(first, second)]).mean())
    else:
        value = float((first.str.strip().values == second.str.strip().values).mean()) if len(first) else float("nan")
    agree = sum(_same(field, a, b) for a, b in zip(first, second))
    return FieldAgreement(field.name, measure, value, int(agree), len(first))


def compare(first: pd.DataFrame, second: pd.DataFrame, fields: list[Field], key: str = "event_id"
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Agreement per field and the list of disagreements, for the units present in both codings.

    ``first`` and ``second`` hold text cells; list fields are compared as sets. Returns
    (agreement: field, measure, value, agree, units) and (disagreements: key, field, first, second).
    """
    both = first[[key]].merge(second[[key]], on=key)[key]
    a = first.set_index(key).loc[both]
    b = second.set_index(key).loc[both]
    rows, diffs = [], []
    for field in fields:
        result = field_agreement(field, a[field.name], b[field.name])
        rows.append(result.__dict__)
        for unit, x, y in zip(both, a[field.name].fillna("").astype(str), b[field.name].fillna("").astype(str)):
            if not _same(field, x, y):
                diffs.append({key: unit, "field": field.name, "first": x, "second": y})
    return (pd.DataFrame(rows, columns=["field", "measure", "value", "agree", "units"]),
            pd.DataFrame(diffs, columns=[key, "field", "first", "second"]))


FIRST, SECOND = "coding_first", "coding_second"  # the data package's resources holding the two codings
# The glue names of ``facts`` that count claims, registered with the book's others (``facts.claim_counts``).
COUNTS = ("units",)


def compared_fields(schema) -> list[Field]:
    """The fields both codings hold (the coded fields, not the id or the coder's notes), in schema order."""
    first, second = schema.resources[FIRST], schema.resources[SECOND]
    key = first.primary_key[0]
    return [f for f in first.fields if f.name != key and f.name in second.field_names]


def compare_codings(data) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Agreement per field and the disagreements, between the two committed codings of a Dataset."""
    key = data.schema.resources[FIRST].primary_key[0]
    return compare(data.tables[FIRST], data.tables[SECOND], compared_fields(data.schema), key=key)


def facts(data, strong: float = 0.8) -> dict[str, object]:
    """What the methodology chapter glues about the second coding: units, fields, fields at or above
    ``strong`` agreement, disagreements by resolution, and proposed units by decision."""
    from .claimlinks import Counted

    table, diffs = compare_codings(data)
    key = data.schema.resources[FIRST].primary_key[0]
    coded = data.tables[FIRST][[key]].merge(data.tables[SECOND][[key]], on=key)[key]  # the units compared
    resolutions = data.tables["coding_reconciliation"]["resolution"].value_counts()
    decisions = data.tables["coding_unit_decisions"]["decision"].value_counts()
    return {
        # A count of claims (each unit is a claim, by its id), linked to them in the prose (``COUNTS``).
        "units": Counted(coded if len(table) else [], "a unit of the blind second coding"),
        "fields": len(table),
        "strong_fields": int((table["value"] >= strong).sum()),
        "disagreements": len(diffs),
        "kept_first": int(resolutions.get("first", 0)),
        "took_second": int(resolutions.get("second", 0)),
        "recoded": int(resolutions.get("recoded", 0)),
        "proposed": len(data.tables["coding_proposed"]),
        "proposed_added": int(decisions.get("added", 0)),
    }
