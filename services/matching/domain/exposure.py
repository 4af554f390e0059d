"""Demand spreading: how exposure control changes where applications go.

Without control, everyone's best matches are the same few well-paid jobs,
which drown in applications while others get none. The exposure component
(`scoring.exposure_value`) lowers a job's score as its applicants per open
seat grow past one, so later workers see less crowded jobs higher up.

`simulate` lets workers arrive one by one, each applying to their top
`picks` jobs as ranked at that moment (base score minus the exposure
penalty), and reports the Gini coefficient of applications per seat, the
share of jobs without an applicant and the mean base score of the
applications (what control costs in match quality).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.matching.domain.scoring import EXPOSURE_FULL

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Outcome:
    gini: float
    empty_share: float
    mean_score: float
    applications: int


def gini(values: npt.NDArray[np.float64]) -> float:
    """Gini coefficient of non-negative values (0: equal, towards 1: concentrated)."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return 0.0
    cum = np.cumsum(x)
    return float((n + 1 - 2 * np.sum(cum) / cum[-1]) / n)


def simulate(
    base: Matrix, seats: npt.NDArray[np.int64], *, exposure_weight: float, picks: int = 3, seed: int = 1
) -> Outcome:
    """Workers (rows of `base`, NaN: ineligible) apply in a random order to their top `picks`."""
    n_workers, n_jobs = base.shape
    applications = np.zeros(n_jobs)
    open_seats = np.maximum(seats, 1).astype(np.float64)
    order = list(range(n_workers))
    random.Random(seed).shuffle(order)
    chosen_scores = []
    for w in order:
        row = base[w]
        eligible = ~np.isnan(row)
        if not eligible.any():
            continue
        penalty = np.clip((applications / open_seats - 1.0) / (EXPOSURE_FULL - 1.0), 0.0, 1.0)
        ranked = np.where(eligible, row - exposure_weight * penalty, -np.inf)
        k = min(picks, int(eligible.sum()))
        top = np.argpartition(-ranked, k - 1)[:k]
        applications[top] += 1
        chosen_scores.extend(row[top].tolist())
    per_seat = applications / open_seats
    return Outcome(
        gini=gini(per_seat),
        empty_share=float(np.mean(applications == 0)),
        mean_score=float(np.mean(chosen_scores)) if chosen_scores else 0.0,
        applications=int(applications.sum()),
    )
