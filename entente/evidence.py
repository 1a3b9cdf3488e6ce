"""How well each claim is supported: the reports behind it, the outlets that carry them, and what is
left of the picture when the weakest support is set aside.

Certainty (how assertively the article words a claim) is the events' own field; this module deals with
the other question, what stands behind a claim, from the claim-to-source links. A claim "rests on the
article alone" when its only source is the article itself (a source whose kind is not "report").
"""
from __future__ import annotations

import pandas as pd

from .claimlinks import Counted, where
from .findings import flow_facts

REPORT = "report"  # the sources' kind for a cited outlet's report; the article itself has another kind


def support(events: pd.DataFrame, links: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: how many distinct reports and outlets carry it, and which outlets.

    Columns: event_id, reports, outlets, outlet_names (semicolon list, in the order sources are listed),
    article_only (no report at all).
    """
    cited = links.merge(sources[["source_id", "outlet", "kind"]], on="source_id", how="left")
    cited = cited[cited["kind"] == REPORT]
    per_claim = cited.groupby("event_id").agg(
        reports=("source_id", "nunique"), outlets=("outlet", "nunique"),
        outlet_names=("outlet", lambda s: ";".join(dict.fromkeys(s))))
    out = events[["event_id"]].join(per_claim, on="event_id")
    out["reports"] = out["reports"].fillna(0).astype(int)
    out["outlets"] = out["outlets"].fillna(0).astype(int)
    out["outlet_names"] = out["outlet_names"].fillna("")
    out["article_only"] = out["reports"] == 0
    return out.reset_index(drop=True)


def support_counts(events: pd.DataFrame, links: pd.DataFrame, sources: pd.DataFrame) -> dict[str, int]:
    """Claims on no report, on exactly one report, and on several; and how many outlets carry any claim."""
    s = support(events, links, sources)
    return {"claims": Counted(s["event_id"]),
            "article_only": Counted.of(s, s["article_only"], "no cited report"),
            "single_report": Counted.of(s, s["reports"] == 1, "exactly one cited report"),
            "several_reports": Counted.of(s, s["reports"] > 1, "more than one cited report"),
            "single_outlet": Counted.of(s, s["outlets"] == 1, "exactly one outlet")}


def outlets(events: pd.DataFrame, links: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """One row per outlet the article cites: its country and type, the reports cited and the claims they
    carry, and its share of all citations of reports. Sorted by claims carried, most first."""
    reports = sources[sources["kind"] == REPORT]
    cited = links[links["event_id"].isin(events["event_id"])].merge(reports, on="source_id")
    carried = cited.groupby("outlet").agg(claims=("event_id", "nunique"), citations=("event_id", "size"))
    table = (reports.groupby("outlet", sort=False)
             .agg(country=("outlet_country", "first"), type=("outlet_type", "first"),
                  inferred=("outlet_inferred", "any"), reports=("source_id", "nunique"))
             .join(carried).fillna({"claims": 0, "citations": 0}))
    table[["claims", "citations"]] = table[["claims", "citations"]].astype(int)
    total = int(table["citations"].sum())
    table["share"] = table["citations"] / total if total else 0.0
    return table.reset_index().sort_values(["claims", "outlet"], ascending=[False, True], kind="stable",
                                           ignore_index=True)


def leading_outlet(events: pd.DataFrame, links: pd.DataFrame, sources: pd.DataFrame) -> str | None:
    """The outlet carrying the most claims (ties: first by name), or None when no report is cited."""
    table = outlets(events, links, sources)
    table = table[table["claims"] > 0]
    return None if table.empty else str(table.iloc[0]["outlet"])


def set_aside(events: pd.DataFrame, links: pd.DataFrame, sources: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The claims that remain under each robustness test, keyed by what is set aside:

    - "nothing": every claim;
    - "article alone": claims with no cited report are left out;
    - "leading outlet": claims whose only outlet is the outlet carrying the most claims are left out;
    - "both": the two together.
    """
    s = support(events, links, sources).set_index("event_id")
    lead = leading_outlet(events, links, sources)
    on_article = events["event_id"].map(s["article_only"]).astype(bool)
    on_lead_only = events["event_id"].map((s["outlets"] == 1) & (s["outlet_names"] == lead)).astype(bool)
    return {"nothing": events, "article alone": events[~on_article], "leading outlet": events[~on_lead_only],
            "both": events[~on_article & ~on_lead_only]}


def _percent(part: float) -> str:
    return f"{round(100 * part)}%"


def facts(data) -> dict[str, object]:
    """Everything the evidence chapter glues, from a loaded Dataset: support counts, the leading outlet,
    certainty against support, and the main finding's flow counts under each set-aside test (prefixed
    ``article_alone_``, ``leading_outlet_``, ``both_``; unprefixed for all claims)."""
    events, links, sources = data.events, data.claim_sources, data.sources
    out: dict[str, object] = dict(support_counts(events, links, sources))
    table = outlets(events, links, sources)
    carried = table[table["claims"] > 0]
    out["reports"] = int(table["reports"].sum())
    out["outlets"] = len(table)
    lead = carried.iloc[0] if len(carried) else None
    out["lead_outlet"] = str(lead["outlet"]) if lead is not None else "no outlet"
    carried_by_lead = links[links["source_id"].isin(sources.loc[sources["outlet"] == out["lead_outlet"], "source_id"])]
    out["lead_outlet_claims"] = Counted.of(events, events["event_id"].isin(carried_by_lead["event_id"]),
                                           f"carried by {out['lead_outlet']}")
    out["lead_outlet_share"] = _percent(lead["share"]) if lead is not None else "0%"
    firm = data.schema.categories("events", "certainty")[0]  # the scale's first level: stated as fact
    stated = events["certainty"].astype(str) == firm
    cited = events["reports"] > 0
    out["established"] = Counted.of(events, stated, f"certainty = {firm}")
    out["established_uncited"] = Counted.of(events, stated & ~cited, where(f"certainty = {firm}", "no cited report"))
    out["hedged"] = Counted.of(events, ~stated, f"certainty is not {firm}")
    out["hedged_cited"] = Counted.of(events, ~stated & cited, where(f"certainty is not {firm}", "at least one cited report"))
    kept_by = {"nothing": "", "article alone": "at least one cited report",
               "leading outlet": f"not carried by {out['lead_outlet']} alone"}
    kept_by["both"] = where(kept_by["article alone"], kept_by["leading outlet"])
    for name, kept in set_aside(events, links, sources).items():
        prefix = "" if name == "nothing" else name.replace(" ", "_") + "_"
        out.update({prefix + key: value for key, value in flow_facts(kept, data.schema, kept_by[name]).items()})
    return out
