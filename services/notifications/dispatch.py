"""The dispatcher: sends the pending rows of `deliveries` through their channels.

Deliveries are written in the same transaction as the notification, so a
message is sent if and only if the event was handled. Any replica may send:
rows are locked with SKIP LOCKED while being sent. A failed send is retried
with backoff and given up (`failed`) after `max_attempts`. A crash between
sending and recording it resends the message (at least once); the email's
Message-ID is the delivery id, so the copies are recognisably one message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from prometheus_client import Counter, Gauge

from services.notifications import store
from services.notifications.delivery import Delivery, Outgoing
from services.runtime.backoff import Backoff
from services.runtime.cancellation import raise_if_cancelled
from services.runtime.db import Database

# The longest wait between two attempts of one delivery.
MAX_RETRY_WAIT_SECONDS = 3600.0

log = logging.getLogger(__name__)

SENT = Counter(
    "iworkz_notifications_deliveries_total", "Delivery attempts by channel and outcome", ["channel", "outcome"]
)

LAG = Gauge(
    "iworkz_notifications_delivery_lag_seconds",
    "How long the oldest delivery that is due has waited past its time (0: none waiting)",
)


class Dispatcher:
    def __init__(
        self,
        db: Database,
        channels: list[Delivery],
        max_attempts: int = 8,
        retry_base_seconds: float = 5.0,
        poll_seconds: float = 2.0,
        batch: int = 50,
        concurrency: int = 8,
    ) -> None:
        self.db = db
        self.channels = {c.channel: c for c in channels}
        self.max_attempts = max_attempts
        self.retry_base = retry_base_seconds
        self.poll = poll_seconds
        self.batch = batch
        self.concurrency = concurrency
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New deliveries were committed: send them now rather than at the next poll."""
        self._wake.set()

    def retry_in(self, attempts: int) -> timedelta | None:
        """Wait before the next attempt after `attempts` failures; None to give up."""
        if attempts >= self.max_attempts:
            return None
        return timedelta(seconds=Backoff(self.retry_base, MAX_RETRY_WAIT_SECONDS).delay(attempts))

    async def send_due(self) -> int:
        """Send one batch of due deliveries; return how many were attempted.

        The batch's messages go out concurrently (at most `concurrency` at a time): one slow
        or dead address must not hold up the rest. Outcomes are recorded in the transaction
        that locked the rows, once every send of the batch has finished.
        """
        if not self.channels:
            return 0
        async with self.db.transaction() as conn:
            LAG.set(await store.delivery_lag_seconds(conn, list(self.channels)))
            rows = await store.due_deliveries(conn, list(self.channels), self.batch)
            gate = asyncio.Semaphore(self.concurrency)

            async def attempt(row: store.Delivery) -> BaseException | None:
                message = Outgoing(str(row.id), row.address, row.subject, row.body, row.language)
                async with gate:
                    try:
                        await self.channels[row.channel].send(message)
                    except asyncio.CancelledError:
                        raise
                    except Exception as err:
                        return err
                return None

            outcomes = await asyncio.gather(*(attempt(row) for row in rows))
            for row, err in zip(rows, outcomes, strict=True):
                if err is None:
                    await store.delivery_sent(conn, row.id)
                    SENT.labels(row.channel, "sent").inc()
                    continue
                error = f"{type(err).__name__}: {err}"
                retry = self.retry_in(row.attempts + 1)
                await store.delivery_failed(conn, row.id, error, retry)
                SENT.labels(row.channel, "retry" if retry else "failed").inc()
                log.warning(
                    "delivery failed",
                    extra={
                        "delivery_id": str(row.id),
                        "channel": row.channel,
                        "attempt": row.attempts + 1,
                        "error": error,
                    },
                )
        return len(rows)

    async def run(self) -> None:
        """Send until cancelled (a background task)."""
        while True:
            raise_if_cancelled()
            self._wake.clear()  # before reading, so a wake-up during the read is not lost
            try:
                sent = await self.send_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("dispatcher could not read deliveries; retrying", exc_info=True)
                sent = 0
            if sent < self.batch:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll)
