"""The outbox relay: publishes a service's outbox rows to its Redis stream.

Rows are read in `seq` order by one relay at a time per schema (an advisory
lock), added to the stream `<prefix>events:<service>` in one MULTI/EXEC, and
marked published only after Redis acknowledged them. If Redis is down the
transaction rolls back and the rows wait; if the process dies between the
XADD and the commit, the rows are published again — delivery is
at-least-once, and consumers deduplicate by the envelope id.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from services.runtime.backoff import RECONNECT, Backoff, Retry
from services.runtime.cancellation import raise_if_cancelled
from services.runtime.db import Database
from services.runtime.redisconn import RedisClient

log = logging.getLogger(__name__)


def stream_name(redis: RedisClient, service: str) -> str:
    return redis.key("events", service)


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        redis: RedisClient,
        service: str,
        batch: int = 200,
        idle_seconds: float = 0.1,
        backoff: Backoff = RECONNECT,
    ) -> None:
        self.db = db
        self.redis = redis
        self.stream = stream_name(redis, service)
        self.batch = batch
        self.idle = idle_seconds
        self.backoff = backoff  # while Redis or PostgreSQL is unavailable

    async def publish_once(self) -> int:
        """Publish up to one batch; return how many rows were published."""
        async with self.db.transaction() as conn:
            locked = await (
                await conn.execute(
                    "SELECT pg_try_advisory_xact_lock(hashtext(%s)) AS ok", (f"iworkz.relay.{self.db.schema}",)
                )
            ).fetchone()
            if locked is None or not locked["ok"]:
                return 0
            rows = await (
                await conn.execute(
                    "SELECT seq, id, aggregate_type, aggregate_id, event_type, envelope FROM outbox"
                    " WHERE published_at IS NULL ORDER BY seq LIMIT %s",
                    (self.batch,),
                )
            ).fetchall()
            if not rows:
                return 0
            pipe = self.redis.client.pipeline(transaction=True)
            for row in rows:
                pipe.xadd(
                    self.stream,
                    {
                        "id": str(row["id"]),
                        "type": row["event_type"],
                        "aggregate_type": row["aggregate_type"],
                        "aggregate_id": row["aggregate_id"],
                        "envelope": bytes(row["envelope"]),
                    },
                )
            await pipe.execute()
            await conn.execute(
                "UPDATE outbox SET published_at = now() WHERE seq = ANY(%s)", ([r["seq"] for r in rows],)
            )
        return len(rows)

    async def run(self) -> None:
        """Publish until cancelled, backing off while Redis or PostgreSQL is unavailable."""
        retry = Retry(self.backoff)
        while True:
            raise_if_cancelled()
            try:
                published = await self.publish_once()
                retry.succeeded()
            except asyncio.CancelledError:
                raise
            except Exception:
                wait = retry.failed()
                log.warning("outbox relay could not publish; retrying", exc_info=True, extra={"retry_in_seconds": wait})
                await asyncio.sleep(wait)
                continue
            if published < self.batch:
                await asyncio.sleep(self.idle)


async def run_relay(resources: Any) -> None:
    """Background task for a ServiceSpec: relay this service's outbox."""
    await OutboxRelay(resources.db, resources.redis, resources.settings.service).run()
