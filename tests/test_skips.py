"""The closing section of a run names the tests skipped for want of a tool, and the fix."""

from __future__ import annotations

import pytest
from tests.skips import missing_tools

CHROMIUM = "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
JAVA = "the Nu HTML validator needs Java (apt-get install default-jre-headless)"


def _report(nodeid: str, outcome: str, reason: str = "") -> pytest.TestReport:
    longrepr = ("tests/x.py", 1, f"Skipped: {reason}") if outcome == "skipped" else None
    return pytest.TestReport(
        nodeid=nodeid,
        location=("tests/x.py", 1, nodeid),
        keywords={},
        outcome=outcome,  # type: ignore[arg-type]
        longrepr=longrepr,
        when="setup",
    )


def test_each_missing_tool_is_named_once_with_its_count_and_how_to_install_it() -> None:
    reports = [
        _report("tests/browser/test_site.py::a", "skipped", CHROMIUM),
        _report("tests/browser/test_site.py::b", "skipped", CHROMIUM),
        _report("tests/web/test_validity.py::c", "skipped", JAVA),
        _report("tests/ingest/test_sources.py::d", "skipped", "root may read any file"),
        _report("tests/web/test_pages.py::e", "passed"),
    ]
    assert missing_tools(reports) == [
        f"2 tests skipped: {CHROMIUM}",
        f"1 test skipped: {JAVA}",
    ]


def test_a_run_that_skipped_nothing_for_a_tool_adds_nothing() -> None:
    assert missing_tools([_report("tests/x.py::a", "skipped", "SQLite has no row locks")]) == []
