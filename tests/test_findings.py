"""The main finding's numbers, on a small package whose answers are known by hand."""
import json
from pathlib import Path

import pandas as pd
import pytest

from entente import findings
from entente.schema import Schema

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def schema():
    return Schema(ROOT / "datapackage.json")


def frame(rows):
    """Claims E001, E002, … (a count of claims carries their ids) with the given coding."""
    events = pd.DataFrame(rows, columns=["direction", "stage", "certainty", "reports"])
    return events.assign(event_id=[f"E{i:03d}" for i in range(1, len(events) + 1)])


def test_flow_table_keeps_schema_order_and_zeros(schema):
    events = frame([("Russia to Iran", "sought", "reported", 1), ("Iran to Russia", "done", "established", 1),
                    ("none", "no act", "established", 0)])
    table = findings.flow_table(events, schema)
    assert list(table.index) == ["Iran to Russia", "Russia to Iran", "mutual"]
    assert list(table.columns) == ["done", "sought", "possible", "no act"]
    assert table.loc["Iran to Russia", "done"] == 1 and table.loc["Russia to Iran", "sought"] == 1
    assert int(table.values.sum()) == 2  # the claim that moves nothing is not a flow


def test_flow_facts_count_done_claims_by_certainty_and_support(schema):
    events = frame([("Iran to Russia", "done", "established", 1), ("Iran to Russia", "done", "established", 0),
                    ("Russia to Iran", "done", "alleged", 1), ("Russia to Iran", "done", "established", 0),
                    ("Russia to Iran", "sought", "established", 1), ("none", "no act", "established", 0)])
    facts = findings.flow_facts(events, schema)
    assert facts["iran_to_russia_done"] == 2 and facts["russia_to_iran_done"] == 2
    assert facts["russia_to_iran_sought"] == 1 and facts["mutual_done"] == 0 and facts["no_flow"] == 1
    assert facts["iran_to_russia_done_established_phrase"] == "both are stated as fact"
    assert facts["russia_to_iran_done_established_phrase"] == "1 of the 2 is stated as fact"
    assert facts["russia_to_iran_done_cited_phrase"] == "1 of the 2 rests on a cited report"
    assert facts["mutual_done_established_phrase"] == "there are none"


@pytest.mark.parametrize("part, whole, text", [
    (1, 1, "the only one is stated as fact"), (0, 1, "it is not stated as fact"), (0, 3, "none of the 3 is stated as fact"),
    (2, 5, "2 of the 5 are stated as fact"), (1, 5, "1 of the 5 is stated as fact"), (0, 0, "there are none"),
    (2, 2, "both are stated as fact"), (0, 2, "neither is stated as fact"), (1, 2, "1 of the 2 is stated as fact")])
def test_count_phrase_reads_right_for_every_count(part, whole, text):
    assert findings.count_phrase(part, whole, "is stated as fact", "are stated as fact") == text


def test_a_direction_added_to_the_schema_gets_its_own_counts(tmp_path, schema):
    package = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    events = next(r for r in package["resources"] if r["name"] == "events")
    direction = next(f for f in events["schema"]["fields"] if f["name"] == "direction")
    direction["constraints"]["enum"].insert(2, "via third states")
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    facts = findings.flow_facts(frame([("via third states", "done", "established", 1)]), Schema(tmp_path / "datapackage.json"))
    assert facts["via_third_states_done"] == 1 and facts["via_third_states_done_established"] == 1


def test_guard_fails_with_the_sentence_when_it_stops_being_true():
    findings.guard(True, "All is well.")
    with pytest.raises(findings.StaleProse, match="Only one claim is hedged"):
        findings.guard(False, "Only one claim is hedged.")


def test_guard_logs_instead_of_failing_only_when_a_log_is_named(tmp_path, monkeypatch):
    log = tmp_path / "stale.txt"
    monkeypatch.setenv(findings.STALE_PROSE_LOG, str(log))
    findings.guard(False, "Only one claim is hedged.")
    findings.guard(True, "All claims are dated.")
    assert log.read_text(encoding="utf-8").splitlines() == [
        "This sentence of the report is no longer true of the data; rewrite it: 'Only one claim is hedged.'"]
    monkeypatch.delenv(findings.STALE_PROSE_LOG)
    with pytest.raises(findings.StaleProse):
        findings.guard(False, "Only one claim is hedged.")


def test_expect_fails_when_a_described_claim_is_recoded_or_gone():
    events = pd.DataFrame({"event_id": ["E1", "E2"], "certainty": ["alleged", "possible"], "reports": [1, 0]})
    findings.expect(events, ["E1"], "E1 is alleged.", certainty="alleged", cited=True)
    findings.expect(events, "E2", "E2 cites nothing.", cited=False)
    with pytest.raises(findings.StaleProse, match="E1 is possible"):
        findings.expect(events, "E1", "E1 is possible.", certainty="possible")
    with pytest.raises(findings.StaleProse, match="E2 is cited"):
        findings.expect(events, "E2", "E2 is cited.", cited=True)
    with pytest.raises(findings.StaleProse, match="E9"):
        findings.expect(events, "E9", "E9 exists.")


def test_expect_reads_a_blank_cell_as_empty_text_and_compares_booleans_by_value():
    events = pd.DataFrame({"event_id": ["E1"], "actors": [None], "date_inferred": [True], "reports": [0]})
    findings.expect(events, "E1", "no actor; inferred date", actors="", date_inferred=True)
    with pytest.raises(findings.StaleProse):
        findings.expect(events, "E1", "given date", date_inferred=False)
