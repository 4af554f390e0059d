"""The service learns its caller's mesh identity from its sidecar, and nobody can forge it.

Identity runs in this test process (so the test can see what the runtime
decided) behind a real sidecar Envoy; a real marketplace sidecar plays the
calling side: its egress listener is what the marketplace app would use. The
sidecar replaces any `x-forwarded-client-cert` a caller sends with the
identity of the certificate it verified, and the runtime
(IWORKZ_TRUST_XFCC) turns that into `service_identity`.
"""

from __future__ import annotations

import asyncio

import grpc
import pytest
from mesh_probes import credentials, get_jwks

from devstack import Platform, admin_ready, ports
from services.identity.servicer import IdentityServicer
from services.runtime import context

FORGED = "By=spiffe://iworkz.local/ns/iworkz/sa/identity;URI=spiffe://iworkz.local/ns/iworkz/sa/matching"


@pytest.fixture(scope="module")
async def seen_by_identity(tmp_path_factory, make_settings):
    """(platform, list of (service_identity, x-forwarded-client-cert) for each GetJwks identity served)."""
    from services.identity.main import SPEC
    from services.runtime import server

    root = tmp_path_factory.mktemp("xfcc")
    topology = ports.relocated_copy(root / "topology.yaml", replicas={"identity": 1, "marketplace": 1})
    platform = Platform(root / "state", topology, start_timeout=180)
    platform.start_mesh()
    seen: list[tuple[str, str]] = []
    original = IdentityServicer.GetJwks

    async def get_jwks_seen(self, request, context_):
        xfcc = dict(context_.invocation_metadata()).get("x-forwarded-client-cert", "")
        seen.append((context.current().service_identity, xfcc))
        return await original(self, request, context_)

    settings = make_settings(
        "identity", IDENTITY_GRPC_PORT=str(topology.services["identity"].port("app", 0)), IWORKZ_TRUST_XFCC="1"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(IdentityServicer, "GetJwks", get_jwks_seen)
        async with server.running(SPEC, settings):
            try:
                platform.start_sidecars()
                # Blocking probes run in a thread: the service answering them runs on this loop.
                await asyncio.to_thread(platform.wait_ready, [platform.proc("identity", 0, "sidecar")])
                marketplace_admin = platform.proc("marketplace", 0, "sidecar").ports["admin"]
                for _ in range(600):
                    if await asyncio.to_thread(admin_ready, marketplace_admin):
                        break
                    await asyncio.sleep(0.1)
                yield platform, seen
            finally:
                await asyncio.to_thread(platform.stop)


def _targets(platform) -> tuple[str, str]:
    inbound = platform.proc("identity", 0, "sidecar").ports["inbound"]
    egress = platform.proc("marketplace", 0, "sidecar").ports["egress"]
    return f"127.0.0.1:{inbound}", f"127.0.0.1:{egress}"


async def last_seen(seen, call) -> tuple[str, str]:
    count = len(seen)
    assert await call() == grpc.StatusCode.OK
    assert len(seen) == count + 1
    return seen[-1]


async def test_a_call_through_the_egress_carries_the_callers_identity(seen_by_identity):
    platform, seen = seen_by_identity
    _, egress = _targets(platform)
    identity, xfcc = await last_seen(seen, lambda: get_jwks(egress))
    assert identity == "marketplace"
    assert f"URI={platform.topology.spiffe_id('marketplace')}" in xfcc


async def test_a_forged_client_certificate_header_is_replaced(seen_by_identity):
    platform, seen = seen_by_identity
    inbound, egress = _targets(platform)
    # The edge (a permitted caller) claims to be matching: the sidecar says who it really is.
    identity, xfcc = await last_seen(
        seen,
        lambda: get_jwks(inbound, credentials(platform.mesh, "edge"), metadata=(("x-forwarded-client-cert", FORGED),)),
    )
    assert identity == "edge"
    assert "matching" not in xfcc
    # The marketplace app cannot claim another identity through its egress either.
    identity, xfcc = await last_seen(seen, lambda: get_jwks(egress, metadata=(("x-forwarded-client-cert", FORGED),)))
    assert identity == "marketplace"
    assert "matching" not in xfcc
