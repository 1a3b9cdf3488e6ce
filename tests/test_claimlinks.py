"""Every number in the prose that counts claims links to the claims it counts.

The glue names that count claims are registered once (``facts.claim_counts``). Here: the facts give each
of them as a ``Counted`` carrying the right ids; the chapters paste them with ``{count}``, never with
``{glue:text}``; in the built web book each linked number equals the number of claims its link lists, and
every listed id has its entry in the register; in the PDF each note names ids of the data.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import entente
from conftest import HTML, ROOT, raw, require, require_html, standing_events
from entente import agreement, claimlinks, evidence, facts, findings, register
from entente.claimlinks import LIMIT, Counted

DATA = entente.load()
EVENTS = standing_events()
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
GLUE_TEXT = re.compile(r"\{glue:text\}`([^`:]+)`")
COUNT = re.compile(r"\{count\}`([^`]+)`")


def every_fact_set() -> dict[str, dict]:
    """The glue values the chapters take from the package, by where they come from."""
    sets = {"headline": facts.headline(DATA), "flows": findings.flow_facts(DATA.events, DATA.schema),
            "evidence": evidence.facts(DATA), "register": register.facts(DATA), "agreement": agreement.facts(DATA),
            "all": {f"all_{k}": v for k, v in facts.counts_of(DATA.events, schema=DATA.schema).items()}}
    sets.update({f"section {n}": facts.section(DATA, n) for n in range(1, 8)})
    return sets


def test_a_count_is_a_number_that_carries_its_ids_and_filter():
    n = Counted(["E001", "E002"], "paragraph = 1")
    assert n == 2 and n + 1 == 3 and f"{n} claims" == "2 claims" and str(n) == "2"
    assert n.ids == ("E001", "E002") and n.where == "paragraph = 1"
    assert Counted(["E100", "E050", "E1000"]).payload()["ids"] == ["E050", "E100", "E1000"]  # the register's order
    bundle = n._repr_mimebundle_()
    assert bundle["text/plain"] == "2"
    assert bundle[claimlinks.MIME] == {"n": 2, "ids": ["E001", "E002"], "where": "paragraph = 1"}


def test_past_the_limit_a_count_glues_its_filter_not_its_ids():
    many = Counted([f"E{i:03d}" for i in range(LIMIT + 1)], "stage = done")
    assert many.payload() == {"n": LIMIT + 1, "ids": [], "where": "stage = done"}
    assert Counted([f"E{i:03d}" for i in range(LIMIT)]).payload()["ids"]


def test_every_registered_count_carries_the_ids_it_counts_and_only_those_are_counts():
    for origin, values in every_fact_set().items():
        # The register counts withdrawn claims too: every id events.csv has ever held.
        known = set(raw("events")["event_id"] if origin == "register" else EVENTS["event_id"])
        for name, value in values.items():
            registered = facts.counts_claims(name, DATA.schema)
            assert registered == isinstance(value, Counted), f"{origin}: {name} (registered: {registered})"
            if registered:
                assert len(value.ids) == value and len(set(value.ids)) == len(value.ids), (origin, name)
                assert set(value.ids) <= known, (origin, name)


def test_counts_carry_the_right_claims():
    """Checked against the CSVs read with plain pandas."""
    first = EVENTS[EVENTS["paragraph"] == "1"]
    section = facts.section(DATA, 1)
    assert set(section["claims"].ids) == set(first["event_id"])
    done = first[(first["direction"] == "Iran to Russia") & (first["stage"] == "done")]
    assert set(section["iran_to_russia_done"].ids) == set(done["event_id"])
    assert "paragraph = 1" in section["iran_to_russia_done"].where
    links, sources = raw("claim_sources"), raw("sources")
    reported = set(links[links["source_id"].map(sources.set_index("source_id")["kind"]) == "report"]["event_id"])
    head = facts.headline(DATA)
    assert set(head["on_article"].ids) == set(EVENTS["event_id"]) - reported
    assert set(head["hedged"].ids) == set(EVENTS[EVENTS["certainty"] != "established"]["event_id"])
    # The register's own counts and the methodology's units of the second coding.
    every = raw("events")["event_id"]
    own = register.facts(DATA)
    assert list(own["register_claims"].ids) == sorted(every, key=lambda i: (len(i), i))
    assert set(own["register_withdrawn"].ids) == set(every) - set(EVENTS["event_id"])
    coded = set(raw("coding/first_coding")["event_id"]) & set(raw("coding/second_coding")["event_id"])
    assert set(agreement.facts(DATA)["units"].ids) == coded <= set(raw("coding/units")["event_id"])


def test_chapters_paste_counts_of_claims_with_the_count_role_only():
    pasted_plain, not_counts = [], []
    for chapter in CHAPTERS:
        text = chapter.read_text(encoding="utf-8")
        pasted_plain += [f"{chapter.name}: {n}" for n in GLUE_TEXT.findall(text) if facts.counts_claims(n, DATA.schema)]
        not_counts += [f"{chapter.name}: {n}" for n in COUNT.findall(text) if not facts.counts_claims(n, DATA.schema)]
    assert pasted_plain == [], "counts of claims pasted with {glue:text}, unlinked"
    assert not_counts == [], "{count} used for a name not registered as a count of claims"
    assert sum(len(COUNT.findall(c.read_text(encoding="utf-8"))) for c in CHAPTERS) > 30


# The built web book.

def _register_ids() -> set[str]:
    """Every anchor of a claim entry on the register's pages, read from the built files."""
    pages = (require_html() / "chapters").glob("register*.html")
    return {m for p in pages for m in re.findall(r'<div class="entente-claim" id="([^"]+)"', p.read_text(encoding="utf-8"))}


def _resolves(href: str, anchors: set[str]) -> bool:
    page, _, anchor = href.partition("#")
    return bool(re.fullmatch(r"register(-\d+)?\.html", page)) and (require_html() / "chapters" / page).is_file() \
        and anchor in anchors and claimlinks.register.href(anchor) == href


def _pages_with_counts() -> list[Path]:
    return [require_html() / "chapters" / f"{c.stem}.html" for c in CHAPTERS if COUNT.search(c.read_text(encoding="utf-8"))]


def page_facts(stem: str) -> dict:
    """The glue values a page takes from the package, as its cells do."""
    sets = every_fact_set()
    if re.match(r"0[1-7]-", stem):
        return {**sets[f"section {int(stem[:2])}"], **(sets["all"] if stem.startswith("07") else {})}
    return {"intro": {**sets["headline"], **sets["flows"]}, "08-evidence": sets["evidence"], "register": sets["register"],
            "methodology": {**sets["headline"], **sets["agreement"]},
            "summary": {**sets["headline"], **sets["evidence"]}}.get(stem, sets["headline"])


def test_each_linked_number_equals_the_claims_its_link_lists():
    anchors = _register_ids()
    assert len(anchors) >= len(EVENTS)
    checked = 0
    for path in _pages_with_counts():
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        values = page_facts(path.stem)
        links = soup.select("a.entente-count")
        assert links, f"{path.name}: no linked count"
        for link in links:
            n, href = int(link.get_text(strip=True)), link["href"]
            if href.startswith("#"):
                item = soup.find(id=href[1:])
                assert item is not None and item.name == "li", f"{path.name}: {href} leads nowhere"
                listed = [a["href"] for a in item.select("a.entente-claim-link")]
                if "entente-counted-filter" in item.get("class", []):
                    assert n > LIMIT and listed == [], f"{path.name}: {href}"
                    assert f"{n} claims" in item.get_text(), f"{path.name}: {href}"
                    explorer = item.select("a.entente-counted-explore")
                    where = values[link["data-count"]].where
                    assert len(explorer) == (claimlinks.explorer_href(f"chapters/{path.stem}", where) is not None), (path.name, where)
                    for a in explorer:  # the explorer's filter selects as many claims as the number says
                        assert _explorer_selects(path, a["href"]) == n, f"{path.name}: {a['href']}"
                else:
                    assert 1 < n == len(listed) == len(set(listed)), f"{path.name}: {href} lists {len(listed)}, says {n}"
            else:
                listed = [href]
                assert n == 1, f"{path.name}: a count of {n} links to one entry"
            counted = values[link["data-count"]]
            assert n == counted, f"{path.name}: {link['data-count']}"
            if n <= LIMIT:  # the very claims the count counts, in the register's order
                assert [h.partition("#")[2] for h in listed] == counted.payload()["ids"], f"{path.name}: {link['data-count']}"
            unresolved = [h for h in listed if not _resolves(h, anchors)]
            assert unresolved == [], f"{path.name}: ids without a register entry"
            checked += 1
    assert checked > 30


def _explorer_selects(page: Path, href: str) -> int:
    """How many of the book's claims the explorer's address ``href`` (relative to ``page``) selects, by pandas."""
    from urllib.parse import parse_qsl

    from conftest import standing_events

    target, _, fragment = href.partition("#")
    assert (page.parent / target).resolve() == (require_html() / "chapters" / "explore.html").resolve(), href
    events = standing_events()
    for field, value in parse_qsl(fragment):
        events = events[events[field] == value]
    return len(events)


def test_a_filter_the_explorer_can_apply_links_to_it():
    assert claimlinks.explorer_href("chapters/intro", "direction = Iran to Russia; stage = done") == \
        "explore.html#direction=Iran%20to%20Russia&stage=done"
    assert claimlinks.explorer_href("index", "") == "chapters/explore.html"
    for where in ("paragraph = 1; stage = done", "certainty is not established", "at least one cited report"):
        assert claimlinks.explorer_href("chapters/intro", where) is None, where


def test_a_page_lists_the_claims_of_the_first_paragraph_flows():
    soup = BeautifulSoup((require_html() / "chapters" / "01-arms.html").read_text(encoding="utf-8"), "html.parser")
    first = EVENTS[EVENTS["paragraph"] == "1"]
    done = first[(first["direction"] == "Iran to Russia") & (first["stage"] == "done")]["event_id"]
    item = soup.find(id="counted-iran-to-russia-done")
    assert item is not None
    assert [a.get_text() for a in item.select("a.entente-claim-link")] == sorted(done)


# The PDF.

def test_the_pdf_notes_name_the_claims_counted():
    from test_pdf import flat, pdf_text

    text = flat(pdf_text())
    notes = re.findall(r"Claims? ((?:E\d+(?:, | and )?)+); see the claim register", text)
    assert len(notes) > 20, "too few notes naming claims in the PDF"
    named = {i for note in notes for i in re.findall(r"E\d+", note)}
    assert named and named <= set(EVENTS["event_id"])
    filters = re.findall(r"The (\d+) claims selected by the filter", text)
    assert all(int(n) > LIMIT for n in filters)
