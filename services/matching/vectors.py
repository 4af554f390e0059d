"""Semantic vectors for the projection: queued when a job or profile changes, embedded in batches.

The event consumer queues an entity's text (`embed_queue`) in the same
transaction as the change, and only when the text differs from the one its
stored vector came from (`text_hash`). Every replica runs an `Embedder`: it
takes up to `BATCH` queued texts at a time (`FOR UPDATE SKIP LOCKED`, so
replicas share the work), asks the agent's `Embed` for all of them in one
call per kind (workers are E5 queries, jobs passages) through matching's
sidecar egress (mesh identity `matching`; the agent lets only matching and
marketplace call Embed), stores the vectors and announces the entities on
the projection topic, so every replica re-reads them. Nothing is embedded
while answering a request.

Fallback: without an agent (`MATCHING_AGENT_TARGET` / `IWORKZ_AGENT_TARGET`
unset) or while it is unreachable, texts wait in the queue (retried with
back-off) and an entity without a vector scores the neutral semantic value
(`scoring.semantic_value(None)`); retrieval for a worker without a vector
takes the newest eligible jobs. Rankings are still eligibility-first and
explained; they only lack the text similarity until the vectors arrive.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

import grpc

from iworkz.marketplace.v1 import marketplace_pb2 as mp
from services.matching import store
from services.matching.embeddings import BATCH, EmbedClient
from services.matching.projection import Projection
from services.matching.watch import MatchWatch
from services.runtime.backoff import Retry
from services.runtime.db import Connection, Database

log = logging.getLogger(__name__)
IDLE_SECONDS = 1.0  # how often an idle embedder looks for work queued by another replica


def job_text(job: mp.Job) -> str:
    """What a job says about the work: title, description, skills (an E5 passage)."""
    skills = ", ".join(s.label or s.taxonomy_id for s in (*job.required_skills, *job.preferred_skills))
    return "\n".join(p for p in (job.title, job.description, skills) if p)


def worker_text(profile: mp.WorkerProfile) -> str:
    """What a worker says they can do: summary, skills, past roles (an E5 query)."""
    skills = ", ".join(s.label or s.taxonomy_id for s in profile.skills)
    roles = [" ".join(p for p in (e.title, e.description) if p) for e in profile.experience]
    return "\n".join(p for p in (profile.summary, skills, *roles) if p)


def text_hash(kind: str, body: str) -> str:
    return hashlib.sha256(f"{kind}\x00{body}".encode()).hexdigest()[:32]


async def queue(conn: Connection, name: str, kind: str, body: str) -> bool:
    """Queue `name`'s text for a vector (in the caller's transaction) if it changed; True if queued."""
    if not body.strip():
        await store.forget_vector(conn, name)
        return False
    return await store.queue_embedding(conn, name, kind, body, text_hash(kind, body))


class Embedder:
    """One replica's share of the embedding work (a background task)."""

    def __init__(
        self, db: Database, projection: Projection, client: EmbedClient | None, watch: MatchWatch | None = None
    ) -> None:
        self.db = db
        self.projection = projection
        self.client = client
        self.watch = watch
        self.wake = asyncio.Event()
        # Texts taken per round: a round that runs out of time (the mesh's deadline for Embed,
        # reached on a busy machine or with long texts) is retried with a quarter as many, and
        # each round that succeeds doubles it back towards BATCH. A fixed size would retry the
        # same too-slow batch for ever and no vector would ever be stored.
        self.batch = BATCH

    async def run(self) -> None:
        if self.client is None:
            log.warning("matching has no agent (MATCHING_AGENT_TARGET): the semantic component stays neutral")
            return
        retry = Retry()
        while True:
            try:
                done = await self.embed_batch()
                retry.succeeded()
                self.batch = min(BATCH, self.batch * 2)
            except asyncio.CancelledError:
                raise
            except Exception as err:
                if isinstance(err, grpc.aio.AioRpcError) and err.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                    self.batch = max(1, self.batch // 4)
                wait = retry.failed()
                log.warning(
                    "embedding failed; the texts stay queued",
                    exc_info=True,
                    extra={"retry_in": wait, "next_batch": self.batch},
                )
                await asyncio.sleep(wait)
                continue
            if done < self.batch:  # the queue is drained: wait for a local change or look again soon
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), IDLE_SECONDS)
                except TimeoutError:
                    pass

    async def embed_batch(self) -> int:
        """Embed up to `self.batch` queued texts in one transaction; how many were done.

        With the vectors stored, the entities' matches are looked for again in the same
        transaction (`MatchWatch.discover`): a job is matched when it is published, before its
        vector exists (semantic neutral); with the vector, a pair that now reaches the floor is
        announced, one that scores better by `watch.IMPROVEMENT` is announced again with the
        semantic component, and one that became strong is notified.
        """
        assert self.client is not None
        announce: list[str] = []
        live: list[tuple[str, bytes]] = []
        async with self.db.transaction() as conn:
            pending = await store.take_pending(conn, self.batch)
            if not pending:
                return 0
            rows: list[tuple[store.Pending, list[float]]] = []
            for kind in ("query", "passage"):
                group = [p for p in pending if p.kind == kind]
                if group:
                    vectors = await self.client.embed([p.body for p in group], kind)
                    rows += [(p, [float(x) for x in v]) for p, v in zip(group, vectors, strict=True)]
            await store.save_vectors(conn, self.client.model_version, rows)
            announce = [("worker:" if p.kind == "query" else "job:") + p.name for p in pending]
            if self.watch is not None:
                live = await self.watch.discover(conn, announce)
        await self.projection.changed(announce)
        await self.projection.fanout.publish_many(live)
        return len(pending)
