"""Anchoring credential digests on chain, in batches, surviving restarts.

Issuance only inserts the digest into `anchor_leaves` (same transaction as
the credential). This worker, on every replica, wakes every
`CREDENTIALS_ANCHOR_INTERVAL_SECONDS` or when `CREDENTIALS_ANCHOR_BATCH_SIZE`
digests wait, and then, holding a PostgreSQL advisory lock so one replica
anchors at a time (one sender keeps the account's nonces in order):

1. builds a batch from the oldest pending digests: the Merkle root and each
   leaf's proof are stored in one transaction (state `built`);
2. sends one `anchor(root, count)` transaction per built batch and stores the
   transaction and block (state `anchored`), emitting `CredentialsAnchored`.

A crash between 1 and 2 leaves a built batch, which is sent on the next
round; a crash after the chain accepted the root but before step 2 was
recorded is caught by asking the contract first (a root is recorded at
most once there). The chain being down leaves batches built and retried
with backoff; issuance never waits for it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from prometheus_client import Gauge

from iworkz.credentials.v1 import events_pb2
from services.credentials import store
from services.credentials.chain.client import AnchorChain, Anchored, ChainUnavailable
from services.credentials.domain import merkle
from services.runtime.backoff import Backoff, Retry
from services.runtime.cancellation import raise_if_cancelled
from services.runtime.db import Database
from services.runtime.outbox import emit

log = logging.getLogger(__name__)
_LOCK_KEY = 0x1C0DE_A4C0  # advisory lock id: one anchorer at a time
MAX_BACKOFF_SECONDS = 30.0
BACKLOG = Gauge("iworkz_credentials_anchor_backlog", "Credential digests issued and not anchored on chain yet")
BACKLOG_AGE = Gauge(
    "iworkz_credentials_anchor_backlog_age_seconds", "Age of the oldest credential digest not anchored yet (0: none)"
)


class Anchorer:
    def __init__(
        self, db: Database, chain: AnchorChain | None, interval: float, batch_size: int, configured_contract: str = ""
    ) -> None:
        self.db, self.chain, self.interval, self.batch_size = db, chain, interval, batch_size
        self.configured_contract = configured_contract
        self.wake = asyncio.Event()
        self.chain_id: int | None = None
        self.issued_since_round = 0

    def nudge(self) -> None:
        """A credential was issued here: wake up early once a full batch waits."""
        self.issued_since_round += 1
        if self.issued_since_round >= self.batch_size:
            self.wake.set()

    async def ensure_registry(self) -> str:
        """The AnchorRegistry address: configured, remembered for this chain, or deployed now."""
        assert self.chain is not None
        if self.chain.address and self.chain_id is not None:
            return self.chain.address
        self.chain_id = await self.chain.chain_id()
        address = self.configured_contract
        if not address:
            async with self.db.connection() as conn:
                address = await store.registry_address(conn, self.chain_id) or ""
        if address:
            self.chain.address = address
            if await self.chain.is_registry():
                return address
            log.warning("no AnchorRegistry at %s on chain %s (a fresh chain?); deploying one", address, self.chain_id)
        address = await self.chain.deploy()
        async with self.db.connection() as conn:
            await store.save_registry_address(conn, self.chain_id, address)
        log.info("deployed AnchorRegistry", extra={"address": address, "chain_id": self.chain_id})
        return address

    async def build_batch(self, minimum: int = 1) -> int:
        """Take up to `batch_size` pending digests into a new batch if at least `minimum` wait;
        how many it took (0: none)."""
        async with self.db.transaction() as conn:
            leaves = await store.pending_leaves(conn, self.batch_size)
            if not leaves or len(leaves) < minimum:
                return 0
            digests = [bytes(leaf["digest"]) for leaf in leaves]
            await store.insert_batch(conn, merkle.root(digests), digests, merkle.proofs(digests))
            return len(digests)

    async def send_batches(self) -> int:
        """Anchor every built batch; returns how many were anchored."""
        assert self.chain is not None
        address = await self.ensure_registry()
        anchored = 0
        async with self.db.transaction() as conn:
            batches = await store.unanchored_batches(conn)
        for batch in batches:
            root = bytes(batch["root"])
            found = await self.chain.find(root)
            if found is None:
                try:
                    found = await self.chain.anchor(root, batch["leaf_count"])
                except ChainUnavailable as error:
                    async with self.db.connection() as conn:
                        await store.batch_failed(conn, batch["id"], str(error))
                    # Recorded by someone (an earlier attempt whose receipt we lost)?
                    found = await self.chain.find(root)
                    if found is None:
                        raise
            await self._record(batch, found, address)
            anchored += 1
        return anchored

    async def _record(self, batch: dict, found: Anchored, address: str) -> None:
        assert self.chain_id is not None
        async with self.db.transaction() as conn:
            await store.batch_anchored(conn, batch["id"], self.chain_id, address, found.transaction, found.block)
            members = await store.batch_credentials(conn, batch["id"])
            await emit(
                conn,
                "credentials",
                "anchor_batch",
                str(batch["id"]),
                events_pb2.CredentialsAnchored(
                    merkle_root="0x" + bytes(batch["root"]).hex(),
                    chain_id=self.chain_id,
                    transaction_hash=found.transaction,
                    block_number=found.block,
                    credentials=[f"issuers/{m['issuer_id']}/credentials/{m['id']}" for m in members],
                ),
            )
        log.info(
            "anchored batch",
            extra={
                "batch": batch["id"],
                "leaves": batch["leaf_count"],
                "transaction": found.transaction,
                "block": found.block,
            },
        )

    async def measure_backlog(self) -> tuple[int, float]:
        """Set the backlog gauges; returns (digests waiting, age of the oldest in seconds)."""
        async with self.db.connection() as conn:
            row = await store.anchor_backlog(conn)
        age = (dt.datetime.now(dt.UTC) - row["oldest"]).total_seconds() if row["oldest"] else 0.0
        BACKLOG.set(row["n"])
        BACKLOG_AGE.set(max(0.0, age))
        return int(row["n"]), max(0.0, age)

    async def run_once(self, full_only: bool = False) -> int:
        """One round under the advisory lock: build a batch of what waits (with `full_only`,
        only full batches), more while full ones wait, then send every built batch."""
        if self.chain is None:
            return 0
        async with self.db.connection() as conn:
            if not await store.try_lock(conn, _LOCK_KEY):
                return 0
            try:
                # One batch per round, more only while full ones wait (a backlog after downtime).
                if await self.build_batch(self.batch_size if full_only else 1) == self.batch_size:
                    while await self.build_batch(self.batch_size):
                        pass
                return await self.send_batches()
            finally:
                await store.unlock(conn, _LOCK_KEY)

    async def run(self) -> None:
        """Anchor until cancelled (a background task)."""
        if self.chain is None:
            log.warning("no CREDENTIALS_CHAIN_URL: credential digests are kept but not anchored")
            return
        loop = asyncio.get_running_loop()
        retry = Retry(Backoff(base=self.interval, cap=max(self.interval, MAX_BACKOFF_SECONDS), jitter=0.2))
        delay = self.interval
        deadline = loop.time() + delay
        while True:
            raise_if_cancelled()
            remaining = deadline - loop.time()
            full_only = False
            if remaining > 0:
                try:
                    await asyncio.wait_for(self.wake.wait(), timeout=remaining)
                    self.wake.clear()
                    if self.issued_since_round < self.batch_size:
                        continue  # woken early, but no full batch yet
                    full_only = True  # woken by M digests, before N seconds: only full batches go
                except TimeoutError:
                    pass
            self.issued_since_round = 0
            try:
                await self.run_once(full_only)
                retry.succeeded()
                delay = self.interval
            except asyncio.CancelledError:
                raise
            except ChainUnavailable as error:
                delay = retry.failed()
                log.warning("chain unavailable; anchoring retries in %.1fs: %s", delay, error)
            except Exception:
                delay = retry.failed()
                log.exception("anchoring round failed; retrying in %.1fs", delay)
            try:
                await self.measure_backlog()
            except Exception:  # a metric must never stop anchoring
                log.debug("could not measure the anchoring backlog", exc_info=True)
            deadline = loop.time() + delay
