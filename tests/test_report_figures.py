"""The figures and tables of the main finding, the evidence chapter and the second coding, recomputed
from the CSVs with plain pandas (never the way entente computes them)."""
import pandas as pd

import entente
from entente import agreement, charts, evidence, tables
from conftest import raw

DATA = entente.load()
EVENTS, LINKS, SOURCES = raw("events"), raw("claim_sources"), raw("sources")
REPORTED = set(LINKS[LINKS["source_id"].map(SOURCES.set_index("source_id")["kind"]) == "report"]["event_id"])


def values(chart) -> list[dict]:
    spec = chart.to_dict()
    return next(iter(spec["datasets"].values()))


def test_flow_stages_draws_every_flow_claim_once_and_counts_the_rest():
    rows = values(charts.flow_stages(DATA.events, DATA.schema))
    flows = EVENTS[EVENTS["direction"] != "none"]
    assert sum(r["claims"] for r in rows) == len(flows)
    for r in rows:
        cell = flows[(flows["direction"] == r["direction"]) & (flows["stage"] == r["stage"])
                     & (flows["certainty"] == r["certainty"])]
        cited = cell["event_id"].isin(REPORTED)
        assert r["claims"] == int((cited if r["support"] == "a cited report" else ~cited).sum())
    spec = charts.flow_stages(DATA.events, DATA.schema).to_dict()
    assert f"Not shown: {(EVENTS['direction'] == 'none').sum()} claims" in spec["title"]["subtitle"]


def test_support_matrix_crosses_certainty_and_evidence():
    rows = values(charts.support_matrix(DATA.events, DATA.schema))
    expected = pd.crosstab(EVENTS["certainty"], EVENTS["evidence"])
    for r in rows:
        want = expected.loc[r["certainty"], r["evidence"]] if (r["certainty"] in expected.index and
                                                               r["evidence"] in expected.columns) else 0
        assert r["claims"] == want


def test_outlets_table_counts_claims_per_outlet():
    table = tables.outlets(DATA).frame.set_index("Outlet")
    cited = LINKS.merge(SOURCES, on="source_id")
    cited = cited[cited["kind"] == "report"]
    per_outlet = cited.groupby("outlet")["event_id"].nunique()
    assert table["Claims"].to_dict() == per_outlet.to_dict()
    assert list(table["Claims"]) == sorted(table["Claims"], reverse=True)


def test_set_aside_keeps_only_claims_with_a_report_and_not_carried_by_the_leading_outlet_alone():
    kept = evidence.set_aside(DATA.events, DATA.claim_sources, DATA.sources)
    assert set(kept["article alone"]["event_id"]) == REPORTED & set(EVENTS["event_id"])
    lead = evidence.leading_outlet(DATA.events, DATA.claim_sources, DATA.sources)
    outlets = LINKS.merge(SOURCES, on="source_id").query("kind == 'report'").groupby("event_id")["outlet"].agg(set)
    only_lead = {e for e, o in outlets.items() if o == {lead}}
    assert set(kept["both"]["event_id"]) == (REPORTED - only_lead) & set(EVENTS["event_id"])
    table = tables.set_aside(DATA).frame
    assert list(table["Claims kept"]) == [len(kept[k]) for k in ("nothing", "article alone", "leading outlet", "both")]


def test_a_chapter_without_later_claims_says_so_and_one_with_them_lists_them():
    empty = tables.since_article(DATA, 1)
    assert "no claim on this theme has been added" in empty._repr_mimebundle_()["text/markdown"]
    later = DATA.events.head(1).assign(event_id="E900", paragraph=pd.NA, sentence=pd.NA)
    data = entente.Dataset(**{**DATA.__dict__, "events": pd.concat([DATA.events, later], ignore_index=True)})
    table = tables.since_article(data, int(later["theme"].iloc[0]))
    assert list(table.frame["Id"]) == ["E900"]


def test_definitions_are_the_schemas_own_words():
    text = tables.definition(DATA.schema, "events", "evidence")._repr_mimebundle_()["text/plain"]
    field = DATA.schema.resources["events"].field("evidence")
    assert field.description in text and all(v in text for v in field.categories)


def test_agreement_is_computed_on_the_committed_codings_and_every_disagreement_is_resolved():
    table, diffs = agreement.compare_codings(DATA)
    first, second = raw_coding("first_coding"), raw_coding("second_coding")
    assert set(table["units"]) == {len(first)} and len(first) == len(second)
    rec = raw_coding("reconciliation")
    assert set(zip(diffs["event_id"], diffs["field"])) == set(zip(rec["event_id"], rec["field"]))
    certainty = table.set_index("field").loc["certainty"]
    assert certainty["agree"] == (first.set_index("event_id")["certainty"]
                                  == second.set_index("event_id").loc[first["event_id"], "certainty"]).sum()
    facts = agreement.facts(DATA)
    assert facts["disagreements"] == len(rec) and facts["proposed"] == len(raw_coding("proposed_units"))


def raw_coding(name: str) -> pd.DataFrame:
    from conftest import ROOT
    return pd.read_csv(ROOT / "data" / "coding" / f"{name}.csv", dtype=str, keep_default_na=False)
