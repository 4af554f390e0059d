"""Identity service process: `python -m services.identity.main`."""

from __future__ import annotations

import pathlib

import grpc

from iworkz.identity.v1 import identity_pb2, identity_pb2_grpc
from services.identity.servicer import IdentityServicer
from services.runtime import server
from services.runtime.relay import run_relay
from services.runtime.server import Resources, ServiceSpec

NAME = identity_pb2.DESCRIPTOR.services_by_name["IdentityService"].full_name


async def add_servicers(grpc_server: grpc.aio.Server, resources: Resources) -> None:
    servicer = IdentityServicer(resources)
    await servicer.ensure_signing_key()
    resources.extras["servicer"] = servicer
    identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, grpc_server)


def own_jwks(resources: Resources):
    """Identity verifies tokens with its own keys instead of calling itself."""

    async def fetch() -> list[dict]:
        return await resources.extras["servicer"].jwks()

    return fetch


SPEC = ServiceSpec(
    name="identity",
    migrations=pathlib.Path(__file__).parent / "migrations",
    grpc_services=[NAME],
    add_servicers=add_servicers,
    jwks_fetcher=own_jwks,
    background=[run_relay],
)

if __name__ == "__main__":
    server.main(SPEC)
