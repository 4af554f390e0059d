"""New matches for WatchMatches and for notifications, found where the change is consumed.

When the event consumer (`event_handler.py`) has written a changed job or
worker, before its transaction commits, `MatchWatch.discover` reads the
entity through that transaction into this replica's matcher and looks for
the pairs it now makes:

- a job published or changed: the eligible workers whose score of it
  reaches the floor (`MATCHING_WATCH_FLOOR`), the best `MATCHING_WATCH_PER_JOB`
  of them (`Matcher.matches_for_job`: column filters, then full scores only
  for workers whose upper bound reaches the floor, so the cost does not grow
  with every worker);
- a worker's profile or credentials changed: the worker's best eligible jobs
  reaching the floor;
- a job's or worker's vector arrived (`vectors.Embedder`): the same, now
  with the semantic component.

A pair is announced when it is new, or better by `IMPROVEMENT` than when it
was last announced (`matched`). Each announcement goes to the worker's
stream and, for a discoverable worker, to the job's stream (`matches`, a
contiguous sequence per subject); a pair at or above `MATCHING_STRONG_MATCH`
also emits `StrongMatchFound` once, through the outbox, for notifications.
All of it commits with the change, so a retried event announces nothing
twice. After the commit the consumer publishes each subject's new sequence
numbers on the fan-out, and every replica's streams read them
(`runtime.resumable`).
"""

from __future__ import annotations

import datetime as dt

from google.protobuf import timestamp_pb2

from iworkz.matching.v1 import events_pb2
from iworkz.matching.v1 import matching_pb2 as pb
from services.eligibility.facts import Job, Worker
from services.matching import messages, recommend, store
from services.matching.domain.ranking import WATCH_LIMIT, Found
from services.matching.domain.scoring import Score
from services.matching.projection import Projection
from services.runtime import outbox
from services.runtime.db import Connection

IMPROVEMENT = 0.05
SOURCE = "matching"


def _event(subject_seq: int, found: Found, score: Score, lang: str, at: dt.datetime) -> bytes:
    time = timestamp_pb2.Timestamp()
    time.FromDatetime(at)
    return pb.MatchEvent(
        event_id=str(subject_seq),
        worker=found.worker.name,
        job=found.job.name,
        title=found.job.title,
        score=messages.breakdown(score),
        reasons=messages.reasons(score, lang),
        time=time,
    ).SerializeToString()


class MatchWatch:
    def __init__(self, projection: Projection, floor: float, strong: float, per_job: int = WATCH_LIMIT) -> None:
        self.projection = projection
        self.floor = floor
        self.strong = strong
        self.per_job = per_job

    async def discover(self, conn: Connection, keys: list[str]) -> list[tuple[str, bytes]]:
        """Record the new matches the changed entities make; the fan-out messages to send after the commit."""
        now = self.projection.now()
        found: dict[tuple[str, str], Found] = {}
        for key in dict.fromkeys(keys):
            kind, _, name = key.partition(":")
            entity = await self.projection.apply(conn, key)
            if kind == "job" and entity is None:
                await store.forget_job(conn, name)
            elif isinstance(entity, Job):
                matcher = self.projection.matcher
                for f in await recommend.matches_for_job(matcher, entity, now, self.floor, self.per_job):
                    found[(f.worker.name, f.job.name)] = f
            elif isinstance(entity, Worker):
                for f in await recommend.matches_for_worker(self.projection.matcher, entity, now, self.floor):
                    found[(f.worker.name, f.job.name)] = f
        if not found:
            return []
        before = await store.announced(conn, sorted(found))
        new: list[Found] = []
        saved: list[store.Announced] = []
        for pair, f in sorted(found.items()):
            old = before.get(pair)
            total = f.for_worker.total
            if old is not None and total < old.score + IMPROVEMENT:
                continue
            notify = total >= self.strong and not (old and old.notified)
            if notify:
                await outbox.emit(
                    conn,
                    SOURCE,
                    "worker",
                    f.worker.name,
                    events_pb2.StrongMatchFound(
                        worker=f.worker.name,
                        job=f.job.name,
                        title=f.job.title,
                        employer_display_name=f.job.employer_display_name,
                        score=total,
                    ),
                )
            new.append(f)
            saved.append(store.Announced(f.worker.name, f.job.name, total, notify))
        await store.save_announced(conn, saved)
        # Each announcement on the worker's stream, and on the job's for a discoverable worker.
        entries: list[tuple[str, Found, Score]] = [(f.worker.name, f, f.for_worker) for f in new]
        entries += [(f.job.name, f, f.for_employer) for f in new if f.for_employer is not None]
        counts: dict[str, int] = {}
        for subject, _, _ in entries:
            counts[subject] = counts.get(subject, 0) + 1
        first = await store.number_matches(conn, counts)
        rows = []
        live: dict[str, int] = {}
        for subject, f, score in entries:
            seq = first[subject]
            first[subject] += 1
            live[subject] = seq
            rows.append(
                (
                    subject,
                    seq,
                    f.worker.name,
                    f.job.name,
                    score.total,
                    _event(seq, f, score, "en", now),
                    _event(seq, f, score, "ja", now),
                )
            )
        await store.add_matches(conn, rows)
        return [(subject, str(seq).encode()) for subject, seq in live.items()]
