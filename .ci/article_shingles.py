#!/usr/bin/env python3
"""Write the digests of every run of eight words of the source article, for tests/test_fidelity.py.

The article is not part of the product, but its digests can be: a run of eight words becomes the first
16 hex digits of its SHA-256, from which the words cannot be read back. The suite then checks that no run
of eight words of the report is one of them, with no article at hand.

    python3 .ci/article_shingles.py ARTICLE > tests/article-shingles.txt

Words are found as the team's overlap tool finds them (lower case, apostrophes dropped, runs of letters
and digits); .ci/run regenerates the file when the article is beside the clone and fails if it changed.
"""
import hashlib
import pathlib
import re
import sys

RUN = 8
WORD = re.compile(r"[a-z0-9]+")
# A quotation of at most 30 words is the article's own words on purpose: not counted.
QUOTED = re.compile(r"\u201c[^\u201d]{0,400}\u201d|\"[^\"\n]{0,400}\"")
QUOTE_WORDS = 30


def words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("\u2019", "'").replace("'", ""))


def without_short_quotes(text: str) -> str:
    return QUOTED.sub(lambda m: " | " if len(words(m.group(0))) <= QUOTE_WORDS else m.group(0), text)


def runs(text: str) -> list[tuple[str, ...]]:
    """Every run of RUN words of the text, short quotations left out."""
    found = words(without_short_quotes(text))
    return [tuple(found[i:i + RUN]) for i in range(len(found) - RUN + 1)]


def digest(run) -> str:
    return hashlib.sha256(" ".join(run).encode()).hexdigest()[:16]


def main() -> int:
    article = words(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
    digests = sorted({digest(article[i:i + RUN]) for i in range(len(article) - RUN + 1)})
    print(f"# {len(digests)} digests of the runs of {RUN} words of the source article (.ci/article_shingles.py)")
    print("\n".join(digests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
