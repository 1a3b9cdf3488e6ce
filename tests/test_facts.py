"""The numbers glued into the prose equal what pandas computes from the CSVs directly."""
import json
import re
import shutil

import pytest

import entente
from entente import facts
from conftest import ROOT, raw

DATA = entente.load()
EVENTS = raw("events")
SOURCES = raw("sources")
CHANGES = raw("changes")


def test_headline_numbers():
    h = facts.headline(DATA)
    links = raw("claim_sources")
    reported = set(links[links["source_id"].map(SOURCES.set_index("source_id")["kind"]) == "report"]["event_id"])
    assert h["claims"] == len(EVENTS)
    assert h["on_reports"] == EVENTS["event_id"].isin(reported).sum()
    assert h["on_article"] == (~EVENTS["event_id"].isin(reported)).sum()
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


def test_report_range_is_of_reports_only_each_worded_to_its_precision():
    h = facts.headline(DATA)
    reports = SOURCES[SOURCES["kind"] == "report"]
    assert (h["first_report"], h["last_report"]) == ("11 June 2021", "12 December 2022")
    assert reports["published"].min() == "2021-06-11" and reports["published"].max() == "2022-12-12"


def package_copy(tmp_path):
    shutil.copy(ROOT / "datapackage.json", tmp_path)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path


def test_the_article_itself_is_no_report_and_a_month_is_said_as_a_month(tmp_path):
    root = package_copy(tmp_path)
    sources = (root / "data" / "sources.csv").read_text(encoding="utf-8").splitlines()
    header = sources[0].split(",")
    # The article moves to 2023 (it must not become the last report); one report is known to the month only.
    edited = []
    for line in sources:
        cells = line.split(",")
        if cells[0] == "edm-2022-12":
            cells[header.index("published")] = "2023-01-05"
            cells[header.index("published_precision")] = "day"
        if cells[0] == "iranintl-2022-12-12":
            cells[header.index("published")] = "2022-12"
            cells[header.index("published_precision")] = "month"
        if cells[0] == "rferl-2021-06-11":
            cells[header.index("published")] = "2021"
            cells[header.index("published_precision")] = "year"
        edited.append(",".join(cells))
    (root / "data" / "sources.csv").write_text("\n".join(edited) + "\n", encoding="utf-8")
    h = facts.headline(entente.load(root))
    assert (h["first_report"], h["last_report"]) == ("2021", "December 2022")


def test_as_of_is_the_latest_change_record_date():
    latest = max(CHANGES["date"])
    assert DATA.as_of.isoformat() == latest


def test_section_counts_only_its_paragraph():
    for n in range(1, 8):
        assert facts.section(DATA, n)["claims"] == (EVENTS["paragraph"] == str(n)).sum()


def test_section_glues_the_dates_and_sources_of_the_claims_it_names_only():
    """A chapter's glue grows with the claims its prose quotes, never with the data (at 100,000 claims every
    claim's three values made each chapter's notebook tens of thousands of outputs)."""
    glued = facts.section(DATA, 1, about=["E007"])
    per_claim_keys = {k for k in glued if re.fullmatch(r"E\d+_(when|source|reported)", k)}
    assert per_claim_keys == {"E007_when", "E007_source", "E007_reported"}
    assert not any(re.fullmatch(r"E\d+_when", k) for k in facts.section(DATA, 1))


def test_section_refuses_an_id_that_is_not_a_claim_of_its_paragraph():
    with pytest.raises(ValueError, match=r"E013 is not a claim of paragraph 1 in data/events.csv"):
        facts.section(DATA, 1, about=["E007", "E013"])


def test_per_claim_dates_and_sources():
    f = facts.per_claim(DATA.events)
    row = EVENTS.set_index("event_id").loc["E013"]
    assert row["event_date"] == "2022-11-15"
    assert f["E013_when"] == "15 Nov 2022"
    assert f["E013_source"] == "Asia Times Online, 17 Nov 2022"
    assert f["E013_reported"] == "17 Nov 2022"


def test_phrases_agree_with_counts():
    assert facts.firmest_phrase(3, 3) == "all 3 claims are"
    assert facts.firmest_phrase(1, 1) == "the one claim is"
    assert facts.firmest_phrase(1, 4) == "1 of the 4 claims is"
    assert facts.firmest_phrase(0, 2) == "none of the 2 claims is"
    assert facts.firmest_phrase(0, 1) == "the one claim is not"


def test_a_count_of_one_takes_the_singular():
    one = facts.counts_of(DATA.events.head(1))
    assert one["claims_counted"] == "1 claim"
    assert "1 claims" not in " ".join(str(v) for v in one.values())


def test_every_category_value_is_counted_under_its_own_name():
    h = facts.counts_of(DATA.events)
    for field in ("certainty", "direction"):
        for value, n in EVENTS[field].value_counts().items():
            name = "_".join(value.lower().split())
            assert h[name] == n, (field, value)
    assert h["established_phrase"] == f"{(EVENTS['certainty'] == 'established').sum()} of the {len(EVENTS)} claims are"


def test_a_direction_added_to_the_schema_is_counted(tmp_path):
    root = package_copy(tmp_path)
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    events = next(r for r in descriptor["resources"] if r["name"] == "events")
    direction = next(f for f in events["schema"]["fields"] if f["name"] == "direction")
    direction["constraints"]["enum"].append("to third states")
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    text = (root / "data" / "events.csv").read_text(encoding="utf-8")
    (root / "data" / "events.csv").write_text(text.replace(",Iran;Russia,mutual,", ",Iran;Russia,to third states,", 1), encoding="utf-8")
    data = entente.load(root)
    h = facts.headline(data)
    assert h["to_third_states"] == 1 and h["to_third_states_counted"] == "1 claim"
    assert h["mutual"] == (EVENTS["direction"] == "mutual").sum() - 1


def test_most_named_places_counts_claims_per_place():
    named = EVENTS[EVENTS["theatres"] != ""]["theatres"].str.split(";").explode().value_counts()
    phrase = facts.counts_of(DATA.events)["most_named_places"]
    top = named.iloc[0]
    assert f"({top})" in phrase.split(",")[0]
    assert facts.in_prose(["a", "b", "c"]) == "a, b and c" and facts.in_prose(["a"]) == "a"


def test_withdrawn_claims_are_left_out(tmp_path):
    package_copy(tmp_path)
    with open(tmp_path / "data" / "changes.csv", "a", encoding="utf-8") as f:
        f.write("2099-01-01,E001,withdrawn,Test: the claim no longer stands.\n")
    data = entente.load(tmp_path)
    assert "E001" not in set(data.events["event_id"])
    assert len(data.events) == len(EVENTS) - 1


def test_a_value_shared_by_two_counted_fields_is_refused_not_overwritten(tmp_path):
    root = package_copy(tmp_path)
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    events = next(r for r in descriptor["resources"] if r["name"] == "events")
    certainty = next(f for f in events["schema"]["fields"] if f["name"] == "certainty")["constraints"]["enum"]
    next(f for f in events["schema"]["fields"] if f["name"] == "direction")["constraints"]["enum"].append(certainty[-1])
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(ValueError, match="already taken"):
        facts.counts_of(DATA.events, schema=entente.Schema(root / "datapackage.json"))


def test_states_named_counts_actors_and_third_parties_most_named_first():
    named = facts.states_named(DATA.events, besides=("Iran", "Russia"), schema=DATA.schema)
    both = (EVENTS["actors"] + ";" + EVENTS["third_parties"]).str.split(";").explode()
    others = both[(both != "") & ~both.isin(["Iran", "Russia"])].value_counts()
    top = others.index[0]
    assert named.startswith(("the " if top == "United States" else "") + top)
    assert "Iran" not in named.replace("Iranian", "") and "Russia " not in named
    assert len(others) > 2 and named.count(",") == len(others) - 2 and " and " in named
