"""The page hooks (entente.pages), called as Sphinx calls them, with stand-ins for Sphinx's objects."""
from types import SimpleNamespace

from conftest import ROOT, as_of_label
from entente import assets, pages


def test_every_page_is_written_over_a_fresh_search_index(tmp_path):
    (tmp_path / pages.SEARCH_INDEX).write_text('Search.setIndex({"terms":{"gone":[]}})')
    env = SimpleNamespace(found_docs={"chapters/b", "chapters/a", "chapters/intro"})
    html = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"))
    assert pages._write_every_page(html, env) == ["chapters/a", "chapters/b", "chapters/intro"]
    assert not (tmp_path / pages.SEARCH_INDEX).exists(), "the old index would be updated, keeping stale words"


def test_the_latex_build_is_left_as_it_is(tmp_path):
    (tmp_path / pages.SEARCH_INDEX).write_text("kept")
    latex = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="latex"))
    assert pages._write_every_page(latex, SimpleNamespace(found_docs={"a"})) == []
    assert (tmp_path / pages.SEARCH_INDEX).read_text() == "kept"


def test_title_page_shows_the_data_as_of_date_not_the_build_date():
    config = SimpleNamespace(today="")
    pages._title_page_date(SimpleNamespace(srcdir=str(ROOT)), config)
    assert config.today == f"Data as of {as_of_label()}"


def _page_context(body: str, outdir=None) -> tuple[list[str], dict]:
    """Sphinx's html-page-context for a page with ``body``: the scripts the page got, and its context."""
    added: list[str] = []
    app = SimpleNamespace(add_js_file=lambda name, **kw: added.append(name), outdir=str(outdir or ROOT / "_build" / "x"))
    context = {"body": body, "pathto": lambda name, resource=0: f"../{name}"}
    pages._light_pages(app, "chapters/x", "page.html", context, None)
    return added, context


def _built_bundle(tmp_path):
    (tmp_path / "html" / "_static").mkdir(parents=True)
    (tmp_path / "html" / "_static" / assets.VEGA_FILE).write_text("/* a stand-in bundle */")
    return tmp_path / "html"


def test_only_pages_with_a_chart_load_the_vega_bundle(tmp_path):
    """A chart page's head preloads the bundle (with its digest) and adds it by the loader; other pages neither."""
    outdir = _built_bundle(tmp_path)
    chart = '<div class="entente-chart" id="entente-chart-1-0123456789" role="figure"></div><script>ententeChart()</script>'
    added, context = _page_context(f"<p>Text</p>{chart}", outdir)
    assert added == []  # not a script tag Sphinx writes: the layout's loader adds it after the first paint
    assert context["entente_vega_src"] == f"../_static/{assets.VEGA_FILE}?v={pages._bundle_digest(outdir)}"
    assert f'script.src = "{context["entente_vega_src"]}"' in context["entente_chart_loader"]
    for plain in ("<p>References, no chart.</p>", ""):
        added, context = _page_context(plain, outdir)
        assert added == [] and context["entente_vega_src"] == "" and context["entente_chart_loader"] == ""


# The theme's <head> assets as pydata-sphinx-theme 0.17 writes them (its webpack macros).
THEME_HEAD = """
  <link href="../_static/styles/theme.css?digest=55c26ed414f5f8a31ebb" rel="stylesheet" />
  <!-- So that users can add custom icons -->
  <script defer src="../_static/scripts/fontawesome.js?digest=55c26ed414f5f8a31ebb"></script>
  <link rel="preload" as="script" href="../_static/scripts/bootstrap.js?digest=55c26ed414f5f8a31ebb" />
"""


def test_the_icon_font_script_is_dropped_and_nothing_else():
    _, context = _page_context("")
    head = str(context["entente_without_icon_script"](THEME_HEAD))
    assert "fontawesome.js" not in head
    assert head == THEME_HEAD.replace(
        '\n  <script defer src="../_static/scripts/fontawesome.js?digest=55c26ed414f5f8a31ebb"></script>', "")


def test_the_layout_that_drops_it_comes_first(tmp_path):
    config = SimpleNamespace(templates_path=["_templates"])
    pages._use_own_layout(SimpleNamespace(confdir=str(ROOT)), config)
    assert config.templates_path == ["entente/templates", "_templates"]  # relative: the same in every clone
    layout = (ROOT / config.templates_path[0] / "layout.html").read_text(encoding="utf-8")
    assert '{%- extends "!layout.html" %}' in layout and "entente_without_icon_script(super())" in layout


def _assets_of(body: str) -> tuple[list[str], list[str]]:
    """The script files (or inline bodies) and stylesheets a page with ``body`` keeps, from a full stand-in list."""
    from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript

    scripts = [_JavaScript(name) for name in ("doctools.js", "clipboard.min.js", "copybutton.js", "togglebutton.js",
                                              "design-tabs.js", "scripts/sphinx-book-theme.js")]
    scripts += [_JavaScript(None, body="let toggleHintShow = 'Click to show';"),
                _JavaScript(None, body="var togglebuttonSelector = '.toggle, .admonition.dropdown';"),
                _JavaScript(None, body="DOCUMENTATION_OPTIONS.pagename = 'x';")]
    styles = [_CascadingStyleSheet(name) for name in ("pygments.css", "togglebutton.css", "copybutton.css",
                                                      "sphinx-design.min.css", "mystnb.css")]
    app = SimpleNamespace(add_js_file=lambda name, **kw: None)
    context = {"body": body, "script_files": scripts, "css_files": styles}
    pages._light_pages(app, "chapters/x", "page.html", context, None)
    return ([js.filename or js.attributes["body"] for js in context["script_files"]],
            [css.filename for css in context["css_files"]])


def test_a_page_without_their_markup_loads_no_optional_extension():
    scripts, styles = _assets_of("<p>Text only</p>")
    assert scripts == ["doctools.js", "scripts/sphinx-book-theme.js", "DOCUMENTATION_OPTIONS.pagename = 'x';"]
    assert styles == ["pygments.css", "mystnb.css"]


def test_the_scripts_that_wait_for_the_parsed_page_are_deferred_and_no_others():
    from sphinx.builders.html._assets import _JavaScript

    def head_scripts() -> list:
        return [_JavaScript("documentation_options.js", id="documentation_options"), _JavaScript("doctools.js"),
                _JavaScript("sphinx_highlight.js"), _JavaScript("scripts/sphinx-book-theme.js", priority=400),
                _JavaScript(None, body="DOCUMENTATION_OPTIONS.pagename = 'x';")]

    scripts = head_scripts()
    context = {"body": "<p>Text only</p>", "script_files": head_scripts(), "css_files": []}
    pages._light_pages(SimpleNamespace(add_js_file=lambda name, **kw: None), "chapters/x", "page.html", context, None)
    deferred = {js.filename: js.attributes.get("defer") for js in context["script_files"]}
    assert deferred == {"documentation_options.js": None, "doctools.js": "defer", "sphinx_highlight.js": "defer",
                        "scripts/sphinx-book-theme.js": "defer", None: None}
    # In their order, with what else they carried.
    assert [js.filename for js in context["script_files"]] == [js.filename for js in scripts]
    assert context["script_files"][0].attributes == {"id": "documentation_options"}
    assert context["script_files"][3].priority == 400
    # The search page's template runs searchtools.js at once, and it needs doctools.js: nothing deferred there.
    context = {"body": "<p>Text only</p>", "script_files": head_scripts(), "css_files": []}
    pages._light_pages(SimpleNamespace(add_js_file=lambda name, **kw: None), "search", "search.html", context, None)
    assert [js.attributes.get("defer") for js in context["script_files"]] == [None] * 5


def test_each_optional_extension_stays_where_its_markup_is():
    scripts, styles = _assets_of('<div class="highlight-bibtex notranslate"><div class="highlight"><pre>x</pre></div></div>')
    assert {"clipboard.min.js", "copybutton.js"} <= set(scripts) and "copybutton.css" in styles
    assert "togglebutton.js" not in scripts and "sphinx-design.min.css" not in styles
    scripts, styles = _assets_of('<details class="admonition dropdown"><p>x</p></details>')
    assert "togglebutton.js" in scripts and "togglebutton.css" in styles
    assert any("toggleHintShow" in s for s in scripts) and any("togglebuttonSelector" in s for s in scripts)
    scripts, styles = _assets_of('<div class="sd-card sd-shadow-sm">x</div>')
    assert "design-tabs.js" in scripts and "sphinx-design.min.css" in styles and "copybutton.js" not in scripts


def test_text_that_only_mentions_a_class_name_loads_nothing():
    # A claim's text is escaped into the page: it can name a class, never set one.
    scripts, _ = _assets_of('<p>class=&quot;toggle sd-card highlight&quot;</p>')
    assert "togglebutton.js" not in scripts and "design-tabs.js" not in scripts and "copybutton.js" not in scripts


# pydata-sphinx-theme 0.17's extra <head> on a page other than search.html.
THEME_EXTRAHEAD = """
  <meta name="viewport" content="width=device-width, initial-scale=1"/>
    <script src="../_static/searchtools.js"></script>
    <script src="../_static/language_data.js"></script>
    <script src="../searchindex.js"></script>
"""


def test_the_theme_search_scripts_are_deferred_and_nothing_else_changes():
    head = str(pages.deferred_search_scripts(THEME_EXTRAHEAD))
    assert head == THEME_EXTRAHEAD.replace("<script src=", "<script defer src=")
    assert head.count("<script defer src=") == 3


def test_each_chart_keeps_the_height_of_its_drawing_before_it_is_drawn(tmp_path):
    """The element of a chart of the renderer holds, as a min-height, the height of the SVG vl-convert draws
    from the same Vega spec; a page without charts is left as it is."""
    import json
    import re

    import altair as alt
    import pandas as pd
    import vl_convert as vlc

    from entente import render

    frame = pd.DataFrame({"stage": ["done", "sought", "done"], "n": [3, 2, 5], "to": ["Iran", "Iran", "Russia"]})
    tall = alt.Chart(frame).mark_bar().encode(x="n:Q", y="to:N", color="stage:N").properties(height=160, width=300)
    short = alt.Chart(frame).mark_point().encode(x="n:Q").properties(height=40, width=300)
    body = "<p>Before</p>" + render.chart_html(tall.to_dict()) + "<p>Between</p>" + render.chart_html(short.to_dict())
    store = tmp_path / pages.HEIGHTS
    out = pages.with_chart_heights(body, store)
    specs = [json.loads(s) for s in re.findall(r'ententeChart\("#[^"]+", (\{.*?\})\)\.catch', body, re.S)]
    drawn = [float(re.search(r'<svg[^>]*\sheight="([\d.]+)"', vlc.vega_to_svg(s)).group(1)) for s in specs]
    reserved = [float(h) for h in re.findall(r'class="entente-chart"[^>]*style="[^"]*;min-height:([\d.]+)px"', out)]
    assert len(drawn) == 2 and reserved == [round(h) for h in drawn] and drawn[0] > drawn[1] + 100
    assert out.replace(f";min-height:{reserved[0]:.0f}px", "", 1).replace(f";min-height:{reserved[1]:.0f}px", "", 1) == body
    assert len(json.loads(store.read_text(encoding="utf-8"))) == 2  # remembered for the next build
    assert pages.with_chart_heights("<p>References, no chart.</p>", store) == "<p>References, no chart.</p>"
