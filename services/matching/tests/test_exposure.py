"""Demand spreading: the simulation with and without exposure control."""

from __future__ import annotations

import numpy as np
import pytest

from services.matching.domain.bulk import score_matrix
from services.matching.domain.exposure import gini, simulate
from services.matching.domain.quality import NOW, generate, synthetic_vectors
from services.matching.domain.scoring import Component
from services.matching.domain.weights import HAND_SET


def test_gini() -> None:
    assert gini(np.array([1.0, 1.0, 1.0, 1.0])) == pytest.approx(0.0)
    assert gini(np.array([0.0, 0.0, 0.0, 4.0])) == pytest.approx(0.75)
    assert gini(np.array([0.0, 0.0])) == 0.0


def test_control_spreads_applications_at_small_cost() -> None:
    """5,000 workers apply to their top 3 over 500 jobs, as in the issue."""
    market = generate(5, n_workers=5000, n_jobs=500, with_grades=False)
    vectors = synthetic_vectors(market)
    base = score_matrix(
        market.workers,
        market.jobs,
        NOW,
        {**HAND_SET.values, Component.EXPOSURE: 0.0},
        worker_vectors=vectors,
        job_vectors=vectors,
    )
    seats = np.array([j.headcount for j in market.jobs])
    without = simulate(base, seats, exposure_weight=0.0)
    with_control = simulate(base, seats, exposure_weight=HAND_SET.values[Component.EXPOSURE])
    assert without.applications == with_control.applications == 15000
    assert with_control.gini < without.gini
    assert with_control.empty_share <= without.empty_share
    assert with_control.mean_score >= 0.95 * without.mean_score
