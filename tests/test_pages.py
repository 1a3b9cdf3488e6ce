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


def _page_context(body: str) -> tuple[list[str], dict]:
    """Sphinx's html-page-context for a page with ``body``: the scripts the page got, and its context."""
    added: list[str] = []
    app = SimpleNamespace(add_js_file=lambda name, **kw: added.append(name))
    context = {"body": body}
    pages._light_pages(app, "chapters/x", "page.html", context, None)
    return added, context


def test_only_pages_with_a_chart_load_the_vega_bundle():
    chart = '<div class="entente-chart" id="entente-chart-1-0123456789" role="figure"></div><script>vegaEmbed()</script>'
    assert _page_context(f"<p>Text</p>{chart}")[0] == [assets.VEGA_FILE]
    assert _page_context("<p>References, no chart.</p>")[0] == []
    assert _page_context("")[0] == []


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
