"""The numbers glued into the prose equal what pandas computes from the CSVs directly."""
import entente
from entente import facts
from conftest import raw

DATA = entente.load()
EVENTS = raw("events")
SOURCES = raw("sources")
CHANGES = raw("changes")


def test_headline_numbers():
    h = facts.headline(DATA)
    kinds = EVENTS["source_id"].map(SOURCES.set_index("source_id")["kind"])
    assert h["claims"] == len(EVENTS)
    assert h["on_article"] == (kinds == "article").sum()
    assert h["on_reports"] == (kinds == "report").sum()
    assert h["cited_reports"] == (SOURCES["kind"] == "report").sum()
    assert h["outlets"] == SOURCES[SOURCES["kind"] == "report"]["outlet"].nunique()
    assert h["established"] == (EVENTS["certainty"] == "established").sum()
    assert h["hedged"] == (EVENTS["certainty"] != "established").sum()
    assert h["dated"] == (EVENTS["event_date"] != "").sum()
    assert h["inferred_dates"] == (EVENTS["date_inferred"] == "true").sum()
    assert h["inferred_years"] == (SOURCES["year_inferred"] == "true").sum()
    assert h["iran_to_russia"] == (EVENTS["direction"] == "Iran to Russia").sum()
    assert h["russia_to_iran"] == (EVENTS["direction"] == "Russia to Iran").sum()
    assert h["established_share"] == f"{round(100 * h['established'] / len(EVENTS))}%"


def test_as_of_is_the_latest_change_record_date():
    latest = max(CHANGES["date"])
    assert DATA.as_of.isoformat() == latest


def test_section_counts_only_its_paragraph():
    for n in range(1, 8):
        assert facts.section(DATA, n)["claims"] == (EVENTS["paragraph"] == str(n)).sum()


def test_per_claim_dates_and_sources():
    f = facts.per_claim(DATA.events)
    row = EVENTS.set_index("event_id").loc["E013"]
    assert row["event_date"] == "2022-11-15"
    assert f["E013_when"] == "15 Nov 2022"
    assert f["E013_source"] == "Asia Times Online, 17 Nov 2022"


def test_phrases_agree_with_counts():
    assert facts.established_phrase(3, 3) == "all 3 claims are"
    assert facts.established_phrase(1, 1) == "the one claim is"
    assert facts.established_phrase(1, 4) == "1 of the 4 claims is"
    assert facts.established_phrase(0, 2) == "none of the 2 claims is"
    assert facts.flow_balance(4, 9) == "more often from Russia to Iran (9 claims) than from Iran to Russia (4)"
    assert facts.flow_balance(2, 2) == "as often from Iran to Russia as the other way (2 claims each)"


def test_most_named_places_counts_claims_per_place():
    named = EVENTS[EVENTS["theatres"] != ""]["theatres"].str.split(";").explode().value_counts()
    phrase = facts.counts_of(DATA.events)["most_named_places"]
    top = named.iloc[0]
    assert f"({top})" in phrase.split(",")[0]
    assert facts.in_prose(["a", "b", "c"]) == "a, b and c" and facts.in_prose(["a"]) == "a"


def test_withdrawn_claims_are_left_out(tmp_path):
    import shutil
    from conftest import ROOT
    shutil.copy(ROOT / "datapackage.json", tmp_path)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    with open(tmp_path / "data" / "changes.csv", "a", encoding="utf-8") as f:
        f.write("2099-01-01,E001,withdrawn,Test: the claim no longer stands.\n")
    data = entente.load(tmp_path)
    assert "E001" not in set(data.events["event_id"])
    assert len(data.events) == len(EVENTS) - 1
