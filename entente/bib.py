"""The bibliography, generated from data/sources.csv so the two never drift apart.

Each source becomes a BibTeX ``@misc`` entry keyed by its source_id, carrying only what the article
gives: the outlet, the date and, where the article writes the outlet as one, the web domain. No titles,
authors or URLs are made up.
"""
from __future__ import annotations

from pathlib import Path

from .data import MONTHS, Dataset

# Characters that end or open BibTeX syntax; escaped so any outlet name stays plain text.
_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&",
                   "#": r"\#", "$": r"\$", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                   "@": "{@}", '"': "{\"}"}


def bibtex_text(value: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in value)


def bibtex_entry(source) -> str:
    fields = {"title": source.outlet, "organization": source.outlet}
    date = source.published_date
    fields["year"] = str(date.year)
    if source.published_precision in ("month", "day"):
        fields["month"] = MONTHS[date.month - 1].lower()
    if source.published_precision == "day":
        fields["day"] = str(date.day)
    notes = []
    if source.kind == "article":
        notes.append("Eurasia Daily Monitor, vol. 19, issue 189: the article itself")
    if source.domain and str(source.domain) != "<NA>":
        notes.append(f"web domain {source.domain}")
    if source.year_inferred:
        notes.append("year inferred")
    if notes:
        fields["note"] = "; ".join(notes)
    body = ",\n".join(f"  {k} = {{{bibtex_text(str(v))}}}" for k, v in fields.items())
    return f"@misc{{{source.source_id},\n{body}\n}}\n"


def write_bibliography(data: Dataset, target: Path) -> Path:
    """Write every source as a BibTeX entry, in the order of sources.csv; only rewrite when changed."""
    text = "% Generated from data/sources.csv by entente.bib: do not edit.\n\n" + "\n".join(
        bibtex_entry(s) for s in data.sources.itertuples(index=False))
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target
