"""The ranking engine over matching's projection: jobs for a worker, workers for a job.

`Matcher` holds the open jobs (facts, eligibility columns, vectors in a
`VectorIndex`) and the workers (facts, vectors). Recommending jobs:

1. the eligibility mask over every job (`JobTable.eligible_mask`), and an
   optional prefecture filter;
2. a candidate pool: the jobs in the mask nearest to the worker's vector
   (filtered search, so a rare eligibility still fills the pool), or the
   newest ones for a worker without a vector yet;
3. the pool is scored with numpy over the job columns of `bulk.JobScoreTable`
   (the same totals as `scoring.score`), and only the page is explained: each
   of its jobs checked with `eligibility.check` and scored with reasons.

Vectors are E5 embeddings, centred on a fixed corpus mean and normalised
(`scoring.centred_unit`), so a dot product is the centred cosine.

Where the job vectors are: with an in-memory index (faiss, exact) the matcher
reads them from the index's rows (`job_vectors`, a map over them: no copy of
its own). With a `RemoteSlotIndex` (pgvector) it
keeps none: a search brings the pool's vectors with it, and the methods that
score a job take its vector as an argument (`vectors`), fetched by the caller;
without one they fetch it synchronously. The service awaits every such fetch
(`services/matching/recommend.py`), in the steps `jobs_query` → search →
`rank_jobs`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.eligibility import rules as eligibility
from services.eligibility.facts import Job, SkillClaim, Worker
from services.matching.domain.bulk import JobScoreTable, component_matrices, totals
from services.matching.domain.prefilter import PREFECTURE_INDEX, JobTable, WorkerTable, _km
from services.matching.domain.retrieval import FaissHnswIndex, RemoteSlotIndex, SlotIndex, VectorRows
from services.matching.domain.scoring import (
    FRESHNESS_DAYS,
    FULL_EXPERIENCE_YEARS,
    LOCATION_SCALE_KM,
    NEUTRAL,
    POSITIVE,
    SEMANTIC_FLOOR,
    SEMANTIC_SPAN,
    Component,
    Score,
    centred_unit,
    exposure_value,
    freshness_value,
    held_claims,
    score,
)
from services.matching.domain.weights import HAND_SET, Weights

Vector = npt.NDArray[np.float32]
POOL_MIN = 200
POOL_FACTOR = 5
# New matches for a published job: at most this many workers (the best), found by scoring
# candidates in blocks of BLOCK, at most SCAN of them, in the order of their upper bounds.
WATCH_LIMIT = 200
WATCH_SCAN = 5000
BLOCK = 512


@dataclass(frozen=True)
class Ranked:
    """One result: the other side's id, its score and its eligibility."""

    id: str
    score: Score
    eligibility: eligibility.Eligibility


@dataclass(frozen=True)
class JobsQuery:
    """What a worker's recommendations search: the eligible rows, how many candidates, with
    which vector (None: no vector yet, the pool is the `newest` eligible jobs)."""

    mask: npt.NDArray[np.bool_]
    pool_size: int
    vector: Vector | None
    newest: list[str]


@dataclass(frozen=True)
class Found:
    """A pair for WatchMatches: the worker's score of the job, and the employer's of the worker
    (None when the worker is not discoverable)."""

    worker: Worker
    job: Job
    for_worker: Score
    for_employer: Score | None


class HeldVectors(Mapping[str, Vector]):
    """The job vectors of an in-memory index, read from its rows: the matcher keeps no copy.

    Only jobs given a vector are in it (a job known before its vector has a zero row). A value
    is the row as it is now; callers use it at once (the index may reallocate its rows)."""

    def __init__(self, index: VectorRows | None) -> None:
        self.index = index
        self.names: set[str] = set()

    def __getitem__(self, name: str) -> Vector:
        if name not in self.names or self.index is None:
            raise KeyError(name)
        return self.index.vector(name)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def of(self, names: Sequence[str]) -> dict[str, Vector]:
        """The vectors of those of `names` that have one, copied out of the rows at once."""
        have = [n for n in names if n in self.names]
        if not have or self.index is None:
            return {}
        return dict(zip(have, self.index.rows_of(have), strict=True))


class Matcher:
    """Open jobs and workers in memory, ranked on demand."""

    def __init__(
        self,
        dim: int,
        *,
        mean: Vector | None = None,
        index: SlotIndex | None = None,
        weights: Weights = HAND_SET,
    ) -> None:
        self.dim = dim
        self.mean: Vector = np.zeros(dim, dtype=np.float32) if mean is None else np.asarray(mean, np.float32)
        self.index: SlotIndex = index if index is not None else FaissHnswIndex(dim)
        self.weights = weights
        self.jobs: dict[str, Job] = {}
        self.workers: dict[str, Worker] = {}
        self.table = JobTable()
        self.scores = JobScoreTable()
        self.worker_table = WorkerTable(dim)
        # The job vectors when the index holds them in memory (read from its rows); a remote index
        # (pgvector) keeps them, and `vectored` names the jobs this replica knows to have one.
        self.remote: RemoteSlotIndex | None = None if getattr(self.index, "holds_vectors", True) else self.index  # type: ignore[assignment]
        self.job_vectors = HeldVectors(None if self.remote is not None else self.index)  # type: ignore[arg-type]
        self.vectored: set[str] = set()
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
        known = {j.name for j, _ in batch if j.name in self.jobs}
        for job, _ in batch:
            self.jobs[job.name] = job
        names = [j.name for j, _ in batch]
        units = self.unit(np.stack([v for _, v in with_vec])) if with_vec else np.zeros((0, self.dim), np.float32)
        if self.remote is not None:
            # Only the store keeps vectors; a job without one yet still needs its row.
            given = {job.name: u for (job, _), u in zip(with_vec, units, strict=True)}
            if given:
                self.remote.upsert(list(given), np.stack(list(given.values())))
                self.vectored.update(given)
            fresh = [n for n in dict.fromkeys(names) if n not in known and n not in given]
            if fresh:
                self.remote.reserve(fresh)
        else:
            given = {job.name: u for (job, _), u in zip(with_vec, units, strict=True)}
            # Every job needs a slot (its eligibility row) even before it has a vector; one given
            # none keeps its row's (copied out by the stack before the rows are written).
            zero = np.zeros(self.dim, np.float32)
            vectors = np.stack([given[n] if n in given else self.job_vectors.get(n, zero) for n in names])
            self.index.upsert(names, vectors)
            self.job_vectors.names.update(given)
        for job, _ in batch:
            slot = self._slot(job.name)
            self.table.set(slot, job)
            self.scores.set(slot, job)

    def _slot(self, name: str) -> int:
        return self.index.slot(name)

    def remove_job(self, name: str) -> None:
        if name in self.jobs:
            self.table.clear(self._slot(name))
            self.index.remove([name])
            del self.jobs[name]
            self.job_vectors.names.discard(name)
            self.vectored.discard(name)

    def upsert_worker(self, worker: Worker, vector: Vector | None = None) -> None:
        """Add or replace a worker; `None` keeps the worker's previous vector."""
        self.workers[worker.name] = worker
        unit = None
        if vector is not None:
            unit = self.worker_vectors[worker.name] = self.unit(vector)[0]
        self.worker_table.set(worker, unit)

    def remove_worker(self, name: str) -> None:
        self.workers.pop(name, None)
        self.worker_vectors.pop(name, None)
        self.worker_table.remove(name)

    # --- scoring ----------------------------------------------------------
    def job_vectors_of(self, names: Sequence[str]) -> Mapping[str, Vector]:
        """The vectors of these jobs: the in-memory map, or (remote index) fetched synchronously."""
        if self.remote is None:
            return self.job_vectors
        wanted = [n for n in names if n in self.vectored]
        return self.remote.vectors(wanted) if wanted else {}

    def cosine(self, worker: str, job: str, vectors: Mapping[str, Vector] | None = None) -> float | None:
        if vectors is None:
            vectors = self.job_vectors_of([job])
        wv, jv = self.worker_vectors.get(worker), vectors.get(job)
        if wv is None or jv is None:
            return None
        return float(wv @ jv)

    def score_pair(
        self,
        worker: Worker,
        job: Job,
        now: dt.datetime,
        *,
        for_employer: bool = False,
        vectors: Mapping[str, Vector] | None = None,
        held: dict[str, SkillClaim] | None = None,
    ) -> Score:
        """The pair's score; `vectors` holds the job's vector (default: `job_vectors_of`); `held`:
        the worker's `held_claims` when many jobs are scored for one worker."""
        return score(
            worker,
            job,
            weights=self.weights.values,
            weights_version=self.weights.version,
            now=now,
            cosine=self.cosine(worker.name, job.name, vectors),
            applicants_per_seat=0.0 if for_employer else self.applicants_per_seat.get(job.name, 0.0),
            freshness_of=worker.updated if for_employer else None,
            held=held,
        )

    def explain(
        self, worker: Worker, job: Job, now: dt.datetime, vectors: Mapping[str, Vector] | None = None
    ) -> Ranked:
        verdict = eligibility.check(worker, job, now.date())
        return Ranked(job.name, self.score_pair(worker, job, now, vectors=vectors), verdict)

    # --- retrieval --------------------------------------------------------
    def eligible_mask(self, worker: Worker, prefecture: str = "") -> npt.NDArray[np.bool_]:
        size = self.index.capacity
        mask = self.table.eligible_mask(worker, size)
        if prefecture:
            mask &= self.table.prefecture[:size] == PREFECTURE_INDEX.get(prefecture, -2)
        return mask

    def jobs_query(self, worker: Worker, *, limit: int, offset: int = 0, prefecture: str = "") -> JobsQuery:
        """The first step of `recommend_jobs`: the eligibility mask and what to search (no I/O)."""
        mask = self.eligible_mask(worker, prefecture)
        pool_size = max(POOL_MIN, (offset + limit) * POOL_FACTOR)
        vector = self.worker_vectors.get(worker.name)
        newest: list[str] = []
        if vector is None:
            slots = self.scores.newest(np.flatnonzero(mask), pool_size)
            newest = [str(self.index.name_at(int(s))) for s in slots]
        return JobsQuery(mask, pool_size, vector, newest)

    def recommend_jobs(
        self, worker: Worker, now: dt.datetime, *, limit: int, offset: int = 0, prefecture: str = ""
    ) -> tuple[list[Ranked], bool]:
        """Eligible open jobs, best first: the page [offset, offset+limit) and whether more follow."""
        query = self.jobs_query(worker, limit=limit, offset=offset, prefecture=prefecture)
        names, vectors = self._pool(query)
        return self.rank_jobs(worker, now, query, names, vectors, limit=limit, offset=offset)

    def _pool(self, query: JobsQuery) -> tuple[list[str], Mapping[str, Vector]]:
        """The candidates for `query` and their vectors (a remote index's search is synchronous here)."""
        if query.vector is None:
            return query.newest, self.job_vectors_of(query.newest)
        if self.remote is None:
            return [n for n, _ in self.index.search_mask(query.vector, query.pool_size, query.mask)], self.job_vectors
        return self.pool_of(self.remote.search_rows(query.vector, query.pool_size, query.mask))

    def pool_of(self, rows: Sequence[tuple[str, float, Vector]]) -> tuple[list[str], dict[str, Vector]]:
        """A remote search's rows as the pool's names and vectors (a job without a vector yet has none)."""
        return [n for n, _, _ in rows], {n: v for n, _, v in rows if n in self.vectored}

    def rank_jobs(
        self,
        worker: Worker,
        now: dt.datetime,
        query: JobsQuery,
        names: Sequence[str],
        vectors: Mapping[str, Vector],
        *,
        limit: int,
        offset: int = 0,
    ) -> tuple[list[Ranked], bool]:
        """The last step of `recommend_jobs`: the pool `names` found for `query` (with the jobs'
        `vectors`) ranked, the page explained."""
        mask, pool_size = query.mask, query.pool_size
        # Rank the pool with bulk scores; explain (reasons, rule verdicts) only the page. A job
        # closed while the search was awaited is left out.
        pool = [self.jobs[n] for n in names if n in self.jobs]
        order = self._rank(worker, [job.name for job in pool], now, vectors)
        today = now.date()
        ranked: list[Ranked] = []
        held = held_claims(worker)
        position, beyond = 0, False
        for index in order:
            job = pool[index]
            verdict = eligibility.check(worker, job, today)
            if not verdict.eligible:  # only licences beyond the column filter's vocabulary get here
                continue
            if position >= offset + limit:  # an eligible job after the page: not the last page
                beyond = True
                break
            if position >= offset:
                ranked.append(Ranked(job.name, self.score_pair(worker, job, now, vectors=vectors, held=held), verdict))
            position += 1
        more = beyond or (len(names) >= pool_size and int(mask.sum()) > pool_size)
        return ranked, more

    def _rank(self, worker: Worker, names: list[str], now: dt.datetime, vectors: Mapping[str, Vector]) -> list[int]:
        """Indices of the open jobs `names`, best total first (ties by name)."""
        if not names:
            return []
        comps = self.scores.components(
            worker,
            np.fromiter((self._slot(n) for n in names), dtype=np.int64, count=len(names)),
            names,
            now,
            worker_vector=self.worker_vectors.get(worker.name),
            job_vectors=vectors.of(names) if isinstance(vectors, HeldVectors) else vectors,
            applicants_per_seat=self.applicants_per_seat,
        )
        total = totals(comps, self.weights.values)[0]
        return sorted(range(len(names)), key=lambda i: (-total[i], names[i]))

    def recommend_workers(
        self,
        job: Job,
        now: dt.datetime,
        *,
        limit: int,
        offset: int = 0,
        vectors: Mapping[str, Vector] | None = None,
    ) -> tuple[list[Ranked], bool]:
        """Eligible, discoverable workers for `job`, best first (`vectors`: the job's, as in `score_pair`)."""
        if vectors is None:
            vectors = self.job_vectors_of([job.name])
        table = self.worker_table
        rows = np.flatnonzero(table.eligible_mask(job) & table.discoverable)
        best = self._best_workers(job, now, rows, k=offset + limit, floor=0.0, for_employer=True, vectors=vectors)
        today = now.date()
        page = []
        for _, worker in best[offset:]:
            verdict = eligibility.check(worker, job, today)
            if verdict.eligible:  # the column filter equals the rules; this is the explanation
                page.append(
                    Ranked(worker.name, self.score_pair(worker, job, now, for_employer=True, vectors=vectors), verdict)
                )
        return page, len(rows) > offset + limit

    def _upper_bounds(
        self,
        job: Job,
        rows: npt.NDArray[np.int64],
        now: dt.datetime,
        *,
        for_employer: bool,
        vectors: Mapping[str, Vector] | None = None,
    ) -> npt.NDArray[np.float64]:
        """For each worker row, a total `job` cannot exceed, from columns alone (numpy over the rows).

        Exact where a column holds the input (semantic from the vectors, language, the job's
        freshness and exposure, experience and skills of workers holding none of the job's
        skills); 1 where it does not (wage; skills, evidence and experience of workers holding
        one of them); location from the distance, 1 within the prefecture.
        """
        table, n = self.worker_table, len(rows)
        values: dict[Component, npt.NDArray[np.float64]] = {}
        semantic = np.full(n, NEUTRAL)
        job_vector = (self.job_vectors_of([job.name]) if vectors is None else vectors).get(job.name)
        if job_vector is not None:
            has = table.has_vector[rows]
            cosine = table.vectors[rows[has]].astype(np.float64) @ job_vector.astype(np.float64)
            semantic[has] = np.clip((cosine - SEMANTIC_FLOOR) / SEMANTIC_SPAN, 0.0, 1.0)
        values[Component.SEMANTIC] = semantic
        keys = [k for s in job.skills for k in (s.taxonomy_id, s.label) if k]
        holds = np.isin(rows, table.rows_with_skills(keys))
        any_experience = np.minimum(0.3, table.experience[rows] / FULL_EXPERIENCE_YEARS * 0.3)
        values[Component.SKILLS] = np.where(holds, 1.0, 0.0 if job.skills else NEUTRAL)
        values[Component.EXPERIENCE] = np.where(holds, 1.0, any_experience)
        items = len(job.skills) + len(job.licences_required)
        values[Component.EVIDENCE] = (
            np.where(holds, 1.0, len(job.licences_required) / items) if items else np.full(n, NEUTRAL)
        )
        margin = table.jlpt[rows].astype(np.float64) - job.min_japanese_level
        values[Component.LANGUAGE] = np.where(margin < 0, 0.0, np.minimum(1.0, NEUTRAL + 0.25 * margin))
        values[Component.WAGE] = np.ones(n)
        point = job.place.point()
        location = np.full(n, NEUTRAL)
        if point is not None:
            km = _km(table.lat[rows], table.lon[rows], point)
            location = np.where(np.isnan(km), NEUTRAL, np.exp(-np.nan_to_num(km) / LOCATION_SCALE_KM))
        if job.place.prefecture:
            same = table.prefecture[rows] == PREFECTURE_INDEX.get(job.place.prefecture, -3)
            location = np.where(same, 1.0, location)
        values[Component.LOCATION] = location
        if for_employer:
            updated = table.updated[rows]
            days = np.maximum(0.0, (now.timestamp() - updated) / 86400)
            values[Component.FRESHNESS] = np.where(updated > 0, np.exp(-days / FRESHNESS_DAYS), NEUTRAL)
            exposure = 0.0
        else:
            values[Component.FRESHNESS] = np.full(n, freshness_value(job.published, now)[0])
            exposure = exposure_value(self.applicants_per_seat.get(job.name, 0.0))
        weights = self.weights.values
        total = sum(weights.get(c, 0.0) * values[c] for c in POSITIVE) - weights.get(Component.EXPOSURE, 0.0) * exposure
        bound: npt.NDArray[np.float64] = np.clip(np.asarray(total, dtype=np.float64), 0.0, 1.0) + 1e-6
        return bound

    def _best_workers(
        self,
        job: Job,
        now: dt.datetime,
        rows: npt.NDArray[np.int64],
        *,
        k: int,
        floor: float,
        for_employer: bool,
        vectors: Mapping[str, Vector] | None = None,
        scan: int | None = None,
    ) -> list[tuple[float, Worker]]:
        """The `k` best of these (eligible) worker rows for `job` with a total of at least `floor`.

        Rows are taken in the order of their upper bounds and scored in full in blocks
        (`bulk.component_matrices`, the same numbers as `scoring.score`); it stops once the
        k-th best total found reaches the next row's bound (the result is then exact), or
        after `scan` rows. Best first: total, then the most recently updated profile.
        """
        if len(rows) == 0 or k <= 0:
            return []
        table = self.worker_table
        if vectors is None:
            vectors = self.job_vectors_of([job.name])
        bound = self._upper_bounds(job, rows, now, for_employer=for_employer, vectors=vectors)
        keep = bound >= floor
        rows, bound = rows[keep], bound[keep]
        order = np.lexsort((-table.updated[rows], -bound))
        rows, bound = rows[order], bound[order]
        end = len(rows) if scan is None else min(len(rows), scan)
        best: list[tuple[float, float, str, Worker]] = []
        for start in range(0, end, BLOCK):
            if len(best) >= k and bound[start] <= best[k - 1][0]:
                break
            block = [self.workers[str(table.names[int(r)])] for r in rows[start : min(end, start + BLOCK)]]
            comps = component_matrices(
                block,
                [job],
                now,
                worker_vectors=self.worker_vectors,
                job_vectors=vectors,
                applicants_per_seat={} if for_employer else self.applicants_per_seat,
            )
            if for_employer:  # employers rank by the worker's fit: the profile's freshness, no exposure
                comps[Component.FRESHNESS] = np.array([[_freshness(w.updated, now)] for w in block])
                comps[Component.EXPOSURE] = np.zeros((len(block), 1))
            total = totals(comps, self.weights.values)[:, 0]
            for i, worker in enumerate(block):
                if total[i] >= floor - 1e-9:
                    best.append(
                        (float(total[i]), worker.updated.timestamp() if worker.updated else 0.0, worker.name, worker)
                    )
            best.sort(key=lambda b: (-b[0], -b[1], b[2]))
            del best[k:]
        return [(t, w) for t, _, _, w in best]

    # --- new matches (WatchMatches) ---------------------------------------
    def _found(self, worker: Worker, job: Job, now: dt.datetime, vectors: Mapping[str, Vector]) -> Found:
        employer = (
            self.score_pair(worker, job, now, for_employer=True, vectors=vectors) if worker.discoverable else None
        )
        return Found(worker, job, self.score_pair(worker, job, now, vectors=vectors), employer)

    def matches_for_job(
        self,
        job: Job,
        now: dt.datetime,
        floor: float,
        limit: int = WATCH_LIMIT,
        scan: int = WATCH_SCAN,
        vectors: Mapping[str, Vector] | None = None,
    ) -> list[Found]:
        """The workers `job` suits best (at most `limit`) whose score of it reaches `floor` (a job
        published or changed).

        The worker columns' rules first (`WorkerTable.eligible_mask`, numpy over columns), then
        only rows whose upper bound reaches the floor are scored in full, best bound first
        (`_best_workers`): the work per job published grows with the candidates scored, not with
        every worker's rule check and score.
        """
        if vectors is None:
            vectors = self.job_vectors_of([job.name])
        rows = np.flatnonzero(self.worker_table.eligible_mask(job))
        best = self._best_workers(job, now, rows, k=limit, floor=floor, for_employer=False, scan=scan, vectors=vectors)
        today = now.date()
        found = [self._found(w, job, now, vectors) for _, w in best if eligibility.check(w, job, today).eligible]
        return [f for f in found if f.for_worker.total >= floor]

    def matches_for_worker(self, worker: Worker, now: dt.datetime, floor: float, limit: int = 50) -> list[Found]:
        """The worker's best eligible jobs (at most `limit`) reaching `floor` (a profile or credential changed)."""
        query = self.jobs_query(worker, limit=limit)
        names, vectors = self._pool(query)
        ranked, _ = self.rank_jobs(worker, now, query, names, vectors, limit=limit)
        return self.found_for_worker(worker, ranked, now, floor, vectors)

    def found_for_worker(
        self, worker: Worker, ranked: Sequence[Ranked], now: dt.datetime, floor: float, vectors: Mapping[str, Vector]
    ) -> list[Found]:
        """The pairs of a worker's ranked jobs that reach `floor`."""
        return [
            self._found(worker, self.jobs[r.id], now, vectors)
            for r in ranked
            if r.score.total >= floor and r.id in self.jobs
        ]


def _freshness(updated: dt.datetime | None, now: dt.datetime) -> float:
    return freshness_value(updated, now)[0]
