"""One schema drives everything (issue 12): a value added to an enum of datapackage.json, at its place in the
order, and used in a row, validates and shows in every chart, table, legend, filter and the codebook, with
the theme's next colour. Nothing else changes: the copy of the project below differs in its data only."""
from __future__ import annotations
import dataclasses

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import entente
from entente import charts, explore, facts, tables
from conftest import ROOT, drawn_charts, vega_parts

# The new values, where they go in their enum (after which value; None: at the end), and the claim using each.
# The claims are chosen for the pages that show them: E007 (paragraph 1, dated) and E003 (paragraph 1),
# E031 (paragraph 5, the status chart), E004 (paragraph 1, the ladder and its table).
NEW = {
    "domain": ("cyber", "space", "E007"),
    "direction": ("unclear", None, "E003"),
    "status": ("suspended", "ongoing", "E031"),
    "event_type": ("sabotage", "attack", "E007"),
    "certainty": ("rumoured", "alleged", "E004"),
}
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def copy_project(target: Path) -> Path:
    """The project's files without builds, environments or git, with the new values in schema and data."""
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(
        "_build", ".venv", ".git", ".pytest_cache", "__pycache__", "*.egg-info", ".ipynb_checkpoints", ".jupyter_cache",
        "node_modules"))
    descriptor = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
    fields = next(r for r in descriptor["resources"] if r["name"] == "events")["schema"]["fields"]
    for name, (value, after, _) in NEW.items():
        values = next(f for f in fields if f["name"] == name)["constraints"]["enum"]
        values.insert(values.index(after) + 1 if after else len(values), value)
    (target / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    path = target / "data" / "events.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for name, (value, _, event_id) in NEW.items():
        next(r for r in rows if r["event_id"] == event_id)[name] = value
    # A hedged level needs the words that hedge it (a codebook rule): give the rumoured claim some.
    next(r for r in rows if r["event_id"] == NEW["certainty"][2])["hedge_words"] = "rumour has it"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("schema-driven") / "project")


@pytest.fixture(scope="module")
def data(project):
    return entente.load(project)


@pytest.fixture(scope="module")
def data_with_raw_certainty(data, project):
    """The loaded data with certainty as the CSV gives it, so the drawing code is tested apart from the loader."""
    with open(project / "data" / "events.csv", encoding="utf-8") as f:
        certainty = {r["event_id"]: r["certainty"] for r in csv.DictReader(f)}
    events = data.events.copy()
    events["certainty"] = events["event_id"].map(certainty)
    return dataclasses.replace(data, events=events)


def spec_text(chart) -> str:
    return json.dumps(chart.to_dict(), ensure_ascii=False)


def colour_of(spec: dict, field: str, value: str) -> str | None:
    """The colour a chart's legend gives ``value`` of ``field``, wherever the encoding sits."""
    if isinstance(spec, dict):
        colour = spec.get("color")
        if isinstance(colour, dict) and colour.get("field") == field and "scale" in colour:
            scale = colour["scale"]
            if value in scale.get("domain", []):
                return scale["range"][scale["domain"].index(value)]
        for sub in spec.values():
            found = colour_of(sub, field, value)
            if found:
                return found
    elif isinstance(spec, list):
        for sub in spec:
            found = colour_of(sub, field, value)
            if found:
                return found
    return None


def explorer_params(spec: dict) -> dict:
    """The explorer's parameters by name (Altair lifts them to the top of a compound chart)."""
    return {p["name"]: p for p in spec.get("params") or spec["vconcat"][0].get("params", [])}


def test_the_new_values_validate_and_load(data):
    events = data.events.set_index("event_id")
    for name, (value, _, event_id) in NEW.items():
        if name != "certainty":
            assert events.loc[event_id, name] == value


def test_new_values_show_in_charts_with_the_next_colour_and_their_place(data):
    schema = data.schema
    section = data.paragraph(1)
    cyber = charts.claims_ladder(section, schema=schema).to_dict()
    assert colour_of(cyber, "domain", "cyber") == OKABE_ITO[2], "third in the enum: the third colour"
    flows = charts.flows(section, schema=schema).to_dict()
    assert "cyber" in flows["encoding"]["y"]["sort"]
    assert "1 claim coded unclear" in flows["title"]["subtitle"]
    timeline = charts.timeline(data.events, schema=schema).to_dict()
    assert "cyber" in timeline["layer"][0]["encoding"]["y"]["sort"]
    status = charts.status(data.paragraph(5), schema=schema).to_dict()
    order = status["encoding"]["y"]["sort"]
    assert "suspended" in order and order == sorted(order, key=enum_of(schema, "status").index)


def enum_of(schema, field: str) -> list[str]:
    """The enum as the copy's datapackage.json lists it, read without entente."""
    fields = next(r for r in json.loads(schema.path.read_text(encoding="utf-8"))["resources"]
                  if r["name"] == "events")["schema"]["fields"]
    return next(f for f in fields if f["name"] == field)["constraints"]["enum"]


def test_new_values_show_in_tables_filters_facts_and_the_codebook(data):
    schema = data.schema
    counts = tables.counts(data.events, "domain", "certainty", schema=schema).frame
    domains = list(counts["Domain"])[:-1]
    assert "cyber" in domains and domains == sorted(domains, key=enum_of(schema, "domain").index)
    params = explorer_params(explore.explorer(data.events, schema=schema).to_dict())
    assert "cyber" in params["domain"]["bind"]["options"]
    assert params["direction"]["bind"]["options"][-1] == "unclear"
    live = explore.LiveExplorer(data.events, schema=schema)
    assert "cyber" in live.controls["domain"].options
    assert facts.headline(data)["unclear"] == 1
    codebook = tables.fields(schema, "events").frame.set_index("Field")["Allowed values"]
    for name, (value, _, _) in NEW.items():
        assert value in codebook[name].split(", ")


def test_a_new_certainty_level_is_drawn_tabled_and_filtered(data_with_raw_certainty):
    data = data_with_raw_certainty
    schema = data.schema
    ladder = charts.claims_ladder(data.paragraph(1), schema=schema).to_dict()
    assert ladder["encoding"]["x"]["scale"]["domain"] == ["established", "reported", "alleged", "rumoured", "possible"]
    profile = charts.certainty_profile(data.events, schema=schema).to_dict()
    # Four levels before gave the four Blues; five give a ramp with the new level between alleged's and possible's.
    rumoured = colour_of(profile, "certainty", "rumoured")
    lightness = lambda c: sum(int(c[i:i + 2], 16) for i in (1, 3, 5))
    assert lightness(colour_of(profile, "certainty", "alleged")) < lightness(rumoured) < lightness(
        colour_of(profile, "certainty", "possible"))
    table = tables.counts(data.events, "domain", "certainty", schema=schema).frame
    assert list(table.columns)[1:] == ["established", "reported", "alleged", "rumoured", "possible", "Total"]
    assert "rumoured" in set(tables.claims(data.paragraph(1)).frame["Certainty"])
    params = explorer_params(explore.explorer(data.events, schema=schema).to_dict())
    assert params["certainty"]["bind"]["options"][1:] == ["established", "reported", "alleged", "rumoured", "possible"]
    assert facts.counts_of(data.events, schema=schema)["rumoured"] == 1



def test_the_loader_keeps_a_new_certainty_level(data):
    assert data.events.set_index("event_id").loc["E004", "certainty"] == "rumoured"


# ---------------------------------------------------------------------------------------------------------
# The built book: the copy is built as `make book` builds (its own entente first on the path).

def embedded_specs(page: Path) -> list[dict]:
    """Every chart spec a built page draws (Vega, compiled from the charts' Vega-Lite)."""
    return list(drawn_charts(page.read_text(encoding="utf-8")).values())


def drawn_colour(spec: dict, value: str) -> str | None:
    """The colour a drawn chart's colour scale gives ``value``."""
    for scale in vega_parts(spec, "scales"):
        domain, colours = scale.get("domain"), scale.get("range")
        if scale["name"] == "color" and isinstance(domain, list) and isinstance(colours, list) and value in domain:
            return colours[domain.index(value)]
    return None


def has_row(spec: dict, value: str) -> bool:
    """Whether a drawn chart's y scale lists ``value`` among its rows."""
    return any(scale["name"] == "y" and isinstance(scale.get("domain"), list) and value in scale["domain"]
               for scale in vega_parts(spec, "scales"))


def sorts_rows_by(spec: dict, field: str, value: str) -> bool:
    """Whether a drawn chart orders its y rows by a list of ``field`` values that includes ``value``."""
    return any(transform.get("as") == f"y_{field}_sort_index" and f'"{value}"' in transform["expr"]
               for data in vega_parts(spec, "data") for transform in data.get("transform", []))


def drawn_params(spec: dict) -> dict:
    """A drawn chart's bound controls (Vega signals with a ``bind``), by name."""
    return {signal["name"]: signal for signal in vega_parts(spec, "signals") if "bind" in signal}


def cells(page: Path) -> set[str]:
    """The text of every table cell of a built page."""
    from html import unescape
    return {unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", page.read_text(encoding="utf-8"), re.S)}


@pytest.fixture(scope="module")
def built(project) -> Path:
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    # The new values recode real claims (E003 becomes "unclear"), so sentences the chapters guard may stop
    # being true: they are logged, not fatal, since what is tested here is where the values appear.
    env = {**os.environ, "PYTHONPATH": str(project), "ENTENTE_STALE_PROSE_LOG": str(project.parent / "stale-prose.txt")}
    imported = subprocess.run([sys.executable, "-c", "import entente; print(entente.__file__)"], cwd=project, env=env,
                              capture_output=True, text=True, check=True).stdout
    assert imported.startswith(str(project)), f"the copy's own package draws its pages, not {imported}"
    subprocess.run([sys.executable, "-m", "entente.assets"], cwd=project, env=env, check=True,
                   capture_output=True, text=True)  # as make does, before Sphinx starts
    result = subprocess.run([str(jupyter_book), "build", ".", "-W", "-n", "--keep-going"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return project / "_build" / "html" / "chapters"


@pytest.mark.slow
def test_built_pages_show_the_new_values(built):
    ladder_and_flows = embedded_specs(built / "01-arms.html")
    assert any(drawn_colour(s, "cyber") == OKABE_ITO[2] for s in ladder_and_flows), "the legend, third colour"
    assert any(has_row(s, "unclear") for s in ladder_and_flows), "the flows chart gives the new direction its own row"
    assert "cyber" in cells(built / "intro.html"), "the domain-by-certainty table"
    assert any("cyber" in json.dumps(s) for s in embedded_specs(built / "intro.html")), "the timeline"
    assert any(sorts_rows_by(s, "status", "suspended") for s in embedded_specs(built / "05-economy-security.html"))
    (explorer,) = [s for s in embedded_specs(built / "explore.html") if drawn_params(s)]
    params = drawn_params(explorer)
    assert "cyber" in params["domain"]["bind"]["options"] and "unclear" in params["direction"]["bind"]["options"]
    codebook = cells(built / "methodology.html")
    assert any("sabotage" in c and "attack" in c for c in codebook), "the codebook's allowed values"


@pytest.mark.slow

def test_built_pages_show_a_new_certainty_level(built):
    assert "rumoured" in cells(built / "01-arms.html"), "the chapter's claims table"
    assert "rumoured" in cells(built / "intro.html"), "a column of the domain-by-certainty table"
    (explorer,) = [s for s in embedded_specs(built / "explore.html") if drawn_params(s)]
    params = drawn_params(explorer)
    assert "rumoured" in params["certainty"]["bind"]["options"]
