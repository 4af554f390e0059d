"""What the mesh tests look at: calls as a given mesh identity, service metrics, Envoy stats."""

from __future__ import annotations

import contextlib
import json
import pathlib
import socket
import ssl
import urllib.request
import uuid

import grpc
from prometheus_client.parser import text_string_to_metric_families

from iworkz.identity.v1 import identity_pb2, identity_pb2_grpc

GET_JWKS = "/iworkz.identity.v1.IdentityService/GetJwks"


def credentials(mesh, identity: str | None, ca: bytes | None = None) -> grpc.ChannelCredentials:
    """mTLS credentials of `identity` from `mesh` (None: TLS without a client certificate)."""
    root = ca if ca is not None else mesh.ca_cert.read_bytes()
    if identity is None:
        return grpc.ssl_channel_credentials(root)
    chain, key = mesh.identities[identity].read()
    return grpc.ssl_channel_credentials(root, key, chain)


def channel(target: str, creds: grpc.ChannelCredentials | None = None) -> grpc.aio.Channel:
    # One connection per channel, no retries by the client: what happens is the mesh's doing.
    options = [("grpc.enable_retries", 0), ("grpc.use_local_subchannel_pool", 1)]
    if creds is None:
        return grpc.aio.insecure_channel(target, options=options)
    return grpc.aio.secure_channel(target, creds, options=options)


async def get_jwks(
    target: str, creds: grpc.ChannelCredentials | None = None, metadata=(), timeout: float = 10.0
) -> grpc.StatusCode:
    """Call identity's GetJwks once on a fresh channel; return the status code."""
    async with channel(target, creds) as ch:
        try:
            reply = await identity_pb2_grpc.IdentityServiceStub(ch).GetJwks(
                identity_pb2.GetJwksRequest(), timeout=timeout, metadata=metadata
            )
        except grpc.aio.AioRpcError as err:
            return err.code()
    assert reply.keys, "GetJwks answered without keys"
    return grpc.StatusCode.OK


def handled(metrics_url: str, method: str, code: str = "OK") -> float:
    """`iworkz_grpc_server_handled_total` of one method and code at a replica's metrics endpoint."""
    with urllib.request.urlopen(metrics_url, timeout=10) as response:
        text = response.read().decode()
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name == "iworkz_grpc_server_handled_total"
                and sample.labels.get("method") == method
                and sample.labels.get("code") == code
            ):
                total += sample.value
    return total


def envoy_stats(admin_port: int, prefix: str) -> dict[str, int]:
    """An Envoy's counters and gauges whose names start with `prefix`."""
    url = f"http://127.0.0.1:{admin_port}/stats?format=json&filter=^{prefix}"
    with urllib.request.urlopen(url, timeout=10) as response:
        body = json.loads(response.read())
    return {s["name"]: s["value"] for s in body.get("stats", []) if "value" in s}


def healthy_hosts(admin_port: int, cluster: str) -> int:
    """How many hosts of an Envoy cluster take traffic: healthy, not failing checks, not ejected."""
    with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/clusters?format=json", timeout=10) as response:
        body = json.loads(response.read())
    for status in body.get("cluster_statuses", []):
        if status["name"] == cluster:
            return sum(
                1
                for host in status.get("host_statuses", [])
                if not any(
                    value is True
                    for key, value in host["health_status"].items()
                    if key.startswith("failed") or key == "pending_active_hc"
                )
            )
    raise KeyError(f"no cluster {cluster} at admin port {admin_port}")


def plaintext_http_answer(port: int) -> bytes:
    """What a sidecar sends back to a plaintext HTTP/1.1 request (until it closes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        answer = b""
        try:
            while chunk := s.recv(4096):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


def served_certificate_serial(port: int, mesh, identity: str = "edge") -> int:
    """The serial number of the certificate a sidecar presents (connecting as `identity`)."""
    from cryptography import x509

    ctx = ssl.create_default_context(cafile=str(mesh.ca_cert))
    chain = mesh.identities[identity]
    ctx.load_cert_chain(chain.cert, chain.key)
    ctx.set_alpn_protocols(["h2"])
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        ctx.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        der = tls.getpeercert(binary_form=True)
        assert der is not None
        return x509.load_der_x509_certificate(der).serial_number


@contextlib.contextmanager
def running_platform(
    root: pathlib.Path,
    replicas: dict[str, int],
    database_url: str,
    redis_url: str,
    master_keys: str,
    tag: str,
    edge: bool,
):
    """The launcher's processes on a relocated copy of the topology, with their own Redis prefix."""
    import redis

    from devstack import Platform, ports

    topology = ports.relocated_copy(root / "topology.yaml", replicas=replicas)
    platform = Platform(root / "state", topology, start_timeout=180, mail_sink_port=ports.free_block(1))
    platform.use_data(database_url, redis_url, master_keys)
    prefix = f"test:{tag}:{uuid.uuid4().hex[:10]}:"
    platform.env.update({"IWORKZ_REDIS_PREFIX": prefix, "IWORKZ_DRAIN_SECONDS": "1"})
    try:
        platform.start(edge=edge)
        yield platform
    finally:
        platform.stop()
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=prefix + "*", count=1000):
            client.delete(key)
        client.close()
