"""A chart's data beside it (entente.chartdata): the CSV holds the numbers the chart draws, every claim id
behind each row; the table view links each id to the register up to the book's one limit; hostile text
stays text; the PDF line names the ids; and each chart's description gives numbers computed from the data.

Expected values are worked out here from the CSVs with plain pandas (conftest.standing_events), never
with the code under test."""
from __future__ import annotations

import ast
import csv
import html
import io
import re
from pathlib import Path
from urllib.parse import unquote

import altair as alt
import pandas as pd
import pytest

import entente
from conftest import ROOT, raw, standing_events
from entente import chartdata, charts, explore, labels, register, render, tables

DATA = entente.load()
EVENTS = standing_events()
LIMIT = labels.ID_LIST_LIMIT

# Every chart kind the book draws, as the chapters call it.
KINDS = {
    "timeline": lambda e: charts.timeline(e),
    "flows": lambda e: charts.flows(e),
    "certainty_profile": lambda e: charts.certainty_profile(e),
    "claims_ladder": lambda e: charts.claims_ladder(e),
    "theatres": lambda e: charts.theatres(e),
    "relations": lambda e: charts.relations(e),
    "status": lambda e: charts.status(e),
    "flow_stages": lambda e: charts.flow_stages(e, DATA.schema),
    "support_matrix": lambda e: charts.support_matrix(e, DATA.schema),
    "explorer": lambda e: explore.explorer(e),
}


def table(chart) -> chartdata.ChartTable:
    return chartdata.table_of(chart.to_dict())[1]


def parsed_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def ids_of(frame: pd.DataFrame) -> pd.Series:
    """Each row's ids as a list (none for an empty cell, as a matrix's empty cells have)."""
    return frame["Claim ids"].map(lambda text: text.split(";") if text else [])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_chart_kind_carries_its_rows_and_every_id(kind):
    """Each kind attaches its data; the web spec drops it (the page carries it once, in the table and CSV)."""
    spec = KINDS[kind](DATA.events).to_dict()
    drawn, attached = chartdata.detach(spec)
    assert attached is not None, f"{kind}: no data table attached"
    assert chartdata.KEY not in str(drawn.get("usermeta", {}))
    assert attached.rows and len(attached.rows) == len(attached.ids)
    known = set(EVENTS["event_id"])
    assert set(attached.all_ids) <= known and attached.all_ids, kind
    page = render.chart_html(spec)
    assert chartdata.KEY not in page.split("<script", 1)[1].split("</script>", 1)[0]


def test_a_row_without_claims_comes_back_with_no_ids_and_the_others_with_theirs_in_id_order():
    # The ids travel in the spec as one string per row; an empty row is no id, not one blank id.
    rows = pd.DataFrame({"cell": ["a", "b"], "claim_ids": [[], ["E1000", "E002", "E999"]]})
    chart = chartdata.attach(alt.Chart(pd.DataFrame({"x": [1]})).mark_point(), rows, "cells", {"cell": "Cell"})
    attached = chartdata.detach(chart.to_dict())[1]
    assert attached.ids == [[], ["E002", "E999", "E1000"]] and attached.all_ids == ["E002", "E999", "E1000"]
    assert attached.csv() == "Cell,Claim ids\na,\nb,E002;E999;E1000\n"


def test_status_csv_holds_the_counts_of_the_raw_data():
    frame = parsed_csv(table(charts.status(DATA.events)).csv())
    got = {(r["Status"], r["Domain"]): int(r["Claims"]) for _, r in frame.iterrows()}
    assert got == EVENTS.groupby(["status", "domain"]).size().to_dict()
    ids = {(r["Status"], r["Domain"]): sorted(r["Claim ids"].split(";")) for _, r in frame.iterrows()}
    assert ids == {k: sorted(v) for k, v in EVENTS.groupby(["status", "domain"])["event_id"].agg(list).items()}


def test_theatres_csv_counts_each_named_place():
    frame = parsed_csv(table(charts.theatres(DATA.events)).csv())
    named = EVENTS[EVENTS["theatres"] != ""].assign(place=lambda e: e["theatres"].str.split(";")).explode("place")
    got = frame.assign(n=frame["Claims"].astype(int)).groupby(frame.columns[0])["n"].sum()
    assert got.sort_index().to_dict() == named["place"].value_counts().sort_index().to_dict()


def test_flow_stages_csv_matches_the_chart_spec():
    """The CSV's rows are the spec's rows: same groups, same counts; its ids are the full lists the
    tooltip shortens."""
    chart = charts.flow_stages(DATA.events, DATA.schema)
    (rows,) = chart.to_dict()["datasets"].values()
    frame = parsed_csv(table(chart).csv())
    assert len(frame) == len(rows)
    for row, (_, line) in zip(rows, frame.iterrows()):
        assert int(line["Claims"]) == row["claims"] == len(line["Claim ids"].split(";"))
        assert labels.id_list(line["Claim ids"].split(";")) == row["ids"]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_csv_counts_equal_its_ids(kind):
    """Nothing is capped: a row's count is the number of ids the CSV gives it (where the chart counts)."""
    frame = parsed_csv(table(KINDS[kind](DATA.events)).csv())
    if "Claims" in frame.columns:
        assert (frame["Claims"].astype(int) == ids_of(frame).map(len)).all(), kind


def test_the_csv_names_every_id_however_many_and_the_table_view_stops_at_the_limit():
    many = pd.concat([DATA.events[DATA.events["event_id"] == "E001"]] * (LIMIT + 15), ignore_index=True)
    many["event_id"] = [f"E{200 + i}" for i in range(len(many))]
    attached = table(charts.status(many))
    frame = parsed_csv(attached.csv())
    assert frame["Claim ids"].tolist() == [";".join(many["event_id"])]
    page = attached.html()
    links = re.findall(r'<a href="([^"]+)">(E\d+)</a>', page)
    assert [i for _, i in links] == list(many["event_id"][:LIMIT])
    assert all(href == register.href(i) for href, i in links)
    assert f" and 15 more" in page
    # The tooltip of the same mark stops at the same limit.
    (rows,) = charts.status(many).to_dict()["datasets"].values()
    assert rows[0]["ids"] == ", ".join(many["event_id"][:LIMIT]) + " and 15 more"


def test_the_id_limit_is_one_constant():
    """labels.id_list shortens every list of ids (tooltips, tables, the table view) to ID_LIST_LIMIT, and no
    module passes it another limit or shortens a list of ids its own way."""
    assert labels.id_list([f"E{i:03d}" for i in range(LIMIT + 3)]).endswith(" and 3 more")
    assert labels.id_list([f"E{i:03d}" for i in range(LIMIT)]).count(",") == LIMIT - 1
    for path in sorted((ROOT / "entente").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "id_list":
                assert len(node.args) <= 1 and not node.keywords, f"{path.name}:{node.lineno}: id_list given a limit"
        text = path.read_text(encoding="utf-8")
        if path.name not in ("labels.py", "chartdata.py"):
            assert not re.search(r"more\b[^\n]*\b(ids|event_id)|\bids\[:\d", text), f"{path.name} shortens ids itself"
    assert "ID_LIST_LIMIT" in (ROOT / "entente" / "chartdata.py").read_text(encoding="utf-8")
    assert "from .labels import id_list" in (ROOT / "entente" / "tables.py").read_text(encoding="utf-8")


def test_the_data_uri_decodes_to_the_csv_and_downloads_under_the_chart_name():
    attached = table(charts.relations(DATA.events))
    page = attached.html()
    link = re.search(r'<a download="([^"]+)" href="data:text/csv;charset=utf-8,([^"]+)"', page)
    assert link.group(1) == "who-is-named-with-whom.csv"
    assert unquote(html.unescape(link.group(2))) == attached.csv()


HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


def test_hostile_text_shows_as_text_in_the_table_and_csv():
    events = DATA.events.head(4).copy()
    events["summary"] = [HOSTILE, "=SUM(A1)", "+1", "@cmd"]
    attached = table(charts.claims_ladder(events))
    page = attached.html()
    assert "<script>" not in page and "<b>" not in page
    assert html.escape(HOSTILE) in page
    rows = list(csv.reader(io.StringIO(attached.csv())))
    summaries = [r[0] for r in rows[1:]]
    assert summaries[0] == HOSTILE
    assert summaries[1:] == ["'=SUM(A1)", "'+1", "'@cmd"], "a formula start is quoted for spreadsheets"
    whole = render.chart_html(charts.claims_ladder(events).to_dict())
    assert "<script>alert" not in whole


def test_a_chart_without_attached_data_shows_its_one_dataset():
    chart = alt.Chart(pd.DataFrame({"event_id": ["E001", "E002"], "n": [1, 2]})).mark_bar().encode(x="n:Q", y="event_id:N")
    attached = table(chart)
    assert attached.rows == [["E001", 1], ["E002", 2]] and attached.ids == [["E001"], ["E002"]]
    two = alt.hconcat(chart, alt.Chart(pd.DataFrame({"m": [3]})).mark_bar().encode(x="m:Q"))
    with pytest.raises(ValueError, match="datasets"):
        table(two)


def test_the_pdf_line_names_the_ids_or_past_the_limit_their_number_and_the_register():
    few = DATA.events.head(3)
    assert table(charts.status(few)).printed_lines() == [f"Drawn from 3 claims: {', '.join(few['event_id'])}."]
    lines = " ".join(table(charts.status(DATA.events)).printed_lines())
    ids = sorted(EVENTS["event_id"], key=lambda i: (len(i), i))
    assert f"Drawn from {len(ids)} claims, {ids[0]} to {ids[-1]}" in lines and "claim register" in lines
    spec = render.stamped_spec(charts.status(few).to_dict(), "Data as of today", ["Drawn from 3 claims."])
    assert spec["title"]["text"] == ["Data as of today", "Drawn from 3 claims."]


def test_the_figure_file_keeps_what_it_prints_for_the_pdf_build(monkeypatch):
    """The book's PDF figure carries, in a comment before its first object, the very lines printed under it,
    which the PDF build reads (the register's appendix); the comment leaves the PDF well formed."""
    monkeypatch.chdir(ROOT / "chapters")  # where the book's notebooks run, so the chart is stamped
    spec = charts.status(DATA.events.head(3)).to_dict()
    stub = render.book_renderer(spec)["application/pdf"]  # the kernel's stub; the LaTeX build draws it
    pdf = render.figure_pdf(stub)
    printed = " ".join(table(charts.status(DATA.events.head(3))).printed_lines())
    assert chartdata.printed_in(stub) == printed and printed.startswith("Drawn from 3 claims: ")
    assert chartdata.printed_in(pdf) == printed
    assert render.canonical_pdf(pdf) == pdf  # already canonical: offsets and objects are right
    plain = b"%PDF-1.7\n%\x80\n1 0 obj\n<<>>\nendobj\n"
    assert chartdata.printed_in(plain) == ""
    assert chartdata.printed_in(chartdata.mark_pdf(plain, ["Drawn from", "2 claims: E001, E002."])) == \
        "Drawn from 2 claims: E001, E002."


# --- each description states numbers computed from the data ----------------------------------------

def description(chart) -> str:
    return chart.to_dict()["description"]


def test_status_description_gives_each_status_count():
    text = description(charts.status(DATA.events))
    assert f"{len(EVENTS)} claims" in text
    top = EVENTS["status"].value_counts()
    for status, n in top.head(3).items():
        assert f"{status} {n}" in text


def test_flow_stages_description_gives_each_direction_and_stage():
    text = description(charts.flow_stages(DATA.events, DATA.schema))
    flows = EVENTS[EVENTS["direction"] != moves_nothing()]
    assert f"{len(flows)} claims" in text
    for (direction, stage), n in flows.groupby(["direction", "stage"]).size().items():
        assert re.search(rf"{re.escape(direction)}: [^;]*\b{n} {re.escape(stage)}\b", text), (direction, stage, text)


def test_theatres_description_gives_the_most_named_places():
    text = description(charts.theatres(DATA.events))
    named = EVENTS[EVENTS["theatres"] != ""]["theatres"].str.split(";").explode().value_counts()
    place, n = next(iter(named.items()))
    assert f"{place} {n}" in text and f"{(EVENTS['theatres'] == '').sum()} claims naming none" in text


def test_relations_description_gives_the_pair_named_most():
    text = description(charts.relations(DATA.events))
    both = EVENTS.apply(lambda e: {"Iran", "Russia"} <= set((e["actors"] + ";" + e["third_parties"]).split(";")), axis=1)
    assert f"Iran and Russia {both.sum()}" in text


def test_timeline_and_ladder_descriptions_count_what_they_place():
    dated = EVENTS[EVENTS["event_date"] != ""]
    assert f"{len(dated)} claims with an event date" in description(charts.timeline(DATA.events))
    first = EVENTS[EVENTS["paragraph"] == "1"]
    text = description(charts.claims_ladder(DATA.paragraph(1)))
    assert f"{len(first)} claims" in text
    for level, n in first["certainty"].value_counts().items():
        assert f"{level} {n}" in text


def test_support_matrix_description_gives_its_largest_cell():
    text = description(charts.support_matrix(DATA.events, DATA.schema))
    (level, support), n = next(iter(EVENTS.groupby(["certainty", "evidence"]).size().sort_values(ascending=False, kind="stable").items()))
    assert f"{level}, {support} {n}" in text


def test_the_renderer_puts_the_description_in_the_aria_label():
    chart = charts.status(DATA.events)
    page = render.chart_html(chart.to_dict())
    assert f'aria-label="{html.escape(description(chart))}"' in page


def moves_nothing() -> str:
    """The direction that moves nothing, as datapackage.json names it (x-moves-nothing)."""
    import json

    package = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    fields = next(r for r in package["resources"] if r["name"] == "events")["schema"]["fields"]
    return next(f for f in fields if f["name"] == "direction")["x-moves-nothing"]


def test_the_web_book_writes_each_csv_beside_its_page():
    """The builder's step: each data: link becomes a file beside the page, named for the chart, two of one
    name told apart, the file holding the CSV exactly."""
    attached = table(charts.status(DATA.events))
    body, files = chartdata.files_beside("chapters/intro", attached.html() + attached.html())
    assert list(files) == ["chartdata/intro/where-matters-stand.csv", "chartdata/intro/where-matters-stand-2.csv"]
    assert all(text == attached.csv() for text in files.values())
    assert chartdata.DATA_URI not in body
    assert re.findall(r'<a download="([^"]+)" href="([^"]+)"', body) == [
        ("where-matters-stand.csv", "chartdata/intro/where-matters-stand.csv"),
        ("where-matters-stand-2.csv", "chartdata/intro/where-matters-stand-2.csv")]
