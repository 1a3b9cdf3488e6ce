"""The synthetic data package: valid against the descriptor, deterministic, and the real data's mix.

Checks read the synthetic CSVs with plain pandas and the descriptor with json, independently of
entente.synth's own reading; Frictionless checks types, constraints and keys on its own.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import ROOT

from entente import synth

N = 300
DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in DESCRIPTOR["resources"]}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    synth.write_package(N, out, seed=7)
    return out


def table(folder, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / RESOURCES[name]["path"], dtype=str, keep_default_na=False)


def raw(name: str) -> pd.DataFrame:
    """A resource of the real package, read independently of entente (resources may sit in subfolders)."""
    return table(ROOT, name)


def test_valid_by_frictionless(package):
    from frictionless import Package

    report = Package(str(package / "datapackage.json")).validate()
    errors = [f"{e.type}: {e.message}" for task in report.tasks for e in task.errors][:10]
    assert report.valid, errors


def test_every_resource_written_with_the_descriptors_columns(package):
    written = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    kept = {res["name"]: res for res in written["resources"]}
    # The second coding's tables that name real claims are left out of a package of synthetic claims only;
    # the units the coder proposed name none, and stay.
    assert set(RESOURCES) - set(kept) == {n for n in RESOURCES if n.startswith("coding_")} - {"coding_proposed"}
    assert {k: v for k, v in written.items() if k != "resources"} == {k: v for k, v in DESCRIPTOR.items() if k != "resources"}
    for name, res in kept.items():
        assert res == RESOURCES[name], name
        assert list(table(package, name).columns) == [f["name"] for f in res["schema"]["fields"]], name


def test_n_claims_with_fresh_ids(package):
    events = table(package, "events")
    assert len(events) == N
    assert events["event_id"].tolist() == [f"E{i:06d}" for i in range(1, N + 1)]


def test_same_seed_same_bytes_other_seed_other_rows(tmp_path):
    for folder, seed in (("a", 3), ("b", 3), ("c", 4)):
        synth.write_package(60, tmp_path / folder, seed=seed)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    assert (tmp_path / "a" / "data" / "events.csv").read_bytes() != (tmp_path / "c" / "data" / "events.csv").read_bytes()


def _coded(resource: str) -> list[str]:
    """Fields with a closed vocabulary: enums and delimited lists (their items), plus booleans."""
    out = []
    for f in RESOURCES[resource]["schema"]["fields"]:
        if "enum" in f.get("constraints", {}) or "x-list" in f or f.get("type") in ("boolean", "integer"):
            out.append(f["name"])
    return out


@pytest.mark.parametrize("resource", ["events", "sources"])
def test_coded_values_are_drawn_from_the_real_ones(package, resource):
    real, fake = raw(resource), table(package, resource)
    for column in _coded(resource):
        assert set(fake[column]) <= set(real[column]), column
    # Whole real rows are drawn: every combination of coded values exists in the real data.
    columns = _coded(resource)
    real_combos = set(map(tuple, real[columns].to_numpy()))
    assert set(map(tuple, fake[columns].to_numpy())) <= real_combos


def test_the_mix_follows_the_real_one(package):
    real, fake = raw("events"), table(package, "events")
    for column in ("certainty", "stage", "evidence", "domain"):
        share = real[column].value_counts(normalize=True)
        drawn = fake[column].value_counts(normalize=True).reindex(share.index, fill_value=0)
        assert (drawn - share).abs().max() < 0.12, column  # 300 draws: far inside this


def test_no_article_text(package):
    real_events, real_sources = raw("events"), raw("sources")
    events, sources = table(package, "events"), table(package, "sources")
    for column, real in (("summary", real_events), ("notes", real_events), ("quote", real_events)):
        assert not set(events[column]) - {""} & set(real[column]), column
    assert not set(sources["outlet"]) & set(real_sources["outlet"])
    assert not set(sources["notes"]) - {""} & set(real_sources["notes"])
    # Empty stays empty: the share of claims with a quotation follows the real data.
    assert (events["quote"] == "").any() == (real_events["quote"] == "").any()


def test_foreign_keys_hold_and_every_claim_is_sourced(package):
    events, sources, links = table(package, "events"), table(package, "sources"), table(package, "claim_sources")
    assert set(links["event_id"]) == set(events["event_id"])  # every claim has at least one link
    assert set(links["source_id"]) == set(sources["source_id"])  # every source is cited
    assert not links.duplicated().any()
    per_claim = links.groupby("event_id").size()
    assert per_claim.min() >= 1
    assert set(per_claim) <= set(raw("claim_sources").groupby("event_id").size())


def test_one_outlet_one_domain_and_one_added_row_per_record(package):
    sources, changes = table(package, "sources"), table(package, "changes")
    assert (sources.groupby("outlet")["domain"].nunique() == 1).all()
    added = changes[changes["change"] == "added"]["record_id"]
    ids = list(table(package, "sources")["source_id"]) + list(table(package, "events")["event_id"])
    assert sorted(added) == sorted(ids)


def test_dates_keep_their_precision_and_spread(package):
    events = table(package, "events")
    dated = events[events["event_date"] != ""]
    lengths = {"day": 10, "month": 7, "year": 4}
    for precision, length in lengths.items():
        assert (dated[dated["date_precision"] == precision]["event_date"].str.len() == length).all()
    assert dated["event_date"].str[:4].nunique() > raw("events")["event_date"].replace("", pd.NA).dropna().str[:4].nunique()


def test_command_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "entente.synth", "25", "--out", str(tmp_path), "--seed", "2"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(pd.read_csv(tmp_path / "data" / "events.csv")) == 25


def test_a_bad_size_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        synth.write_package(0, tmp_path)
    done = subprocess.run([sys.executable, "-m", "entente.synth", "0", "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "n must be at least 1, not 0" in done.stderr
    assert not (tmp_path / "datapackage.json").exists()


def _project_copy(tmp_path, change) -> tuple:
    """A copy of the project's descriptor and data, changed by ``change(descriptor, tables)``."""
    descriptor = json.loads(json.dumps(DESCRIPTOR))
    tables = {name: raw(name) for name in RESOURCES}
    change(descriptor, tables)
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for res in descriptor["resources"]:
        (root / res["path"]).parent.mkdir(parents=True, exist_ok=True)
        tables[res["name"]].to_csv(root / res["path"], index=False)
    return root, tables


def test_a_new_field_is_filled_from_its_real_values_with_no_code_change(tmp_path):
    def add_field(descriptor, tables):
        events = next(r for r in descriptor["resources"] if r["name"] == "events")
        events["schema"]["fields"].append({"name": "region", "type": "string",
                                           "constraints": {"enum": ["north", "south", "east"]}})
        tables["events"]["region"] = ["north", "south"] * (len(tables["events"]) // 2) + \
            ["east"] * (len(tables["events"]) % 2)

    root, _ = _project_copy(tmp_path, add_field)
    synth.write_package(200, tmp_path / "out", root=root)
    region = pd.read_csv(tmp_path / "out" / "data" / "events.csv", dtype=str)["region"]
    assert set(region) <= {"north", "south", "east"} and region.nunique() >= 2


def test_a_source_named_on_the_claim_row_itself(tmp_path):
    """The older model (one source_id per event, no link table) is filled from its foreign key too."""
    def one_source_per_event(descriptor, tables):
        descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "claim_sources"]
        events = next(r for r in descriptor["resources"] if r["name"] == "events")
        events["schema"]["fields"].append({"name": "source_id", "type": "string", "constraints": {"required": True}})
        events["schema"]["foreignKeys"] = [{"fields": ["source_id"],
                                            "reference": {"resource": "sources", "fields": ["source_id"]}}]
        links = raw("claim_sources").drop_duplicates("event_id").set_index("event_id")["source_id"]
        tables["events"]["source_id"] = tables["events"]["event_id"].map(links)
        del tables["claim_sources"]

    root, real = _project_copy(tmp_path, one_source_per_event)
    synth.write_package(2000, tmp_path / "out", root=root)
    events = pd.read_csv(tmp_path / "out" / "data" / "events.csv", dtype=str)
    sources = pd.read_csv(tmp_path / "out" / "data" / "sources.csv", dtype=str)
    assert not (tmp_path / "out" / "data" / "claim_sources.csv").exists()
    assert set(events["source_id"]) == set(sources["source_id"])
    assert len(sources) > 2 * len(real["sources"])  # about one per 20 claims: replicas of the real ones


def test_with_the_real_data_kept_the_synthetic_claims_come_after_it(tmp_path):
    synth.write_package(100, tmp_path, seed=1, keep_real=True)
    for name in RESOURCES:
        real, both = raw(name), table(tmp_path, name)
        assert both.iloc[:len(real)].equals(real), f"{name}: the real rows are not kept as they are"
    events = table(tmp_path, "events")
    assert len(events) == len(raw("events")) + 100 and events["event_id"].is_unique
    last_real = raw("events")["event_id"].str[1:].astype(int).max()
    assert events["event_id"].iloc[len(raw("events"))] == f"E{last_real + 1:06d}"
    links = table(tmp_path, "claim_sources")
    assert set(links["event_id"]) == set(events["event_id"])
    assert set(links["source_id"]) <= set(table(tmp_path, "sources")["source_id"])
