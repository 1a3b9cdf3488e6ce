"""The explorers: the widget one answers its controls; the static one is bounded and filters in the page."""
import json
import re

import pandas as pd
import pytest
import vl_convert as vlc

import entente
from entente import explore
from conftest import ROOT, raw

DATA = entente.load()
EVENTS = raw("events")
DATED = EVENTS[EVENTS["event_date"] != ""]
DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


def enum(field: str) -> list[str]:
    fields = next(r for r in DESCRIPTOR["resources"] if r["name"] == "events")["schema"]["fields"]
    return next(f for f in fields if f["name"] == field)["constraints"]["enum"]


def datasets(spec: dict) -> tuple[list[dict], list[dict]]:
    """The explorer's two datasets: one row per claim, and one per tick of the timeline."""
    timeline, _total, _listed = spec["vconcat"]
    claims, = [rows for name, rows in spec["datasets"].items() if name != timeline["data"]["name"]]
    return claims, spec["datasets"][timeline["data"]["name"]]


def test_widgets_drive_the_table_and_the_count():
    live = explore.LiveExplorer(DATA.events)
    assert f"{len(EVENTS)} of {len(EVENTS)} claims match" in live.summary.value
    live.controls["domain"].value = "space"
    space = EVENTS[EVENTS["domain"] == "space"]
    assert f"{len(space)} of {len(EVENTS)} claims match" in live.summary.value
    for event_id in space["event_id"]:
        assert f"<td>{event_id}</td>" in live.table.value
    assert "<td>E001</td>" not in live.table.value
    live.controls["certainty"].value = "possible"
    both = space[space["certainty"] == "possible"]
    assert f"{len(both)} of {len(EVENTS)} claims match" in live.summary.value
    assert live.table.value.count("</tr>") == len(both) + 1  # the header row and one row per match


def test_widget_period_filters_by_month_and_holds_undated_claims_only_when_no_period_is_chosen():
    live = explore.LiveExplorer(DATA.events)
    # The event dates' months, as the CSV gives them (a year alone stands for its January).
    months = sorted({d[:7] if len(d) >= 7 else f"{d}-01" for d in DATED["event_date"]})
    assert live.period.options[0][0] == pd.Period(months[0], "M").strftime("%b %Y")
    live.period.index = (0, 0)  # only the earliest month
    in_first = sum(1 for d in DATED["event_date"] if (d[:7] if len(d) >= 7 else f"{d}-01") == months[0])
    assert f"{in_first} of {len(EVENTS)} claims" in live.summary.value
    live.period.index = (0, len(live.period.options) - 1)
    assert f"{len(EVENTS)} of {len(EVENTS)} claims match" in live.summary.value


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
    rows, _ = datasets(spec)
    assert len(rows) == 100
    whens = [r["recency"] for r in rows]
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
    # Each select offers the values present, in the schema's order.
    for name in ("domain", "direction", "certainty"):
        assert params[name]["bind"]["options"] == [explore.ALL, *[v for v in enum(name) if v in set(EVENTS[name])]]


def test_static_explorer_never_places_an_undated_claim_on_the_timeline():
    spec = explore.explorer(DATA.events).to_dict()
    claims, ticks = datasets(spec)
    # Every claim is listed and counted...
    assert sorted(r["id"] for r in claims) == sorted(EVENTS["event_id"])
    assert all(r["when"] is None for r in claims if r["id"] not in set(DATED["event_id"]))
    # ...but only the dated ones are ticks, each naming the claims it stands for.
    assert sorted(i for t in ticks for i in t["ids"].split(", ")) == sorted(DATED["event_id"])
    assert all(t["when"] is not None for t in ticks)
    undated = len(EVENTS) - len(DATED)
    assert f"{undated} claims without one are listed and counted, not placed" in spec["vconcat"][0]["title"]["subtitle"][0]
    # As drawn: the timeline's rect marks (the brush's aside) are one per tick, none of them undated.
    svg = vlc.vegalite_to_svg(spec)
    drawn = re.findall(r'<path aria-label="([^"]*)"[^>]*aria-roledescription="tick"', svg)
    assert len(drawn) == len(ticks) == len(set(DATED["event_date"] + DATED["domain"] + DATED["direction"] + DATED["certainty"]))
    drawn_ids = {i for label in drawn for i in re.search(r"Claims: ([^;]*)", label).group(1).split(", ")}
    assert drawn_ids == set(DATED["event_id"])


def test_a_period_leaves_undated_claims_out():
    spec = json.dumps(explore.explorer(DATA.events).to_dict())
    assert "isValid(datum.when) && vlSelectionTest('period_store', datum)" in spec


def test_match_counts_take_the_singular():
    assert explore.match_text(1, 1) == "1 of 1 claim matches"
    assert explore.match_text(0, 1) == "0 of 1 claim match"
    assert explore.match_text(3, 43) == "3 of 43 claims match"
    one = explore.LiveExplorer(DATA.events.head(1))
    assert "1 of 1 claim matches" in one.summary.value


def test_a_tick_standing_for_many_claims_names_ten_ids_then_how_many_more():
    dated = DATA.events[DATA.events["event_start"].notna()].head(1)
    copies = pd.concat([dated] * 12, ignore_index=True)
    copies["event_id"] = [f"E{201 + i}" for i in range(12)]
    _, ticks = datasets(explore.explorer(copies).to_dict())
    (tick,) = ticks
    assert tick["ids"] == "E201, E202, E203, E204, E205, E206, E207, E208, E209, E210 and 2 more"
    assert tick["summary"].startswith("12 claims")
    (one,) = datasets(explore.explorer(dated).to_dict())[1]
    row = EVENTS.set_index("event_id").loc[dated["event_id"].iloc[0]]
    links = raw("claim_sources")
    first_source = links[links["event_id"] == row.name]["source_id"].iloc[0]
    outlet = raw("sources").set_index("source_id").loc[first_source, "outlet"]
    assert one["summary"] == row["summary"] and one["source"].startswith(f"{outlet}, ")


# --- the period from the keyboard, and the brush out of assistive technology's way -------------------------

def _first_day(date: str) -> str:
    """An event date as its first day: a year stands for 1 January, a month for its 1st."""
    return date + "-01-01" if len(date) == 4 else date + "-01" if len(date) == 7 else date


def _drawn(spec: dict, **values) -> tuple[str, list[str]]:
    """The explorer drawn by vega (vl-convert) with some parameters set as a reader would: its count line and
    the claim ids it lists."""
    spec = json.loads(json.dumps(spec))
    for param in spec["params"]:
        if param["name"] in values:
            param["value"] = values[param["name"]]
    svg = vlc.vegalite_to_svg(spec, vl_version=entente.render.VEGALITE_VERSION)
    count, = re.findall(r">(\d+ of \d+ claims? match)", svg)
    return count, re.findall(r">(E\d+)</text>", svg)


def test_two_date_boxes_choose_the_period_from_the_keyboard():
    spec = explore.explorer(DATA.events).to_dict()
    params = {p["name"]: p for p in spec["params"]}
    for name, label in explore.PERIOD_BOUNDS:
        assert params[name]["bind"] == {"input": "date", "name": label} and params[name]["value"] == ""
    # The timeline's colours, the count and the list all apply the one period test, brush and dates together.
    text = json.dumps(spec)
    assert text.count(json.dumps(explore.period_test())[1:-1]) >= 3


def test_typed_dates_filter_the_count_and_list_as_the_data_says():
    spec = explore.explorer(DATA.events).to_dict()
    days = sorted(_first_day(d) for d in DATED["event_date"])
    first, last = days[len(days) // 3], days[(2 * len(days)) // 3]
    within = EVENTS[[bool(d) and first <= _first_day(d) <= last for d in EVENTS["event_date"]]]
    after = EVENTS[[bool(d) and _first_day(d) >= first for d in EVENTS["event_date"]]]
    assert 0 < len(within) < len(after) < len(DATED)
    count, ids = _drawn(spec, period_from=first, period_to=last)
    assert count == explore.match_text(len(within), len(EVENTS))
    assert set(ids) <= set(within["event_id"]) and len(ids) == min(len(within), explore.LIST_LIMIT)
    # One bound alone sets no limit on the other side; undated claims are out as soon as either is typed.
    assert _drawn(spec, period_from=first)[0] == explore.match_text(len(after), len(EVENTS))
    assert _drawn(spec, period_to=days[-1])[0] == explore.match_text(len(DATED), len(EVENTS))
    assert _drawn(spec)[0] == explore.match_text(len(EVENTS), len(EVENTS))


UNNAMED_IMAGE = re.compile(r'<g (?![^>]*aria-label)[^>]*role="graphics-symbol"')


def test_the_brush_is_hidden_from_assistive_technology_in_the_drawn_spec():
    spec = explore.explorer(DATA.events).to_dict()
    ops = spec["usermeta"][entente.render.VEGA_PATCH]
    plain = vlc.vega_to_svg(entente.render.web_vega({**spec, "usermeta": {}}))
    # Unpatched, vega draws the brush's two rectangles as images with no name (what axe-core flags).
    assert len(UNNAMED_IMAGE.findall(plain)) == 2 and "period_brush" in plain
    drawn = entente.render.web_vega(spec)  # what the page draws: compiled, then patched
    assert entente.render.VEGA_PATCH not in json.dumps(drawn)
    patched = vlc.vega_to_svg(drawn)
    assert UNNAMED_IMAGE.findall(patched) == []
    brush = re.findall(r'<g [^>]*class="[^"]*period_brush[^>]*>', patched)
    assert len(brush) == 2 and all('aria-hidden="true"' in g for g in brush), brush
    # A patch that no longer fits the compiled spec fails, never patching the wrong mark.
    wrong = [dict(op, value="another_mark") if op["op"] == "test" else op for op in ops]
    with pytest.raises(ValueError, match="patch test failed"):
        entente.render.patched(entente.render.web_vega({**spec, "usermeta": {}}), wrong)
    with pytest.raises(ValueError, match="only 'test' and 'add'"):
        entente.render.patched({}, [{"op": "remove", "path": "/marks/0"}])
