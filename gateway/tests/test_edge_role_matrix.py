"""The contracts' role rules through the real edge: every RPC × each role it does not allow.

No-token and bad-token cases for every RPC are in test_edge_auth.py; owner
and non-owner cases per RPC are in the services' own suites (the edge passes
the token on and the service decides).
"""

from __future__ import annotations

import grpc
import pytest
from edge_testing import grpc_credentials, sign_up

import contracts
from iworkz.auth.v1 import access_pb2
from services.runtime.access import ROLE_NAMES

SERVED = (
    "iworkz.identity.v1.IdentityService",
    "iworkz.marketplace.v1.MarketplaceService",
    "iworkz.credentials.v1.CredentialService",
    "iworkz.matching.v1.MatchingService",
)
ACCOUNT_ROLES = {"WORKER": "worker", "EMPLOYER": "employer", "ISSUER": "issuer"}


async def test_each_role_a_contract_does_not_allow_is_permission_denied(rest, edge, edge_image):
    rpcs = [r for r in contracts.load(edge_image).rpcs_of(SERVED) if r.access is not None and r.access.roles]
    assert rpcs, "no RPC declares roles"
    tokens = {role: (await sign_up(rest, kind))["tokens"]["accessToken"] for kind, role in ACCOUNT_ROLES.items()}
    channel = grpc.aio.secure_channel(edge.target, grpc_credentials(edge))
    checked = 0
    try:
        for rpc in rpcs:
            allowed = {ROLE_NAMES[r] for r in rpc.access.roles}
            call = channel.unary_unary(rpc.grpc_path, request_serializer=lambda b: b, response_deserializer=lambda b: b)
            for role, token in tokens.items():
                if role in allowed:
                    continue
                with pytest.raises(grpc.aio.AioRpcError) as caught:
                    await call(b"", metadata=[("authorization", f"Bearer {token}")], timeout=10)
                assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED, (rpc.grpc_path, role)
                checked += 1
    finally:
        await channel.close()
    assert checked >= len(rpcs)
    assert access_pb2.ROLE_ADMIN in {r for rpc in rpcs for r in rpc.access.roles}
