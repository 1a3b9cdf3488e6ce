"""The PDF's structure, which Jupyter Book's LaTeX builder does not give without jupyterbook-latex.

That extension needs a 486 MB font package (see STACK.md), so the book goes without it, and Sphinx
alone would turn the introduction's sections into chapters 1 and 2 and drop the parts of the table
of contents. On the one assembled document the LaTeX builder writes, this module:

- wraps the introduction (the root page's own text) in an unnumbered chapter; the parts of _toc.yml before
  the first numbered one (the key findings) stay unnumbered too, as front matter;
- opens each part of _toc.yml with an unnumbered ``\\part`` carrying its caption;
- sets the documents ``latex_appendices`` names (the claim register) as lettered appendices only: Sphinx
  appends them after the main matter, behind its ``\\appendix``, but also keeps them where the table of
  contents has them, so they are taken out there; the bibliography comes before them, with the other
  back matter; the register's entries are chosen from what the rest of the PDF prints (``entente.register``);
- lets every table break across pages (a ``longtable`` with wrapped columns), unless it sits in a float;
- marks where each figure is introduced (the end of the text before it) and where it was placed, as
  labels in the .aux file, so a test can check the two are at most a page apart;
- writes the front page's edition and citation (``FRONT_PAGE``), made from the data at build time.
"""
from __future__ import annotations

import re
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


def _parts(root: Path) -> list[tuple[str, bool]]:
    """Each part of _toc.yml: its caption ("" when it has none) and whether its chapters are numbered."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    return [(part.get("caption", ""), bool(part.get("numbered"))) for part in toc.get("parts") or []]


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
    top.insert(1, _raw(UNNUMBERED))
    if own:
        # It takes the root page's ids too, so that references to the introduction (intro) land here.
        intro = nodes.section(ids=["entente-introduction", *top["ids"]], names=["entente-introduction"])
        intro += nodes.title(INTRO_TITLE, INTRO_TITLE)
        for child in own:
            top.remove(child)
            intro += child
        top.insert(2, intro)
    parts = _parts(Path(app.srcdir))
    if len(parts) != len(wrappers):
        top.insert(3 if own else 2, _raw(NUMBERED))
        parts = []
    # Numbering starts with the first numbered part: the unnumbered parts before it are front matter.
    numbered_from = next((i for i, (_, numbered) in enumerate(parts) if numbered), 0)
    for i, ((caption, _), wrapper) in enumerate(zip(parts, wrappers)):
        here = wrapper.parent.index(wrapper)
        if i == numbered_from:
            wrapper.parent.insert(here, _raw(NUMBERED))
            here += 1
        if caption:
            tex = _escape(caption)
            wrapper.parent.insert(here, _raw(rf"\part*{{{tex}}}\addcontentsline{{toc}}{{part}}{{{tex}}}"))
    _appendices(app, doctree)
    _mark_figures(doctree)
    front_page(app)
    for table in list(doctree.findall(nodes.table)):
        inside_float = any(isinstance(a, (nodes.figure, nodes.table)) for a in _ancestors(table))
        if not inside_float and "longtable" not in table["classes"]:
            table["classes"].append("longtable")
            _column_widths(table)


def _appendices(app, doctree) -> None:
    """The appendices (``latex_appendices``) once, lettered, after all other matter; the register's filled in."""
    from sphinx import addnodes
    from sphinx.builders.latex.nodes import thebibliography

    from . import register

    names = set(app.config.latex_appendices)
    appended = [d for d in doctree.children if isinstance(d, nodes.document) and d.get("docname") in names]
    if not appended:
        return
    for inlined in [n for n in doctree.findall(addnodes.start_of_file) if n["docname"] in names]:
        inlined.parent.remove(inlined)  # the copy the table of contents put in the main matter
    for bibliography in [n for n in doctree.children if isinstance(n, thebibliography)]:
        doctree.remove(bibliography)
        doctree.insert(doctree.index(appended[0]), bibliography)
    for document in appended:
        if document["docname"] == register.DOCNAME:
            register.fill_appendix(doctree, document, app.srcdir)


# Labels around each figure, in the .aux file LaTeX writes: where the text introducing figure N ends (the
# point the figure stands at in the source) and the page the figure was placed on. Figures are set
# where they stand (figure_align "H" in _config.yml), so the two are the same page or the next.
INTRODUCED = "entente-figure-{}-introduced"
PLACED = "entente-figure-{}-placed"


def _mark_figures(doctree) -> None:
    for n, figure in enumerate(list(doctree.findall(nodes.figure)), start=1):
        figure.parent.insert(figure.parent.index(figure), _raw(rf"\label{{{INTRODUCED.format(n)}}}"))
        figure += _raw(rf"\label{{{PLACED.format(n)}}}")


# _config.yml's latex_elements "maketitle" inputs it before the title page. Not a .tex file: Sphinx's LaTeX
# Makefile would typeset every .tex file of the folder as a document of its own.
FRONT_PAGE = "entente-front.def"


def front_page_tex(root: Path) -> str:
    """What the title page adds to the title, authors and as-of date: the data version and how to cite.

    Both come from the data when the book is built (``entente.releases.edition``, ``entente.citation``),
    through Sphinx's ``\\authoraddress``, which the title page prints under the date.
    """
    from .citation import citation, sentence

    c = citation(root)
    e = c.edition
    return "\n".join([
        "% Written by entente.latex at build time from the data: do not edit.",
        r"\authoraddress{\par\medskip",
        rf"Data version {_escape(e.data_version)} (release {_escape(e.release)})\par\vspace{{3\baselineskip}}",
        r"\begin{minipage}{\textwidth}\raggedright\normalfont\normalsize",
        r"\textbf{How to cite this report}\par\smallskip",
        rf"{_escape(sentence(c))}\par",
        r"\end{minipage}}",
    ]) + "\n"


def front_page(app) -> None:
    """Write ``FRONT_PAGE`` beside the LaTeX source, where LaTeX reads it."""
    path = Path(app.outdir) / FRONT_PAGE
    text = front_page_tex(Path(app.srcdir))
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


LINE = 90  # characters of body text on one line of the PDF, roughly
PAD = 3  # what a column's padding (two \tabcolsep) takes, in the same characters
WORD = 1.2  # a word's width in characters of body text, allowing for bold sans headers and capitals
# Type sizes a table may be set in, largest first, with how many more characters a line then holds.
SIZES = ((None, 1.0), (r"\small", 10 / 9), (r"\footnotesize", 10 / 8), (r"\scriptsize", 10 / 7))


def _column_widths(table) -> None:
    """Column widths, so the longtable fits the page and wraps only its long columns.

    Markdown tables carry no widths; a longtable without them sets every column on one line and runs
    off the page, and widths in proportion to the text alone squeeze short columns below their longest
    word, which then runs into the next column or past the margin. So no column is narrower than its
    longest word; a table whose longest words do not fit the line together is set in smaller type; a
    table that fits on one line keeps each column's natural width, and otherwise each column gets its
    longest word plus a share of the rest of the line, in proportion to how much more it would take.
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
                word[column] = max([word[column], *(len(w) for w in UNDERSCORE.split(text.replace("\n", " ")) if w)])
            column += 1 + entry.get("morecols", 0)
    _break_after_underscores(table)
    least = [w * WORD + PAD for w in word]
    natural = [max(n + PAD, m) for n, m in zip(longest, least)]
    size, scale = next(((s, k) for s, k in SIZES if sum(least) <= LINE * k), SIZES[-1])
    line = LINE * scale
    need = natural
    if sum(natural) > line and sum(natural) > sum(least):
        want = [n - m for n, m in zip(natural, least)]
        extra = max(0.0, line - sum(least))
        need = [m + extra * w / sum(want) for m, w in zip(least, want)]
    for spec, width in zip(specs, need):
        spec["colwidth"] = round(width * 10)
    table["classes"] = [c for c in table["classes"] if c != "colwidths-auto"] + ["colwidths-given"]
    if size:
        table.parent.insert(table.parent.index(table), _raw(r"\begingroup" + size))
        table.parent.insert(table.parent.index(table) + 1, _raw(r"\endgroup"))


# Where a word of a table may break: at a space, and after the underscore of an identifier (a field name
# such as columns_dropped), which LaTeX would otherwise keep whole, however narrow its column.
UNDERSCORE = re.compile(r"\s+|(?<=_)")


def _break_after_underscores(table) -> None:
    for text in list(table.findall(nodes.Text)):
        if "_" not in text or isinstance(text.parent, (nodes.literal, nodes.raw)):
            continue
        pieces = [piece for piece in re.split(r"(?<=_)", str(text)) if piece]
        new = [pieces[0]]
        for piece in pieces[1:]:
            new += [nodes.raw("", r"\allowbreak{}", format="latex"), piece]
        text.parent.replace(text, [nodes.Text(n) if isinstance(n, str) else n for n in new])


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent
