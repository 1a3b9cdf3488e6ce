"""The bibliography, generated from data/sources.csv so the two never drift apart.

Each source becomes a BibTeX ``@misc`` entry keyed by its source_id, carrying only what the article
gives: the outlet, the date and, where the article writes the outlet as one, the web domain. No titles,
authors or URLs are made up.
"""
from __future__ import annotations

from pathlib import Path

from .csvfile import letter
from .data import Dataset
from .labels import plural

# The references list gives every source up to this many; past it, the sources carrying most claims up to
# this many, with those the chapters cite (the bibliography's filter, ``cited``): 5,000 sources at 100,000
# claims made a references page of 1.2 MB. Every source stays in data/sources.csv.
LISTED_SOURCES = 100
# The BibTeX keyword of a source the references list gives whether cited or not; the chapter's
# bibliography filter names it (`:filter: cited or keywords == "listed"`).
LISTED = "listed"

# Characters that end or open BibTeX syntax; escaped so any outlet name stays plain text.
_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "%": r"\%", "&": r"\&",
                   "#": r"\#", "$": r"\$", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                   "@": "{@}", '"': "{\"}"}


def bibtex_text(value: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in value)


def listed_sources(data: Dataset, limit: int = LISTED_SOURCES) -> set[str]:
    """The ids of the sources the references list gives: all of them up to ``limit``, else the article and
    the sources carrying most claims (ties in the order of sources.csv), ``limit`` in all."""
    ids = list(data.sources["source_id"])
    if len(ids) <= limit:
        return set(ids)
    carried = data.claim_sources["source_id"].value_counts().reindex(ids, fill_value=0)
    article = data.sources.loc[data.sources["kind"] == "article", "source_id"]
    ranked = carried.drop(article).sort_values(ascending=False, kind="stable")
    return {*article, *ranked.index[:max(limit - len(article), 0)]}


def listing_note(data: Dataset, limit: int = LISTED_SOURCES):
    """What the references page says when it does not give every source, as Markdown; None (no output in
    the notebook) when it gives them all."""
    total = len(data.sources)
    if total <= limit:
        return None
    from IPython.display import Markdown

    return Markdown(f"Of the data's {plural(total, 'source')}, this list gives the {limit:,} that carry most "
                    f"claims and any other a chapter cites; every source is in `data/sources.csv`.")


def bibtex_entry(source, listed: bool = True) -> str:
    """One source as ``@misc``: the outlet (braced, so styles keep its capitals), the report's date in
    words with any inference stated, and the web domain where the article gives one."""
    date = source.published_date
    # The style prints the year field after this text, so the day and month come without it.
    when = {"day": f" of {date.day} {date:%B}", "month": f" of {date:%B}", "year": ""}[source.published_precision]
    if source.kind == "article":
        published = "Vol. 19, issue 189: the article this report is built on" + (f", published in {date:%B}" if when else "")
    else:
        published = f"Report{when}" + (" (year inferred)" if source.year_inferred else "")
    fields = {"title": "{" + bibtex_text(source.outlet) + "}", "howpublished": bibtex_text(published),
              "year": str(date.year)}
    if source.domain and str(source.domain) != "<NA>":
        fields["note"] = f"Web domain: {bibtex_text(source.domain)}"
    if listed:
        fields["keywords"] = LISTED
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
    return f"@misc{{{source.source_id},\n{body}\n}}\n"


def bibliography_text(data: Dataset) -> str:
    """Every source as a BibTeX entry, in the order of sources.csv; those the references list gives
    whether cited or not carry the keyword ``LISTED``."""
    listed = listed_sources(data)
    return "% Generated from data/sources.csv by entente.bib: do not edit.\n\n" + "\n".join(
        bibtex_entry(s, s.source_id in listed) for s in data.sources.itertuples(index=False))


def write_bibliography(data: Dataset, target: Path) -> Path:
    """Write the bibliography to ``target``; only rewrite it when it changed."""
    text = bibliography_text(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target


# The bibliography's style (``bibtex_default_style`` in _config.yml): pybtex's alpha, whose labels tell
# apart the entries of one outlet and year by a letter after the label. pybtex counts on from "a" through
# the character table, so a 27th entry gets "{" and the 32nd a control character LaTeX refuses (met at
# 100,000 claims); this style goes on "aa", "ab" and so on instead. Below 27 the labels are alpha's.
STYLE = "entente"


def label_suffix(n: int) -> str:
    """The ``n``-th (from 0) suffix: a to z, then aa to az, ba and so on (a spreadsheet's column letters)."""
    return letter(n).lower()


def _styles():
    from collections import Counter

    from pybtex.style.formatting.alpha import Style as Alpha
    from pybtex.style.labels.alpha import LabelStyle as AlphaLabels

    class Labels(AlphaLabels):
        def format_labels(self, sorted_entries):
            labels = [self.format_label(entry) for entry in sorted_entries]
            count, counted = Counter(labels), Counter()
            for label in labels:
                if count[label] == 1:
                    yield label
                else:
                    yield label + label_suffix(counted[label])
                    counted.update([label])

    class Style(Alpha):
        default_label_style = Labels

    return Style


def register_style() -> None:
    """Make ``STYLE`` known to pybtex (sphinxcontrib-bibtex finds styles through pybtex's plugins)."""
    from pybtex.plugin import find_plugin, register_plugin

    try:
        find_plugin("pybtex.style.formatting", STYLE)
    except Exception:  # not registered yet in this process
        register_plugin("pybtex.style.formatting", STYLE, _styles())


def setup(app):
    register_style()
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

