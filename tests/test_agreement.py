"""Agreement measures, checked against worked examples (not recomputed the way the code computes them)."""
import math

import pandas as pd
import pytest

from entente.agreement import EXACT, JACCARD, KAPPA, cohen_kappa, compare, items, jaccard, measure_of
from entente.schema import Field


def field(name, **kw):
    base = dict(name=name, title=name, type="string", description="", constraints={}, list_items=None)
    base.update(kw)
    return Field(**base)


def test_kappa_matches_the_textbook_example():
    # Wikipedia's worked example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> po 0.7, pe 0.5, kappa 0.4.
    first = pd.Series(["yes"] * 25 + ["no"] * 25)
    second = pd.Series(["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15)
    assert cohen_kappa(first, second) == pytest.approx(0.4)


def test_kappa_is_one_for_identical_codings_and_below_zero_for_systematic_disagreement():
    a = pd.Series(["x", "y", "z", "x"])
    assert cohen_kappa(a, a) == pytest.approx(1.0)
    assert cohen_kappa(pd.Series(["x", "y"]), pd.Series(["y", "x"])) == pytest.approx(-1.0)
    assert cohen_kappa(pd.Series(["x", "x"]), pd.Series(["x", "x"])) == 1.0  # one value throughout
    assert math.isnan(cohen_kappa(pd.Series([], dtype=str), pd.Series([], dtype=str)))


def test_jaccard_of_lists_ignores_order_case_and_spaces():
    assert items("Iran;Russia") == items("russia; Iran")
    assert jaccard(items("Iran;Russia"), items("Iran")) == pytest.approx(0.5)
    assert jaccard(items(""), items("")) == 1.0
    assert jaccard(items("Iran"), items("")) == 0.0


def test_the_measure_follows_the_fields_kind_in_the_schema():
    assert measure_of(field("certainty", constraints={"enum": ["a", "b"]})) == KAPPA
    assert measure_of(field("date_inferred", type="boolean")) == KAPPA
    assert measure_of(field("actors", list_items=("Iran", "Russia"))) == JACCARD
    assert measure_of(field("event_date")) == EXACT


def test_compare_lists_each_disagreement_and_counts_agreement():
    fields = [field("certainty", constraints={"enum": ["established", "possible"]}),
              field("actors", list_items=("Iran", "Russia")), field("event_date")]
    first = pd.DataFrame({"event_id": ["E001", "E002", "E003"], "certainty": ["established", "possible", "possible"],
                          "actors": ["Iran;Russia", "Iran", ""], "event_date": ["", "2022-11", ""]})
    second = pd.DataFrame({"event_id": ["E003", "E002", "E001", "E999"],
                           "certainty": ["possible", "established", "established", "possible"],
                           "actors": ["", "Iran;Russia", "Russia;Iran", "Iran"], "event_date": ["", "2022-11", "2022", ""]})
    agreement, disagreements = compare(first, second, fields)
    by_field = agreement.set_index("field")
    assert by_field.loc["certainty", "agree"] == 2 and by_field.loc["certainty", "units"] == 3  # E999 is not a unit
    assert by_field.loc["actors", "value"] == pytest.approx((1 + 0.5 + 1) / 3)
    assert by_field.loc["event_date", "value"] == pytest.approx(2 / 3)
    assert sorted(map(tuple, disagreements[["event_id", "field"]].values)) == [
        ("E001", "event_date"), ("E002", "actors"), ("E002", "certainty")]
