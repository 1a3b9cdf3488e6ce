"""The theme's icon fonts cut down to the icons the book shows.

pydata-sphinx-theme draws its icons (search, menu, light/dark switch, download…) from Font Awesome's
web fonts. A page showing one icon fetches the whole solid font, 156 KB for some 1,400 glyphs of
which the book uses about twenty. After the HTML build the fonts in the book are replaced by subsets
holding just the glyphs the pages and the theme's stylesheet can ask for:

- every ``fa-NAME`` class on any written page, looked up in the stylesheet's ``.fa-NAME:before`` rules;
- every glyph the stylesheet uses on its own (admonition and link icons set in other rules).

The subsets are always cut from the theme's own files, never from a previous build's output, and
without a new timestamp, so the same pages give the same bytes.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

# Where the theme's copy of Font Awesome lands in the web book, and its stylesheet.
WEBFONTS = "_static/vendor/fontawesome/webfonts"
STYLESHEET = "_static/styles/pydata-sphinx-theme.css"
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
# An icon in CSS: an escape ("\\f002") or the private-use character itself (the theme's --pst-icon-* values).
GLYPH = re.compile(r'\\(f[0-9a-f]{3,4})\b|([\ue000-\uf8ff])')
ICON_ONLY = re.compile(r"\.fa-([a-z0-9-]+)::?before")
CLASS_ATTR = re.compile(r'class="([^"]*)"')
ICON_CLASS = re.compile(r"\bfa-([a-z0-9-]+)")


def glyphs_by_icon(css: str) -> tuple[dict[str, set[int]], set[int]]:
    """From the stylesheet: the code points each ``fa-NAME`` class shows, and those its other rules use."""
    by_icon: dict[str, set[int]] = {}
    always: set[int] = set()
    for selectors, body in RULE.findall(css):
        points = {int(code, 16) if code else ord(char) for code, char in GLYPH.findall(body)}
        if not points:
            continue
        parts = [part.strip() for part in selectors.split(",")]
        names = [ICON_ONLY.fullmatch(part) for part in parts]
        if all(names):
            for match in names:
                by_icon.setdefault(match.group(1), set()).update(points)
        else:
            always |= points
    return by_icon, always


def icons_on_pages(pages) -> set[str]:
    """Every ``fa-NAME`` named in a class attribute of the given HTML texts."""
    found: set[str] = set()
    for text in pages:
        for classes in CLASS_ATTR.findall(text):
            found.update(ICON_CLASS.findall(classes))
    return found


def subset(font: bytes, points: set[int]) -> bytes:
    """The WOFF2 font holding only the glyphs of ``points`` (those it has), with its original timestamp."""
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    source = TTFont(io.BytesIO(font), recalcTimestamp=False)
    options = ft_subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(points & set(source.getBestCmap())))
    subsetter.subset(source)
    out = io.BytesIO()
    source.flavor = "woff2"
    source.save(out, reorderTables=False)
    return out.getvalue()


def theme_webfonts() -> Path:
    import pydata_sphinx_theme

    return Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "vendor" / \
        "fontawesome" / "webfonts"


def cut_fonts(outdir: Path, originals: Path | None = None) -> dict[str, tuple[int, int]]:
    """Replace each WOFF2 icon font of the built book by its subset; return each one's size before and after."""
    originals = originals or theme_webfonts()
    css = (outdir / STYLESHEET).read_text(encoding="utf-8")
    by_icon, points = glyphs_by_icon(css)
    pages = (path.read_text(encoding="utf-8") for path in sorted(outdir.rglob("*.html"))
             if "_static" not in path.relative_to(outdir).parts)
    used = icons_on_pages(pages)
    for name in sorted(used):
        points |= by_icon.get(name, set())
    sizes = {}
    for original in sorted(originals.glob("*.woff2")):
        target = outdir / WEBFONTS / original.name
        if not target.is_file():
            continue
        font = original.read_bytes()
        small = subset(font, points)
        target.write_bytes(small)
        sizes[original.name] = (len(font), len(small))
    return sizes


def _cut_after_build(app, exception) -> None:
    if exception is None and app.builder.format == "html" and (Path(app.outdir) / STYLESHEET).is_file():
        cut_fonts(Path(app.outdir))


def setup(app):
    app.connect("build-finished", _cut_after_build)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
