"""Credential service process: `python -m services.credentials.main`."""

from __future__ import annotations

import pathlib

import grpc

from iworkz.credentials.v1 import credentials_pb2, credentials_pb2_grpc
from services.credentials.anchoring import Anchorer
from services.credentials.chain.client import AnchorChain
from services.credentials.config import CredentialsConfig
from services.credentials.domain import canonical
from services.credentials.environment import ServiceEnvironment
from services.credentials.issuers import Issuers
from services.credentials.servicer import CredentialServicer
from services.runtime import server
from services.runtime.fanout import Fanout
from services.runtime.relay import run_relay
from services.runtime.server import Resources, ServiceSpec

NAME = credentials_pb2.DESCRIPTOR.services_by_name["CredentialService"].full_name


async def add_servicers(grpc_server: grpc.aio.Server, resources: Resources) -> None:
    config = CredentialsConfig.from_settings(resources.settings)
    canonicalize = canonical.default()
    issuers = Issuers(resources.db, resources.cipher, config, canonicalize)
    chain = (
        AnchorChain(config.chain_url, config.chain_private_key, config.anchor_contract) if config.chain_url else None
    )
    anchorer = Anchorer(
        resources.db, chain, config.anchor_interval_seconds, config.anchor_batch_size, config.anchor_contract
    )
    environment = ServiceEnvironment(resources.db, issuers, config, canonicalize, chain)
    live = Fanout(resources.redis, resources.redis.key("live", "credentials"))
    resources.extras.update(config=config, anchorer=anchorer, live=live, issuers=issuers, environment=environment)
    credentials_pb2_grpc.add_CredentialServiceServicer_to_server(
        CredentialServicer(resources, config, issuers, environment, anchorer, live), grpc_server
    )


async def anchor_credentials(resources: Resources) -> None:
    """Batch pending credential digests into Merkle trees and anchor their roots on chain."""
    await resources.extras["anchorer"].run()


async def listen_live(resources: Resources) -> None:
    """Feed this replica's `WatchStatus` streams from the Redis fan-out channel."""
    await resources.extras["live"].run()


SPEC = ServiceSpec(
    name="credentials",
    migrations=pathlib.Path(__file__).parent / "migrations",
    grpc_services=[NAME],
    add_servicers=add_servicers,
    background=[run_relay, anchor_credentials, listen_live],
)

if __name__ == "__main__":
    server.main(SPEC)
