"""What a kernel notes as read (entente.reads): each table of the loaded data with what it is made from,
and the data version of a stamp as a read of every file it hashes. Nothing is noted outside a build."""
from __future__ import annotations

import json
import pickle

import pytest

from conftest import ROOT
from entente import reads


@pytest.fixture
def noted(tmp_path, monkeypatch):
    """The file this process's reads go to, starting empty, as entente.execute sets it for a kernel."""
    path = tmp_path / "reads.txt"
    monkeypatch.setenv(reads.READS_FILE, str(path))
    monkeypatch.setattr(reads, "_noted", set())
    return lambda: reads.read(path) or set()


def resources() -> list[str]:
    return [r["name"] for r in json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["resources"]]


def test_loading_reads_nothing_until_a_table_is_taken(noted):
    import entente

    data = entente.load(ROOT)
    assert noted() == set()
    data.sources
    assert noted() == {"sources"}
    data.events  # the standing claims join their sources and leave out withdrawn ones
    assert noted() == {"sources", "events", "claim_sources", "changes"}
    data.tables["coding_first"]
    assert "coding_first" in noted() and "coding_second" not in noted()


def test_the_stamp_reads_every_file_the_data_version_hashes(noted, monkeypatch):
    from entente import releases

    monkeypatch.chdir(ROOT / "chapters")
    assert releases.output_stamp().startswith("Data as of")
    assert noted() == set(resources()) - {releases.RELEASES}
    releases.releases(ROOT)
    assert noted() == set(resources())


def test_nothing_is_written_outside_a_build(tmp_path, monkeypatch):
    monkeypatch.delenv(reads.READS_FILE, raising=False)
    monkeypatch.chdir(tmp_path)
    reads.note("events")
    assert list(tmp_path.iterdir()) == []


def test_the_tracked_tables_pickle_as_a_plain_dict():
    tables = reads.TrackedTables({"a": 1}, {})
    assert type(pickle.loads(pickle.dumps(tables))) is dict
