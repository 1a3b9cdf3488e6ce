"""What the web book publishes, fit for assistive technology (checked by axe-core in tests/test_accessibility.py).

- Citation lists: docutils writes a bibliography as ``<div role="list">`` whose entries carry
  ``role="doc-biblioentry"``, a role DPUB-ARIA 1.1 deprecated because a list must own list items; a screen
  reader then finds a list with no items. Each entry is given ``role="listitem"`` instead, as DPUB-ARIA advises.
- Only pages are published: the themes keep Jinja macro files (``webpack-macros.html``,
  ``sbt-webpack-macros.html``) in their static folders, which Sphinx copies into ``_static`` with the rest.
  They are template fragments, with no title or language, not pages; once the build is done every HTML
  file under ``_static`` is removed (no page of the book lives there).
- The book's front door: sphinx-external-toc writes ``index.html`` as a bare ``<meta>`` redirect to the first
  page, with no title or language; it is rewritten as a small page of its own that still redirects at once,
  names the book, and links the first page for a reader whose browser does not follow the redirect.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

# docutils (0.21) marks each citation of a citation list so; the list itself is role="list".
BIBLIOENTRY = re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"')
STATIC = "_static"
REDIRECT = re.compile(r'<meta http-equiv="Refresh" content="0; url=([^"]+)"')


def citations_as_list_items(body: str) -> str:
    """The page body with every citation entry a list item of its citation list."""
    return BIBLIOENTRY.sub(r'\1 role="listitem"', body)


def _list_items(app, pagename, templatename, context, doctree) -> None:
    """Sphinx's html-page-context: the body is rewritten before the page is written."""
    if "body" in context:
        context["body"] = citations_as_list_items(context["body"])


def template_fragments(outdir: Path) -> list[Path]:
    """HTML files among the static assets: template fragments, never pages of the book."""
    static = Path(outdir) / STATIC
    return sorted(static.rglob("*.html")) if static.is_dir() else []


def redirect_page(text: str, title: str, language: str) -> str | None:
    """A redirect (the bare one sphinx-external-toc writes, or one written here by an earlier build, which
    sphinx-external-toc then leaves as it is) as a page with a language, a title and a link; None for anything
    else, such as a page of the book (every one of which loads scripts and stylesheets), which is left alone."""
    found = REDIRECT.search(text)
    if not found or "<script" in text or "<link" in text:
        return None
    url, title = html.escape(found.group(1)), html.escape(title)
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(language)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{title}</title>\n"
            f'<meta http-equiv="Refresh" content="0; url={url}">\n</head>\n'
            f'<body>\n<p><a href="{url}">{title}</a></p>\n</body>\n</html>\n')


def _only_pages_published(app, exception) -> None:
    """Sphinx's build-finished, after sphinx-external-toc's: the theme's template fragments leave the
    published book, and its front door becomes a page."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for path in template_fragments(outdir):
        path.unlink()
    index = outdir / "index.html"
    if index.is_file():
        page = redirect_page(index.read_text(encoding="utf-8"), app.config.html_title or app.config.project,
                             app.config.language or "en")
        if page is not None:
            index.write_text(page, encoding="utf-8")


def setup(app):
    app.connect("html-page-context", _list_items)
    # Later than sphinx-external-toc's own build-finished handler (default priority 500), which writes index.html.
    app.connect("build-finished", _only_pages_published, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
