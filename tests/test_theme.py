"""The theme: colours and orders come from datapackage.json by position, for any number of values."""
import json
import re
import shutil

import altair as alt
import pytest

from entente import theme
from entente.schema import Schema
from conftest import ROOT

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
# Okabe & Ito's eight colours, written out here so the theme is checked against the published palette.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
BLUES = ["#08306B", "#2171B5", "#6BAED6", "#C6DBEF"]
# Modules of the package that draw, count or word categories: none may spell out a category value.
DRAWING_MODULES = ["theme", "charts", "facts", "tables", "explore", "live", "labels"]


def enum(resource: str, field: str) -> list[str]:
    res = next(r for r in DESCRIPTOR["resources"] if r["name"] == resource)
    return next(f for f in res["schema"]["fields"] if f["name"] == field)["constraints"]["enum"]


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def schema_copy(tmp_path, edit) -> Schema:
    """A copy of the package whose descriptor ``edit`` changed."""
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    edit(descriptor)
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return Schema(tmp_path / "datapackage.json")


def field_of(descriptor, resource, name):
    res = next(r for r in descriptor["resources"] if r["name"] == resource)
    return next(f for f in res["schema"]["fields"] if f["name"] == name)


def test_ramp_of_four_is_the_blues_and_any_length_runs_dark_to_light():
    assert theme.ramp(4) == BLUES
    for n in range(1, 12):
        colours = theme.ramp(n)
        assert len(set(colours)) == n
        assert colours[0] == BLUES[0]
        lum = [luminance(c) for c in colours]
        assert lum == sorted(lum), f"{n} colours get lighter down the scale"


def test_nominal_colours_start_with_okabe_ito_and_never_repeat():
    assert theme.nominal(8) == OKABE_ITO
    many = theme.nominal(24)
    assert many[:8] == OKABE_ITO and len(set(many)) == 24


def test_colours_follow_the_schema_enum_by_position():
    for field in ("domain", "direction", "status", "event_type"):
        values = enum("events", field)
        assert list(theme.colours(field)) == values
        assert list(theme.colours(field).values())[:8] == OKABE_ITO[:len(values)]
    levels = enum("events", "certainty")
    assert theme.colours("certainty") == dict(zip(levels, theme.ramp(len(levels))))


def test_a_value_added_to_the_schema_gets_the_next_colour(tmp_path):
    domains = enum("events", "domain")
    schema = schema_copy(tmp_path, lambda d: field_of(d, "events", "domain")["constraints"]["enum"].append("cyber"))
    colours = theme.colours("domain", schema)
    assert colours["cyber"] == OKABE_ITO[len(domains)]
    assert [colours[d] for d in domains] == OKABE_ITO[:len(domains)], "the others keep theirs"
    scale = theme.scale("domain", ["cyber", domains[0]], schema)
    assert scale.domain == [domains[0], "cyber"] and scale.range == [OKABE_ITO[0], OKABE_ITO[len(domains)]]


def test_a_certainty_level_added_in_the_middle_gets_its_place_on_the_ramp(tmp_path):
    levels = enum("events", "certainty")
    longer = [*levels[:2], "rumoured", *levels[2:]]
    schema = schema_copy(tmp_path, lambda d: field_of(d, "events", "certainty")["constraints"].update(enum=longer))
    colours = theme.colours("certainty", schema)
    assert list(colours) == longer
    assert list(colours.values()) == theme.ramp(len(longer))
    assert theme.order("certainty", {"possible", "rumoured", "established"}, schema) == ["established", "rumoured", "possible"]


def test_order_keeps_schema_order_and_never_drops_an_unknown_value():
    domains = enum("events", "domain")
    assert theme.order("domain", [domains[2], "zz-unknown", domains[0]]) == [domains[0], domains[2], "zz-unknown"]
    assert theme.order("domain") == domains
    scale = theme.scale("domain", [domains[0], "zz-unknown"])
    assert len(set(scale.range)) == 2


def test_categories_ordered_in_the_schema_is_honoured(tmp_path):
    schema = schema_copy(tmp_path, lambda d: field_of(d, "events", "status").update(categoriesOrdered=True))
    assert theme.is_ordered("status", schema) and not theme.is_ordered("domain", schema)
    assert list(theme.colours("status", schema).values()) == theme.ramp(len(enum("events", "status")))


def test_field_titles_come_from_the_schema():
    assert theme.field_title("direction") == field_of(DESCRIPTOR, "events", "direction")["title"]
    assert theme.field_title("not_a_field") == "Not a field"


def test_theme_is_registered():
    assert "entente" in alt.theme.names()


@pytest.mark.parametrize("module", DRAWING_MODULES)
def test_no_module_spells_out_a_category_value(module):
    """Category values are read from the schema, never written again, not even in a docstring's example (date
    precision words excepted: wording a date to its precision is what they mean)."""
    source = (ROOT / "entente" / f"{module}.py").read_text(encoding="utf-8")
    for res in DESCRIPTOR["resources"]:
        if res["name"] != "events":
            continue
        for field in res["schema"]["fields"]:
            if field["name"] == "date_precision":
                continue
            for value in field.get("constraints", {}).get("enum", []):
                quoted = re.search(rf"""["'`]{re.escape(value)}["'`]""", source)
                assert not quoted, f"entente/{module}.py spells out {field['name']} value {value!r}: {quoted.group(0)}"
