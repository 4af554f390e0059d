"""Run every test suite and print one closing line: `N passed, N failed`.

Suites: Python (pytest, all of services/ and tests/). Front-end suites
(jest, Playwright) join here when web/ and mobile/ exist. Exit status is
non-zero when any suite fails or runs no test.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "build" / "test-results"


def pytest_suite() -> tuple[int, int, int]:
    report = RESULTS / "python.xml"
    report.unlink(missing_ok=True)
    # A temporary directory of this run's own: pytest's default root is shared by every run of
    # the same user, and each run deletes all but the three newest runs' directories there,
    # including those of a run still in progress (embedded PostgreSQL's data among them).
    basetemp = pathlib.Path(tempfile.mkdtemp(prefix="iworkz-pytest-"))
    basetemp.chmod(0o755)  # as root, embedded PostgreSQL runs as a user of its own and must get in
    code = subprocess.run(
        [sys.executable, "-m", "pytest", f"--junitxml={report}", f"--basetemp={basetemp}", "-q", *sys.argv[1:]],
        cwd=ROOT,
    ).returncode
    if code == 0:
        shutil.rmtree(basetemp, ignore_errors=True)  # kept after a failure, to look into
    if not report.exists():
        return 0, 1, code
    suites = ET.parse(report).getroot()
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites.iter("testsuite"):
        for key in totals:
            totals[key] += int(suite.get(key, 0))
    failed = totals["failures"] + totals["errors"]
    passed = totals["tests"] - failed - totals["skipped"]
    if code not in (0, 1) and failed == 0:
        failed = 1  # pytest itself failed (collection error, interrupted, no tests)
    return passed, failed, totals["skipped"]


def main() -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    passed, failed, skipped = pytest_suite()
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
