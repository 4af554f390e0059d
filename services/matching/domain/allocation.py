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
    filled = np.zeros(len(seats), dtype=np.int64)
    for _, j, _ in pairs:
        filled[j] += 1
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


def optimal_dense(candidates: Sequence[Candidates], seats: Sequence[int]) -> Allocation:
    """Exact maximum-score assignment with linear_sum_assignment over worker × seat."""
    from scipy.optimize import linear_sum_assignment

    n_workers, n_seats = len(candidates), int(sum(seats))
    if n_workers == 0 or n_seats == 0:
        return _finish([], candidates, seats, "dense-lsa")
    column_job = np.repeat(np.arange(len(seats)), seats)
    first_column = np.concatenate([[0], np.cumsum(seats)[:-1]]).astype(np.int64)
    # Scores are >= 0 and unacceptable pairs are 0, so the maximum-weight
    # assignment found here, minus its zero pairs, is the best partial one.
    matrix = np.zeros((n_workers, n_seats), dtype=np.float64)
    for w, cand in enumerate(candidates):
        for j, s in zip(cand.jobs, cand.scores, strict=True):
            if seats[j] > 0:
                start = first_column[j]
                matrix[w, start : start + seats[j]] = s
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    acceptable = [set(c.jobs) for c in candidates]
    pairs = [
        (int(w), int(column_job[c]), float(matrix[w, c]))
        for w, c in zip(rows, cols, strict=True)
        if int(column_job[c]) in acceptable[w]
    ]
    return _finish(pairs, candidates, seats, "dense-lsa")


def optimal_sparse(candidates: Sequence[Candidates], seats: Sequence[int]) -> Allocation:
    """Exact maximum-score assignment on the candidate graph, as an OR-Tools min-cost flow."""
    from ortools.graph.python import min_cost_flow

    n_workers, n_jobs = len(candidates), len(seats)
    source, sink = n_workers + n_jobs, n_workers + n_jobs + 1
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[int] = []
    for w, cand in enumerate(candidates):
        tails.append(source)
        heads.append(w)
        caps.append(1)
        costs.append(0)
        tails.append(w)  # bypass: the worker stays unplaced
        heads.append(sink)
        caps.append(1)
        costs.append(0)
        for j, s in zip(cand.jobs, cand.scores, strict=True):
            tails.append(w)
            heads.append(n_workers + j)
            caps.append(1)
            costs.append(-round(s * SCALE))
    for j, k in enumerate(seats):
        tails.append(n_workers + j)
        heads.append(sink)
        caps.append(int(k))
        costs.append(0)
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.asarray(tails, dtype=np.int32),
        np.asarray(heads, dtype=np.int32),
        np.asarray(caps, dtype=np.int64),
        np.asarray(costs, dtype=np.int64),
    )
    supplies = np.zeros(n_workers + n_jobs + 2, dtype=np.int64)
    supplies[source], supplies[sink] = n_workers, -n_workers
    flow.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = flow.flows(arcs)
    tails_a, heads_a, costs_a = np.asarray(tails), np.asarray(heads), np.asarray(costs)
    used = (flows > 0) & (tails_a < n_workers) & (heads_a >= n_workers) & (heads_a < n_workers + n_jobs)
    pairs = [
        (int(w), int(h - n_workers), -float(c) / SCALE)
        for w, h, c in zip(tails_a[used], heads_a[used], costs_a[used], strict=True)
    ]
    # Report the exact scores, not the rounded costs.
    exact = {(w, j): s for w, c in enumerate(candidates) for j, s in zip(c.jobs, c.scores, strict=True)}
    pairs = [(w, j, exact[(w, j)]) for w, j, _ in pairs]
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
    holders: list[list[tuple[float, int]]] = [[] for _ in seats]
    for w, j in job_of.items():
        s = dict(zip(candidates[w].jobs, candidates[w].scores, strict=True))[j]
        holders[j].append((s, -w))
    worst = [min(h) if h else None for h in holders]
    count = 0
    for w, cand in enumerate(candidates):
        order = worker_order(cand)
        current = job_of.get(w)
        cutoff = order.index(current) if current is not None and current in order else len(order)
        score_of = dict(zip(cand.jobs, cand.scores, strict=True))
        for j in order[:cutoff]:
            if seats[j] <= 0:
                continue
            lowest = worst[j]
            if len(holders[j]) < seats[j] or (lowest is not None and (score_of[j], -w) > lowest):
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
