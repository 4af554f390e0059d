"""Run every test suite and print one closing line: `N passed, N failed`.

Suites: Python (pytest, all of services/ and tests/), then every top-level
folder (and every folder under sdk/) with an executable `run-tests` (the front-end suites: Vitest, jest,
Playwright). Such a script is run from its folder with `JUNIT_DIR` set to
build/test-results/<folder>/; it writes JUnit XML reports there, and its
exit status says whether it passed. Exit status is non-zero when any suite
fails or runs no test.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "build" / "test-results"


# Tests that wait on event-driven effects through queues the whole session shares (matching's
# projection and live streams, notifications' email queue and Subscribe): late in one long session
# those queues hold every earlier test's events, and these timed out there while passing alone.
# They run first, in a pytest session of their own.
ISOLATED = [
    "services/matching/tests/test_matching_watch.py",
    "gateway/tests/test_edge_account_safety.py",
    "tests/security/test_authorization_matrix.py",
    "gateway/tests/test_edge_matching.py",
    "gateway/tests/test_edge_sse.py",
]


def pytest_suite() -> tuple[int, int, int]:
    first = pytest_run("python-isolated.xml", ISOLATED)
    rest = pytest_run("python.xml", [f"--ignore={path}" for path in ISOLATED])
    return first[0] + rest[0], first[1] + rest[1], first[2] + rest[2]


def pytest_run(report_name: str, selection: list[str]) -> tuple[int, int, int]:
    report = RESULTS / report_name
    report.unlink(missing_ok=True)
    # A temporary directory of this run's own: pytest's default root is shared by every run of
    # the same user, and each run deletes all but the three newest runs' directories there,
    # including those of a run still in progress (embedded PostgreSQL's data among them).
    basetemp = pathlib.Path(tempfile.mkdtemp(prefix="iworkz-pytest-"))
    basetemp.chmod(0o755)  # as root, embedded PostgreSQL runs as a user of its own and must get in
    code = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            f"--junitxml={report}",
            f"--basetemp={basetemp}",
            "-q",
            *selection,
            *sys.argv[1:],
        ],
        cwd=ROOT,
    ).returncode
    if code == 0:
        shutil.rmtree(basetemp, ignore_errors=True)  # kept after a failure, to look into
    if not report.exists():
        return 0, 1, code
    passed, failed, skipped = junit_totals([report])
    if code not in (0, 1) and failed == 0:
        failed = 1  # pytest itself failed (collection error, interrupted, no tests)
    return passed, failed, skipped


def junit_totals(reports: list[pathlib.Path]) -> tuple[int, int, int]:
    """Passed, failed and skipped over JUnit XML reports (pytest, jest-junit, Vitest, Playwright)."""
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for report in reports:
        root = ET.parse(report).getroot()
        # Count leaf suites only: some reporters nest <testsuite> or total on <testsuites>.
        leaves = [s for s in root.iter("testsuite") if s.find("testsuite") is None]
        for suite in leaves:
            for key in totals:
                totals[key] += int(suite.get(key, 0) or 0)
    failed = totals["failures"] + totals["errors"]
    return totals["tests"] - failed - totals["skipped"], failed, totals["skipped"]


def folder_suite(script: pathlib.Path) -> tuple[int, int, int]:
    """A front-end folder's `run-tests`: its JUnit reports counted, a failing exit counted once."""
    folder = script.parent
    junit_dir = RESULTS / folder.relative_to(ROOT).as_posix().replace("/", "-")
    shutil.rmtree(junit_dir, ignore_errors=True)
    junit_dir.mkdir(parents=True)
    print(f"== {folder.relative_to(ROOT)}/run-tests", flush=True)
    code = subprocess.run([str(script)], cwd=folder, env={**os.environ, "JUNIT_DIR": str(junit_dir)}).returncode
    passed, failed, skipped = junit_totals(sorted(junit_dir.rglob("*.xml")))
    if code != 0 and failed == 0:
        failed = 1  # the suite failed outside any test (install, build, no tests)
    return passed, failed, skipped


def main() -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    passed, failed, skipped = pytest_suite()
    for script in sorted([*ROOT.glob("*/run-tests"), *ROOT.glob("sdk/*/run-tests")]):
        if os.access(script, os.X_OK):
            p, f, s = folder_suite(script)
            print(f"{script.parent.relative_to(ROOT)}: {p} passed, {f} failed", flush=True)
            passed, failed, skipped = passed + p, failed + f, skipped + s
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
