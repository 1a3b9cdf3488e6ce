"""Citing, licences and data-version stamps (issue 9): the edition of the data, the stamp every chart and
table carries, CITATION.cff and the BibTeX entry, and the licences. The expected values are worked out
here from the files with plain Python, not by the code under test."""
from __future__ import annotations

import copy
import csv
import json
import re
import shutil
import subprocess

import altair as alt
import pandas as pd
import pytest
import yaml

import vl_convert as vlc
from conftest import ROOT, as_of_label, data_stamp, data_version, drawn_charts, require
from entente import chartdata, charts, citation, load, releases, render, tables, theme
from entente.schema import Schema
from entente.validate import open_schema


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def descriptor() -> dict:
    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


def pdf_text(pdf: bytes, tmp_path) -> str:
    require(shutil.which("pdftotext") is not None, "pdftotext is missing (make system-pdf installs poppler-utils)")
    path = tmp_path / "chart.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


# --- the edition -----------------------------------------------------------------------------------

def test_edition_is_the_as_of_date_and_the_hash_of_the_data_files():
    e = releases.edition(ROOT)
    assert e.data_version == data_version() and e.as_of_label == as_of_label()
    assert e.release == descriptor()["version"]
    assert e.stamp == data_stamp()


def test_the_data_version_ignores_code_and_follows_every_data_byte(tmp_path):
    copy_root = tmp_path / "p"
    shutil.copytree(ROOT / "data", copy_root / "data")
    shutil.copy(ROOT / "datapackage.json", copy_root)
    before = releases.edition(copy_root)
    assert before.data_version == data_version()
    (copy_root / "entente").mkdir()  # code beside the data changes nothing
    (copy_root / "entente" / "module.py").write_text("x = 1\n")
    assert releases.edition(copy_root).data_version == before.data_version
    events = copy_root / "data" / "events.csv"
    events.write_bytes(events.read_bytes().replace(b"Iran", b"Iran ", 1))  # one byte more in a summary
    assert releases.edition(copy_root).data_version == data_version(copy_root) != before.data_version


def test_the_current_release_records_the_data_version():
    """The stamp names a release a reader can look up: the manifest's row for this version holds its hash."""
    with (ROOT / "data" / "releases.csv").open(encoding="utf-8", newline="") as handle:
        rows = {row["version"]: row for row in csv.DictReader(handle)}
    current = rows[descriptor()["version"]]
    assert current["data_hash"] == data_version(), (
        "data/releases.csv records another hash for this release than the data's: record the new hash "
        "(python -m entente.releases hash), or a new release")


def test_stamp_command_prints_the_stamp():
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "entente.releases", "stamp"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == data_stamp()


# --- stamps under charts and tables --------------------------------------------------------------

@pytest.fixture(scope="module")
def data():
    theme.enable()
    return load(ROOT)


def test_every_table_carries_the_stamp_after_it(data, monkeypatch):
    monkeypatch.chdir(ROOT / "chapters")  # where the book's notebooks run
    markdown = tables.claims(data.paragraph(1))._repr_mimebundle_()["text/markdown"]
    table, _, stamp = markdown.rpartition("\n\n")
    assert table.startswith("| Id |") and stamp == "*" + tables.markdown_cell(data_stamp()) + "*"


def test_no_stamp_outside_a_data_package(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    markdown = tables.Table(pd.DataFrame({"a": [1]}))._repr_mimebundle_()["text/markdown"]
    assert "data version" not in markdown


def book_bundle(chart: alt.TopLevelMixin) -> dict:
    """The kernel's bundle, its HTML as the page has it (Sphinx compiles the charts' Vega-Lite)."""
    bundle = render.book_renderer(chart.to_dict())
    return {**bundle, "text/html": render.compile_later(bundle["text/html"])}


def test_the_web_chart_has_the_stamp_under_it_and_its_spec_untouched(data, monkeypatch):
    monkeypatch.chdir(ROOT / "chapters")
    chart = charts.flow_stages(data.events, data.schema)
    html = book_bundle(chart)["text/html"]
    div, script, stamp, data_view = html.split("\n", 3)
    assert div.startswith('<div class="entente-chart"') and script.startswith("<script")
    assert stamp == f'<p class="entente-stamp">{data_stamp()}</p>'
    # After the stamp, the chart's own data: its CSV download and table view (entente.chartdata).
    assert data_view.startswith('<p class="entente-chart-download"') and "<summary>Data table</summary>" in data_view
    (spec,) = drawn_charts(script).values()
    # The web spec is the chart's own, fitted to the page's column by the theme and compiled to Vega; the
    # stamp is not in it.
    drawn, _ = chartdata.table_of(chart.to_dict())  # the chart less its data table, which goes beside it
    assert spec == json.loads(json.dumps(render.web_vega(drawn)))
    assert spec == vlc.vegalite_to_vega(theme.web_spec(drawn), vl_version=render.VEGALITE_VERSION)
    assert data_stamp() not in json.dumps(spec)


def test_the_pdf_figure_prints_the_stamp(data, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT / "chapters")
    stub = book_bundle(charts.flow_stages(data.events, data.schema))["application/pdf"]
    text = pdf_text(render.figure_pdf(stub), tmp_path)  # as the LaTeX build draws it (entente.figures)
    assert data_stamp() in text and "What moves between Iran and Russia" in text


CHARTS = {
    "single view": lambda d: charts.status(d.events),
    "layered": lambda d: charts.timeline(d.events),
    "compound with parameters": lambda d: __import__("entente.explore").explore.explorer(d.events),
}


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_the_stamped_spec_keeps_the_chart_whole(data, kind, tmp_path):
    """The chart goes unchanged under the stamp: top-level settings stay at the top, parameters of a
    compound chart too, and vl-convert draws it with its own title and the stamp."""
    import vl_convert as vlc

    spec = CHARTS[kind](data).to_dict()
    stamped = render.stamped_spec(copy.deepcopy(spec), "Data as of X, data version Y")
    inner = stamped["vconcat"][0]
    assert {**inner, **{k: v for k, v in stamped.items() if k not in ("vconcat", "title")}} == spec
    assert "config" not in inner and "$schema" not in inner
    assert ("params" in inner) == ("params" in spec and "mark" in spec)
    assert stamped["title"]["text"] == "Data as of X, data version Y" and stamped["title"]["orient"] == "bottom"
    text = pdf_text(vlc.vegalite_to_pdf(stamped, vl_version=render.VEGALITE_VERSION), tmp_path)
    assert "Data as of X, data version Y" in text


# --- citation ------------------------------------------------------------------------------------

def test_citation_file_is_current():
    """CITATION.cff is what `python -m entente citation` writes from the data today: never stale."""
    assert (ROOT / "CITATION.cff").read_text(encoding="utf-8") == citation.cff(citation.citation(ROOT)), (
        "CITATION.cff is out of date: run `python -m entente citation`")


def test_citation_file_names_title_authors_edition_and_licences():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["title"] == config()["title"]
    assert [a["name"] for a in cff["authors"]] == [config()["author"]]
    assert cff["version"] == data_version()
    year, month, day = map(int, cff["date-released"].split("-"))
    assert f"{day} {'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split()[month - 1]} {year}" == as_of_label()
    assert cff["license"] == [lic["name"] for lic in descriptor()["licenses"]] + ["MIT"]
    # Nothing invented: the report has no address or DOI yet.
    assert not {"url", "doi", "repository-code", "repository"} & set(cff)
    assert not any(i["type"] in ("doi", "url") for i in cff.get("identifiers", []))


def test_citation_check_command_fails_on_a_stale_file(tmp_path):
    for name in ("datapackage.json", "_config.yml", "CITATION.cff"):
        shutil.copy(ROOT / name, tmp_path)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    python = str(ROOT / ".venv" / "bin" / "python")
    check = lambda: subprocess.run([python, "-m", "entente", "citation", "--check"], cwd=tmp_path,
                                   capture_output=True, text=True)
    assert check().returncode == 0
    changes = tmp_path / "data" / "changes.csv"
    changes.write_text(changes.read_text(encoding="utf-8") + "2026-12-31,E001,corrected,A later date.\n",
                       encoding="utf-8")
    stale = check()
    assert stale.returncode == 1 and "python -m entente citation" in stale.stderr
    assert subprocess.run([python, "-m", "entente", "citation"], cwd=tmp_path).returncode == 0
    assert check().returncode == 0
    assert 'date-released: "2026-12-31"' in (tmp_path / "CITATION.cff").read_text(encoding="utf-8")


def test_bibtex_entry_names_the_edition():
    entry = citation.bibtex(citation.citation(ROOT))
    assert entry.startswith(f"@misc{{entente-report-{data_version()},")
    assert f"title = {{{config()['title']}}}" in entry
    assert f"author = {{{{{config()['author']}}}}}" in entry
    assert f"version = {{{data_version()}}}" in entry and data_stamp() in entry
    assert entry.count("{") == entry.count("}")


def test_bibtex_escapes_what_latex_would_read():
    c = citation.citation(ROOT)
    hostile = citation.Citation(title="50% & {more} #1 $x$ a_b", authors=("A & B",), abstract="",
                                edition=c.edition, data_licenses=c.data_licenses)
    entry = citation.bibtex(hostile)
    assert r"title = {50\% \& \{more\} \#1 \$x\$ a\_b}" in entry and r"{{A \& B}}" in entry


def test_cite_block_is_escaped_markdown_with_the_edition(monkeypatch):
    monkeypatch.chdir(ROOT / "chapters")
    bundle = citation.cite_block()._repr_mimebundle_()
    assert bundle["text/plain"] == (f"{config()['author']} ({as_of_label()[-4:]}). {config()['title']}. "
                                    f"{data_stamp()} (release {descriptor()['version']}).")
    assert f"*{tables.markdown_cell(config()['title'])}*" in bundle["text/markdown"]


# --- licences ------------------------------------------------------------------------------------

def test_licence_files_and_the_package_licence():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    data_licence = (ROOT / "LICENSE-data.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in data_licence and "The article is not ours" in data_licence
    assert descriptor()["licenses"] == [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                                         "title": "Creative Commons Attribution 4.0 International"}]


def test_the_downloads_offer_the_citation_and_licences(tmp_path):
    from entente.downloads import downloads

    offered = {path: source for path, source, _ in downloads(ROOT, tmp_path)}
    for name in ("CITATION.cff", "LICENSE-data.md", "LICENSE"):
        assert offered.get(name) == ROOT / name, name


def test_footer_and_title_page_state_the_licences():
    footer = config()["html"]["extra_footer"]
    back = config()["sphinx"]["config"]["latex_elements"]["preamble"]
    for text in (footer, back):
        assert "CC BY 4.0" in text and "MIT" in text and "not ours" in text


BAD_LICENCES = {
    "not a list": ("CC-BY-4.0", "not a list of licences"),
    "empty": ([], "not a list of licences"),
    "no name or path": ([{"title": "Some licence"}], "neither a \"name\" nor a \"path\""),
    "unknown property": ([{"name": "CC-BY-4.0", "version": "4.0"}], 'the property "version"'),
    "name with spaces": ([{"name": "CC BY 4.0"}], "expected a licence id"),
}


@pytest.mark.parametrize("case", sorted(BAD_LICENCES))
def test_a_malformed_licence_is_refused(tmp_path, case):
    value, said = BAD_LICENCES[case]
    package = descriptor()
    package["licenses"] = value
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    schema, problems = open_schema(tmp_path / "datapackage.json")
    assert schema is None and any(said in p.expected for p in problems), [p.expected for p in problems]


def test_the_package_licence_is_accepted(tmp_path):
    assert Schema(ROOT / "datapackage.json").unsupported() == []
    package = descriptor()
    package["resources"][0]["licenses"] = [{"path": "https://creativecommons.org/licenses/by/4.0/"}]
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    assert Schema(tmp_path / "datapackage.json").unsupported() == []
