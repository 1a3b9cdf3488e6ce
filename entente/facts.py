"""Named numbers for the prose: each is computed from the data, so no figure is ever typed by hand.

Counts per category are named after the category value as the schema lists it (a value 'A to B' is glued
as ``a_to_b``), so a value added to the schema gets its own glue names with no change here.
"""
from __future__ import annotations

import pandas as pd

from . import theme
from .claimlinks import Counted, where
from .data import Dataset
from .labels import in_prose, key, plural, source_label
from .schema import Schema

# The sources' kind for a cited outlet's report, as datapackage.json defines it (the article itself has another).
REPORT = "report"
# Category fields whose every value gets a count (and, for the ordered ones, a share) in counts_of.
COUNTED_FIELDS = ("certainty", "direction")
# The conditions of a count's filter that are not a field's value, as a reader reads them.
CITED, UNCITED = "at least one cited report", "no cited report"
# Prefixes under which a count of a wider or narrower selection is glued: the whole data set beside a
# paragraph's own (chapter 7) and the evidence chapter's tests that set the weakest support aside.
COUNT_PREFIXES = ("all_", "article_alone_", "leading_outlet_", "both_")
# Counts of claims the evidence chapter glues (entente.evidence.facts), besides those named below.
SUPPORT_COUNTS = ("article_only", "single_report", "several_reports", "single_outlet", "established_uncited",
                  "hedged_cited", "lead_outlet_claims")


def claim_counts(schema: Schema | None = None) -> frozenset[str]:
    """Every glue name (before any of ``COUNT_PREFIXES``) that counts claims: the one register of them.

    Each is glued as a ``Counted`` and pasted into the prose with the ``{count}`` role, which links it to
    the claims it counts; tests/test_claimlinks.py holds the chapters and the facts to this list."""
    from . import agreement, register
    from .findings import flow_count_names

    schema = theme.project_schema(schema)
    names = {"claims", "on_reports", "on_article", "dated", "undated", "inferred_dates", "hedged", *SUPPORT_COUNTS,
             *register.COUNTS, *agreement.COUNTS}
    for field in COUNTED_FIELDS:
        names.update(key(value) for value in schema.categories("events", field))
    return frozenset(names | set(flow_count_names(schema)))


def counts_claims(name: str, schema: Schema | None = None) -> bool:
    """True when the glue name ``name`` counts claims (``claim_counts``, under any of ``COUNT_PREFIXES``)."""
    names = claim_counts(schema)
    return name in names or any(name.startswith(p) and name[len(p):] in names for p in COUNT_PREFIXES)


def in_paragraph(paragraph: int) -> str:
    """The filter condition of one paragraph's claims."""
    return f"paragraph = {paragraph}"


def share(part: int, whole: int) -> str:
    """A percentage as prose writes it: '56%'."""
    return f"{round(100 * part / whole)}%" if whole else "0%"


def firmest_phrase(firm: int, n: int) -> str:
    """How many of n claims are at the firmest level, worded for any count: 'all 3 claims are', '4 of the 5
    claims are', 'none of the 2 claims is', 'the one claim is'."""
    if n and firm == n:
        return "the one claim is" if n == 1 else f"all {n} claims are"
    if firm == 0:
        return "no claim is" if n == 0 else ("the one claim is not" if n == 1 else f"none of the {n} claims is")
    return f"{firm} of the {n} claims {'is' if firm == 1 else 'are'}"


# Place names that read with "the" in running text.
WITH_ARTICLE = {"United States", "Middle East", "Caucasus", "Persian Gulf", "Black Sea", "Baltic Sea", "Mediterranean Sea", "Indian Ocean"}


def most_named(events: pd.DataFrame, field: str, top: int = 3) -> str:
    """The items of a list field named by the most claims, with their counts: 'the Middle East (6), Ukraine (4) and …'."""
    items = events[field].dropna()
    counts = items[items != ""].str.split(";").explode().value_counts(sort=False)
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:top]  # stable: ties keep their first-seen order
    return in_prose([f"{'the ' if name in WITH_ARTICLE else ''}{name} ({n})" for name, n in ranked]) or "no place"


def counts_of(events: pd.DataFrame, prefix: str = "", schema: Schema | None = None,
              selection: str = "") -> dict[str, object]:
    """Counts any selection of claims supports: totals, each certainty level and direction, dated and inferred.

    Every value of the ``COUNTED_FIELDS`` gets its count under its own name; every certainty level its share;
    ``firmest``-level claims are the first level, every other level is ``hedged``. Each count of claims is a
    ``Counted``, carrying its ids and its filter (``selection``, the filter ``events`` were chosen by, then
    its own condition)."""
    schema = theme.project_schema(schema)
    n = len(events)

    def count(mask=None, condition: str = "") -> Counted:
        return Counted.of(events, mask, where(selection, condition))

    out: dict[str, object] = {
        "claims": count(),
        "claims_counted": plural(n, "claim"),
        "sources": events["source_ids"].str.split(";").explode().nunique() if n else 0,
        "on_reports": count(events["reports"] > 0, CITED),
        "on_article": count(events["reports"] == 0, UNCITED),
        "dated": count(events["event_start"].notna(), "an event date"),
        "undated": count(events["event_start"].isna(), "no event date"),
        "inferred_dates": count(events["date_inferred"].fillna(False).astype(bool), "an inferred event date"),
    }
    for field in COUNTED_FIELDS:
        values = events[field].astype("string")
        present = values.value_counts()
        for value in _all_values(field, present.index, schema):
            if key(value) in out:  # two fields sharing a value would glue one name twice
                raise ValueError(f"counts_of: {field} value {value!r} is glued as {key(value)!r}, a name already taken")
            out[key(value)] = count((values == value).fillna(False), f"{field} = {value}")
            out[f"{key(value)}_counted"] = plural(out[key(value)], "claim")
    levels = _all_values("certainty", events["certainty"].astype("string"), schema)
    for level in levels:
        out[f"{key(level)}_share"] = share(out[key(level)], n)
    firmest = key(levels[0])
    out["hedged"] = count((events["certainty"].astype("string") != levels[0]).fillna(True), f"certainty is not {levels[0]}")
    out["hedged_share"] = share(out["hedged"], n)
    out[f"{firmest}_phrase"] = firmest_phrase(out[firmest], n)
    out["most_named_places"] = most_named(events, "theatres")
    return {f"{prefix}{k}": v for k, v in out.items()}


def _all_values(field: str, present, schema: Schema) -> list[str]:
    """Every value the schema lists for the field, then any other value present (never dropped)."""
    known = theme.order(field, schema=schema)
    return known + [v for v in theme.order(field, present, schema) if v not in known]


def report_date(date: pd.Timestamp, precision: str) -> str:
    """A report's date worded to its precision: '15 November 2022', 'August 2022', '2022'."""
    return {"day": f"{date.day} {date:%B %Y}", "month": f"{date:%B %Y}", "year": f"{date:%Y}"}[precision]


def _period_end(date: pd.Timestamp, precision: str) -> pd.Timestamp:
    """The last day a partial date may stand for: a month-precision date may be later than the 1st."""
    return {"day": date, "month": date + pd.offsets.MonthEnd(0), "year": date + pd.offsets.YearEnd(0)}[precision]


def report_range(sources: pd.DataFrame) -> tuple[str, str]:
    """The first and the last cited report (the article itself left out), each worded to its own precision.

    The first is the earliest a report can be dated; the last, the latest: 'August 2022' is later than
    '15 August 2022'."""
    reports = sources[sources["kind"] == REPORT]
    if reports.empty:
        return "", ""
    starts = reports["published_date"]
    ends = pd.Series([_period_end(d, p) for d, p in zip(starts, reports["published_precision"])], index=reports.index)
    first = reports.loc[starts.sort_values(kind="stable").index[0]]
    last = reports.loc[ends.sort_values(kind="stable").index[-1]]
    return (report_date(first["published_date"], first["published_precision"]),
            report_date(last["published_date"], last["published_precision"]))


def headline(data: Dataset) -> dict[str, object]:
    """The numbers of the whole data set, as the introduction and the assessment state them."""
    out = counts_of(data.events, schema=data.schema)
    reports = data.sources[data.sources["kind"] == REPORT]
    first_report, last_report = report_range(data.sources)
    out.update({
        "cited_reports": len(reports),
        "outlets": reports["outlet"].nunique(),
        "inferred_years": int(data.sources["year_inferred"].sum()),
        "paragraphs": data.events["paragraph"].nunique(),
        "as_of": data.as_of_label,
        "certainty_levels": in_prose(list(data.schema.categories("events", "certainty"))),
        "first_report": first_report,
        "last_report": last_report,
    })
    return out


def states_named(events: pd.DataFrame, besides=(), schema: Schema | None = None) -> str:
    """The states named in the claims as actors or third parties, other than ``besides``, most named first
    (ties in the schema's order), in prose: 'Israel, Ukraine and the United States'."""
    schema = theme.project_schema(schema)
    listed = schema.resources["events"].field("actors").list_items
    delimiter = schema.resources["events"].field("actors").list_delimiter
    named = pd.concat([events[f][events[f] != ""].str.split(delimiter).explode() for f in ("actors", "third_parties")])
    counts = named[~named.isin(besides)].value_counts()
    ranked = sorted(counts.index, key=lambda s: (-counts[s], listed.index(s) if s in listed else len(listed)))
    return in_prose([f"the {s}" if s in WITH_ARTICLE else s for s in ranked]) or "no other state"


def per_claim(events: pd.DataFrame) -> dict[str, str]:
    """For each claim: when it happened (``E013_when``) and the report carrying it (``E013_source``)."""
    out = {}
    for e in events.itertuples(index=False):
        out[f"{e.event_id}_when"] = e.date_label
        out[f"{e.event_id}_source"] = source_label(e.outlet, e.published_label)
        out[f"{e.event_id}_reported"] = e.published_label
    return out


def section(data: Dataset, paragraph: int, about: tuple[str, ...] | list[str] = ()) -> dict[str, object]:
    """Everything a chapter on one article paragraph glues: its counts, its flows between Iran and Russia
    (``findings.flow_facts``) and the dates and sources of the claims ``about`` names (the ones its prose
    quotes by id: gluing every claim's would grow each chapter with the data, three glued values a claim).

    An id of ``about`` that is not a claim of the paragraph is an error, not a silently missing value."""
    from .findings import flow_facts

    events = data.paragraph(paragraph)
    selection = in_paragraph(paragraph)
    named = events[events["event_id"].isin(about)]
    strangers = sorted(set(about) - set(named["event_id"]))
    if strangers:
        raise ValueError(f"facts.section: {', '.join(strangers)} is not a claim of paragraph {paragraph} "
                         f"in data/events.csv (its claims: {', '.join(events['event_id'])})")
    return {**counts_of(events, schema=data.schema, selection=selection),
            **flow_facts(events, data.schema, selection), **per_claim(named)}
