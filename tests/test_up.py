"""`make up` works end to end: `python -m services.launcher --check` starts every
service, creates the admin, loads and verifies the demo data through the SDK,
runs the SDK example it prints, and stops, leaving no process behind.

Once on the servers of `DATABASE_URL`/`REDIS_URL` (a fresh database, its own
Redis key prefix) and once, as on a fresh machine, on embedded PostgreSQL and
Redis that the launcher starts itself.
"""

from __future__ import annotations

import json
import os
import pathlib
import socket
import stat
import subprocess
import sys
import uuid

import pytest

from services.demo import dataset
from services.runtime.embedded import create_database, drop_database

ROOT = pathlib.Path(__file__).resolve().parents[1]
PORT_VARIABLES = ("IDENTITY_GRPC_PORT", "MARKETPLACE_GRPC_PORT", "IDENTITY_METRICS_PORT",
                  "MARKETPLACE_METRICS_PORT")


def free_ports(count: int) -> list[int]:
    """Distinct unused ports (held open together so none is handed out twice)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting for PID 1 to reap it counts as gone)."""
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return fields[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False


def processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in pathlib.Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline and alive(int(proc.name)):
            found.append(f"{proc.name}: {cmdline}")
    return found


def launch_check(state: pathlib.Path, env: dict[str, str]) -> tuple[str, list[int]]:
    """Run `--check`; assert it passed and stopped everything; return its output and ports."""
    ports = free_ports(len(PORT_VARIABLES))
    env = {**env, **dict(zip(PORT_VARIABLES, map(str, ports))), "IWORKZ_DRAIN_SECONDS": "2"}
    run = subprocess.run([sys.executable, "-m", "services.launcher", "--check", "--state-dir", str(state)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    out = run.stdout
    logs = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted((state / "logs").glob("*.log")))
    assert run.returncode == 0, f"{out}\n{run.stderr}\n{logs}"
    assert "check passed" in out

    report = json.loads((state / "launcher.json").read_text())
    assert report["state"] == "stopped"
    pids = [s["pid"] for s in report["services"].values()] + list(report["embedded"].values())
    assert len(report["services"]) == 2
    assert [pid for pid in pids if alive(pid)] == [], "processes survived the launcher"
    assert processes_mentioning(str(state)) == []
    return out, ports


def assert_banner(out: str, ports: list[int]) -> None:
    identity, marketplace, identity_metrics, marketplace_metrics = ports
    assert f"grpc://127.0.0.1:{identity}" in out
    assert f"grpc://127.0.0.1:{marketplace}" in out
    assert f"http://127.0.0.1:{identity_metrics}/metrics" in out
    assert f"http://127.0.0.1:{marketplace_metrics}/metrics" in out
    assert "admin@iworkz.local" in out
    assert dataset.DEMO_PASSWORD in out
    for account in (*dataset.EMPLOYERS, *dataset.WORKERS):
        assert account.email in out
    assert "logs" in out and "identity.log" in out


def base_env() -> dict[str, str]:
    drop = {"DATABASE_URL", "REDIS_URL", "IWORKZ_MASTER_KEYS", "IWORKZ_ADMIN_PASSWORD", "IWORKZ_STATE_DIR",
            *PORT_VARIABLES}
    return {k: v for k, v in os.environ.items() if k not in drop}


@pytest.fixture
def fresh_database(server_urls):
    name = f"iworkz_up_{uuid.uuid4().hex[:10]}"
    url = create_database(server_urls[0], name)
    yield url
    drop_database(server_urls[0], name)


@pytest.fixture
def redis_prefix(server_urls):
    prefix = f"test:up:{uuid.uuid4().hex[:10]}:"
    yield prefix
    import redis

    client = redis.Redis.from_url(server_urls[1])
    for key in client.scan_iter(match=prefix + "*", count=1000):
        client.delete(key)
    client.close()


def test_up_on_given_servers_starts_loads_and_restarts(tmp_path, server_urls, fresh_database, redis_prefix):
    state = tmp_path / "state"
    env = {**base_env(), "DATABASE_URL": fresh_database, "REDIS_URL": server_urls[1],
           "IWORKZ_REDIS_PREFIX": redis_prefix}

    out, ports = launch_check(state, env)
    assert_banner(out, ports)
    assert "demo data loaded: 16 accounts" in out
    assert "PostgreSQL   from the environment" in out
    assert stat.S_IMODE((state / "master-keys").stat().st_mode) == 0o600
    assert stat.S_IMODE((state / "admin-password").stat().st_mode) == 0o600
    password = (state / "admin-password").read_text().strip()
    assert f"password: {password}" in out

    # A restart decrypts what the first run stored (same master key) and loads nothing twice.
    again, ports = launch_check(state, env)
    assert_banner(again, ports)
    assert "demo data already loaded" in again
    assert f"password: {password}" in again


def test_up_on_embedded_servers(tmp_path):
    state = tmp_path / "state"
    out, ports = launch_check(state, base_env())
    assert_banner(out, ports)
    assert "PostgreSQL   embedded" in out and "Redis        embedded" in out
    assert (state / "pg" / "PG_VERSION").exists()
    assert (state / "redis" / "redis.db").exists()
