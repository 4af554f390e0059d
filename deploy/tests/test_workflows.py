""".github/workflows/: valid GitHub workflows (check-jsonschema's vendored schema) with no finding
from zizmor (offline audits: template injection, credentials persisted by checkout, unpinned
actions, excessive permissions...), and they run the same commands as a developer does."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
BIN = pathlib.Path(sys.executable).parent


def _check_jsonschema(*files: pathlib.Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _zizmor(*files: pathlib.Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--no-progress", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _workflows() -> list[pathlib.Path]:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"ci.yml", "cd.yml"}
    return files


def test_workflows_match_the_github_schema():
    result = _check_jsonschema(*_workflows())
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing():
    result = _zizmor(*_workflows())
    assert result.returncode == 0, result.stdout + result.stderr


def test_both_checks_can_fail(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request_target\n"
        "jobs:\n"
        "  x:\n"
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
    )
    assert _zizmor(bad).returncode != 0
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    stepz: []\n")
    assert _check_jsonschema(bad).returncode != 0


def _runs(workflow: str) -> dict[str, str]:
    doc = yaml.safe_load((WORKFLOWS / workflow).read_text())
    return {job: "\n".join(s.get("run", "") for s in spec["steps"]) for job, spec in doc["jobs"].items()}


def test_ci_runs_lint_tests_and_images_and_keeps_the_sboms():
    runs = _runs("ci.yml")
    assert "make lint" in runs["lint"]
    assert "bash .ci/run" in runs["test"]
    assert "make images" in runs["images"]
    images = yaml.safe_load((WORKFLOWS / "ci.yml").read_text())["jobs"]["images"]
    assert any(".cdx.json" in str(s.get("with", {}).get("path", "")) for s in images["steps"])
    # The platform from its images, checked as make up is: its own job, not part of make test.
    assert "make up-containers UP_ARGS=--check" in runs["up-containers"]
    assert "up-containers" not in runs["test"]


def test_cd_pushes_and_applies_the_prod_overlay_after_approval():
    doc = yaml.safe_load((WORKFLOWS / "cd.yml").read_text())
    [(name, job)] = doc["jobs"].items()
    # A GitHub environment holds the required reviewers: the job waits for their approval.
    assert job["environment"] == "production"
    run = _runs("cd.yml")[name]
    assert "podman push" in run and "kubectl kustomize deploy/overlays/prod" in run and "kubectl apply" in run
    assert doc["permissions"] == {"contents": "read"}


@pytest.mark.parametrize("workflow", ["ci.yml", "cd.yml"])
def test_workflows_read_secrets_only_through_env(workflow):
    # `${{ secrets.X }}` inside a run script would be pasted into the shell: env only.
    doc = yaml.safe_load((WORKFLOWS / workflow).read_text())
    for job in doc["jobs"].values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), step
