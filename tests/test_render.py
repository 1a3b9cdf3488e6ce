"""The PDF canonicaliser (entente.render.canonical_pdf): one chart gives one byte sequence, a PDF it does
not understand is refused with a message, and what it writes is a PDF poppler reads with the same text."""
from __future__ import annotations

import re
import shutil
import subprocess

import altair as alt
import pandas as pd
import pytest

from conftest import drawn_charts, require
from entente import chartdata, render

FRAME = pd.DataFrame({"country": ["Iran", "Russia", "Iran"], "claims": [3, 5, 2], "kind": ["a", "b", "c"]})


def chart_pdf() -> bytes:
    """vl-convert's own PDF of a chart with text in two fonts' worth of places (title, axes, legend)."""
    import vl_convert as vlc

    chart = alt.Chart(FRAME, title="Claims by country").mark_bar().encode(x="country:N", y="claims:Q", color="kind:N")
    return vlc.vegalite_to_pdf(chart.to_dict(), vl_version=render.VEGALITE_VERSION)


@pytest.fixture(scope="module")
def raw_pdfs() -> list[bytes]:
    return [chart_pdf() for _ in range(6)]


def objects(pdf: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj\n(.*?)\nendobj", pdf, re.S)}


def test_one_chart_gives_one_byte_sequence(raw_pdfs):
    assert len({render.canonical_pdf(pdf) for pdf in raw_pdfs}) == 1


def test_canonical_form_is_a_fixed_point(raw_pdfs):
    once = render.canonical_pdf(raw_pdfs[0])
    assert render.canonical_pdf(once) == once


def test_cross_reference_table_points_at_each_object(raw_pdfs):
    pdf = render.canonical_pdf(raw_pdfs[0])
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[start:].startswith(b"xref\n0 ")
    entries = re.findall(rb"(\d{10}) 00000 n\r\n", pdf[start:])
    assert len(entries) == len(objects(pdf))
    for number, offset in enumerate(entries, start=1):
        assert pdf[int(offset):].startswith(b"%d 0 obj\n" % number)


def test_content_is_kept(raw_pdfs):
    """The same streams (drawing, fonts) come out, only renumbered: the rewrite loses nothing."""
    streams = lambda pdf: sorted(re.findall(rb"\nstream\n.*?\nendstream", pdf, re.S))
    assert streams(render.canonical_pdf(raw_pdfs[0])) == streams(raw_pdfs[0])


def test_poppler_reads_the_same_text(raw_pdfs, tmp_path):
    require(shutil.which("pdftotext") is not None, "pdftotext is missing (make system-pdf installs poppler-utils)")
    texts = []
    for name, pdf in (("raw", raw_pdfs[0]), ("canonical", render.canonical_pdf(raw_pdfs[0]))):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
        assert done.returncode == 0 and "Syntax Error" not in done.stderr, done.stderr
        texts.append(done.stdout)
    assert texts[0] == texts[1] and "Claims by country" in texts[1]


# Each: a PDF canonical_pdf must refuse, made from a real one, and a word its message must say.
def _with(pdf: bytes, old: bytes, new: bytes) -> bytes:
    assert old in pdf
    return pdf.replace(old, new, 1)


UNDERSTOOD_NOT = {
    "not a PDF": (lambda pdf: b"<html>" + pdf, "%PDF-"),
    "encrypted": (lambda pdf: _with(pdf, b"/Root", b"/Encrypt 99 0 R\n  /Root"), "encryption"),
    "object streams": (lambda pdf: _with(pdf, b"/Type /Catalog", b"/Type /ObjStm"), "object streams"),
    "xref stream": (lambda pdf: _with(pdf, b"/Type /Catalog", b"/Type /XRef"), "cross-reference stream"),
    "incremental update": (lambda pdf: pdf + b"\ntrailer\n<< /Prev 9 >>\nstartxref\n1\n%%EOF", "incremental update"),
    "generation 1": (lambda pdf: _with(pdf, b"\n3 0 obj\n", b"\n3 1 obj\n"), "plain form"),
    "dangling reference": (lambda pdf: _with(pdf, b"/Type /Catalog", b"/Type /Catalog /Extra 999 0 R"), "missing objects"),
    "no root": (lambda pdf: _with(pdf, b"/Root 3 0 R", b""), "/Root"),
    "no objects": (lambda pdf: b"%PDF-1.7\ntrailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF", "objects declared"),
}


@pytest.mark.parametrize("case", sorted(UNDERSTOOD_NOT))
def test_refuses_what_it_does_not_understand(raw_pdfs, case):
    break_it, said = UNDERSTOOD_NOT[case]
    with pytest.raises(render.PdfNotUnderstood, match=re.escape(said)):
        render.canonical_pdf(break_it(raw_pdfs[0]))


# --- the web sizes charts to their column; the PDF keeps the fixed widths ---------------------------------

import json  # noqa: E402

from entente import theme  # noqa: E402

SINGLE = alt.Chart(FRAME, title=alt.Title("A title long enough to need a second line on a phone",
                                          subtitle="A subtitle that also runs well past the width of a phone's column of text.")
                   ).mark_bar().encode(x=alt.X("claims:Q", title="Claims, counted once for each country the article names"),
                                       y=alt.Y("country:N", axis=alt.Axis(labelLimit=420))).properties(width=520)


def embedded_spec(page: str) -> dict:
    """The Vega spec a chart's HTML draws."""
    (spec,) = drawn_charts(page).values()
    return spec


def takes_column(spec: dict) -> bool:
    """Vega-Lite's width "container", as Vega has it: a width signal set from the element's size."""
    (width,) = [s for s in spec["signals"] if s["name"] == "width"]
    return "containerSize()" in width["init"]


def test_a_single_or_layered_view_takes_its_column_on_the_web():
    for chart in (SINGLE, SINGLE + SINGLE.mark_point()):
        page = render.chart_html(chart.to_dict())
        assert 'data-fit="container"' in page and "display:block;width:100%" in page
        assert takes_column(embedded_spec(page))


def test_the_pdf_figure_keeps_the_fixed_width():
    """book_renderer draws the PDF from the spec as given: not from the web's container-wide one."""
    import vl_convert as vlc

    spec = SINGLE.to_dict()
    bundle = render.book_renderer(spec)
    assert spec["width"] == 520  # web_spec changed a copy, not the spec
    from entente.releases import output_stamp

    stamp = output_stamp()  # the PDF figure carries the data stamp under the chart, when there is data
    lines = chartdata.table_of(spec)[1].printed_lines()  # and the claim ids it draws on, under the stamp
    printed = render.stamped_spec(spec, stamp, lines) if stamp else spec
    shown = lines if stamp else []
    assert bundle["application/pdf"] == render.figure_stub(printed, shown)  # drawn by the LaTeX build, not the kernel
    drawn = vlc.vegalite_to_pdf(printed, vl_version=render.VEGALITE_VERSION)
    # The drawn file keeps the lines it prints in a comment, for the PDF build (entente.register's appendix).
    assert render.figure_pdf(bundle["application/pdf"]) == render.canonical_pdf(chartdata.mark_pdf(drawn, shown))
    assert takes_column(embedded_spec(render.compile_later(bundle["text/html"])))  # as Sphinx compiles it


@pytest.mark.parametrize("kind", ["hconcat", "vconcat", "column facet"])
def test_a_view_that_cannot_narrow_scrolls_in_its_own_box(kind):
    chart = {"hconcat": lambda: alt.hconcat(SINGLE, SINGLE), "vconcat": lambda: alt.vconcat(SINGLE, SINGLE),
             "column facet": lambda: SINGLE.encode(column="kind:N")}[kind]()
    spec = chart.to_dict()
    page = render.chart_html(spec)
    assert 'data-fit="scroll"' in page and "overflow-x:auto" in page and 'tabindex="0"' in page
    assert embedded_spec(page) == json_roundtrip(render.web_vega(spec))  # the page draws the web spec, compiled
    assert "containerSize" not in json.dumps(embedded_spec(page))
    web = theme.web_spec(spec)
    assert "container" not in json.dumps(web) and "columns" not in json.dumps(web.get("config", {}))
    # Only a top-level title (the facet's) differs: wrapped, so that it reads without scrolling.
    if kind == "column facet":
        assert web["title"]["text"] != spec["title"]["text"] and " ".join(web["title"]["text"]) == spec["title"]["text"]
    assert {k: v for k, v in web.items() if k != "title"} == {k: v for k, v in json_roundtrip(spec).items() if k != "title"}


def json_roundtrip(spec: dict) -> dict:
    return json.loads(json.dumps(spec))


def test_long_titles_are_wrapped_and_long_labels_limited_on_the_web():
    spec = theme.web_spec(SINGLE.to_dict())
    lines = lambda text: text if isinstance(text, list) else [text]
    assert len(lines(spec["title"]["text"])) > 1 and all(len(t) <= theme.TITLE_CHARS for t in lines(spec["title"]["text"]))
    assert all(len(t) <= theme.SUBTITLE_CHARS for t in lines(spec["title"]["subtitle"]))
    assert all(len(t) <= theme.AXIS_CHARS for t in lines(spec["encoding"]["x"]["title"]))
    assert " ".join(lines(spec["title"]["text"])) == "A title long enough to need a second line on a phone"
    assert "containerSize()" in spec["encoding"]["y"]["axis"]["labelLimit"]["expr"]


# --- the chart's data beside it: the ids under the PDF figure, the table and CSV under the web chart ----------

def test_the_pdf_figure_prints_the_claim_ids_it_draws_on(tmp_path):
    """book_renderer draws the claim ids under the stamp, into the figure itself."""
    require(shutil.which("pdftotext") is not None, "pdftotext is missing (make system-pdf installs poppler-utils)")
    import entente
    from entente import charts

    few = entente.load().events.head(3)
    path = tmp_path / "figure.pdf"
    path.write_bytes(render.figure_pdf(render.book_renderer(charts.status(few).to_dict())["application/pdf"]))
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert f"Drawn from 3 claims: {', '.join(few['event_id'])}." in text


def test_the_web_chart_is_followed_by_its_download_and_table_view():
    """After the chart's element and its script (the tooltip test reads the script as the element's next
    sibling) come the stamp, the CSV link and the table view."""
    import entente
    from entente import charts

    page = render.chart_html(charts.status(entente.load().events).to_dict(), "Data as of today")
    order = [page.index(s) for s in ('class="entente-chart"', "<script", 'class="entente-stamp"',
                                     'class="entente-chart-download"', '<details class="entente-chart-data"')]
    assert order == sorted(order)
    assert re.search(r'</div>\n<script', page)


# --- vl-convert's work kept in _build/cache, and the PDF figure drawn only by the LaTeX build ----------------

@pytest.fixture
def project(tmp_path, monkeypatch):
    """A working directory inside a project of its own (a datapackage.json), so _build/cache is its own."""
    from entente import releases

    (tmp_path / "datapackage.json").write_text("{}", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(releases, "output_stamp", lambda: "Data as of a test")  # no data here to stamp from
    return tmp_path


def test_a_compiled_spec_is_read_back_from_the_cache(project, monkeypatch):
    spec = theme.web_spec(SINGLE.to_dict())
    first = render.compiled_vega(spec)
    (kept,) = (project / "_build" / "cache" / render.COMPILED).glob("*.json")
    assert json.loads(kept.read_bytes()) == first
    import vl_convert

    # Read back, not compiled: vl-convert is not called again for the same spec ...
    real = vl_convert.vegalite_to_vega
    monkeypatch.setattr(vl_convert, "vegalite_to_vega", lambda *a, **k: pytest.fail("compiled again"))
    assert render.compiled_vega(spec) == first
    # ... and a damaged entry is not served.
    kept.write_bytes(b'{"half')
    monkeypatch.setattr(vl_convert, "vegalite_to_vega", real)
    assert render.compiled_vega(spec) == first and json.loads(kept.read_bytes()) == first


def test_another_spec_is_compiled_anew(project):
    one = render.compiled_vega(theme.web_spec(SINGLE.to_dict()))
    other = render.compiled_vega(theme.web_spec(SINGLE.properties(title="Another title").to_dict()))
    assert one != other and len(list((project / "_build" / "cache" / render.COMPILED).glob("*.json"))) == 2


def test_the_kernel_gives_a_stub_and_the_figure_is_drawn_from_it(project, monkeypatch):
    """book_renderer draws no PDF; figure_pdf draws the stub's figure once, then reads it from the cache."""
    import vl_convert

    calls = []
    real = vl_convert.vegalite_to_pdf
    monkeypatch.setattr(vl_convert, "vegalite_to_pdf", lambda *a, **k: calls.append(1) or real(*a, **k))
    stub = render.book_renderer(SINGLE.to_dict())["application/pdf"]
    assert calls == [] and render.is_figure_stub(stub) and not stub.startswith(b"%PDF")
    pdf = render.figure_pdf(stub)
    assert pdf.startswith(b"%PDF-") and calls == [1]
    assert render.figure_pdf(stub) == pdf and calls == [1]
    lines = chartdata.table_of(SINGLE.to_dict())[1].printed_lines()
    printed = render.stamped_spec(SINGLE.to_dict(), "Data as of a test", lines)
    assert pdf == render.canonical_pdf(chartdata.mark_pdf(real(printed, vl_version=render.VEGALITE_VERSION), lines))
    with pytest.raises(ValueError, match="not a figure stub"):
        render.figure_pdf(pdf)


def test_the_latex_build_replaces_stubs_by_their_figures(project):
    """entente.figures, on the document the LaTeX builder assembled: a stub file becomes its figure under
    the same name; a real PDF is left as it is; the web builder draws nothing."""
    from types import SimpleNamespace

    from docutils import nodes

    from entente import figures

    out = project / "_build" / "jupyter_execute"
    out.mkdir(parents=True)
    stub = render.book_renderer(SINGLE.to_dict())["application/pdf"]
    (out / "a.pdf").write_bytes(stub)
    (out / "b.pdf").write_bytes(b"%PDF-1.4 already a figure")
    doc = nodes.document(None, None)
    for name in ("a.pdf", "b.pdf"):
        doc += nodes.image(uri=f"_build/jupyter_execute/{name}", candidates={"*": f"_build/jupyter_execute/{name}"})
    app = lambda builder: SimpleNamespace(srcdir=str(project), builder=SimpleNamespace(name=builder))
    figures.draw_figures(app("html"), doc, "index")
    assert (out / "a.pdf").read_bytes() == stub
    figures.draw_figures(app("latex"), doc, "index")
    assert (out / "a.pdf").read_bytes() == render.figure_pdf(stub)
    assert (out / "b.pdf").read_bytes() == b"%PDF-1.4 already a figure"
    assert (out / "a.pdf.stub").read_bytes() == stub and not (out / "b.pdf.stub").exists()
    # The next LaTeX build draws the kept stub again: a figure that now comes out otherwise (other fonts)
    # replaces the old one, though the file is a PDF by then.
    assert not figures.draw(out / "a.pdf")
    real = render.figure_pdf
    try:
        render.figure_pdf = lambda data: b"%PDF-1.4 drawn with other fonts" if data == stub else real(data)
        figures.draw_figures(app("latex"), doc, "index")
    finally:
        render.figure_pdf = real
    assert (out / "a.pdf").read_bytes() == b"%PDF-1.4 drawn with other fonts"


def test_altair_comes_without_the_iri_grammars_and_they_still_import_later():
    """entente.render imports Altair with rfc3987_syntax kept out (its ~40 lark grammars compile at import);
    validation against the Vega-Lite schema needs none of its formats, and the module imports as usual after."""
    import subprocess
    import sys

    code = ("import sys, entente.render as r; lark = 'lark' in sys.modules; import rfc3987_syntax; "
            "r.alt.Chart(r.alt.Data(values=[{'a': 1}])).mark_bar().encode(x='a:Q').to_dict(validate=True); print(lark)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


# --- Vega compiled by Sphinx (entente.sphinxext.compile_charts), not by the kernel ----------------------------

def test_the_kernel_leaves_vega_lite_and_sphinx_gives_the_same_page(project, monkeypatch):
    """book_renderer's HTML holds the chart's Vega-Lite and never calls vl-convert; compile_later makes of it
    the very text chart_html writes when it compiles in the kernel (so the built page is the same)."""
    import vl_convert

    hostile = SINGLE.properties(title='</script><b>x</b> ententeVegaLite("e30=") & more')
    render._counter["n"] = 0
    compiled_here = render.chart_html(hostile.to_dict(), "Data as of a test")
    real = vl_convert.vegalite_to_vega
    monkeypatch.setattr(vl_convert, "vegalite_to_vega", lambda *a, **k: pytest.fail("the kernel compiled"))
    render._counter["n"] = 0
    left = render.book_renderer(hostile.to_dict())["text/html"]
    # The chart's script draws the Vega-Lite Sphinx will compile: no Vega in the kernel's output.
    assert re.search(r'ententeChart\("#[^"]+", ententeVegaLite\("[A-Za-z0-9+/=]+"\)\)', left)
    monkeypatch.setattr(vl_convert, "vegalite_to_vega", real)
    for cached in (project / "_build" / "cache" / render.COMPILED).glob("*.json"):
        cached.unlink()  # compiled afresh by Sphinx, not read back from the kernel's run above
    assert render.compile_later(left) == compiled_here
    assert render.compile_later(compiled_here) == compiled_here


def test_text_that_only_looks_like_a_chart_is_left_alone():
    """Only a chart's own script is compiled: the same call in escaped data text stays text."""
    import html

    payload = render._later({"mark": "point"})
    opening = '<script type="text/javascript">' + render.DRAW + '("#entente-chart-1-0123456789", '
    text = f"<td>{html.escape(opening + payload + ')', quote=False)}</td>"  # quotes as they are: text, not markup
    assert render.compile_later(opening + payload + ")") != opening + payload + ")"  # unescaped, it would be
    assert render.compile_later(text) == text


def test_sphinx_compiles_the_charts_of_a_page_it_reads(project):
    """entente.sphinxext.compile_charts, on a page as myst-nb leaves it: each chart's raw HTML is compiled,
    other raw HTML and other formats are left as they are."""
    from types import SimpleNamespace

    from docutils import nodes

    from entente import sphinxext

    render._counter["n"] = 0
    left = render.chart_html(SINGLE.to_dict(), "Data as of a test", compiled=False)
    render._counter["n"] = 0
    compiled_here = render.chart_html(SINGLE.to_dict(), "Data as of a test")
    doc = nodes.document(None, None)
    doc += nodes.raw(left, left, format="html", classes=["output", "text_html"])
    doc += nodes.raw(left, left, format="latex")
    doc += nodes.raw("<p>plain</p>", "<p>plain</p>", format="html")
    sphinxext.compile_charts(SimpleNamespace(env=SimpleNamespace(docname="page")), doc)
    chart, latex, plain = doc.children
    assert chart.astext() == compiled_here and chart["classes"] == ["output", "text_html"] and chart["format"] == "html"
    assert latex.astext() == left and plain.astext() == "<p>plain</p>"
