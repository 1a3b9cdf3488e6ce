"""One function per kind of chart the report draws; each takes the events table and returns an Altair chart.

Every chart has a title, labelled axes, tooltips naming the claims behind each mark (up to the book's one
limit, ``labels.ID_LIST_LIMIT``) and a ``description`` for screen readers that states what it shows and its
main numbers, computed from the data it draws; and uses the book's palette (entente.theme). Each chart
carries the rows it draws, every claim id behind each row in full (``entente.chartdata``): the book shows
them beside the chart as a CSV and a data table. Category values, their order and colours
come from the schema (``schema``, by default the project's datapackage.json); the fields a chart groups or
colours by are parameters, so a new category field needs no new chart code. Charts embed only the columns
they draw, aggregated where the chart shows counts, so a page stays light when the data grows.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from . import chartdata, findings, theme
from .labels import id_list, in_prose, plural
from .schema import Schema

# Above this many dated events the timeline shows monthly counts instead of one mark per event.
TIMELINE_MAX_POINTS = 500
# The sources chart gives each of this many outlets (those carrying most claims) a row of its own, one mark
# per report; the others share one row, one mark per month. The article's reports come from 13 outlets; a
# row per outlet at 100,000 claims made a figure too tall for LaTeX (about 840 rows).
OUTLET_ROWS = 15
# Past this many cited reports the sources chart draws one mark per outlet (row) and year instead of one
# per report: its marks, and the table view listing them, stay a few dozen rows (at 100,000 claims, with a
# mark per report, the table view alone was 180 KB of the methodology page).
REPORT_MARKS = 200


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
    """The ids behind a mark, up to the book's one limit, then how many more (``labels.id_list``)."""
    return alt.Tooltip("ids:N", title="Claim ids")


# How many groups a chart's description names, largest first, before saying how many more.
DESCRIBED_GROUPS = 8


def _grouped(frame: pd.DataFrame, keys: list[str], ids: str = "event_id") -> pd.DataFrame:
    """Claims per group of ``keys``: their number, their ids for the tooltip (up to the limit), and every id."""
    return frame.groupby(keys)[ids].agg(claims="size", ids=id_list, claim_ids=list).reset_index()


def _drawn(counts: pd.DataFrame) -> pd.DataFrame:
    """What the chart embeds: the rows without their full id lists (the tooltips name the ids)."""
    return counts.drop(columns="claim_ids")


def tally(counts: pd.Series, limit: int = DESCRIBED_GROUPS, order: list | None = None) -> str:
    """'Iran 5, Russia 3 and 2 more': the groups of a count, in ``order`` when all fit within ``limit``, else
    (or with no order) the largest first, up to ``limit``."""
    counts = counts[counts > 0]
    if order is None or len(counts) > limit:
        counts = counts.sort_values(ascending=False, kind="stable")
    else:
        counts = counts.reindex([o for o in order if o in counts.index])
    named = [f"{label} {int(n)}" for label, n in counts.head(limit).items()]
    more = len(counts) - len(named)
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")


def _with_data(chart, counts: pd.DataFrame, name: str, columns: dict[str, str]):
    """The chart with the rows it draws and every claim id behind each (entente.chartdata)."""
    return chartdata.attach(chart, counts, name, columns)


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
        counts = _grouped(dated, [rows, "month"])
        span = f"from {dated['month'].min():%b %Y} to {dated['month'].max():%b %Y}"
        per_group = tally(counts.groupby(rows)["claims"].sum(), order=groups)
        chart = alt.Chart(_drawn(counts), title=alt.Title("Dated claims per month", subtitle=subtitle[:1]),
                         description=f"Dot chart of {plural(len(dated), 'dated claim')} per month, {span}, by "
                                     f"{rows.replace('_', ' ')}: {per_group}; {plural(undated, 'claim')} without a date "
                                     "not placed.").mark_circle().encode(
            x=alt.X("month:T", title=x_title), y=y, color=colour, size=alt.Size("claims:Q", title="Claims"),
            tooltip=[alt.Tooltip(f"{rows}:N", title=theme.field_title(rows, schema)),
                     alt.Tooltip("month:T", title="Month", format="%b %Y"),
                     alt.Tooltip("claims:Q", title="Claims"), _ids_tooltip()]).properties(width=560, height=36 * len(groups))
        counts["month"] = counts["month"].dt.strftime("%Y-%m")
        return _with_data(chart, counts, "dated-claims-per-month",
                          {rows: theme.field_title(rows, schema), "month": "Month", "claims": "Claims"})
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
    per_group = tally(dated[rows].value_counts(), order=groups)
    drawn_to = dated["span_end"].where(dated["date_precision"] == "span", dated["event_start"])
    span = f", from {dated['event_start'].min():%b %Y} to {drawn_to.max():%b %Y}" if len(dated) else ""
    chart = (spans + points).properties(
        title=alt.Title("When the dated claims happened", subtitle=subtitle),
        description=f"Timeline of the {plural(len(dated), 'claim')} with an event date{span}, by "
                    f"{rows.replace('_', ' ')}: {per_group}; {plural(undated, 'claim')} without a date not placed. "
                    "Spans run to the report that carries them.",
        width=560, height=40 * max(len(groups), 1))
    shown = dated.assign(claim_ids=dated["event_id"].map(lambda i: [i]), start=dated["event_start"],
                         end=dated["span_end"].where(dated["date_precision"] == "span"))
    return _with_data(chart, shown, "when-the-dated-claims-happened",
                      {"summary": "Summary", rows: theme.field_title(rows, schema), "date_label": "When",
                       "start": "Placed at", "end": "Span drawn to", "inferred": "Date",
                       "certainty": theme.field_title("certainty", schema), "source": "Source"})


def flows(events: pd.DataFrame, by: str = "domain", direction: str = "direction",
          schema: Schema | None = None) -> alt.Chart:
    """What flows which way: claims of the two one-way flows against each other, by ``by``.

    The schema lists the two one-way values of ``direction`` first; the others (both ways, none) are
    counted in the subtitle."""
    schema = theme.project_schema(schema)
    events = _as_text(events, by, direction)
    left, right = theme.order(direction, schema=schema)[:2]
    one_way = events[events[direction].isin([left, right])]
    counts = _grouped(one_way, [by, direction])
    counts["signed"] = counts["claims"].where(counts[direction] == right, -counts["claims"])
    others = events[direction].value_counts()
    not_shown = in_prose([f"{plural(int(others.get(v, 0)), 'claim')} coded {v}" for v in theme.order(direction, events[direction], schema)
                          if v not in (left, right)])
    subtitle = f"Left: {left}; right: {right}." + (f" Not shown: {not_shown}." if not_shown else "")
    groups = theme.order(by, counts[by], schema)
    top = int(counts["claims"].max()) if len(counts) else 1
    per_side = "; ".join(f"{side} {int(counts.loc[counts[direction] == side, 'claims'].sum())}: "
                         + (tally(counts[counts[direction] == side].set_index(by)["claims"], order=groups) or "no claim")
                         for side in (left, right))
    chart = alt.Chart(_drawn(counts), title=alt.Title("Which way things flow", subtitle=subtitle),
                     description=f"Diverging bar chart of claims by {direction.replace('_', ' ')} and "
                                 f"{by.replace('_', ' ')}: {per_side}.").mark_bar().encode(
        x=alt.X("signed:Q", title=f"Claims ({left}, left; {right}, right)",
                scale=alt.Scale(domain=[-top, top]), axis=alt.Axis(labelExpr="abs(datum.value)", tickMinStep=1)),
        y=alt.Y(f"{by}:N", title=theme.field_title(by, schema), sort=groups),
        color=_colour(direction, [left, right], schema),
        tooltip=[alt.Tooltip(f"{by}:N", title=theme.field_title(by, schema)), alt.Tooltip(f"{direction}:N", title=theme.field_title(direction, schema)),
                 alt.Tooltip("claims:Q", title="Claims"), _ids_tooltip()],
    ).properties(width=520, height=36 * max(len(groups), 1))
    return _with_data(chart, counts, "which-way-things-flow",
                      {by: theme.field_title(by, schema), direction: theme.field_title(direction, schema), "claims": "Claims"})


def certainty_profile(events: pd.DataFrame, by: str = "paragraph", label: str = "Article paragraph",
                      level: str = "certainty", schema: Schema | None = None) -> alt.Chart:
    """How firmly the claims are put, as shares of each group on the codebook's one ordered ``level`` scale."""
    schema = theme.project_schema(schema)
    # A group that is no category (a paragraph number) keeps its own order: numbers sort as numbers.
    events = _as_text(events, *[f for f in (by, level) if theme.is_category(f, schema)])
    counts = _grouped(events, [by, level])
    counts["order"] = _rank(counts[level], level, schema)
    counts["total"] = counts.groupby(by)["claims"].transform("sum")
    counts[by] = counts[by].astype("string")
    groups = theme.order(by, counts[by], schema) if theme.is_category(by, schema) else list(dict.fromkeys(counts[by]))
    levels = theme.order(level, schema=schema)
    overall = tally(counts.groupby(level)["claims"].sum(), order=levels)
    firm = counts[counts[level] == levels[0]].set_index(by)["claims"]
    per_group = "; ".join(f"{g}: {int(firm.get(g, 0))} of {int(t)} {levels[0]}"
                          for g, t in counts.groupby(by, sort=False)["total"].first().reindex(groups).head(DESCRIBED_GROUPS).items())
    more = len(groups) - DESCRIBED_GROUPS
    chart = alt.Chart(_drawn(counts), title=alt.Title(f"How firmly the claims are put, by {label.lower()}",
                                             subtitle=f"Share of claims at each level, from {levels[0]} to {levels[-1]}."),
                     description=f"Stacked bars of the share of claims that are {in_prose(levels, 'or')}, per {label.lower()}, "
                                 f"{plural(int(counts['claims'].sum()), 'claim')} in all ({overall}); {per_group}"
                                 + (f"; and {more} more groups" if more > 0 else "") + ".").mark_bar().encode(
        x=alt.X("claims:Q", stack="normalize", title="Share of claims", axis=alt.Axis(format="%")),
        y=alt.Y(f"{by}:N", title=label, sort=groups),
        color=_colour(level, counts[level], schema),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip(f"{by}:N", title=label), alt.Tooltip(f"{level}:N", title=theme.field_title(level, schema)),
                 alt.Tooltip("claims:Q", title="Claims"), alt.Tooltip("total:Q", title="Claims in group"), _ids_tooltip()],
    ).properties(width=520, height=28 * max(len(groups), 1))
    return _with_data(chart, counts, f"how-firmly-the-claims-are-put-by-{by.replace('_', '-')}",
                      {by: label, level: theme.field_title(level, schema), "claims": "Claims", "total": "Claims in group"})


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
    placed = tally(shown[level].value_counts(), order=levels)
    chart = alt.Chart(shown, title=alt.Title("How firmly each claim is put", subtitle=subtitle),
                     description=f"Dot chart placing {plural(len(shown), 'claim')} of this section on the certainty scale "
                                 f"({placed}), coloured by {colour.replace('_', ' ')}"
                                 + (f"; the first {limit} of {len(events)} shown" if len(events) > limit else "")
                                 + ".").mark_circle(size=160).encode(
        x=alt.X(f"{level}:N", title=theme.field_title(level, schema), sort=levels, scale=alt.Scale(domain=levels),
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("claim:N", title=None, sort=list(shown["claim"]), axis=alt.Axis(labelLimit=420)),
        color=_colour(colour, shown[colour], schema),
        tooltip=[alt.Tooltip("event_id:N", title="Claim"), alt.Tooltip("summary:N", title="Summary"),
                 alt.Tooltip(f"{level}:N", title=theme.field_title(level, schema)), alt.Tooltip("hedge:N", title="Hedge words"),
                 alt.Tooltip("source:N", title="Source")],
    ).properties(width=300, height=22 * max(len(shown), 1))
    return _with_data(chart, shown.assign(claim_ids=shown["event_id"].map(lambda i: [i])), "how-firmly-each-claim-is-put",
                      {"summary": "Summary", level: theme.field_title(level, schema), colour: theme.field_title(colour, schema),
                       "hedge": "Hedge words", "source": "Source"})


def sources(citations: pd.DataFrame, outlet_rows: int = OUTLET_ROWS, report_marks: int = REPORT_MARKS) -> alt.Chart:
    """Which reports the claims rest on: one mark per cited report, by outlet and date, sized by claims.

    ``citations`` has one row per claim and source (``Dataset.citations()``); the article itself is no report.
    Past ``outlet_rows`` outlets, the outlets carrying fewest claims share a last row, one mark per month;
    past ``report_marks`` reports, every row has one mark per year."""
    citations = citations[citations["source_kind"] == "report"]
    per_report = _grouped(citations, ["source_id", "outlet", "published_label", "published_date", "source_year_inferred"])
    per_report["year"] = per_report["source_year_inferred"].map({True: "inferred", False: "given"})
    per_report = per_report.drop(columns="source_year_inferred")
    claims_per_outlet = per_report.groupby("outlet")["claims"].sum().sort_values(ascending=False, kind="stable")
    outlets = list(claims_per_outlet.index)
    carried = per_report.explode("claim_ids")["claim_ids"].nunique()
    by_outlet = tally(claims_per_outlet)
    marks, unit = per_report, "One mark per cited report"
    others = outlets[outlet_rows:]
    shared = f"{len(others):,} other outlets"
    if len(per_report) > report_marks:
        marks = _per_period(citations, per_report, set(outlets), set(others), shared, "Y")
        unit = "One mark per outlet and year" + (
            f"; the {len(others):,} outlets carrying fewest claims share the last row" if others else "")
    elif others:
        marks = _per_period(citations, per_report, set(others), set(others), shared, "M")
        unit = f"One mark per cited report; the {len(others):,} outlets carrying fewest claims share the last row, one mark a month"
    if others:
        outlets = [*outlets[:outlet_rows], shared]
    chart = alt.Chart(_drawn(marks), title=alt.Title("The reports behind the claims",
                                                 subtitle=f"{unit}; hollow where the article gives no year."),
                     description=f"Dot chart of the {plural(len(per_report), 'report')} the claims cite, by outlet and publication date, "
                                 f"sized by the number of claims each carries: {plural(len(claims_per_outlet), 'outlet')} carry "
                                 f"{plural(int(carried), 'claim')}; claims per outlet: {by_outlet}.").mark_point(
        filled=False, strokeWidth=2).encode(
        x=alt.X("published_date:T", title="Date of the report", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("outlet:N", title="Outlet", sort=outlets),
        size=alt.Size("claims:Q", title="Claims", scale=alt.Scale(range=[60, 500], zero=False)),
        color=alt.value(theme.ACCENT),
        fill=alt.condition("datum.year == 'given'", alt.value(theme.ACCENT), alt.value("white")),
        tooltip=[alt.Tooltip("outlet:N", title="Outlet"), alt.Tooltip("published_label:N", title="Published"),
                 alt.Tooltip("year:N", title="Year"), alt.Tooltip("claims:Q", title="Claims"), _ids_tooltip()],
    ).properties(width=520, height=24 * max(len(outlets), 1))
    return _with_data(chart, marks, "the-reports-behind-the-claims",
                      {"source_id": "Source id", "outlet": "Outlet", "published_label": "Published",
                       "published_date": "Placed at", "year": "Year", "claims": "Claims"})


def _per_period(citations: pd.DataFrame, per_report: pd.DataFrame, counted: set[str], merged: set[str],
                shared: str, freq: str) -> pd.DataFrame:
    """The sources chart's rows with the reports of the outlets ``counted`` counted per period (``freq``: "M"
    month, "Y" year) and whether the year was inferred, those of the outlets ``merged`` under the one label
    ``shared``; the other outlets keep a row per report."""
    rest = citations[citations["outlet"].isin(counted)].copy()
    rest.loc[rest["outlet"].isin(merged), "outlet"] = shared
    rest["published_date"] = rest["published_date"].dt.to_period(freq).dt.to_timestamp()
    keys = ["outlet", "published_date", "source_year_inferred"]
    periods = _grouped(rest, keys)
    # How many reports a mark stands for, not their ids: a busy month has hundreds.
    reports = rest.groupby(keys)["source_id"].nunique()
    periods = periods.join(reports.map(lambda n: plural(n, "report")), on=keys)
    periods["published_label"] = periods["published_date"].dt.strftime("%b %Y" if freq == "M" else "%Y")
    periods["year"] = periods["source_year_inferred"].map({True: "inferred", False: "given"})
    periods = periods.drop(columns="source_year_inferred")
    return pd.concat([per_report[~per_report["outlet"].isin(counted)], periods[per_report.columns]], ignore_index=True)


def theatres(events: pd.DataFrame, places: str = "theatres", stack: str = "certainty",
             schema: Schema | None = None) -> alt.Chart:
    """Where the claims point: the items of the list field ``places`` named, stacked by ``stack``."""
    schema = theme.project_schema(schema)
    rows = _as_text(explode_list(events, places), stack)
    counts = _grouped(rows, [places, stack])
    counts["order"] = _rank(counts[stack], stack, schema)
    order = list(counts.groupby(places)["claims"].sum().sort_values(ascending=False, kind="stable").index)
    unnamed = int((events[places].fillna("") == "").sum())
    per_place = tally(counts.groupby(places)["claims"].sum(), order=order)
    chart = alt.Chart(_drawn(counts), title=alt.Title("Theatres and regions the claims concern",
                                             subtitle=f"A claim naming several places counts once for each. Naming none: {plural(unnamed, 'claim')}."),
                     description=f"Bar chart of the number of claims naming each theatre or region, stacked by "
                                 f"{stack.replace('_', ' ')}: {per_place}; {plural(unnamed, 'claim')} naming none.").mark_bar().encode(
        x=alt.X("claims:Q", title="Claims naming the place", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y(f"{places}:N", title=theme.field_title(places, schema), sort=order),
        color=_colour(stack, counts[stack], schema),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip(f"{places}:N", title="Place"), alt.Tooltip(f"{stack}:N", title=theme.field_title(stack, schema)),
                 alt.Tooltip("claims:Q", title="Claims"), _ids_tooltip()],
    ).properties(width=480, height=26 * max(len(order), 1))
    return _with_data(chart, counts, "theatres-and-regions-the-claims-concern",
                      {places: theme.field_title(places, schema), stack: theme.field_title(stack, schema), "claims": "Claims"})


def relations(events: pd.DataFrame, fields: tuple[str, ...] = ("actors", "third_parties")) -> alt.Chart:
    """Who deals with whom: how often two states are named in the same claim, in any of the list ``fields``."""
    pairs = []
    for row in events[["event_id", *fields]].itertuples(index=False):
        named = sorted({s for value in row[1:] for s in (value if isinstance(value, str) else "").split(";") if s})
        pairs += [(a, b, row.event_id) for a in named for b in named if a != b]
    table = pd.DataFrame(pairs, columns=["state", "with", "event_id"])
    counts = _grouped(table, ["state", "with"])
    order = list(table.groupby("state")["event_id"].nunique().sort_values(ascending=False).index)
    pairs = counts[counts["state"] < counts["with"]]
    top = tally(pd.Series(pairs["claims"].values, index=pairs["state"] + " and " + pairs["with"]))
    chart = alt.Chart(_drawn(counts), title=alt.Title("Who is named with whom",
                                             subtitle="Claims naming both states, as actors or as third parties."),
                     description=f"Matrix of the number of claims that name each pair of states together, "
                                 f"{plural(len(order), 'state')} and {plural(len(pairs), 'pair')}; the pairs named most: "
                                 f"{top or 'no pair'}.").mark_rect().encode(
        x=alt.X("with:N", title="Named with", sort=order, axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("state:N", title="State", sort=order),
        color=alt.Color("claims:Q", title="Claims", scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("state:N", title="State"), alt.Tooltip("with:N", title="Named with"),
                 alt.Tooltip("claims:Q", title="Claims"), _ids_tooltip()],
    ).properties(width=26 * max(len(order), 1), height=26 * max(len(order), 1))
    return _with_data(chart, counts, "who-is-named-with-whom", {"state": "State", "with": "Named with", "claims": "Claims"})


def status(events: pd.DataFrame, by: str = "status", colour: str = "domain", schema: Schema | None = None) -> alt.Chart:
    """Where matters stand: claims by ``by`` (status) in schema order, coloured by ``colour``."""
    schema = theme.project_schema(schema)
    events = _as_text(events, by, colour)
    counts = _grouped(events, [by, colour])
    present = theme.order(by, counts[by], schema)
    chart = alt.Chart(_drawn(counts), title=alt.Title("Where matters stand",
                                             subtitle="Claims by the status the article gives them, in the codebook's order."),
                     description=f"Bar chart of {plural(len(events), 'claim')} by {by.replace('_', ' ')}, "
                                 f"coloured by {colour.replace('_', ' ')}: "
                                 f"{tally(counts.groupby(by)['claims'].sum(), order=present)}.").mark_bar().encode(
        x=alt.X("claims:Q", title="Claims", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y(f"{by}:N", title=theme.field_title(by, schema), sort=present),
        color=_colour(colour, counts[colour], schema),
        tooltip=[alt.Tooltip(f"{by}:N", title=theme.field_title(by, schema)), alt.Tooltip(f"{colour}:N", title=theme.field_title(colour, schema)),
                 alt.Tooltip("claims:Q", title="Claims"), _ids_tooltip()],
    ).properties(width=480, height=28 * max(len(present), 1))
    return _with_data(chart, counts, "where-matters-stand",
                      {by: theme.field_title(by, schema), colour: theme.field_title(colour, schema), "claims": "Claims"})


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
    counts = _grouped(flows, [direction, stage, level, "support"])
    counts["order"] = _rank(counts[level], level, schema)
    directions = findings.flow_directions(schema)
    stages = theme.order(stage, counts[stage], schema)
    unmoved = int((events[direction] == unmoving).sum())
    subtitle = (f"Not shown: {plural(unmoved, 'claim')} that move nothing between the two. "
                "Pale: no cited report behind the claim.")
    summary = "; ".join(f"{d}: " + ", ".join(f"{int(counts[(counts[direction] == d) & (counts[stage] == s)]['claims'].sum())} {s}"
                                           for s in stages) for d in directions)
    chart = alt.Chart(_drawn(counts), title=alt.Title("What moves between Iran and Russia, and how far it got", subtitle=subtitle),
                     description=f"Bar chart of {plural(len(flows), 'claim')} by {direction.replace('_', ' ')} and {stage}: "
                                 f"{summary}; {plural(unmoved, 'claim')} moving nothing not shown.").mark_bar().encode(
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
    return _with_data(chart, counts, "what-moves-between-iran-and-russia",
                      {direction: theme.field_title(direction, schema), stage: theme.field_title(stage, schema),
                       level: theme.field_title(level, schema), "support": "Support", "claims": "Claims"})


def support_matrix(events: pd.DataFrame, schema: Schema | None = None, level: str = "certainty",
                   support: str = "evidence") -> alt.Chart:
    """How assertively each claim is worded (rows) against what supports it (columns): a count per cell."""
    schema = theme.project_schema(schema)
    events = _as_text(events, level, support)
    counts = _grouped(events, [level, support])
    rows, cols = theme.order(level, schema=schema), theme.order(support, schema=schema)
    grid = pd.MultiIndex.from_product([rows, cols], names=[level, support]).to_frame(index=False)
    counts = grid.merge(counts, how="left").fillna({"claims": 0, "ids": ""})
    counts["claim_ids"] = counts["claim_ids"].map(lambda ids: ids if isinstance(ids, list) else [])
    counts["claims"] = counts["claims"].astype(int)
    top = int(counts["claims"].max()) or 1
    base = alt.Chart(_drawn(counts)).encode(
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
    largest = tally(pd.Series(counts["claims"].values, index=counts[level] + ", " + counts[support]), limit=4)
    chart = (cells + labels).properties(
        title=alt.Title("How firmly put, and on what", subtitle=f"Rows: {theme.field_title(level, schema).lower()}; "
                                                                  f"columns: {theme.field_title(support, schema).lower()}."),
        description=f"Matrix of {plural(len(events), 'claim')} by {level} and {support}; the largest cells: {largest}; "
                    f"{plural(uncited, 'claim')} put as {firm} cite no report.",
        width=60 * len(cols), height=34 * len(rows))
    return _with_data(chart, counts, "how-firmly-put-and-on-what",
                      {level: theme.field_title(level, schema), support: theme.field_title(support, schema), "claims": "Claims"})
