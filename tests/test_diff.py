"""The release comparison (entente.diff) and the release manifest (entente.releases): small packages
made here with known answers, the command line, git revisions, and the project's own releases."""
from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, require

from entente import diff as d
from entente import releases as rel

FIELDS = ["event_id", "summary", "certainty", "notes"]


def write_package(root: Path, tables: dict, version: str = "1.0.0") -> Path:
    """A data package in ``root``: ``tables`` maps a name to (header, rows, primary key[, foreign keys])."""
    resources = []
    for name, (header, rows, key, *fks) in tables.items():
        path = root / "data" / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows([header, *rows])
        schema = {"fields": [{"name": h, "type": "string"} for h in header]}
        if key:
            schema["primaryKey"] = list(key)
        if fks:
            schema["foreignKeys"] = fks[0]
        resources.append({"name": name, "path": f"data/{name}.csv", "schema": schema})
    (root / "datapackage.json").write_text(json.dumps({"name": "t", "version": version, "resources": resources},
                                                      indent=2), encoding="utf-8")
    return root


def events(*rows) -> tuple:
    return (FIELDS, list(rows), ["event_id"])


def changes(*rows) -> tuple:
    return (["date", "record_id", "change", "description"], list(rows), None)


def two(tmp_path: Path, old: dict, new: dict) -> tuple[Path, Path]:
    return write_package(tmp_path / "old", old), write_package(tmp_path / "new", new, "2.0.0")


OLD_EVENTS = events(["E001", "Drones are sent.", "reported", ""],
                    ["E002", "Missiles are asked for.", "alleged", "x"],
                    ["E003", "Talks are held.", "established", ""])


def test_rows_added_removed_and_changed_field_by_field(tmp_path):
    new = events(["E001", "Drones are sent.", "possible", ""],
                 ["E003", "Talks are held.", "established", "now noted"],
                 ["E004", "A satellite is launched.", "reported", ""])
    table = d.compare(*two(tmp_path, {"events": OLD_EVENTS}, {"events": new}))["events"]
    assert list(table.added["event_id"]) == ["E004"]
    assert list(table.removed["event_id"]) == ["E002"]  # gone without a withdrawal: removed
    assert len(table.withdrawn) == 0
    assert list(table.changes()) == [(("E001",), "certainty", "reported", "possible"),
                                     (("E003",), "notes", "", "now noted")]
    assert table.changed_rows == 2


def test_withdrawn_is_read_from_the_latest_change_record_entry(tmp_path):
    old = {"events": OLD_EVENTS,
           "changes": changes(["2026-01-01", "E001", "added", "a"], ["2026-01-01", "E003", "added", "a"],
                              ["2026-01-02", "E003", "withdrawn", "w"])}
    new_events = events(*OLD_EVENTS[1], ["E005", "A new claim, withdrawn at once.", "alleged", ""])
    # Listed out of date order: the latest entry by date decides, not the last line of the file.
    new = {"events": new_events,
           "changes": changes(["2026-02-01", "E002", "withdrawn", "w"], ["2026-01-01", "E001", "added", "a"],
                              ["2026-01-01", "E003", "added", "a"], ["2026-01-02", "E003", "withdrawn", "w"],
                              ["2026-02-01", "E003", "corrected", "back"], ["2026-01-15", "E002", "corrected", "c"],
                              ["2026-02-01", "E005", "added", "a"], ["2026-02-01", "E005", "withdrawn", "w"])}
    table = d.compare(*two(tmp_path, old, new))["events"]
    assert list(table.withdrawn["event_id"]) == ["E002", "E005"]
    assert list(table.reinstated["event_id"]) == ["E003"]
    assert len(table.added) == 0 and len(table.removed) == 0
    text = d.compare(tmp_path / "old", tmp_path / "new").text()
    assert '  withdrawn E002: "Missiles are asked for."' in text
    assert "removed E002" not in text


def test_withdrawal_marks_only_the_table_where_the_id_is_born(tmp_path):
    """A table whose key is borrowed from another (a foreign key) keeps its rows added, not withdrawn."""
    fk = [{"fields": ["event_id"], "reference": {"resource": "events", "fields": ["event_id"]}}]
    units = (["event_id", "line"], [["E001", "one"]], ["event_id"], fk)
    new_units = (["event_id", "line"], [["E001", "one"], ["E004", "four"]], ["event_id"], fk)
    new_events = events(*OLD_EVENTS[1], ["E004", "A satellite is launched.", "reported", ""])
    new = {"events": new_events, "units": new_units,
           "changes": changes(["2026-01-01", "E004", "withdrawn", "w"])}
    diff = d.compare(*two(tmp_path, {"events": OLD_EVENTS, "units": units, "changes": changes()}, new))
    assert list(diff["events"].withdrawn["event_id"]) == ["E004"]
    assert list(diff["units"].added["event_id"]) == ["E004"] and len(diff["units"].withdrawn) == 0


def test_composite_keys_match_rows_on_every_key_field(tmp_path):
    header, key = ["event_id", "source_id", "page"], ["event_id", "source_id"]
    old = {"links": (header, [["E001", "s1", "1"], ["E001", "s2", "2"], ["E002", "s1", "3"]], key)}
    new = {"links": (header, [["E001", "s1", "1"], ["E001", "s2", "9"], ["E002", "s2", "3"]], key)}
    table = d.compare(*two(tmp_path, old, new))["links"]
    assert [tuple(r) for r in table.added[key].to_numpy()] == [("E002", "s2")]
    assert [tuple(r) for r in table.removed[key].to_numpy()] == [("E002", "s1")]
    assert list(table.changes()) == [(("E001", "s2"), "page", "2", "9")]
    assert "  E001 / s2 page: \"2\" -> \"9\"" in d.compare(tmp_path / "old", tmp_path / "new").text()
    assert dict(d.read_package(tmp_path / "new")["links"].loc[("E001", "s2")]) == \
        {"event_id": "E001", "source_id": "s2", "page": "9"}


def test_a_column_added_or_dropped_is_one_schema_change_not_one_per_row(tmp_path):
    new = (["event_id", "summary", "stage", "certainty"],
           [["E001", "Drones are sent.", "done", "reported"], ["E002", "Missiles are asked for.", "sought", "alleged"],
            ["E003", "Talks are held.", "done", "established"]], ["event_id"])
    diff = d.compare(*two(tmp_path, {"events": OLD_EVENTS}, {"events": new}))
    table = diff["events"]
    assert table.columns_added == ("stage",) and table.columns_dropped == ("notes",)
    assert len(table.changed) == 0  # E002 had notes "x": the dropped column is not a change of E002
    text = diff.text()
    assert text.count("stage") == 1 and text.count("notes") == 1
    details = diff.details()
    assert list(details["change"]) == ["column added", "column dropped"]


def test_tables_present_in_one_version_only(tmp_path):
    links = (["event_id", "source_id"], [["E001", "s1"]], ["event_id", "source_id"])
    old = {"events": OLD_EVENTS, "retired": (["a"], [["1"], ["2"]], None)}
    diff = d.compare(*two(tmp_path, old, {"events": OLD_EVENTS, "links": links}))
    assert [(t.name, t.status) for t in diff.tables] == [("events", "compared"), ("links", "added"),
                                                         ("retired", "removed")]
    assert diff["events"].unchanged
    summary = diff.summary().set_index("table")
    assert summary.loc["links", "rows_new"] == 1 and summary.loc["retired", "rows_old"] == 2
    assert "links: table added (1 rows)" in diff.text() and "retired: table removed (2 rows)" in diff.text()


def test_a_table_without_key_is_compared_as_a_multiset_of_rows(tmp_path):
    old = {"log": (["a", "b"], [["1", "x"], ["1", "x"], ["2", "y"]], None)}
    new = {"log": (["a", "b"], [["1", "x"], ["2", "y"], ["2", "y"], ["3", "z"]], None)}
    table = d.compare(*two(tmp_path, old, new))["log"]
    assert table.added.values.tolist() == [["2", "y"], ["3", "z"]]
    assert table.removed.values.tolist() == [["1", "x"]]


def test_details_name_rows_by_key_or_by_all_their_values(tmp_path):
    # A composite key joined by " / "; a table without a key by every value, joined by " | "; no summary without one.
    header, key = ["event_id", "source_id", "page"], ["event_id", "source_id"]
    old = {"links": (header, [["E001", "s1", "1"]], key), "log": (["a", "b"], [["1", "x"]], None)}
    new = {"links": (header, [["E001", "s1", "1"], ["E002", "s2", "3"]], key),
           "log": (["a", "b"], [["2", "y"]], None)}
    details = d.compare(*two(tmp_path, old, new)).details()
    assert details[["table", "record", "change", "summary"]].values.tolist() == [
        ["links", "E002 / s2", "added", ""], ["log", "2 | y", "added", ""], ["log", "1 | x", "removed", ""]]


def test_values_are_read_as_text_and_nothing_as_missing(tmp_path):
    old = {"events": events(["E001", "NA", "007", ""])}
    new = {"events": events(["E001", "NA", "7", "null"])}
    table = d.compare(*two(tmp_path, old, new))["events"]
    assert list(table.changes()) == [(("E001",), "certainty", "007", "7"), (("E001",), "notes", "", "null")]


def test_report_lists_counts_ids_summaries_and_changes(tmp_path):
    new = events(["E001", "Drones are sent.", "possible", ""], *OLD_EVENTS[1][1:],
                 ["E004", "A satellite is launched.", "reported", ""])
    diff = d.compare(*two(tmp_path, {"events": OLD_EVENTS}, {"events": new}))
    lines = diff.text().splitlines()
    assert lines[0] == f'Comparing "{tmp_path / "old"}" (version 1.0.0) with "{tmp_path / "new"}" (version 2.0.0)'
    assert lines[1:] == ["events: 1 added, 0 removed, 1 changed (1 fields)",
                         '  added E004: "A satellite is launched."',
                         '  E001 certainty: "reported" -> "possible"']
    frames = diff.to_frames()
    assert frames["details"][["record", "change", "field", "old", "new", "summary"]].values.tolist() == [
        ["E004", "added", "", "", "", "A satellite is launched."],
        ["E001", "changed", "certainty", "reported", "possible", ""]]
    assert frames["summary"].loc[0, ["added", "changed_rows", "changed_fields"]].tolist() == [1, 1, 1]


def test_hostile_text_is_shown_escaped_in_the_terminal(tmp_path):
    evil = 'Red\x1b[31m text\nline two \u202e"quoted"\\'
    new = events(["E001", evil, "reported", ""], *OLD_EVENTS[1][1:])
    text = d.compare(*two(tmp_path, {"events": OLD_EVENTS}, {"events": new})).text()
    assert "\x1b" not in text and "\u202e" not in text
    assert '"Drones are sent." -> "Red\\u001b[31m text\\u000aline two \\u202e\\"quoted\\"\\\\"' in text
    assert len(text.splitlines()) == 3


# --- bad input and the command line -------------------------------------------------------------

def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "entente.diff", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True)


def test_cli_prints_the_report_and_exits_0_even_when_versions_differ(tmp_path):
    old, new = two(tmp_path, {"events": OLD_EVENTS}, {"events": events(*OLD_EVENTS[1][:2])})
    done = run_cli(old, new)
    assert done.returncode == 0, done.stderr
    assert done.stdout == d.compare(old, new).text() and "removed E003" in done.stdout


@pytest.mark.parametrize("breakage, place, message", [
    ("missing folder", "", ": no such folder"),
    ("no descriptor", "", ": no datapackage.json in this folder"),
    ("bad json", "datapackage.json", ": not valid UTF-8 JSON"),
    ("short row", "data/events.csv", ", line 3: 3 values; expected 4"),
    ("duplicate key", "data/events.csv", ": primary key event_id = E001 is held by 2 rows (data rows 1, 2,"),
    ("missing file", "data/events.csv", ": file not found"),
    ("path outside", "datapackage.json", ", resource 'events': path '../old/data/events.csv': expected a path "
                                         "inside the package folder"),
    ("no key column", "data/events.csv", ", line 1: no column 'event_id'"),
])
def test_bad_input_exits_2_with_a_clear_message(tmp_path, breakage, place, message):
    old, new = two(tmp_path, {"events": OLD_EVENTS}, {"events": OLD_EVENTS})
    csv_file, descriptor = new / "data" / "events.csv", new / "datapackage.json"
    lines = csv_file.read_text(encoding="utf-8").splitlines(keepends=True)
    if breakage == "missing folder":
        shutil.rmtree(new)
    elif breakage == "no descriptor":
        descriptor.unlink()
    elif breakage == "bad json":
        descriptor.write_text("{", encoding="utf-8")
    elif breakage == "short row":
        csv_file.write_text(lines[0] + lines[1] + "E002,only,three\n", encoding="utf-8")
    elif breakage == "duplicate key":
        csv_file.write_text(lines[0] + lines[1] + lines[1], encoding="utf-8")
    elif breakage == "missing file":
        csv_file.unlink()
    elif breakage in ("path outside", "no key column"):
        package = json.loads(descriptor.read_text(encoding="utf-8"))
        if breakage == "path outside":
            package["resources"][0]["path"] = "../old/data/events.csv"
        else:
            package["resources"][0]["schema"]["primaryKey"] = ["event_id"]
            csv_file.write_text("id" + "".join(lines)[len("event_id"):], encoding="utf-8")
        descriptor.write_text(json.dumps(package), encoding="utf-8")
    done = run_cli(old, new, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert f"{new / place if place else new}{message}" in done.stderr, done.stderr


def test_argument_errors_exit_2():
    assert run_cli("only-one").returncode == 2


# --- git revisions --------------------------------------------------------------------------------

def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.invalid",
                           *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture()
def repo(tmp_path):
    require(shutil.which("git") is not None, "git is not installed")
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    write_package(root, {"events": OLD_EVENTS})
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "one")
    write_package(root, {"events": events(["E001", "Drones are sent.", "possible", ""], *OLD_EVENTS[1][1:]),
                         "links": (["event_id", "source_id"], [["E001", "s1"]], ["event_id", "source_id"])}, "2.0.0")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "two")
    return root


def test_git_revisions_are_compared_like_folders(repo, tmp_path):
    done = run_cli("HEAD~1", "HEAD", cwd=repo)
    assert done.returncode == 0, done.stderr
    sha = git(repo, "rev-parse", "HEAD~1")[:12]
    assert done.stdout.splitlines()[0] == f'Comparing "HEAD~1 ({sha})" (version 1.0.0) with ' \
                                          f'"HEAD ({git(repo, "rev-parse", "HEAD")[:12]})" (version 2.0.0)'
    assert '  E001 certainty: "reported" -> "possible"' in done.stdout
    assert "links: table added (1 rows)" in done.stdout
    # A revision against the working folder, from another directory with --repo.
    (repo / "data" / "events.csv").write_text("event_id,summary,certainty,notes\n", encoding="utf-8")
    done = run_cli("HEAD", repo, "--repo", repo, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "events: 0 added, 3 removed" in done.stdout


def test_git_bad_revisions_exit_2(repo, tmp_path):
    done = run_cli("no-such-rev", "HEAD", cwd=repo)
    assert done.returncode == 2 and "no-such-rev: no such folder, and no revision of that name" in done.stderr
    (repo / "nothing.txt").write_text("x", encoding="utf-8")
    git(repo, "rm", "-q", "datapackage.json")
    git(repo, "commit", "-q", "-m", "no package")
    done = run_cli("HEAD", "HEAD~1", cwd=repo)
    assert done.returncode == 2 and "HEAD:datapackage.json: no such file at revision HEAD" in done.stderr
    outside = tmp_path / "plain"
    outside.mkdir()
    done = run_cli("HEAD", "HEAD", cwd=outside)
    assert done.returncode == 2 and "is not in a git repository" in done.stderr


# --- the project's releases -----------------------------------------------------------------------

def descriptor() -> dict:
    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


def manifest_field(name: str) -> dict:
    resource = next(r for r in descriptor()["resources"] if r["name"] == rel.RELEASES)
    return next(f for f in resource["schema"]["fields"] if f["name"] == name)


def manifest() -> list[dict]:
    resource = next(r for r in descriptor()["resources"] if r["name"] == rel.RELEASES)
    with (ROOT / resource["path"]).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_releases_are_well_formed_and_increase():
    rows = manifest()
    assert rows, "the release manifest is empty"
    version, data_hash = manifest_field("version"), manifest_field("data_hash")
    for row in rows:
        assert re.fullmatch(version["constraints"]["pattern"], row["version"]), row
        assert re.fullmatch(data_hash["constraints"]["pattern"], row["data_hash"]), row
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]), row
    numbers = [tuple(int(p) for p in row["version"].split(".")) for row in rows]
    assert numbers == sorted(set(numbers)), "versions must increase down the manifest"
    assert [row["date"] for row in rows] == sorted(row["date"] for row in rows)
    assert rows[-1]["version"] == descriptor()["version"]


def test_the_previous_release_snapshot_hashes_to_its_recorded_hash():
    rows = manifest()
    previous = rows[-2] if len(rows) > 1 else None
    assert previous is not None and dict(rel.previous_release(ROOT)) == previous
    folder = ROOT / "releases" / previous["version"]
    assert (folder / "datapackage.json").is_file(), f"no snapshot of release {previous['version']} in {folder}"
    assert rel.data_hash(folder) == previous["data_hash"]
    # Every release kept as a snapshot hashes to what the manifest says.
    for row in rows:
        if (ROOT / "releases" / row["version"]).is_dir():
            assert rel.data_hash(ROOT / "releases" / row["version"]) == row["data_hash"], row


def test_data_hash_covers_the_descriptor_and_data_files_but_not_the_manifest(tmp_path):
    root = write_package(tmp_path / "p", {"events": OLD_EVENTS, "releases": (["version"], [["1.0.0"]], None)})
    files = ["datapackage.json", "data/events.csv"]
    digest = hashlib.sha256()
    for name in files:
        content = (root / name).read_bytes()
        digest.update(name.encode() + b"\0" + str(len(content)).encode() + b"\0" + content)
    assert rel.hashed_files(root) == files
    assert rel.data_hash(root) == digest.hexdigest()[:12]
    before = rel.data_hash(root)
    (root / "data" / "releases.csv").write_text("version\n2.0.0\n", encoding="utf-8")
    assert rel.data_hash(root) == before
    events_file = root / "data" / "events.csv"
    events_file.write_bytes(events_file.read_bytes().replace(b"\n", b"\r\n"))
    assert rel.data_hash(root) != before


def test_previous_release_is_the_latest_older_than_the_package_version(tmp_path):
    header = ["version", "date", "data_hash", "notes"]
    rows = [["1.0.0", "2026-01-01", "0" * 12, ""], ["1.10.0", "2026-03-01", "1" * 12, ""],
            ["1.9.0", "2026-02-01", "2" * 12, ""]]
    root = write_package(tmp_path / "p", {"releases": (header, rows, ["version"])}, version="2.0.0")
    assert list(rel.releases(root)["version"]) == ["1.0.0", "1.9.0", "1.10.0"]  # by number, not as text
    assert rel.previous_release(root)["version"] == "1.10.0"
    write_package(root, {"releases": (header, rows, ["version"])}, version="1.10.0")
    assert rel.previous_release(root)["version"] == "1.9.0"
    write_package(root, {"releases": (header, rows[:1], ["version"])}, version="1.0.0")
    assert rel.previous_release(root) is None and rel.compare_with_previous_release(root) is None
    write_package(root, {"releases": (header, [["1.0", "2026-01-01", "0" * 12, ""]], ["version"])})
    with pytest.raises(d.PackageError, match=r"resource 'releases', data row 1, column version: '1.0': expected"):
        rel.releases(root)


def test_a_snapshot_is_written_once_and_only_of_the_data_as_recorded(tmp_path):
    header = ["version", "date", "data_hash", "notes"]
    root = write_package(tmp_path / "p", {"events": OLD_EVENTS, "releases": (header, [], ["version"])})
    with pytest.raises(d.PackageError, match="no release '1.0.0'"):
        rel.write_snapshot(root, "1.0.0")
    write_package(root, {"events": OLD_EVENTS,
                         "releases": (header, [["1.0.0", "2026-01-01", "0" * 12, ""]], ["version"])})
    with pytest.raises(d.PackageError, match=f"records data_hash {'0' * 12}, but the data in .* hashes to"):
        rel.write_snapshot(root, "1.0.0")
    write_package(root, {"events": OLD_EVENTS,
                         "releases": (header, [["1.0.0", "2026-01-01", rel.data_hash(root), ""]], ["version"])})
    folder = rel.write_snapshot(root, "1.0.0")
    assert folder == root / "releases" / "1.0.0"
    assert rel.data_hash(folder) == rel.data_hash(root)
    assert d.compare(folder, root)["events"].unchanged
    with pytest.raises(d.PackageError, match="already exists"):
        rel.write_snapshot(root, "1.0.0")


def test_previous_release_compares_with_the_current_data():
    diff = rel.compare_with_previous_release(ROOT)
    previous = rel.previous_release(ROOT)
    assert diff.old == f"release {previous['version']}"
    old_ids = {row["event_id"] for row in csv.DictReader(
        (ROOT / "releases" / previous["version"] / "data" / "events.csv").open(encoding="utf-8", newline=""))}
    new_ids = {row["event_id"] for row in csv.DictReader((ROOT / "data" / "events.csv").open(encoding="utf-8",
                                                                                             newline=""))}
    table = diff["events"]
    added, withdrawn = set(table.added["event_id"]), set(table.withdrawn["event_id"])
    assert new_ids - old_ids <= added | withdrawn and added <= new_ids - old_ids and withdrawn <= new_ids
    assert set(table.removed["event_id"]) == old_ids - new_ids  # ids are never deleted: expected empty
    assert not set(table.changed["event_id"]) - (old_ids & new_ids)
    with (ROOT / "data" / "events.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with (ROOT / "releases" / previous["version"] / "data" / "events.csv").open(encoding="utf-8") as handle:
        old_header = next(csv.reader(handle))
    assert set(table.columns_added) == set(header) - set(old_header)
    assert set(table.columns_dropped) == set(old_header) - set(header)
    text = diff.text()
    for event_id in sorted(new_ids - old_ids):
        assert re.search(rf"^  (added|withdrawn) {event_id}: ", text, re.MULTILINE), event_id
