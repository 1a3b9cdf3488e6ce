"""Exploring the events: Altair-bound controls for the static book, ipywidgets for a live notebook.

The static explorer runs in the page with no kernel: select boxes (one per filter field) and a
brush on the timeline filter the claims, and a list under it shows the matches, most recent first, a
page at a time, with their total and a CSV of them (``explorer.js``).
The brush has a keyboard equivalent: two date boxes ("from", "to") that narrow the same period test,
so a reader who cannot drag types the dates instead. The page's address can carry a filter
(``explore.html#stage=done&period_from=2022-01-01``), which the controls then show.
The page stays light however many claims there are: it embeds the timeline's ticks and the claims
counted per chunk; the claims themselves are in chunk files beside the page (``entente.exploredata``).
A claim without an event date is listed, filtered and counted, but never drawn on a time axis.
"""
from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import pandas as pd
from IPython.display import display

from . import chartdata, charts, exploredata, render, tables, theme
from .exploredata import ALL, DAY_MS, FILTERS, PERIOD_BOUNDS
from .labels import id_list, plural
from .schema import Schema

LIST_LIMIT = 12      # matching claims listed at once
# The field that colours the timeline (any enum field will do), and the filter listed beside each claim.
COLOUR = "domain"
LEVEL = "certainty"
# The list's headings that are no field of the schema.
CLAIM_HEADING, WHEN_HEADING, SOURCES_HEADING = "Claim", "When", "Sources"
READY_FUNCTION = "ententeExplorer"  # explorer.js: called with the drawn timeline's view


def with_when(events: pd.DataFrame) -> pd.DataFrame:
    """Each claim's place in time, most recent first.

    ``when`` is the event date, blank when the article gives none: such a claim is never drawn on a time
    axis as if it had one. ``recency`` (the event date, else the report's date) only orders the list."""
    out = events.copy()
    out["when"] = out["event_start"]
    out["recency"] = out["event_start"].fillna(out["published_date"])
    # An undated claim's list entry names its report's date as such (short enough for the list's column).
    out["when_label"] = out["date_label"].where(out["event_start"].notna(), "reported " + out["published_label"])
    return out.sort_values(["recency", "event_id"], ascending=[False, True], kind="stable")


def match_text(found: int, total: int) -> str:
    """'3 of 43 claims match', '1 of 43 claims matches'."""
    return f"{found} of {plural(total, 'claim')} {'matches' if found == 1 else 'match'}"


def _select(name: str, options) -> alt.Parameter:
    return alt.param(name=name, value=ALL,
                     bind=alt.binding_select(options=[ALL, *options], name=f"{name.replace('_', ' ').capitalize()} "))


def _date_box(name: str, label: str) -> alt.Parameter:
    """A date input (the browser's own, reachable and typed into from the keyboard); blank means no bound."""
    return alt.param(name=name, value="", bind=alt.binding(input="date", name=label))


def period_test(bounds: tuple[str, str] = ("period_from", "period_to")) -> str:
    """The Vega expression a claim must pass to fall in the chosen period: within the brushed stretch of the
    timeline, if one is brushed, and on or after the "from" date and on or before the "to" date, where typed.
    Once any bound is set a claim without an event date falls outside it, whichever way it was set."""
    first, last = bounds
    brushed = "(!length(data('period_store')) || (isValid(datum.when) && vlSelectionTest('period_store', datum)))"
    # A date box gives "YYYY-MM-DD", read as midnight UTC, as the claims' dates are; "to" takes its whole day.
    after = f"(!{first} || (isValid(datum.when) && datum.when >= toDate({first})))"
    before = f"(!{last} || (isValid(datum.when) && datum.when < toDate({last}) + {DAY_MS}))"
    return f"{brushed} && {after} && {before}"


def _milliseconds(dates: pd.Series) -> pd.Series:
    """Milliseconds since the epoch, blank for no date: the brush and the filter then compare like with like."""
    return pd.Series([pd.NA if pd.isna(d) else int(pd.Timestamp(d).value // 1_000_000) for d in dates],
                     index=dates.index, dtype="Int64")


class Explorer:
    """The static explorer as the book shows it: the timeline (an Altair chart, with the controls bound to it)
    and, under it, the list of matching claims, their count, paging and a CSV of them, run by the page's
    script (``explorer.js``) from the cells in ``config`` and the chunk files beside the page
    (``entente.exploredata``)."""

    def __init__(self, chart: alt.TopLevelMixin, config: dict, headings: list[str], count: alt.TopLevelMixin):
        self.chart, self.config, self.headings, self.count = chart, config, headings, count

    @property
    def id(self) -> str:
        return self.config["id"]

    def to_dict(self) -> dict:
        return self.chart.to_dict()

    def html(self, chart_html: str) -> str:
        """The page's script and the explorer's cells, the chart, then the list (empty until the script fills it)."""
        import html

        esc = html.escape
        head = "".join(f'<th scope="col">{esc(h)}</th>' for h in self.headings)
        return (
            f'<script type="text/javascript">{exploredata.script()}</script>\n'
            f'<script type="application/json" class="{exploredata.CONFIG_CLASS}" id="{self.id}-config">'
            f"{render.script_json(self.config)}</script>\n"
            f"{chart_html}\n"
            f'<div class="entente-explorer" id="{self.id}" role="region" aria-label="Matching claims">\n'
            f'<p class="entente-explorer-status" role="status" style="font-weight:bold">'
            f"{esc(match_text(self.config['total'], self.config['total']))}; the list needs the page's script.</p>\n"
            f'<p class="entente-explorer-filter"></p>\n'
            f'<p class="entente-explorer-paging"><button type="button" data-go="newer" disabled>Newer claims</button> '
            f'<button type="button" data-go="older" disabled>Older claims</button> '
            f'<button type="button" data-go="csv" disabled>Download the matching claims (CSV)</button></p>\n'
            f'<div class="entente-explorer-table" role="region" aria-label="List of matching claims" tabindex="0" '
            f'style="overflow-x:auto;max-width:100%"><table class="table entente-explorer-list">'
            f"<thead><tr>{head}</tr></thead><tbody></tbody></table></div>\n</div>"
        )

    def live_chart(self) -> alt.VConcatChart:
        """In a live notebook, with no chunk files beside it: the timeline and, under it, the count of the matches
        (drawn by Vega from the claims counted per day and filter value)."""
        live = self.chart.copy(deep=True)
        live.vconcat = [*live.vconcat, self.count]
        live.usermeta = alt.Undefined  # the book's: its data table, the brush patch, the list's script
        return live.properties(spacing=12)

    def _repr_mimebundle_(self, include=None, exclude=None):
        if not render.in_book_build():
            return self.live_chart()._repr_mimebundle_(include, exclude)
        bundle = dict(render.book_renderer(self.to_dict()))
        bundle["text/html"] = self.html(bundle["text/html"])
        return bundle


def explorer(events: pd.DataFrame, list_limit: int = LIST_LIMIT, chunk_size: int = exploredata.CHUNK_SIZE,
             filters: tuple[str, ...] = FILTERS, colour: str = COLOUR, level: str = LEVEL,
             schema: Schema | None = None) -> Explorer:
    """The static explorer of every claim of ``events``: bound selects (one per field of ``filters``) and two
    date boxes over a brushable timeline of the dated claims (one tick per day and combination of values);
    under it, the matching claims, a page of ``list_limit`` at a time, with their count and a CSV of them.
    The page embeds the timeline and the claims counted per chunk, never the claims themselves: they are in
    chunks of ``chunk_size`` beside the page. Undated claims are listed, filtered and counted, never placed."""
    schema = theme.project_schema(schema)
    if level not in filters:
        raise ValueError(f"the field listed beside each claim ({level}) must be one of the filters {filters}")
    fields = list(dict.fromkeys([*filters, colour]))
    ranked = with_when(events)
    values = {f: theme.order(f, ranked[f].astype("string").dropna(), schema) for f in filters}
    frame = pd.DataFrame({
        "id": ranked["event_id"], "summary": ranked["summary"],
        **{f: ranked[f].astype("string") for f in fields},
        "when": _milliseconds(ranked["when"]), "when_label": ranked["when_label"], "source": ranked["sources_label"],
    })
    selects = [_select(f, values[f]) for f in filters]
    brush = alt.selection_interval(name="period", encodings=["x"])
    dates = [_date_box(name, label) for name, label in PERIOD_BOUNDS]
    chosen = " && ".join(f"({p.name} == '{ALL}' || datum.{p.name} == {p.name})" for p in selects)
    # A period applies to event dates: once one is brushed or typed, a claim without one does not fall in it.
    match = f"{chosen} && {period_test(tuple(name for name, _ in PERIOD_BOUNDS))}"

    dated = frame[frame["when"].notna()]
    undated = len(frame) - len(dated)
    note = (f"The timeline places the {plural(len(dated), 'claim')} with an event date; "
            f"{plural(undated, 'claim')} without one {'is' if undated == 1 else 'are'} listed and counted, not placed.")
    # One tick per date and combination of filter values, naming the claims behind it.
    def one_or_count(texts: pd.Series) -> str:
        return texts.iloc[0] if len(texts) == 1 else f"{plural(len(texts), 'claim')}: pick this period to list them"

    ticks = dated.groupby(["when", *fields], dropna=False).agg(
        ids=("id", id_list), claim_ids=("id", list), when_label=("when_label", lambda labels: " / ".join(dict.fromkeys(labels))),
        summary=("summary", one_or_count), source=("source", one_or_count)).reset_index()
    choose = ("Choose " + ", ".join(f.replace("_", " ") for f in filters) +
              " below; drag across the timeline, or type dates in the period boxes, to pick a period.")
    ids = [str(i) for i in ranked["event_id"]]
    config = {
        "id": f"entente-explorer-{exploredata.digest(ids)[:10]}", "total": len(ids), "digest": exploredata.digest(ids),
        "filters": list(filters), "values": values, "titles": {f: theme.field_title(f, schema) for f in filters},
        "level": level, "all": ALL, "periodBounds": [name for name, _ in PERIOD_BOUNDS], "brushStore": f"{brush.name}_store",
        "listLimit": list_limit, "chunkSize": chunk_size, "dayMs": DAY_MS,
        "chunkFiles": [exploredata.chunk_name(n) for n in range(-(-len(ids) // chunk_size))],
        "folderSuffix": exploredata.FOLDER_SUFFIX, "callback": exploredata.CALLBACK,
        "cells": exploredata.cells(ranked, values, chunk_size), "formulaStarts": list(chartdata.FORMULA_STARTS),
        "csvName": "matching-claims.csv",
        "csvHeadings": [CLAIM_HEADING, WHEN_HEADING, *(theme.field_title(f, schema) for f in filters),
                        theme.field_title("summary", schema), SOURCES_HEADING],
    }
    timeline = alt.Chart(ticks.drop(columns="claim_ids")).mark_tick(thickness=3, size=26).encode(
        x=alt.X("when:T", title="Date of the event (drag to choose a period)", axis=alt.Axis(format="%b %Y")),
        color=alt.condition(match, alt.Color(f"{colour}:N", title=theme.field_title(colour, schema),
                                             scale=theme.scale(colour, dated[colour], schema)),
                            alt.value("#dddddd")),
        tooltip=[alt.Tooltip("ids:N", title="Claims"), alt.Tooltip("summary:N", title="Summary"),
                 alt.Tooltip("when_label:N", title="When"),
                 *[alt.Tooltip(f"{f}:N", title=theme.field_title(f, schema)) for f in fields],
                 alt.Tooltip("source:N", title="Source")],
    ).add_params(brush, *selects, *dates).properties(
        width=580, height=60, title=alt.Title("Explore the claims", subtitle=[note, choose]))
    # A one-view concatenation: its parameters are the whole chart's (its PDF figure is stamped as a compound).
    timeline = alt.vconcat(timeline).properties(
        description=f"Interactive explorer of {plural(len(frame), 'claim')}, {len(dated)} of them placed on a timeline: "
                    "select boxes, and a period brushed on the timeline or typed in two date boxes, filter the claims; "
                    "the list under the chart gives the matches, most recent first, a page at a time.")
    timeline = timeline.properties(usermeta={render.VEGA_PATCH: brush_hidden(timeline.to_dict(), brush.name),
                                             render.READY: {"function": READY_FUNCTION, "argument": config["id"]}})
    # Its data table: the timeline's marks, each with every claim id behind it (entente.chartdata).
    chart = chartdata.attach(timeline, ticks, "explore-the-claims",
                             {"when_label": "When", **{f: theme.field_title(f, schema) for f in fields}})
    headings = [CLAIM_HEADING, WHEN_HEADING, theme.field_title(level, schema), theme.field_title("summary", schema),
                SOURCES_HEADING]
    # The live notebook's count line: the claims counted per day (blank for none) and filter value.
    tallies = frame.groupby(["when", *filters], dropna=False).size().reset_index(name="n")
    count = alt.Chart(tallies).transform_calculate(hit=f"({match}) ? datum.n : 0").transform_aggregate(
        matches="sum(hit)", claims="sum(n)").transform_calculate(
        text="datum.matches + ' of ' + datum.claims + (datum.claims == 1 ? ' claim' : ' claims')"
             " + (datum.matches == 1 ? ' matches' : ' match')").mark_text(
        align="left", fontSize=13, fontWeight="bold").encode(text="text:N", x=alt.value(0), y=alt.value(10)).properties(
        width=580, height=20)
    return Explorer(chart, config, headings, count)


def brush_hidden(spec: dict, selection: str) -> list[dict]:
    """A JSON Patch for the compiled Vega spec that hides the brush's rectangles from assistive technology.

    Vega-Lite draws an interval selection as two rect marks (``<name>_brush_bg`` and ``<name>_brush``) with no
    description, which Vega gives an image role and no name: a screen reader meets two unnamed images, and
    axe-core flags them. Vega-Lite has no setting for it, so the Vega spec the web book compiles is patched
    (``render.VEGA_PATCH`` in the spec's usermeta, applied by ``render.web_vega``): each brush mark gets
    ``aria: false``. The period it shows is reported in words by the count line, and can be typed into the
    date boxes. Each change is preceded by a test of the mark's name, so a patch that no longer fits the
    compiled spec fails loudly."""
    vega = render.web_vega(spec)
    names = {f"{selection}_brush_bg", f"{selection}_brush"}
    ops: list[dict] = []

    def walk(marks: list[dict], path: str) -> None:
        for index, mark in enumerate(marks):
            here = f"{path}/marks/{index}"
            if mark.get("name") in names:
                ops.extend([{"op": "test", "path": f"{here}/name", "value": mark["name"]},
                            {"op": "add", "path": f"{here}/aria", "value": False}])
            walk(mark.get("marks", []), here)

    walk(vega.get("marks", []), "")
    if len(ops) != 2 * len(names):
        raise ValueError(f"the compiled explorer has {len(ops) // 2} brush marks named {sorted(names)}, expected {len(names)}")
    return ops


class LiveExplorer:
    """The live-notebook explorer: widgets drive a table and a chart through a kernel."""

    def __init__(self, events: pd.DataFrame, list_limit: int = LIST_LIMIT, filters: tuple[str, ...] = FILTERS,
                 schema: Schema | None = None):
        self.schema = theme.project_schema(schema)
        self.events = with_when(events)
        self.list_limit = list_limit
        self.controls = {f: widgets.Dropdown(options=[ALL, *theme.order(f, self.events[f].astype("string"), self.schema)],
                                             description=theme.field_title(f, self.schema)) for f in filters}
        # The period covers the event dates; a claim without one is shown until a narrower period is chosen.
        dated = self.events["when"].dropna()
        self.months = list(pd.period_range(dated.min(), dated.max(), freq="M")) if len(dated) else []
        self.period = widgets.SelectionRangeSlider(options=[(m.strftime("%b %Y"), m) for m in self.months] or [("no event dates", None)],
                                                   index=(0, max(len(self.months) - 1, 0)), description="Period",
                                                   disabled=not self.months, layout=widgets.Layout(width="600px"))
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.chart = widgets.Output()
        for control in (*self.controls.values(), self.period):
            control.observe(lambda _change: self.refresh(), names="value")
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), self.period,
                                    self.summary, self.chart, self.table])
        self.refresh()

    def matches(self) -> pd.DataFrame:
        e = self.events
        keep = pd.Series(True, index=e.index)
        for field, control in self.controls.items():
            if control.value != ALL:
                keep &= e[field].astype("string") == control.value
        if self.months and self.period.index != (0, len(self.months) - 1):
            first, last = self.period.value
            months = e["when"].dt.to_period("M")
            keep &= e["when"].notna() & (months >= first) & (months <= last)
        return e[keep]

    def refresh(self) -> None:
        found = self.matches()
        self.summary.value = f"<b>{match_text(len(found), len(self.events))}</b>"
        # pandas escapes every cell, so text from the data shows as text.
        self.table.value = tables.claims(found, limit=self.list_limit).frame.to_html(index=False, escape=True)
        self.chart.clear_output()
        with self.chart:
            if len(found):
                display(charts.certainty_profile(found, by="domain", label="Domain", schema=self.schema))

    def _ipython_display_(self):
        display(self.widget)


def live(events: pd.DataFrame) -> LiveExplorer | None:
    """The widget explorer in a live notebook; nothing in a book build, where no kernel would drive it."""
    if render.in_book_build():
        return None
    return LiveExplorer(events)
