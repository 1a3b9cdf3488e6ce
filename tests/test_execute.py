"""The step before Sphinx that runs stale chapters in parallel (entente.execute), and how the build's
freshness check then keeps what it produced instead of discarding it.

Runs on a small book of its own (two tiny notebooks, no data): each kernel start costs a second or two.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from jupyter_cache import get_cache

from conftest import ROOT, runs_code, toc_files
from entente import execute, freshness

# A MyST notebook's front matter, as the chapters have it.
FRONT_MATTER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""

NOTEBOOK = FRONT_MATTER + """\

# {title}

```{{code-cell}} ipython3
import os
print(os.environ.get("ENTENTE_BOOK_BUILD"), os.path.basename(os.getcwd()))
chapter = "{title}"  # two chapters, two different notebooks to cache
{extra}
```
"""


def _book(root: Path, failing: bool = False) -> Path:
    (root / "chapters").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "data" / "table.csv").write_text("a\n1\n", encoding="utf-8")
    (root / "_config.yml").write_text(textwrap.dedent("""\
        execute:
          execute_notebooks: cache
          timeout: 60
        """), encoding="utf-8")
    (root / "_toc.yml").write_text(textwrap.dedent("""\
        format: jb-book
        root: chapters/one
        parts:
          - caption: Part
            chapters:
              - file: chapters/two
              - file: chapters/prose
        """), encoding="utf-8")
    (root / "chapters" / "one.md").write_text(NOTEBOOK.format(title="One", extra=""), encoding="utf-8")
    extra = 'raise RuntimeError("broken on purpose")' if failing else ""
    (root / "chapters" / "two.md").write_text(NOTEBOOK.format(title="Two", extra=extra), encoding="utf-8")
    (root / "chapters" / "prose.md").write_text("# Prose only\n\nNo code here.\n", encoding="utf-8")
    return root


def _as_mystnb_reads(path: Path):
    """The notebook as the Sphinx build's myst-nb reads it (with the book's Markdown settings)."""
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    config = MdParserConfig(enable_extensions={"colon_fence", "deflist", "substitution"})
    return read_myst_markdown_notebook(path.read_text(encoding="utf-8"), config=config, add_source_map=True,
                                       path=str(path))


def test_the_books_notebooks_are_the_chapters_that_run_code():
    assert execute.notebooks(ROOT) == [ROOT / f"{doc}.md" for doc in toc_files() if runs_code(doc)]


def test_settings_follow_config_yml():
    conf = execute.settings(ROOT)
    assert conf.mode == "cache" and conf.timeout == 300 and conf.allow_errors is False
    assert conf.cache == ROOT / "_build" / ".jupyter_cache"


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    root = _book(tmp_path_factory.mktemp("execute") / "book")
    return root, execute.run(root)


def test_stale_notebooks_run_and_are_cached_as_the_build_reads_them(ran):
    root, report = ran
    chapters = [root / "chapters" / "one.md", root / "chapters" / "two.md"]
    assert report.notebooks == chapters
    assert sorted(report.executed) == chapters and report.failed == []
    cache = get_cache(str(root / "_build" / ".jupyter_cache"))
    for path in chapters:
        record = cache.match_cache_notebook(_as_mystnb_reads(path))  # raises KeyError when myst-nb would miss
        outputs = cache.get_cache_bundle(record.pk).nb.cells[0].outputs
        # Run as the book build runs them: the build's variable set, in the chapter's own folder.
        assert outputs[0]["text"] == "1 chapters\n"
        assert record.data["execution_seconds"] > 0


def test_the_build_keeps_what_the_pool_produced(ran):
    """The freshness check at the start of the Sphinx build finds the cache filled under the current
    fingerprint: it drops nothing, and no notebook counts as failed."""
    root, _ = ran
    cache = root / "_build" / ".jupyter_cache"
    assert freshness.drop_stale_executions(cache, freshness.fingerprint(root)) == 0
    assert len(get_cache(str(cache)).list_cache_records()) == 2
    assert freshness.failed_notebooks(cache) == set()


def test_nothing_runs_again_until_the_data_changes(ran):
    root, _ = ran
    again = execute.run(root)
    assert again.executed == [] and again.dropped == 0
    (root / "data" / "table.csv").write_text("a\n2\n", encoding="utf-8")
    changed = execute.run(root)
    assert changed.dropped == 2 and sorted(changed.executed) == changed.notebooks


def test_a_failing_chapter_is_left_for_the_build_to_report(tmp_path):
    root = _book(tmp_path / "book", failing=True)
    report = execute.run(root)
    assert report.executed == [root / "chapters" / "one.md"]
    assert report.failed == [root / "chapters" / "two.md"]
    # Not cached, and recorded as failed: the build executes it again and fails (entente.freshness).
    assert freshness.failed_notebooks(root / "_build" / ".jupyter_cache") == {root / "chapters" / "two.md"}


def test_a_chapter_whose_kernel_dies_gets_one_more_try(tmp_path):
    """A kernel that dies (or never starts) is a failure outside the cells: the pool runs that chapter
    again, and caches it when the second run succeeds; a cell's own error is not retried."""
    root = _book(tmp_path / "book", failing=True)
    # Chapter one's kernel exits at once on its first run only (a flag file beside it remembers the run).
    dies_once = 'import pathlib\nif not pathlib.Path("ran-once").exists():\n    pathlib.Path("ran-once").touch()\n    os._exit(1)'
    (root / "chapters" / "one.md").write_text(NOTEBOOK.format(title="One", extra=dies_once), encoding="utf-8")
    report = execute.run(root)
    assert report.retried == [root / "chapters" / "one.md"]
    assert report.executed == [root / "chapters" / "one.md"]
    assert report.failed == [root / "chapters" / "two.md"]  # its RuntimeError is the cell's own: run once


def test_other_execution_modes_are_left_to_myst_nb(tmp_path):
    root = _book(tmp_path / "book")
    (root / "_config.yml").write_text("execute:\n  execute_notebooks: force\n", encoding="utf-8")
    report = execute.run(root)
    assert report.executed == [] and not (root / "_build").exists()


# --- a data edit re-runs only the chapters that read what changed ------------------------------------------

READER = FRONT_MATTER + """\

# {title}

```{{code-cell}} ipython3
from entente import reads

reads.note({names})  # as the loader notes each table a chapter takes
```
"""


def _reading_book(root: Path) -> Path:
    """A book of three chapters over a package of two resources: one reads a, one reads a and b, and one
    records nothing (as a chapter myst-nb executed by itself would)."""
    (root / "chapters").mkdir(parents=True)
    (root / "data").mkdir()
    for name in ("a", "b"):
        (root / "data" / f"{name}.csv").write_text("x\n1\n", encoding="utf-8")
    (root / "datapackage.json").write_text(
        '{"resources": [{"name": "a", "path": "data/a.csv"}, {"name": "b", "path": "data/b.csv"}]}', encoding="utf-8")
    (root / "_config.yml").write_text("execute:\n  execute_notebooks: cache\n  timeout: 60\n", encoding="utf-8")
    (root / "_toc.yml").write_text("format: jb-book\nroot: chapters/reads_a\nchapters:\n  - file: chapters/reads_ab\n"
                                   "  - file: chapters/unknown\n", encoding="utf-8")
    for title, names in (("reads_a", '"a"'), ("reads_ab", '"a", "b"'), ("unknown", "")):
        text = READER.format(title=title, names=names)
        if not names:
            text = text.replace("from entente import reads\n\nreads.note()  # as the loader notes each table a chapter takes\n",
                                "print('reads nothing it records')\n")
        (root / "chapters" / f"{title}.md").write_text(text, encoding="utf-8")
    return root


def test_a_data_edit_reruns_only_the_chapters_that_read_it(tmp_path):
    root = _reading_book(tmp_path / "book")
    chapter = lambda name: root / "chapters" / f"{name}.md"
    first = execute.run(root)
    assert sorted(first.executed) == sorted(map(chapter, ("reads_a", "reads_ab", "unknown")))
    cache_path = root / "_build" / ".jupyter_cache"
    cache = get_cache(str(cache_path))
    recorded = {Path(r.uri).stem: (cache_path / freshness.READS_FOLDER / f"{r.hashkey}.txt")
                for r in cache.list_cache_records()}
    assert recorded["reads_a"].read_text(encoding="utf-8") == "a\n"
    assert recorded["reads_ab"].read_text(encoding="utf-8") == "a\nb\n"
    assert not recorded["unknown"].exists()

    # b changes: the chapter that read only a keeps its execution; the others run again.
    (root / "data" / "b.csv").write_text("x\n2\n", encoding="utf-8")
    after_b = execute.run(root)
    assert after_b.dropped == 2 and sorted(after_b.executed) == [chapter("reads_ab"), chapter("unknown")]
    # a changes: every chapter read it (or is unknown).
    (root / "data" / "a.csv").write_text("x\n2\n", encoding="utf-8")
    assert sorted(execute.run(root).executed) == sorted(map(chapter, ("reads_a", "reads_ab", "unknown")))
    # A file under data/ that no resource names, or the descriptor, counts for every chapter.
    (root / "data" / "notes.txt").write_text("a note\n", encoding="utf-8")
    assert execute.run(root).dropped == 3


def test_the_build_rereads_only_the_pages_of_chapters_that_read_what_changed(tmp_path):
    """The Sphinx side (entente.freshness at env-get-outdated): after a change to b, the page of the chapter
    that read only a is not re-read; the others are, and so is a page without code (it may show data
    through the book's extensions)."""
    from types import SimpleNamespace

    root = _reading_book(tmp_path / "book")
    (root / "chapters" / "prose.md").write_text("# Prose\n", encoding="utf-8")
    execute.run(root)
    cache_path = root / "_build" / ".jupyter_cache"
    app = SimpleNamespace(srcdir=str(root), outdir=str(root / "_build" / "html"),
                          config=SimpleNamespace(nb_execution_mode="cache", nb_execution_cache_path=str(cache_path)))
    docs = {"chapters/reads_a", "chapters/reads_ab", "chapters/unknown", "chapters/prose"}
    env = SimpleNamespace(found_docs=docs, path2doc=lambda path: Path(path).relative_to(root).with_suffix("").as_posix())
    assert freshness._outdated_documents(app, env, set(), set(), set()) == sorted(docs)  # never built: all
    assert freshness._outdated_documents(app, env, set(), set(), set()) == []
    (root / "data" / "b.csv").write_text("x\n2\n", encoding="utf-8")
    execute.run(root)  # as make book runs it first
    assert freshness._outdated_documents(app, env, set(), set(), set()) == ["chapters/prose", "chapters/reads_ab",
                                                                            "chapters/unknown"]


def test_the_fingerprint_splits_the_data_by_resource(tmp_path):
    root = _reading_book(tmp_path / "book")
    before = freshness.fingerprint(root)
    (root / "data" / "b.csv").write_text("x\n3\n", encoding="utf-8")
    after = freshness.fingerprint(root)
    assert after.base == before.base and after.changed(before) == {"b"}
    assert freshness.Fingerprint.parse(after.text()) == after
    (root / "datapackage.json").write_text((root / "datapackage.json").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert freshness.fingerprint(root).base != after.base
