"""Bulk scoring agrees with the scalar score, component by component."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import numpy as np
import pytest

from services.eligibility.facts import SkillClaim
from services.eligibility.rules import check
from services.eligibility.wages import WagePeriod
from services.matching.domain.bulk import component_matrices, score_matrix
from services.matching.domain.scoring import Component, centred_unit, score
from services.matching.domain.weights import HAND_SET
from services.matching.tests.factories import random_job, random_worker

NOW = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)


def test_bulk_components_equal_scalar_scores() -> None:
    rng = random.Random(11)
    nrng = np.random.default_rng(11)
    periods = list(WagePeriod)
    jobs = [
        dataclasses.replace(
            random_job(rng, i), wage_period=rng.choice(periods), wage_max_yen=rng.choice([0, 1500, 250_000])
        )
        for i in range(60)
    ]
    workers = []
    for i in range(50):
        w = random_worker(rng, i)
        extra = (SkillClaim("", w.skills[0].taxonomy_id, years=9, verified=True),) if w.skills else ()
        workers.append(
            dataclasses.replace(
                w,
                desired_wage_period=rng.choice(periods),
                desired_wage_yen=rng.choice([0, 1200, 230_000]),
                skills=w.skills + extra,  # the same skill again by label, verified
                experience_years=rng.choice([0, 3, 12]),
            )
        )
    wv = {
        w.name: v
        for w, v in zip(
            workers,
            centred_unit(nrng.standard_normal((50, 8)).astype(np.float32), np.zeros(8, np.float32)),
            strict=True,
        )
    }
    jv = {
        j.name: v
        for j, v in zip(
            jobs, centred_unit(nrng.standard_normal((60, 8)).astype(np.float32), np.zeros(8, np.float32)), strict=True
        )
    }
    aps = {j.name: rng.choice([0.0, 2.0, 12.0]) for j in jobs}
    comps = component_matrices(workers, jobs, NOW, worker_vectors=wv, job_vectors=jv, applicants_per_seat=aps)
    totals = score_matrix(
        workers, jobs, NOW, HAND_SET.values, worker_vectors=wv, job_vectors=jv, applicants_per_seat=aps
    )
    for a, w in enumerate(workers):
        for b, j in enumerate(jobs):
            s = score(
                w,
                j,
                weights=HAND_SET.values,
                weights_version="hand-set",
                now=NOW,
                cosine=float(wv[w.name] @ jv[j.name]),
                applicants_per_seat=aps[j.name],
            )
            for c in Component:
                assert comps[c][a, b] == pytest.approx(s.values[c], abs=1e-6), (c, w, j)
            if check(w, j, NOW.date()).eligible:
                assert totals[a, b] == pytest.approx(s.total, abs=1e-6)
            else:
                assert np.isnan(totals[a, b])


def test_top_candidates_find_the_best_eligible_pairs() -> None:
    from services.matching.domain.bulk import top_candidates
    from services.matching.domain.quality import generate, synthetic_vectors

    market = generate(4, n_workers=300, n_jobs=400, with_grades=False)
    vectors = synthetic_vectors(market)
    full = score_matrix(market.workers, market.jobs, NOW, HAND_SET.values, worker_vectors=vectors, job_vectors=vectors)
    tops = top_candidates(
        market.workers, market.jobs, NOW, HAND_SET.values, 10, worker_vectors=vectors, job_vectors=vectors, block=64
    )
    found = total = 0
    for w, (jobs, scores) in enumerate(tops):
        row = np.where(np.isnan(full[w]), -np.inf, full[w])
        k = min(10, int(np.isfinite(row).sum()))
        assert len(jobs) == k
        assert np.isfinite(row[jobs]).all()  # eligible only
        np.testing.assert_allclose(scores, row[jobs], atol=1e-9)
        assert list(scores) == sorted(scores, reverse=True)
        found += len(set(np.argsort(-row)[:k].tolist()) & set(jobs.tolist()))
        total += k
    assert found / total >= 0.9


def test_top_candidates_without_any_vectors_rank_by_the_full_scores() -> None:
    from services.matching.domain.bulk import top_candidates
    from services.matching.domain.quality import generate

    market = generate(4, n_workers=40, n_jobs=60, with_grades=False)
    full = score_matrix(market.workers, market.jobs, NOW, HAND_SET.values)
    tops = top_candidates(market.workers, market.jobs, NOW, HAND_SET.values, 5, worker_vectors={}, job_vectors={})
    for w, (jobs, scores) in enumerate(tops):
        row = np.where(np.isnan(full[w]), -np.inf, full[w])
        assert len(jobs) == min(5, int(np.isfinite(row).sum())) and np.isfinite(row[jobs]).all()
        np.testing.assert_allclose(scores, row[jobs], atol=1e-9)


def test_the_job_score_table_gives_the_bulk_components_of_any_pool() -> None:
    from services.eligibility.geo import Place
    from services.matching.domain.bulk import JobScoreTable

    rng = random.Random(12)
    nrng = np.random.default_rng(12)
    periods = list(WagePeriod)

    def city_only(place: Place) -> Place:  # same city without coordinates: 0 km
        return Place(place.prefecture, "X") if place.prefecture and rng.random() < 0.3 else place

    jobs = [
        dataclasses.replace(
            random_job(rng, i),
            wage_period=rng.choice(periods),
            wage_max_yen=rng.choice([0, 1500, 250_000]),
            published=rng.choice([None, NOW - dt.timedelta(days=rng.uniform(0, 90))]),
        )
        for i in range(80)
    ]
    jobs = [dataclasses.replace(j, place=city_only(j.place)) for j in jobs]
    workers = []
    for i in range(40):
        w = random_worker(rng, i)
        extra = (SkillClaim("", w.skills[0].taxonomy_id, years=9, verified=True),) if w.skills else ()
        workers.append(
            dataclasses.replace(
                w,
                place=city_only(w.place),
                desired_wage_period=rng.choice(periods),
                desired_wage_yen=rng.choice([0, 1200, 230_000]),
                skills=w.skills + extra,
                experience_years=rng.choice([0, 3, 12]),
            )
        )
    unit = lambda n: centred_unit(nrng.standard_normal((n, 8)).astype(np.float32), np.zeros(8, np.float32))  # noqa: E731
    wv = dict(zip([w.name for w in workers], unit(len(workers)), strict=True))
    jv = {j.name: v for j, v in zip(jobs, unit(len(jobs)), strict=True) if rng.random() < 0.8}
    aps = {j.name: rng.choice([0.0, 2.0, 12.0]) for j in jobs}
    table = JobScoreTable()
    rows = rng.sample(range(300), len(jobs))  # rows as an index's slots: sparse, any order
    for job in reversed(jobs):  # written before the job it replaces is forgotten: rows are reused
        table.set(rows[jobs.index(job)], dataclasses.replace(jobs[0], skills=(), licences_required=("x",)))
    for row, job in zip(rows, jobs, strict=True):
        table.set(row, job)
    for w in workers:
        pool = rng.sample(range(len(jobs)), 30)
        want = component_matrices(
            [w], [jobs[i] for i in pool], NOW, worker_vectors=wv, job_vectors=jv, applicants_per_seat=aps
        )
        got = table.components(
            w,
            np.array([rows[i] for i in pool]),
            [jobs[i].name for i in pool],
            NOW,
            worker_vector=wv.get(w.name),
            job_vectors=jv,
            applicants_per_seat=aps,
        )
        for c in Component:
            np.testing.assert_allclose(got[c], want[c], rtol=0, atol=1e-12, err_msg=str(c))
