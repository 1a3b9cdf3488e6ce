"""The report is written in its own words: no run of eight or more words is copied from the article."""
import subprocess
import sys

from conftest import ROOT, require

OVERLAP = ROOT.parent / "shared" / "tools" / "overlap.py"


def test_no_sentence_is_copied_from_the_article():
    require(OVERLAP.is_file(), f"the shared overlap tool is not at {OVERLAP}")
    result = subprocess.run([sys.executable, str(OVERLAP), str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_photo_credit_is_not_a_source():
    import entente
    outlets = " ".join(entente.load().sources["outlet"]).lower()
    assert "khamenei" not in outlets
