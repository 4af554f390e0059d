"""Matching service process: `python -m services.matching.main`."""

from __future__ import annotations

import asyncio
import pathlib

import grpc

from iworkz.matching.v1 import matching_pb2, matching_pb2_grpc
from services.matching.config import MatchingConfig
from services.matching.domain.retrieval import SlotIndex
from services.matching.embeddings import EmbedClient
from services.matching.event_handler import CONSUMER, SOURCES, ProjectionWriter
from services.matching.learning import Learner
from services.matching.pgvector_index import PgVectorIndex, PgVectorSlots
from services.matching.projection import DIM, Projection
from services.matching.servicer import MatchingServicer
from services.matching.vectors import Embedder
from services.matching.watch import MatchWatch
from services.runtime import server
from services.runtime.consumer import consumer_task
from services.runtime.fanout import Fanout
from services.runtime.relay import run_relay
from services.runtime.server import Resources, ServiceSpec

NAME = matching_pb2.DESCRIPTOR.services_by_name["MatchingService"].full_name


async def add_servicers(grpc_server: grpc.aio.Server, resources: Resources) -> None:
    config = MatchingConfig.from_settings(resources.settings)
    fanout = Fanout(resources.redis, resources.redis.key("live", "matching"))
    if config.index == "pgvector":
        # The job vectors and their HNSW graph in PostgreSQL (the service's database unless
        # MATCHING_PGVECTOR_URL names another with the vector extension); a small async pool a
        # replica: every query is awaited (services/matching/recommend.py), none blocks the loop.
        url = config.pgvector_url or resources.settings.database_url
        vectors = await PgVectorIndex.connect(url, DIM)
        resources.extras["pgvector"] = vectors

        def attach(index: SlotIndex) -> None:
            assert isinstance(index, PgVectorSlots)
            index.attach(vectors)

        projection = Projection(
            resources.db, fanout, reads=resources.reads, index=lambda: PgVectorSlots(vectors), attach=attach
        )
    else:
        projection = Projection(resources.db, fanout, reads=resources.reads)
    if config.snapshot_path:
        projection.snapshot_path = pathlib.Path(config.snapshot_path)
    watch = MatchWatch(projection, config.watch_floor, config.strong_match, config.watch_per_job)
    # The agent through matching's sidecar egress (plaintext to the local sidecar, which adds mTLS).
    client = EmbedClient(grpc.aio.insecure_channel(config.agent)) if config.agent else None
    embedder = Embedder(resources.db, projection, client, watch)
    learner = Learner(resources.db, projection, config.learn_seconds)
    resources.extras.update(
        config=config, fanout=fanout, projection=projection, watch=watch, embedder=embedder, learner=learner
    )
    matching_pb2_grpc.add_MatchingServiceServicer_to_server(
        MatchingServicer(resources, projection, config.heartbeat_seconds), grpc_server
    )


async def listen(resources: Resources) -> None:
    """The fan-out listener that feeds the projection's changes on every replica."""
    await resources.extras["fanout"].run()


async def embed(resources: Resources) -> None:
    """This replica's share of the queued texts, embedded by the agent in batches."""
    await resources.extras["embedder"].run()


async def learn(resources: Resources) -> None:
    """Re-learn the weights from feedback now and then (one replica at a time)."""
    await resources.extras["learner"].run()


async def snapshots(resources: Resources) -> None:
    """Rewrite the projection's snapshot now and then (MATCHING_SNAPSHOT_PATH)."""
    await resources.extras["projection"].keep_snapshots(resources.extras["config"].snapshot_seconds)


async def close_index(resources: Resources) -> None:
    """Hold pgvector's pool while the service runs (MATCHING_INDEX=pgvector); close it at the end."""
    try:
        await asyncio.Event().wait()
    finally:
        vectors = resources.extras.get("pgvector")
        if vectors is not None:
            await vectors.aclose()


async def follow(resources: Resources) -> None:
    """Load the projection from PostgreSQL, then follow its changes."""
    await resources.extras["projection"].follow()


SPEC = ServiceSpec(
    name="matching",
    migrations=pathlib.Path(__file__).parent / "migrations",
    grpc_services=[NAME],
    # AllocateCohort: a cohort over the limits must arrive whole to be answered INVALID_ARGUMENT naming
    # them (the edge lets it through for this method only: topology edge.upload_limits).
    min_message_bytes=8 * 1024 * 1024 + 64 * 1024,
    add_servicers=add_servicers,
    background=[
        listen,
        follow,
        consumer_task(
            CONSUMER,
            SOURCES,
            lambda resources: ProjectionWriter(
                resources.extras["projection"], resources.extras["watch"], resources.extras["embedder"]
            ),
        ),
        run_relay,
        embed,
        learn,
        snapshots,
        close_index,
    ],
)

if __name__ == "__main__":
    server.main(SPEC)
