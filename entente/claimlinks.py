"""Numbers in the prose that count claims, each linked to the claims it counts.

A count of claims is glued as a ``Counted``: an ``int`` (so sums and comparisons in a chapter's guards
work as before) that carries the ids it counts and the filter that selects them. Glued, it gives
``text/plain`` as any number does and, beside it, ``application/vnd.entente.claims+json``: the count,
its ids (up to ``LIMIT``) and the filter in words.

The prose pastes it with the ``{count}`` role, which reads that glued output of the page being built
(myst-nb's ``retrieve_glue_data``, as ``{glue:text}`` does) and leaves a ``counted`` node, a plain inline
number until the page is written. Then, for each builder:

- HTML: a count of one claim links to that claim's entry in the register (``register.href``); a count
  of several links to an anchored list at the foot of the page, "Claims behind the numbers", whose every
  id links to its entry. No script: it works from ``file://``. Past ``LIMIT`` ids the list gives the
  filter instead of the ids, so a page stays light at any size of the data, and, where the explorer's
  filters can express it, a link to the explorer with that filter applied (``explorer_href``). A count of
  none links nowhere.
- LaTeX: the number carries a footnote naming the ids (or, past ``LIMIT``, the filter); the register is
  the PDF's appendix of entries.
- Any other builder: the number alone.

Which glue names count claims is registered once, in ``entente.facts`` (``claim_counts``).
"""
from __future__ import annotations

import html
import posixpath
import re
from urllib.parse import quote, urlencode

import pandas as pd
from docutils import nodes

from . import exploredata, register
from .labels import in_prose, plural

MIME = "application/vnd.entente.claims+json"
# Ids a count names, in its list on the web page and its footnote in the PDF; past this, the filter instead.
LIMIT = 40
# The anchor of a count's list at the foot of its page: ``counted-`` and the glue name.
ANCHOR_PREFIX = "counted-"
EVERY_CLAIM = "every claim"
# In the PDF a count's note mark is bracketed, "11[1]", so the mark never reads as a digit of the number.
NOTE_MARK = r"\renewcommand{\thefootnote}{[\arabic{footnote}]}"


def where(*conditions: str) -> str:
    """A filter in words from its conditions, blanks left out: 'paragraph = 1; certainty = established'."""
    return "; ".join(c for c in conditions if c)


class Counted(int):
    """A count of claims that knows which claims it counts (``ids``) and the filter selecting them (``where``)."""

    ids: tuple[str, ...]
    where: str

    def __new__(cls, ids, where_: str = ""):
        ids = tuple(ids)  # as selected; sorted only when glued (at 100k claims a sort per count is seconds)
        self = super().__new__(cls, len(ids))
        self.ids, self.where = ids, where_
        return self

    def __getnewargs__(self):
        return self.ids, self.where

    def __str__(self) -> str:  # as any number prints, in f-strings and phrases too
        return int.__repr__(self)

    def __format__(self, spec: str) -> str:
        return format(int(self), spec)

    def __repr__(self) -> str:
        return f"Counted({int(self)}, where={self.where or EVERY_CLAIM!r})"

    @classmethod
    def of(cls, events: pd.DataFrame, mask=None, where_: str = "") -> "Counted":
        """The claims of ``events`` (those where ``mask`` holds, if given), counted with their ids."""
        if "event_id" not in events:
            raise ValueError("a count of claims needs the claims' event_id column")
        chosen = events["event_id"] if mask is None else events.loc[mask, "event_id"]
        return cls(chosen, where_)

    def payload(self) -> dict:
        """What is glued beside the number: every id up to ``LIMIT``, none past it (the filter says which)."""
        ids = sorted(self.ids, key=register.id_key) if self <= LIMIT else []  # in the register's order
        return {"n": int(self), "ids": ids, "where": self.where}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": str(int(self)), MIME: self.payload()}


class counted(nodes.inline):
    """A count of claims pasted into the prose, before the builder decides how to link it."""


def count_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{count}`name``: the glued count ``name`` of this page, linked to the claims it counts."""
    from myst_nb.core.variables import RetrievalError
    from myst_nb.ext.glue.utils import retrieve_glue_data

    key = text.strip()
    reporter = inliner.reporter
    try:
        data = retrieve_glue_data(inliner.document, key).data
    except RetrievalError as exc:
        return [], [reporter.warning(f"{{count}}: {exc}", line=lineno)]
    payload = data.get(MIME)
    if not isinstance(payload, dict) or "n" not in payload:
        return [], [reporter.warning(f"{{count}}`{key}` is not a count of claims: glue an entente Counted "
                                     f"(or paste it with {{glue:text}} if it counts something else)", line=lineno)]
    n, ids = int(payload["n"]), [str(i) for i in payload.get("ids", [])]
    if n <= LIMIT and len(ids) != n:
        return [], [reporter.warning(f"{{count}}`{key}` counts {n} claims but names {len(ids)}", line=lineno)]
    node = counted(str(n), str(n), key=key, n=n, ids=ids, where=str(payload.get("where", "")))
    node.source, node.line = inliner.document.current_source, lineno
    return [node], []


def describe(where_: str) -> str:
    """The filter as a reader reads it: 'paragraph = 1; stage = done', or 'every claim'."""
    return where_ or EVERY_CLAIM


def anchor(key: str) -> str:
    return ANCHOR_PREFIX + "".join(c if c.isalnum() else "-" for c in key.lower())


def _register_href(docname: str, event_id: str) -> str:
    """A claim's register entry, relative to the page ``docname``."""
    folder = posixpath.relpath(posixpath.dirname(register.DOCNAME), posixpath.dirname(docname) or ".")
    return register.href(event_id) if folder == "." else f"{folder}/{register.href(event_id)}"


_CONDITION = re.compile(r"^(\w+) = (.+)$")


def explorer_href(docname: str, where_: str) -> str | None:
    """The explorer, relative to the page ``docname``, with the filter ``where_`` in its address
    (``explore.html#stage=done``), when every condition of it is one of the explorer's filters set to a value;
    None when the explorer cannot express it."""
    pairs = []
    for condition in [c for c in where_.split("; ") if c]:
        found = _CONDITION.match(condition)
        if not found or found.group(1) not in exploredata.FILTERS:
            return None
        pairs.append(found.groups())
    folder = posixpath.relpath(posixpath.dirname(exploredata.EXPLORER_DOCNAME), posixpath.dirname(docname) or ".")
    page = posixpath.basename(exploredata.EXPLORER_DOCNAME) + ".html"
    target = page if folder == "." else f"{folder}/{page}"
    return target + (f"#{urlencode(pairs, quote_via=quote)}" if pairs else "")


def _id_links(docname: str, ids) -> str:
    return ", ".join(f'<a class="entente-claim-link" href="{html.escape(_register_href(docname, i))}">'
                     f"{html.escape(i)}</a>" for i in ids)


def _html_number(docname: str, node: counted) -> str:
    n, ids = node["n"], node["ids"]
    number = f'<span class="pasted-text">{n}</span>'
    if n == 0:
        return number
    title = html.escape(f"Claims counted: {describe(node['where'])}", quote=True)
    target = _register_href(docname, ids[0]) if n == 1 and ids else f"#{anchor(node['key'])}"
    return (f'<a class="entente-count" href="{html.escape(target, quote=True)}" title="{title}" '
            f'data-count="{html.escape(node["key"], quote=True)}">{number}</a>')


def _html_list(docname: str, listed: dict[str, counted]) -> str:
    """The foot of a page: one anchored item per count of several claims, in the order they first appear."""
    items = []
    for key, node in listed.items():
        what = f'<span class="entente-counted-where">{html.escape(describe(node["where"]))}</span>'
        if node["ids"]:
            body, cls = _id_links(docname, node["ids"]), "entente-counted-ids"
        else:
            body = (f"more than {LIMIT}, so not listed here: the filter before them selects them from the data, "
                    f"and the claim register has an entry for each")
            explorer = explorer_href(docname, node["where"])
            if explorer:
                body += (f'; <a class="entente-counted-explore" href="{html.escape(explorer, quote=True)}">'
                         f"list them in the explorer</a>")
            cls = "entente-counted-filter"
        items.append(f'<li id="{anchor(key)}" class="{cls}">{what} '
                     f'(<span class="entente-counted-n">{plural(node["n"], "claim")}</span>): {body}.</li>')
    return ('<div class="entente-counted">\n'
            "<p><strong>Claims behind the numbers.</strong> Each number on this page that links here counts the "
            "claims listed with it; each id leads to its entry in the claim register.</p>\n"
            "<ul>\n" + "\n".join(items) + "\n</ul>\n</div>\n")


def _tex(text: str) -> str:
    from sphinx.util.texescape import escape

    return escape(text)


def latex_note(n: int, ids, where_: str) -> str:
    """What a count's footnote says in the PDF: the ids it counts, or past ``LIMIT`` the filter."""
    if ids:
        return f"{'Claim' if n == 1 else 'Claims'} {in_prose(list(ids))}; see the claim register."
    return f"The {n} claims selected by the filter: {where_ or EVERY_CLAIM}; see the claim register."


def resolve(app, doctree, docname) -> None:
    """doctree-resolved: each pasted count becomes a link (HTML), a number with a footnote (LaTeX), or a number."""
    found = list(doctree.findall(counted))
    if not found:
        return
    fmt = app.builder.format
    listed: dict[str, counted] = {}
    for node in found:
        n = node["n"]
        if fmt == "html":
            new = nodes.raw("", _html_number(docname, node), format="html")
            if n > 1:
                listed.setdefault(node["key"], node)
        elif fmt == "latex" and n:
            note = latex_note(n, node["ids"], node["where"])
            new = nodes.raw("", f"{n}{{{NOTE_MARK}\\footnote{{{_tex(note)}}}}}", format="latex")
        else:
            new = nodes.Text(str(n))
        node.replace_self(new)
    if listed:
        sections = list(doctree.findall(nodes.section))
        (sections[0] if sections else doctree).append(nodes.raw("", _html_list(docname, listed), format="html"))


def setup(app):
    app.add_node(counted)
    app.add_role("count", count_role)
    app.connect("doctree-resolved", resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
