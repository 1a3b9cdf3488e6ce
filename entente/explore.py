"""Exploring the events: Altair-bound controls for the static book, ipywidgets for a live notebook.

The static explorer runs in the page with no kernel: select boxes (domain, direction, certainty) and a
brush on the timeline filter the claims, and a list shows the most recent matches with their total.
It embeds at most ``EMBED_LIMIT`` of the most recent claims, so the page stays light as the data grows.
"""
from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import pandas as pd
from IPython.display import display

from . import charts, render, tables
from .schema import CERTAINTY_ORDER
from .theme import DOMAIN_COLOURS, DOMAIN_ORDER, DIRECTION_ORDER, scale

EMBED_LIMIT = 1000   # claims embedded in the static explorer page (about 350 KiB)
LIST_LIMIT = 12      # matching claims listed at once
ALL = "all"


def with_when(events: pd.DataFrame) -> pd.DataFrame:
    """Each claim's place in time: its event date where the article gives one, otherwise its report's date."""
    out = events.copy()
    out["when"] = out["event_start"].fillna(out["published_date"])
    out["when_basis"] = out["event_start"].notna().map({True: "event date", False: "report date"})
    out["when_label"] = out["date_label"].where(out["event_start"].notna(), "reported " + out["published_label"])
    return out.sort_values(["when", "event_id"], ascending=[False, True], kind="stable")


def _select(name: str, options) -> alt.Parameter:
    return alt.param(name=name, value=ALL,
                     bind=alt.binding_select(options=[ALL, *options], name=f"{name.replace('_', ' ').capitalize()} "))


def explorer(events: pd.DataFrame, list_limit: int = LIST_LIMIT, embed_limit: int = EMBED_LIMIT) -> alt.VConcatChart:
    """The static explorer: bound selects, a brushable timeline, the latest matches and their count."""
    ranked = with_when(events)
    embedded = ranked.head(embed_limit)
    frame = pd.DataFrame({
        "id": embedded["event_id"], "summary": embedded["summary"], "domain": embedded["domain"],
        "direction": embedded["direction"], "certainty": embedded["certainty"].astype(str),
        # Milliseconds since the epoch: the brush and the filter then compare like with like.
        "when": (embedded["when"].astype("datetime64[ms]").astype("int64")),
        "when_label": embedded["when_label"], "basis": embedded["when_basis"],
        "source": embedded["outlet"] + ", " + embedded["published_label"],
    })
    domain = _select("domain", [d for d in DOMAIN_ORDER if d in set(frame["domain"])])
    direction = _select("direction", [d for d in DIRECTION_ORDER if d in set(frame["direction"])])
    certainty = _select("certainty", [c for c in CERTAINTY_ORDER if c in set(frame["certainty"])])
    brush = alt.selection_interval(name="period", encodings=["x"])
    chosen = " && ".join(f"({p.name} == '{ALL}' || datum.{p.name} == {p.name})" for p in (domain, direction, certainty))
    in_period = "(!length(data('period_store')) || vlSelectionTest('period_store', datum))"
    match = f"{chosen} && {in_period}"

    note = "Claims are placed at their event date, or at their report's date when the article gives none."
    if len(ranked) > embed_limit:
        note += f" This page holds the {embed_limit} most recent of {len(ranked)} claims; the data files hold all."
    base = alt.Chart(frame)
    timeline = base.mark_tick(thickness=3, size=26).encode(
        x=alt.X("when:T", title="Date (drag to choose a period)", axis=alt.Axis(format="%b %Y")),
        color=alt.condition(match, alt.Color("domain:N", title="Domain",
                                             scale=scale(DOMAIN_COLOURS, [d for d in DOMAIN_ORDER if d in set(frame["domain"])])),
                            alt.value("#dddddd")),
        tooltip=[alt.Tooltip("id:N", title="Claim"), alt.Tooltip("summary:N", title="Summary"),
                 alt.Tooltip("when_label:N", title="When"), alt.Tooltip("certainty:N", title="Certainty")],
    ).add_params(brush, domain, direction, certainty).properties(
        width=580, height=60, title=alt.Title("Explore the claims", subtitle=[note, "Choose a domain, direction or certainty below; drag across the timeline to pick a period."]))
    total = base.transform_calculate(hit=f"({match}) ? 1 : 0").transform_aggregate(
        matches="sum(hit)", claims="count()").transform_calculate(
        text=f"datum.matches + ' of ' + datum.claims + ' claims match; the {list_limit} most recent are listed'").mark_text(
        align="left", fontSize=13, fontWeight="bold").encode(text="text:N", x=alt.value(0), y=alt.value(10)).properties(
        width=580, height=20)
    listed = base.transform_filter(match).transform_window(
        rank="row_number()", sort=[alt.SortField("when", order="descending"), alt.SortField("id", order="ascending")]).transform_filter(
        f"datum.rank <= {list_limit}")

    def column(field: str, title: str, width: int) -> alt.Chart:
        return listed.mark_text(align="left", baseline="middle", limit=width - 8).encode(
            y=alt.Y("rank:O", axis=None), x=alt.value(0), text=f"{field}:N",
            tooltip=[alt.Tooltip("summary:N", title="Summary"), alt.Tooltip("source:N", title="Source")],
        ).properties(width=width, height=20 * list_limit, title=alt.Title(title, fontSize=12))

    # Widths add up to the book's text column, so the explorer never needs a scroll bar.
    rows = alt.hconcat(column("id", "Claim", 44), column("when_label", "When", 128), column("certainty", "Certainty", 76),
                       column("summary", "Summary", 330), spacing=4)
    return alt.vconcat(timeline, total, rows, spacing=12).properties(
        description="Interactive explorer: select boxes and a brushed period filter the claims; the most recent matches are listed.")


class LiveExplorer:
    """The live-notebook explorer: widgets drive a table and a chart through a kernel."""

    def __init__(self, events: pd.DataFrame, list_limit: int = LIST_LIMIT):
        self.events = with_when(events)
        self.list_limit = list_limit
        months = pd.period_range(self.events["when"].min(), self.events["when"].max(), freq="M")
        self.domain = widgets.Dropdown(options=[ALL, *[d for d in DOMAIN_ORDER if d in set(self.events["domain"])]], description="Domain")
        self.direction = widgets.Dropdown(options=[ALL, *[d for d in DIRECTION_ORDER if d in set(self.events["direction"])]], description="Direction")
        self.certainty = widgets.Dropdown(options=[ALL, *CERTAINTY_ORDER], description="Certainty")
        self.period = widgets.SelectionRangeSlider(options=[(m.strftime("%b %Y"), m) for m in months],
                                                   index=(0, len(months) - 1), description="Period",
                                                   layout=widgets.Layout(width="600px"))
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.chart = widgets.Output()
        for control in (self.domain, self.direction, self.certainty, self.period):
            control.observe(lambda _change: self.refresh(), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.domain, self.direction, self.certainty]), self.period,
                                    self.summary, self.chart, self.table])
        self.refresh()

    def matches(self) -> pd.DataFrame:
        e = self.events
        keep = pd.Series(True, index=e.index)
        for control, field in ((self.domain, "domain"), (self.direction, "direction"), (self.certainty, "certainty")):
            if control.value != ALL:
                keep &= e[field].astype(str) == control.value
        first, last = self.period.value
        months = e["when"].dt.to_period("M")
        keep &= (months >= first) & (months <= last)
        return e[keep]

    def refresh(self) -> None:
        found = self.matches()
        self.summary.value = f"<b>{len(found)} of {len(self.events)} claims match</b>"
        # pandas escapes every cell, so text from the data shows as text.
        self.table.value = tables.claims(found, limit=self.list_limit).frame.to_html(index=False, escape=True)
        self.chart.clear_output()
        with self.chart:
            if len(found):
                display(charts.certainty_profile(found, by="domain", label="Domain"))

    def _ipython_display_(self):
        display(self.widget)


def live(events: pd.DataFrame) -> LiveExplorer | None:
    """The widget explorer in a live notebook; nothing in a book build, where no kernel would drive it."""
    if render.in_book_build():
        return None
    return LiveExplorer(events)
