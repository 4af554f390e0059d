"""Score components, wages per month, reasons."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from services.eligibility.facts import Job, JobSkill, SkillClaim, Status, Worker
from services.eligibility.geo import Place, distance_km
from services.eligibility.wages import WagePeriod, monthly_yen
from services.matching.domain.scoring import Component, Score, centred_unit, score, semantic_value
from services.matching.domain.weights import HAND_SET

NOW = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)


def test_wages_per_month() -> None:
    assert monthly_yen(250_000, WagePeriod.MONTHLY) == 250_000
    assert monthly_yen(3_600_000, WagePeriod.ANNUAL) == 300_000
    assert monthly_yen(1_200, WagePeriod.HOURLY) == 1_200 * 160
    assert monthly_yen(1_200, WagePeriod.HOURLY, hours_per_week=20) == pytest.approx(1_200 * 20 * 52 / 12)
    assert monthly_yen(10_000, WagePeriod.DAILY) == 200_000
    assert monthly_yen(10_000, WagePeriod.UNSPECIFIED) is None


def test_distances_from_the_prefecture_table() -> None:
    osaka_tokyo = distance_km(Place("JP-27"), Place("JP-13"))
    assert osaka_tokyo == pytest.approx(400, abs=15)
    assert distance_km(Place("JP-27", "Osaka"), Place("JP-27", "osaka")) == 0.0
    assert distance_km(Place(), Place("JP-13")) is None


def pair(**worker_kw: object) -> tuple[Worker, Job]:
    job = Job(
        name="employers/e/jobs/j",
        skills=(
            JobSkill("esco:weld", "welding"),
            JobSkill("esco:cut", "cutting"),
            JobSkill("esco:read", "blueprints", False),
        ),
        min_japanese_level=3,
        place=Place("JP-27"),
        wage_max_yen=250_000,
        wage_period=WagePeriod.MONTHLY,
        published=NOW - dt.timedelta(days=2),
    )
    base: dict[str, object] = dict(
        name="workers/w",
        status=Status.PERMANENT_RESIDENT,
        japanese_level=4,
        place=Place("JP-27"),
        desired_wage_yen=250_000,
        desired_wage_period=WagePeriod.MONTHLY,
        skills=(SkillClaim("esco:weld", "welding", years=5),),
    )
    base.update(worker_kw)
    return Worker(**base), job  # type: ignore[arg-type]


def run(worker: Worker, job: Job, cosine: float | None = None, applicants_per_seat: float = 0.0) -> Score:
    return score(
        worker,
        job,
        weights=HAND_SET.values,
        weights_version="hand-set",
        now=NOW,
        cosine=cosine,
        applicants_per_seat=applicants_per_seat,
    )


def test_components_and_total() -> None:
    worker, job = pair()
    s = run(worker, job, cosine=0.4)
    v = s.values
    assert v[Component.SKILLS] == pytest.approx(0.7 * 1 / 2)  # 1 of 2 required, 0 of 1 preferred
    assert v[Component.LANGUAGE] == 0.75  # one level above
    assert v[Component.WAGE] == 0.75  # exactly the wish
    assert v[Component.LOCATION] == 1.0
    assert v[Component.EXPERIENCE] == 1.0  # 5 years on the matched skill
    assert v[Component.SEMANTIC] == pytest.approx(semantic_value(0.4))
    assert v[Component.EXPOSURE] == 0.0
    expected = sum(HAND_SET.values[c] * v[c] for c in v if c is not Component.EXPOSURE)
    assert s.total == pytest.approx(expected)
    assert [m.skill.taxonomy_id for m in s.missing] == ["esco:cut", "esco:read"]


def test_verified_evidence_counts_more_than_self_declared() -> None:
    declared = run(*pair())
    verified = run(*pair(skills=(SkillClaim("esco:weld", "welding", years=5, verified=True),)))
    assert verified.values[Component.EVIDENCE] > declared.values[Component.EVIDENCE]
    assert verified.total > declared.total
    texts = [r.text.en for r in verified.reasons]
    assert any("verified credentials: welding" in t for t in texts)


def test_exposure_lowers_the_total_and_says_so() -> None:
    worker, job = pair()
    calm = run(worker, job, applicants_per_seat=0.5)
    crowded = run(worker, job, applicants_per_seat=10.0)
    assert crowded.total == pytest.approx(calm.total - HAND_SET.values[Component.EXPOSURE])
    reason = next(r for r in crowded.reasons if r.component is Component.EXPOSURE)
    assert "10.0 per open seat" in reason.text.en and "1枠あたり10.0人" in reason.text.ja


def test_reasons_in_both_languages_biggest_first() -> None:
    s = run(*pair(), cosine=0.45)
    contributions = [abs(r.contribution) for r in s.reasons]
    assert contributions == sorted(contributions, reverse=True)
    for r in s.reasons:
        assert r.text.en and r.text.ja and r.text.en != r.text.ja
    wage = next(r for r in s.reasons if r.component is Component.WAGE)
    assert "¥250,000" in wage.text.en and "250,000円" in wage.text.ja


def test_centring_spreads_compressed_cosines() -> None:
    rng = np.random.default_rng(0)
    common = rng.standard_normal(16).astype(np.float32) * 5  # the shared direction E5 vectors have
    a, b = common + rng.standard_normal(16), common + rng.standard_normal(16)
    raw = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    ua, ub = centred_unit(np.stack([a, b]).astype(np.float32), common)
    assert raw > 0.8 and abs(float(ua @ ub)) < 0.8
