"""One function per kind of chart the report draws; each takes the events table and returns an Altair chart.

Every chart has a title, labelled axes, tooltips naming the claims behind each mark and a ``description``
for screen readers, and uses the book's palette (entente.theme). Category values, their order and colours
come from the schema (``schema``, by default the project's datapackage.json); the fields a chart groups or
colours by are parameters, so a new category field needs no new chart code. Charts embed only the columns
they draw, aggregated where the chart shows counts, so a page stays light when the data grows.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from . import findings, theme
from .labels import id_list, in_prose, plural
from .schema import Schema

# Above this many dated events the timeline shows monthly counts instead of one mark per event.
TIMELINE_MAX_POINTS = 500


def explode_list(events: pd.DataFrame, field: str) -> pd.DataFrame:
    """One row per item of a semicolon list field; rows with a blank field are left out."""
    rows = events[events[field].notna() & (events[field] != "")].copy()
    rows[field] = rows[field].str.split(";")
    return rows.explode(field)


def _as_text(frame: pd.DataFrame, *fields: str) -> pd.DataFrame:
    """Category columns as plain text, whatever their dtype (a categorical would bring unobserved groups)."""
    return frame.assign(**{f: frame[f].astype("string") for f in fields})


def _colour(field: str, present, schema: Schema, **options) -> alt.Color:
    """A colour channel for a category field: its values present, in schema order, in their fixed colours."""
    scale = theme.scale(field, present, schema)
    return alt.Color(f"{field}:N", title=theme.field_title(field, schema), scale=scale, sort=scale.domain, **options)


def _rank(values: pd.Series, field: str, schema: Schema) -> pd.Series:
    """Each value's place in the field's schema order, for stacking in that order."""
    return values.map({v: i for i, v in enumerate(theme.order(field, set(values), schema))})


def _ids_tooltip() -> alt.Tooltip:
    return alt.Tooltip("ids:N", title="Claim ids")


def timeline(events: pd.DataFrame, rows: str = "domain", schema: Schema | None = None) -> alt.Chart:
    """Dated claims on a time axis, one row per category of ``rows``; spans drawn as a line up to their report.

    Only claims with an event date are placed; the others are counted in the subtitle, never drawn."""
    schema = theme.project_schema(schema)
    events = _as_text(events, rows)
    dated = events[events["event_start"].notna()].copy()
    undated = len(events) - len(dated)
    subtitle = [f"Placed: {plural(len(dated), 'claim')} with an event date. "
                f"Not placed: {plural(undated, 'claim')} without one.",
                "Hollow marks: year or month inferred, not given by the article."]
    groups = theme.order(rows, dated[rows], schema)
    y = alt.Y(f"{rows}:N", title=theme.field_title(rows, schema), sort=groups)
    colour = _colour(rows, groups, schema, legend=None)
    x_title = "Date of the event"
    if len(dated) > TIMELINE_MAX_POINTS:
        dated["month"] = dated["event_start"].dt.to_period("M").dt.to_timestamp()
        counts = dated.groupby([rows, "month"])["event_id"].agg(claims="size", ids=id_list).reset_index()
        return alt.Chart(counts, title=alt.Title("Dated claims per month", subtitle=subtitle[:1]),
                         description=f"Number of dated claims per month and {rows.replace('_', ' ')}.").mark_circle().encode(
            x=alt.X("month:T", title=x_title), y=y, color=colour, size=alt.Size("claims:Q", title="Claims"),
            tooltip=[alt.Tooltip(f"{rows}:N", title=theme.field_title(rows, schema)),
                     alt.Tooltip("month:T", title="Month", format="%b %Y"),
                     alt.Tooltip("claims:Q", title="Claims"), _ids_tooltip()]).properties(width=560, height=36 * len(groups))
    dated["inferred"] = dated["date_inferred"].map({True: "inferred", False: "given"})
    dated["span_end"] = dated["event_end"].fillna(dated["published_date"])
    dated["source"] = dated["sources_label"]
    cols = list(dict.fromkeys(["event_id", "summary", rows, "date_label", "certainty", "source", "inferred",
                               "event_start", "span_end", "date_precision"]))
    dated = dated[cols].astype({"certainty": "string"})
    tooltip = [alt.Tooltip("event_id:N", title="Claim"), alt.Tooltip("summary:N", title="Summary"),
               alt.Tooltip("date_label:N", title="When"), alt.Tooltip("certainty:N", title=theme.field_title("certainty", schema)),
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
        description=f"Timeline of the {plural(len(dated), 'claim')} with an event date, by {rows.replace('_', ' ')}; "
                    "spans run to the report that carries them.",
        width=560, height=40 * max(len(groups), 1))


def flows(events: pd.DataFrame, by: str = "domain", direction: str = "direction",
          schema: Schema | None = None) -> alt.Chart:
    """What flows which way: claims of the two one-way flows against each other, by ``by``.

    The schema lists the two one-way values of ``direction`` first; the others (both ways, none) are
    counted in the subtitle."""
    schema = theme.project_schema(schema)
    events = _as_text(events, by, direction)
    left, right = theme.order(direction, schema=schema)[:2]
    one_way = events[events[direction].isin([left, right])]
    counts = one_way.groupby([by, direction])["event_id"].agg(claims="size", ids=id_list).reset_index()
    counts["signed"] = counts["claims"].where(counts[direction] == right, -counts["claims"])
    others = events[direction].value_counts()
    not_shown = in_prose([f"{plural(int(others.get(v, 0)), 'claim')} coded {v}" for v in theme.order(direction, events[direction], schema)
                          if v not in (left, right)])
    subtitle = f"Left: {left}; right: {right}." + (f" Not shown: {not_shown}." if not_shown else "")
    groups = theme.order(by, counts[by], schema)
    top = int(counts["claims"].max()) if len(counts) else 1
    return alt.Chart(counts, title=alt.Title("Which way things flow", subtitle=subtitle),
                     description=f"Diverging bar chart of claims by {direction.replace('_', ' ')} ({left}, {right}) "
                                 f"and {by.replace('_', ' ')}.").mark_bar().encode(
        x=alt.X("signed:Q", title=f"Claims ({left}, left; {right}, right)",
                scale=alt.Scale(domain=[-top, top]), axis=alt.Axis(labelExpr="abs(datum.value)", tickMinStep=1)),
        y=alt.Y(f"{by}:N", title=theme.field_title(by, schema), sort=groups),
        color=_colour(direction, [left, right], schema),
        tooltip=[alt.Tooltip(f"{by}:N", title=theme.field_title(by, schema)), alt.Tooltip(f"{direction}:N", title=theme.field_title(direction, schema)),
                 alt.Tooltip("claims:Q", title="Claims"), _ids_tooltip()],
    ).properties(width=520, height=36 * max(len(groups), 1))


def certainty_profile(events: pd.DataFrame, by: str = "paragraph", label: str = "Article paragraph",
                      level: str = "certainty", schema: Schema | None = None) -> alt.Chart:
    """How firmly the claims are put, as shares of each group on the codebook's one ordered ``level`` scale."""
    schema = theme.project_schema(schema)
    # A group that is no category (a paragraph number) keeps its own order: numbers sort as numbers.
    events = _as_text(events, *[f for f in (by, level) if theme.is_category(f, schema)])
    counts = events.groupby([by, level])["event_id"].agg(claims="size", ids=id_list).reset_index()
    counts["order"] = _rank(counts[level], level, schema)
    counts["total"] = counts.groupby(by)["claims"].transform("sum")
    counts[by] = counts[by].astype("string")
    groups = theme.order(by, counts[by], schema) if theme.is_category(by, schema) else list(dict.fromkeys(counts[by]))
    levels = theme.order(level, schema=schema)
    return alt.Chart(counts, title=alt.Title(f"How firmly the claims are put, by {label.lower()}",
                                             subtitle=f"Share of claims at each level, from {levels[0]} to {levels[-1]}."),
                     description=f"Stacked bars of the share of claims that are {in_prose(levels, 'or')}, per {label.lower()}.").mark_bar().encode(
        x=alt.X("claims:Q", stack="normalize", title="Share of claims", axis=alt.Axis(format="%")),
        y=alt.Y(f"{by}:N", title=label, sort=groups),
        color=_colour(level, counts[level], schema),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip(f"{by}:N", title=label), alt.Tooltip(f"{level}:N", title=theme.field_title(level, schema)),
                 alt.Tooltip("claims:Q", title="Claims"), alt.Tooltip("total:Q", title="Claims in group"), _ids_tooltip()],
    ).properties(width=520, height=28 * max(len(groups), 1))


def claims_ladder(events: pd.DataFrame, limit: int = 40, colour: str = "domain", level: str = "certainty",
                  schema: Schema | None = None) -> alt.Chart:
    """Each claim placed on the ordered ``level`` scale, coloured by ``colour``: what is firm and what is hedged."""
    schema = theme.project_schema(schema)
    shown = _as_text(events.head(limit), colour, level)
    shown["claim"] = shown["event_id"] + "  " + shown["summary"].str.slice(0, 60).where(
        shown["summary"].str.len() <= 60, shown["summary"].str.slice(0, 57) + "…")
    shown["source"] = shown["sources_label"]
    shown["hedge"] = shown["hedge_words"].fillna("").replace("", "(none)")
    shown = shown[list(dict.fromkeys(["event_id", "claim", "summary", level, colour, "hedge", "source"]))]
    levels = theme.order(level, schema=schema)
    subtitle = f"Left to right: from {levels[0]} to {levels[-1]}."
    if len(events) > limit:
        subtitle += f" Showing the first {limit} of {plural(len(events), 'claim')}."
    return alt.Chart(shown, title=alt.Title("How firmly each claim is put", subtitle=subtitle),
                     description="Dot chart placing each claim of this section on the certainty scale, "
                                 f"coloured by {colour.replace('_', ' ')}.").mark_circle(size=160).encode(
        x=alt.X(f"{level}:N", title=theme.field_title(level, schema), sort=levels, scale=alt.Scale(domain=levels),
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("claim:N", title=None, sort=list(shown["claim"]), axis=alt.Axis(labelLimit=420)),
        color=_colour(colour, shown[colour], schema),
        tooltip=[alt.Tooltip("event_id:N", title="Claim"), alt.Tooltip("summary:N", title="Summary"),
                 alt.Tooltip(f"{level}:N", title=theme.field_title(level, schema)), alt.Tooltip("hedge:N", title="Hedge words"),
                 alt.Tooltip("source:N", title="Source")],
    ).properties(width=300, height=22 * max(len(shown), 1))


def sources(citations: pd.DataFrame) -> alt.Chart:
    """Which reports the claims rest on: one mark per cited report, by outlet and date, sized by claims.

    ``citations`` has one row per claim and source (``Dataset.citations()``); the article itself is no report."""
    citations = citations[citations["source_kind"] == "report"]
    per_report = (citations.groupby(["source_id", "outlet", "published_label", "published_date", "source_year_inferred"])
                  ["event_id"].agg(claims="size", ids=id_list).reset_index())
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
        color=alt.value(theme.ACCENT),
        fill=alt.condition("datum.year == 'given'", alt.value(theme.ACCENT), alt.value("white")),
        tooltip=[alt.Tooltip("outlet:N", title="Outlet"), alt.Tooltip("published_label:N", title="Published"),
                 alt.Tooltip("year:N", title="Year"), alt.Tooltip("claims:Q", title="Claims"), _ids_tooltip()],
    ).properties(width=520, height=24 * max(len(outlets), 1))


def theatres(events: pd.DataFrame, places: str = "theatres", stack: str = "certainty",
             schema: Schema | None = None) -> alt.Chart:
    """Where the claims point: the items of the list field ``places`` named, stacked by ``stack``."""
    schema = theme.project_schema(schema)
    rows = _as_text(explode_list(events, places), stack)
    counts = rows.groupby([places, stack])["event_id"].agg(claims="size", ids=id_list).reset_index()
    counts["order"] = _rank(counts[stack], stack, schema)
    order = list(counts.groupby(places)["claims"].sum().sort_values(ascending=False, kind="stable").index)
    unnamed = int((events[places].fillna("") == "").sum())
    return alt.Chart(counts, title=alt.Title("Theatres and regions the claims concern",
                                             subtitle=f"A claim naming several places counts once for each. Naming none: {plural(unnamed, 'claim')}."),
                     description=f"Bar chart of the number of claims naming each theatre or region, stacked by {stack.replace('_', ' ')}.").mark_bar().encode(
        x=alt.X("claims:Q", title="Claims naming the place", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y(f"{places}:N", title=theme.field_title(places, schema), sort=order),
        color=_colour(stack, counts[stack], schema),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip(f"{places}:N", title="Place"), alt.Tooltip(f"{stack}:N", title=theme.field_title(stack, schema)),
                 alt.Tooltip("claims:Q", title="Claims"), _ids_tooltip()],
    ).properties(width=480, height=26 * max(len(order), 1))


def relations(events: pd.DataFrame, fields: tuple[str, ...] = ("actors", "third_parties")) -> alt.Chart:
    """Who deals with whom: how often two states are named in the same claim, in any of the list ``fields``."""
    pairs = []
    for row in events[["event_id", *fields]].itertuples(index=False):
        named = sorted({s for value in row[1:] for s in (value if isinstance(value, str) else "").split(";") if s})
        pairs += [(a, b, row.event_id) for a in named for b in named if a != b]
    table = pd.DataFrame(pairs, columns=["state", "with", "event_id"])
    counts = table.groupby(["state", "with"])["event_id"].agg(claims="size", ids=id_list).reset_index()
    order = list(table.groupby("state")["event_id"].nunique().sort_values(ascending=False).index)
    return alt.Chart(counts, title=alt.Title("Who is named with whom",
                                             subtitle="Claims naming both states, as actors or as third parties."),
                     description="Matrix of the number of claims that name each pair of states together.").mark_rect().encode(
        x=alt.X("with:N", title="Named with", sort=order, axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("state:N", title="State", sort=order),
        color=alt.Color("claims:Q", title="Claims", scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("state:N", title="State"), alt.Tooltip("with:N", title="Named with"),
                 alt.Tooltip("claims:Q", title="Claims"), _ids_tooltip()],
    ).properties(width=26 * max(len(order), 1), height=26 * max(len(order), 1))


def status(events: pd.DataFrame, by: str = "status", colour: str = "domain", schema: Schema | None = None) -> alt.Chart:
    """Where matters stand: claims by ``by`` (status) in schema order, coloured by ``colour``."""
    schema = theme.project_schema(schema)
    events = _as_text(events, by, colour)
    counts = events.groupby([by, colour])["event_id"].agg(claims="size", ids=id_list).reset_index()
    present = theme.order(by, counts[by], schema)
    return alt.Chart(counts, title=alt.Title("Where matters stand",
                                             subtitle="Claims by the status the article gives them, in the codebook's order."),
                     description=f"Bar chart of the number of claims at each {by.replace('_', ' ')}, "
                                 f"coloured by {colour.replace('_', ' ')}.").mark_bar().encode(
        x=alt.X("claims:Q", title="Claims", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y(f"{by}:N", title=theme.field_title(by, schema), sort=present),
        color=_colour(colour, counts[colour], schema),
        tooltip=[alt.Tooltip(f"{by}:N", title=theme.field_title(by, schema)), alt.Tooltip(f"{colour}:N", title=theme.field_title(colour, schema)),
                 alt.Tooltip("claims:Q", title="Claims"), _ids_tooltip()],
    ).properties(width=480, height=28 * max(len(present), 1))


def flow_stages(events: pd.DataFrame, schema: Schema | None = None, direction: str = "direction",
                stage: str = "stage", level: str = "certainty") -> alt.Chart:
    """The main finding at a glance: claims of something moving between the two, by direction (rows) and
    stage (columns), stacked by how firmly the article states them; pale where no cited report stands behind.

    Only like is compared with like: each stage has its own column. Claims that move nothing (the direction
    the schema's "x-moves-nothing" names) are counted in the subtitle, never drawn."""
    schema = theme.project_schema(schema)
    events = _as_text(events, direction, stage, level)
    unmoving = findings.no_flow(schema)
    flows = events[events[direction] != unmoving].copy()
    flows["support"] = flows["reports"].gt(0).map({True: "a cited report", False: "the article's word alone"})
    counts = (flows.groupby([direction, stage, level, "support"])["event_id"]
              .agg(claims="size", ids=id_list).reset_index())
    counts["order"] = _rank(counts[level], level, schema)
    directions = findings.flow_directions(schema)
    stages = theme.order(stage, counts[stage], schema)
    unmoved = int((events[direction] == unmoving).sum())
    subtitle = (f"Not shown: {plural(unmoved, 'claim')} that move nothing between the two. "
                "Pale: no cited report behind the claim.")
    summary = "; ".join(f"{d}: " + ", ".join(f"{int(counts[(counts[direction] == d) & (counts[stage] == s)]['claims'].sum())} {s}"
                                           for s in stages) for d in directions)
    return alt.Chart(counts, title=alt.Title("What moves between Iran and Russia, and how far it got", subtitle=subtitle),
                     description=f"Bar chart of claims by {direction.replace('_', ' ')} and {stage}: {summary}.").mark_bar().encode(
        x=alt.X("sum(claims):Q", title="Claims", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y(f"{direction}:N", title=theme.field_title(direction, schema), sort=directions,
                scale=alt.Scale(domain=directions)),
        column=alt.Column(f"{stage}:N", title=theme.field_title(stage, schema), sort=stages,
                          header=alt.Header(labelOrient="top", titleOrient="top")),
        color=_colour(level, counts[level], schema),
        opacity=alt.Opacity("support:N", title="Support", sort=["a cited report", "the article's word alone"],
                            scale=alt.Scale(domain=["a cited report", "the article's word alone"], range=[1.0, 0.4])),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip(f"{direction}:N", title=theme.field_title(direction, schema)),
                 alt.Tooltip(f"{stage}:N", title=theme.field_title(stage, schema)),
                 alt.Tooltip(f"{level}:N", title=theme.field_title(level, schema)),
                 alt.Tooltip("support:N", title="Support"), alt.Tooltip("claims:Q", title="Claims"), _ids_tooltip()],
    ).properties(width=150, height=30 * len(directions))


def support_matrix(events: pd.DataFrame, schema: Schema | None = None, level: str = "certainty",
                   support: str = "evidence") -> alt.Chart:
    """How assertively each claim is worded (rows) against what supports it (columns): a count per cell."""
    schema = theme.project_schema(schema)
    events = _as_text(events, level, support)
    counts = events.groupby([level, support])["event_id"].agg(claims="size", ids=id_list).reset_index()
    rows, cols = theme.order(level, schema=schema), theme.order(support, schema=schema)
    grid = pd.MultiIndex.from_product([rows, cols], names=[level, support]).to_frame(index=False)
    counts = grid.merge(counts, how="left").fillna({"claims": 0, "ids": ""})
    counts["claims"] = counts["claims"].astype(int)
    top = int(counts["claims"].max()) or 1
    base = alt.Chart(counts).encode(
        x=alt.X(f"{support}:N", title=theme.field_title(support, schema), sort=cols, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y(f"{level}:N", title=theme.field_title(level, schema), sort=rows))
    cells = base.mark_rect(stroke="#ffffff").encode(
        color=alt.Color("claims:Q", title="Claims", scale=alt.Scale(scheme="blues", domain=[0, top])),
        tooltip=[alt.Tooltip(f"{level}:N", title=theme.field_title(level, schema)),
                 alt.Tooltip(f"{support}:N", title=theme.field_title(support, schema)),
                 alt.Tooltip("claims:Q", title="Claims"), _ids_tooltip()])
    labels = base.mark_text(fontSize=12).encode(
        text=alt.Text("claims:Q"), tooltip=cells.encoding.tooltip,
        color=alt.condition(f"datum.claims > {top / 2}", alt.value("white"), alt.value("black")))
    firm = rows[0]
    uncited = int(((events[level] == firm) & (events["reports"] == 0)).sum())
    return (cells + labels).properties(
        title=alt.Title("How firmly put, and on what", subtitle=f"Rows: {theme.field_title(level, schema).lower()}; "
                                                                  f"columns: {theme.field_title(support, schema).lower()}."),
        description=f"Matrix of claims by {level} and {support}; {plural(uncited, 'claim')} put as {firm} "
                    "cite no report.",
        width=60 * len(cols), height=34 * len(rows))
