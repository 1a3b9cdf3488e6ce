"""The codebook's analysis rules, each broken once on a copy of the real data and read back as a message."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from entente.validate import check_package
from validate_support import copy_package, read_rows, set_cells, write_rows

EVENTS, LINKS = "data/events.csv", "data/claim_sources.csv"


@pytest.fixture
def package(tmp_path: Path) -> Path:
    return copy_package(tmp_path)


def row_of(package: Path, event_id: str, file: str = EVENTS) -> int:
    """The spreadsheet row (the header is row 1) of a claim in a file."""
    rows = read_rows(package / file)
    return next(i for i, r in enumerate(rows, start=1) if r[0] == event_id)


def messages(package: Path) -> list[str]:
    _, problems = check_package(package / "datapackage.json")
    return [str(p) for p in problems]


def only(package: Path, *fragments: str) -> str:
    lines = messages(package)
    hits = [line for line in lines if all(f in line for f in fragments)]
    assert len(hits) == 1 and len(lines) == 1, lines
    return hits[0]


def test_the_real_data_keeps_every_rule(package):
    assert messages(package) == []


def test_a_claim_that_moves_nothing_cannot_be_mutual(package):
    # E006: the author's judgement that an entente is forming (stage "no act").
    row = row_of(package, "E006")
    set_cells(package, EVENTS, row, direction="mutual")
    lines = messages(package)
    assert any(f"{EVENTS}, row {row}" in l and 'column "direction": found "mutual"' in l
               and 'none, since stage is "no act"' in l for l in lines), lines
    assert all(f"row {row}," in l for l in lines), "nothing else is reported"


def test_an_assessment_moves_nothing(package):
    # E014 is an assessment whose stage ("possible") would allow a flow: the event type alone forbids it.
    set_cells(package, EVENTS, row_of(package, "E014"), direction="Iran to Russia")
    only(package, 'column "direction"', 'none, since event_type is "assessment"')


def test_a_stage_must_fit_its_status_and_event_type(package):
    row = row_of(package, "E007")  # a request: stage sought, status requested
    set_cells(package, EVENTS, row, stage="done")
    lines = messages(package)
    assert any(f"row {row}" in l and 'column "stage"' in l and 'since status is "requested"' in l for l in lines), lines
    assert any(f"row {row}" in l and 'since event_type is "request"' in l for l in lines), lines


def test_a_state_is_never_both_actor_and_third_party(package):
    row = row_of(package, "E026")  # actors Iran; third parties Azerbaijan and Turkey
    set_cells(package, EVENTS, row, third_parties="Azerbaijan;Iran")
    only(package, f"row {row}", 'column "third_parties"', "Iran is in both")


def test_a_cited_report_needs_a_report(package):
    row = row_of(package, "E001")
    links = read_rows(package / LINKS)
    write_rows(package / LINKS, [r if r[0] != "E001" else ["E001", "edm-2022-12"] for r in links])
    only(package, f"row {row}", 'column "evidence"', '"cited report" needs at least one report')


def test_the_articles_word_alone_cites_no_report(package):
    row = row_of(package, "E003")  # the article's assertion, linked to the article only
    links = read_rows(package / LINKS)
    write_rows(package / LINKS, [r if r[0] != "E003" else ["E003", "ibtimes-2022-11-21"] for r in links])
    only(package, f"row {row}", 'column "evidence"', "means no report is cited", "1 report(s)")


def test_every_claim_has_a_source(package):
    links = read_rows(package / LINKS)
    write_rows(package / LINKS, [r for r in links if r[0] != "E010"])
    only(package, f"row {row_of(package, 'E010')}", 'column "event_id"', "naming a source for this claim")


def test_a_claim_of_the_article_has_its_sentence_and_its_paragraphs_theme(package):
    row = row_of(package, "E020")
    set_cells(package, EVENTS, row, sentence="")
    only(package, f"row {row}", 'column "sentence"', "since paragraph is given")
    set_cells(package, EVENTS, row, sentence="4", theme="5")
    only(package, f"row {row}", 'column "theme"', "a claim of the article belongs to the chapter of its paragraph")


def test_a_later_claim_validates_without_a_paragraph_but_needs_a_report(package):
    rows = read_rows(package / EVENTS)
    header = rows[0]
    later = dict(zip(header, next(r for r in rows if r[0] == "E029")))
    later.update(event_id="E900", paragraph="", sentence="", summary="A later report says the gas swap was signed.")
    write_rows(package / EVENTS, rows + [[later[h] for h in header]])
    changes = read_rows(package / "data/changes.csv")
    write_rows(package / "data/changes.csv", changes + [["2026-12-02", "E900", "added", "Added from a later report."]])
    write_rows(package / LINKS, read_rows(package / LINKS) + [["E900", "cnsnews-2022-08-25"]])
    assert messages(package) == []
    write_rows(package / LINKS, [r for r in read_rows(package / LINKS) if r[0] != "E900"] + [["E900", "edm-2022-12"]])
    lines = messages(package)
    assert any(f"row {len(rows) + 1}" in l and "must rest on a later report" in l for l in lines), lines


def test_pairs_come_from_the_schema_not_the_code(package):
    """A pair added to datapackage.json is enforced with no code change."""
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    stage = next(f for r in descriptor["resources"] if r["name"] == "events" for f in r["schema"]["fields"]
                 if f["name"] == "stage")
    stage["x-allowed"]["domain"] = {"space": ["sought"]}
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    lines = messages(package)
    assert lines and all('since domain is "space"' in l for l in lines), lines
