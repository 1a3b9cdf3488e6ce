"""The PDF's structure, which Jupyter Book's LaTeX builder does not give without jupyterbook-latex.

That extension needs a 486 MB font package (see STACK.md), so the book goes without it, and Sphinx
alone would turn the introduction's sections into chapters 1 and 2 and drop the parts of the table
of contents. On the one assembled document the LaTeX builder writes, this module:

- wraps the introduction (the root page's own text) in an unnumbered chapter;
- opens each part of _toc.yml with an unnumbered ``\\part`` carrying its caption;
- lets every table break across pages (a ``longtable`` with wrapped columns), unless it sits in a float.
"""
from __future__ import annotations

from pathlib import Path

import yaml
from docutils import nodes

INTRO_TITLE = "Introduction"
# Chapters unnumbered from here on; figures and tables numbered 1, 2... instead of 0.1, 0.2...
UNNUMBERED = (r"\edef\ententeSecnum{\the\value{secnumdepth}}\setcounter{secnumdepth}{-1}"
              r"\let\ententeTheFigure\thefigure\renewcommand{\thefigure}{\arabic{figure}}"
              r"\let\ententeTheTable\thetable\renewcommand{\thetable}{\arabic{table}}")
NUMBERED = r"\setcounter{secnumdepth}{\ententeSecnum}\let\thefigure\ententeTheFigure\let\thetable\ententeTheTable"


def _raw(tex: str) -> nodes.raw:
    return nodes.raw("", tex + "\n", format="latex")


def _part_captions(root: Path) -> list[str]:
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    return [part.get("caption", "") for part in toc.get("parts") or []]


_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}"}


def _escape(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(char, char) for char in text)


def structure(app, doctree, docname) -> None:
    """``doctree-resolved`` for the LaTeX builder's one big document (the root page with all included)."""
    if app.builder.name != "latex" or docname != app.config.root_doc:
        return
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is None:
        return
    wrappers = [child for child in top.children
                if isinstance(child, nodes.compound) and "toctree-wrapper" in child["classes"]]
    # The root page's own text, between its title and its first table of contents.
    first = top.index(wrappers[0]) if wrappers else len(top.children)
    own = top.children[1:first]
    if own:
        intro = nodes.section(ids=["entente-introduction"], names=["entente-introduction"])
        intro += nodes.title(INTRO_TITLE, INTRO_TITLE)
        for child in own:
            top.remove(child)
            intro += child
        top.insert(1, _raw(UNNUMBERED))
        top.insert(2, intro)
        top.insert(3, _raw(NUMBERED))
    captions = _part_captions(Path(app.srcdir))
    if len(captions) == len(wrappers):
        for caption, wrapper in zip(captions, wrappers):
            if caption:
                tex = _escape(caption)
                wrapper.parent.insert(wrapper.parent.index(wrapper),
                                      _raw(rf"\part*{{{tex}}}\addcontentsline{{toc}}{{part}}{{{tex}}}"))
    for table in doctree.findall(nodes.table):
        inside_float = any(isinstance(a, (nodes.figure, nodes.table)) for a in _ancestors(table))
        if not inside_float and "longtable" not in table["classes"]:
            table["classes"].append("longtable")
            _column_widths(table)


LINE = 80  # characters of body text on one line of the PDF, roughly; a column also pads 2 of them
NARROW = 14  # columns whose longest cell is no longer keep it on one line


def _column_widths(table) -> None:
    """Column widths, so the longtable fits the page and wraps only its long columns.

    Markdown tables carry no widths; a longtable without them sets every column on one line and runs
    off the page. Short columns (ids, dates, levels) get their natural width; long ones share the
    rest of the line in proportion to their longest cell, never narrower than their longest word.
    """
    group = next(iter(table.findall(nodes.tgroup)), None)
    if group is None or "colwidths-given" in table["classes"]:
        return
    specs = [child for child in group.children if isinstance(child, nodes.colspec)]
    longest, word = [1] * len(specs), [1] * len(specs)
    for row in group.findall(nodes.row):
        column = 0
        for entry in row.children:
            if column < len(specs):
                text = entry.astext()
                longest[column] = max(longest[column], min(len(text), 60))
                word[column] = max([word[column], *(len(w) for w in text.split())])
            column += 1 + entry.get("morecols", 0)
    need = [n + 2 for n in longest]
    wide = [i for i, n in enumerate(longest) if n > NARROW]
    room = LINE - sum(need[i] for i in range(len(need)) if i not in wide)
    if sum(need) > LINE and wide and room > 0:
        for i in wide:
            need[i] = max(word[i] + 2, room * longest[i] / sum(longest[k] for k in wide))
    for spec, width in zip(specs, need):
        spec["colwidth"] = round(width * 10)
    table["classes"] = [c for c in table["classes"] if c != "colwidths-auto"] + ["colwidths-given"]


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent
