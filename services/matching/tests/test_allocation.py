"""Cohort allocation: optimal against brute force, stable without blocking pairs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from services.matching.domain.allocation import (
    Candidates,
    blocking_pairs,
    optimal,
    optimal_dense,
    optimal_sparse,
    stable,
    top_k,
)


def random_case(seed: int, workers: int, jobs: int) -> tuple[list[Candidates], list[int]]:
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random((workers, jobs)), 3)
    scores[rng.random((workers, jobs)) < 0.3] = np.nan  # ineligible pairs
    seats = [int(s) for s in rng.integers(0, 3, jobs)]
    return top_k(scores, jobs), seats


def brute_force_best(candidates: list[Candidates], seats: list[int]) -> float:
    """Try every choice of job (or none) for every worker."""
    options = [[None, *c.jobs] for c in candidates]
    best = 0.0
    for choice in itertools.product(*options):
        used = [0] * len(seats)
        total = 0.0
        ok = True
        for w, j in enumerate(choice):
            if j is None:
                continue
            used[j] += 1
            if used[j] > seats[j]:
                ok = False
                break
            total += dict(zip(candidates[w].jobs, candidates[w].scores, strict=True))[j]
        if ok:
            best = max(best, total)
    return best


@pytest.mark.parametrize("seed", range(25))
def test_optimal_solvers_match_brute_force(seed: int) -> None:
    candidates, seats = random_case(seed, workers=5, jobs=3)
    best = brute_force_best(candidates, seats)
    for solver in (optimal_dense, optimal_sparse):
        result = solver(candidates, seats)
        assert result.total_score == pytest.approx(best, abs=1e-9), solver.__name__
        placed = [w for w, _, _ in result.pairs]
        assert len(placed) == len(set(placed))
        for w, j, _ in result.pairs:
            assert j in candidates[w].jobs  # only acceptable pairs
        counts = np.bincount([j for _, j, _ in result.pairs], minlength=len(seats))
        assert (counts <= np.asarray(seats)).all()
        assert result.unfilled_seats == sum(seats) - len(result.pairs)
        assert set(result.unplaced_workers) == set(range(5)) - set(placed)


def is_stable_brute_force(job_of: dict[int, int], candidates: list[Candidates], seats: list[int]) -> bool:
    from services.matching.domain.allocation import worker_order

    for w, cand in enumerate(candidates):
        order = worker_order(cand)
        current = job_of.get(w)
        for j in order:
            if j == current:
                break
            if seats[j] == 0:
                continue
            holders = [v for v, k in job_of.items() if k == j]
            score = dict(zip(cand.jobs, cand.scores, strict=True))
            if len(holders) < seats[j]:
                return False
            for v in holders:
                theirs = dict(zip(candidates[v].jobs, candidates[v].scores, strict=True))[j]
                if (score[j], -w) > (theirs, -v):
                    return False
    return True


@pytest.mark.parametrize("seed", range(40))
def test_deferred_acceptance_is_stable_and_feasible(seed: int) -> None:
    candidates, seats = random_case(seed, workers=8, jobs=4)
    rng = np.random.default_rng(seed)
    for c in candidates:  # stated preferences override score order for some workers
        if c.jobs and rng.random() < 0.5:
            c.stated = [int(j) for j in rng.permutation(c.jobs)[:2]]
    result = stable(candidates, seats)
    job_of = {w: j for w, j, _ in result.pairs}
    assert result.blocking_pairs == 0
    assert is_stable_brute_force(job_of, candidates, seats)
    counts = np.bincount([j for _, j, _ in result.pairs], minlength=len(seats))
    assert (counts <= np.asarray(seats)).all()


def test_blocking_pairs_counts_what_optimal_leaves() -> None:
    # Scores: w0: j0 .9, j1 .8; w1: j0 .8, j1 .1. The optimum is w0-j1 + w1-j0 = 1.6
    # (w0-j0 + w1-j1 is only 1.0), though w0 and j0 both prefer each other.
    candidates = [Candidates([0, 1], [0.9, 0.8]), Candidates([0, 1], [0.8, 0.1])]
    seats = [1, 1]
    best = optimal(candidates, seats)
    assert best.total_score == pytest.approx(1.6)
    # w0 would rather have j0, and j0 ranks w0 (0.9) above w1 (0.8): one blocking pair.
    assert best.blocking_pairs == 1
    assert stable(candidates, seats).blocking_pairs == 0
    assert blocking_pairs({}, candidates, seats) == 4  # nobody placed: every acceptable pair blocks


def test_sparse_equals_dense_on_a_larger_case() -> None:
    rng = np.random.default_rng(3)
    scores = rng.random((120, 40))
    candidates = top_k(scores, 40)
    seats = [int(s) for s in rng.integers(0, 4, 40)]
    assert optimal_sparse(candidates, seats).total_score == pytest.approx(
        optimal_dense(candidates, seats).total_score, abs=1e-5
    )
