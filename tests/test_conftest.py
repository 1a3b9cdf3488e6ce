"""The suite's own rule: under CI=true nothing may skip (conftest.py turns a skip into a failure)."""
import os
import shutil
import subprocess
import sys

from conftest import ROOT


def _run(tmp_path, ci: str) -> subprocess.CompletedProcess:
    shutil.copy2(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_skips.py").write_text("import pytest\n\ndef test_skips():\n    pytest.skip('a tool is missing')\n")
    env = {**os.environ, "CI": ci}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True)


def test_a_skip_fails_under_ci(tmp_path):
    done = _run(tmp_path, "true")
    assert done.returncode == 1 and "1 failed" in done.stdout, done.stdout
    assert "nothing may skip" in done.stdout


def test_a_skip_stays_a_skip_elsewhere(tmp_path):
    done = _run(tmp_path, "")
    assert done.returncode == 0 and "1 skipped" in done.stdout, done.stdout


def test_standing_events_and_the_book_agree_about_withdrawn_rows(tmp_path):
    """A claim withdrawn, then one withdrawn and restored: the tests' view and entente.load drop the same rows."""
    import entente
    from conftest import standing_events

    shutil.copy2(ROOT / "datapackage.json", tmp_path)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    with open(tmp_path / "data" / "changes.csv", "a", encoding="utf-8") as f:
        f.write("2099-01-01,E001,withdrawn,Test: the claim no longer stands.\n"
                "2099-01-01,E002,withdrawn,Test: withdrawn ...\n"
                "2099-01-02,E002,corrected,Test: ... and restored.\n")
    ours = list(standing_events(tmp_path)["event_id"])
    assert "E001" not in ours and "E002" in ours
    assert ours == list(entente.load(tmp_path).events["event_id"])
