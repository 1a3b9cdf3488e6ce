"""The data validator, met the way an editor meets it: the real command line run on a broken copy.

Each case copies datapackage.json and data/ into a temporary folder, breaks one thing, runs
``python -m entente validate`` on the copy and checks that it refuses (exit status 1, no traceback),
that one line of its report points at the file, row, column and value and says what was expected,
and that no file of the copy was changed. Rows are counted as a spreadsheet counts them (header = 1).
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import entente
from entente.validate import DataError
from validate_support import copy_package, read_rows, set_cells, write_rows

ROOT = Path(__file__).resolve().parents[1]
EVENTS, SOURCES, CHANGES = "data/events.csv", "data/sources.csv", "data/changes.csv"
# The CLI prints curly quotes and ↵; read its output as UTF-8 whatever the machine's locale.
UTF8_ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}


# --- Helpers --------------------------------------------------------------------------------------

@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A private copy of the data package to break."""
    return copy_package(tmp_path)


def run_validate(*paths, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "entente", "validate", *map(str, paths)], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", env=UTF8_ENV)


def cell(package: Path, file: str, row: int, column: str) -> str:
    """The text of a cell, addressed as in a spreadsheet: row 1 is the header."""
    rows = read_rows(package / file)
    return rows[row - 1][rows[0].index(column)]


def replace_bytes(package: Path, file: str, old: bytes, new: bytes) -> None:
    path = package / file
    data = path.read_bytes()
    assert data.count(old) == 1, f"{old!r} should occur once in {file}"
    path.write_bytes(data.replace(old, new))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def problem_lines(stderr: str) -> list[str]:
    """The report's lines, without the closing summary."""
    return [line for line in stderr.splitlines() if "problem(s) found" not in line]


def rejected(package: Path, *fragments: str) -> list[str]:
    """Validate the broken copy; check it is refused cleanly, one line holds every fragment, and nothing changed."""
    before = snapshot(package)
    result = run_validate(package)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert any(all(f in line for f in fragments) for line in lines), f"no line holds {fragments}:\n{result.stderr}"
    assert snapshot(package) == before, "validation must never change a file"
    return lines


def valid_counts(folder: Path) -> str:
    """What the command line should print for the plain (unvaried) package in ``folder``."""
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    counts = [f"{len(read_rows(folder / r['path'])) - 1} {r['name']}" for r in descriptor["resources"]]
    return f"valid ({', '.join(counts)})"


# --- Files that cannot be read --------------------------------------------------------------------

def test_missing_file(package):
    (package / SOURCES).unlink()
    rejected(package, f"{SOURCES}: expected a CSV file here", "no such file")


def test_empty_file(package):
    (package / EVENTS).write_bytes(b"")
    rejected(package, f"{EVENTS}: expected a header row", "the file is empty")


def _xlsx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


@pytest.mark.parametrize("content, kind", [
    pytest.param(_xlsx_bytes(), "Excel (.xlsx)", id="xlsx"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "binary file", id="binary"),
    pytest.param("event_id,paragraph\n".encode("utf-16"), "UTF-16", id="utf-16"),
])
def test_file_that_is_not_csv(package, content, kind):
    (package / EVENTS).write_bytes(content)
    rejected(package, f"{EVENTS}: expected a CSV file", kind, "not plain text", "CSV UTF-8")


def test_latin1_bytes_are_located_by_row_and_column(package):
    set_cells(package, EVENTS, 7, notes="Spelt MARKER in the source.")
    replace_bytes(package, EVENTS, b"MARKER", "Tehrán".encode("latin-1"))
    rejected(package, f"{EVENTS}, row 7, ", 'column "notes"', 'found "Spelt Tehr�n in the source."',
             "the byte E1", "not UTF-8", '"á"', "CSV UTF-8")


def test_latin1_in_a_file_with_a_multiline_cell_gives_row_and_line(package):
    set_cells(package, EVENTS, 3, notes="First line.\nSecond line.")
    set_cells(package, EVENTS, 7, notes="Spelt MARKER in the source.")
    replace_bytes(package, EVENTS, b"MARKER", "Tehrán".encode("latin-1"))
    rejected(package, f"{EVENTS}, row 7 (line 8 of the file), ", 'column "notes"', "not UTF-8")


def test_whole_file_saved_as_windows_1252(package):
    text = (package / EVENTS).read_text(encoding="utf-8")
    (package / EVENTS).write_bytes(text.encode("cp1252"))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    row = next(i for i, r in enumerate(rows[1:], start=2) if r[rows[0].index("quote")])
    rejected(package, f"{EVENTS}, row {row}, ", 'column "quote"', 'found "�', "the byte 93", '"“"')


@pytest.mark.parametrize("delimiter, name", [(";", "semicolons"), ("\t", "tabs")])
def test_wrong_delimiter(package, delimiter, name):
    write_rows(package / SOURCES, read_rows(package / SOURCES), delimiter=delimiter)
    rejected(package, f"{SOURCES}, row 1: ", f'found "source_id{delimiter}outlet', f"separates them with {name}",
             "cells separated by commas")


# --- The header -----------------------------------------------------------------------------------

def _drop_column(package: Path, file: str, column: str) -> None:
    rows = read_rows(package / file)
    i = rows[0].index(column)
    write_rows(package / file, [r[:i] + r[i + 1:] for r in rows])


def _add_column(package: Path, file: str, name: str) -> None:
    rows = read_rows(package / file)
    write_rows(package / file, [rows[0] + [name]] + [r + [""] for r in rows[1:]])


def test_missing_column(package):
    _drop_column(package, SOURCES, "year_inferred")
    rejected(package, f"{SOURCES}, row 1, ", 'column "year_inferred"', "the header has none")


def test_extra_column(package):
    _add_column(package, SOURCES, "colour")
    rejected(package, f"{SOURCES}, row 1, ", 'column "colour"', 'found "colour"', "only the columns")


def test_misspelt_column_is_named_once_with_the_right_name(package):
    rows = read_rows(package / EVENTS)
    rows[0][rows[0].index("event_date")] = "evnt_date"
    write_rows(package / EVENTS, rows)
    lines = rejected(package, f"{EVENTS}, row 1, ", 'column "evnt_date"', 'found "evnt_date"',
                     'did you mean "event_date"?')
    assert len(lines) == 1, "a misspelling is one problem, not also a missing column"


def test_duplicated_column(package):
    _add_column(package, SOURCES, "kind")
    rejected(package, f"{SOURCES}, row 1, ", 'column "kind"', 'found "kind"', "each column once")


def test_columns_out_of_order(package):
    write_rows(package / SOURCES, [[r[1], r[0], *r[2:]] for r in read_rows(package / SOURCES)])
    rejected(package, f"{SOURCES}, row 1, ", 'column "outlet"', "in the order datapackage.json gives",
             "column A should be source_id")


# --- The shape of rows ----------------------------------------------------------------------------

def test_row_with_too_many_fields(package):
    rows = read_rows(package / EVENTS)
    width = len(rows[0])
    rows[4] += ["stray", "cells"]
    write_rows(package / EVENTS, rows)
    rejected(package, f"{EVENTS}, row 5: ", 'found "stray,cells"', f"{width} cells, one per column",
             f"this row has {width + 2}", "not in quotation marks")


def test_row_with_too_few_fields(package):
    rows = read_rows(package / EVENTS)
    width = len(rows[0])
    rows[4] = rows[4][:-1]
    write_rows(package / EVENTS, rows)
    rejected(package, f"{EVENTS}, row 5, ", f'column "{rows[0][-1]}"', f"{width} cells, one per column",
             f"this row has {width - 1}")


def test_unclosed_quote_names_the_row_and_cell_it_opens_in(package):
    set_cells(package, EVENTS, 6, summary="Plain summary with no comma in it.")
    replace_bytes(package, EVENTS, b",Plain summary", b',"Plain summary')
    rejected(package, f"{EVENTS}, row 6, ", 'column "summary"', 'found "Plain summary with no comma in it.',
             "a closing quotation mark", "a quotation mark that opens a cell here")


def test_unclosed_quote_in_the_last_row(package):
    last = len(read_rows(package / EVENTS))
    set_cells(package, EVENTS, last, notes="An unfinished note")
    replace_bytes(package, EVENTS, b",An unfinished note", b',"An unfinished note')
    rejected(package, f"{EVENTS}, row {last}, ", 'column "notes"', 'found "An unfinished note"',
             "never closed", "to the end of the file")


def test_text_after_a_closing_quote(package):
    set_cells(package, EVENTS, 6, summary="Plain summary with no comma in it.")
    replace_bytes(package, EVENTS, b",Plain summary with", b',"Plain" summary with')
    rejected(package, f"{EVENTS}, row 6: ", 'found "E', "right after a closing quotation mark", 'type it twice ("")')


def test_rows_are_counted_by_record_not_by_line(package):
    """A quoted cell holding a line break stays one spreadsheet row; the file's line is given as well."""
    set_cells(package, EVENTS, 3, notes="First line.\nSecond line.")
    rows = read_rows(package / EVENTS)
    rows[5] += ["stray"]
    rows[6][rows[0].index("domain")] = "militray"
    write_rows(package / EVENTS, rows)
    rejected(package, f"{EVENTS}, row 6 (line 7 of the file): ", 'found "stray"', f"this row has {len(rows[0]) + 1}")
    rejected(package, f'{EVENTS}, row 7, column "domain"', 'found "militray"')


def test_blank_row_between_records(package):
    row_start = b"\n" + cell(package, EVENTS, 5, "event_id").encode() + b","
    replace_bytes(package, EVENTS, row_start, b"\n" + row_start)
    rejected(package, f"{EVENTS}, row 5: ", "the row is blank")


# --- Values ---------------------------------------------------------------------------------------

def test_duplicate_id(package):
    first = cell(package, EVENTS, 4, "event_id")
    set_cells(package, EVENTS, 7, event_id=first)
    rejected(package, f"{EVENTS}, row 7, ", 'column "event_id"', f'found "{first}"', "row 4 has it too")


def test_blank_id(package):
    set_cells(package, EVENTS, 7, event_id="")
    rejected(package, f"{EVENTS}, row 7, ", 'column "event_id"', "found an empty cell", "may not be left empty")


DAY_DATED = {"date_precision": "day", "event_date_end": "", "date_inferred": "false"}


@pytest.mark.parametrize("date, why", [("2022-02-30", "February 2022 has 28 days, so there is no day 30"),
                                       ("2022-13-01", "there is no month 13")])
def test_impossible_event_date(package, date, why):
    set_cells(package, EVENTS, 8, event_date=date, **DAY_DATED)
    rejected(package, f"{EVENTS}, row 8, ", 'column "event_date"', f'found "{date}"', "a real calendar date", why)


def test_impossible_change_date(package):
    set_cells(package, CHANGES, 4, date="2022-02-30")
    rejected(package, f"{CHANGES}, row 4, ", 'column "date"', 'found "2022-02-30"', "no day 30")


def test_event_date_in_words(package):
    set_cells(package, EVENTS, 8, event_date="November 15, 2022", **DAY_DATED)
    rejected(package, f"{EVENTS}, row 8, ", 'column "event_date"', 'found "November 15, 2022"',
             "YYYY-MM-DD, YYYY-MM or YYYY in digits", "write this one as 2022-11-15")


def test_publication_date_in_words(package):
    set_cells(package, SOURCES, 3, published="November 15, 2022", published_precision="day")
    rejected(package, f"{SOURCES}, row 3, ", 'column "published"', 'found "November 15, 2022"', "2022-11-15")


def test_unknown_category(package):
    set_cells(package, EVENTS, 5, domain="militray")
    rejected(package, f"{EVENTS}, row 5, ", 'column "domain"', 'found "militray"', "one of: military, space",
             'did you mean "military"?')


def test_unknown_item_in_a_list(package):
    set_cells(package, EVENTS, 5, actors="Iran;Rusia")
    rejected(package, f"{EVENTS}, row 5, ", 'column "actors"', 'found "Rusia"', "each item in the list",
             'did you mean "Russia"?')


def test_space_after_a_list_semicolon(package):
    set_cells(package, EVENTS, 5, actors="Iran; Russia")
    rejected(package, f"{EVENTS}, row 5, ", 'column "actors"', 'found " Russia"', "no space after the semicolon")


def test_boolean_in_capitals(package):
    set_cells(package, EVENTS, 5, date_inferred="FALSE")
    rejected(package, f"{EVENTS}, row 5, ", 'column "date_inferred"', 'found "FALSE"', "true or false in lower case")


def test_spaces_around_a_value(package):
    set_cells(package, EVENTS, 5, domain="military ")
    rejected(package, f"{EVENTS}, row 5, ", 'column "domain"', 'found "military "', "no spaces before or after")


# --- Rules across fields and files ----------------------------------------------------------------

def test_claim_citing_a_source_that_does_not_exist(package):
    set_cells(package, "data/claim_sources.csv", 5, source_id="no-such-report-2022")
    rejected(package, "data/claim_sources.csv, row 5, ", 'column "source_id"', 'found "no-such-report-2022"',
             f"a source_id listed in {SOURCES}")


def test_change_row_for_an_unknown_id(package):
    rows = read_rows(package / CHANGES)
    rows.append(["2026-11-25", "E999", "corrected", "A correction to a record that does not exist."])
    write_rows(package / CHANGES, rows)
    rejected(package, f"{CHANGES}, row {len(rows)}, ", 'column "record_id"', 'found "E999"',
             "none has this id")


def test_event_without_an_added_row(package):
    event_id = cell(package, EVENTS, 6, "event_id")
    rows = read_rows(package / CHANGES)
    write_rows(package / CHANGES, [r for r in rows if not (r[1] == event_id and r[2] == "added")])
    rejected(package, f"{EVENTS}, row 6, ", 'column "event_id"', f'found "{event_id}"',
             f"a row in {CHANGES} recording that {event_id} was added")


def test_date_precision_disagreeing_with_the_date(package):
    set_cells(package, EVENTS, 8, event_date="2022-11", **DAY_DATED)
    rejected(package, f"{EVENTS}, row 8, ", 'column "event_date"', 'found "2022-11"', 'date_precision says "day"',
             "written to the month")


def test_publication_precision_disagreeing_with_the_date(package):
    set_cells(package, SOURCES, 3, published="2022-11", published_precision="day")
    rejected(package, f"{SOURCES}, row 3, ", 'column "published"', 'found "2022-11"',
             'published_precision says "day"')


def test_unreadable_sources_do_not_make_every_reference_look_broken(package):
    (package / SOURCES).unlink()
    lines = rejected(package, f"{SOURCES}: expected a CSV file here")
    assert lines == [line for line in lines if line.startswith(SOURCES)], "only the missing file is reported"


def test_broken_descriptor(package):
    text = (package / "datapackage.json").read_text(encoding="utf-8")
    (package / "datapackage.json").write_text(text.replace('"resources": [', '"resources": [,', 1), encoding="utf-8")
    rejected(package, "datapackage.json, line ", "expected valid JSON")


def test_no_package_to_validate(tmp_path):
    result = run_validate(cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "no datapackage.json" in result.stderr


# --- Through the loader ---------------------------------------------------------------------------

def test_loader_raises_the_same_problems_as_the_command_line(package):
    set_cells(package, EVENTS, 5, actors="Iran;Rusia", domain="militray")
    lines = rejected(package, 'found "Rusia"')
    with pytest.raises(DataError) as caught:
        entente.load(package)
    assert [str(p) for p in caught.value.problems] == lines


# --- Harmless variants ----------------------------------------------------------------------------

HARMLESS = {
    "byte-order mark": lambda data: b"\xef\xbb\xbf" + data,
    "CRLF line ends": lambda data: data.replace(b"\n", b"\r\n"),
    "trailing blank lines": lambda data: data + b"\n\n\n",
    "all three": lambda data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n") + b"\r\n\r\n",
}


@pytest.mark.parametrize("variant", HARMLESS)
def test_harmless_variants_pass_with_every_row(package, variant):
    expected = valid_counts(package)
    for name in (EVENTS, SOURCES, CHANGES):
        path = package / name
        path.write_bytes(HARMLESS[variant](path.read_bytes()))
    before = snapshot(package)
    result = run_validate(package)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert snapshot(package) == before


def test_harmless_variant_loads_the_same_values(package):
    for name in (EVENTS, SOURCES, CHANGES):
        path = package / name
        path.write_bytes(HARMLESS["all three"](path.read_bytes()))
    original, variant = entente.load(ROOT), entente.load(package)
    for table in ("events", "sources", "changes"):
        assert getattr(original, table).equals(getattr(variant, table)), table


# --- The real data and the schema -----------------------------------------------------------------

def test_real_data_passes_the_command_line_with_counts():
    expected = valid_counts(ROOT)
    result = run_validate()
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


def test_real_data_passes_frictionless():
    frictionless = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(frictionless), "validate", "datapackage.json"], cwd=ROOT,
                            capture_output=True, text=True, encoding="utf-8", env=UTF8_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def _list_fields():
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    return [pytest.param(field, id=f"{res['name']}.{field['name']}")
            for res in descriptor["resources"] for field in res["schema"]["fields"] if "x-list" in field]


@pytest.mark.parametrize("field", _list_fields())
def test_list_pattern_is_built_from_its_items(field):
    """Frictionless checks the pattern, this project's validator the items: the two must say the same thing."""
    items, delimiter = field["x-list"]["items"], field["x-list"]["delimiter"]
    assert not any(re.search(r"[\\^$.|?*+()\[\]{}]", item) for item in items), "items must be plain words"
    alternation = "|".join(items)
    assert field["constraints"]["pattern"] == f"^({alternation})({re.escape(delimiter)}({alternation}))*$"


# --- Spreadsheet safety ---------------------------------------------------------------------------

@pytest.mark.parametrize("start, name", [("=", "="), ("+", "+"), ("-", "-"), ("@", "@"), ("\t", "a tab"),
                                         ("\r", "a carriage return")])
def test_text_a_spreadsheet_would_run_as_a_formula_is_refused(package, start, name):
    text = start + 'HYPERLINK("http://example.invalid","click")'
    set_cells(package, EVENTS, 6, notes=text)
    shown_start = "↵" if start == "\r" else start
    rejected(package, f'{EVENTS}, row 6, column "notes"', f'found "{shown_start}HYPERLINK',
             f"would run a cell beginning with {name} as a formula")


def test_a_formula_sign_inside_text_or_in_a_number_field_is_harmless(package):
    set_cells(package, EVENTS, 6, notes="A note - with signs = + @ inside, not at the start.")
    result = run_validate(package)
    assert result.returncode == 0, result.stderr


# --- Codebook rules: each branch, broken once ------------------------------------------------------

UNDATED = {"date_precision": "unknown", "event_date": "", "event_date_end": "", "date_inferred": "false"}


def test_undated_event_with_a_date(package):
    set_cells(package, EVENTS, 8, **{**UNDATED, "event_date": "2022-11"})
    rejected(package, f'{EVENTS}, row 8, column "date_precision"', 'found "unknown"',
             "day, month, year or span, since event_date is filled in")


def test_undated_event_with_an_inferred_date(package):
    set_cells(package, EVENTS, 8, **{**UNDATED, "date_inferred": "true"})
    rejected(package, f'{EVENTS}, row 8, column "date_inferred"', 'found "true"', "false, since there is no event date")


def test_dated_precision_without_a_date(package):
    set_cells(package, EVENTS, 8, **{**UNDATED, "date_precision": "month"})
    rejected(package, f'{EVENTS}, row 8, column "event_date"', "found an empty cell",
             'a date, since date_precision is "month"')


def test_end_date_without_a_span(package):
    set_cells(package, EVENTS, 8, **{**DAY_DATED, "event_date": "2022-11-01", "event_date_end": "2022-11-05"})
    rejected(package, f'{EVENTS}, row 8, column "event_date_end"', 'found "2022-11-05"', "only a span has an end")


def test_span_ending_before_it_starts(package):
    set_cells(package, EVENTS, 8, **{**DAY_DATED, "date_precision": "span", "event_date": "2022-11",
                                     "event_date_end": "2022-10"})
    rejected(package, f'{EVENTS}, row 8, column "event_date_end"', 'found "2022-10"',
             "a date no earlier than event_date 2022-11")


def test_span_ending_in_the_month_it_starts_is_fine(package):
    set_cells(package, EVENTS, 8, **{**DAY_DATED, "date_precision": "span", "event_date": "2022-11-20",
                                     "event_date_end": "2022-11"})
    result = run_validate(package)
    assert result.returncode == 0, result.stderr


def test_hedged_claim_without_hedge_words(package):
    set_cells(package, EVENTS, 8, certainty="alleged", hedge_words="")
    rejected(package, f'{EVENTS}, row 8, column "hedge_words"', "found an empty cell",
             "the article's words that make the claim alleged")


def test_established_claim_with_hedge_words(package):
    set_cells(package, EVENTS, 8, certainty="established", hedge_words="reportedly")
    rejected(package, f'{EVENTS}, row 8, column "hedge_words"', 'found "reportedly"',
             "an empty cell, since the claim is established")


def test_one_outlet_with_two_domains(package):
    rows = read_rows(package / SOURCES)
    head = rows[0]
    first = next(i for i, r in enumerate(rows[1:], start=2) if r[head.index("domain")])
    outlet, domain = rows[first - 1][head.index("outlet")], rows[first - 1][head.index("domain")]
    other = next(i for i in range(2, len(rows) + 1) if i != first)
    set_cells(package, SOURCES, other, outlet=outlet, domain="other.example")
    row = max(first, other)
    wrong = "other.example" if other > first else domain
    rejected(package, f'{SOURCES}, row {row}, column "domain"', f'found "{wrong}"', "one outlet, one domain")


def test_every_codebook_rule_reads_tables_the_real_package_has():
    """A rule whose tables were renamed away would never run; the real schema must have them all."""
    from entente.rules import RULES
    names = {r["name"] for r in json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["resources"]}
    assert RULES and all(set(r.needs) <= names for r in RULES)
