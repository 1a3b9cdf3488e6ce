"""Property-based tests: whatever bytes the data files hold, the validator and the loader end in either
valid data or a clear message per problem with a non-zero exit, never a traceback or a half-loaded table.

Inputs are arbitrary bytes and arbitrary mutations of the real CSVs (cells, quotation marks, encodings,
line ends, column order, rows). Sizes are bounded and there is no deadline: nothing here is timed.
"""
from __future__ import annotations

import contextlib
import csv
import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import entente
from entente import cli
from entente.validate import DataError, Problem, check_package
from validate_support import ROOT

FILES = ("data/events.csv", "data/sources.csv", "data/changes.csv")
ORIGINAL = {name: (ROOT / name).read_bytes() for name in FILES}
SETTINGS = settings(max_examples=60, deadline=None, database=None,  # no timing, and no files left behind
                    suppress_health_check=[HealthCheck.too_slow])
# Text that stresses CSV and the checks: quotes, separators, line ends, formula signs, odd Unicode.
NASTY = st.one_of(
    st.text(alphabet=st.sampled_from(list('",;\n\r\t =+-@aZ0 é“”\x00\ufeff\u2028')), max_size=12),
    st.sampled_from(["", "2022-02-30", "2022-11", "true", "TRUE", "E001", "military", "Iran;Russia", "span"]))


def _package(files: dict[str, bytes]) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="entente-fuzz-"))
    shutil.copy(ROOT / "datapackage.json", folder)
    (folder / "data").mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def _records(data: bytes) -> int:
    """Records of a file that passed validation, counted with the csv module alone (trailing blanks aside)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    return len(rows) - 1


def _withdrawn(changes: bytes) -> int:
    rows = list(csv.reader(io.StringIO(changes.decode("utf-8-sig"), newline="")))[1:]
    latest = {}
    for date, record, change, *_ in sorted(rows, key=lambda r: r[0]):
        latest[record] = change
    return sum(change == "withdrawn" and record.startswith("E") for record, change in latest.items())


def _outcome_is_clear(files: dict[str, bytes]) -> None:
    """The property: valid and fully loaded, or refused with per-problem messages everywhere."""
    folder = _package(files)
    try:
        frames, problems = check_package(folder / "datapackage.json")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(["validate", str(folder), "--all"])
        assert all(isinstance(p, Problem) and p.expected for p in problems)
        if problems:
            assert status == 1
            assert err.getvalue().count("\n") == len(problems) + 1  # one line each, then the closing count
            assert all(str(p).startswith(("data/", str(folder))) and "expected " in str(p) for p in problems)
            with pytest.raises(DataError) as caught:
                entente.load(folder)
            assert caught.value.problems == problems
        else:
            assert status == 0 and "valid (" in out.getvalue()
            data = entente.load(folder)
            assert len(data.sources) == _records(files["data/sources.csv"])
            assert len(data.changes) == _records(files["data/changes.csv"])
            assert len(data.events) == _records(files["data/events.csv"]) - _withdrawn(files["data/changes.csv"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@SETTINGS
@given(name=st.sampled_from(FILES), data=st.binary(max_size=3000))
def test_arbitrary_bytes_in_a_data_file(name, data):
    _outcome_is_clear({**ORIGINAL, name: data})


def _rows(name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(ORIGINAL[name].decode("utf-8"), newline="")))


def _write(rows, line_end="\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=line_end).writerows(rows)
    return out.getvalue().encode("utf-8")


@st.composite
def mutated(draw):
    """The real package with one to three mutations to one file."""
    name = draw(st.sampled_from(FILES))
    rows = _rows(name)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["cell", "row", "columns", "drop row", "copy row"]))
        r = draw(st.integers(0, len(rows) - 1))
        if kind == "cell" and rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(NASTY)
        elif kind == "row":
            rows[r] = draw(st.lists(NASTY, max_size=len(rows[0]) + 2))
        elif kind == "columns":
            order = draw(st.permutations(range(len(rows[0]))))
            rows = [[row[i] for i in order if i < len(row)] for row in rows]
        elif kind == "drop row" and len(rows) > 1:
            del rows[r]
        elif kind == "copy row":
            rows.insert(r, list(rows[r]))
    data = _write(rows, draw(st.sampled_from(["\n", "\r\n", "\r"])))
    for _ in range(draw(st.integers(0, 2))):  # raw byte edits: stray quotes, separators, cuts
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "cut"]))
        if kind == "insert":
            data = data[:at] + draw(st.sampled_from([b'"', b",", b"\n", b"\r", b"\x00", b"\xe9", b"\xef\xbb\xbf"])) \
                + data[at:]
        else:
            data = data[:at] + data[at + draw(st.integers(1, 200)):]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]))
    if encoding != "utf-8":
        data = data.decode("utf-8", errors="surrogateescape").encode(encoding, errors="replace")
    return {**ORIGINAL, name: data}


@SETTINGS
@given(files=mutated())
def test_mutations_of_the_real_files(files):
    _outcome_is_clear(files)


def test_the_real_package_passes_the_same_property():
    _outcome_is_clear(dict(ORIGINAL))


# --- The quick reading agrees with the csv module --------------------------------------------------

CSV_PIECES = st.sampled_from(['"', '""', ",", "\n", "\r", "\r\n", " ", "a", "é", "“", "\t", ";", "\u2028", "\x1a"])


@st.composite
def csv_texts(draw) -> bytes:
    """Text made of the pieces CSV is made of: most of it rows of cells, quoted properly or not at all, some
    of it any sequence of those pieces (stray quotation marks, blank lines, ragged rows)."""
    if draw(st.booleans()):
        return "".join(draw(st.lists(CSV_PIECES, max_size=40))).encode()
    width = draw(st.integers(1, 4))
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        cells = []
        for _ in range(width + draw(st.sampled_from([0, 0, 0, 1, -1]))):
            text = "".join(draw(st.lists(CSV_PIECES, max_size=5)))
            quoted = draw(st.booleans()) or any(c in text for c in '",\r\n')
            cells.append('"' + text.replace('"', '""') + '"' if quoted else text)
        rows.append(",".join(cells))
    ending = draw(st.sampled_from(["", "\n", "\r\n", "\n\n", ",\n"]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return (bom + draw(st.sampled_from(["\n", "\r\n", "\r"])).join(rows) + ending).encode()


@settings(max_examples=500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=csv_texts())
def test_the_quick_reading_gives_the_cells_the_csv_module_gives(data):
    """A file pandas' parser is trusted with (the quick reading) is split into exactly the cells Python's csv
    module in strict mode finds; a file the csv module refuses is never read the quick way."""
    from entente.csvfile import _quick_cells, _trailing_blank_start

    text = data.decode("utf-8-sig")
    try:
        expected = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        expected = expected[:_trailing_blank_start(expected)]
    except csv.Error:
        expected = None
    quick = _quick_cells(data) if text.strip() else None
    if quick is None:
        return  # read by the csv module itself, as before
    assert expected is not None, "the quick reading accepted a file the csv module refuses"
    header, body = quick
    assert [header] + [list(row) for row in body.itertuples(index=False)] == expected


def test_the_real_files_are_read_the_quick_way_with_the_same_cells():
    """The real data is regular, so it takes the quick reading, and gets the csv module's cells."""
    from entente.csvfile import _quick_cells

    for name in FILES + ("data/claim_sources.csv",):
        data = (ROOT / name).read_bytes()
        quick = _quick_cells(data)
        assert quick is not None, name
        expected = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), strict=True))
        assert [quick[0]] + [list(row) for row in quick[1].itertuples(index=False)] == expected
