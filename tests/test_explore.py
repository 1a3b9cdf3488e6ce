"""The explorers: the widget one answers its controls; the static one is bounded and filters in the page."""
import pandas as pd

import entente
from entente import explore
from conftest import raw

DATA = entente.load()
EVENTS = raw("events")


def test_widgets_drive_the_table_and_the_count():
    live = explore.LiveExplorer(DATA.events)
    assert f"{len(EVENTS)} of {len(EVENTS)} claims match" in live.summary.value
    live.domain.value = "space"
    space = EVENTS[EVENTS["domain"] == "space"]
    assert f"{len(space)} of {len(EVENTS)} claims match" in live.summary.value
    for event_id in space["event_id"]:
        assert f"<td>{event_id}</td>" in live.table.value
    assert "<td>E001</td>" not in live.table.value
    live.certainty.value = "possible"
    both = space[space["certainty"] == "possible"]
    assert f"{len(both)} of {len(EVENTS)} claims match" in live.summary.value
    assert live.table.value.count("</tr>") == len(both) + 1  # the header row and one row per match


def test_widget_period_filters_by_month():
    live = explore.LiveExplorer(DATA.events)
    options = live.period.options
    live.period.index = (0, 0)  # only the earliest month
    first_month = options[0][1]
    expected = explore.with_when(DATA.events)["when"].dt.to_period("M") == first_month
    assert f"{expected.sum()} of {len(EVENTS)} claims match" in live.summary.value


def test_widget_table_escapes_text():
    events = DATA.events.copy()
    most_recent = explore.with_when(events).index[0]  # listed whatever the listing limit
    events.loc[most_recent, "summary"] = "<script>alert(1)</script>"
    live = explore.LiveExplorer(events)
    assert "<script>" not in live.table.value and "&lt;script&gt;" in live.table.value


def test_no_widget_in_a_book_build(monkeypatch):
    monkeypatch.setenv(entente.render.BUILD_ENV, "1")
    assert explore.live(DATA.events) is None
    monkeypatch.delenv(entente.render.BUILD_ENV)
    assert isinstance(explore.live(DATA.events), explore.LiveExplorer)


def test_static_explorer_embeds_at_most_its_limit_most_recent_first():
    many = pd.concat([DATA.events] * 5, ignore_index=True)
    spec = explore.explorer(many, embed_limit=100).to_dict()
    (rows,) = spec["datasets"].values()
    assert len(rows) == 100
    whens = [r["when"] for r in rows]
    assert whens == sorted(whens, reverse=True)
    assert f"the 100 most recent of {len(many)} claims" in " ".join(spec["vconcat"][0]["title"]["subtitle"])


def test_static_explorer_has_bound_controls_and_a_brush():
    spec = explore.explorer(DATA.events).to_dict()
    params = {p["name"]: p for p in spec["params"]} if "params" in spec else {
        p["name"]: p for p in spec["vconcat"][0].get("params", [])}
    assert {"domain", "direction", "certainty", "period"} <= set(params)
    for name in ("domain", "direction", "certainty"):
        assert params[name]["bind"]["input"] == "select"
    assert params["domain"]["bind"]["options"][0] == explore.ALL
