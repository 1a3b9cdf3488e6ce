"""The page hooks (entente.pages), called as Sphinx calls them, with stand-ins for Sphinx's objects."""
from types import SimpleNamespace

from conftest import ROOT, as_of_label
from entente import pages


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
