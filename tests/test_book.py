"""The built web book: every chapter executed and carries its charts and tables; glued numbers are right."""
import functools
import json
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import HTML, ROOT, as_of_label, data_stamp, data_version, drawn_charts, raw, require_html, standing_events

EVENTS = standing_events()
SOURCES = raw("sources")
CHAPTERS = [c["file"] for part in yaml.safe_load((ROOT / "_toc.yml").read_text())["parts"] for c in part["chapters"]]
PART_ONE = [c for c in CHAPTERS if re.match(r"chapters/0\d-", c)]
WITH_CHARTS = ["chapters/intro", *PART_ONE, "chapters/methodology", "chapters/explore"]
WITH_TABLES = ["chapters/intro", *PART_ONE, "chapters/methodology", "chapters/changes"]


def page(doc: str) -> BeautifulSoup:
    return BeautifulSoup((require_html() / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")


def text(doc: str) -> str:
    # No separator: glued values are inline spans, and the source's own spacing is kept around them.
    return " ".join(page(doc).select_one("main, article, body").get_text().split())


def test_seven_chapters_follow_the_seven_paragraphs():
    # One chapter per body paragraph, in order (01-…, …, 07-…); then the chapter on evidence.
    numbers = sorted(int(p) for p in EVENTS["paragraph"].unique() if p)
    assert numbers == list(range(1, 8))
    assert [c.split("/")[-1][:2] for c in PART_ONE[:7]] == [f"{n:02d}" for n in numbers]
    assert PART_ONE[7:] == ["chapters/08-evidence"]


def test_no_chapter_failed_to_execute():
    reports = require_html() / "reports"
    failures = sorted(p.name for p in reports.rglob("*.err.log")) if reports.exists() else []
    assert failures == []
    for doc in CHAPTERS + ["chapters/intro"]:
        body = text(doc)
        assert "Traceback" not in body and "Error" not in body.replace("Errors", ""), doc


@pytest.mark.parametrize("doc", WITH_CHARTS)
def test_chapter_carries_a_chart(doc):
    charts = page(doc).select("div.entente-chart")
    assert charts, f"{doc} has no chart"
    for chart in charts:
        assert chart.get("aria-label"), "every chart is described for screen readers"


@pytest.mark.parametrize("doc", WITH_CHARTS)
def test_every_chart_is_drawn_from_vega_that_sphinx_compiled(doc):
    """The kernels leave Vega-Lite (entente.render.compile_later); the page draws Vega, one spec per chart."""
    body = (require_html() / f"{doc}.html").read_text(encoding="utf-8")
    specs = drawn_charts(body)
    assert "ententeVegaLite(" not in body
    assert sorted(specs) == sorted(c["id"] for c in page(doc).select("div.entente-chart"))
    assert all(s["$schema"].startswith("https://vega.github.io/schema/vega/v") for s in specs.values())


@pytest.mark.parametrize("doc", WITH_TABLES)
def test_chapter_carries_a_real_table(doc):
    tables = page(doc).select("table")
    assert tables and all(t.select("tbody tr") for t in tables), f"{doc} has no typeset table"
    assert "| --- |" not in text(doc), "no Markdown table left unparsed"


@pytest.mark.parametrize("n", range(1, 8))
def test_chapter_table_lists_its_paragraphs_claims(n):
    doc = PART_ONE[n - 1]
    listed = [td.get_text(strip=True) for td in page(doc).select("table tbody tr td:first-child")]
    expected = list(EVENTS[EVENTS["paragraph"] == str(n)]["event_id"])
    assert [i for i in listed if i in expected] == expected


def test_intro_glues_the_headline_numbers():
    body = text("chapters/intro")
    links = raw("claim_sources")
    reported = set(links[links["source_id"].map(SOURCES.set_index("source_id")["kind"]) == "report"]["event_id"])
    on_reports = EVENTS["event_id"].isin(reported).sum()
    established = (EVENTS["certainty"] == "established").sum()
    assert f"makes {len(EVENTS)} claims across {EVENTS['paragraph'].nunique()} paragraphs" in body
    assert f"{on_reports} claims rest on {(SOURCES['kind'] == 'report').sum()} reports" in body
    assert f"{len(EVENTS) - on_reports} cite nothing but the article itself" in body
    assert f"It states {established} of them ({round(100 * established / len(EVENTS))}%) as fact" in body
    assert f"Only {(EVENTS['event_date'] != '').sum()} carry a date" in body
    # The main finding compares like with like: what was done, per direction.
    done = EVENTS[EVENTS["stage"] == "done"]
    i2r, r2i = (done["direction"] == "Iran to Russia").sum(), (done["direction"] == "Russia to Iran").sum()
    assert f"{i2r} run from Iran to Russia" in body and f"{r2i} run from Russia to Iran" in body


def test_chapters_glue_their_own_counts():
    for n, doc in enumerate(PART_ONE[:7], start=1):
        claims = (EVENTS["paragraph"] == str(n)).sum()
        assert re.search(rf"\b{claims} claims\b", text(doc)), doc
    body = text("chapters/01-arms")
    first = EVENTS[(EVENTS["paragraph"] == "1") & (EVENTS["stage"] == "done")]
    assert f"{(first['direction'] == 'Iran to Russia').sum()} moved from Iran to Russia" in body
    assert f"{(first['direction'] == 'Russia to Iran').sum()} moved the other way" in body


def test_glued_dates_come_from_the_data():
    assert "dated 15 Nov 2022" in text("chapters/02-sea-lanes")
    assert EVENTS.set_index("event_id").loc["E013", "event_date"] == "2022-11-15"


def test_as_of_date_is_shown():
    assert as_of_label() in text("chapters/changes")


def test_codebook_lists_every_field():
    body = text("chapters/methodology")
    for column in EVENTS.columns:
        assert column in body


def test_bibliography_lists_every_source():
    body = text("chapters/references")
    for outlet in SOURCES["outlet"].unique():
        assert outlet in body


def test_no_dead_widget_in_the_static_book():
    for doc in CHAPTERS:
        html = (require_html() / f"{doc}.html").read_text(encoding="utf-8")
        assert "application/vnd.jupyter.widget" not in html, doc


# The claim register: every id ever used (withdrawn ones too) has an entry, reached under either case.
REGISTER = "chapters/register"
ALL_IDS = list(raw("events")["event_id"])


@functools.cache
def ids_of(path: Path) -> dict:
    """Each id of a built page and the elements carrying it, the page parsed once."""
    elements: dict = {}
    for element in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find_all(id=True):
        elements.setdefault(element["id"], []).append(element)
    return elements


def follow(doc: str, href: str):
    """The element a link of page ``doc`` lands on in the built HTML (None if the page or the id is missing)."""
    path, _, fragment = href.partition("#")
    target = (require_html() / doc).parent / path if path else require_html() / f"{doc}.html"
    if not target.is_file():
        return None
    found = ids_of(target.resolve()).get(fragment, [])
    assert len(found) <= 1, f"{href}: the id is not unique on its page"
    return found[0] if found else None


def untypeset(text: str) -> str:
    """Text as the data has it, before Sphinx's smart quotes, dashes and ellipses."""
    for typeset, plain in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("…", "..."), ("—", "---"), ("–", "--")):
        text = text.replace(typeset, plain)
    return text


def entry_of(element):
    """The register entry an element is, or lies in."""
    if element is None:
        return None
    return element if "entente-claim" in element.get("class", []) else element.find_parent(class_="entente-claim")


@pytest.mark.parametrize("form", [str, str.lower], ids=["as written", "lowercased"])
def test_both_forms_of_a_register_address_land_on_the_entry(form):
    for event_id in ALL_IDS:
        entry = entry_of(follow(REGISTER, f"register.html#{form(event_id)}"))
        assert entry is not None and entry["id"] == event_id, f"register.html#{form(event_id)}"


def test_register_entries_show_their_sources_and_changes():
    links, changes = raw("claim_sources"), raw("changes")
    outlets = SOURCES.set_index("source_id")["outlet"]
    for event_id in ALL_IDS:
        body = " ".join(entry_of(follow(REGISTER, f"register.html#{event_id}")).get_text().split())
        for source_id in links[links["event_id"] == event_id]["source_id"]:
            assert source_id in body and outlets[source_id] in body, (event_id, source_id)
        for description in changes[changes["record_id"] == event_id]["description"]:
            assert " ".join(description.split()) in untypeset(body), event_id


@pytest.mark.parametrize("doc", PART_ONE[:7])
def test_claim_ids_in_a_chapter_table_link_to_their_register_entries(doc):
    cells = [td for td in page(doc).select("table tbody tr td:first-child") if td.get_text(strip=True) in ALL_IDS]
    assert cells, f"{doc} has no table of claims"
    for td in cells:
        link = td.select_one("a.entente-claim-link")
        assert link is not None and link.get_text() == td.get_text(strip=True), f"{doc}: {td.get_text()} is not linked"
        entry = entry_of(follow(doc, link["href"]))
        assert entry is not None and entry["id"] == link.get_text(), f"{doc}: {link['href']} leads nowhere"


def test_every_claim_link_of_the_book_lands_on_its_entry():
    followed = 0
    for doc in CHAPTERS + ["chapters/intro"]:
        for link in page(doc).select("a.entente-claim-link"):
            entry = entry_of(follow(doc, link["href"]))
            assert entry is not None and entry["id"] == link.get_text(), f"{doc}: {link['href']}"
            followed += 1
    assert followed > len(ALL_IDS), "the chapters' tables and the register link the claims"
# --- provenance: stamps, citation, licences (issue 9) ------------------------------------------------

def charts_own(table) -> bool:
    """A chart's data table (entente.chartdata), shown under the chart's stamp, or the explorer's list of
    matches, which its script fills from the same claims as its timeline: part of the chart."""
    return (table.find_parent("details", class_="entente-chart-data") is not None
            or table.find_parent("div", class_="entente-explorer") is not None)


def stamps(doc: str) -> list[str]:
    """Every stamp on a page, in order: the line under each chart and the paragraph after each table."""
    found = []
    for element in page(doc).select("p.entente-stamp, table"):
        if element.name == "table" and charts_own(element):
            continue
        if element.name == "p":
            found.append(element.get_text(strip=True))
        else:  # the last paragraph of the table's own output, after the table and its note, if any
            output = element.find_parent("div", class_="cell_output")
            last = output.find_all("p", recursive=False)[-1:] if output is not None else []
            found.append(last[0].get_text(strip=True) if last and element in last[0].find_all_previous("table")
                         else "")
    return found


@pytest.mark.parametrize("doc", sorted(set(WITH_CHARTS + WITH_TABLES)))
def test_every_chart_and_table_carries_the_data_stamp(doc):
    charts, tables = page(doc).select("div.entente-chart"), [t for t in page(doc).select("table") if not charts_own(t)]
    found = stamps(doc)
    assert len(found) == len(charts) + len(tables)
    assert set(found) == {data_stamp()}, f"{doc}: {set(found)}"
    for chart in charts:  # directly under its chart, as text of the page
        stamp = chart.find_next_sibling("p")
        assert stamp is not None and "entente-stamp" in stamp.get("class", []), doc


def test_the_stamp_count_matches_the_charts_and_tables_of_the_whole_book():
    pages = [p for p in require_html().rglob("*.html") if p.relative_to(HTML).parts[0] not in ("_static", "_sources")]
    stamped = stamps_needed = 0
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        stamped += str(soup).count(data_stamp())
        # A register entry's own table of sources is part of the entry, not a table of the report.
        tables = [t for t in soup.find_all("table") if t.find_parent(class_="entente-claim") is None and not charts_own(t)]
        stamps_needed += len(soup.select("div.entente-chart")) + len(tables)
    assert stamped >= stamps_needed > 0


def test_every_page_footer_states_the_licences():
    for doc in ["chapters/intro", *CHAPTERS]:
        footer = page(doc).select_one(".extra_footer")
        assert footer is not None, doc
        words = " ".join(footer.get_text().split())
        assert "CC BY 4.0" in words and "MIT" in words and "is not ours" in words, doc


def test_the_landing_page_says_how_to_cite_it():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    section = page("chapters/intro").select_one("section#cite-this-report")
    assert section is not None
    words = " ".join(section.get_text().split())
    version = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]
    assert f"{config['author']} ({as_of_label()[-4:]}). {config['title']}. {data_stamp()} (release {version})." in words
    assert section.select_one("em").get_text() == config["title"]
    assert "CITATION.cff" in words and section.select_one("a[href*='downloads']") is not None


def test_the_downloads_page_gives_bibtex_for_this_edition():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    blocks = page("chapters/downloads").select("div.entente-bibtex pre, pre.entente-bibtex, .entente-bibtex pre")
    assert blocks, "no BibTeX block on the downloads page"
    entry = blocks[0].get_text()
    assert entry.startswith(f"@misc{{entente-report-{data_version()},")
    assert f"title = {{{config['title']}}}" in entry and f"author = {{{{{config['author']}}}}}" in entry
    assert f"version = {{{data_version()}}}" in entry and data_stamp() in entry


def test_the_citation_and_licences_are_downloads():
    listed = page("chapters/downloads").select("a[href^='../downloads/']")
    links = {a["href"].removeprefix("../downloads/") for a in listed}
    for name in ("CITATION.cff", "LICENSE-data.md", "LICENSE"):
        assert name in links, name
        assert (HTML / "downloads" / name).read_bytes() == (ROOT / name).read_bytes(), name


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a mapping naming one key twice (PyYAML keeps the last one silently)."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        doubled = sorted({k for k in keys if keys.count(k) > 1})
        assert not doubled, f"line {node.start_mark.line + 1}: keys given twice: {doubled}"
        return super().construct_mapping(node, deep=deep)


@pytest.mark.parametrize("name", ["_config.yml", "_toc.yml"])
def test_the_book_configuration_names_no_key_twice(name):
    """Two settings under one key (two `preamble`s, say) would lose the first without a word."""
    yaml.load((ROOT / name).read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
