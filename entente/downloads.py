"""The Downloads page: the data, each chapter as a notebook and (once built) the PDF, offered by the web book.

``{entente-downloads}`` lists them (links on the web, plain names in the PDF); the HTML build copies
them into its ``downloads/`` folder. The list follows the data package and the table of contents.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

# The web book's downloads folder, and where `make pdf` leaves the PDF (next to the html folder).
DOWNLOADS = "downloads"
PDF_NAME = "entente-report.pdf"


def toc_files(root: Path) -> list[str]:
    """The book's files (no suffix) in table-of-contents order, read from _toc.yml."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key))

    walk([toc])
    return [re.sub(r"\.(md|ipynb)$", "", f) for f in files]


def is_notebook(path: Path) -> bool:
    """A chapter that runs code: MyST Markdown with a Jupyter kernel in its front matter."""
    text = path.read_text(encoding="utf-8")
    front = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    return bool(front and "kernelspec" in (yaml.safe_load(front.group(1)) or {}))


def chapter_title(path: Path) -> str:
    """A page's first Markdown heading, without inline markup."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return re.sub(r"[*_`]", "", line[2:]).strip()
    return path.stem


def downloads(root: Path, build: Path) -> list[tuple[str, Path, str]]:
    """What the web book offers: (path under downloads/, source file, what it is), in page order."""
    package = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    items = [("datapackage.json", root / "datapackage.json", "the data package: tables, fields and types")]
    for resource in package["resources"]:
        items.append((resource["path"], root / resource["path"],
                      f"the {resource['name']} table (CSV)"))
    # The licences travel with the data (CC BY asks that reusers name it), and the citation with both.
    for name, what in (("CITATION.cff", "how to cite this edition (Citation File Format)"),
                       ("LICENSE-data.md", "the licence of the data and the text (CC BY 4.0)"),
                       ("LICENSE", "the licence of the code (MIT)")):
        if (root / name).is_file():
            items.append((name, root / name, what))
    for name in toc_files(root):
        source = root / f"{name}.md"
        if source.is_file() and is_notebook(source):
            items.append((f"notebooks/{Path(name).name}.ipynb", source, f"“{chapter_title(source)}” as a notebook"))
    if (build / PDF_NAME).is_file():
        items.append((PDF_NAME, build / PDF_NAME, "the whole report as a PDF"))
    return items


def write_notebook(source: Path, target: Path) -> None:
    """A chapter as an .ipynb without outputs. Cell ids are numbered: nbformat's default is random."""
    import jupytext

    notebook = jupytext.read(source)
    for number, cell in enumerate(notebook.cells, start=1):
        cell["id"] = f"cell-{number}"
    target.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(notebook, target, fmt="ipynb")


class DownloadsDirective(SphinxDirective):
    """``{entente-downloads}``: the list of downloads, links on the web, plain names in the PDF."""

    def run(self):
        root, build = Path(self.env.srcdir), Path(self.env.app.outdir).parent
        up = "../" * self.env.docname.count("/")
        web, paper = nodes.bullet_list(), nodes.bullet_list()
        for path, source, what in downloads(root, build):
            size = f"{source.stat().st_size / 1024:,.0f} KB" if not path.endswith(".ipynb") else ""
            tail = f": {what}" + (f" ({size})" if size else "")
            link = nodes.reference(path, path, refuri=f"{up}{DOWNLOADS}/{path}")
            web += nodes.list_item("", nodes.paragraph("", "", link, nodes.Text(tail)))
            if path != PDF_NAME:  # the PDF does not list itself: it stays the same whether or not one existed
                paper += nodes.list_item("", nodes.paragraph("", "", nodes.literal(path, path), nodes.Text(tail)))
        only_web, only_paper = addnodes.only(expr="html"), addnodes.only(expr="latex")
        only_web += web
        only_paper += nodes.paragraph("", "These files come with the web edition of the report:")
        only_paper += paper
        return [only_web, only_paper]


class BibtexDirective(SphinxDirective):
    """``{entente-bibtex}``: the report's BibTeX entry (``entente.citation``), as a code block on the web and
    in the PDF. The page it is on holds ``{entente-downloads}`` too, so it is re-read at every build."""

    def run(self):
        from .citation import bibtex, citation

        entry = bibtex(citation(Path(self.env.srcdir)))
        block = nodes.literal_block(entry, entry, language="bibtex")
        block["classes"].append("entente-bibtex")
        return [block]


def _reread_downloads_page(app, env, added, changed, removed):
    # The list depends on files outside the page (a PDF built since, a new chapter): always re-read it.
    return [d for d in env.found_docs if "entente-downloads" in Path(env.doc2path(d)).read_text(encoding="utf-8")]


def _copy_downloads(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    root, build = Path(app.srcdir), Path(app.outdir).parent
    target_dir = Path(app.outdir) / DOWNLOADS
    shutil.rmtree(target_dir, ignore_errors=True)
    for path, source, _ in downloads(root, build):
        target = target_dir / path
        if path.endswith(".ipynb"):
            write_notebook(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def setup(app):
    app.add_directive("entente-downloads", DownloadsDirective)
    app.add_directive("entente-bibtex", BibtexDirective)
    app.connect("env-get-outdated", _reread_downloads_page)
    app.connect("build-finished", _copy_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
