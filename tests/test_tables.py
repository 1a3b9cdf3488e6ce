"""Tables: right rows and counts, and text from the data always shows as text."""
import dataclasses
import json
import re

import pandas as pd
import pytest
from markdown_it import MarkdownIt

import entente
from entente import tables
from conftest import ROOT, raw

DATA = entente.load()
EVENTS = raw("events")
DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


def enum(field: str) -> list[str]:
    fields = next(r for r in DESCRIPTOR["resources"] if r["name"] == "events")["schema"]["fields"]
    return next(f for f in fields if f["name"] == field)["constraints"]["enum"]

HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "{cite:p}`fake` and {glue:text}`claims`",
    "**bold** _em_ [link](http://example.com) ![img](x.png)",
    "a | pipe | in | cell",
    "$x^2$ and \\ backslash and `code`",
    "line one\nline two\r\nline three",
    "&lt;already escaped&gt; &amp;",
]


def gfm_html(markdown: str) -> str:
    """Render as the book does (GitHub-flavoured Markdown, raw HTML allowed) to see what a reader gets."""
    return MarkdownIt("gfm-like", {"html": True}).render(markdown)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_in_a_cell_stays_text(text):
    html = gfm_html(tables.Table(pd.DataFrame({"Claim": [text], "Id": ["E012"]})).to_markdown())
    assert "<script" not in html and "<img" not in html and "<strong>" not in html
    # The one link is the claim id's, to its register entry; the hostile text makes none.
    assert re.findall(r"<a\b[^>]*>", html) == ['<a class="entente-claim-link" href="register.html#E012">']
    assert html.count("<tr>") == 2, "one header row and one body row: no cell split or merged"
    cell = html.split("<td>")[1].split("</td>")[0]
    from html import unescape
    assert unescape(cell) == " ".join(text.split())


def test_claims_table_lists_the_claims_of_a_paragraph():
    table = tables.claims(DATA.paragraph(2))
    assert list(table.frame["Id"]) == list(EVENTS[EVENTS["paragraph"] == "2"]["event_id"])
    assert table.frame.columns.tolist() == ["Id", "Claim", "When", "Certainty", "Hedge words", "Sources"]


def test_claims_table_is_bounded_and_says_so():
    table = tables.claims(DATA.events, limit=10)
    assert len(table) == 10
    assert f"Showing 10 of {len(EVENTS)} claims" in table.to_markdown()


def test_a_count_of_one_takes_the_singular():
    assert "Showing 0 of 1 claim;" in tables.claims(DATA.events.head(1), limit=0).note
    assert "Showing 1 of 2 claims;" in tables.claims(DATA.events.head(2), limit=1).note
    one_change = dataclasses.replace(DATA, changes=DATA.changes.head(1))
    assert "Showing 0 of 1 change;" in tables.changes(one_change, limit=0).note


def test_claims_table_names_each_report_by_outlet_and_date():
    table = tables.claims(DATA.events, limit=None).frame.set_index("Id")
    assert table.loc["E013", "Sources"] == "Asia Times Online, 17 Nov 2022"


def test_counts_table_matches_a_crosstab_of_the_csv():
    table = tables.counts(DATA.events, "domain", "certainty").frame.set_index("Domain")
    expected = pd.crosstab(EVENTS["domain"], EVENTS["certainty"])
    for domain in expected.index:
        for level in expected.columns:
            assert table.loc[domain, level] == expected.loc[domain, level]
    assert table.loc["Total", "Total"] == len(EVENTS)
    # Both ways in the codebook's order, as datapackage.json lists it.
    assert list(table.columns) == [*[c for c in enum("certainty") if c in set(EVENTS["certainty"])], "Total"]
    assert list(table.index) == [*[d for d in enum("domain") if d in set(EVENTS["domain"])], "Total"]
    assert list(table.columns) == ["established", "reported", "alleged", "possible", "Total"], "the known scale"


def test_counts_table_keeps_numbers_in_numeric_order():
    table = tables.counts(DATA.events, "paragraph", "certainty").frame
    assert list(table["Paragraph"]) == [*sorted(EVENTS["paragraph"].astype(int).unique()), "Total"]


def test_sources_table_lists_every_source_with_its_claims():
    table = tables.sources(DATA).frame
    assert sorted(table["Source id"]) == sorted(raw("sources")["source_id"])
    links = raw("claim_sources")
    links = links[links["event_id"].isin(EVENTS["event_id"])]
    assert table["Claims"].sum() == len(links)
    per_source = links.groupby("source_id").size()
    for row in table.itertuples(index=False):
        assert row.Claims == per_source.get(row[0], 0)
    for row in table.itertuples(index=False):
        ids = list(links[links["source_id"] == row[0]]["event_id"])
        # Ten ids at most (the book's one limit), then how many more.
        assert row[-1] == ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
    assert per_source.max() > 10, "the data has a source with more ids than the limit, so the bound is exercised"


def test_sources_table_lists_at_most_its_limit_and_says_how_many_there_are():
    table = tables.sources(DATA, limit=5)
    assert list(table.frame["Source id"]) == list(raw("sources")["source_id"][:5])
    assert f"Showing 5 of {len(raw('sources'))} sources;" in table.note


def test_sources_table_bounds_its_id_lists():
    many = DATA.claim_sources.assign(source_id="edm-2022-12").drop_duplicates()
    data = dataclasses.replace(DATA, claim_sources=many)
    cell = tables.sources(data).frame.set_index("Source id").loc["edm-2022-12", "Claim ids"]
    first_ten = ", ".join(sorted(EVENTS["event_id"])[:10])
    assert cell == f"{first_ten} and {len(EVENTS) - 10} more"


def test_field_tables_come_from_the_schema():
    for resource in DESCRIPTOR["resources"]:
        table = tables.fields(DATA.schema, resource["name"]).frame
        assert list(table["Field"]) == [f["name"] for f in resource["schema"]["fields"]]
        assert list(table["Meaning"]) == [f["description"] for f in resource["schema"]["fields"]]


def test_changes_table_is_newest_first():
    dates = list(tables.changes(DATA, limit=None).frame["Date"])
    assert dates == sorted(dates, reverse=True)


def test_tables_show_as_markdown_and_plain_text():
    bundle = tables.claims(DATA.paragraph(1))._repr_mimebundle_()
    assert set(bundle) == {"text/markdown", "text/plain"}
    rows = re.findall(r"^\| <a [^>]*>E0[0-9]+</a> \|", bundle["text/markdown"], re.M)
    assert len(rows) == (EVENTS["paragraph"] == "1").sum()


def linked_ids(markdown: str) -> list[tuple[str, str]]:
    """(target, text) of every link in the rendered table."""
    return re.findall(r'<a [^>]*href="([^"]*)"[^>]*>([^<]*)</a>', gfm_html(markdown))


def test_claim_ids_in_a_chapter_table_link_to_their_register_entries():
    table = tables.claims(DATA.paragraph(2))
    ids = list(EVENTS[EVENTS["paragraph"] == "2"]["event_id"])
    assert linked_ids(table.to_markdown()) == [(f"register.html#{i}", i) for i in ids]


def test_every_claim_id_of_an_id_list_links_and_nothing_else_does():
    table = tables.sources(DATA)
    links = linked_ids(table.to_markdown())
    listed = [i for cell in table.frame["Claim ids"] for i in re.findall(r"E[0-9]{3,}", cell)]
    assert [text for _, text in links] == listed and all(href == f"register.html#{text}" for href, text in links)
    assert "and 1 more</a>" not in table.to_markdown(), "the count of the rest is no link"


@pytest.mark.parametrize("text, linked", [("E012", ["E012"]), ("see E012, E1000.", ["E012", "E1000"]),
                                          ("XE012 E01 E012x e012 E012_3", [])])
def test_only_whole_claim_ids_are_linked(text, linked):
    links = linked_ids(tables.Table(pd.DataFrame({"Note": [text]})).to_markdown())
    assert [t for _, t in links] == linked
