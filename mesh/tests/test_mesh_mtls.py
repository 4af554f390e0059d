"""Who may talk to a sidecar: mTLS with the mesh CA, then only the topology's callers.

Real service processes behind real sidecar Envoys (`mesh_platform`): a
plaintext caller, a caller without a client certificate, one whose
certificate comes from another CA and one whose certificate has expired are
turned away during the handshake; a valid mesh certificate of an identity the
topology does not list as a caller gets PERMISSION_DENIED (never reaching the
service); the allowed callers get through, and a service's own calls leave through its egress with its identity.
"""

from __future__ import annotations

import datetime
import uuid

import grpc
import pytest
from mesh_probes import (
    GET_JWKS,
    credentials,
    envoy_stats,
    get_jwks,
    handled,
    plaintext_http_answer,
    served_certificate_serial,
)

from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client
from mesh import certs

SEARCH_JOBS = "/iworkz.marketplace.v1.MarketplaceService/SearchJobs"


def sidecar(platform, service: str, replica: int = 0):
    return platform.proc(service, replica, "sidecar")


def inbound(platform, service: str, replica: int = 0) -> str:
    return f"127.0.0.1:{sidecar(platform, service, replica).ports['inbound']}"


async def search_jobs(target: str, creds) -> grpc.StatusCode:
    async with Client(target, credentials=creds) as client:
        try:
            await client.marketplace.SearchJobs(mp.SearchJobsRequest(prefecture="JP-27"), timeout=10)
        except grpc.aio.AioRpcError as err:
            return err.code()
    return grpc.StatusCode.OK


async def test_a_plaintext_caller_is_refused(mesh_platform):
    for service in ("identity", "marketplace"):
        assert await get_jwks(inbound(mesh_platform, service)) == grpc.StatusCode.UNAVAILABLE
        # Not even an HTTP answer: the sidecar speaks TLS only.
        answer = plaintext_http_answer(sidecar(mesh_platform, service).ports["inbound"])
        assert not answer.startswith(b"HTTP/"), answer[:100]


async def test_tls_without_a_client_certificate_is_refused(mesh_platform):
    creds = credentials(mesh_platform.mesh, None)
    assert await get_jwks(inbound(mesh_platform, "identity"), creds) == grpc.StatusCode.UNAVAILABLE


async def test_a_certificate_from_another_ca_is_refused(mesh_platform, tmp_path):
    # Same trust domain, same SPIFFE id as the edge: only the signer differs.
    topology = mesh_platform.topology
    rogue = certs.create_mesh(tmp_path / "rogue", topology.trust_domain, topology.namespace, ["edge"])
    # The rogue client trusts the real mesh CA, so only the server's check of the client can fail.
    creds = credentials(rogue, "edge", ca=mesh_platform.mesh.ca_cert.read_bytes())
    assert await get_jwks(inbound(mesh_platform, "identity"), creds) == grpc.StatusCode.UNAVAILABLE
    # The client side checks the server too: a sidecar's certificate does not pass the rogue CA.
    creds = credentials(rogue, "edge")
    assert await get_jwks(inbound(mesh_platform, "identity"), creds) == grpc.StatusCode.UNAVAILABLE


async def test_an_expired_certificate_of_an_allowed_caller_is_refused(mesh_platform, monkeypatch):
    """The edge's own identity, signed by the real mesh CA, but expired a day ago."""
    mesh = mesh_platform.mesh
    three_days_ago = certs.now() - datetime.timedelta(days=3)
    monkeypatch.setattr(certs, "now", lambda: three_days_ago)
    ca = mesh._ca
    assert ca is not None
    expired = ca.issue(
        "edge",
        organization=certs.MESH_ORGANIZATION,
        lifetime=datetime.timedelta(days=1),
        uris=[mesh.spiffe_id("edge")],
        dns_names=["localhost"],
        addresses=["127.0.0.1"],
        client=True,
    )
    monkeypatch.undo()
    assert expired.cert.not_valid_after_utc < certs.now()
    chain = certs.pem(expired.cert) + certs.pem(ca.cert)
    creds = grpc.ssl_channel_credentials(mesh.ca_cert.read_bytes(), expired.key_pem, chain)
    assert await get_jwks(inbound(mesh_platform, "identity"), creds) == grpc.StatusCode.UNAVAILABLE
    # The control: the edge's current certificate from the same CA gets through.
    assert await get_jwks(inbound(mesh_platform, "identity"), credentials(mesh, "edge")) == grpc.StatusCode.OK


@pytest.mark.parametrize(
    "service, caller",
    [
        ("marketplace", "marketplace"),  # a service calling itself is not in its callers
        ("marketplace", "identity"),  # identity calls nobody
        ("identity", "intruder"),  # a mesh certificate for an identity the topology does not know
    ],
)
async def test_an_identity_the_topology_does_not_allow_gets_permission_denied(mesh_platform, service, caller):
    if caller not in mesh_platform.mesh.identities:
        mesh_platform.mesh.issue(caller)
    creds = credentials(mesh_platform.mesh, caller)
    side = sidecar(mesh_platform, service)
    denied_before = envoy_stats(side.ports["admin"], "http.inbound.rbac.denied").get("http.inbound.rbac.denied", 0)
    app = mesh_platform.proc(service, 0)
    metrics = f"http://127.0.0.1:{app.ports['metrics']}/metrics"
    method = GET_JWKS if service == "identity" else SEARCH_JOBS
    served_before = handled(metrics, method)

    call = get_jwks if service == "identity" else search_jobs
    assert await call(inbound(mesh_platform, service), creds) == grpc.StatusCode.PERMISSION_DENIED

    assert envoy_stats(side.ports["admin"], "http.inbound.rbac.denied")["http.inbound.rbac.denied"] == denied_before + 1
    assert handled(metrics, method) == served_before, "a refused call reached the service"


async def test_the_allowed_callers_get_through(mesh_platform):
    mesh = mesh_platform.mesh
    for caller in ("edge", "marketplace"):
        assert await get_jwks(inbound(mesh_platform, "identity"), credentials(mesh, caller)) == grpc.StatusCode.OK
    for replica in (0, 1):
        creds = credentials(mesh, "edge")
        assert await search_jobs(inbound(mesh_platform, "marketplace", replica), creds) == grpc.StatusCode.OK


async def test_a_service_calls_another_through_its_egress_with_its_identity(mesh_platform):
    """Marketplace checks a user's token with keys it fetches from identity through the mesh."""
    mesh = mesh_platform.mesh
    async with Client(inbound(mesh_platform, "identity"), credentials=credentials(mesh, "edge")) as auth:
        signed = await auth.sign_up(
            email=f"mesh-{uuid.uuid4().hex[:8]}@example.com",
            password="correct horse battery",
            display_name="Mesh Worker",
            account_type=identity_pb2.ACCOUNT_TYPE_WORKER,
        )
        token = await auth.access_token()
    worker = signed.user.name.replace("users/", "workers/")
    for replica in (0, 1):
        # Each replica fetches the JWKS on its first token, through its own egress.
        async with Client(
            inbound(mesh_platform, "marketplace", replica), token=token, credentials=credentials(mesh, "edge")
        ) as api:
            mine = await api.marketplace.ListWorkerApplications(
                mp.ListWorkerApplicationsRequest(parent=worker), timeout=10
            )
        assert list(mine.applications) == []
        stats = envoy_stats(sidecar(mesh_platform, "marketplace", replica).ports["admin"], "cluster.out_identity.")
        assert stats["cluster.out_identity.upstream_rq_200"] >= 1
        assert stats["cluster.out_identity.ssl.handshake"] >= 1
    # The app cannot reach identity's sidecar on its own: without the mesh certificate it is refused.
    assert await get_jwks(inbound(mesh_platform, "identity")) == grpc.StatusCode.UNAVAILABLE


async def test_reissued_certificates_are_served_without_a_restart(mesh_platform):
    side = sidecar(mesh_platform, "identity", 1)
    before = served_certificate_serial(side.ports["inbound"], mesh_platform.mesh)
    identity = mesh_platform.mesh.issue("identity")
    from cryptography import x509

    expected = x509.load_pem_x509_certificate(identity.cert.read_bytes()).serial_number
    assert expected != before
    import asyncio

    for _ in range(300):  # Envoy watches the SDS file; allow a slow machine plenty of time
        if served_certificate_serial(side.ports["inbound"], mesh_platform.mesh) == expected:
            break
        await asyncio.sleep(0.1)
    assert served_certificate_serial(side.ports["inbound"], mesh_platform.mesh) == expected
    assert (
        await get_jwks(inbound(mesh_platform, "identity", 1), credentials(mesh_platform.mesh, "edge"))
        == grpc.StatusCode.OK
    )


async def test_a_sidecar_logs_the_calls_that_failed_and_not_the_ones_that_succeeded(mesh_platform):
    """Access-log cost per hop: the edge logs every request; a sidecar only failures and slow calls."""
    import asyncio
    import json

    mesh = mesh_platform.mesh
    side = sidecar(mesh_platform, "identity", 1)
    target = inbound(mesh_platform, "identity", 1)
    for _ in range(5):
        assert await get_jwks(target, credentials(mesh, "edge")) == grpc.StatusCode.OK
    assert await get_jwks(target, credentials(mesh, "identity")) == grpc.StatusCode.PERMISSION_DENIED

    def entries() -> list[dict]:
        lines = side.log.read_text(errors="replace").splitlines()
        found = []
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # Envoy's own messages
            if isinstance(entry, dict) and entry.get("method") == GET_JWKS:
                found.append(entry)
        return found

    def refused(entry: dict) -> bool:  # RBAC answers a gRPC caller PERMISSION_DENIED (7)
        return str(entry.get("grpc_status")) == "7" or str(entry.get("http_status")) == "403"

    for _ in range(60):  # Envoy flushes its access log within seconds
        logged = entries()
        if any(refused(e) for e in logged):
            break
        await asyncio.sleep(0.5)
    assert any(refused(e) for e in logged), f"the refused call was not logged: {logged[-3:]}"
    assert not [e for e in logged if str(e.get("grpc_status")) == "0"], "a call that succeeded was logged"
