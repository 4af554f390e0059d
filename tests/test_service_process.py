"""A service as a real process: health, reflection, metrics, JSON logs, drain on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from iworkz.identity.v1 import identity_pb2, identity_pb2_grpc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


CALLER_TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def identity_process(database_url, redis_url, master_keys, tmp_path):
    grpc_port, metrics_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "IWORKZ_MASTER_KEYS": master_keys,
        "IDENTITY_GRPC_PORT": str(grpc_port),
        "IDENTITY_METRICS_PORT": str(metrics_port),
        "IWORKZ_REDIS_PREFIX": "test:proc:",
        "IWORKZ_DRAIN_SECONDS": "3",
    }
    log = open(tmp_path / "identity.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.identity.main"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    target = f"127.0.0.1:{grpc_port}"
    deadline = time.monotonic() + 30
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            try:
                if (
                    stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status
                    == health_pb2.HealthCheckResponse.SERVING
                ):
                    break
            except grpc.RpcError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail("identity did not become healthy:\n" + log.read()[-3000:])
            time.sleep(0.2)
    yield proc, target, metrics_port, log
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    log.close()


def test_process_serves_health_reflection_metrics_logs_and_drains(identity_process):
    proc, target, metrics_port, log = identity_process
    with grpc.insecure_channel(target) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        jwks = stub.GetJwks(identity_pb2.GetJwksRequest(), metadata=[("x-request-id", "req-process-test")])
        assert jwks.keys and jwks.keys[0].alg == "ES256"
        with pytest.raises(grpc.RpcError) as err:
            stub.ListUsers(
                identity_pb2.ListUsersRequest(),
                metadata=[("x-request-id", "req-process-refused"), ("traceparent", CALLER_TRACEPARENT)],
            )
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED

        services = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")])
        )
        names = {s.name for r in services for s in r.list_services_response.service}
        assert {"iworkz.identity.v1.IdentityService", "grpc.health.v1.Health"} <= names

    metrics = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read().decode()
    assert 'iworkz_grpc_server_handled_total{code="OK",method="/iworkz.identity.v1.IdentityService/GetJwks"' in metrics
    assert 'code="UNAUTHENTICATED",method="/iworkz.identity.v1.IdentityService/ListUsers"' in metrics

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    log.seek(0)
    entries = [json.loads(line) for line in log.read().splitlines() if line.startswith("{")]
    # A refused call is logged with its request id; a successful fast one only at DEBUG (the edge logs it).
    rpc = [e for e in entries if e.get("msg") == "rpc" and e.get("request_id") == "req-process-refused"]
    assert rpc and rpc[0]["method"].endswith("/ListUsers") and rpc[0]["code"] == "UNAUTHENTICATED"
    assert rpc[0]["level"] == "info" and rpc[0]["trace_id"] == CALLER_TRACEPARENT.split("-")[1]
    assert not [e for e in entries if e.get("request_id") == "req-process-test"]
    assert any(e.get("msg") == "draining" for e in entries)
    assert all(e["service"] == "identity" for e in entries)


def test_missing_configuration_fails_fast_with_every_problem():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "IWORKZ_MASTER_KEYS")}
    env["IDENTITY_GRPC_PORT"] = "not-a-port"
    result = subprocess.run(
        [sys.executable, "-m", "services.identity.main"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode != 0
    for name in ("DATABASE_URL", "REDIS_URL", "IWORKZ_MASTER_KEYS", "IDENTITY_GRPC_PORT"):
        assert name in result.stderr
