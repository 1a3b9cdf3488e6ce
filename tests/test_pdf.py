"""The PDF `make pdf` built: its text (through poppler's pdftotext), its LaTeX source and log.

Under CI (CI=true) a missing pdftotext, PDF or web book fails the suite; elsewhere those tests are
skipped, with the reason.
"""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import as_of_label, data_stamp, data_version, heading, raw, require, standing_events, toc_files

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
PDF = BUILD / "entente-report.pdf"
LATEX = BUILD / "latex"
HTML = BUILD / "html"

pytestmark = pytest.mark.pdf


def flat(text: str) -> str:
    """Text as compared here: curly quotes and dashes made plain, soft hyphens gone, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    for fancy, plain in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("–", "-"), ("—", "-"), ("\u00ad", "")):
        text = text.replace(fancy, plain)
    return re.sub(r"\s+", " ", text).strip()


def letters(text: str) -> str:
    """Only letters and digits, lower case: robust to line breaks, hyphenation and typography."""
    return re.sub(r"[^0-9a-z]", "", flat(text).lower())


@lru_cache(maxsize=None)
def pdf_text(first: int | None = None, last: int | None = None) -> str:
    require(shutil.which("pdftotext") is not None, "pdftotext is missing (make system-pdf installs poppler-utils)")
    require(PDF.is_file(), f"no PDF at {PDF} (run `make pdf` first)")
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *pages, str(PDF), "-"],
                          check=True, capture_output=True, text=True).stdout


def tex_source() -> str:
    tex = LATEX / "book.tex"
    require(tex.is_file(), f"no LaTeX source at {tex} (run `make pdf` first)")
    return tex.read_text(encoding="utf-8")


def chapters() -> list[tuple[str, str]]:
    """Every document of _toc.yml with its title, read from the sources here (not by the code under test)."""
    return [(name, heading(name)) for name in toc_files()]


def test_pdf_is_where_the_makefile_puts_it():
    require(PDF.is_file(), f"no PDF at {PDF} (run `make pdf` first)")
    assert PDF.read_bytes().startswith(b"%PDF-") and (LATEX / "book.pdf").read_bytes() == PDF.read_bytes()


def test_title_page_carries_the_as_of_date():
    page_one = flat(pdf_text(1, 1))
    assert "The Russo-Iranian entente, in data" in page_one
    assert f"Data as of {as_of_label()}" in page_one


def test_every_chapter_title_is_in_the_pdf():
    text = flat(pdf_text())
    assert "contents" in text.lower()
    missing = [title for _, title in chapters() if flat(title) not in text]
    assert missing == [], f"chapter titles missing from the PDF: {missing}"


def appendices() -> list[str]:
    """The documents _config.yml sets as the PDF's appendices (latex_appendices), in order."""
    return list(book_config()["sphinx"]["config"].get("latex_appendices", []))


def test_chapters_are_numbered_and_in_order():
    """Part I's chapters, in _toc.yml's order, come out as numbered LaTeX chapters, after the introduction
    and the unnumbered key findings; the appendices (the claim register) come last, lettered."""
    tex = tex_source()
    found = re.findall(r"\\chapter\{(.*?)\}\n", tex)
    assert found and found[0] == "Introduction"
    assert r"\setcounter{secnumdepth}{-1}" in tex  # the introduction only; the rest is numbered
    body = [flat(re.sub(r"\\sphinxhyphen\{\}", "-", t)) for t in found[1:]]
    expected = [flat(title) for name, title in chapters()[1:] if name not in appendices()]
    assert body == expected + [flat(heading(name)) for name in appendices()]
    contents = flat(pdf_text(2, 6))  # the table of contents, after the title page
    numbered = [(name, title) for name, title in chapters()[1:]
                if name not in front_parts() and name not in appendices()]  # key findings: not numbered
    unlisted = [f"{n} {flat(title)}" for n, (_, title) in enumerate(numbered, start=1)
                if f"{n} {flat(title)}" not in contents]
    unlisted += [f"{letter} {flat(heading(name))}" for letter, name in zip("ABCDEFGH", appendices())
                 if f"{letter} {flat(heading(name))}" not in contents]
    assert unlisted == [], f"not in the table of contents: {unlisted}"


# --- the claim register: a lettered appendix with an entry for every claim id the PDF prints ----------------

CLAIM_ID = re.compile(r"(?<![0-9A-Za-z_])E[0-9]{3,}(?![0-9A-Za-z_])")  # datapackage.json's event_id pattern


def test_the_register_is_an_appendix_after_the_other_back_matter_and_nowhere_else():
    assert appendices() == ["chapters/register"]
    tex, title = tex_source(), heading("chapters/register")
    assert tex.count("\n\\appendix\n") == 1 and tex.count(f"\\chapter{{{title}}}") == 1
    after = tex.split("\n\\appendix\n")[1]
    assert after.lstrip().count("\\chapter{") == 1 and f"\\chapter{{{title}}}" in after
    # The other back matter (the last chapter of Part II, the bibliography) comes before it.
    last = heading(toc_files()[-1])
    assert tex.index(f"\\chapter{{{last}}}") < tex.index(r"\end{sphinxthebibliography}") < tex.index("\n\\appendix\n")
    toc = (LATEX / "book.toc").read_text(encoding="utf-8")
    assert re.search(r"\\numberline \{A\}" + re.escape(title), toc), "the register is not Appendix A"


def appendix_entries() -> list[str]:
    """The ids of the appendix's entries, in order: an entry opens with its id and summary ("E001: ...")."""
    text = pdf_text()
    start = text.find("This appendix gives the entr")
    assert start > 0, "no opening paragraph of the register's appendix in the PDF"
    return re.findall(r"(?m)^(E[0-9]{3,}): ", text[start:])


def test_with_the_real_data_the_appendix_gives_every_claim_in_id_order():
    every = sorted(raw("events")["event_id"], key=lambda i: (len(i), i))
    assert appendix_entries() == every


def test_every_claim_id_the_pdf_prints_has_its_entry_in_the_appendix():
    """Ids in the notes of counts, under figures, in tables and in the text: none without an entry."""
    named = set(CLAIM_ID.findall(pdf_text()))
    assert len(named) > 20  # the notes and figures name many
    assert named - set(appendix_entries()) == set()


def test_headline_numbers_are_in_the_pdf():
    """Numbers the book glues into its prose, computed here from the data, appear in the PDF."""
    events, sources = standing_events(), raw("sources")
    words = set(flat(pdf_text()).split(" "))
    for number in (len(events), events["paragraph"].nunique(), int((sources["kind"] == "report").sum())):
        assert str(number) in words, f"{number} is not in the PDF"


def test_every_glued_value_of_the_web_book_is_in_the_pdf():
    """What `{glue:text}` pasted into the web pages' prose, the PDF says too."""
    require(HTML.is_dir(), f"no web book in {HTML} (run `make book` first)")
    text = letters(pdf_text())
    missing = []
    for name, _ in chapters():
        page = HTML / f"{name}.html"
        if page.is_file():
            pasted = re.findall(r'<span class="pasted-text">(.*?)</span>', page.read_text(encoding="utf-8"), re.S)
            missing += [f"{name}: {v}" for v in map(html.unescape, pasted) if letters(v) not in text]
    assert missing == [], missing


def _web_charts() -> list[str]:
    """The spec of every chart of the web book (the script after each chart's element), page by page."""
    require(HTML.is_dir(), f"no web book in {HTML} (run `make book` first)")
    return [spec for p in sorted(HTML.rglob("*.html")) if p.relative_to(HTML).parts[0] not in ("_static", "_sources", "downloads")
            for spec in re.findall(r'class="entente-chart".*?<script[^>]*>(.*?)</script>', p.read_text(encoding="utf-8"), re.S)]


def _web_chart_count() -> int:
    """Charts the PDF must draw too: all but those bound to controls (the explorer), which need a screen."""
    return sum('"bind":{' not in spec for spec in _web_charts())


def test_the_explorer_alone_is_left_out_of_the_pdf():
    """One interactive chart (the explorer) is web-only; the PDF says in words what it does."""
    interactive = [spec for spec in _web_charts() if '"bind":{' in spec]
    assert len(interactive) == 1 and "Explore the claims" in interactive[0]
    text = flat(pdf_text())
    assert "Explore the claims" not in text
    assert "web edition of this report gives this page an explorer" in text


def test_every_web_chart_is_a_vector_figure_in_the_pdf():
    """As many PDF figures (vl-convert's vector output) as charts in the web book, none a bitmap; the
    explorer, made for a screen, is the one web chart left out."""
    tex = tex_source()
    graphics = re.findall(r"\\sphinxincludegraphics(?:\[[^\]]*\])?\{\{?([^}]+?)\}?\}", tex)
    charts = [g for g in graphics if g.endswith(".pdf") or (LATEX / f"{g}.pdf").is_file()]
    assert len(charts) == _web_chart_count()
    assert len(charts) == len(graphics), f"bitmaps in the PDF: {set(graphics) - set(charts)}"
    # In the PDF itself each figure is a form XObject drawn by LaTeX; the PDF holds no raster image.
    listing = subprocess.run(["pdfimages", "-list", str(PDF)], capture_output=True, text=True).stdout
    assert len(listing.strip().splitlines()) <= 2, listing


def test_glued_figures_keep_their_captions():
    tex = tex_source()
    figures = re.findall(r"\\begin\{figure\}.*?\\end\{figure\}", tex, re.S)
    assert figures
    uncaptioned = [f[:200] for f in figures if r"\sphinxincludegraphics" in f and r"\caption" not in f]
    assert uncaptioned == []


def test_tables_can_break_across_pages():
    tex = tex_source()
    assert r"\begin{longtable}" in tex
    assert r"\begin{tabulary}" not in tex and r"\begin{tabular}" not in tex


def test_bibliography_is_typeset():
    """sphinxcontrib-bibtex's entries, generated from data/sources.csv, reach the PDF with their outlets."""
    tex = tex_source()
    assert r"\begin{sphinxthebibliography}" in tex
    entries = re.findall(r"\\bibitem\[", tex)
    assert entries
    text = letters(pdf_text())
    cited = set(re.findall(r"\{cite(?::[pt])?\}`([^`]+)`", "".join(
        (ROOT / f"{name}.md").read_text(encoding="utf-8") for name, _ in chapters())))
    sources = raw("sources").set_index("source_id")
    keys = {k.strip() for group in cited for k in group.split(",")}
    assert keys and keys <= set(sources.index)
    missing = [k for k in keys if letters(sources.loc[k, "outlet"]) not in text]
    assert missing == []


def test_no_missing_characters_in_the_latex_log():
    log = LATEX / "book.log"
    require(log.is_file(), f"no LaTeX log at {log} (run `make pdf` first)")
    missing = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
               if "Missing character" in line]
    assert missing == []


# --- provenance: stamps, citation, licences (issue 9) ------------------------------------------------

def test_every_chart_and_table_of_the_pdf_carries_the_data_stamp():
    """As many stamps in the PDF's text as in the web book (where each chart and table has one): in the
    figures, drawn by vl-convert, and after the tables, typeset by LaTeX."""
    require(HTML.is_dir(), f"no web book in {HTML} (run `make book` first)")
    # The citation (landing page, BibTeX) quotes the stamp too, followed by the release: not counted.
    stamp = re.compile(re.escape(data_stamp()) + r"(?! \(release)")
    # The explorer is web-only (the PDF has a paragraph in its place): its chart's stamp is not printed.
    web = sum(len(stamp.findall(p.read_text(encoding="utf-8"))) for p in HTML.rglob("*.html")
              if p.relative_to(HTML).parts[0] not in ("_static", "_sources", "downloads"))
    web_only = len(stamp.findall((HTML / "chapters" / "explore.html").read_text(encoding="utf-8")))
    # The register's entries hold tables of their own (fields, sources): parts of an entry, not stamped.
    register = heading("chapters/register")
    tex = "".join(chapter for chapter in re.split(r"(?=\\chapter\{)", tex_source())
                  if not chapter.startswith(f"\\chapter{{{register}}}"))
    printed = len(re.findall(r"\\sphinxincludegraphics", tex)) + tex.count(r"\begin{longtable}")
    assert len(stamp.findall(flat(pdf_text()))) == printed == web - web_only > 0


def test_the_back_of_the_title_page_states_the_licences():
    back = flat(pdf_text(2, 2))
    assert "Data and text: CC BY 4.0" in back and "Code: MIT licence" in back and "is not ours" in back


def test_the_pdf_gives_the_bibtex_entry():
    text = flat(pdf_text())
    assert f"@misc{{entente-report-{data_version()}," in text and f"version = {{{data_version()}}}" in text


# --- made for print: no screen wording, document information, outline, paper --------------------------

# Words that ask a reader to do something only a screen allows, in any form ("hovering", "clicks", "tooltip").
SCREEN_WORDS = re.compile(r"\b(hover\w*|click\w*|drag\w*|tap|tapping|swipe\w*|tooltips?|widgets?|"
                          r"select|selects|selecting|(?:scroll|zoom)(?:s|ing)?)\b", re.I)


def screen_wording(text: str) -> list[str]:
    """Each use of a screen word in the text, with the words around it."""
    text = flat(text)
    return [text[max(0, m.start() - 60):m.end() + 60] for m in SCREEN_WORDS.finditer(text)]


def test_screen_wording_is_recognised():
    """The check below finds what it should, and lets the words of the report through."""
    assert screen_wording("Hover over a mark to see its source.") and screen_wording("drag across the timeline")
    assert screen_wording("Choose a domain in the select box") and screen_wording("its tooltip names the claims")
    assert screen_wording("Claims (Iran to Russia, left; Russia to Iran, right)") == []
    assert screen_wording("a selection of the claims, selected by the article") == []


def test_no_sentence_asks_the_reader_to_hover_click_drag_or_select():
    """Nothing in the PDF (text, captions, the figures' own titles) is worded for a screen."""
    found = screen_wording(pdf_text())
    assert found == [], f"screen wording in the PDF: {found}"


def pdfinfo() -> dict[str, str]:
    require(shutil.which("pdfinfo") is not None, "pdfinfo is missing (make system-pdf installs poppler-utils)")
    require(PDF.is_file(), f"no PDF at {PDF} (run `make pdf` first)")
    out = subprocess.run(["pdfinfo", str(PDF)], check=True, capture_output=True, text=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())}


def book_config() -> dict:
    import yaml
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def test_document_information_names_title_author_subject_and_keywords():
    info, config = pdfinfo(), book_config()
    assert info["Title"] == config["title"]
    assert info["Author"] == config["author"]
    assert "Iran" in info.get("Subject", "") and "Russia" in info["Subject"]
    keywords = [k.strip() for k in info.get("Keywords", "").split(",")]
    assert {"Iran", "Russia"} <= set(keywords), keywords


# Page sizes in PostScript points, as pdfinfo prints them, for the paper sizes _config.yml may name.
PAPER = {"a4paper": (595.276, 841.89), "letterpaper": (612.0, 792.0)}


def test_paper_is_the_size_config_names():
    paper = book_config()["sphinx"]["config"]["latex_elements"]["papersize"]
    size = re.match(r"([\d.]+) x ([\d.]+) pts", pdfinfo()["Page size"])
    assert size, pdfinfo()["Page size"]
    width, height = map(float, size.groups())
    assert abs(width - PAPER[paper][0]) < 1 and abs(height - PAPER[paper][1]) < 1, (paper, width, height)


def outline() -> list[str]:
    """The PDF's bookmarks (its outline), top level and below, as poppler's pdftohtml reads them."""
    require(shutil.which("pdftohtml") is not None, "pdftohtml is missing (make system-pdf installs poppler-utils)")
    require(PDF.is_file(), f"no PDF at {PDF} (run `make pdf` first)")
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-q", "-stdout", "-f", "1", "-l", "1", str(PDF)],
                         check=True, capture_output=True, text=True).stdout
    return [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in re.findall(r"<item[^>]*>(.*?)</item>", xml, re.S)]


def test_outline_has_a_bookmark_for_every_chapter():
    entries = [letters(entry) for entry in outline()]
    assert entries, "the PDF has no outline"
    missing = [title for name, title in chapters()[1:] if not any(letters(title) in entry for entry in entries)]
    assert missing == [], f"chapters without a bookmark: {missing}"
    assert any("introduction" in entry for entry in entries)


# --- each figure names the claims it draws on (entente.chartdata) ------------------------------------------

def _figure_claims() -> list[list[str]]:
    """The claim ids of each web chart the PDF draws too, read from the chart's CSV link in the web book."""
    import csv
    import io
    from urllib.parse import unquote

    require((HTML / "chapters" / "intro.html").is_file(), f"no web book in {HTML} (run `make book` first)")
    out = []
    for page in sorted(HTML.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for spec, href in re.findall(r'ententeChart\("#[^"]+", (\{.*?\})\)\.catch.*?<a download="[^"]+" '
                                     r'href="([^"]*)"', text, re.S):
            if '"bind":{' in spec:
                continue  # the explorer: web only
            # The CSV the web book writes beside the page (entente.chartdata).
            csv_text = (page.parent / unquote(html.unescape(href))).read_text(encoding="utf-8")
            rows = list(csv.reader(io.StringIO(csv_text)))[1:]
            ids = {i for row in rows for i in row[-1].split(";") if i}
            out.append(sorted(ids, key=lambda i: (len(i), i)))
    return out


def test_each_figure_prints_the_claim_ids_it_draws_on():
    """Under each figure's stamp: its claims named, or past the book's one limit their number, the first and
    last id and the claim register; as many such lines as figures."""
    from entente.labels import ID_LIST_LIMIT

    text = flat(pdf_text())
    figures = _figure_claims()
    assert len(figures) == _web_chart_count() > 0
    assert text.count("Drawn from ") == len(figures)
    for ids in figures:
        if len(ids) <= ID_LIST_LIMIT:
            assert f"Drawn from {len(ids)} claim{'s' if len(ids) != 1 else ''}: {', '.join(ids)}." in text, ids
        else:
            assert f"Drawn from {len(ids)} claims, {ids[0]} to {ids[-1]}; the claim register" in text, ids


def test_the_main_finding_figure_counts_its_claims_from_the_data():
    events = standing_events()
    moving = events[events["direction"] != moves_nothing()]
    assert f"Drawn from {len(moving)} claims" in flat(pdf_text())


def moves_nothing() -> str:
    """The direction that moves nothing, as datapackage.json names it (x-moves-nothing)."""
    import json

    package = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    fields = next(r for r in package["resources"] if r["name"] == "events")["schema"]["fields"]
    return next(f for f in fields if f["name"] == "direction")["x-moves-nothing"]

# --- a PDF made for print: front page, key findings, figures where they are introduced -----------------

def page_texts() -> list[str]:
    """The PDF's text, page by page (pdftotext ends each page with a form feed)."""
    return pdf_text().split("\f")


def front_parts() -> list[str]:
    """Documents of the unnumbered parts of _toc.yml before the first numbered one (front matter in the PDF)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    front = []
    for part in toc["parts"]:
        if part.get("numbered"):
            break
        front += [re.sub(r"\.(md|ipynb)$", "", c["file"]) for c in part["chapters"]]
    return front


def expected_citation() -> str:
    """The citation, put together here from _config.yml, datapackage.json and the change record."""
    import json

    config = book_config()
    release = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]
    year = max(raw("changes")["date"])[:4]
    return f"{config['author']} ({year}). {config['title']}. {data_stamp()} (release {release})."


def test_front_page_gives_title_as_of_date_data_version_and_how_to_cite():
    front = flat(page_texts()[0])
    assert front.startswith(book_config()["title"])
    assert f"Data as of {as_of_label()}" in front
    assert f"Data version {data_version()}" in front
    assert "How to cite this report" in front and expected_citation() in front, front


def test_front_page_is_written_from_the_data_at_build_time():
    """The title page's data version and citation come from the build (entente-front.def), not from a file
    kept by hand: the generated include is there, and its version is the data's."""
    include = LATEX / "entente-front.def"
    require(include.is_file(), f"no {include} (run `make pdf` first)")
    assert data_version() in include.read_text(encoding="utf-8")
    assert r"\input{entente-front.def}" in tex_source()


def test_key_findings_are_one_page_before_chapter_one():
    """The summary is front matter: unnumbered, on a single page, and the next heading (Part I) is on the next."""
    import yaml

    summary = front_parts()
    assert summary == ["chapters/summary"]
    pages = [letters(p) for p in page_texts()]
    source = (ROOT / "chapters" / "summary.md").read_text(encoding="utf-8")
    first = letters("What the report finds, in brief")
    last = letters(source.rstrip().splitlines()[-1].split(". ")[-1])
    start = next(i for i, p in enumerate(pages) if letters(heading(summary[0])) in p and first in p)
    assert last in pages[start], "the key findings run onto a second page"
    # Then Part I's page and chapter 1, with no blank page between (openany): each at most a page later.
    part_one = next(part for part in yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["parts"]
                    if part.get("numbered"))
    chapter_one = re.sub(r"\.md$", "", part_one["chapters"][0]["file"])
    part_page = next(i for i, p in enumerate(pages) if i > start and letters(part_one["caption"]) in p)
    opening = next(i for i, p in enumerate(pages) if i > start and letters(heading(chapter_one)) in p)
    assert part_page - start <= 1 and opening - part_page <= 1, (start + 1, part_page + 1, opening + 1)
    found = re.findall(r"\\chapter\{(.*?)\}\n", tex_source())
    assert found[:2] == ["Introduction", heading(summary[0])]
    assert "1 Key findings" not in flat(pdf_text(2, 6)) and f"1 {heading(chapter_one)}" in flat(pdf_text(2, 6))


def test_key_findings_glue_the_numbers_of_the_data():
    """Counts the summary glues, worked out here from the raw data, are on its page."""
    events = standing_events()
    pages = page_texts()
    page = flat(next(p for p in pages if "What the report finds, in brief" in flat(p)))
    page = re.sub(r"\[\d+\]", "", page)  # each count's note mark (entente.claimlinks), e.g. "30[19]"
    established = int((events["certainty"] == "established").sum())
    assert f"puts {established} of its {len(events)} claims" in page, page
    assert f"data as of {as_of_label()}" in page


def _aux_pages(prefix: str) -> dict[str, str]:
    """The page LaTeX recorded for each label starting with ``prefix`` in book.aux."""
    aux = LATEX / "book.aux"
    require(aux.is_file(), f"no {aux} (run `make pdf` first)")
    pages = {}
    for line in aux.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\\newlabel\{(" + re.escape(prefix) + r"[^}]*)\}\{", line)
        if m:
            fields, depth, field = [], 0, ""
            for char in line[m.end():]:
                depth += {"{": 1, "}": -1}.get(char, 0)
                if depth == 0 and char == "}":
                    fields.append(field[1:])
                    field = ""
                else:
                    field += char
            pages[m.group(1)] = fields[1]
    return pages


def test_every_figure_is_on_the_page_of_the_text_introducing_it_or_the_next():
    """LaTeX's own record (book.aux): the page where the text before each figure ends, and the figure's page."""
    pages = _aux_pages("entente-figure-")
    figures = len(re.findall(r"\\begin\{figure\}", tex_source()))
    assert figures > 0 and len(pages) == 2 * figures
    far = []
    for n in range(1, figures + 1):
        introduced, placed = int(pages[f"entente-figure-{n}-introduced"]), int(pages[f"entente-figure-{n}-placed"])
        if placed - introduced not in (0, 1):
            far.append((n, introduced, placed))
    assert far == [], f"figures (number, page introduced, page placed) away from their text: {far}"


def test_figures_are_set_where_they_stand():
    assert re.findall(r"\\begin\{figure\}\[([^\]]*)\]", tex_source()) and \
        set(re.findall(r"\\begin\{figure\}\[([^\]]*)\]", tex_source())) == {"H"}


def words_past_the_margin() -> list[tuple[int, str, float]]:
    """Words (page, word, right edge) reaching past the right margin, read from pdftotext's word boxes.

    The margins are symmetric (geometry's default): the right one is as wide as the left, which is where
    the leftmost word of the book starts."""
    out = subprocess.run(["pdftotext", "-bbox", str(PDF), "-"], check=True, capture_output=True, text=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', out, re.S)
    boxes = [(n, float(width), [(float(a), float(b), html.unescape(w)) for a, b, w in
                                re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', body)])
             for n, (width, body) in enumerate(pages, start=1)]
    left = min(x for _, _, words in boxes for x, _, _ in words)
    return [(n, w, right) for n, width, words in boxes for _, right, w in words if right > width - left + 1]


def test_no_table_runs_past_the_margin():
    require(shutil.which("pdftotext") is not None, "pdftotext is missing (make system-pdf installs poppler-utils)")
    require(PDF.is_file(), f"no PDF at {PDF} (run `make pdf` first)")
    assert words_past_the_margin() == []


def test_the_introduction_has_its_own_print_wording():
    """The introduction's screen wording ("an interactive explorer") is the web's; the PDF says what it holds."""
    text = flat(pdf_text())
    assert "interactive" not in text.lower()
    assert "a note on the explorer that the web edition adds" in text
    if HTML.is_dir():
        web = flat(re.sub(r"<[^>]+>", " ", (HTML / "chapters" / "intro.html").read_text(encoding="utf-8")))
        assert "an interactive explorer" in web and "a note on the explorer" not in web


# Units of entente.latex that need no build.

def _table(rows: list[list[str]]):
    from docutils import nodes

    table, group = nodes.table(), nodes.tgroup(cols=len(rows[0]))
    table += group
    group += [nodes.colspec(colwidth=1) for _ in rows[0]]
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        row += [nodes.entry("", nodes.paragraph(text=text)) for text in cells]
        body += row
    holder = nodes.container()
    holder += table
    return holder, table


def test_no_column_is_narrower_than_its_longest_word():
    """Twelve columns of identifiers (the change record's table): each keeps room for its longest word
    (an identifier may break after an underscore), and the table is set in the smallest type."""
    from docutils import nodes

    from entente import latex

    header = ["table", "status", "rows_old", "rows_new", "added", "withdrawn", "reinstated", "removed",
              "changed_rows", "changed_fields", "columns_added", "columns_dropped"]
    holder, table = _table([header, ["events"] * 11 + ["theme, sentence, stage, evidence, source_id"]])
    latex._column_widths(table)
    widths = [spec["colwidth"] / 10 for spec in table.findall(nodes.colspec)]
    pieces = [max(len(p) for p in re.split(r"(?<=_)", word)) for word in header]
    assert all(width >= n * latex.WORD + latex.PAD - 0.1 for width, n in zip(widths, pieces)), (widths, pieces)
    assert holder.children[0].astext().strip() == r"\begingroup" + latex.SIZES[-1][0]
    assert holder.children[-1].astext().strip() == r"\endgroup"
    breaks = [n.astext() for n in table.findall(nodes.raw)]
    assert breaks.count(r"\allowbreak{}") == sum(w.count("_") for w in header) + 1  # the last cell's source_id


def test_a_table_that_fits_keeps_its_natural_widths_and_type():
    from entente import latex

    holder, table = _table([["id", "outlet"], ["E001", "The Jerusalem Post"]])
    latex._column_widths(table)
    assert len(holder.children) == 1  # no change of type size
    widths = [spec["colwidth"] for spec in table.findall(__import__("docutils.nodes").nodes.colspec)]
    assert widths[1] > widths[0]


def test_the_front_page_include_holds_the_data_version_and_the_citation():
    from entente import citation, latex

    tex = latex.front_page_tex(ROOT)
    c = citation.citation(ROOT)
    assert f"Data version {data_version()}" in tex
    assert latex._escape(citation.sentence(c)) in tex and "How to cite" in tex
