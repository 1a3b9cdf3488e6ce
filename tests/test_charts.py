"""Each chart kind: its data matches counts computed from the CSVs, and it carries what a reader needs."""
import json
import re

import pandas as pd
import pytest
import vl_convert as vlc

import entente
from entente import charts
from conftest import ROOT, raw

DATA = entente.load()
EVENTS = raw("events")
DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
BLUES = ["#08306B", "#2171B5", "#6BAED6", "#C6DBEF"]


def enum(field: str) -> list[str]:
    fields = next(r for r in DESCRIPTOR["resources"] if r["name"] == "events")["schema"]["fields"]
    return next(f for f in fields if f["name"] == field)["constraints"]["enum"]

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
    assert f"Placed: {len(dated)} claims with an event date. Not placed: {len(EVENTS) - len(dated)} claims without one." in subtitle


def test_timeline_switches_to_monthly_counts_for_large_data():
    many = pd.concat([DATA.events[DATA.events["event_start"].notna()]] * (charts.TIMELINE_MAX_POINTS // 4 + 1), ignore_index=True)
    rows = values(charts.timeline(many))
    assert sum(r["claims"] for r in rows) == len(many)
    assert len(rows) < 20
    assert all(re.fullmatch(r"(E\d{3}, ){9}E\d{3} and \d+ more", r["ids"]) for r in rows if r["claims"] > 10)


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
    rows = values(charts.sources(DATA.citations()))
    links = raw("claim_sources")
    kinds = links["source_id"].map(raw("sources").set_index("source_id")["kind"])
    reports = links[(kinds == "report") & links["event_id"].isin(EVENTS["event_id"])]
    assert sorted(r["source_id"] for r in rows) == sorted(reports["source_id"].unique())
    assert sum(r["claims"] for r in rows) == len(reports), "one count per claim and report; the article is no report"


def test_sources_chart_gives_the_outlets_past_its_rows_one_shared_row_by_month():
    """At scale the chart keeps a row per leading outlet and one for the rest, and still counts every claim
    of every report (shown here with 5 rows on the article's 13 outlets)."""
    chart = charts.sources(DATA.citations(), outlet_rows=5)
    rows = values(chart)
    links = raw("claim_sources")
    sources = raw("sources").set_index("source_id")
    reports = links[(links["source_id"].map(sources["kind"]) == "report") & links["event_id"].isin(EVENTS["event_id"])]
    per_outlet = reports["source_id"].map(sources["outlet"]).value_counts()
    leading = list(per_outlet.sort_index().sort_values(ascending=False, kind="stable").index[:5])
    others = f"{per_outlet.size - 5:,} other outlets"
    assert {r["outlet"] for r in rows} == {*leading, others}
    assert sum(r["claims"] for r in rows) == len(reports)
    shared = [r for r in rows if r["outlet"] == others]
    assert sum(r["claims"] for r in shared) == per_outlet.drop(leading).sum()
    assert all(pd.Timestamp(r["published_date"]).day == 1 for r in shared), "the shared row counts whole months"
    assert chart.to_dict()["height"] == 24 * 6


def test_past_its_report_marks_the_sources_chart_draws_one_mark_per_outlet_and_year():
    chart = charts.sources(DATA.citations(), outlet_rows=5, report_marks=5)
    rows = values(chart)
    links = raw("claim_sources")
    sources = raw("sources").set_index("source_id")
    reports = links[(links["source_id"].map(sources["kind"]) == "report") & links["event_id"].isin(EVENTS["event_id"])]
    assert sum(r["claims"] for r in rows) == len(reports)
    assert all(pd.Timestamp(r["published_date"]).strftime("%m-%d") == "01-01" for r in rows)
    assert len({(r["outlet"], r["published_date"], r["year"]) for r in rows}) == len(rows), "one mark per outlet and year"
    assert len({r["outlet"] for r in rows}) == 6
    assert chart.to_dict()["title"]["subtitle"].startswith("One mark per outlet and year; the ")


def test_status_counts_every_claim():
    assert sum(r["claims"] for r in values(charts.status(DATA.events))) == len(EVENTS)


def test_ladder_limits_rows_and_says_so():
    chart = charts.claims_ladder(DATA.events, limit=5)
    assert len(values(chart)) == 5
    assert f"first 5 of {len(EVENTS)}" in chart.to_dict()["title"]["subtitle"]


def colour_mappings(chart, field: str) -> list[dict]:
    return [dict(zip(b["color"]["scale"]["domain"], b["color"]["scale"]["range"]))
            for b in encodings(chart.to_dict()) if b.get("color", {}).get("field") == field]


def test_a_domain_has_its_okabe_ito_colour_by_schema_position_in_every_chart():
    expected = dict(zip(enum("domain"), OKABE_ITO))
    charts_by_domain = (charts.flows(DATA.events), charts.status(DATA.events), charts.claims_ladder(DATA.events),
                        charts.timeline(DATA.events))
    mappings = [m for c in charts_by_domain for m in colour_mappings(c, "domain")]
    assert len(mappings) >= 4
    for mapping in mappings:
        assert mapping == {d: expected[d] for d in mapping}
        assert list(mapping) == [d for d in enum("domain") if d in mapping], "legend in schema order"


def test_certainty_is_stacked_and_coloured_in_schema_order():
    levels = enum("certainty")
    assert len(levels) == 4, "the known scale; update BLUES if the codebook changes"
    for chart in (charts.certainty_profile(DATA.events), charts.theatres(DATA.events)):
        (mapping,) = colour_mappings(chart, "certainty")
        assert mapping == {level: colour for level, colour in zip(levels, BLUES) if level in mapping}
        rows = values(chart)
        present = [level for level in levels if level in mapping]
        assert all(r["order"] == present.index(r["certainty"]) for r in rows)


def test_certainty_profile_groups_categories_in_schema_order_and_numbers_as_numbers():
    by_domain = charts.certainty_profile(DATA.events, by="domain", label="Domain").to_dict()
    assert by_domain["encoding"]["y"]["sort"] == [d for d in enum("domain") if d in set(EVENTS["domain"])]
    many = DATA.events.copy()
    many["paragraph"] = many["paragraph"] * 3  # 3, 6 ... 21: "12" must not come before "3"
    by_number = charts.certainty_profile(many).to_dict()
    assert by_number["encoding"]["y"]["sort"] == [str(p) for p in sorted(EVENTS["paragraph"].astype(int).unique() * 3)]


def test_status_follows_the_schema_order():
    spec = charts.status(DATA.events).to_dict()
    present = set(EVENTS["status"])
    assert spec["encoding"]["y"]["sort"] == [s for s in enum("status") if s in present]


def test_flows_sets_the_two_one_way_directions_against_each_other():
    left, right, *others = enum("direction")
    spec = charts.flows(DATA.events).to_dict()
    assert spec["encoding"]["color"]["scale"]["domain"] == [left, right]
    for other in others:
        n = int((EVENTS["direction"] == other).sum())
        assert f"{n} claim{'' if n == 1 else 's'} coded {other}" in spec["title"]["subtitle"]


AGGREGATED = ["flows", "certainty_profile", "sources", "theatres", "relations", "status"]


@pytest.mark.parametrize("name", AGGREGATED)
def test_tooltips_name_the_ids_behind_each_mark_up_to_the_limit(name):
    """Fifteen copies of one claim make one mark: its tooltip names ten ids, then 'and 5 more'."""
    # A one-way flow, one place and two states named: one mark in every chart.
    fit = EVENTS[EVENTS["direction"].isin(enum("direction")[:2]) & (EVENTS["theatres"] != "")
                 & ~EVENTS["theatres"].str.contains(";") & (EVENTS["actors"].str.count(";") == 1)
                 & (EVENTS["third_parties"] == "")]
    one = DATA.events[DATA.events["event_id"] == fit["event_id"].iloc[0]]
    copies = pd.concat([one] * 15, ignore_index=True)
    copies["event_id"] = [f"E{101 + i}" for i in range(15)]
    chart = (charts.certainty_profile(copies) if name == "certainty_profile" else getattr(charts, name)(copies))
    spec = chart.to_dict()
    assert any(t.get("field") == "ids" for b in encodings(spec) for t in b.get("tooltip", []))
    rows = values(chart)
    if name == "relations":
        assert len(rows) == 2, "the pair, both ways"
    else:
        assert len(rows) == 1
    expected = "E101, E102, E103, E104, E105, E106, E107, E108, E109, E110 and 5 more"
    assert rows and all(r["ids"] == expected for r in rows), rows[0]["ids"]


def one_claim_charts(events):
    return {"timeline": charts.timeline(events), "flows": charts.flows(events),
            "certainty_profile": charts.certainty_profile(events), "claims_ladder": charts.claims_ladder(events, limit=0),
            "sources": charts.sources(events), "theatres": charts.theatres(events), "status": charts.status(events)}


def test_a_count_of_one_takes_the_singular():
    # One dated claim and one undated; one joint claim; one claim naming no place.
    chosen = EVENTS[(EVENTS["event_date"] != "")].head(1)["event_id"].tolist()
    chosen += EVENTS[(EVENTS["event_date"] == "") & (EVENTS["theatres"] == "")].head(1)["event_id"].tolist()
    events = DATA.events[DATA.events["event_id"].isin(chosen)]
    for name, chart in one_claim_charts(events).items():
        text = json.dumps(chart.to_dict(), ensure_ascii=False)
        assert not re.search(r"\b1 claims\b", text), f"{name}: {re.search(r'.{40}1 claims.{20}', text).group(0)}"
    subtitle = " ".join(charts.timeline(events).to_dict()["title"]["subtitle"])
    assert "Placed: 1 claim with an event date. Not placed: 1 claim without one." in subtitle


def test_a_report_is_named_outlet_and_date_everywhere():
    ladder = {r["event_id"]: r["source"] for r in values(charts.claims_ladder(DATA.events, limit=100))}
    timeline = {r["event_id"]: r["source"] for r in values(charts.timeline(DATA.events))}
    assert ladder["E013"] == timeline["E013"] == "Asia Times Online, 17 Nov 2022"
