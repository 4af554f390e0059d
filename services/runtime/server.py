"""Build, run and drain a service's gRPC server from one settings object.

A service supplies a `ServiceSpec`: its name, its migrations, the gRPC
services it serves and a coroutine that adds its servicers. Everything else
(pool, Redis, field cipher, token verification, interceptors, health,
reflection, metrics, graceful drain on SIGTERM) happens here, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import pathlib
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.runtime import datakeys, logs, retention, telemetry
from services.runtime.db import Database
from services.runtime.fieldcrypt import FieldCipher
from services.runtime.idempotency import IdempotentCalls
from services.runtime.interceptors import build_interceptors
from services.runtime.migrations import RUNTIME_MIGRATIONS, migrate
from services.runtime.redisconn import RedisClient
from services.runtime.replica import ReadRouter, RedisFences
from services.runtime.revocations import Revocations
from services.runtime.settings import Settings
from services.runtime.tokens import JwksCache, TokenVerifier

log = logging.getLogger(__name__)


@dataclass
class Resources:
    """What a servicer gets: its settings, database, Redis, cipher, token verifier and revoked subjects."""

    settings: Settings
    db: Database
    redis: RedisClient
    cipher: FieldCipher
    verifier: TokenVerifier
    revocations: Revocations
    extras: dict[str, Any] = field(default_factory=dict)
    # Reads that may go to DATABASE_REPLICA_URL (runtime.replica); the primary when there is none.
    reads: ReadRouter = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.reads is None:
            self.reads = ReadRouter(self.db)


@dataclass
class ServiceSpec:
    name: str
    migrations: pathlib.Path
    # Fully qualified gRPC service names served (for health and reflection).
    grpc_services: list[str]
    # Adds the servicers to the server; may stash objects in resources.extras.
    add_servicers: Callable[[grpc.aio.Server, Resources], Awaitable[None]]
    # Where public signing keys come from; default: identity's GetJwks over gRPC.
    jwks_fetcher: Callable[[Resources], Callable[[], Awaitable[list[dict[str, Any]]]]] | None = None
    # Background tasks started with the server and cancelled on drain.
    background: list[Callable[[Resources], Coroutine[Any, Any, None]]] = field(default_factory=list)
    # The largest message the service takes, if more than IWORKZ_MAX_MESSAGE_BYTES (an upload sent
    # over REST arrives as one message).
    min_message_bytes: int = 0


def identity_jwks_fetcher(target: str) -> Callable[[], Awaitable[list[dict[str, Any]]]]:
    """Fetch the JWKS from identity's GetJwks RPC."""
    from google.protobuf.json_format import MessageToDict

    from iworkz.identity.v1 import identity_pb2, identity_pb2_grpc

    async def fetch() -> list[dict[str, Any]]:
        async with grpc.aio.insecure_channel(target) as channel:
            stub = identity_pb2_grpc.IdentityServiceStub(channel)
            response = await stub.GetJwks(identity_pb2.GetJwksRequest(), timeout=5)
        return [MessageToDict(k, preserving_proto_field_name=True) for k in response.keys]

    return fetch


class _LateFetcher:
    """Lets the JWKS source be chosen after Resources exist (identity serves its own keys)."""

    def __init__(self) -> None:
        self.fetch: Callable[[], Awaitable[list[dict[str, Any]]]] | None = None

    async def __call__(self) -> list[dict[str, Any]]:
        assert self.fetch is not None
        return await self.fetch()


@dataclass
class RunningService:
    spec: ServiceSpec
    server: grpc.aio.Server
    port: int
    resources: Resources
    health: object
    tasks: list[asyncio.Task[None]]
    draining: dict[str, bool] = field(default_factory=dict)

    @property
    def target(self) -> str:
        return f"{self.resources.settings.grpc_host}:{self.port}"

    async def stop(self, grace: float | None = None) -> None:
        """Drain: report NOT_SERVING, finish in-flight RPCs within the grace period, close.

        Every step after the grace period is bounded (`STOP_STEP_SECONDS`): a background task that does
        not end when cancelled, or a pool that does not close, is logged by name and left behind, so a
        drain always ends (an orchestrator would kill the process anyway; a test run must go on).
        """
        grace = self.resources.settings.drain_seconds if grace is None else grace
        self.draining["now"] = True
        await _set_health(self.health, self.spec, health_pb2.HealthCheckResponse.NOT_SERVING)
        await _bounded(self.server.stop(grace), grace + STOP_STEP_SECONDS, "the gRPC server's stop")
        for task in self.tasks:
            task.cancel()
        if self.tasks:
            _, pending = await asyncio.wait(self.tasks, timeout=STOP_STEP_SECONDS)
            for task in pending:
                log.error("background task did not stop when cancelled", extra={"task": task.get_name()})
        await _bounded(self.resources.redis.close(), STOP_STEP_SECONDS, "closing Redis")
        await _bounded(self.resources.db.close(), STOP_STEP_SECONDS, "closing the database pool")
        if self.resources.reads.replica is not None:
            await _bounded(self.resources.reads.replica.close(), STOP_STEP_SECONDS, "closing the replica pool")


# How long each step of a drain after the grace period may take before it is given up (logged).
STOP_STEP_SECONDS = 10.0


async def _bounded(step: Awaitable[Any], seconds: float, what: str) -> None:
    try:
        await asyncio.wait_for(step, seconds)
    except TimeoutError:
        log.error("a step of the drain did not end in time", extra={"step": what, "seconds": seconds})


async def _set_health(servicer: Any, spec: ServiceSpec, status: Any) -> None:
    for name in ["", *spec.grpc_services]:
        await servicer.set(name, status)


async def start(spec: ServiceSpec, settings: Settings) -> RunningService:
    """Migrate, open resources, and start serving; returns once the port is bound."""
    applied = await migrate(
        settings.database_url, settings.db_schema, [("runtime", RUNTIME_MIGRATIONS), (spec.name, spec.migrations)]
    )
    if applied:
        log.info("migrations applied", extra={"migrations": applied})
    db = Database(
        settings.database_url,
        settings.db_schema,
        min_size=settings.db_pool_min_size,
        max_size=settings.db_pool_max_size,
    )
    await db.open()
    redis = RedisClient(settings.redis_url, settings.redis_prefix, pool_size=settings.redis_pool_size)
    cipher = await datakeys.load_cipher(db, settings.master_keys)
    late = _LateFetcher()
    revocations = Revocations(redis)
    verifier = TokenVerifier(
        JwksCache(late), settings.jwt_issuer, settings.jwt_audience, revoked=revocations.is_revoked
    )
    reads = ReadRouter(db)
    if settings.database_replica_url:
        replica = Database(
            settings.database_replica_url,
            settings.db_schema,
            min_size=settings.db_pool_min_size,
            max_size=settings.db_pool_max_size,
        )
        await replica.pool.open(wait=False)  # a replica still starting must not stop the service
        reads = ReadRouter(db, replica, RedisFences(redis, ttl_seconds=30))
    resources = Resources(settings, db, redis, cipher, verifier, revocations, reads=reads)
    late.fetch = spec.jwks_fetcher(resources) if spec.jwks_fetcher else identity_jwks_fetcher(settings.identity_target)

    options = [
        ("grpc.max_receive_message_length", max(settings.max_message_bytes, spec.min_message_bytes)),
        ("grpc.max_send_message_length", settings.max_message_bytes),
        # Off unless asked: a second process on a port in use must fail, not silently share it.
        ("grpc.so_reuseport", 1 if settings.reuse_port else 0),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    ]
    server = grpc.aio.server(
        interceptors=build_interceptors(
            spec.name, verifier, settings.trust_forwarded_client_cert, IdempotentCalls(db, cipher)
        ),
        options=options,
    )
    await spec.add_servicers(server, resources)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection([*spec.grpc_services, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    port = server.add_insecure_port(f"{settings.grpc_host}:{settings.grpc_port}")
    if port == 0:
        raise RuntimeError(f"could not bind {settings.grpc_host}:{settings.grpc_port}")
    await server.start()
    await _set_health(health_servicer, spec, health_pb2.HealthCheckResponse.SERVING)
    tasks = [asyncio.create_task(job(resources), name=f"{spec.name}:{job.__name__}") for job in spec.background]
    tasks.append(
        asyncio.create_task(datakeys.keep_fresh(db, settings.master_keys, cipher), name=f"{spec.name}:data-keys")
    )
    tasks.append(asyncio.create_task(retention.retention_task(resources), name=f"{spec.name}:retention"))
    draining = {"now": False}

    async def database_changed(available: bool) -> None:
        if not draining["now"]:  # a draining replica stays NOT_SERVING
            status = health_pb2.HealthCheckResponse.SERVING if available else health_pb2.HealthCheckResponse.NOT_SERVING
            await _set_health(health_servicer, spec, status)
            log.warning("health follows the database", extra={"serving": available})

    tasks.append(asyncio.create_task(db.watch(database_changed), name=f"{spec.name}:database-watch"))
    log.info("serving", extra={"address": f"{settings.grpc_host}:{port}"})
    return RunningService(spec, server, port, resources, health_servicer, tasks, draining)


@contextlib.asynccontextmanager
async def running(spec: ServiceSpec, settings: Settings) -> AsyncIterator[RunningService]:
    """Serve for the duration of a block (used by tests and the launcher)."""
    service = await start(spec, settings)
    try:
        yield service
    finally:
        await service.stop(grace=1.0)


def tune_gc(young_threshold: int) -> None:
    """Make the cyclic garbage collector cheap for a serving process.

    What exists once the server is up (modules, descriptors, pools) lives as
    long as the process: `gc.freeze()` takes it out of every later
    collection. A young-generation collection every `young_threshold`
    allocations instead of every 700 means far fewer collections (the
    per-call and per-event objects are mostly freed by reference counting
    anyway), and so far fewer of the full collections that walk every live
    object (a profile of the notifications consumer under load spent 15 % of
    its CPU in the collector). 0 keeps Python's default thresholds.
    """
    gc.collect()
    gc.freeze()
    if young_threshold:
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(young_threshold, older, oldest)


def main(spec: ServiceSpec) -> None:
    """Process entry point: settings from the environment, serve until SIGTERM/SIGINT."""
    # Only a service that fetches signing keys from identity needs to know where identity is.
    settings = Settings.from_env(spec.name, needs_identity=spec.jwks_fetcher is None)
    logs.configure(spec.name, settings.log_level)
    telemetry.configure_tracing(spec.name, settings.otlp_endpoint)
    telemetry.serve_metrics(settings.grpc_host, settings.metrics_port)

    async def serve() -> None:
        service = await start(spec, settings)
        tune_gc(settings.gc_young_threshold)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        print(f"{spec.name} listening on {service.target}", flush=True)
        await stop.wait()
        log.info("draining", extra={"grace_seconds": settings.drain_seconds})
        await service.stop()

    if settings.event_loop == "uvloop":
        import uvloop

        uvloop.run(serve())
    else:
        asyncio.run(serve())
