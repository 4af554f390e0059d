"""Learned weights, served: learned from feedback, versioned, the same on every replica.

One replica at a time (a PostgreSQL advisory lock) learns every
`MATCHING_LEARN_SECONDS`: each labelled pair (application outcomes and
RecordFeedback, `feedback`) whose worker and open job are in the projection
is scored into its components, and `weights.learn_pairwise` fits the
weights (pulled towards the hand-set prior). Scores are taken as of the
newest label's time, not the clock, so the same feedback always gives the
same weights and the same version (`pairwise-<hash>`): reproducible.

A version is stored in `weights` and becomes current (newest `created_at`);
the replicas are told on the projection topic (`weights:`) and all switch to
it, and every response names it (`weights_version`). With fewer than
`weights.MIN_LABELS` label pairs the learner keeps what is current, and a
replica with no stored version serves the hand-set weights: the fallback.
"""

from __future__ import annotations

import asyncio
import logging

from services.matching import store
from services.matching.domain.weights import HAND_SET, OUTCOME_LABELS, Weights, features, learn_pairwise
from services.matching.projection import Projection
from services.runtime.db import Database

log = logging.getLogger(__name__)
LOCK_KEY = 0x6D61746368  # "match": one learner at a time across replicas


class Learner:
    def __init__(self, db: Database, projection: Projection, interval_seconds: float) -> None:
        self.db = db
        self.projection = projection
        self.interval = interval_seconds

    async def learn_once(self) -> Weights | None:
        """Learn from the feedback now; the weights made current, or None (too few labels, or busy)."""
        async with self.db.transaction() as conn:
            locked = await (await conn.execute("SELECT pg_try_advisory_xact_lock(%s) AS ok", (LOCK_KEY,))).fetchone()
            if not locked or not locked["ok"]:
                return None
            outcomes = await store.outcomes(conn)
            as_of = await store.newest_feedback_time(conn)
            if as_of is None:
                return None
            matcher = self.projection.matcher
            values, grades, groups = [], [], []
            for o in outcomes:
                worker, job = matcher.workers.get(o.worker), matcher.jobs.get(o.job)
                if worker is None or job is None or o.outcome not in OUTCOME_LABELS:
                    continue
                values.append(matcher.score_pair(worker, job, as_of).values)
                grades.append(OUTCOME_LABELS[o.outcome])
                groups.append(o.worker)
            learned = await asyncio.to_thread(learn_pairwise, features(values), grades, groups)
            if learned.version == HAND_SET.version:
                return None
            await store.make_current(conn, learned.version, learned.to_json())
        await self.projection.changed(["weights:"])
        log.info("learned weights", extra={"version": learned.version, "labels": len(grades)})
        return learned

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.learn_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("learning weights failed; the current weights stay")
