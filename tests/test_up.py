"""`make up` works end to end: `python -m devstack --check` starts every
service of the topology with its replicas and sidecars and the edge, creates
the admin, loads and verifies the demo data through the SDK, checks the mesh
policy, makes a REST call through the edge, runs the SDK example it prints,
and stops, leaving no process behind.

Once on the servers of `DATABASE_URL`/`REDIS_URL` (a fresh database, its own
Redis key prefix) and once, as on a fresh machine, on embedded PostgreSQL and
Redis that the launcher starts itself.
"""

from __future__ import annotations

import json
import os
import pathlib
import stat
import subprocess
import sys
import uuid

import pytest

from devstack import ports
from devstack.demo import dataset
from devstack.embedded import create_database, drop_database
from topology import Topology

ROOT = pathlib.Path(__file__).resolve().parents[1]


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


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_check(
    state: pathlib.Path, env: dict[str, str], replicas: dict[str, int] | None = None
) -> tuple[str, Topology]:
    """Run `--check` on a copy of the topology on free ports; assert it passed and stopped everything.

    `replicas` raises replica counts the way an operator does (IWORKZ_REPLICAS).
    """
    state.mkdir(parents=True, exist_ok=True)
    topology = ports.relocated_copy(state.parent / "topology.yaml")
    env = {
        **env,
        "IWORKZ_DRAIN_SECONDS": "2",
        "IWORKZ_SMTP_SINK_PORT": str(_free_port()),
        "IWORKZ_ANVIL_PORT": str(_free_port()),
    }
    if replicas:
        env["IWORKZ_REPLICAS"] = ",".join(f"{name}={count}" for name, count in replicas.items())
        topology = topology.with_replicas(replicas)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "devstack",
            "--check",
            "--state-dir",
            str(state),
            "--topology",
            str(state.parent / "topology.yaml"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = run.stdout
    logs = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted((state / "logs").glob("*.log")))
    assert run.returncode == 0, f"{out}\n{run.stderr}\n{logs}"
    assert "check passed" in out
    # The events path, live: outbox → relay → stream → notifications → Subscribe (gRPC and SSE) and email.
    assert "reached the worker's gRPC Subscribe stream through the edge" in out
    assert "... and the SSE stream" in out and "an email reached the SMTP sink" in out
    # Credentials: demo issuers, anchoring on the local anvil node, the banner's curl verify.
    assert "POST /credentials/verify through the edge: the demo credential passes" in out
    assert "/credentials/verify" in out and "verify-credential.json" in out

    report = json.loads((state / "launcher.json").read_text())
    assert report["state"] == "stopped"
    assert set(report["services"]) == set(topology.services)
    pids = list(report["embedded"].values())
    for name, service in report["services"].items():
        assert len(service["replicas"]) == topology.services[name].replicas
        for replica in service["replicas"]:
            pids += [replica["pid"], replica["sidecar"]["pid"]]
    pids.append(report["edge"]["pid"])
    if report.get("mail_sink"):
        pids.append(report["mail_sink"]["pid"])
    if report.get("chain_node"):
        pids.append(report["chain_node"]["pid"])
    assert [pid for pid in pids if alive(pid)] == [], "processes survived the launcher"
    # Envoy command lines name their configs under the state directory.
    assert processes_mentioning(str(state)) == []
    return out, topology


def assert_banner(out: str, topology: Topology) -> None:
    for service in topology.services.values():
        for i in range(service.replicas):
            assert f"grpc://127.0.0.1:{service.port('app', i)}" in out
            assert f"sidecar 127.0.0.1:{service.port('sidecar', i)} (mTLS)" in out
            assert f"http://127.0.0.1:{service.port('metrics', i)}/metrics" in out
            if service.calls:
                assert f"egress 127.0.0.1:{service.port('egress', i)}" in out
    assert "admin@iworkz.local" in out
    assert dataset.DEMO_PASSWORD in out
    for email in [e.email for e in dataset.EMPLOYERS] + [w.email for w in dataset.WORKERS]:
        assert email in out
    assert "logs" in out and "identity-0.log" in out
    # Every sidecar turned away a plaintext caller and an identity the topology does not allow.
    for service in topology.services.values():
        for i in range(service.replicas):
            assert f"ok  {service.name}-{i} sidecar refuses plaintext and " in out
    edge = f"https://127.0.0.1:{topology.edge.port}"
    assert edge in out and f"{edge}/docs" in out and f"{edge}/openapi.json" in out
    assert f"gRPC target 127.0.0.1:{topology.edge.port}" in out
    assert "ok  REST through the edge and the mesh: GET /v1/jobs:search finds" in out


def base_env() -> dict[str, str]:
    drop = {
        "DATABASE_URL",
        "REDIS_URL",
        "IWORKZ_MASTER_KEYS",
        "IWORKZ_ADMIN_PASSWORD",
        "IWORKZ_STATE_DIR",
        "IWORKZ_TOPOLOGY",
        "IWORKZ_REPLICAS",
    }
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
    env = {
        **base_env(),
        "DATABASE_URL": fresh_database,
        "REDIS_URL": server_urls[1],
        "IWORKZ_REDIS_PREFIX": redis_prefix,
    }

    out, topology = launch_check(state, env)
    assert_banner(out, topology)
    assert "demo data loaded: 16 accounts" in out
    assert "PostgreSQL   from the environment" in out
    assert stat.S_IMODE((state / "master-keys").stat().st_mode) == 0o600
    assert stat.S_IMODE((state / "admin-password").stat().st_mode) == 0o600
    # The mesh's keys: one per service and the edge, private to the owner.
    for name in (*topology.services, "edge"):
        assert stat.S_IMODE((state / "mesh" / f"{name}.key").stat().st_mode) == 0o600
    password = (state / "admin-password").read_text().strip()
    assert f"password: {password}" in out

    # A restart decrypts what the first run stored (same master key) and loads nothing twice.
    again, topology = launch_check(state, env)
    assert_banner(again, topology)
    assert "demo data already loaded" in again
    assert f"password: {password}" in again


def test_up_on_embedded_servers(tmp_path):
    state = tmp_path / "state"
    out, topology = launch_check(state, base_env(), replicas={"identity": 2})
    assert_banner(out, topology)
    assert "grpc://127.0.0.1:" + str(topology.services["identity"].port("app", 1)) in out
    assert "PostgreSQL   embedded" in out and "Redis        embedded" in out
    assert (state / "pg" / "PG_VERSION").exists()
    assert (state / "redis" / "redis.db").exists()


# --- the launcher's own rules, without starting anything ----------------------------


def test_replica_counts_from_the_command_line_and_the_environment():
    from devstack import StartupError, load_topology, parse_replicas

    assert parse_replicas(["marketplace=3,identity=2", "", "identity=4"]) == {"marketplace": 3, "identity": 4}
    with pytest.raises(StartupError):
        parse_replicas(["marketplace"])
    topology = load_topology(str(ROOT / "mesh" / "topology.yaml"), {"marketplace": 3})
    assert topology.services["marketplace"].replicas == 3
    with pytest.raises(StartupError, match="no service"):
        load_topology(str(ROOT / "mesh" / "topology.yaml"), {"nonesuch": 2})
    with pytest.raises(StartupError, match="clashes"):  # more replicas than the port ranges hold
        load_topology(str(ROOT / "mesh" / "topology.yaml"), {"identity": 50})


def test_services_start_after_the_services_they_call():
    from devstack import start_order
    from topology import load

    topology = load()
    order = start_order(topology)
    assert sorted(order) == sorted(topology.services)
    for name, service in topology.services.items():
        for callee in service.calls:
            if name in topology.services[callee].calls:
                continue  # a call cycle (matching's Embed calls, the agent's matching tools): health checks wait
            assert order.index(callee) < order.index(name)


def test_services_the_topology_lists_but_nobody_has_written_yet_are_left_out():
    from devstack import runnable
    from topology import load

    topology = load()
    identity = topology.services["identity"]
    future = identity.model_copy(update={"name": "notyet", "callers": ("edge",), "calls": ("identity",)})
    services = {
        **topology.services,
        "notyet": future,
        "identity": identity.model_copy(update={"callers": (*identity.callers, "notyet")}),
    }
    running = runnable(topology.model_copy(update={"services": services}))
    assert set(running.services) == set(topology.services)
    assert running.services["identity"].callers == identity.callers
