"""The schema drives every generic check: each type and constraint it may use is checked, anything else is
refused before the data is read, and resources the code has never heard of are checked with no code change."""
from __future__ import annotations

import json

import pytest

import entente
from entente.schema import CONSTRAINTS, TYPES, Schema
from validate_support import ROOT, copy_package, edit_descriptor, has_line, make_package, problems, read_rows, write_rows

# --- What the schema may ask for ------------------------------------------------------------------


def _field_of(descriptor: dict, resource: str, name: str) -> dict:
    res = next(r for r in descriptor["resources"] if r["name"] == resource)
    return next(f for f in res["schema"]["fields"] if f["name"] == name)


@pytest.mark.parametrize("edit, words", [
    pytest.param(lambda f: f.update(type="object"), 'has type "object", which the validator does not check',
                 id="unknown type"),
    pytest.param(lambda f: f["constraints"].update(exclusiveMinimum=1), 'the constraint "exclusiveMinimum"',
                 id="unknown constraint"),
    pytest.param(lambda f: f["constraints"].update(pattern="^[0-9]$"), 'the constraint "pattern" on a field of type '
                 '"integer"', id="constraint on the wrong type"),
    pytest.param(lambda f: f.update(bareNumber=False), 'the property "bareNumber"', id="unknown property"),
    pytest.param(lambda f: f.update(format="any"), 'the format "any"', id="unknown format"),
])
def test_a_schema_asking_for_an_unchecked_rule_is_refused_before_the_data_is_read(tmp_path, edit, words):
    package = copy_package(tmp_path)
    edit_descriptor(package, lambda d: edit(_field_of(d, "events", "paragraph")))
    lines = problems(package)
    assert len(lines) == 1, lines
    assert has_line(lines, "datapackage.json: expected a schema whose every part the validator checks", words,
                    'field "paragraph" of resource "events"')
    with pytest.raises(entente.DataError):
        entente.load(package)


def test_a_table_rule_the_validator_does_not_check_is_refused(tmp_path):
    package = copy_package(tmp_path)
    edit_descriptor(package, lambda d: d["resources"][0]["schema"].update(uniqueKeys=[["summary", "domain"]]))
    lines = problems(package)
    assert has_line(lines, 'the schema property "uniqueKeys", which the validator does not check'), lines


def test_every_declared_type_and_constraint_is_one_the_validator_checks():
    """The real schema passes the refusal check, and it uses nothing outside the checked sets."""
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert Schema(ROOT / "datapackage.json").unsupported() == []
    for res in descriptor["resources"]:
        for f in res["schema"]["fields"]:
            assert f.get("type", "string") in TYPES
            assert set(f.get("constraints", {})) <= set(CONSTRAINTS)


def test_certainty_order_is_the_schemas():
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert entente.CERTAINTY_ORDER == tuple(_field_of(descriptor, "events", "certainty")["constraints"]["enum"])
    assert list(entente.load(ROOT).events["certainty"].cat.categories) == list(entente.CERTAINTY_ORDER)


# --- Every type, checked ---------------------------------------------------------------------------

MEASURES = {
    "primaryKey": ["id"],
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "weight", "type": "number", "constraints": {"minimum": 0, "maximum": 1000}},
        {"name": "count", "type": "integer", "constraints": {"minimum": -5}},
        {"name": "seen", "type": "datetime"},
        {"name": "year", "type": "year", "constraints": {"maximum": 2030}},
        {"name": "day", "type": "date", "constraints": {"minimum": "2000-01-01"}},
        {"name": "ok", "type": "boolean", "trueValues": ["yes", "Y"], "falseValues": ["no", "N"]},
        {"name": "tags", "type": "string", "x-list": {"delimiter": "|", "items": ["red", "blue"]}},
        {"name": "size", "type": "integer", "constraints": {"enum": [1, 2, 3]}},
        {"name": "note", "type": "string", "constraints": {"maxLength": 12}},
    ],
    "missingValues": ["", "NA"],
}
HEADER = [f["name"] for f in MEASURES["fields"]]
GOOD = ["m1", "-0.5e1", "-3", "2022-11-15T10:30:00Z", "1999", "2022-11-15", "yes", "red|blue", "2", "fine"]


def measures(tmp_path, *rows: list[str]):
    schema = json.loads(json.dumps(MEASURES))
    schema["fields"][1]["constraints"]["minimum"] = -10
    return make_package(tmp_path, {"measures": (schema, [HEADER, GOOD, *rows])})


def test_good_values_of_every_type_pass(tmp_path):
    package = measures(tmp_path, ["m2", "12.25", "0", "2022-11-15T10:30:00", "2030", "2000-01-01", "N", "blue", "3",
                                  "NA"])
    assert problems(package) == []


@pytest.mark.parametrize("column, value, expected", [
    ("weight", "12,5", "a number written in digits"),
    ("weight", "1e9", "a number from -10 to 1000"),
    ("count", "2.0", "a whole number written in digits"),
    ("count", "-6", "a whole number of at least -5"),
    ("seen", "2022-11-15 10:30", "a date and time written YYYY-MM-DDThh:mm:ss"),
    ("seen", "2022-02-30T10:30:00", "a real date and time, but this one names no real day"),
    ("year", "22", "a year written in four digits"),
    ("year", "2031", "a year of at most 2030"),
    ("day", "1999-12-31", "a date of at least 2000-01-01"),
    ("day", "15/11/2022", "a date written YYYY-MM-DD in digits"),
    ("ok", "true", "yes or Y or no or N"),
    ("tags", "red;blue", "each item in the list to be one of: red, blue"),
    ("tags", "red||blue", "items separated by single vertical bars"),
    ("size", "4", "one of: 1, 2, 3"),
    ("note", "thirteen long", "at most 12 characters"),
    ("id", "NA", "a value; this column may not be left empty"),
])
def test_bad_values_of_every_type_are_refused(tmp_path, column, value, expected):
    row = list(GOOD)
    row[0] = "m2"
    row[HEADER.index(column)] = value
    package = measures(tmp_path, row)
    lines = problems(package)
    shown = "an empty cell" if value == "" else f'found "{value}"' if column != "tags" or "|" in value or ";" in value \
        else value
    assert has_line(lines, f'data/measures.csv, row 3, column "{column}"', shown, expected), lines


def test_missing_values_and_true_values_are_honoured_by_the_loader(tmp_path):
    """trueValues and missingValues come from the schema: "Y" is true, "NA" is missing."""
    package = copy_package(tmp_path)

    def edit(d):
        inferred = _field_of(d, "events", "date_inferred")
        inferred["trueValues"], inferred["falseValues"] = ["Y"], ["N"]
        next(r for r in d["resources"] if r["name"] == "events")["schema"]["missingValues"] = ["", "NA"]
    edit_descriptor(package, edit)
    rows = read_rows(package / "data/events.csv")
    col, notes = rows[0].index("date_inferred"), rows[0].index("notes")
    for r in rows[1:]:
        r[col] = {"true": "Y", "false": "N"}[r[col]]
    rows[1][notes] = "NA"
    write_rows(package / "data/events.csv", rows)
    expected_true = sum(r[col] == "true" for r in read_rows(ROOT / "data/events.csv")[1:])
    assert expected_true > 0
    events = entente.load(package).events
    assert int(events["date_inferred"].sum()) == expected_true - _withdrawn_inferred()
    assert events.loc[events["event_id"] == rows[1][0], "notes"].item() == ""


def _withdrawn_inferred() -> int:
    """Inferred-date events the loader leaves out because they are withdrawn (counted from the files)."""
    changes = read_rows(ROOT / "data/changes.csv")[1:]
    latest = {}
    for date, record, change, _ in sorted(changes, key=lambda r: r[0]):
        latest[record] = change
    rows = read_rows(ROOT / "data/events.csv")
    col = rows[0].index("date_inferred")
    return sum(r[col] == "true" and latest.get(r[0]) == "withdrawn" for r in rows[1:])


# --- A resource the code has never heard of -------------------------------------------------------

def _add_claim_sources(descriptor: dict) -> None:
    """A table like claim_sources under a name no code knows: a composite key and two foreign keys."""
    descriptor["resources"].append({
        "name": "claim_links", "path": "data/claim_links.csv",
        "schema": {
            "fields": [{"name": "event_id", "type": "string", "constraints": {"required": True}},
                       {"name": "source_id", "type": "string", "constraints": {"required": True}}],
            "primaryKey": ["event_id", "source_id"],
            "foreignKeys": [
                {"fields": "event_id", "reference": {"resource": "events", "fields": "event_id"}},
                {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["source_id"]}}],
            "missingValues": [""],
        }})


def _claim_sources(package, extra: list[list[str]]) -> None:
    edit_descriptor(package, _add_claim_sources)
    pairs = read_rows(package / "data/claim_sources.csv")[1:]
    write_rows(package / "data/claim_links.csv", [["event_id", "source_id"], *pairs, *extra])


def test_a_new_resource_with_a_composite_key_and_two_foreign_keys_needs_no_code(tmp_path):
    package = copy_package(tmp_path)
    _claim_sources(package, [])
    assert problems(package) == []


def test_composite_key_and_foreign_keys_of_a_new_resource_are_checked(tmp_path):
    package = copy_package(tmp_path)
    links = read_rows(package / "data/claim_sources.csv")
    first = links[1]
    _claim_sources(package, [first, ["E999", first[1]], [first[0], "no-such-source"]])
    lines = problems(package)
    n = len(links)  # the header plus one row per link: the extra rows follow
    assert has_line(lines, f'data/claim_links.csv, row {n + 1}, column "event_id, source_id"',
                    f'found "{first[0]}, {first[1]}"', "a combination of event_id and source_id no other row has",
                    "row 2 has it too"), lines
    assert has_line(lines, f'data/claim_links.csv, row {n + 2}, column "event_id"', 'found "E999"',
                    "a event_id listed in data/events.csv"), lines
    assert has_line(lines, f'data/claim_links.csv, row {n + 3}, column "source_id"', 'found "no-such-source"',
                    "a source_id listed in data/sources.csv"), lines
    assert len(lines) == 3, lines


def test_composite_foreign_key(tmp_path):
    """A reference made of two fields must match a row of the target in both."""
    schema_a = {"fields": [{"name": "x", "type": "string"}, {"name": "y", "type": "string"}], "primaryKey": ["x", "y"]}
    schema_b = {"fields": [{"name": "x", "type": "string"}, {"name": "y", "type": "string"}],
                "foreignKeys": [{"fields": ["x", "y"], "reference": {"resource": "a", "fields": ["x", "y"]}}]}
    package = make_package(tmp_path, {"a": (schema_a, [["x", "y"], ["1", "p"], ["2", "q"]]),
                                      "b": (schema_b, [["x", "y"], ["1", "p"], ["1", "q"], ["", "q"]])})
    lines = problems(package)
    assert lines == ['data/b.csv, row 3, column "x, y": found "1, q"; expected a combination of x and y listed in '
                     'data/a.csv, but none has this one'], lines
