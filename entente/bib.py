"""The bibliography, generated from data/sources.csv so the two never drift apart.

Each source becomes a BibTeX ``@misc`` entry keyed by its source_id, carrying only what the article
gives: the outlet, the date and, where the article writes the outlet as one, the web domain. No titles,
authors or URLs are made up.
"""
from __future__ import annotations

from pathlib import Path

from .data import Dataset

# Characters that end or open BibTeX syntax; escaped so any outlet name stays plain text.
_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "%": r"\%", "&": r"\&",
                   "#": r"\#", "$": r"\$", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                   "@": "{@}", '"': "{\"}"}


def bibtex_text(value: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in value)


def bibtex_entry(source) -> str:
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
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
    return f"@misc{{{source.source_id},\n{body}\n}}\n"


def bibliography_text(data: Dataset) -> str:
    """Every source as a BibTeX entry, in the order of sources.csv."""
    return "% Generated from data/sources.csv by entente.bib: do not edit.\n\n" + "\n".join(
        bibtex_entry(s) for s in data.sources.itertuples(index=False))


def write_bibliography(data: Dataset, target: Path) -> Path:
    """Write the bibliography to ``target``; only rewrite it when it changed."""
    text = bibliography_text(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target
