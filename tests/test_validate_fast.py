"""Property-based tests: each quick way the validator and the loader take gives exactly what the general way
gives, so speed never changes a message or a loaded value.

The quick ways (issue 11): missing cells found by equality tests rather than a set lookup; a text column of
mostly distinct values judged cell by cell through its fast pass instead of through its distinct values; a
file offered to pandas' parser before it is decoded here; the change record's ids hashed once together; each
claim's sources worked out on positions instead of a merge, a sort and a groupby. Each test runs both ways on
generated input and compares the results whole. Nothing here is timed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entente import checks, csvfile, data
from entente.checks import Column, FieldCheck, check_table, one_of_these
from entente.csvfile import ROW, read_table
from entente.schema import Field, Resource

SETTINGS = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# Cells that stress the fast pass: spaces at either end, formula starts, curly quotes, categories, empties.
PIECES = st.sampled_from(["", " ", "\t", "\r", "=", "+", "-", "@", "a", "B", "7", "é", "“", "”", "\u00a0",
                          "\u2028", "x-y", "military", "E001"])
CELL = st.one_of(st.lists(PIECES, max_size=4).map("".join), st.sampled_from(["", "NA", "military", "naval"]))


@st.composite
def text_fields(draw) -> Field:
    constraints = {}
    if draw(st.booleans()):
        constraints["required"] = True
    if draw(st.booleans()):
        constraints["pattern"] = draw(st.sampled_from(["^[a-z0-9]+(-[a-z0-9]+)*$", "^E[0-9]{3,}$", "[a-z]"]))
    if draw(st.booleans()):
        constraints["minLength"] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        constraints["maxLength"] = draw(st.integers(2, 6))
    if draw(st.booleans()):
        constraints["enum"] = ["military", "naval", "x-y"]
    if draw(st.booleans()):
        constraints["unique"] = True
    return Field("cell", "cell", "string", "", constraints, None)


def _table(values: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"cell": pd.Series(values, dtype=object)})
    frame[ROW] = np.arange(2, len(values) + 2, dtype="int64")
    return frame


@SETTINGS
@given(field=text_fields(), values=st.lists(CELL, max_size=60), missing=st.sampled_from([("",), ("", "NA")]))
def test_a_text_column_judged_cell_by_cell_gives_the_problems_its_distinct_values_give(field, values, missing):
    """A column of mostly distinct texts is judged cell by cell through its fast pass; any column judged that
    way gives exactly the problems (rows, values, messages, order) it gives judged through its distinct values."""
    frame = _table(values)
    resource = Resource("t", "t.csv", "t", "", (field,), (), (), missing)
    check = FieldCheck(field)
    by_cell = Column(frame, resource, "cell").judged_by_cell(check)
    by_value = Column(frame, resource, "cell").judged(check.judge)
    assert by_cell == by_value


@SETTINGS
@given(field=text_fields(), values=st.lists(CELL, max_size=60), missing=st.sampled_from([("",), ("", "NA")]))
def test_check_table_gives_the_same_problems_whichever_way_a_column_is_judged(field, values, missing, monkeypatch_module):
    """The whole table's problems are the same when every text column is taken for mostly distinct (judged cell
    by cell) and when none is (judged through its distinct values)."""
    frame = _table(values)
    resource = Resource("t", "t.csv", "t", "", (field,), (), (), missing)
    monkeypatch_module.setattr(checks, "SAMPLE", 1)
    monkeypatch_module.setattr(checks, "MOSTLY_DISTINCT", 0.0)
    by_cell = check_table(frame, resource, "t.csv")
    monkeypatch_module.setattr(checks, "MOSTLY_DISTINCT", 2.0)
    by_value = check_table(frame, resource, "t.csv")
    assert [str(p) for p in by_cell] == [str(p) for p in by_value]
    assert by_cell == by_value


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


@SETTINGS
@given(cells=st.lists(CELL, max_size=40), texts=st.lists(CELL, max_size=12))
def test_one_of_these_by_equality_matches_set_membership(cells, texts):
    """Missing cells, trueValues and categories found by one equality test per text are the cells a set of
    the texts holds, for few texts and for many."""
    expected = np.array([cell in set(texts) for cell in cells], dtype=bool)
    assert one_of_these(np.array(cells, dtype=object), texts).tolist() == expected.tolist()


# --- Reading: the quick reading is offered the bytes before they are decoded --------------------------------

BYTE_PIECES = st.sampled_from([b'"', b'""', b",", b"\n", b"\r\n", b" ", b"a", b"cell", "é".encode(),
                               b"\xe9", b"\xff", b"\xed\xa0\x80", b"\xef\xbb\xbf", "\u3000".encode(), b"\t"])


@st.composite
def files(draw) -> bytes:
    """Bytes of a small CSV: the right header or not, rows of cells, now and then a byte that is not UTF-8
    or a file of nothing but (Unicode) spaces."""
    kind = draw(st.sampled_from(["rows", "regular", "pieces", "blank"]))
    if kind == "regular":  # the quick reading's kind of file, now and then with a byte that is not UTF-8
        cell = st.lists(st.sampled_from([b"a", b"cell", "é".encode(), b"\xe9", b"\xff", b"\xed\xa0\x80",
                                         "　".encode()]), max_size=3).map(b"".join)
        rows = [b"a,b"] + [b",".join(draw(st.lists(cell, min_size=2, max_size=2))) for _ in range(draw(st.integers(1, 4)))]
        return b"\n".join(rows) + b"\n"
    if kind == "pieces":
        return b"".join(draw(st.lists(BYTE_PIECES, max_size=30)))
    if kind == "blank":
        return "".join(draw(st.lists(st.sampled_from([" ", "\n", "\r\n", "\t", "\u3000", "\u00a0"]), max_size=6))).encode()
    rows = [b"a,b"] + [b",".join(draw(st.lists(st.lists(BYTE_PIECES, max_size=3).map(b"".join), min_size=2, max_size=2)))
                       for _ in range(draw(st.integers(0, 4)))]
    return b"\n".join(rows) + draw(st.sampled_from([b"", b"\n"]))


RESOURCE = Resource("t", "t.csv", "t", "", (Field("a", "a", "string", "", {}, None),
                                            Field("b", "b", "string", "", {}, None)), (), ())


@SETTINGS
@given(data=files())
def test_the_quick_reading_offered_undecoded_bytes_reads_what_the_csv_module_reads(data, tmp_path_factory, monkeypatch_module):
    """Whatever the bytes (not UTF-8, blank but for Unicode spaces, irregular), ``read_table`` gives the same
    frame and the same problems as when the quick reading is never tried."""
    path = tmp_path_factory.mktemp("read") / "t.csv"
    path.write_bytes(data)
    frame, problems = read_table(path, RESOURCE, "t.csv")
    with monkeypatch_module.context() as patch:
        patch.setattr(csvfile, "_quick_cells", lambda data: None)
        slow_frame, slow_problems = read_table(path, RESOURCE, "t.csv")
    assert problems == slow_problems
    assert [str(p) for p in problems] == [str(p) for p in slow_problems]
    assert frame.columns.tolist() == slow_frame.columns.tolist()
    assert frame.astype(object).values.tolist() == slow_frame.astype(object).values.tolist()


def test_a_file_with_a_byte_that_is_not_utf8_is_read_by_the_csv_module_and_the_cell_named(tmp_path):
    """The quick reading stops at a byte that is not UTF-8 (pandas decodes strictly), and the general way
    names the cell holding it."""
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\nfine,caf\xe9\n")
    frame, problems = read_table(path, RESOURCE, "t.csv")
    assert [(p.row, p.column, p.kind) for p in problems] == [(2, "b", "encoding")]
    assert "0xE9" in str(problems[0]) or "E9" in str(problems[0])


@pytest.mark.parametrize("text", ["\u3000", " \n\u00a0\r\n", "\ufeff\u2028\n"])
def test_a_file_of_nothing_but_unicode_spaces_is_empty(tmp_path, text):
    """A file with no visible character is empty, whatever spaces it holds (the quick reading is not
    offered it: it holds no visible ASCII character)."""
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode())
    frame, problems = read_table(path, RESOURCE, "t.csv")
    assert [str(p) for p in problems] == ["t.csv: expected a header row naming the columns, then one row per record, "
                                          "but the file is empty"]


# --- Loading: each claim's sources worked out on positions --------------------------------------------------

@st.composite
def citations(draw):
    """Claims, sources (reports and the article, with dates that tie) and links, every claim cited at least
    once when ``complete``."""
    n_events = draw(st.integers(1, 8))
    n_sources = draw(st.integers(1, 6))
    event_ids = draw(st.permutations([f"E{i:03d}" for i in range(n_events)]))
    source_ids = draw(st.permutations([f"s-{c}" for c in "abcdefgh"[:n_sources]]))
    sources = pd.DataFrame({
        "source_id": pd.array(source_ids, dtype="string"),
        "outlet": pd.array(draw(st.lists(st.sampled_from(["Alpha", "Beta", ""]), min_size=n_sources, max_size=n_sources)),
                           dtype="string"),
        "published": pd.array(draw(st.lists(st.sampled_from(["2022", "2022-11", "2022-11-15", "2021-03-01"]),
                                            min_size=n_sources, max_size=n_sources)), dtype="string"),
        "published_precision": pd.array(["year"] * n_sources, dtype="string"),
        "year_inferred": pd.array(draw(st.lists(st.booleans(), min_size=n_sources, max_size=n_sources)), dtype="boolean"),
        "kind": pd.array(draw(st.lists(st.sampled_from(["report", "article"]), min_size=n_sources, max_size=n_sources)),
                         dtype="string"),
    })
    sources["published_date"] = checks.partial_dates(sources["published"])["first"].astype("datetime64[s]")
    sources["published_label"] = data._labels(sources["published"], sources["published_precision"])
    pairs = draw(st.lists(st.tuples(st.sampled_from(event_ids), st.sampled_from(source_ids)), max_size=20, unique=True))
    if draw(st.booleans()):  # every claim cited
        pairs += [(e, draw(st.sampled_from(source_ids))) for e in event_ids if e not in {p[0] for p in pairs}]
        pairs = list(dict.fromkeys(pairs))
    links = pd.DataFrame({"event_id": pd.array([p[0] for p in pairs], dtype="string"),
                          "source_id": pd.array([p[1] for p in pairs], dtype="string")})
    events = pd.DataFrame({"event_id": pd.array(event_ids, dtype="string"), "theme": np.arange(n_events)})
    return events, sources, links


@SETTINGS
@given(tables=citations())
def test_claims_sources_on_positions_gives_what_the_merge_sort_and_groupby_give(tables):
    """Each claim's count of reports, its sources' ids and labels and its first source (reports by date, ties
    by source id, the article last) come out the same worked out on positions as merged, sorted and grouped;
    the positions way declines (None) exactly when some claim has no source."""
    events, sources, links = tables
    general = events.join(data._claims_sources_by_groupby(links, sources), on="event_id")
    quick = data._claims_sources_by_position(links, sources, events)
    if not events["event_id"].isin(links["event_id"]).all():
        assert quick is None
        return
    assert quick is not None and quick.index.equals(pd.Index(events["event_id"]))
    pd.testing.assert_frame_equal(pd.concat([events, quick.set_axis(events.index)], axis=1), general)


# --- Rules: distinct pairs and shared id codes ---------------------------------------------------------------

@SETTINGS
@given(rows=st.lists(st.tuples(CELL, CELL), max_size=40))
def test_distinct_pairs_give_every_row_its_own_pair_once(rows):
    """Each row's code names its own (a, b) pair, and each distinct pair is listed once: what the MultiIndex
    factorisation the rules used before gives, up to order."""
    from entente.rules import distinct_pairs

    a, b = [r[0] for r in rows], [r[1] for r in rows]
    codes, pairs = distinct_pairs(a, b)
    assert [pairs[c] for c in codes.tolist()] == rows
    assert len(pairs) == len(set(pairs)) == len(set(rows))


@SETTINGS
@given(ids=st.lists(CELL, max_size=30), links=st.lists(CELL, max_size=30), kinds=st.lists(st.sampled_from(["report", "article"]), max_size=30))
def test_shared_id_codes_answer_membership_as_isin_does(ids, links, kinds):
    """A claim is cited, and its reports counted, the same by codes shared across tables as by ``isin``,
    ``value_counts`` and ``map``."""
    from entente.rules import Tables, _report_counts, every_claim_has_a_source  # noqa: F401

    sources = pd.DataFrame({"source_id": pd.Series([f"s{i}" for i in range(len(kinds))], dtype=object),
                            "kind": pd.Series(kinds, dtype=object)})
    citing = [f"s{i % max(len(kinds), 1)}" for i in range(len(links))]
    frames = {"events": pd.DataFrame({"event_id": pd.Series(ids, dtype=object)}),
              "claim_sources": pd.DataFrame({"event_id": pd.Series(links, dtype=object),
                                             "source_id": pd.Series(citing, dtype=object)}),
              "sources": sources}
    t = Tables(None, frames)
    (claims, cited), n = t.codes(("events", "event_id"), ("claim_sources", "event_id"))
    has = np.zeros(n, dtype=bool)
    has[cited] = True
    assert has[claims].tolist() == frames["events"]["event_id"].isin(links).tolist()
    reports = sources.loc[sources["kind"] == "report", "source_id"]
    links_frame = frames["claim_sources"]
    per_claim = links_frame.loc[links_frame["source_id"].isin(reports), "event_id"].value_counts()
    expected = frames["events"]["event_id"].map(per_claim).fillna(0)
    assert _report_counts(t).tolist() == expected.tolist()


@SETTINGS
@given(values=st.lists(CELL, max_size=30), listed=st.lists(CELL, max_size=30))
def test_unlisted_values_are_those_isin_misses_and_the_keys_those_pd_unique_gives(values, listed):
    """A foreign key's broken values, found with both columns hashed once together, are the ones ``isin``
    misses, and the keys offered for suggestions are ``pd.unique``'s, in its order."""
    from entente.checks import _unlisted

    broken, keys = _unlisted(np.array(values, dtype=object), np.array(listed, dtype=object))
    assert broken.tolist() == (~pd.Series(values, dtype=object).isin(listed)).tolist()
    assert list(keys) == list(pd.unique(np.array(listed, dtype=object)))
