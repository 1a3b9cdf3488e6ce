"""The system step (.ci/system-deps.sh): what it installs is enough for the suite, and its versions are on record.

`make test` runs the step before the suite, so under CI the record must exist; on a developer's machine
that only ran `make book`, these tests are skipped with the reason.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT, require

SCRIPT = ROOT / ".ci" / "system-deps.sh"
RECORD = ROOT / "_build" / "system-packages.txt"
TESTED = ROOT / ".ci" / "system-packages.tested"


def groups() -> dict[str, list[str]]:
    """The packages each group of the script names, read from the script itself."""
    return {name: packages.split() for name, packages in re.findall(r'^\s*\[(\w+)\]="([^"]*)"', SCRIPT.read_text(), re.M)}


def test_the_browser_group_brings_what_playwrights_driver_links():
    """Playwright's driver is a bundled node, which links libatomic.so.1: a bare Debian has none."""
    assert "libatomic1" in groups()["browser"]
    require(shutil.which("ldd") is not None, "no ldd to list the driver's libraries")
    import playwright

    node = Path(playwright.__file__).parent / "driver" / "node"
    assert node.is_file(), node
    linked = subprocess.run(["ldd", str(node)], capture_output=True, text=True).stdout
    assert "libatomic.so.1" in linked and "not found" not in linked, linked


def test_every_package_is_recorded_with_its_version():
    require(RECORD.is_file(), f"no {RECORD.relative_to(ROOT)} (`make test` writes it through .ci/system-deps.sh)")
    recorded = dict(line.split(" ", 1) for line in RECORD.read_text().splitlines())
    named = {pkg for packages in groups().values() for pkg in packages}
    assert named <= set(recorded), named - set(recorded)
    missing = {pkg: version for pkg, version in recorded.items() if pkg in named and version == "not-installed"}
    assert missing == {}, "installed by `make test`, yet not installed"


def test_tested_versions_cover_every_package():
    tested = {line.split(" ", 1)[0] for line in TESTED.read_text().splitlines() if line and not line.startswith("#")}
    named = {pkg for packages in groups().values() for pkg in packages}
    assert named <= tested, named - tested


def bare_system(tmp_path, *groups_asked: str) -> subprocess.CompletedProcess:
    """The step, copied into a folder of its own, on a system where dpkg knows no package and we are not root.

    dpkg-query is replaced by one that fails for every package, as the real one does for a package it never
    saw, and `id` by one that says "not root", so nothing is installed and the real record is not touched.
    """
    import os

    (tmp_path / ".ci").mkdir()
    shutil.copy2(SCRIPT, tmp_path / ".ci" / SCRIPT.name)
    shutil.copy2(TESTED, tmp_path / ".ci" / TESTED.name)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "dpkg-query").write_text("#!/bin/sh\necho \"dpkg-query: no packages found matching $3\" >&2\nexit 1\n")
    (fake / "id").write_text("#!/bin/sh\necho 1000\n")
    for tool in fake.iterdir():
        tool.chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", str(tmp_path / ".ci" / SCRIPT.name), *groups_asked], capture_output=True,
                          text=True, env=env, cwd=tmp_path)


def test_on_a_bare_system_the_versions_are_recorded_as_missing(tmp_path):
    """Recording survives packages dpkg never saw (under `set -e` a failing dpkg-query once ended the step
    silently, right after apt-get had installed the browser on a bare Debian 12)."""
    done = bare_system(tmp_path, "record")
    assert done.returncode == 0, done.stderr
    recorded = dict(line.split(" ", 1) for line in (tmp_path / "_build" / "system-packages.txt").read_text().splitlines())
    assert set(recorded.values()) == {"not-installed"} and "chromium" in recorded
    assert "differ from the tested versions" in done.stdout


def test_on_a_bare_system_the_step_names_every_missing_package(tmp_path):
    """As a user (not root) on a system with none of the packages, the step stops with the exact command."""
    done = bare_system(tmp_path, "browser", "pdf")
    assert done.returncode == 1
    named = [pkg for group in ("browser", "pdf") for pkg in groups()[group]]
    assert f"Missing system packages: {' '.join(named)}" in done.stderr, done.stderr
    assert f"apt-get install -y --no-install-recommends {' '.join(named)}" in done.stderr
