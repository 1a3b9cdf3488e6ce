"""The report is written in its own words, and its sources are the article's.

The article is not part of the product; the digests of its runs of eight words are
(tests/article-shingles.txt, made by .ci/article_shingles.py, which .ci/run keeps current when the team's
copy of the article is beside the clone). No run of eight words of any project file may be one of them.
"""
import importlib.util
import json
import subprocess

from conftest import ROOT, raw

SHINGLES = ROOT / "tests" / "article-shingles.txt"
TEXT_SUFFIXES = {".md", ".ipynb", ".csv", ".bib", ".txt", ".rst", ".yml", ".yaml", ".json", ".py"}
SKIP = {"_build", ".venv", "node_modules", ".git", ".jupyter_cache"}


def _shingles_module():
    spec = importlib.util.spec_from_file_location("article_shingles", ROOT / ".ci" / "article_shingles.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def project_texts() -> dict[str, str]:
    """Every text file of the project a clone or work in progress holds (notebooks as their cells' source)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    texts = {}
    for name in listed:
        path = ROOT / name
        if path.suffix in TEXT_SUFFIXES and path.is_file() and path != SHINGLES and not SKIP & set(path.parts):
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".ipynb":
                text = "\n".join("".join(c.get("source", [])) for c in json.loads(text).get("cells", []))
            texts[name] = text
    return texts


def test_no_run_of_eight_words_is_the_articles():
    shingles = _shingles_module()
    article = {line for line in SHINGLES.read_text().splitlines() if line and not line.startswith("#")}
    assert len(article) > 500, "the article's digests are missing"
    texts = project_texts()
    assert "chapters/intro.md" in texts and "data/events.csv" in texts
    copied = {name: " ".join(run) for name, text in texts.items()
              for run in shingles.runs(text) if shingles.digest(run) in article}
    assert copied == {}, "runs of eight words copied from the article (one per file shown)"


def test_photo_credit_is_not_a_source():
    # The article's photo credit names an office, not a report: it must not be coded as a source.
    outlets = " ".join(raw("sources")["outlet"]).lower()
    assert "khamenei" not in outlets
