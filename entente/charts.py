"""One function per kind of chart the report draws; each takes the events table and returns an Altair chart.

Every chart has a title, labelled axes, tooltips and a ``description`` for screen readers, and uses the
book's palette (entente.theme). Charts embed only the columns they draw, aggregated where the chart
shows counts, so a page stays light when the data grows.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from .schema import CERTAINTY_ORDER
from .theme import (CERTAINTY_COLOURS, DIRECTION_COLOURS, DOMAIN_COLOURS, DOMAIN_ORDER, scale)

# Above this many dated events the timeline shows monthly counts instead of one mark per event.
TIMELINE_MAX_POINTS = 500


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def explode_list(events: pd.DataFrame, field: str) -> pd.DataFrame:
    """One row per item of a semicolon list field; rows with a blank field are left out."""
    rows = events[events[field].notna() & (events[field] != "")].copy()
    rows[field] = rows[field].str.split(";")
    return rows.explode(field)


def _ids(series: pd.Series) -> str:
    """Claim ids for a tooltip, shortened when there are many."""
    ids = list(series)
    return ", ".join(ids) if len(ids) <= 12 else ", ".join(ids[:12]) + f" and {len(ids) - 12} more"


def timeline(events: pd.DataFrame) -> alt.Chart:
    """Dated claims on a time axis, one row per domain; spans drawn as a line up to the report that carries them."""
    dated = events[events["event_start"].notna()].copy()
    undated = len(events) - len(dated)
    subtitle = [f"{plural(len(dated), 'claim')} carry an event date; {plural(undated, 'other')} give none and are not placed.",
                "Hollow marks: year or month inferred, not given by the article."]
    domains = [d for d in DOMAIN_ORDER if d in set(events["domain"])]
    y = alt.Y("domain:N", title="Domain", sort=domains)
    colour = alt.Color("domain:N", title="Domain", scale=scale(DOMAIN_COLOURS, domains), legend=None)
    x_title = "Date of the event"
    if len(dated) > TIMELINE_MAX_POINTS:
        dated["month"] = dated["event_start"].dt.to_period("M").dt.to_timestamp()
        counts = dated.groupby(["domain", "month"]).size().reset_index(name="claims")
        return alt.Chart(counts, title=alt.Title("Dated claims per month", subtitle=subtitle[:1]),
                         description="Number of dated claims per month and domain.").mark_circle().encode(
            x=alt.X("month:T", title=x_title), y=y, color=colour, size=alt.Size("claims:Q", title="Claims"),
            tooltip=[alt.Tooltip("domain:N", title="Domain"), alt.Tooltip("month:T", title="Month", format="%b %Y"),
                     alt.Tooltip("claims:Q", title="Claims")]).properties(width=560, height=36 * len(domains))
    dated["inferred"] = dated["date_inferred"].map({True: "inferred", False: "given"})
    dated["span_end"] = dated["event_end"].fillna(dated["published_date"])
    dated["source"] = dated["outlet"] + ", " + dated["published_label"]
    cols = ["event_id", "summary", "domain", "date_label", "certainty", "source", "inferred", "event_start",
            "span_end", "date_precision"]
    dated = dated[cols].astype({"certainty": "string"})
    tooltip = [alt.Tooltip("event_id:N", title="Claim"), alt.Tooltip("summary:N", title="Summary"),
               alt.Tooltip("date_label:N", title="When"), alt.Tooltip("certainty:N", title="Certainty"),
               alt.Tooltip("source:N", title="Source")]
    base = alt.Chart(dated)
    spans = base.transform_filter("datum.date_precision == 'span'").mark_rule(strokeWidth=3, opacity=0.6).encode(
        x=alt.X("event_start:T", title=x_title, axis=alt.Axis(format="%b %Y")), x2="span_end:T", y=y, color=colour, tooltip=tooltip)
    points = base.mark_point(size=120, strokeWidth=2).encode(
        x=alt.X("event_start:T", title=x_title, axis=alt.Axis(format="%b %Y")), y=y, color=colour,
        fill=alt.condition("datum.inferred == 'given'", colour, alt.value("white")),
        shape=alt.Shape("inferred:N", title="Date", scale=alt.Scale(domain=["given", "inferred"], range=["circle", "circle"]),
                        legend=None),
        tooltip=tooltip)
    return (spans + points).properties(
        title=alt.Title("When the dated claims happened", subtitle=subtitle),
        description=f"Timeline of the {len(dated)} claims that carry an event date, by domain; spans run to the report that carries them.",
        width=560, height=40 * max(len(set(dated["domain"])), 1))


def flows(events: pd.DataFrame) -> alt.Chart:
    """What flows which way: claims of Iran-to-Russia against Russia-to-Iran flows, by domain."""
    two_way = events[events["direction"].isin(["Iran to Russia", "Russia to Iran"])]
    counts = (two_way.groupby(["domain", "direction"])["event_id"].agg(claims="size", ids=_ids).reset_index())
    counts["signed"] = counts["claims"].where(counts["direction"] == "Russia to Iran", -counts["claims"])
    other = events["direction"].value_counts()
    subtitle = (f"Left: flows from Iran to Russia; right: from Russia to Iran. Not shown: "
                f"{plural(int(other.get('mutual', 0)), 'joint or two-way claim')} and "
                f"{plural(int(other.get('none', 0)), 'claim')} with no flow between the two.")
    domains = [d for d in DOMAIN_ORDER if d in set(counts["domain"])]
    top = int(counts["claims"].max()) if len(counts) else 1
    return alt.Chart(counts, title=alt.Title("Which way things flow", subtitle=subtitle),
                     description="Diverging bar chart of claims about transfers and requests by direction and domain.").mark_bar().encode(
        x=alt.X("signed:Q", title="Claims (Iran to Russia, left; Russia to Iran, right)",
                scale=alt.Scale(domain=[-top, top]), axis=alt.Axis(labelExpr="abs(datum.value)", tickMinStep=1)),
        y=alt.Y("domain:N", title="Domain", sort=domains),
        color=alt.Color("direction:N", title="Direction",
                        scale=scale(DIRECTION_COLOURS, ["Iran to Russia", "Russia to Iran"])),
        tooltip=[alt.Tooltip("domain:N", title="Domain"), alt.Tooltip("direction:N", title="Direction"),
                 alt.Tooltip("claims:Q", title="Claims"), alt.Tooltip("ids:N", title="Claim ids")],
    ).properties(width=520, height=36 * max(len(domains), 1))


def certainty_profile(events: pd.DataFrame, by: str = "paragraph", label: str = "Article paragraph") -> alt.Chart:
    """How firmly the claims are put, as shares of each group on the codebook's one certainty scale."""
    counts = events.groupby([by, "certainty"], observed=False).size().reset_index(name="claims")
    counts[by] = counts[by].astype(str)
    counts["certainty"] = counts["certainty"].astype(str)
    counts["order"] = counts["certainty"].map({c: i for i, c in enumerate(CERTAINTY_ORDER)})
    counts["total"] = counts.groupby(by)["claims"].transform("sum")
    counts = counts[counts["claims"] > 0]
    groups = list(dict.fromkeys(counts[by]))
    return alt.Chart(counts, title=alt.Title(f"How firmly the claims are put, by {label.lower()}",
                                             subtitle="Share of claims at each level, firmest (established) first."),
                     description=f"Stacked bars of the share of claims that are established, reported, alleged or possible, per {label.lower()}.").mark_bar().encode(
        x=alt.X("claims:Q", stack="normalize", title="Share of claims", axis=alt.Axis(format="%")),
        y=alt.Y(f"{by}:N", title=label, sort=groups),
        color=alt.Color("certainty:N", title="Certainty", scale=scale(CERTAINTY_COLOURS), sort=list(CERTAINTY_ORDER)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip(f"{by}:N", title=label), alt.Tooltip("certainty:N", title="Certainty"),
                 alt.Tooltip("claims:Q", title="Claims"), alt.Tooltip("total:Q", title="Claims in group")],
    ).properties(width=520, height=28 * max(len(groups), 1))


def claims_ladder(events: pd.DataFrame, limit: int = 40) -> alt.Chart:
    """Each claim placed on the certainty scale, coloured by domain: what is firm and what is hedged."""
    shown = events.head(limit).copy()
    shown["claim"] = shown["event_id"] + "  " + shown["summary"].str.slice(0, 60).where(
        shown["summary"].str.len() <= 60, shown["summary"].str.slice(0, 57) + "…")
    shown["source"] = shown["outlet"] + ", " + shown["published_label"]
    shown["hedge"] = shown["hedge_words"].fillna("").replace("", "(none)")
    shown = shown[["event_id", "claim", "summary", "certainty", "domain", "hedge", "source"]].astype({"certainty": "string"})
    subtitle = "Left to right: from stated as fact to merely possible."
    if len(events) > limit:
        subtitle += f" Showing the first {limit} of {len(events)} claims."
    domains = [d for d in DOMAIN_ORDER if d in set(shown["domain"])]
    return alt.Chart(shown, title=alt.Title("How firmly each claim is put", subtitle=subtitle),
                     description="Dot chart placing each claim of this section on the certainty scale, coloured by domain.").mark_circle(size=160).encode(
        x=alt.X("certainty:N", title="Certainty", sort=list(CERTAINTY_ORDER), scale=alt.Scale(domain=list(CERTAINTY_ORDER)),
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("claim:N", title=None, sort=list(shown["claim"]), axis=alt.Axis(labelLimit=420)),
        color=alt.Color("domain:N", title="Domain", scale=scale(DOMAIN_COLOURS, domains)),
        tooltip=[alt.Tooltip("event_id:N", title="Claim"), alt.Tooltip("summary:N", title="Summary"),
                 alt.Tooltip("certainty:N", title="Certainty"), alt.Tooltip("hedge:N", title="Hedge words"),
                 alt.Tooltip("source:N", title="Source")],
    ).properties(width=300, height=22 * max(len(shown), 1))


def sources(events: pd.DataFrame) -> alt.Chart:
    """Which reports the claims rest on: one mark per cited report, by outlet and date, sized by claims."""
    per_report = (events.groupby(["source_id", "outlet", "published_label", "published_date", "source_year_inferred"])
                  ["event_id"].agg(claims="size", ids=_ids).reset_index())
    per_report["year"] = per_report["source_year_inferred"].map({True: "inferred", False: "given"})
    per_report = per_report.drop(columns="source_year_inferred")
    outlets = list(per_report.groupby("outlet")["claims"].sum().sort_values(ascending=False).index)
    return alt.Chart(per_report, title=alt.Title("The reports behind the claims",
                                                 subtitle="One mark per cited report; hollow where the article gives no year."),
                     description="Dot chart of the cited reports by outlet and publication date, sized by the number of claims each carries.").mark_point(
        filled=False, strokeWidth=2).encode(
        x=alt.X("published_date:T", title="Date of the report", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("outlet:N", title="Outlet", sort=outlets),
        size=alt.Size("claims:Q", title="Claims", scale=alt.Scale(range=[60, 500], zero=False)),
        color=alt.value(DOMAIN_COLOURS["military"]),
        fill=alt.condition("datum.year == 'given'", alt.value(DOMAIN_COLOURS["military"]), alt.value("white")),
        tooltip=[alt.Tooltip("outlet:N", title="Outlet"), alt.Tooltip("published_label:N", title="Published"),
                 alt.Tooltip("year:N", title="Year"), alt.Tooltip("claims:Q", title="Claims"),
                 alt.Tooltip("ids:N", title="Claim ids")],
    ).properties(width=520, height=24 * max(len(outlets), 1))


def theatres(events: pd.DataFrame) -> alt.Chart:
    """Where the claims point: the theatres and regions named, stacked by certainty."""
    rows = explode_list(events, "theatres")
    counts = rows.groupby(["theatres", "certainty"], observed=True)["event_id"].agg(claims="size", ids=_ids).reset_index()
    counts["certainty"] = counts["certainty"].astype(str)
    counts["order"] = counts["certainty"].map({c: i for i, c in enumerate(CERTAINTY_ORDER)})
    order = list(counts.groupby("theatres")["claims"].sum().sort_values(ascending=False).index)
    unnamed = int((events["theatres"].fillna("") == "").sum())
    return alt.Chart(counts, title=alt.Title("Theatres and regions the claims concern",
                                             subtitle=f"A claim naming several places counts once for each; {plural(unnamed, 'claim')} name none."),
                     description="Bar chart of the number of claims naming each theatre or region, stacked by certainty.").mark_bar().encode(
        x=alt.X("claims:Q", title="Claims naming the place", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("theatres:N", title="Theatre or region", sort=order),
        color=alt.Color("certainty:N", title="Certainty", scale=scale(CERTAINTY_COLOURS), sort=list(CERTAINTY_ORDER)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("theatres:N", title="Place"), alt.Tooltip("certainty:N", title="Certainty"),
                 alt.Tooltip("claims:Q", title="Claims"), alt.Tooltip("ids:N", title="Claim ids")],
    ).properties(width=480, height=26 * max(len(order), 1))


def relations(events: pd.DataFrame) -> alt.Chart:
    """Who deals with whom: how often two states are named in the same claim, as actors or third parties."""
    pairs = []
    for row in events.itertuples(index=False):
        named = sorted({s for field in ("actors", "third_parties") for s in (getattr(row, field) or "").split(";") if s})
        pairs += [(a, b, row.event_id) for a in named for b in named if a != b]
    table = pd.DataFrame(pairs, columns=["state", "with", "event_id"])
    counts = table.groupby(["state", "with"])["event_id"].agg(claims="size", ids=_ids).reset_index()
    order = list(table.groupby("state")["event_id"].nunique().sort_values(ascending=False).index)
    return alt.Chart(counts, title=alt.Title("Who is named with whom",
                                             subtitle="Claims naming both states, as actors or as third parties."),
                     description="Matrix of the number of claims that name each pair of states together.").mark_rect().encode(
        x=alt.X("with:N", title="Named with", sort=order, axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("state:N", title="State", sort=order),
        color=alt.Color("claims:Q", title="Claims", scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("state:N", title="State"), alt.Tooltip("with:N", title="Named with"),
                 alt.Tooltip("claims:Q", title="Claims"), alt.Tooltip("ids:N", title="Claim ids")],
    ).properties(width=26 * max(len(order), 1), height=26 * max(len(order), 1))


def status(events: pd.DataFrame) -> alt.Chart:
    """Where matters stand: claims by status (delivered, requested, under negotiation...), coloured by domain."""
    order = ["delivered", "ongoing", "occurred", "agreed", "requested", "under negotiation", "proposed",
             "stated", "feared", "assessed"]
    counts = events.groupby(["status", "domain"])["event_id"].agg(claims="size", ids=_ids).reset_index()
    present = [s for s in order if s in set(counts["status"])]
    domains = [d for d in DOMAIN_ORDER if d in set(counts["domain"])]
    return alt.Chart(counts, title=alt.Title("Where matters stand",
                                             subtitle="Claims by the status the article gives them, from done to merely judged."),
                     description="Bar chart of the number of claims at each status, coloured by domain.").mark_bar().encode(
        x=alt.X("claims:Q", title="Claims", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("status:N", title="Status", sort=present),
        color=alt.Color("domain:N", title="Domain", scale=scale(DOMAIN_COLOURS, domains)),
        tooltip=[alt.Tooltip("status:N", title="Status"), alt.Tooltip("domain:N", title="Domain"),
                 alt.Tooltip("claims:Q", title="Claims"), alt.Tooltip("ids:N", title="Claim ids")],
    ).properties(width=480, height=28 * max(len(present), 1))
