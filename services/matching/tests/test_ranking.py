"""Recommendations over the in-memory projection."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import numpy as np

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
