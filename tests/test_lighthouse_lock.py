"""The Lighthouse benchmark's npm files (benchmarks/lighthouse/): what `npm ci` installs is what package.json
names. Not a benchmark and not timed: it reads the two files, no network, no Node.

`npm ci` refuses a lock file that no longer matches package.json, and a dependency declared by a dist-tag
("latest": Lighthouse's trace engine declares two) is matched against the registry's tag of the day, so
it must be pinned by an override to the version the lock holds.
"""
from __future__ import annotations

import json
import re

from conftest import ROOT

FOLDER = ROOT / "benchmarks" / "lighthouse"
NODE = (20, 0)  # the Node the benchmark is run with on our machines (Debian's chromium beside it)
SEMVER = re.compile(r"[\^~<>=*\dxX| .-]|$")  # what a version range may start with; a dist-tag starts otherwise


def _read(name: str) -> dict:
    return json.loads((FOLDER / name).read_text(encoding="utf-8"))


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_the_lock_file_installs_the_lighthouse_package_json_names():
    package, lock = _read("package.json"), _read("package-lock.json")
    wanted = package["dependencies"]["lighthouse"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", wanted), f"lighthouse must be pinned to one version, not {wanted!r}"
    assert lock["packages"][""]["dependencies"] == package["dependencies"], "lock file not made from package.json"
    assert lock["packages"]["node_modules/lighthouse"]["version"] == wanted


def test_the_pinned_lighthouse_runs_on_node_20():
    engines = _read("package-lock.json")["packages"]["node_modules/lighthouse"]["engines"]["node"]
    assert re.fullmatch(r">=\s*[\d.]+", engines), f"an engines range this test does not read: {engines!r}"
    assert _version(engines) <= (*NODE, 0), f"lighthouse needs Node {engines}"


def test_every_dependency_named_by_a_dist_tag_is_pinned_by_an_override():
    package, lock = _read("package.json"), _read("package-lock.json")
    overrides = package.get("overrides", {})
    for path, entry in lock["packages"].items():
        if not path:
            continue
        owner = path.rsplit("node_modules/", 1)[-1]
        for name, spec in entry.get("dependencies", {}).items():
            if SEMVER.match(spec):
                continue
            pinned = overrides.get(owner, {}).get(name) if isinstance(overrides.get(owner), dict) else None
            pinned = pinned or (overrides.get(name) if isinstance(overrides.get(name), str) else None)
            held = lock["packages"].get(f"{path}/node_modules/{name}") or lock["packages"][f"node_modules/{name}"]
            assert pinned == held["version"], \
                f"{owner} asks for {name}@{spec}: pin it in package.json's overrides to the locked {held['version']}"
