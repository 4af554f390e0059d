"""The ranking engine over matching's projection: jobs for a worker, workers for a job.

`Matcher` holds the open jobs (facts, eligibility columns, vectors in a
`VectorIndex`) and the workers (facts, vectors). Recommending jobs:

1. the eligibility mask over every job (`JobTable.eligible_mask`), and an
   optional prefecture filter;
2. a candidate pool: the jobs in the mask nearest to the worker's vector
   (filtered search, so a rare eligibility still fills the pool), or the
   newest ones for a worker without a vector yet;
3. every candidate is checked with `eligibility.check` and scored in full
   (`scoring.score`), then sorted by total.

Vectors are E5 embeddings, centred on a fixed corpus mean and normalised
(`scoring.centred_unit`), so a dot product is the centred cosine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.eligibility import rules as eligibility
from services.eligibility.facts import Job, Worker
from services.matching.domain.bulk import component_matrices, totals
from services.matching.domain.prefilter import PREFECTURE_INDEX, JobTable
from services.matching.domain.retrieval import ExactIndex, FaissHnswIndex
from services.matching.domain.scoring import Component, Score, centred_unit, freshness_value, score
from services.matching.domain.weights import HAND_SET, Weights

Vector = npt.NDArray[np.float32]
POOL_MIN = 200
POOL_FACTOR = 5


@dataclass(frozen=True)
class Ranked:
    """One result: the other side's id, its score and its eligibility."""

    id: str
    score: Score
    eligibility: eligibility.Eligibility


@dataclass(frozen=True)
class Found:
    """A pair for WatchMatches: the worker's score of the job, and the employer's of the worker
    (None when the worker is not discoverable)."""

    worker: Worker
    job: Job
    for_worker: Score
    for_employer: Score | None


class Matcher:
    """Open jobs and workers in memory, ranked on demand."""

    def __init__(
        self,
        dim: int,
        *,
        mean: Vector | None = None,
        index: FaissHnswIndex | ExactIndex | None = None,
        weights: Weights = HAND_SET,
    ) -> None:
        self.dim = dim
        self.mean: Vector = np.zeros(dim, dtype=np.float32) if mean is None else np.asarray(mean, np.float32)
        self.index = index if index is not None else FaissHnswIndex(dim)
        self.weights = weights
        self.jobs: dict[str, Job] = {}
        self.workers: dict[str, Worker] = {}
        self.table = JobTable()
        self.job_vectors: dict[str, Vector] = {}
        self.worker_vectors: dict[str, Vector] = {}
        self.applicants_per_seat: dict[str, float] = {}

    # --- projection -------------------------------------------------------
    def unit(self, vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        return centred_unit(np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim), self.mean)

    def upsert_jobs(self, jobs: Iterable[tuple[Job, Vector | None]]) -> None:
        """Add or replace open jobs; `None` keeps a job's previous vector."""
        batch = list(jobs)
        if not batch:
            return
        with_vec = [(j, v) for j, v in batch if v is not None]
        for job, _ in batch:
            self.jobs[job.name] = job
        if with_vec:
            units = self.unit(np.stack([v for _, v in with_vec]))
            for (job, _), u in zip(with_vec, units, strict=True):
                self.job_vectors[job.name] = u
        # Every job needs a slot (its eligibility row) even before it has a vector.
        names = [j.name for j, _ in batch]
        vectors = np.stack([self.job_vectors.get(n, np.zeros(self.dim, np.float32)) for n in names])
        self.index.upsert(names, vectors)
        for job, _ in batch:
            self.table.set(self._slot(job.name), job)

    def _slot(self, name: str) -> int:
        return self.index.slot(name)

    def remove_job(self, name: str) -> None:
        if name in self.jobs:
            self.table.clear(self._slot(name))
            self.index.remove([name])
            del self.jobs[name]
            self.job_vectors.pop(name, None)

    def upsert_worker(self, worker: Worker, vector: Vector | None = None) -> None:
        self.workers[worker.name] = worker
        if vector is not None:
            self.worker_vectors[worker.name] = self.unit(vector)[0]

    def remove_worker(self, name: str) -> None:
        self.workers.pop(name, None)
        self.worker_vectors.pop(name, None)

    # --- scoring ----------------------------------------------------------
    def cosine(self, worker: str, job: str) -> float | None:
        wv, jv = self.worker_vectors.get(worker), self.job_vectors.get(job)
        if wv is None or jv is None:
            return None
        return float(wv @ jv)

    def score_pair(self, worker: Worker, job: Job, now: dt.datetime, *, for_employer: bool = False) -> Score:
        return score(
            worker,
            job,
            weights=self.weights.values,
            weights_version=self.weights.version,
            now=now,
            cosine=self.cosine(worker.name, job.name),
            applicants_per_seat=0.0 if for_employer else self.applicants_per_seat.get(job.name, 0.0),
            freshness_of=worker.updated if for_employer else None,
        )

    def explain(self, worker: Worker, job: Job, now: dt.datetime) -> Ranked:
        verdict = eligibility.check(worker, job, now.date())
        return Ranked(job.name, self.score_pair(worker, job, now), verdict)

    # --- retrieval --------------------------------------------------------
    def eligible_mask(self, worker: Worker, prefecture: str = "") -> npt.NDArray[np.bool_]:
        size = self.index.capacity
        mask = self.table.eligible_mask(worker, size)
        if prefecture:
            mask &= self.table.prefecture[:size] == PREFECTURE_INDEX.get(prefecture, -2)
        return mask

    def recommend_jobs(
        self, worker: Worker, now: dt.datetime, *, limit: int, offset: int = 0, prefecture: str = ""
    ) -> tuple[list[Ranked], bool]:
        """Eligible open jobs, best first: the page [offset, offset+limit) and whether more follow."""
        mask = self.eligible_mask(worker, prefecture)
        pool_size = max(POOL_MIN, (offset + limit) * POOL_FACTOR)
        vector = self.worker_vectors.get(worker.name)
        if vector is not None:
            names = [n for n, _ in self.index.search_mask(vector, pool_size, mask)]
        else:
            slots = np.flatnonzero(mask)
            names = sorted(
                (str(self.index.name_at(int(s))) for s in slots),
                key=lambda n: self.jobs[n].published or dt.datetime.min.replace(tzinfo=dt.UTC),
                reverse=True,
            )[:pool_size]
        # Rank the pool with bulk scores; explain (reasons, rule verdicts) only the page.
        pool = [self.jobs[n] for n in names]
        order = self._rank(worker, pool, now)
        today = now.date()
        ranked: list[Ranked] = []
        position = 0
        for index in order:
            job = pool[index]
            verdict = eligibility.check(worker, job, today)
            if not verdict.eligible:  # only licences beyond the column filter's vocabulary get here
                continue
            if position >= offset:
                ranked.append(Ranked(job.name, self.score_pair(worker, job, now), verdict))
            position += 1
            if len(ranked) > limit:
                break
        more = len(ranked) > limit or (len(names) >= pool_size and int(mask.sum()) > pool_size)
        return ranked[:limit], more

    def _rank(self, worker: Worker, pool: list[Job], now: dt.datetime) -> list[int]:
        """Indices of `pool`, best total first (ties by name)."""
        if not pool:
            return []
        vector = self.worker_vectors.get(worker.name)
        comps = component_matrices(
            [worker],
            pool,
            now,
            worker_vectors={worker.name: vector} if vector is not None else {},
            job_vectors=self.job_vectors,
            applicants_per_seat=self.applicants_per_seat,
        )
        total = totals(comps, self.weights.values)[0]
        return sorted(range(len(pool)), key=lambda i: (-total[i], pool[i].name))

    def recommend_workers(
        self, job: Job, now: dt.datetime, *, limit: int, offset: int = 0
    ) -> tuple[list[Ranked], bool]:
        """Eligible, discoverable workers for `job`, best first."""
        today = now.date()
        eligible = []
        for worker in self.workers.values():
            if worker.discoverable:
                verdict = eligibility.check(worker, job, today)
                if verdict.eligible:
                    eligible.append((worker, verdict))
        if not eligible:
            return [], False
        comps = component_matrices(
            [w for w, _ in eligible],
            [job],
            now,
            worker_vectors=self.worker_vectors,
            job_vectors=self.job_vectors,
        )
        # Employers rank by the worker's fit; freshness is the profile's, exposure does not apply.
        updated = np.array([_freshness(w.updated, now) for w, _ in eligible])
        comps[Component.FRESHNESS] = updated[:, None]
        comps[Component.EXPOSURE] = np.zeros_like(updated)[:, None]
        total = totals(comps, self.weights.values)[:, 0]
        order = sorted(range(len(eligible)), key=lambda i: (-total[i], eligible[i][0].name))
        page = [
            Ranked(eligible[i][0].name, self.score_pair(eligible[i][0], job, now, for_employer=True), eligible[i][1])
            for i in order[offset : offset + limit]
        ]
        return page, len(eligible) > offset + limit

    # --- new matches (WatchMatches) ---------------------------------------
    def _found(self, worker: Worker, job: Job, now: dt.datetime) -> Found:
        employer = self.score_pair(worker, job, now, for_employer=True) if worker.discoverable else None
        return Found(worker, job, self.score_pair(worker, job, now), employer)

    def matches_for_job(self, job: Job, now: dt.datetime, floor: float) -> list[Found]:
        """Every worker eligible for `job` whose score of it reaches `floor` (a job published or changed)."""
        today = now.date()
        eligible = [w for w in self.workers.values() if eligibility.check(w, job, today).eligible]
        if not eligible:
            return []
        comps = component_matrices(
            eligible,
            [job],
            now,
            worker_vectors=self.worker_vectors,
            job_vectors=self.job_vectors,
            applicants_per_seat=self.applicants_per_seat,
        )
        total = totals(comps, self.weights.values)[:, 0]
        found = [self._found(eligible[i], job, now) for i in np.flatnonzero(total >= floor - 1e-9)]
        return [f for f in found if f.for_worker.total >= floor]

    def matches_for_worker(self, worker: Worker, now: dt.datetime, floor: float, limit: int = 50) -> list[Found]:
        """The worker's best eligible jobs (at most `limit`) reaching `floor` (a profile or credential changed)."""
        ranked, _ = self.recommend_jobs(worker, now, limit=limit)
        return [self._found(worker, self.jobs[r.id], now) for r in ranked if r.score.total >= floor]


def _freshness(updated: dt.datetime | None, now: dt.datetime) -> float:
    return freshness_value(updated, now)[0]
