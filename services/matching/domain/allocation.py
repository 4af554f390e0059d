"""Cohort allocation: place workers into jobs with seats.

The input is the set of acceptable pairs (eligible, scoring at least the
minimum) with their scores, as one `Candidates` per worker, and the seats of
each job. Three solvers:

- `optimal_dense`: the maximum-total-score assignment over every pair, with
  `scipy.optimize.linear_sum_assignment` on a workers × seats matrix (a job
  with k seats is k columns). Exact; memory grows with workers × seats.
- `optimal_sparse`: the same objective over each worker's top-k candidates,
  as a min-cost flow with OR-Tools (source → worker → job → sink, job arcs
  with capacity = seats, and a zero-cost bypass so a worker may stay
  unplaced). Exact for the candidate graph; scales to tens of thousands.
- `stable`: worker-proposing deferred acceptance (Gale-Shapley with
  capacities). Workers propose in the order of their stated preferences,
  then by score; jobs hold their best proposals by score. The result has no
  blocking pair, and is the best stable outcome for every worker.

`blocking_pairs` counts, for any assignment, the acceptable pairs whose
worker and job both prefer each other to what they got.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

SCALE = 1_000_000  # scores are integers for the min-cost flow
DENSE_LIMIT = 30_000_000  # workers × seats above which `optimal` goes sparse


@dataclass
class Candidates:
    """One worker's acceptable jobs: job indices, their scores, stated order (optional)."""

    jobs: list[int]
    scores: list[float]
    stated: list[int] = field(default_factory=list)  # job indices, most wanted first


@dataclass(frozen=True)
class Allocation:
    """An assignment and what it leaves."""

    pairs: tuple[tuple[int, int, float], ...]  # (worker, job, score)
    total_score: float
    unfilled_seats: int
    unplaced_workers: tuple[int, ...]
    blocking_pairs: int
    solver: str


def _finish(
    pairs: list[tuple[int, int, float]], candidates: Sequence[Candidates], seats: Sequence[int], solver: str
) -> Allocation:
    pairs.sort()
    placed = {w for w, _, _ in pairs}
    filled = np.bincount(np.asarray([j for _, j, _ in pairs], dtype=np.int64), minlength=len(seats))
    job_of = {w: j for w, j, _ in pairs}
    return Allocation(
        pairs=tuple(pairs),
        total_score=float(sum(s for _, _, s in pairs)),
        unfilled_seats=int(np.sum(np.asarray(seats) - filled)),
        unplaced_workers=tuple(w for w in range(len(candidates)) if w not in placed),
        blocking_pairs=blocking_pairs(job_of, candidates, seats),
        solver=solver,
    )


def optimal(candidates: Sequence[Candidates], seats: Sequence[int]) -> Allocation:
    """Maximum total score: dense when workers × seats is small enough, else sparse."""
    if len(candidates) * max(1, sum(seats)) <= DENSE_LIMIT:
        return optimal_dense(candidates, seats)
    return optimal_sparse(candidates, seats)


def _flat(
    candidates: Sequence[Candidates],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """All acceptable pairs as arrays: worker, job, score."""
    lengths = np.fromiter((len(c.jobs) for c in candidates), dtype=np.int64, count=len(candidates))
    workers = np.repeat(np.arange(len(candidates), dtype=np.int64), lengths)
    jobs = np.fromiter((j for c in candidates for j in c.jobs), dtype=np.int64, count=int(lengths.sum()))
    scores = np.fromiter((s for c in candidates for s in c.scores), dtype=np.float64, count=int(lengths.sum()))
    return workers, jobs, scores


def optimal_dense(candidates: Sequence[Candidates], seats: Sequence[int]) -> Allocation:
    """Exact maximum-score assignment with linear_sum_assignment over worker × seat."""
    from scipy.optimize import linear_sum_assignment

    n_workers, n_seats = len(candidates), int(sum(seats))
    if n_workers == 0 or n_seats == 0:
        return _finish([], candidates, seats, "dense-lsa")
    workers, jobs, scores = _flat(candidates)
    # Scores are >= 0 and unacceptable pairs are 0 (marked in `acceptable`), so the
    # maximum-weight assignment found here, minus unacceptable pairs, is the best partial one.
    by_job = np.zeros((n_workers, len(seats)), dtype=np.float64)
    acceptable = np.zeros((n_workers, len(seats)), dtype=np.bool_)
    by_job[workers, jobs] = scores
    acceptable[workers, jobs] = True
    seat_counts = np.asarray(seats, dtype=np.int64)
    column_job = np.repeat(np.arange(len(seats)), seat_counts)
    matrix = by_job[:, column_job]
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    chosen = column_job[cols]
    keep = acceptable[rows, chosen]
    pairs = [(int(w), int(j), float(by_job[w, j])) for w, j in zip(rows[keep], chosen[keep], strict=True)]
    return _finish(pairs, candidates, seats, "dense-lsa")


def optimal_sparse(candidates: Sequence[Candidates], seats: Sequence[int]) -> Allocation:
    """Exact maximum-score assignment on the candidate graph, as an OR-Tools min-cost flow."""
    from ortools.graph.python import min_cost_flow

    n_workers, n_jobs = len(candidates), len(seats)
    source, sink = n_workers + n_jobs, n_workers + n_jobs + 1
    workers, jobs, scores = _flat(candidates)
    everyone = np.arange(n_workers, dtype=np.int64)
    # Arcs: source -> worker, worker -> sink (bypass: stays unplaced), worker -> job, job -> sink.
    tails = np.concatenate([np.full(n_workers, source), everyone, workers, n_workers + np.arange(n_jobs)])
    heads = np.concatenate([everyone, np.full(n_workers, sink), n_workers + jobs, np.full(n_jobs, sink)])
    caps = np.concatenate([np.ones(2 * n_workers + len(workers), np.int64), np.asarray(seats, np.int64)])
    pair_costs = -np.round(scores * SCALE).astype(np.int64)
    costs = np.concatenate([np.zeros(2 * n_workers, np.int64), pair_costs, np.zeros(n_jobs, np.int64)])
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), costs
    )
    supplies = np.zeros(n_workers + n_jobs + 2, dtype=np.int64)
    supplies[source], supplies[sink] = n_workers, -n_workers
    flow.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    used = flow.flows(arcs)[2 * n_workers : 2 * n_workers + len(workers)] > 0
    pairs = [(int(w), int(j), float(s)) for w, j, s in zip(workers[used], jobs[used], scores[used], strict=True)]
    return _finish(pairs, candidates, seats, "min-cost-flow")


def worker_order(cand: Candidates) -> list[int]:
    """A worker's jobs, most wanted first: stated preferences, then by score."""
    acceptable = set(cand.jobs)
    stated = [j for j in dict.fromkeys(cand.stated) if j in acceptable]
    seen = set(stated)
    rest = sorted(
        ((s, j) for j, s in zip(cand.jobs, cand.scores, strict=True) if j not in seen),
        key=lambda t: (-t[0], t[1]),
    )
    return stated + [j for _, j in rest]


def stable(candidates: Sequence[Candidates], seats: Sequence[int]) -> Allocation:
    """Worker-proposing deferred acceptance; jobs rank workers by score (ties: lower index)."""
    orders = [worker_order(c) for c in candidates]
    score_of = [dict(zip(c.jobs, c.scores, strict=True)) for c in candidates]
    held: list[list[tuple[float, int]]] = [[] for _ in seats]  # min-heaps of (score, -worker)
    next_choice = [0] * len(candidates)
    free = list(range(len(candidates) - 1, -1, -1))
    while free:
        w = free.pop()
        order = orders[w]
        while next_choice[w] < len(order):
            j = order[next_choice[w]]
            next_choice[w] += 1
            if seats[j] <= 0:
                continue
            entry = (score_of[w][j], -w)
            heap = held[j]
            if len(heap) < seats[j]:
                heapq.heappush(heap, entry)
                break
            if entry > heap[0]:
                _, loser = heapq.heapreplace(heap, entry)
                free.append(-loser)
                break
    pairs = [(-nw, j, s) for j, heap in enumerate(held) for s, nw in heap]
    return _finish(pairs, candidates, seats, "deferred-acceptance")


def blocking_pairs(job_of: dict[int, int], candidates: Sequence[Candidates], seats: Sequence[int]) -> int:
    """Acceptable pairs (w, j) where w prefers j to its job and j has room or prefers w.

    Workers' preferences: `worker_order`; jobs': score, ties to the lower index.
    """
    holders = np.zeros(len(seats), dtype=np.int64)
    worst_score = np.full(len(seats), np.inf)
    worst_worker = np.full(len(seats), -1, dtype=np.int64)
    for w, j in job_of.items():
        s = candidates[w].scores[candidates[w].jobs.index(j)]
        holders[j] += 1
        if (s, -w) < (worst_score[j], -worst_worker[j]):
            worst_score[j], worst_worker[j] = s, w
    room = holders < np.asarray(seats, dtype=np.int64)
    open_job = np.asarray(seats, dtype=np.int64) > 0
    count = 0
    for w, cand in enumerate(candidates):
        current = job_of.get(w)
        if cand.stated:
            order = worker_order(cand)
            better = order[: order.index(current)] if current is not None and current in order else order
        elif current is None:
            better = cand.jobs
        else:
            mine = cand.scores[cand.jobs.index(current)]
            better = [j for j, s in zip(cand.jobs, cand.scores, strict=True) if s > mine or (s == mine and j < current)]
        if not better:
            continue
        score_of = dict(zip(cand.jobs, cand.scores, strict=True))
        for j in better:
            if not open_job[j]:
                continue
            if room[j] or (score_of[j], -w) > (worst_score[j], -worst_worker[j]):
                count += 1
    return count


def top_k(scores: npt.NDArray[np.float64], k: int, min_score: float = 0.0) -> list[Candidates]:
    """Each row's k best columns scoring at least `min_score` (NaN: not acceptable)."""
    out = []
    k = min(k, scores.shape[1])
    filled = np.where(np.isnan(scores), -np.inf, scores)
    idx = (
        np.argpartition(-filled, k - 1, axis=1)[:, :k]
        if k < scores.shape[1]
        else np.tile(np.arange(scores.shape[1]), (scores.shape[0], 1))
    )
    for w in range(scores.shape[0]):
        cols = [int(j) for j in idx[w] if filled[w, j] >= min_score and np.isfinite(filled[w, j])]
        out.append(Candidates(cols, [float(scores[w, j]) for j in cols]))
    return out
