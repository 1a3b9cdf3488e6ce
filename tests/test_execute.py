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

NOTEBOOK = """\
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


def test_other_execution_modes_are_left_to_myst_nb(tmp_path):
    root = _book(tmp_path / "book")
    (root / "_config.yml").write_text("execute:\n  execute_notebooks: force\n", encoding="utf-8")
    report = execute.run(root)
    assert report.executed == [] and not (root / "_build").exists()
