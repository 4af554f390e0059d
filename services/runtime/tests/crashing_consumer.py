"""A consumer process that kills itself (SIGKILL) while handling one chosen event.

Used by test_consumer.py: `python -m services.runtime.tests.crashing_consumer
DATABASE_URL SCHEMA REDIS_URL PREFIX MODE EVENT_ID`, where MODE is
`before-commit` (the handler's effect is written, the transaction is open)
or `after-commit` (committed, not yet acknowledged in Redis).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from iworkz.identity.v1 import events_pb2
from services.runtime.consumer import Consumer, ConsumerOptions
from services.runtime.db import Database
from services.runtime.redisconn import RedisClient


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def main(database_url: str, schema: str, redis_url: str, prefix: str, mode: str, victim: str) -> None:
    db = Database(database_url, schema)
    await db.open()
    redis = RedisClient(redis_url, prefix)

    async def handler(tx, event):
        # The same effect as test_consumer.recording_handler: the user's id.
        user = event.payload(events_pb2.UserSignedUp).user.split("/")[1]
        await tx.conn.execute("INSERT INTO effects (event_id) VALUES (%s)", (user,))
        if event.id == victim:
            if mode == "before-commit":
                die()

            async def after() -> None:
                die()

            tx.after_commit(after)

    consumer = Consumer(db, redis, "crashy", ["svc"], handler, ConsumerOptions(block_seconds=0.2), member="doomed")
    await consumer.ensure_groups()
    print("ready", flush=True)
    while True:
        await consumer.step()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:7]))
