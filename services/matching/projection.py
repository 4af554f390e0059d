"""This replica's in-memory projection: the ranking engine over jobs and workers.

The source of truth is matching's tables (written by the event handler on
whichever replica consumed the event). Every replica loads them at start
(a rebuild from PostgreSQL) and then follows changes from the `projection`
fan-out topic: the handler publishes `job:<name>`, `worker:<name>` or
`applicants:<job>` after its commit and each replica re-reads that row. A
replica whose listener lost messages (RESYNC) reloads everything, so every
replica converges on the tables.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import pathlib
import pickle
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from iworkz.marketplace.v1 import marketplace_pb2 as mp
from services.eligibility import contracts
from services.eligibility.facts import Job, Worker
from services.matching import store
from services.matching.domain.ranking import Matcher
from services.matching.domain.retrieval import FaissHnswIndex, SlotIndex
from services.matching.domain.weights import HAND_SET, Weights
from services.runtime.backoff import Retry
from services.runtime.db import Connection, Database
from services.runtime.fanout import RESYNC, Fanout
from services.runtime.replica import ReadRouter

log = logging.getLogger(__name__)
DIM = 384
TOPIC = "projection"
SNAPSHOT_FORMAT = "iworkz-matching-projection-5"  # 5: job vectors read from the index's rows


def _no_stamps() -> dict[str, dict[str, object]]:
    return {"jobs": {}, "workers": {}, "vectors": {}, "verified": {}}


def _write_atomically(path: pathlib.Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(body)
    os.replace(temporary, path)


class Projection:
    """Jobs and workers in memory, kept in step with the tables."""

    def __init__(
        self,
        db: Database,
        fanout: Fanout,
        weights: Weights = HAND_SET,
        reads: ReadRouter | None = None,
        index: Callable[[], SlotIndex] | None = None,
        attach: Callable[[SlotIndex], None] | None = None,
    ) -> None:
        """`index` makes an empty job index (default: faiss HNSW in memory; `MATCHING_INDEX`);
        `attach` reconnects one restored from a snapshot (pgvector's rows without their table)."""
        self.db = db
        self.new_index: Callable[[], SlotIndex] = index or (lambda: FaissHnswIndex(DIM))
        self.attach = attach
        # The full load reads the replica when there is one, once it has replayed everything committed.
        self.reads = reads or ReadRouter(db)
        self.fanout = fanout
        self.weights = weights
        self.matcher = Matcher(DIM, index=self.new_index(), weights=weights)
        self.job_messages: dict[str, mp.Job] = {}
        # The version of every row the matcher holds (`store.stamps`' kinds, plus each worker's
        # verified keys): what a snapshot compares with the tables when it is restored.
        self.stamps: dict[str, dict[str, object]] = _no_stamps()
        self.ready = asyncio.Event()
        self._lock = asyncio.Lock()
        self.snapshot_path: pathlib.Path | None = None
        self.restored_from_snapshot = False

    async def load(self) -> None:
        """Rebuild everything from PostgreSQL."""
        async with self._lock:
            matcher = Matcher(DIM, index=self.new_index(), weights=self.weights)
            messages: dict[str, mp.Job] = {}
            async with self.reads.reader(fresh=True) as conn:
                current = await store.current_weights(conn)
                self.weights = Weights.from_json(current) if current else HAND_SET
                matcher.weights = self.weights
                jobs = await store.all_jobs(conn)
                workers = await store.all_workers(conn)
                vector_rows = await store.vectors(conn)
                hashes: dict[str, object] = {v.name: v.text_hash for v in vector_rows}
                vectors = {v.name: np.asarray(v.vector, dtype=np.float32) for v in vector_rows}
                del vector_rows
                counts = {c.job: c.n for c in await store.applicant_counts(conn)}
                verified = await store.all_verified(conn)
            stamps = _no_stamps()
            stamps["vectors"] = hashes
            worker_vectors = {w.name: vectors[w.name] for w in workers if w.name in vectors}

            stamps["verified"] = {name: sorted(keys) for name, keys in verified.items()}
            facts = []
            for row in jobs:
                stamps["jobs"][row.name] = store.stamp(row.updated_at)
                message = mp.Job.FromString(row.body)
                message.name = row.name
                messages[row.name] = message
                facts.append((contracts.job_facts(message, published=row.published_at), vectors.get(row.name)))
            matcher.upsert_jobs(facts)
            del facts, vectors  # with pgvector the job vectors now live only in PostgreSQL
            await self._flush(matcher)
            for wrow in workers:
                stamps["workers"][wrow.name] = store.stamp(wrow.updated_at)
                profile = mp.WorkerProfile.FromString(wrow.body)
                profile.name = wrow.name
                worker = contracts.worker_facts(profile, verified=verified.get(wrow.name, ()), updated=wrow.updated_at)
                matcher.upsert_worker(worker, worker_vectors.get(wrow.name))
            for name, n in counts.items():
                job = matcher.jobs.get(name)
                if job is not None:
                    matcher.applicants_per_seat[name] = n / max(1, job.headcount)
            self.matcher, self.job_messages, self.stamps = matcher, messages, stamps
        self.ready.set()
        log.info("projection loaded", extra={"jobs": len(messages), "workers": len(matcher.workers)})

    async def refresh(self, key: str) -> None:
        """Re-read one entity named by a fan-out payload (`job:<name>`, `worker:<name>`, `applicants:<job>`)."""
        async with self.db.connection() as conn:
            await self.apply(conn, key)

    async def apply(self, conn: Connection, key: str) -> Job | Worker | None:
        """Read one entity through `conn` (which may be a transaction's) into this replica's matcher.

        Returns the job or worker as now known, None when it is gone (or for `applicants:`).
        """
        kind, _, name = key.partition(":")
        async with self._lock:
            if kind == "job":
                row = await store.job(conn, name)
                if row is None:
                    self.matcher.remove_job(name)
                    await self._flush(self.matcher)
                    self.job_messages.pop(name, None)
                    self.stamps["jobs"].pop(name, None)
                    self.stamps["vectors"].pop(name, None)
                    return None
                message = mp.Job.FromString(row.body)
                message.name = row.name
                vector = await self._vector(conn, name)
                self.stamps["jobs"][name] = store.stamp(row.updated_at)
                job = contracts.job_facts(message, published=row.published_at)
                self.matcher.upsert_jobs([(job, vector)])
                await self._flush(self.matcher)
                self.job_messages[name] = message
                return job
            if kind == "worker":
                wrow = await store.worker(conn, name)
                if wrow is None:
                    self.matcher.remove_worker(name)
                    for kind in ("workers", "vectors", "verified"):
                        self.stamps[kind].pop(name, None)
                    return None
                profile = mp.WorkerProfile.FromString(wrow.body)
                profile.name = wrow.name
                proven = await store.verified_skills(conn, name)
                vector = await self._vector(conn, name)
                self.stamps["workers"][name] = store.stamp(wrow.updated_at)
                self.stamps["verified"][name] = sorted(proven)
                worker = contracts.worker_facts(profile, verified=proven, updated=wrow.updated_at)
                self.matcher.upsert_worker(worker, vector)
                return worker
            if kind == "weights":  # a learned version became current
                current = await store.current_weights(conn)
                self.weights = Weights.from_json(current) if current else HAND_SET
                self.matcher.weights = self.weights
                return None
            if kind == "applicants":
                counts = {c.job: c.n for c in await store.applicant_counts(conn, [name])}
                known = self.matcher.jobs.get(name)
                if known is not None:
                    self.matcher.applicants_per_seat[name] = counts.get(name, 0) / max(1, known.headcount)
            return None

    @staticmethod
    async def _flush(matcher: Matcher) -> None:
        """Write a remote job index's queued changes (pgvector), awaited: the loop goes on."""
        if matcher.remote is not None:
            await matcher.remote.aflush()

    async def _vector(self, conn: Connection, name: str) -> npt.NDArray[np.float32] | None:
        rows = await store.vectors(conn, [name])
        if not rows:
            self.stamps["vectors"].pop(name, None)
            return None
        self.stamps["vectors"][name] = rows[0].text_hash
        return np.asarray(rows[0].vector, dtype=np.float32)

    # --- snapshot: a fast restart --------------------------------------------------------

    async def save_snapshot(self) -> bool:
        """Write the matcher and the rows' versions to `snapshot_path` (atomically); False if off."""
        if self.snapshot_path is None or not self.ready.is_set():
            return False
        async with self._lock:
            body = pickle.dumps(
                (SNAPSHOT_FORMAT, self.matcher, self.job_messages, self.stamps), protocol=pickle.HIGHEST_PROTOCOL
            )
        path = self.snapshot_path
        await asyncio.to_thread(_write_atomically, path, body)
        log.info("projection snapshot written", extra={"path": str(path), "bytes": len(body)})
        return True

    async def _restore(self) -> bool:
        """Load the snapshot, then bring it level with the tables: only rows whose version differs are read."""
        path = self.snapshot_path
        if path is None or not path.exists():
            return False
        try:
            fmt, matcher, messages, stamps = pickle.loads(await asyncio.to_thread(path.read_bytes))
            if fmt != SNAPSHOT_FORMAT or not isinstance(matcher, Matcher):
                raise ValueError(f"unknown snapshot format {fmt!r}")
            if type(matcher.index) is not type(self.new_index()):
                raise ValueError(f"the snapshot's index is {type(matcher.index).__name__}")
            if self.attach is not None:
                self.attach(matcher.index)
        except Exception:
            log.warning("projection snapshot unreadable: rebuilding from PostgreSQL", exc_info=True)
            return False
        async with self._lock:
            await self._flush(matcher)  # a restored pgvector index re-reads its rows' seq numbers
            self.matcher, self.job_messages, self.stamps = matcher, messages, stamps
        async with self.reads.reader(fresh=True) as conn:
            now = await store.stamps(conn)
            verified = {name: sorted(keys) for name, keys in (await store.all_verified(conn)).items()}
            jobs = set(now["jobs"]) | set(stamps["jobs"])
            workers = set(now["workers"]) | set(stamps["workers"])
            stale = [
                f"job:{n}"
                for n in sorted(jobs)
                if now["jobs"].get(n) != stamps["jobs"].get(n) or now["vectors"].get(n) != stamps["vectors"].get(n)
            ]
            stale += [
                f"worker:{n}"
                for n in sorted(workers)
                if now["workers"].get(n) != stamps["workers"].get(n)
                or now["vectors"].get(n) != stamps["vectors"].get(n)
                or verified.get(n, []) != stamps["verified"].get(n, [])
            ]
            for key in stale:
                await self.apply(conn, key)
            counts = {c.job: c.n for c in await store.applicant_counts(conn)}
            current = await store.current_weights(conn)
        async with self._lock:
            self.matcher.applicants_per_seat = {
                name: n / max(1, self.matcher.jobs[name].headcount)
                for name, n in counts.items()
                if name in self.matcher.jobs
            }
            self.weights = Weights.from_json(current) if current else HAND_SET
            self.matcher.weights = self.weights
        self.restored_from_snapshot = True
        self.ready.set()
        log.info("projection restored from its snapshot", extra={"reread": len(stale), "jobs": len(self.matcher.jobs)})
        return True

    async def keep_snapshots(self, every_seconds: float) -> None:
        """Write a snapshot now and then (a background task; off without a path)."""
        while self.snapshot_path is not None:
            await asyncio.sleep(every_seconds)
            try:
                await self.save_snapshot()
            except Exception:
                log.exception("projection snapshot failed")

    async def follow(self) -> None:
        """Load, then apply every change published on the fan-out topic (reload after a gap)."""
        async with self.fanout.subscribe(TOPIC) as subscription:
            if not await self._restore():
                await self._load_until_done()
            while True:
                item = await subscription.get(timeout=30.0)
                if item is None:
                    continue
                if item is RESYNC:
                    await self._load_until_done()
                    continue
                assert isinstance(item, bytes)
                try:
                    await self.refresh(item.decode())
                except Exception:  # a bad row must not stop the replica following changes
                    log.exception("projection refresh failed", extra={"key": item.decode(errors="replace")})

    async def _load_until_done(self) -> None:
        """Load, retrying with back-off: a replica is not ready until its projection is."""
        retry = Retry()
        while True:
            try:
                await self.load()
                return
            except Exception:
                log.exception("projection load failed")
                await asyncio.sleep(retry.failed())

    async def changed(self, keys: list[str]) -> None:
        """Tell every replica (this one included) that these entities changed."""
        if keys:
            await self.fanout.publish_many([(TOPIC, k.encode()) for k in keys])

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)
