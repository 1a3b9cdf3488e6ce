"""Support of claims by reports and outlets, on a small package whose answers are known by hand."""
import pandas as pd

from entente import evidence

EVENTS = pd.DataFrame({"event_id": ["E1", "E2", "E3", "E4", "E5"]})
SOURCES = pd.DataFrame({
    "source_id": ["art", "post-1", "post-2", "wire-1"],
    "outlet": ["The Monitor", "The Post", "The Post", "The Wire"],
    "kind": ["article", "report", "report", "report"],
    "outlet_country": ["A", "B", "B", "C"],
    "outlet_type": ["think tank", "news outlet", "news outlet", "state media"],
    "outlet_inferred": [False, True, True, False],
})
# E1 on the article alone; E2 on one Post report; E3 on two Post reports (one outlet); E4 on the Post and the
# Wire; E5 on the Wire alone.
LINKS = pd.DataFrame([("E1", "art"), ("E2", "post-1"), ("E3", "post-1"), ("E3", "post-2"), ("E4", "post-2"),
                      ("E4", "wire-1"), ("E5", "wire-1")], columns=["event_id", "source_id"])


def test_support_counts_reports_and_outlets_per_claim():
    s = evidence.support(EVENTS, LINKS, SOURCES).set_index("event_id")
    assert s["reports"].to_dict() == {"E1": 0, "E2": 1, "E3": 2, "E4": 2, "E5": 1}
    assert s["outlets"].to_dict() == {"E1": 0, "E2": 1, "E3": 1, "E4": 2, "E5": 1}
    assert s.loc["E4", "outlet_names"] == "The Post;The Wire"
    assert s["article_only"].tolist() == [True, False, False, False, False]
    assert evidence.support_counts(EVENTS, LINKS, SOURCES) == {
        "claims": 5, "article_only": 1, "single_report": 2, "several_reports": 2, "single_outlet": 3}


def test_outlets_table_counts_claims_and_citation_shares():
    table = evidence.outlets(EVENTS, LINKS, SOURCES).set_index("outlet")
    assert list(table.index) == ["The Post", "The Wire"]  # the article itself is no outlet of a report
    assert table.loc["The Post", "claims"] == 3 and table.loc["The Post", "citations"] == 4
    assert table.loc["The Post", "reports"] == 2
    assert table.loc["The Wire", "share"] == 2 / 6
    assert table.loc["The Wire", "country"] == "C" and not table.loc["The Wire", "inferred"]


def test_set_aside_drops_the_article_alone_and_the_leading_outlet_when_it_is_the_only_support():
    assert evidence.leading_outlet(EVENTS, LINKS, SOURCES) == "The Post"
    kept = {name: list(frame["event_id"]) for name, frame in evidence.set_aside(EVENTS, LINKS, SOURCES).items()}
    assert kept == {"nothing": ["E1", "E2", "E3", "E4", "E5"], "article alone": ["E2", "E3", "E4", "E5"],
                    "leading outlet": ["E1", "E4", "E5"], "both": ["E4", "E5"]}


def test_no_report_at_all_has_no_leading_outlet():
    links = pd.DataFrame([("E1", "art")], columns=["event_id", "source_id"])
    assert evidence.leading_outlet(EVENTS.head(1), links, SOURCES) is None
    assert evidence.set_aside(EVENTS.head(1), links, SOURCES)["leading outlet"]["event_id"].tolist() == ["E1"]
