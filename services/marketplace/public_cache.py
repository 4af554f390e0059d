"""The public-read cache of marketplace: anonymous job pages and searches (runtime.hotcache).

Any job event (published, updated, closed) changes what anonymous readers may see, so the
consumer below starts a new cache generation on every replica when one is handled. A job
event is handled by one replica of the consumer group; the generation reaches the others
through the cache's fan-out channel.
"""

from __future__ import annotations

from typing import Any

from iworkz.marketplace.v1 import events_pb2
from services.runtime.consumer import Event, Transaction
from services.runtime.fanout import Fanout
from services.runtime.hotcache import HotCache
from services.runtime.server import Resources

CONSUMER = "marketplace-public-cache"
_JOB_EVENTS = {m.DESCRIPTOR.full_name for m in (events_pb2.JobPublished, events_pb2.JobUpdated, events_pb2.JobClosed)}


def create(resources: Resources) -> HotCache:
    fanout = Fanout(resources.redis, resources.redis.key("live", "marketplace-cache"))
    cache = HotCache(resources.redis, fanout, "marketplace-public")
    resources.extras.update(public_cache=cache, public_cache_fanout=fanout)
    return cache


async def listen(resources: Resources) -> None:
    """The cache's fan-out listener (a background task)."""
    await resources.extras["public_cache_fanout"].run()


async def follow_invalidations(resources: Resources) -> None:
    """Other replicas' new generations (a background task)."""
    await resources.extras["public_cache"].listen()


def invalidator(resources: Resources) -> Any:
    cache: HotCache = resources.extras["public_cache"]

    async def handle(tx: Transaction, event: Event) -> None:
        if event.type in _JOB_EVENTS and not tx.state.get("invalidating"):
            tx.state["invalidating"] = True
            tx.after_commit(cache.invalidate)

    return handle
