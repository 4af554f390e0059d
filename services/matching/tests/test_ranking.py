"""Recommendations over the in-memory projection."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import numpy as np
import pytest

from services.eligibility.facts import Job, Status
from services.eligibility.rules import check
from services.matching.domain.ranking import Matcher
from services.matching.tests.factories import random_job, random_worker

NOW = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)


def build(n_jobs: int = 1500, n_workers: int = 200, dim: int = 32) -> tuple[Matcher, list[Job]]:
    rng = random.Random(3)
    nrng = np.random.default_rng(3)
    matcher = Matcher(dim)
    jobs = [random_job(rng, i) for i in range(n_jobs)]
    matcher.upsert_jobs((j, nrng.standard_normal(dim).astype(np.float32)) for j in jobs)
    for i in range(n_workers):
        matcher.upsert_worker(random_worker(rng, i), nrng.standard_normal(dim).astype(np.float32))
    return matcher, jobs


def test_only_eligible_jobs_best_first_and_pages_add_up() -> None:
    matcher, jobs = build()
    checked = 0
    for worker in list(matcher.workers.values())[:30]:
        everything = [j for j in jobs if check(worker, j, NOW.date()).eligible]
        page1, more1 = matcher.recommend_jobs(worker, NOW, limit=5)
        page2, _ = matcher.recommend_jobs(worker, NOW, limit=5, offset=5)
        both, _ = matcher.recommend_jobs(worker, NOW, limit=10)
        assert [r.id for r in page1 + page2] == [r.id for r in both]
        assert all(r.eligibility.eligible for r in both)
        totals = [r.score.total for r in both]
        assert totals == sorted(totals, reverse=True)
        assert len(both) == min(10, len(everything))
        assert more1 == (len(everything) > 5)
        checked += bool(everything)
    assert checked > 5


def test_a_pool_holding_every_eligible_job_ranks_as_the_scalar_score_does() -> None:
    """Fewer jobs than the candidate pool: each page is the brute-force ranking by `score_pair`
    (pair by pair), so the pool's bulk scores rank exactly as the explained scores do."""
    matcher, jobs = build(n_jobs=180, n_workers=80)
    for job in jobs[::3]:  # some jobs published long ago, some without a vector, some crowded
        matcher.upsert_jobs([(dataclasses.replace(job, published=NOW - dt.timedelta(days=45)), None)])
        matcher.applicants_per_seat[job.name] = 6.0
    matcher.upsert_jobs((dataclasses.replace(j, published=None), None) for j in jobs[1::7])
    for job in jobs[2::11]:
        matcher.remove_job(job.name)
        matcher.upsert_jobs([(job, None)])  # back without its vector
    compared = 0
    for worker in matcher.workers.values():
        expected = sorted(
            (round(-matcher.score_pair(worker, j, NOW).total, 9), j.name)
            for j in matcher.jobs.values()
            if check(worker, j, NOW.date()).eligible
        )
        for offset in (0, 10):
            page, more = matcher.recommend_jobs(worker, NOW, limit=10, offset=offset)
            assert [r.id for r in page] == [n for _, n in expected[offset : offset + 10]]
            assert more == (len(expected) > offset + 10)
            for r, (total, _) in zip(page, expected[offset:], strict=False):
                assert r.score.total == pytest.approx(-total, abs=1e-9)
        compared += len(expected) > 10
    assert compared > 10


def test_a_worker_with_rare_eligibility_gets_every_eligible_job() -> None:
    matcher, jobs = build()
    worker = dataclasses.replace(
        next(iter(matcher.workers.values())),
        status=Status.SSW_1,
        designated_field="AVIATION",
        japanese_level=6,
        employment_types=(),
        available_from=None,
        licences=(),
    )
    eligible = {j.name for j in jobs if check(worker, j, NOW.date()).eligible}
    assert 0 < len(eligible) < 100
    got, _ = matcher.recommend_jobs(worker, NOW, limit=100)
    assert {r.id for r in got} == eligible


def test_closed_jobs_disappear_and_workers_need_to_be_discoverable() -> None:
    matcher, jobs = build(n_jobs=300)
    worker = next(w for w in matcher.workers.values() if matcher.recommend_jobs(w, NOW, limit=1)[0])
    top = matcher.recommend_jobs(worker, NOW, limit=1)[0][0].id
    matcher.remove_job(top)
    assert top not in {r.id for r in matcher.recommend_jobs(worker, NOW, limit=100)[0]}
    job = jobs[0]
    found, _ = matcher.recommend_workers(job, NOW, limit=100)
    for r in found:
        w = matcher.workers[r.id]
        assert w.discoverable and check(w, job, NOW.date()).eligible


def test_workers_for_a_job_are_ranked_by_their_scores() -> None:
    matcher, jobs = build(n_jobs=200, n_workers=300)
    for job in jobs[:40]:
        found, _ = matcher.recommend_workers(job, NOW, limit=10)
        totals = [r.score.total for r in found]
        assert totals == sorted(totals, reverse=True)
        assert all(r.score.weights_version == "hand-set" for r in found)


def _brute_force_matches(matcher: Matcher, job: Job, floor: float) -> list[tuple[float, str]]:
    """Every eligible worker's full score of `job` at or above `floor`, checked pair by pair."""
    out = []
    for worker in matcher.workers.values():
        if check(worker, job, NOW.date()).eligible:
            total = matcher.score_pair(worker, job, NOW).total
            if total >= floor:
                out.append((total, worker.name))
    return out


def _updated(matcher: Matcher, name: str) -> float:
    updated = matcher.workers[name].updated
    return updated.timestamp() if updated else 0.0


def build_with_updates(n_jobs: int = 200, n_workers: int = 600) -> tuple[Matcher, list[Job]]:
    matcher, jobs = build(n_jobs=n_jobs, n_workers=n_workers)
    rng = random.Random(5)
    for worker in list(matcher.workers.values()):
        matcher.upsert_worker(dataclasses.replace(worker, updated=NOW - dt.timedelta(days=rng.randrange(0, 90))))
    return matcher, jobs


def test_new_matches_for_a_job_are_the_best_eligible_workers_above_the_floor() -> None:
    matcher, jobs = build_with_updates()
    compared = 0
    for job in jobs[:60]:
        expected = _brute_force_matches(matcher, job, 0.45)
        expected.sort(key=lambda t: (-t[0], -_updated(matcher, t[1]), t[1]))
        everything = matcher.matches_for_job(job, NOW, 0.45, limit=10_000)
        assert sorted(f.worker.name for f in everything) == sorted(n for _, n in expected)
        best = matcher.matches_for_job(job, NOW, 0.45, limit=5)
        assert [f.worker.name for f in best] == [n for _, n in expected[:5]]
        assert all(f.for_worker.total >= 0.45 and f.job.name == job.name for f in best)
        compared += len(expected) > 5
    assert compared > 10


def test_the_bounds_never_fall_below_the_score_and_spare_the_full_scoring() -> None:
    matcher, jobs = build_with_updates()
    spared = 0
    for job in jobs[:60]:
        rows = np.flatnonzero(matcher.worker_table.eligible_mask(job))
        bounds = matcher._upper_bounds(job, rows, NOW, for_employer=False)
        employer = matcher._upper_bounds(job, rows, NOW, for_employer=True)
        for row, bound, bound_e in zip(rows, bounds, employer, strict=True):
            worker = matcher.workers[str(matcher.worker_table.names[row])]
            assert matcher.score_pair(worker, job, NOW).total <= bound
            assert matcher.score_pair(worker, job, NOW, for_employer=True).total <= bound_e
        # A high floor: most eligible workers cannot reach it and are never scored in full.
        spared += int((bounds < 0.6).sum())
    assert spared > 100


def test_workers_for_a_job_page_through_every_eligible_discoverable_worker() -> None:
    matcher, jobs = build_with_updates(n_jobs=50, n_workers=300)
    for job in jobs[:20]:
        expected = [w.name for w in matcher.workers.values() if w.discoverable and check(w, job, NOW.date()).eligible]
        pages, offset, more = [], 0, True
        while more:
            page, more = matcher.recommend_workers(job, NOW, limit=7, offset=offset)
            pages += page
            offset += 7
        assert sorted(r.id for r in pages) == sorted(expected)
        totals = [r.score.total for r in pages]
        assert totals == sorted(totals, reverse=True)


def test_the_job_vectors_are_the_index_rows_not_a_copy() -> None:
    matcher, jobs = build(n_jobs=50, n_workers=5)
    rows = matcher.index._slots.vectors  # type: ignore[attr-defined]
    first = jobs[0].name
    before = matcher.job_vectors[first].copy()
    assert np.shares_memory(matcher.job_vectors[first], rows) and len(matcher.job_vectors) == 50
    matcher.upsert_jobs([(dataclasses.replace(jobs[0], title="renamed"), None)])  # no vector: keeps its own
    assert np.array_equal(matcher.job_vectors[first], before)
    matcher.upsert_jobs([(random_job(random.Random(9), 999), None)])  # known before its vector
    assert "employers/e/jobs/999" not in matcher.job_vectors and len(matcher.job_vectors) == 50
    matcher.remove_job(first)
    assert first not in matcher.job_vectors and matcher.job_vectors.get(first) is None


def test_a_worker_without_a_vector_gets_the_newest_eligible_jobs_as_the_pool() -> None:
    """The pool of a worker with no vector yet: eligible jobs by publication, newest first, equal
    times in row order, never-published last (as sorting the jobs in Python did)."""
    matcher, jobs = build(n_jobs=2500, n_workers=100)
    rng = random.Random(8)
    for job in jobs:  # few distinct times: many ties at the pool's edge
        published = rng.choice([None, NOW - dt.timedelta(days=rng.randrange(0, 6))])
        matcher.upsert_jobs([(dataclasses.replace(job, published=published), None)])
    for name in [j.name for j in jobs[::9]]:
        matcher.remove_job(name)
    compared = 0
    for worker in matcher.workers.values():
        query = matcher.jobs_query(dataclasses.replace(worker, name="workers/new"), limit=20)
        slots = np.flatnonzero(query.mask)
        expected = sorted(
            (str(matcher.index.name_at(int(s))) for s in slots),
            key=lambda n: matcher.jobs[n].published or dt.datetime.min.replace(tzinfo=dt.UTC),
            reverse=True,
        )[: query.pool_size]
        assert query.vector is None and query.newest == expected
        compared += len(slots) > query.pool_size
    assert compared > 5
