"""The committed AnchorRegistry ABI and bytecode are what solc-js makes of the source today."""

from __future__ import annotations

import subprocess

from services.credentials import node_packages


def test_anchor_registry_artifact_is_fresh():
    node_packages.ensure(node_packages.CHAIN)
    result = subprocess.run(
        [node_packages.tool("node"), "compile.mjs", "--check"],
        cwd=node_packages.CHAIN,
        capture_output=True,
        text=True,
        env=node_packages.environment(),
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
