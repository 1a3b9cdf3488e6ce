"""The icon fonts cut to the icons the book shows (entente.iconfont)."""
import io

import pytest
from fontTools.ttLib import TTFont

from entente import iconfont

CSS = ('.fa-bars:before{content:"\\f0c9"}.fa-search:before,.fa-magnifying-glass:before{content:"\\f002"}'
       '.fa-moon:before{content:"\\f186"}:root{--pst-icon-info-circle:"\uf05a"}'
       '.admonition>.admonition-title:after{content:var(--pst-icon-info-circle)}'
       '.bd-search .search-button__kbd-shortcut:before{content:"\\f11c"}')


def test_the_stylesheet_maps_icon_classes_and_keeps_glyphs_it_uses_itself():
    by_icon, always = iconfont.glyphs_by_icon(CSS)
    assert by_icon == {"bars": {0xF0C9}, "search": {0xF002}, "magnifying-glass": {0xF002}, "moon": {0xF186}}
    assert always == {0xF05A, 0xF11C}


def test_icons_are_read_from_class_attributes_only():
    pages = ['<i class="fa-solid fa-bars"></i>', '<p>fa-moon is a word here, class=&quot;fa-moon&quot; too</p>']
    assert iconfont.icons_on_pages(pages) == {"solid", "bars"}


@pytest.fixture(scope="module")
def solid_font() -> bytes:
    return (iconfont.theme_webfonts() / "fa-solid-900.woff2").read_bytes()


def _cmap(font: bytes) -> set[int]:
    return set(TTFont(io.BytesIO(font)).getBestCmap())


def test_a_subset_holds_exactly_the_glyphs_asked_for_and_is_reproducible(solid_font):
    small = iconfont.subset(solid_font, {0xF0C9, 0xF002, 0x10FFFF})  # the last is not in the font: ignored
    assert _cmap(small) == {0xF0C9, 0xF002}
    assert len(small) < len(solid_font) / 20
    assert iconfont.subset(solid_font, {0xF002, 0xF0C9}) == small


def test_cut_fonts_replaces_the_books_fonts_from_the_themes_originals(tmp_path, solid_font):
    out = tmp_path / "html"
    (out / "_static" / "styles").mkdir(parents=True)
    (out / iconfont.STYLESHEET).write_text(CSS, encoding="utf-8")
    (out / iconfont.WEBFONTS).mkdir(parents=True)
    (out / iconfont.WEBFONTS / "fa-solid-900.woff2").write_bytes(b"a previous build's subset")
    (out / "chapters").mkdir()
    (out / "chapters" / "a.html").write_text('<i class="fa-solid fa-bars"></i>', encoding="utf-8")
    (out / "_static" / "fragment.html").write_text('<i class="fa-moon"></i>', encoding="utf-8")  # not a page
    sizes = iconfont.cut_fonts(out)
    assert set(sizes) == {"fa-solid-900.woff2"}  # only the fonts the book holds
    cut = (out / iconfont.WEBFONTS / "fa-solid-900.woff2").read_bytes()
    assert _cmap(cut) == {0xF0C9, 0xF05A, 0xF11C} & _cmap(solid_font)
    assert sizes["fa-solid-900.woff2"] == (len(solid_font), len(cut))
