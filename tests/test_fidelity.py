"""Fidelity checks that need nothing beyond the clone.

That no run of eight or more words is copied from the article is a development check: it needs the
article's text, which is not part of the product, so the team's CI runs it (.ci/run), not this suite.
"""
from conftest import raw


def test_photo_credit_is_not_a_source():
    # The article's photo credit names an office, not a report: it must not be coded as a source.
    outlets = " ".join(raw("sources")["outlet"]).lower()
    assert "khamenei" not in outlets
