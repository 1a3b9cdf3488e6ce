"""Each chart kind: its data matches counts computed from the CSVs, and it carries what a reader needs."""
import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

import entente
from entente import charts, theme
from conftest import raw

DATA = entente.load()
EVENTS = raw("events")
ALL_CHARTS = {
    "timeline": lambda: charts.timeline(DATA.events),
    "flows": lambda: charts.flows(DATA.events),
    "certainty_profile": lambda: charts.certainty_profile(DATA.events),
    "claims_ladder": lambda: charts.claims_ladder(DATA.paragraph(1)),
    "sources": lambda: charts.sources(DATA.events),
    "theatres": lambda: charts.theatres(DATA.events),
    "relations": lambda: charts.relations(DATA.events),
    "status": lambda: charts.status(DATA.events),
}


def values(chart) -> list[dict]:
    """The rows a chart embeds (its single dataset)."""
    spec = chart.to_dict()
    (rows,) = spec["datasets"].values()
    return rows


def encodings(spec: dict):
    """Every encoding block in a spec, layers and concatenations included."""
    if "encoding" in spec:
        yield spec["encoding"]
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for sub in spec.get(key, []):
            yield from encodings(sub)


@pytest.mark.parametrize("name", ALL_CHARTS)
def test_every_chart_is_titled_described_labelled_and_has_tooltips(name):
    spec = ALL_CHARTS[name]().to_dict()
    assert spec.get("title", {}).get("text"), "a title"
    assert len(spec.get("description", "")) > 20, "a description for screen readers"
    blocks = list(encodings(spec))
    assert any("tooltip" in b for b in blocks)
    for block in blocks:
        for channel in ("x", "y"):
            enc = block.get(channel, {})
            shows_axis = "field" in enc and enc.get("axis", {}) is not None
            if shows_axis:
                assert "title" in enc, f"{name}: the {channel} axis has a title (or None, deliberately)"


@pytest.mark.parametrize("name", ALL_CHARTS)
def test_every_chart_compiles_offline(name):
    vega = vlc.vegalite_to_vega(ALL_CHARTS[name]().to_dict())
    assert vega["marks"] or vega.get("layout")


def test_flows_count_each_direction_by_domain():
    expected = EVENTS[EVENTS["direction"].isin(["Iran to Russia", "Russia to Iran"])].groupby(["domain", "direction"]).size()
    got = {(r["domain"], r["direction"]): r["claims"] for r in values(charts.flows(DATA.events))}
    assert got == expected.to_dict()
    # Iran-to-Russia bars point left.
    assert all((r["signed"] < 0) == (r["direction"] == "Iran to Russia") for r in values(charts.flows(DATA.events)))


def test_timeline_places_dated_claims_and_counts_the_rest():
    dated = EVENTS[EVENTS["event_date"] != ""]
    chart = charts.timeline(DATA.events)
    assert sorted(r["event_id"] for r in values(chart)) == sorted(dated["event_id"])
    subtitle = " ".join(chart.to_dict()["title"]["subtitle"])
    assert f"{len(EVENTS) - len(dated)} others give none" in subtitle


def test_timeline_switches_to_monthly_counts_for_large_data():
    many = pd.concat([DATA.events[DATA.events["event_start"].notna()]] * (charts.TIMELINE_MAX_POINTS // 4 + 1), ignore_index=True)
    rows = values(charts.timeline(many))
    assert sum(r["claims"] for r in rows) == len(many)
    assert len(rows) < 20


def test_theatres_count_each_named_place():
    named = EVENTS[EVENTS["theatres"] != ""]["theatres"].str.split(";").explode().value_counts()
    got = pd.DataFrame(values(charts.theatres(DATA.events))).groupby("theatres")["claims"].sum()
    assert got.sort_index().to_dict() == named.sort_index().to_dict()


def test_certainty_profile_counts_every_claim_once():
    rows = values(charts.certainty_profile(DATA.events))
    assert sum(r["claims"] for r in rows) == len(EVENTS)
    per_para = EVENTS.groupby("paragraph").size()
    for r in rows:
        assert r["total"] == per_para[r["paragraph"]]


def test_relations_is_symmetric_and_counts_shared_claims():
    rows = {(r["state"], r["with"]): r["claims"] for r in values(charts.relations(DATA.events))}
    assert all(rows[(b, a)] == n for (a, b), n in rows.items())
    both = EVENTS.apply(lambda e: {"Iran", "Israel"} <= set((e["actors"] + ";" + e["third_parties"]).split(";")), axis=1)
    assert rows[("Iran", "Israel")] == both.sum()


def test_sources_chart_has_one_mark_per_cited_report():
    rows = values(charts.sources(DATA.events))
    assert sorted(r["source_id"] for r in rows) == sorted(EVENTS["source_id"].unique())
    assert sum(r["claims"] for r in rows) == len(EVENTS)


def test_status_counts_every_claim():
    assert sum(r["claims"] for r in values(charts.status(DATA.events))) == len(EVENTS)


def test_ladder_limits_rows_and_says_so():
    chart = charts.claims_ladder(DATA.events, limit=5)
    assert len(values(chart)) == 5
    assert f"first 5 of {len(EVENTS)}" in chart.to_dict()["title"]["subtitle"]


def test_a_domain_has_the_same_colour_in_every_chart():
    theme.enable()
    for chart in (charts.flows(DATA.events), charts.status(DATA.events), charts.claims_ladder(DATA.events)):
        for block in encodings(chart.to_dict()):
            colour = block.get("color", {})
            if colour.get("field") == "domain":
                mapping = dict(zip(colour["scale"]["domain"], colour["scale"]["range"]))
                assert all(theme.DOMAIN_COLOURS[d] == c for d, c in mapping.items())


def test_theme_is_registered_and_colour_blind_safe_palette_is_used():
    assert "entente" in alt.theme.names()
    assert set(theme.DOMAIN_COLOURS.values()) <= set(theme.OKABE_ITO)
