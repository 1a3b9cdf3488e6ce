"""The claim register: an entry for every claim id ever used, withdrawn ones included, each with its fields,
its sources through the link table and its change history; text from the data shows as text."""
import dataclasses
import html
import json
import re
import shutil

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

import entente
from entente import register
from conftest import ROOT, raw

DATA = entente.load()
EVENTS, LINKS, SOURCES, CHANGES = raw("events"), raw("claim_sources"), raw("sources"), raw("changes")
DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


def fields(resource: str) -> list[dict]:
    return next(r for r in DESCRIPTOR["resources"] if r["name"] == resource)["schema"]["fields"]


def rendered(data) -> BeautifulSoup:
    """The register as a reader gets it: GitHub-flavoured Markdown with raw HTML, as the book parses outputs."""
    markdown = register.register(data).to_markdown()
    return BeautifulSoup(MarkdownIt("gfm-like", {"html": True}).render(markdown), "html.parser")


def entry(page: BeautifulSoup, event_id: str):
    found = page.select(f'div.entente-claim[id="{event_id}"]')
    assert len(found) == 1, f"{event_id}: {len(found)} entries"
    return found[0]


def words(element) -> str:
    # No separator: a linked id is an element of its own, and the text around it keeps its own spacing.
    return " ".join(element.get_text().split())


@pytest.fixture(scope="module")
def page():
    return rendered(DATA)


def test_every_claim_id_has_one_entry_in_id_order(page):
    ids = [div["id"] for div in page.select("div.entente-claim")]
    assert ids == sorted(EVENTS["event_id"], key=lambda i: (len(i), i))


def test_each_entry_carries_its_id_in_both_cases(page):
    for event_id in EVENTS["event_id"]:
        div = entry(page, event_id)
        lower = page.find_all(id=event_id.lower())
        assert len(lower) == 1 and div in lower[0].parents, f"#{event_id.lower()} is not inside the entry"


def test_each_entry_gives_every_field_of_its_claim_by_its_title(page):
    titles = [f["title"] for f in fields("events")]
    for row in EVENTS.to_dict("records"):
        cells = [[words(td) for td in tr.select("td")] for tr in entry(page, row["event_id"]).select("table")[0].select("tbody tr")]
        assert cells == [[title, row[f["name"]]] for title, f in zip(titles, fields("events"))], row["event_id"]


def test_each_entry_lists_its_sources_with_their_fields(page):
    sources = SOURCES.set_index("source_id")
    for event_id in EVENTS["event_id"]:
        carried = list(LINKS[LINKS["event_id"] == event_id]["source_id"])
        table = entry(page, event_id).select("table")[1]
        assert [words(th) for th in table.select("thead th")] == [f["title"] for f in fields("sources")]
        rows = [[words(td) for td in tr.select("td")] for tr in table.select("tbody tr")]
        assert rows == [[sid, *(sources.at[sid, f["name"]] for f in fields("sources")[1:])] for sid in carried]


def test_each_entry_lists_its_changes_oldest_first(page):
    for event_id in EVENTS["event_id"]:
        own = CHANGES[CHANGES["record_id"] == event_id].sort_values("date", kind="stable")
        table = entry(page, event_id).select("table")[-1]
        rows = [[words(td) for td in tr.select("td")] for tr in table.select("tbody tr")]
        assert rows == own[["date", "change", "description"]].values.tolist(), event_id


def test_a_withdrawn_claim_keeps_its_entry_with_the_reason(tmp_path):
    shutil.copy2(ROOT / "datapackage.json", tmp_path)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    with open(tmp_path / "data" / "changes.csv", "a", encoding="utf-8") as f:
        f.write("2099-01-01,E012,withdrawn,Test: the report behind it was retracted.\n")
    data = entente.load(tmp_path, use_cache=False)
    assert "E012" not in set(data.events["event_id"])
    page = rendered(data)
    assert len(page.select("div.entente-claim")) == len(EVENTS)
    text = words(entry(page, "E012"))
    assert "Withdrawn. Test: the report behind it was retracted." in text
    assert "Withdrawn" not in words(entry(page, "E011"))
    assert register.register(data).withdrawn == 1
    assert register.facts(data)["register_withdrawn"].ids == ("E012",)
    assert register.facts(data)["register_claims"] == len(EVENTS)


def test_text_from_the_data_shows_as_text():
    hostile = "<script>alert(1)</script> **bold** [link](http://example.com) | pipe {glue:text}`x`"
    events = DATA.events.copy()
    events.loc[0, "summary"] = hostile
    events.loc[0, "notes"] = "</div><div id=\"E002\">"
    page = rendered(dataclasses.replace(DATA, events=events))
    first = entry(page, events.loc[0, "event_id"])
    assert not page.select("script, strong:not(:is(p > strong:first-child)), a[href^='http']")
    assert hostile in words(first) and '</div><div id="E002">' in words(first)
    assert len(page.select('[id="E002"]')) == 1


def test_claim_ids_in_an_entry_link_to_their_entries(page):
    mentioned = EVENTS[EVENTS["notes"].str.contains(r"\bE[0-9]{3}\b")].iloc[0]
    links = entry(page, mentioned["event_id"]).select("a.entente-claim-link")
    named = re.findall(r"\bE[0-9]{3,}\b", mentioned["notes"])
    assert [a.get_text() for a in links][-len(named):] == named
    assert all(a["href"] == f"register.html#{a.get_text()}" for a in links)


def test_links_are_built_from_the_id_alone():
    assert register.href("E012") == "register.html#E012"
    assert html.unescape(register.linked_cell("E012 & E013", DATA.schema)).count("register.html#") == 2


def moved(data, mapping: dict[str, str]):
    """``data`` with some claims given other ids, everywhere they are named: to place claims on later pages."""
    return dataclasses.replace(
        data, events=data.events.assign(event_id=data.events["event_id"].replace(mapping)),
        claim_sources=data.claim_sources.assign(event_id=data.claim_sources["event_id"].replace(mapping)),
        changes=data.changes.assign(record_id=data.changes["record_id"].replace(mapping)))


def test_a_claims_page_follows_from_its_id_alone():
    assert [register.href(i) for i in ("E001", "E099", "E100", "E150", "E0150", "E1051", "E012345")] == [
        "register.html#E001", "register.html#E099", "register-1.html#E100", "register-1.html#E150",
        "register-1.html#E0150", "register-10.html#E1051", "register-123.html#E012345"]


def test_the_register_pages_itself_a_hundred_ids_to_a_page():
    data = moved(DATA, {"E050": "E150", "E051": "E1051"})
    claim_register = register.register(data)
    assert len(claim_register) == len(EVENTS) and list(claim_register.pages) == [0, 1, 10]
    assert "E150" not in claim_register.entries and "E050" not in claim_register.entries
    first = BeautifulSoup(MarkdownIt("gfm-like", {"html": True}).render(claim_register.to_markdown()), "html.parser")
    assert [(a["href"], a.get_text()) for a in first.select("a.entente-register-page")] == [
        ("register-1.html", "E150"), ("register-10.html", "E1051")]
    later = {name: BeautifulSoup(body, "html.parser") for name, _, body in register.later_pages(data)}
    assert list(later) == ["register-1", "register-10"]
    for name, event_id in (("register-1", "E150"), ("register-10", "E1051")):
        entry = later[name].select_one(f'div.entente-claim[id="{event_id}"]')
        assert entry is not None and entry.find(id=event_id.lower()) is not None
        assert words(entry).startswith(f"{event_id}: ")
    # A table anywhere in the book links a moved claim to its page.
    table = entente.tables.claims(data.events[data.events["event_id"] == "E150"]).to_markdown()
    assert 'href="register-1.html#E150"' in table



def test_claims_are_in_numeric_id_order_past_three_digits():
    data = moved(DATA, {"E050": "E1000", "E051": "E999", "E001": "E0100"})
    assert list(register.claims(data)["event_id"])[-4:] == ["E049", "E999", "E0100", "E1000"]
    assert list(register.pages(data)) == [0, 9, 1, 10]


def test_entries_of_some_pages_or_ids_are_those_of_the_whole_register():
    # The chapter and the PDF read only the rows of the claims they write: the entries must not differ.
    data = moved(DATA, {"E050": "E150", "E051": "E1051", "E002": "E151"})
    links = pd.concat([data.claim_sources, pd.DataFrame([["E150", "rferl-2022-11-15"]],
                                                        columns=["event_id", "source_id"], dtype="string")],
                      ignore_index=True)
    data = dataclasses.replace(data, claim_sources=links)
    every = register.entries(data, register.Html)
    later = register.entries(data, register.Html, on_pages={1})
    assert list(later) == ["E150", "E151"] and later == {i: every[i] for i in later}
    assert "2 sources" in later["E150"] and "E150" in every["E150"]
    named = register.entries(data, register.Markdown, only={"E001", "E1051"})
    assert named == {i: e for i, e in register.entries(data).items() if i in ("E001", "E1051")}


def test_a_claim_carried_by_several_sources_lists_each_of_them():
    # The article's data gives one source a claim; a claim several reports carry is read from the link table.
    extra = [["E001", "rferl-2022-11-15"], ["E001", "edm-2022-12"]]
    links = pd.concat([DATA.claim_sources, pd.DataFrame(extra, columns=["event_id", "source_id"], dtype="string")],
                      ignore_index=True)
    page = rendered(dataclasses.replace(DATA, claim_sources=links))
    table = entry(page, "E001").select("table")[1]
    listed = [words(tr.select_one("td")) for tr in table.select("tbody tr")]
    assert listed == [*LINKS[LINKS["event_id"] == "E001"]["source_id"], "rferl-2022-11-15", "edm-2022-12"]
    assert "3 sources" in words(entry(page, "E001"))


def test_later_pages_write_the_same_entries_as_the_chapter():
    # The chapter's entries go through the book's Markdown parser; later pages are written as HTML directly.
    as_markdown = rendered(DATA)
    as_html = BeautifulSoup("\n".join(register.entries(DATA, register.Html).values()), "html.parser")
    for event_id in EVENTS["event_id"]:
        ours, theirs = entry(as_html, event_id), entry(as_markdown, event_id)
        assert [words(td) for td in ours.select("p, th, td")] == [words(td) for td in theirs.select("p, th, td")]
        assert [a["href"] for a in ours.select("a")] == [a["href"] for a in theirs.select("a")]
        assert ours.find(id=event_id.lower()) is not None


# --- the PDF's appendix: every claim up to the limit, past it the claims the PDF names --------------------

def appendix_text(nodes_) -> list[str]:
    """The appendix as the LaTeX writer gets it: its opening paragraph, then each entry's text."""
    return [" ".join(n.astext().split()) for n in nodes_]


def test_with_the_real_data_the_appendix_gives_every_claim():
    every = sorted(EVENTS["event_id"], key=lambda i: (len(i), i))
    assert len(every) <= register.APPENDIX_LIMIT
    out = appendix_text(register.appendix(DATA, cited=set()))
    assert out[0].startswith(f"This appendix gives the entry of every claim the data has held, {len(every)} claims")
    assert [text.split(":")[0] for text in out[1:]] == every


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A synthetic package of more claims than the PDF's appendix lists in full."""
    from entente import synth

    folder = tmp_path_factory.mktemp("synthetic")
    synth.write_package(register.APPENDIX_LIMIT + 50, folder, seed=3, root=ROOT)
    return entente.load(folder, use_cache=False)


def test_past_the_limit_the_appendix_gives_the_cited_claims_and_those_they_name(synthetic):
    every = list(register.claims(synthetic)["event_id"])
    assert len(every) > register.APPENDIX_LIMIT
    # Claims whose notes name another claim: the named one must come too, and the one it names in turn.
    events = synthetic.events.copy()
    a, b, c, far = every[5], every[700], every[1500], every[-1]
    events.loc[events["event_id"] == a, "notes"] = f"Compare {b}."
    events.loc[events["event_id"] == b, "notes"] = f"See {c}; not E0000000."  # not a claim's id: no entry
    data = dataclasses.replace(synthetic, events=events)
    cited = {a, far, "E99999999"}
    nodes_ = register.appendix(data, cited)
    out = appendix_text(nodes_)
    listed = [text.split(":")[0] for text in out[1:]]
    assert listed == [a, b, c, far]  # in id order
    total, rest = len(every), len(every) - 4
    assert f"The data holds {total:,} claims, more than the {register.APPENDIX_LIMIT:,}" in out[0]
    assert f": 4 in all. The other {rest:,} claims are not listed here" in out[0]
    assert "data/events.csv" in out[0] and "Downloads page" in out[0] and "claim register of the web edition" in out[0]
    # Nothing the appendix prints names a claim without its entry in it.
    pattern = register.claim_id_pattern(data.schema)
    named = {i for text in out for i in pattern.findall(text)} & set(every)
    assert named <= set(listed)


def test_the_choice_of_entries_on_its_own():
    every = [f"E{i:03d}" for i in range(1, 11)]
    names = {"E002": ["E005"], "E005": ["E002", "E009"], "E009": []}
    pick = lambda cited, limit: register.appendix_ids(every, cited, lambda i: names.get(i, []), limit)
    assert pick({"E002"}, limit=10) == every  # up to the limit, every claim
    assert pick({"E002"}, limit=9) == ["E002", "E005", "E009"]
    assert pick({"E010", "E404"}, limit=9) == ["E010"]
    assert pick(set(), limit=9) == []
