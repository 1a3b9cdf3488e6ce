"""How to cite the report: one citation, made from the repository and the data, in every form it is offered.

The title and authors are the book's own (``_config.yml``), the edition is the data's (its as-of date and
data version, ``entente.releases.edition``) and the licences are those the repository declares. The
landing page shows the citation as a sentence, the downloads page as BibTeX, and ``CITATION.cff`` at the
top of the repository is written from the same function:

    python -m entente citation            write CITATION.cff
    python -m entente citation --check    exit 1 when CITATION.cff does not match the data (it is stale)
    python -m entente citation --bibtex   print the BibTeX entry
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from .releases import Edition, edition
from .schema import DESCRIPTOR, find_root

CITATION_FILE = "CITATION.cff"
CONFIG = "_config.yml"
CODE_LICENSE = "MIT"  # the licence of LICENSE; the data's is in datapackage.json
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")  # BibTeX's macros


@dataclass(frozen=True)
class Citation:
    title: str
    authors: tuple[str, ...]
    abstract: str
    edition: Edition
    data_licenses: tuple[str, ...]  # licence ids of the data and text, as datapackage.json lists them

    @property
    def year(self) -> int:
        return self.edition.as_of.year

    @property
    def licenses(self) -> tuple[str, ...]:
        return (*self.data_licenses, CODE_LICENSE)


def citation(root: Path | str | None = None) -> Citation:
    """The citation of the report in the project at ``root`` (default: the one holding the working directory)."""
    root = Path(root).resolve() if root else find_root()
    config = yaml.safe_load((root / CONFIG).read_text(encoding="utf-8"))
    package = json.loads((root / DESCRIPTOR).read_text(encoding="utf-8"))
    # One author as _config.yml names it (Jupyter Book takes a single string), or several separated by " and ".
    authors = tuple(a.strip() for a in str(config["author"]).split(" and ") if a.strip())
    return Citation(title=str(config["title"]), authors=authors, abstract=package.get("description", ""),
                    edition=edition(root),
                    data_licenses=tuple(lic.get("name") or lic["path"] for lic in package.get("licenses", [])))


def _yaml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar, quoted and escaped


def cff(c: Citation) -> str:
    """The text of CITATION.cff (Citation File Format 1.2.0). No URL or DOI: the report has none yet."""
    lines = [
        f"# Written by `python -m entente citation` from {CONFIG}, {DESCRIPTOR} and the data: do not edit by hand.",
        "cff-version: 1.2.0",
        f"message: {_yaml('To cite this report or its data, name the edition: its as-of date and data version.')}",
        "type: dataset",
        f"title: {_yaml(c.title)}",
        "authors:",
        *(f"  - name: {_yaml(a)}" for a in c.authors),
        f"version: {_yaml(c.edition.data_version)}",
        f"date-released: {_yaml(c.edition.as_of.isoformat())}",
        f"abstract: {_yaml(c.abstract)}",
        "license:",
        *(f"  - {_yaml(lic)}" for lic in c.licenses),
        "identifiers:",
        "  - type: other",
        f"    value: {_yaml('release ' + c.edition.release)}",
        f"    description: {_yaml('The release of the data this edition belongs to, as data/releases.csv records it.')}",
    ]
    return "\n".join(lines) + "\n"


_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                   "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _bib(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(char, char) for char in text)


def bibtex(c: Citation) -> str:
    """The BibTeX entry, keyed by the data version so that two editions never share a key."""
    e = c.edition
    fields = [
        ("title", f"{{{_bib(c.title)}}}"),
        # Double braces: a team is one name, not a first and last name.
        ("author", "{" + " and ".join(f"{{{_bib(a)}}}" for a in c.authors) + "}"),
        ("year", f"{{{c.year}}}"),
        ("month", MONTHS[e.as_of.month - 1]),
        ("version", f"{{{e.data_version}}}"),
        ("note", f"{{{_bib(f'{e.stamp} (release {e.release}). Licences: data and text {licence_words(c)}')}}}"),
    ]
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{entente-report-{e.data_version},\n{body}\n}}\n"


def licence_words(c: Citation) -> str:
    return f"{', '.join(c.data_licenses)}; code {CODE_LICENSE}"


def sentence(c: Citation) -> str:
    """The citation as a reader copies it, in plain text."""
    e = c.edition
    return f"{' and '.join(c.authors)} ({c.year}). {c.title}. {e.stamp} (release {e.release})."


class CiteBlock:
    """The landing page's citation: the sentence, escaped as Markdown, with the title in italics."""

    def __init__(self, c: Citation):
        self.citation = c

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .tables import markdown_cell

        c, e = self.citation, self.citation.edition
        markdown = (f"{markdown_cell(' and '.join(c.authors))} ({c.year}). *{markdown_cell(c.title)}*. "
                    f"{markdown_cell(f'{e.stamp} (release {e.release}).')}")
        return {"text/markdown": markdown, "text/plain": sentence(c)}


def cite_block(root: Path | str | None = None) -> CiteBlock:
    """What the landing page shows under "Cite this report"."""
    return CiteBlock(citation(root))


def stale(root: Path | str | None = None) -> bool:
    """Whether CITATION.cff is missing or says something other than the data does."""
    root = Path(root).resolve() if root else find_root()
    return _differs(root / CITATION_FILE, citation(root))


def _differs(path: Path, c: Citation) -> bool:
    return not path.is_file() or path.read_text(encoding="utf-8") != cff(c)


def add_command(sub) -> None:
    p = sub.add_parser("citation", help=f"write {CITATION_FILE} from the data (--check: only say if it is stale)",
                       description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help=f"change nothing; exit 1 when {CITATION_FILE} is stale")
    p.add_argument("--bibtex", action="store_true", help="print the BibTeX entry instead")


def run(args) -> int:
    root = find_root()
    c = citation(root)
    if args.bibtex:
        print(bibtex(c), end="")
        return 0
    path = root / CITATION_FILE
    if args.check:
        if _differs(path, c):
            print(f"{path}: out of date with the data; run `python -m entente citation` to rewrite it", file=sys.stderr)
            return 1
        print(f"{path}: matches the data ({c.edition.stamp})")
        return 0
    path.write_text(cff(c), encoding="utf-8")
    print(f"{path}: written ({c.edition.stamp})")
    return 0
