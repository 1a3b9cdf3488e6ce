"""Loading the validated data into pandas: the one door every chapter uses.

``load()`` runs the full validation first and refuses bad data with every problem listed, so no
chapter, table or chart ever draws from rows that failed a check.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from . import cache, reads
from .checks import one_of_these, partial_dates
from .schema import DESCRIPTOR, Resource, Schema, find_root
from .validate import DataError, parse_partial_date, validated

# The sources' kind for a cited outlet's report (the article itself has another kind).
REPORT = "report"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def date_label(text: str, precision: str, end: str = "") -> str:
    """A partial ISO date as a reader says it: '15 Nov 2022', 'Aug 2022', '2022', 'since 2018'."""
    if not text:
        return "undated"
    parsed = parse_partial_date(text)
    if parsed is None:
        return text
    first, own = parsed
    words = {"day": f"{first.day} {MONTHS[first.month - 1]} {first.year}",
             "month": f"{MONTHS[first.month - 1]} {first.year}", "year": f"{first.year}"}[own]
    if precision == "span":
        return f"{words} to {date_label(end, 'day')}" if end else f"since {words}"
    return words


# The resources each table of a Dataset is made from: the standing claims (and the withdrawn ones) join their
# sources and the change record (entente.reads notes all of them when a chapter reads the claims).
CLAIM_TABLES = ("events", "claim_sources", "sources", "changes")
DERIVED_FROM = {"events": CLAIM_TABLES, "withdrawn": CLAIM_TABLES, "sources": ("sources",),
                "changes": ("changes",), "claim_sources": ("claim_sources",)}


@dataclass(frozen=True)
class Dataset:
    """The validated tables, typed for analysis. Build it with ``load()``.

    ``events`` holds the claims that stand (one row each), with columns derived from the sources that
    carry them: ``reports`` (how many cited reports), ``source_ids`` and ``sources_label`` (all of them), and
    the outlet and date of the first of them (``outlet``, ``published_label``, …: the earliest report, or
    the article itself when no report is cited). ``withdrawn`` holds withdrawn claims with the reason;
    ``claim_sources`` links claims to sources; ``tables`` holds every resource of the package as typed.
    """

    schema: Schema
    events: pd.DataFrame
    sources: pd.DataFrame
    changes: pd.DataFrame
    claim_sources: pd.DataFrame
    withdrawn: pd.DataFrame
    tables: dict

    def __getattribute__(self, name: str):
        # Each table read is noted for the freshness check (entente.reads): a chapter re-runs when one changed.
        if name in DERIVED_FROM:
            reads.note(*DERIVED_FROM[name])
        return object.__getattribute__(self, name)

    @cached_property
    def as_of(self) -> dt.date:
        """The data's as-of date: the latest date in the change record (never a file or git time)."""
        return max(self.changes["date"]).date()

    @property
    def as_of_label(self) -> str:
        return f"{self.as_of.day} {MONTHS[self.as_of.month - 1]} {self.as_of.year}"

    def items(self, column: str, table: str = "events") -> pd.Series:
        """The items of a list field ("x-list" in datapackage.json), one per row, split by the schema's
        delimiter and indexed like the table, so counts and joins need not know the delimiter."""
        f = self.schema.resources[table].field(column)
        if f.list_items is None:
            raise ValueError(f'{table}.{column} is not a list field (it has no "x-list" in datapackage.json)')
        values = getattr(self, table)[column]
        return values[values != ""].str.split(f.list_delimiter).explode().astype("string")

    def citations(self) -> pd.DataFrame:
        """One row per standing claim and source that carries it, with the source's fields (outlet, date,
        ``source_year_inferred``, ``source_kind``): what charts and tables of sources count."""
        links = self.claim_sources[self.claim_sources["event_id"].isin(self.events["event_id"])]
        fields = self.sources.rename(columns={"year_inferred": "source_year_inferred", "kind": "source_kind"})
        return links.merge(fields, on="source_id", how="left")

    def paragraph(self, n: int) -> pd.DataFrame:
        """The claims of the article's body paragraph ``n`` (chapter n of Part I)."""
        return self.events[self.events["paragraph"].eq(n).fillna(False).astype(bool)]

    def theme(self, n: int) -> pd.DataFrame:
        """Every claim of chapter ``n``'s theme: the article's paragraph n and any claim added since."""
        return self.events[self.events["theme"] == n]

    def since_article(self, n: int) -> pd.DataFrame:
        """The claims of theme ``n`` added from reports published after the article (no paragraph)."""
        later = self.events["paragraph"].isna()
        return self.events[later & (self.events["theme"] == n)]


def typed_frame(frame: pd.DataFrame, resource: Resource) -> pd.DataFrame:
    """A validated frame of strings typed by its schema: integers, numbers and years as numbers, booleans by
    the field's trueValues, dates and datetimes as timestamps. A missing cell (one of missingValues) is
    missing in a typed column and an empty string in a text column, as in the file."""
    out = {}
    for f in resource.fields:
        text = frame[f.name]
        missing = pd.Series(one_of_these(text.to_numpy(), resource.missing_values), index=text.index)
        present = text.where(~missing) if f.type != "string" else None
        if f.type in ("integer", "year"):
            column = _numbers(present).astype("Int64")
            out[f.name] = column.astype("int64") if not missing.any() else column
        elif f.type == "number":
            out[f.name] = _numbers(present).astype("float64")
        elif f.type == "boolean":
            out[f.name] = pd.Series(one_of_these(text.to_numpy(), f.true_values), index=text.index, dtype="boolean").mask(missing)
        elif f.type in ("date", "datetime"):
            iso = f.type == "datetime" and f.format == "default"
            out[f.name] = pd.to_datetime(present, format="ISO8601" if iso else f.strptime_format)
        else:
            blanked = missing.any() and set(resource.missing_values) != {""}  # a missing cell other than ""
            out[f.name] = (text.mask(missing, "") if blanked else text).astype("string")
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def _numbers(present: pd.Series) -> pd.Series:
    """``pd.to_numeric`` of a column (missing cells NaN), worked out once per distinct text: a column of
    100,000 paragraph numbers holds a few dozen."""
    codes, uniques = pd.factorize(present.to_numpy(object), use_na_sentinel=False)
    return pd.to_numeric(pd.Series(uniques, dtype=object)).take(codes).set_axis(present.index)


def _labels(dates: pd.Series, precisions: pd.Series, ends: pd.Series | None = None) -> pd.Series:
    """``date_label`` of each row, worked out once per distinct (date, precision, end)."""
    ends = pd.Series("", index=dates.index) if ends is None else ends
    keys = dates.to_numpy(object) + "|" + precisions.to_numpy(object) + "|" + ends.to_numpy(object)
    codes, uniques = pd.factorize(keys)
    labels = np.array([date_label(*key.split("|")) for key in uniques] or [""], dtype=object)
    return pd.Series(labels[codes], index=dates.index, dtype="str")


def _validated_tables(root: Path) -> dict[str, pd.DataFrame]:
    """Validate the package at ``root`` and type its tables; ``DataError`` listing every problem if it fails."""
    cache.note_validation(root)
    result = validated(root / DESCRIPTOR)
    if result.problems:
        raise DataError(result.problems)
    schema = result.schema
    res = schema.resources
    tables = {name: typed_frame(result.frames[name], resource) for name, resource in res.items()}
    for name, resource in res.items():  # a scale declared with categoriesOrdered sorts and compares in its order
        for f in resource.fields:
            if f.ordered and f.categories:
                tables[name][f.name] = pd.Categorical(tables[name][f.name], categories=f.categories, ordered=True)
    events, sources, changes, links = (tables[n] for n in ("events", "sources", "changes", "claim_sources"))

    # A span runs from the first day of its start's period to the last day of its end's period.
    events["event_start"] = partial_dates(events["event_date"])["first"].astype("datetime64[s]")
    events["event_end"] = partial_dates(events["event_date_end"])["last"].astype("datetime64[s]")
    events["date_label"] = _labels(events["event_date"], events["date_precision"], events["event_date_end"])
    sources["published_date"] = partial_dates(sources["published"])["first"].astype("datetime64[s]")
    sources["published_label"] = _labels(sources["published"], sources["published_precision"])
    per_claim = _claims_sources(links, sources, events)
    if per_claim.index.equals(pd.Index(events["event_id"])):  # one row per claim, in the claims' order
        events = pd.concat([events, per_claim.set_axis(events.index)], axis=1)
    else:
        events = events.join(per_claim, on="event_id")

    # A withdrawn claim keeps its row and id, but its latest change says it no longer stands: it leaves every
    # figure, and is kept apart with the reason.
    latest = changes.sort_values("date", kind="stable").groupby("record_id", sort=False).last()  # looked up by id
    gone = events["event_id"].map(latest["change"]) == "withdrawn"
    withdrawn = events[gone].assign(reason=events.loc[gone, "event_id"].map(latest["description"]))
    standing = events[~gone].reset_index(drop=True)
    tables["events"] = standing
    return {"events": standing, "sources": sources, "changes": changes, "claim_sources": links,
            "withdrawn": withdrawn.reset_index(drop=True), "tables": tables}


SOURCE_FIELDS = ("source_id", "outlet", "published", "published_label", "published_date", "year_inferred", "kind")


def _claims_sources(links: pd.DataFrame, sources: pd.DataFrame, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per claim (indexed by event_id): how many cited reports, every source id and label, and the outlet and
    date of its first source (reports by date first, the article itself last), for tables and tooltips.

    Validated data (every claim cited, every link naming a known claim and source, no missing date or flag)
    goes the quick way, ``_claims_sources_by_position``; anything else the general way below, which gives the
    same table (tests/test_data.py compares the two)."""
    if events is not None:
        quick = _claims_sources_by_position(links, sources, events)
        if quick is not None:
            return quick
    return _claims_sources_by_groupby(links, sources)


def _claims_sources_by_position(links: pd.DataFrame, sources: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame | None:
    """``_claims_sources`` worked out on positions: each link's claim and source found once by a hash lookup,
    the links ordered by one ``np.lexsort`` of numbers, each claim's first source taken where its run starts.
    None when the data is not as validation leaves it (then the general way is taken)."""
    event_ids, source_ids = events["event_id"], sources["source_id"]
    if not (event_ids.is_unique and source_ids.is_unique) or sources[["published_date", "year_inferred"]].isna().any().any():
        return None
    claim = pd.Index(event_ids).get_indexer(links["event_id"])
    source = pd.Index(source_ids).get_indexer(links["source_id"])
    if (claim < 0).any() or (source < 0).any() or np.bincount(claim, minlength=len(events)).min(initial=1) == 0:
        return None
    is_report = (sources["kind"] == REPORT).to_numpy(dtype=bool)
    published = sources["published_date"].to_numpy("datetime64[s]").view("int64")
    rank = np.empty(len(sources), dtype=np.int64)
    rank[np.argsort(source_ids.to_numpy(object), kind="stable")] = np.arange(len(sources))
    order = np.lexsort((rank[source], published[source], ~is_report[source], claim))  # stable, as sort_values
    claim, source = claim[order], source[order]
    starts = np.flatnonzero(np.append(True, claim[1:] != claim[:-1]))
    first = source[starts]
    at = claim[starts]  # the claim (row of events) each run belongs to
    labels = sources["outlet"] + ", " + sources["published_label"]
    columns = {
        "reports": np.bincount(claim, weights=is_report[source], minlength=len(events)).astype(int)[at],
        "source_ids": _joined(pd.Series(claim), source_ids.take(source).reset_index(drop=True), ";").to_numpy(object),
        "sources_label": _joined(pd.Series(claim), labels.take(source).reset_index(drop=True), "; ").to_numpy(object),
    }
    index = pd.Index(event_ids.take(at).to_numpy(object), name="event_id", dtype=event_ids.dtype)
    frame = pd.DataFrame({"reports": columns["reports"]}, index=index)
    frame["source_ids"] = pd.array(columns["source_ids"], dtype=source_ids.dtype)
    frame["sources_label"] = pd.array(columns["sources_label"], dtype=labels.dtype)
    for name in SOURCE_FIELDS:
        out = {"year_inferred": "source_year_inferred", "kind": "source_kind"}.get(name, name)
        frame[out] = sources[name].take(first).set_axis(index)
    return frame


def _claims_sources_by_groupby(links: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """``_claims_sources`` the general way: links merged with their sources, sorted, grouped by claim."""
    cited = links.merge(sources, on="source_id", how="left")
    cited["is_report"] = cited["kind"] == REPORT
    cited = cited.sort_values(["event_id", "is_report", "published_date", "source_id"],
                              ascending=[True, False, True, True], kind="stable")
    cited["label"] = cited["outlet"] + ", " + cited["published_label"]
    grouped = cited.groupby("event_id", sort=False)
    first = grouped.first()
    return pd.DataFrame({
        "reports": grouped["is_report"].sum().astype(int),
        "source_ids": _joined(cited["event_id"], cited["source_id"], ";"),
        "sources_label": _joined(cited["event_id"], cited["label"], "; "),
        "source_id": first["source_id"], "outlet": first["outlet"], "published": first["published"],
        "published_label": first["published_label"], "published_date": first["published_date"],
        "source_year_inferred": first["year_inferred"], "source_kind": first["kind"],
    })


def _joined(keys: pd.Series, texts: pd.Series, separator: str) -> pd.Series:
    """The texts of each run of equal keys joined by ``separator``, indexed by key (rows sorted by key, so each
    key is one run): what ``groupby(keys, sort=False)[texts].agg(separator.join)`` gives, without a Python call
    and a sub-frame per group."""
    values, text = keys.to_numpy(), texts.to_numpy(object)
    starts = np.flatnonzero(np.append(True, values[1:] != values[:-1])) if len(values) else np.array([], dtype=int)
    ends = np.append(starts[1:], len(values))
    joined = text[starts].copy()  # a key with one text (most of them) keeps it as it is
    for i in np.flatnonzero(ends - starts > 1):
        joined[i] = separator.join(text[starts[i]:ends[i]])
    return pd.Series(joined, index=pd.Index(keys.iloc[starts], name=keys.name), dtype=texts.dtype)


def load(root: Path | None = None, *, use_cache: bool = True) -> Dataset:
    """Validate the data package at ``root`` (default: the project holding the working directory) and load it.

    Raises ``DataError`` listing every problem when the data does not pass validation. The typed tables
    are kept under ``_build/cache`` keyed by a hash of the data, the schema and this package, so later
    loads of the same data (each notebook of a build) skip validation; ``use_cache=False`` always validates.
    """
    root = Path(root) if root else find_root()
    key = cache.key_of(root) if use_cache else None
    tables = cache.read(root, key)
    if tables is None:
        tables = _validated_tables(root)
        if key is not None and cache.key_of(root) == key:  # unchanged while it was validated
            cache.write(root, key, tables)
    tables = {**tables, "tables": reads.TrackedTables(tables["tables"], {"events": CLAIM_TABLES})}
    return Dataset(schema=Schema(root / DESCRIPTOR), **tables)
