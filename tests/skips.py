"""Tests skipped for want of a tool on this machine, gathered for the end of the run.

pytest's ``-ra`` lists every skip; the suite's closing section (``tests/conftest.py``) names only
those another machine would run (Debian's chromium, Java, PostgreSQL, Redis) and how to enable
each, so that a new contributor sees what was not tested here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pytest

# A skip reason that says how to get what is missing names one of these.
ENABLING_WORDS = ("apt-get install", "WARTA_TEST_DATABASE_URL")


def missing_tools(reports: Iterable[pytest.TestReport]) -> list[str]:
    """One line per distinct reason: how many tests it skipped, and the reason (how to enable)."""
    reasons: Counter[str] = Counter()
    for report in reports:
        if not report.skipped or not isinstance(report.longrepr, tuple):
            continue
        reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        if any(word in reason for word in ENABLING_WORDS):
            reasons[reason] += 1
    return [
        f"{n} test{'s' if n > 1 else ''} skipped: {reason}"
        for reason, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    ]
