"""The column filter agrees with the rules, pair by pair."""

from __future__ import annotations

import datetime as dt
import random

from services.eligibility.rules import check
from services.matching.domain.prefilter import JobTable, WorkerTable
from services.matching.tests.factories import random_job, random_worker


def test_mask_equals_the_rules_on_random_pairs() -> None:
    rng = random.Random(7)
    jobs = [random_job(rng, i) for i in range(400)]
    table = JobTable()
    for row, job in enumerate(jobs):
        table.set(row, job)
    today = dt.date(2026, 12, 3)
    eligible_pairs = 0
    for i in range(300):
        worker = random_worker(rng, i)
        mask = table.eligible_mask(worker, len(jobs))
        expected = [check(worker, job, today).eligible for job in jobs]
        mismatches = [(jobs[r].name, expected[r]) for r in range(len(jobs)) if bool(mask[r]) != expected[r]]
        assert mismatches == [], (worker, mismatches[:3])
        eligible_pairs += sum(expected)
    # The generator makes both outcomes common, so the comparison means something.
    assert 0.02 * 400 * 300 < eligible_pairs < 0.9 * 400 * 300


def test_cleared_rows_are_never_eligible() -> None:
    rng = random.Random(1)
    table = JobTable()
    table.set(0, random_job(rng, 0))
    table.clear(0)
    assert not table.eligible_mask(random_worker(rng, 0), 1).any()


def test_worker_columns_equal_the_rules_on_random_pairs() -> None:
    """The other way round: every worker row against one job at a time (new matches for a job)."""
    rng = random.Random(11)
    workers = [random_worker(rng, i) for i in range(400)]
    table = WorkerTable(4)
    for worker in workers:
        table.set(worker)
    # Rows are reused: a worker who left and others who changed keep the columns right.
    for i in range(0, 400, 7):
        table.remove(workers[i].name)
    for i in range(0, 400, 14):
        workers[i] = random_worker(rng, 1000 + i)
        table.set(workers[i])
    present = {w.name for w in workers if w.name in table.row}
    today = dt.date(2026, 12, 3)
    eligible_pairs = 0
    for i in range(200):
        job = random_job(rng, i)
        mask = table.eligible_mask(job)
        for worker in workers:
            if worker.name not in present:
                continue
            expected = check(worker, job, today).eligible
            assert bool(mask[table.row[worker.name]]) == expected, (worker, job)
            eligible_pairs += expected
        assert not mask[[r for r, n in enumerate(table.names) if n is None]].any()
    assert 0.02 * len(present) * 200 < eligible_pairs < 0.9 * len(present) * 200
