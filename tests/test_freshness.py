"""Rebuilding picks up changed data and package source, executes nothing when nothing changed, and a
failure fails every build (entente.freshness).

Every step is a whole-book build of one temporary copy of the project, in the order of the tests below
(each starts from the copy as the previous one left it, built and valid). The builds run the copy's own
entente package (PYTHONPATH), in the Sphinx process and in the kernels; a marker written at import proves it.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

ORIGINAL = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")  # the original venv's
EXECUTING = re.compile(r"^(\S+): Executing notebook", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
PASTED = re.compile(r'<span class="pasted-text">([^<]*)</span>')

# Appended to the copy's entente/__init__.py: every process importing the package notes which file it
# imported, so the test sees that the Sphinx process and the kernels run the copy, and when kernels ran.
IMPORT_MARKER = '''
import os as _os, sys as _sys  # added by tests/test_freshness.py
with open(_os.environ["ENTENTE_TEST_MARKER"], "a", encoding="utf8") as _marker:
    _marker.write(("kernel" if "ipykernel" in _sys.modules else "build") + " " + __file__ + "\\n")
'''


class Book:
    """A copy of the project, built with the flags of `make book`."""

    def __init__(self, root: Path, marker: Path):
        self.root, self.marker = root, marker
        self.env = {**os.environ, "PYTHONPATH": str(root), "ENTENTE_TEST_MARKER": str(marker)}
        makefile = (root / "Makefile").read_text(encoding="utf8")
        self.flags = re.search(r"^JB_FLAGS\s*:?=\s*(.*)$", makefile, re.MULTILINE).group(1).split()
        self.root_doc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf8"))["root"]
        self.notebooks: set[str] = set()  # every notebook, as the first (cold) build executed them

    def build(self, *extra: str) -> tuple[int, str, set[str]]:
        """Build as make does (the generated files first); return the exit status, the log and the
        notebooks that executed."""
        made = subprocess.run([sys.executable, "-m", "entente.assets"], cwd=self.root, env=self.env,
                              capture_output=True, text=True)
        if made.returncode != 0:
            return made.returncode, made.stdout + made.stderr, set()
        done = subprocess.run([str(JUPYTER_BOOK), "build", ".", *self.flags, *extra], cwd=self.root,
                              env=self.env, capture_output=True, text=True)
        log = ANSI.sub("", done.stdout + done.stderr)
        return done.returncode, log, set(EXECUTING.findall(log))

    def make_book(self) -> tuple[int, str]:
        """`make book` in the copy, with the original virtual environment (never reinstalled: -o)."""
        venv = JUPYTER_BOOK.parent.parent
        done = subprocess.run(["make", "-o", f"{venv}/.installed", f"VENV={venv}", "book"], cwd=self.root,
                              env=self.env, capture_output=True, text=True)
        return done.returncode, ANSI.sub("", done.stdout + done.stderr)

    def run_ok(self, *extra: str) -> set[str]:
        status, log, executed = self.build(*extra)
        assert status == 0, log[-5000:]
        return executed

    def imports(self, who: str) -> list[str]:
        lines = self.marker.read_text(encoding="utf8").splitlines() if self.marker.exists() else []
        return [line.split(" ", 1)[1] for line in lines if line.startswith(who + " ")]

    def pasted(self, docname: str) -> list[str]:
        """The glued values a built web page shows."""
        return PASTED.findall((self.root / "_build/html" / f"{docname}.html").read_text(encoding="utf8"))

    def rows(self, table: str) -> list[dict]:
        with open(self.root / "data" / f"{table}.csv", newline="", encoding="utf8") as f:
            return list(csv.DictReader(f))

    def append(self, table: str, row: dict) -> None:
        path = self.root / "data" / f"{table}.csv"
        with open(path, newline="", encoding="utf8") as f:
            fields = next(csv.reader(f))
        with open(path, "a", newline="", encoding="utf8") as f:
            csv.DictWriter(f, fields, lineterminator="\n").writerow(row)


def _project_files(root: Path) -> list[str]:
    """Tracked files and untracked ones git does not ignore: what a fresh checkout plus work in progress holds."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=root, capture_output=True, text=True, check=True).stdout
    return [name for name in listed.split("\0") if name and (root / name).is_file()]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Book:
    base = tmp_path_factory.mktemp("freshness")
    root = base / "book"
    for name in _project_files(ORIGINAL):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ORIGINAL / name, root / name)
    with open(root / "entente" / "__init__.py", "a", encoding="utf8") as f:
        f.write(IMPORT_MARKER)
    copy = Book(root, base / "imports.txt")
    executed = copy.run_ok()
    assert executed, "the first build of the copy executed no notebook"
    copy.notebooks = executed
    return copy


def _next_event(book: Book, **changes) -> tuple[dict, dict]:
    """A copy of the last event under a new id, and its 'added' change record dated after all others."""
    events, changes_rows = book.rows("events"), book.rows("changes")
    new_id = "E%03d" % (max(int(e["event_id"][1:]) for e in events) + 1)
    event = {**events[-1], "event_id": new_id, **changes}
    latest = max(dt.date.fromisoformat(c["date"]) for c in changes_rows)
    change = {"date": (latest + dt.timedelta(days=1)).isoformat(), "record_id": new_id, "change": "added",
              "description": "Added by the freshness test."}
    return event, change


def test_builds_run_the_copys_package(book):
    inside = lambda paths: paths and all(Path(p).resolve().is_relative_to(book.root.resolve()) for p in paths)
    assert inside(book.imports("build")), book.imports("build")
    assert inside(book.imports("kernel")), book.imports("kernel")


def _html_files(book: Book) -> dict[str, bytes]:
    html = book.root / "_build/html"
    return {p.relative_to(html).as_posix(): p.read_bytes() for p in html.rglob("*") if p.is_file()}


def test_rebuild_with_no_change_executes_nothing(book):
    """Nothing runs, and the web book written again is byte for byte the one of the first (fresh) build:
    asset links, search index and pages depend on nothing an incremental build keeps."""
    kernels_before = len(book.imports("kernel"))
    before = _html_files(book)
    assert book.run_ok() == set()
    assert len(book.imports("kernel")) == kernels_before
    after = _html_files(book)
    assert sorted(after) == sorted(before)
    assert [name for name in before if before[name] != after[name]] == []


def test_new_event_reaches_the_pages(book):
    total = len(book.rows("events"))
    assert str(total) in book.pasted(book.root_doc)
    event, change = _next_event(book, summary=HOSTILE)
    assert event["event_id"] not in _explorer_text(book), "the new id is already listed"
    book.append("events", event)
    book.append("changes", change)
    # The copy's claim rests on the sources of the claim it copies.
    for link in [r for r in book.rows("claim_sources") if r["event_id"] == book.rows("events")[-2]["event_id"]]:
        book.append("claim_sources", {**link, "event_id": event["event_id"]})
    valid = subprocess.run([sys.executable, "-m", "entente", "validate"], cwd=book.root, env=book.env,
                           capture_output=True, text=True)
    assert valid.returncode == 0, valid.stderr

    # `make all` order: the PDF first. The LaTeX build re-executes every notebook ...
    assert book.run_ok("--builder", "latex") == book.notebooks
    tex = "\n".join(p.read_text(encoding="utf8") for p in (book.root / "_build/latex").glob("*.tex"))
    # The root page's count of claims, pasted with the {count} role: the number, then its note naming them.
    assert re.search(rf"(?<![\d,]){total + 1}\{{\\renewcommand\{{\\thefootnote\}}", tex)
    # ... then the web book takes the fresh executions from the shared cache, and rewrites its pages
    # although their sources did not change (the shared environment was updated by the LaTeX build).
    assert book.run_ok() == set()
    assert str(total + 1) in book.pasted(book.root_doc)
    assert event["event_id"] in _explorer_text(book), "the explorer's claims were not written again"
    _assert_shown_as_text(book, tex)


# Text from the data that would run, format or include something if it were ever interpreted.
HOSTILE = ('Added by the freshness test: <script>window.__entente_pwned=1</script> <img src=x onerror="alert(1)"> '
           '**not bold** {cite}`nokey` $x^2$ \\input{/etc/hostname} & 100% #1 ~ end.')


def _explorer_text(book: Book) -> str:
    """The explorer's page and the chunks of claims written beside it (entente.exploredata), which list
    every claim."""
    chapters = book.root / "_build/html/chapters"
    return "\n".join(p.read_text(encoding="utf8") for p in
                     [chapters / "explore.html", *sorted((chapters / "explore-data").glob("*.js"))])


def _assert_shown_as_text(book: Book, tex: str) -> None:
    """The hostile summary appears as plain text in the chapter table, the explorer's data and the LaTeX."""
    from bs4 import BeautifulSoup

    page = (book.root / "_build/html/chapters/07-assessment.html").read_text(encoding="utf8")
    # Sphinx's smartquotes curls straight quotation marks in all text, ours and the data's alike.
    straight = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
    cells = [td.get_text().translate(straight) for td in BeautifulSoup(page, "html.parser").select("table td")]
    assert HOSTILE in cells, "the summary is shown whole, as text, in the chapter's table"
    for raw in ("<script>window.__entente_pwned", "<img src=x", "<strong>not bold", "nokey]"):
        assert raw not in page, raw
    explore = _explorer_text(book)
    assert "<script>window.__entente_pwned" not in explore and "<img src=x" not in explore
    assert "\\u003cscript\\u003ewindow.__entente_pwned" in explore, "escaped inside the explorer's JSON"
    assert "\\input{/etc/hostname}" not in tex and "textbackslash{}input" in tex


def test_package_change_reexecutes(book):
    kernels_before = len(book.imports("kernel"))
    with open(book.root / "entente" / "data.py", "a", encoding="utf8") as f:
        f.write("\n\ndef _freshness_test():\n    \"\"\"Added by the freshness test.\"\"\"\n")
    assert book.run_ok() == book.notebooks
    assert len(book.imports("kernel")) > kernels_before


def test_installed_version_change_reexecutes(book):
    """A library upgraded in the environment (here a package's dist-info, as pip leaves it) re-runs every
    notebook with no `make clean`; the next build runs none."""
    site = book.root.parent / "site"
    dist = site / "entente_probe-2.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: entente-probe\nVersion: 2.0\n", encoding="utf8")
    book.env["PYTHONPATH"] = os.pathsep.join([book.env["PYTHONPATH"], str(site)])
    assert book.run_ok() == book.notebooks
    assert book.run_ok() == set()


def test_make_book_runs_stale_chapters_in_parallel_and_keeps_them(book):
    """`make book` after a data change: the step before Sphinx (entente.execute) runs every chapter in its
    pool, the build's freshness check keeps those executions (myst-nb executes nothing itself), and the
    data is validated once in the whole build (entente.cache; ENTENTE_VALIDATION_LOG counts)."""
    event, change = _next_event(book)
    book.append("events", event)
    book.append("changes", change)
    for link in [r for r in book.rows("claim_sources") if r["event_id"] == book.rows("events")[-2]["event_id"]]:
        book.append("claim_sources", {**link, "event_id": event["event_id"]})
    validations = book.root.parent / "validations.txt"
    validations.unlink(missing_ok=True)
    book.env["ENTENTE_VALIDATION_LOG"] = str(validations)
    try:
        status, log = book.make_book()
    finally:
        del book.env["ENTENTE_VALIDATION_LOG"]
    assert status == 0, log[-3000:]
    assert f"{len(book.notebooks)} of {len(book.notebooks)} chapters executed" in log, log[-3000:]
    assert EXECUTING.findall(log) == [], "the build executed again what the pool had run"
    # The Sphinx build's own check ("[entente: ... N cached executions dropped]") kept the pool's work.
    assert re.findall(r"(\d+) cached executions dropped\]", log) in ([], ["0"]), log[-3000:]
    assert event["event_id"] in _explorer_text(book)
    assert len(validations.read_text(encoding="utf8").splitlines()) == 1, validations.read_text(encoding="utf8")


def test_make_book_with_nothing_changed_does_nothing(book):
    """The Makefile skips a build whose inputs did not change; an edit anywhere, or a missing book, brings it back."""
    status, log = book.make_book()  # whatever ran before, the book is now made from these files
    assert status == 0, log[-3000:]
    status, log = book.make_book()
    assert status == 0 and "The web book is in" in log, log[-3000:]
    assert "entente.execute" not in log and "jupyter-book" not in log and "jupyterbook" not in log, log

    def would_build() -> bool:
        venv = JUPYTER_BOOK.parent.parent
        dry = subprocess.run(["make", "-n", "-o", f"{venv}/.installed", f"VENV={venv}", "book"], cwd=book.root,
                             env=book.env, capture_output=True, text=True, check=True)
        return "entente.execute" in dry.stdout

    assert not would_build()
    for edited in (book.root / "_toc.yml", book.root / "entente" / "facts.py", book.root / "data" / "events.csv"):
        made = (book.root / "_build" / ".book-made").stat().st_mtime
        os.utime(edited, (made + 1, made + 1))
        assert would_build(), f"an edit of {edited.name} would not rebuild the book"
        os.utime(book.root / "_build" / ".book-made", (made + 2, made + 2))
    index = book.root / "_build" / "html" / "index.html"
    saved = index.read_bytes()
    index.unlink()
    try:
        assert would_build(), "a book with no index.html would not be built again"
    finally:
        index.write_bytes(saved)


def test_failures_fail_every_build(book):
    events = book.root / "data/events.csv"
    chapter = book.root / f"{book.root_doc}.md"
    saved = {path: path.read_bytes() for path in (events, chapter)}
    try:
        # Data the loader rejects: a claim that no source carries (no row in claim_sources.csv).
        event, _ = _next_event(book)
        book.append("events", event)
        for attempt in (1, 2):
            status, log, _ = book.build()
            assert status != 0, f"build {attempt} with bad data passed:\n{log[-3000:]}"
        events.write_bytes(saved[events])

        # A cell that raises: the unchanged rebuild must execute it again, not serve the page as it was.
        with open(chapter, "a", encoding="utf8") as f:
            f.write('\n```{code-cell} ipython3\nraise RuntimeError("broken by the freshness test")\n```\n')
        for attempt in (1, 2):
            status, log, executed = book.build()
            assert status != 0, f"build {attempt} with a failing cell passed:\n{log[-3000:]}"
            assert chapter.resolve() in {Path(p).resolve() for p in executed}

        # Through `make book`: the failed book is moved aside with its reports, no half-built _build/html.
        html, failed = book.root / "_build/html", book.root / "_build/html-failed"
        status, log = book.make_book()
        assert status != 0, log[-3000:]
        assert not html.exists(), "a failed `make book` left a book in _build/html"
        assert list((failed / "reports").rglob("*.err.log")), f"no execution report in {failed}"
    finally:
        for path, content in saved.items():
            path.write_bytes(content)
    # Repaired: passes again, from the incremental state kept beside the failed book (no other notebook
    # executes; the repaired one comes back from the cache or runs once).
    status, log = book.make_book()
    assert status == 0, log[-3000:]
    assert (book.root / "_build/html/index.html").is_file() and not (book.root / "_build/html-failed").exists()
    assert {Path(p).resolve() for p in EXECUTING.findall(log)} <= {chapter.resolve()}
    # Repaired means no longer failing: the next build neither re-reads nor re-runs it.
    status, log, executed = book.build()
    assert status == 0 and executed == set() and "failed last time" not in log, log[-3000:]


# --- the fingerprint, without building: what changes it ----------------------------------------------

def _fingerprint_copy(tmp_path) -> Path:
    root = tmp_path / "project"
    data_files = [p.relative_to(ORIGINAL).as_posix() for p in sorted((ORIGINAL / "data").rglob("*")) if p.is_file()]
    for name in ("datapackage.json", "requirements.txt", *data_files):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ORIGINAL / name, root / name)
    return root


def test_fingerprint_follows_requirements_installed_versions_and_fonts(tmp_path, monkeypatch):
    from importlib import metadata

    from entente import freshness

    root = _fingerprint_copy(tmp_path)
    before = freshness.fingerprint(root)
    assert freshness.fingerprint(root) == before, "the fingerprint is not stable"

    requirements = root / "requirements.txt"
    requirements.write_text(requirements.read_text(encoding="utf8") + "# a new pin\n", encoding="utf8")
    assert freshness.fingerprint(root) != before, "a changed requirements.txt went unnoticed"
    before = freshness.fingerprint(root)

    # An installed distribution at another version: a dist-info folder on the path, as pip leaves one.
    site = tmp_path / "site"
    dist = site / "entente_probe-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: entente-probe\nVersion: 1.0\n", encoding="utf8")
    monkeypatch.syspath_prepend(str(site))
    with_probe = freshness.fingerprint(root)
    assert with_probe != before, "a newly installed package went unnoticed"
    dist.rename(site / "entente_probe-1.1.dist-info")
    (site / "entente_probe-1.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: entente-probe\nVersion: 1.1\n", encoding="utf8")
    assert "package entente-probe 1.1" in freshness.environment()
    assert freshness.fingerprint(root) != with_probe, "an upgraded package went unnoticed"
    assert metadata.version("entente-probe") == "1.1"

    # A font installed since: vl-convert would draw the PDF figures with it.
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    monkeypatch.setattr(freshness, "font_folders", lambda: [fonts])
    without_font = freshness.fingerprint(root)
    (fonts / "NewSans.ttf").write_bytes(b"\0" * 64)
    assert freshness.fingerprint(root) != without_font, "a newly installed font went unnoticed"
