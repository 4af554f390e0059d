"""Marketplace service process: `python -m services.marketplace.main`."""

from __future__ import annotations

import pathlib

import grpc

from iworkz.marketplace.v1 import marketplace_pb2, marketplace_pb2_grpc
from services.marketplace import public_cache
from services.marketplace.servicer import MarketplaceServicer
from services.runtime import server
from services.runtime.consumer import consumer_task
from services.runtime.relay import run_relay
from services.runtime.server import Resources, ServiceSpec

NAME = marketplace_pb2.DESCRIPTOR.services_by_name["MarketplaceService"].full_name


async def add_servicers(grpc_server: grpc.aio.Server, resources: Resources) -> None:
    public_cache.create(resources)
    marketplace_pb2_grpc.add_MarketplaceServiceServicer_to_server(MarketplaceServicer(resources), grpc_server)


SPEC = ServiceSpec(
    name="marketplace",
    migrations=pathlib.Path(__file__).parent / "migrations",
    grpc_services=[NAME],
    add_servicers=add_servicers,
    background=[
        run_relay,
        public_cache.listen,
        public_cache.follow_invalidations,
        consumer_task(public_cache.CONSUMER, ["marketplace"], public_cache.invalidator, start_id="$"),
    ],
)

if __name__ == "__main__":
    server.main(SPEC)
