"""The score of an eligible worker-job pair: components, weighted total, reasons.

Each component lies in [0, 1]; the total is the weighted sum of the
components (weights summing to 1) minus the exposure penalty, clipped to
[0, 1]. Components that cannot be judged (no desired wage, no location)
count as a neutral 0.5 rather than as a failure.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import numpy as np
import numpy.typing as npt

from services.eligibility.facts import JLPT_NAMES, Job, JobSkill, SkillClaim, Worker
from services.eligibility.geo import distance_km
from services.eligibility.text import Text
from services.eligibility.wages import monthly_yen

NEUTRAL = 0.5
# E5 cosines are compressed; after centring, related texts score about
# 0.25-0.5 and unrelated ones about -0.15-0.05. This maps that range onto [0, 1].
SEMANTIC_FLOOR = -0.1
SEMANTIC_SPAN = 0.6
REQUIRED_SHARE = 0.7  # of the skills component, for required skills (the rest: preferred)
SELF_DECLARED_EVIDENCE = 0.25  # a self-declared skill's evidence value (verified: 1)
FULL_EXPERIENCE_YEARS = 5.0
LOCATION_SCALE_KM = 100.0
FRESHNESS_DAYS = 30.0
# Applicants per open seat at which the exposure penalty is full.
EXPOSURE_FULL = 10.0


class Component(Enum):
    """Named like the contract's Component values without the prefix."""

    SEMANTIC = "SEMANTIC"
    SKILLS = "SKILLS"
    LANGUAGE = "LANGUAGE"
    WAGE = "WAGE"
    LOCATION = "LOCATION"
    EXPERIENCE = "EXPERIENCE"
    EVIDENCE = "EVIDENCE"
    FRESHNESS = "FRESHNESS"
    EXPOSURE = "EXPOSURE"

    # Members are singletons, equal only to themselves: hashed by identity in C (Enum's own
    # __hash__ is Python code, run for every component of every score's dictionaries).
    __hash__ = object.__hash__


POSITIVE: tuple[Component, ...] = tuple(c for c in Component if c is not Component.EXPOSURE)
Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class SkillVerdict:
    """A job's skill and how the worker has it: `verified`, `self-declared` or `none`."""

    skill: JobSkill
    evidence: str
    years: float = 0.0


@dataclass(frozen=True)
class Reason:
    component: Component
    text: Text
    contribution: float


@dataclass(frozen=True)
class Score:
    """Component values, the total, skills matched and missing, and reasons."""

    values: dict[Component, float]
    weights: dict[Component, float]
    weights_version: str
    total: float
    skills: tuple[SkillVerdict, ...]
    reasons: tuple[Reason, ...]

    @property
    def matched(self) -> tuple[SkillVerdict, ...]:
        return tuple(s for s in self.skills if s.evidence != "none")

    @property
    def missing(self) -> tuple[SkillVerdict, ...]:
        return tuple(s for s in self.skills if s.evidence == "none")

    def contribution(self, component: Component) -> float:
        sign = -1.0 if component is Component.EXPOSURE else 1.0
        return sign * self.weights.get(component, 0.0) * self.values.get(component, 0.0)


def centred_unit(vectors: npt.NDArray[np.float32], mean: Vector) -> npt.NDArray[np.float32]:
    """Rows minus the corpus mean, scaled to unit length (E5 cosines are compressed)."""
    centred = np.asarray(vectors, dtype=np.float32) - mean
    norms = np.linalg.norm(centred, axis=-1, keepdims=True)
    out: npt.NDArray[np.float32] = (centred / np.maximum(norms, 1e-9)).astype(np.float32)
    return out


def semantic_value(cosine: float | None) -> float:
    """A centred cosine mapped onto [0, 1]; neutral without vectors."""
    if cosine is None:
        return NEUTRAL
    return float(min(1.0, max(0.0, (cosine - SEMANTIC_FLOOR) / SEMANTIC_SPAN)))


def _key(text: str) -> str:
    return text.strip().lower()


def held_claims(worker: Worker) -> dict[str, SkillClaim]:
    """The worker's skills and licences by key (taxonomy id and label), a verified claim winning."""
    held: dict[str, SkillClaim] = {}
    for claim in (*worker.skills, *worker.licences):
        for key in (_key(claim.taxonomy_id), _key(claim.label)):
            if not key:
                continue
            previous = held.get(key)
            if previous is None or (claim.verified and not previous.verified):
                held[key] = claim
    return held


def compare_skills(worker: Worker, job: Job, held: dict[str, SkillClaim] | None = None) -> tuple[SkillVerdict, ...]:
    """Each of the job's skills with how the worker has it (by taxonomy id, else label);
    `held`: the worker's `held_claims`, when the caller compares many jobs."""
    if held is None:
        held = held_claims(worker)
    out = []
    for skill in job.skills:
        found = held.get(_key(skill.taxonomy_id)) if skill.taxonomy_id else None
        if found is None and skill.label:
            found = held.get(_key(skill.label))
        if found is None:
            out.append(SkillVerdict(skill, "none"))
        else:
            out.append(SkillVerdict(skill, "verified" if found.verified else "self-declared", found.years))
    return tuple(out)


def skills_value(verdicts: tuple[SkillVerdict, ...]) -> float:
    required = [v for v in verdicts if v.skill.required]
    preferred = [v for v in verdicts if not v.skill.required]
    if not required and not preferred:
        return NEUTRAL
    parts, shares = [], []
    if required:
        parts.append(sum(v.evidence != "none" for v in required) / len(required))
        shares.append(REQUIRED_SHARE)
    if preferred:
        parts.append(sum(v.evidence != "none" for v in preferred) / len(preferred))
        shares.append(1 - REQUIRED_SHARE)
    return sum(p * s for p, s in zip(parts, shares, strict=True)) / sum(shares)


def evidence_value(verdicts: tuple[SkillVerdict, ...], worker: Worker, job: Job) -> float:
    """Share of the job's skills and licences backed, verified counting fully."""
    items = [
        1.0 if v.evidence == "verified" else SELF_DECLARED_EVIDENCE if v.evidence != "none" else 0.0 for v in verdicts
    ]
    licences = {c.taxonomy_id: c for c in worker.licences}
    for lic in job.licences_required:
        claim = licences.get(lic)
        items.append(0.0 if claim is None else 1.0 if claim.verified else SELF_DECLARED_EVIDENCE)
    if not items:
        return NEUTRAL
    return sum(items) / len(items)


def language_value(worker: Worker, job: Job) -> float:
    """0.5 at the minimum, +0.25 per JLPT level above it; below it 0."""
    margin = worker.japanese_level - job.min_japanese_level
    if margin < 0:
        return 0.0
    return min(1.0, NEUTRAL + 0.25 * margin)


def wage_value(worker: Worker, job: Job) -> tuple[float, float | None, float | None]:
    """(value, job's monthly wage, worker's desired monthly wage)."""
    offered = monthly_yen(job.wage_max_yen or job.wage_min_yen, job.wage_period, job.hours_per_week)
    wanted = monthly_yen(worker.desired_wage_yen, worker.desired_wage_period, job.hours_per_week)
    if offered is None or wanted is None:
        return NEUTRAL, offered, wanted
    ratio = offered / wanted
    # Below 70 % of the wish: 0; at the wish: 0.75; 20 % above it or more: 1.
    if ratio >= 1.0:
        value = min(1.0, 0.75 + 0.25 * (ratio - 1.0) / 0.2)
    else:
        value = max(0.0, 0.75 * (ratio - 0.7) / 0.3)
    return value, offered, wanted


def location_value(worker: Worker, job: Job) -> tuple[float, float | None]:
    km = distance_km(worker.place, job.place)
    if km is None:
        return NEUTRAL, None
    return math.exp(-km / LOCATION_SCALE_KM), km


def experience_value(verdicts: tuple[SkillVerdict, ...], worker: Worker) -> tuple[float, float]:
    """Years on the job's matched skills (mean), else a little credit for any experience."""
    years = [v.years for v in verdicts if v.evidence != "none"]
    if years:
        relevant = sum(years) / len(years)
        return min(1.0, relevant / FULL_EXPERIENCE_YEARS), relevant
    return min(0.3, worker.experience_years / FULL_EXPERIENCE_YEARS * 0.3), 0.0


def freshness_value(published: dt.datetime | None, now: dt.datetime) -> tuple[float, float | None]:
    if published is None:
        return NEUTRAL, None
    days = max(0.0, (now - published).total_seconds() / 86400)
    return math.exp(-days / FRESHNESS_DAYS), days


def exposure_value(applicants_per_seat: float) -> float:
    """0 up to one applicant per open seat, rising to 1 at EXPOSURE_FULL."""
    return min(1.0, max(0.0, (applicants_per_seat - 1.0) / (EXPOSURE_FULL - 1.0)))


def score(
    worker: Worker,
    job: Job,
    *,
    weights: dict[Component, float],
    weights_version: str,
    now: dt.datetime,
    cosine: float | None = None,
    applicants_per_seat: float = 0.0,
    freshness_of: dt.datetime | None = None,
    held: dict[str, SkillClaim] | None = None,
) -> Score:
    """Score one pair. `cosine`: centred cosine of the two texts' vectors.

    `freshness_of` is what freshness measures (the job's publish time by
    default; the profile's update time when ranking workers). `held`: the
    worker's `held_claims`, computed once when one worker is scored against many jobs.
    """
    skills = compare_skills(worker, job, held)
    wage, offered, wanted = wage_value(worker, job)
    location, km = location_value(worker, job)
    experience, years = experience_value(skills, worker)
    freshness, days = freshness_value(freshness_of or job.published, now)
    values = {
        Component.SEMANTIC: semantic_value(cosine),
        Component.SKILLS: skills_value(skills),
        Component.LANGUAGE: language_value(worker, job),
        Component.WAGE: wage,
        Component.LOCATION: location,
        Component.EXPERIENCE: experience,
        Component.EVIDENCE: evidence_value(skills, worker, job),
        Component.FRESHNESS: freshness,
        Component.EXPOSURE: exposure_value(applicants_per_seat),
    }
    total = sum(weights.get(c, 0.0) * values[c] for c in POSITIVE)
    total -= weights.get(Component.EXPOSURE, 0.0) * values[Component.EXPOSURE]
    total = min(1.0, max(0.0, total))
    facts = _Facts(skills, offered, wanted, km, years, days, applicants_per_seat, worker, job, cosine)
    reasons = _reasons(values, weights, facts)
    return Score(values, dict(weights), weights_version, total, skills, reasons)


@dataclass(frozen=True)
class _Facts:
    skills: tuple[SkillVerdict, ...]
    offered: float | None
    wanted: float | None
    km: float | None
    years: float
    days: float | None
    applicants_per_seat: float
    worker: Worker
    job: Job
    cosine: float | None


def _labels(verdicts: list[SkillVerdict], limit: int = 3) -> str:
    names = [v.skill.label or v.skill.taxonomy_id.rsplit("/", 1)[-1] for v in verdicts[:limit]]
    more = len(verdicts) - limit
    return ", ".join(names) + (f" +{more}" if more > 0 else "")


def _reasons(values: dict[Component, float], weights: dict[Component, float], f: _Facts) -> tuple[Reason, ...]:
    out: list[Reason] = []

    def add(component: Component, text: Text) -> None:
        sign = -1.0 if component is Component.EXPOSURE else 1.0
        out.append(Reason(component, text, sign * weights.get(component, 0.0) * values[component]))

    _skill_reasons(f, add)
    _other_reasons(values, f, add)
    out.sort(key=lambda r: -abs(r.contribution))
    return tuple(out)


def _skill_reasons(f: _Facts, add: Callable[[Component, Text], None]) -> None:
    required = [v for v in f.skills if v.skill.required]
    have_required = [v for v in required if v.evidence != "none"]
    missing_required = [v for v in required if v.evidence == "none"]
    if required:
        text = Text(
            f"{len(have_required)} of {len(required)} required skills"
            + (f": {_labels(have_required)}" if have_required else "")
            + (f"; missing {_labels(missing_required)}" if missing_required else "")
            + ".",
            f"必須スキル{len(required)}件中{len(have_required)}件"
            + (f"：{_labels(have_required)}" if have_required else "")
            + (f"（不足：{_labels(missing_required)}）" if missing_required else "")
            + "。",
        )
        add(Component.SKILLS, text)
    elif f.skills:
        held = [v for v in f.skills if v.evidence != "none"]
        add(
            Component.SKILLS,
            Text(f"{len(held)} of {len(f.skills)} preferred skills.", f"歓迎スキル{len(f.skills)}件中{len(held)}件。"),
        )
    verified = [v for v in f.skills if v.evidence == "verified"]
    if verified:
        add(
            Component.EVIDENCE,
            Text(
                f"{len(verified)} skill(s) proven by verified credentials: {_labels(verified)}.",
                f"{len(verified)}件のスキルが認証済みの証明書で確認されています：{_labels(verified)}。",
            ),
        )
    elif f.skills:
        add(
            Component.EVIDENCE,
            Text("No skill is proven by a credential yet.", "証明書で確認されたスキルはまだありません。"),
        )


def _other_reasons(values: dict[Component, float], f: _Facts, add: Callable[[Component, Text], None]) -> None:
    if f.cosine is not None:
        sem = values[Component.SEMANTIC]
        if sem >= 0.6:
            add(
                Component.SEMANTIC,
                Text("The profile fits the job description closely.", "プロフィールが仕事内容とよく合っています。"),
            )
        elif sem >= 0.35:
            add(
                Component.SEMANTIC,
                Text("The profile partly fits the job description.", "プロフィールが仕事内容と一部合っています。"),
            )
        else:
            add(
                Component.SEMANTIC,
                Text("The profile is far from the job description.", "プロフィールと仕事内容の関連は低いです。"),
            )
    margin = f.worker.japanese_level - f.job.min_japanese_level
    if f.job.min_japanese_level > 0:
        need = JLPT_NAMES[f.job.min_japanese_level]
        have = JLPT_NAMES[min(6, max(0, f.worker.japanese_level))]
        if margin > 0:
            add(
                Component.LANGUAGE,
                Text(f"Japanese {have}, above the required {need}.", f"日本語{have}で、必要な{need}を上回っています。"),
            )
        else:
            add(Component.LANGUAGE, Text(f"Japanese {have}, as required.", f"日本語{have}で、要件どおりです。"))
    if f.offered is not None:
        if f.wanted is not None:
            cmp_en = "above" if f.offered >= f.wanted else "below"
            cmp_ja = "以上" if f.offered >= f.wanted else "未満"
            add(
                Component.WAGE,
                Text(
                    f"Pays about ¥{f.offered:,.0f} a month, {cmp_en} the wished ¥{f.wanted:,.0f}.",
                    f"月給換算で約{f.offered:,.0f}円、希望の{f.wanted:,.0f}円{cmp_ja}です。",
                ),
            )
        else:
            add(Component.WAGE, Text(f"Pays about ¥{f.offered:,.0f} a month.", f"月給換算で約{f.offered:,.0f}円です。"))
    if f.km is not None:
        add(Component.LOCATION, Text(f"About {f.km:.0f} km away.", f"約{f.km:.0f}kmの距離です。"))
    if f.years > 0:
        add(Component.EXPERIENCE, Text(f"{f.years:.0f} year(s) of relevant experience.", f"関連経験{f.years:.0f}年。"))
    if f.days is not None and f.days <= 7:
        add(Component.FRESHNESS, Text(f"New: {f.days:.0f} day(s) old.", f"新着：{f.days:.0f}日前。"))
    if values[Component.EXPOSURE] > 0:
        add(
            Component.EXPOSURE,
            Text(
                f"Many applicants already: {f.applicants_per_seat:.1f} per open seat; ranked lower to spread demand.",
                f"応募が集中しています（1枠あたり{f.applicants_per_seat:.1f}人）。分散のため順位を下げています。",
            ),
        )
