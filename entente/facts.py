"""Named numbers for the prose: each is computed from the data, so no figure is ever typed by hand."""
from __future__ import annotations

import pandas as pd

from .data import Dataset


def share(part: int, whole: int) -> str:
    """A percentage as prose writes it: '56%'."""
    return f"{round(100 * part / whole)}%" if whole else "0%"


def established_phrase(established: int, n: int) -> str:
    """How many of n claims are stated as fact, worded for any count: 'all 3', '4 of 5', 'none of the 2'."""
    if n and established == n:
        return "the one claim is" if n == 1 else f"all {n} claims are"
    if established == 0:
        return f"none of the {n} claims is"
    return f"{established} of the {n} claims {'is' if established == 1 else 'are'}"


def flow_balance(iran_to_russia: int, russia_to_iran: int) -> str:
    """Which way the flows lean, worded from the two counts."""
    if iran_to_russia == russia_to_iran:
        return f"as often from Iran to Russia as the other way ({iran_to_russia} claims each)"
    more, fewer = ((("Russia to Iran", russia_to_iran), ("Iran to Russia", iran_to_russia))
                   if russia_to_iran > iran_to_russia else (("Iran to Russia", iran_to_russia), ("Russia to Iran", russia_to_iran)))
    return f"more often from {more[0]} ({more[1]} claims) than from {fewer[0]} ({fewer[1]})"


# Place names that read with "the" in running text.
WITH_ARTICLE = {"Middle East", "Caucasus", "Persian Gulf", "Black Sea", "Baltic Sea", "Mediterranean Sea", "Indian Ocean"}


def in_prose(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def most_named(events: pd.DataFrame, field: str, top: int = 3) -> str:
    """The items of a list field named by the most claims, with their counts: 'the Middle East (6), Ukraine (4) and …'."""
    items = events[field].dropna()
    counts = items[items != ""].str.split(";").explode().value_counts(sort=False)
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:top]  # stable: ties keep their first-seen order
    return in_prose([f"{'the ' if name in WITH_ARTICLE else ''}{name} ({n})" for name, n in ranked]) or "no place"


def counts_of(events: pd.DataFrame, prefix: str = "") -> dict[str, object]:
    """Counts any selection of claims supports: totals, certainty levels, directions, dated and inferred."""
    certainty = events["certainty"].astype(str).value_counts()
    direction = events["direction"].value_counts()
    n = len(events)
    out = {
        "claims": n,
        "sources": events["source_id"].nunique(),
        "on_reports": int((events["source_kind"] == "report").sum()),
        "on_article": int((events["source_kind"] == "article").sum()),
        "dated": int(events["event_start"].notna().sum()),
        "undated": int(events["event_start"].isna().sum()),
        "inferred_dates": int(events["date_inferred"].sum()),
        "iran_to_russia": int(direction.get("Iran to Russia", 0)),
        "russia_to_iran": int(direction.get("Russia to Iran", 0)),
        "mutual": int(direction.get("mutual", 0)),
    }
    for level in ("established", "reported", "alleged", "possible"):
        out[level] = int(certainty.get(level, 0))
        out[f"{level}_share"] = share(out[level], n)
    out["hedged"] = n - out["established"]
    out["hedged_share"] = share(out["hedged"], n)
    out["established_phrase"] = established_phrase(out["established"], n)
    out["flow_balance"] = flow_balance(out["iran_to_russia"], out["russia_to_iran"])
    out["most_named_places"] = most_named(events, "theatres")
    return {f"{prefix}{k}": v for k, v in out.items()}


def headline(data: Dataset) -> dict[str, object]:
    """The numbers of the whole data set, as the introduction and the assessment state them."""
    out = counts_of(data.events)
    out.update({
        "cited_reports": int((data.sources["kind"] == "report").sum()),
        "outlets": data.sources.loc[data.sources["kind"] == "report", "outlet"].nunique(),
        "inferred_years": int(data.sources["year_inferred"].sum()),
        "paragraphs": data.events["paragraph"].nunique(),
        "as_of": data.as_of_label,
        "first_report": data.sources["published_date"].min().strftime("%-d %B %Y"),
        "last_report": data.sources.loc[data.sources["kind"] == "report", "published_date"].max().strftime("%-d %B %Y"),
    })
    return out


def per_claim(events: pd.DataFrame) -> dict[str, str]:
    """For each claim: when it happened (``E013_when``) and the report carrying it (``E013_source``)."""
    out = {}
    for e in events.itertuples(index=False):
        out[f"{e.event_id}_when"] = e.date_label
        out[f"{e.event_id}_source"] = f"{e.outlet}, {e.published_label}"
        out[f"{e.event_id}_reported"] = e.published_label
    return out


def section(data: Dataset, paragraph: int) -> dict[str, object]:
    """Everything a chapter on one article paragraph glues: its counts and its claims' dates and sources."""
    events = data.paragraph(paragraph)
    return {**counts_of(events), **per_claim(events)}
