"""Marketplace's events into matching's projection and feedback.

Runs in the event consumer's transaction (`runtime.consumer`): the rows and
the processed-event record commit together. After the commit the changed
entities are announced on the projection's fan-out topic, and every replica
re-reads them (`projection.Projection.follow`).

- JobPublished, JobUpdated: the job (open); JobClosed: removed.
- WorkerProfileChanged: the profile (personal data already removed by marketplace).
- A job's or profile's text that changed is queued for a vector (`vectors.py`).
- ApplicationSubmitted, ApplicationStatusChanged: an implicit label for the
  learned weights and the job's applicants per open seat (exposure control).

Before the commit, the new matches the changed jobs and workers make are
recorded for WatchMatches and notifications (`watch.py`), in the same
transaction.

And credentials' events: CredentialIssued, …Suspended, …Unsuspended and
…Revoked set the credential's state and the keys it proves (`verified`,
`domain/evidence.py`); the holder's worker is re-read by every replica, so
a revoked credential stops counting as soon as they have.
"""

from __future__ import annotations

import time
from datetime import UTC

from prometheus_client import Histogram

from iworkz.credentials.v1 import events_pb2 as credential_events
from iworkz.marketplace.v1 import events_pb2 as market
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from services.matching import store, vectors
from services.matching.domain import evidence
from services.matching.projection import Projection
from services.matching.vectors import Embedder
from services.matching.watch import MatchWatch
from services.runtime.consumer import Event, Transaction

# Freshness: from an event's occurrence to its change committed and announced to the replicas.
FRESHNESS = Histogram(
    "iworkz_matching_projection_delay_seconds",
    "Seconds from a domain event's occurrence to its change in matching's projection",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
)

CONSUMER = "matching"
SOURCES = ["marketplace", "credentials"]
_PUBLISHED = market.JobPublished.DESCRIPTOR.full_name
_UPDATED = market.JobUpdated.DESCRIPTOR.full_name
_CLOSED = market.JobClosed.DESCRIPTOR.full_name
_PROFILE = market.WorkerProfileChanged.DESCRIPTOR.full_name
_SUBMITTED = market.ApplicationSubmitted.DESCRIPTOR.full_name
_STATUS = market.ApplicationStatusChanged.DESCRIPTOR.full_name
_CREDENTIALS = {
    m.DESCRIPTOR.full_name: (m, state)
    for m, state in (
        (credential_events.CredentialIssued, evidence.State.ACTIVE),
        (credential_events.CredentialSuspended, evidence.State.SUSPENDED),
        (credential_events.CredentialUnsuspended, evidence.State.ACTIVE),
        (credential_events.CredentialRevoked, evidence.State.REVOKED),
    )
}


def _job_body(job: mp.Job) -> bytes:
    body = mp.Job()
    body.CopyFrom(job)
    body.ClearField("name")
    return body.SerializeToString()


async def _observe(occurred: list[float]) -> None:
    now = time.time()
    for at in occurred:
        FRESHNESS.observe(max(0.0, now - at))


class ProjectionWriter:
    """The consumer's handler."""

    def __init__(self, projection: Projection, watch: MatchWatch, embedder: Embedder | None = None) -> None:
        self.projection = projection
        self.watch = watch
        self.embedder = embedder

    async def __call__(self, tx: Transaction, event: Event) -> None:
        if "changed" not in tx.state:
            self._start(tx)
        keys: list[str] = tx.state["changed"]
        occurred: list[float] = tx.state.setdefault("occurred", [])
        if not occurred:
            tx.after_commit(lambda: _observe(occurred))
        if event.envelope.HasField("occur_time"):
            occurred.append(event.envelope.occur_time.ToNanoseconds() / 1e9)
        if event.type in (_PUBLISHED, _UPDATED):
            job = (
                event.payload(market.JobPublished) if event.type == _PUBLISHED else event.payload(market.JobUpdated)
            ).job
            if job.state != mp.JOB_STATE_OPEN:
                await store.delete_job(tx.conn, job.name)
                await store.forget_vector(tx.conn, job.name)
            else:
                published = job.publish_time.ToDatetime(tzinfo=UTC) if job.HasField("publish_time") else None
                await store.upsert_job(tx.conn, job.name, _job_body(job), published)
                if await vectors.queue(tx.conn, job.name, "passage", vectors.job_text(job)):
                    tx.state["embed"] = True
            keys.append(f"job:{job.name}")
        elif event.type == _CLOSED:
            name = event.payload(market.JobClosed).job
            await store.delete_job(tx.conn, name)
            await store.forget_vector(tx.conn, name)
            keys.append(f"job:{name}")
        elif event.type == _PROFILE:
            changed = event.payload(market.WorkerProfileChanged)
            if changed.HasField("profile"):
                body = mp.WorkerProfile()
                body.CopyFrom(changed.profile)
                body.ClearField("name")
                await store.upsert_worker(tx.conn, changed.worker, body.SerializeToString())
                if await vectors.queue(tx.conn, changed.worker, "query", vectors.worker_text(changed.profile)):
                    tx.state["embed"] = True
                keys.append(f"worker:{changed.worker}")
        elif event.type in (_SUBMITTED, _STATUS):
            application = (
                event.payload(market.ApplicationSubmitted).application
                if event.type == _SUBMITTED
                else event.payload(market.ApplicationStatusChanged).application
            )
            outcome = mp.ApplicationStatus.Name(application.status).removeprefix("APPLICATION_STATUS_")
            await store.record_feedback(tx.conn, application.worker, application.job, "application", outcome)
            keys.append(f"applicants:{application.job}")
        elif event.type in _CREDENTIALS:
            message_class, state = _CREDENTIALS[event.type]
            worker = await self._credential(tx, event, event.payload(message_class).credential, state)
            if worker:
                keys.append(f"worker:{worker}")

    def _start(self, tx: Transaction) -> None:
        """The batch's actions: new matches before the commit; the fan-out after it."""
        keys: list[str] = tx.state.setdefault("changed", [])
        live: list[tuple[str, bytes]] = []

        async def discover() -> None:
            changed = [k for k in dict.fromkeys(keys) if k.startswith(("job:", "worker:"))]
            live.extend(await self.watch.discover(tx.conn, changed))

        async def announce() -> None:
            await self.projection.changed(list(dict.fromkeys(keys)))
            await self.projection.fanout.publish_many(live)
            if tx.state.get("embed") and self.embedder is not None:
                self.embedder.wake.set()  # texts were queued: this replica's embedder takes them now

        tx.before_commit(discover)
        tx.after_commit(announce)

    async def _credential(
        self, tx: Transaction, event: Event, summary: credential_events.CredentialSummary, state: evidence.State
    ) -> str:
        """Apply a credential's event; the holder's `workers/{user}` if anything changed, else ""."""
        if not summary.subject.startswith("workers/"):
            return ""  # issued to someone outside the platform
        at = event.envelope.occur_time.ToDatetime(tzinfo=UTC)
        row = await store.credential_for_update(tx.conn, summary.name)
        new = evidence.apply((evidence.State(row.state), row.changed_at) if row else None, state, at)
        if new is None:
            return ""
        await store.save_credential(
            tx.conn,
            summary.name,
            summary.subject,
            summary.type,
            new.value,
            summary.issuer_accredited,
            summary.valid_until.ToDatetime(tzinfo=UTC) if summary.HasField("valid_until") else None,
            at,
            evidence.keys(summary.type, summary.evidence),
        )
        return summary.subject
