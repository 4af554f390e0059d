"""Random workers and jobs that exercise every rule (for property tests)."""

from __future__ import annotations

import datetime as dt
import random

from services.eligibility.facts import EmploymentType, Job, JobSkill, Relocation, SkillClaim, Status, Worker
from services.eligibility.geo import Place, prefectures
from services.eligibility.rules import FIELD_LABELS
from services.eligibility.wages import WagePeriod

FIELDS = list(FIELD_LABELS)
PREFS = sorted(prefectures())
LICENCES = ["licence:forklift", "licence:driving", "licence:crane", "licence:care-worker"]
SKILLS = [f"esco:skill-{i}" for i in range(30)]
EMPLOYERS = [f"employers/e{i}" for i in range(5)]


def place(rng: random.Random) -> Place:
    r = rng.random()
    if r < 0.1:
        return Place()
    pref = rng.choice(PREFS[20:32])  # a band of neighbouring prefectures: commutes and regions both occur
    if r < 0.25:
        lat, lon = prefectures()[pref].latitude, prefectures()[pref].longitude
        return Place(pref, "x", lat + rng.uniform(-0.3, 0.3), lon + rng.uniform(-0.3, 0.3))
    return Place(pref)


def random_job(rng: random.Random, i: int) -> Job:
    start = dt.date(2027, 1, 1) + dt.timedelta(days=rng.randrange(0, 200)) if rng.random() < 0.7 else None
    return Job(
        name=f"employers/e/jobs/{i}",
        employer=rng.choice(EMPLOYERS),
        title=f"job {i}",
        skills=tuple(JobSkill(s, s, rng.random() < 0.6) for s in rng.sample(SKILLS, rng.randrange(0, 5))),
        min_japanese_level=rng.randrange(0, 7),
        place=place(rng),
        wage_min_yen=200_000,
        wage_max_yen=rng.choice([220_000, 260_000, 300_000]),
        wage_period=WagePeriod.MONTHLY,
        employment_type=rng.choice(list(EmploymentType)),
        hours_per_week=rng.choice([0, 10, 20, 28, 29, 40]),
        headcount=rng.randrange(1, 5),
        start_date=start,
        eligible_statuses=tuple(rng.sample(list(Status)[1:], rng.randrange(0, 4))) if rng.random() < 0.4 else (),
        fields=tuple(rng.sample(FIELDS, rng.randrange(0, 3))),
        offers_sponsorship=rng.random() < 0.3,
        manual_work=rng.random() < 0.5,
        licences_required=tuple(rng.sample(LICENCES, rng.randrange(0, 2))) if rng.random() < 0.3 else (),
        accepts_self_declared_licences=rng.random() < 0.5,
        published=dt.datetime(2026, 12, 1, tzinfo=dt.UTC) - dt.timedelta(days=rng.randrange(0, 60)),
    )


def random_worker(rng: random.Random, i: int) -> Worker:
    return Worker(
        name=f"workers/{i}",
        status=rng.choice(list(Status)),
        designated_field=rng.choice(["", *FIELDS[:4]]),
        work_permission=rng.random() < 0.6,
        current_employer=rng.choice(["", *EMPLOYERS]),
        japanese_level=rng.randrange(0, 7),
        skills=tuple(
            SkillClaim(s, s, years=rng.randrange(0, 8), verified=rng.random() < 0.3)
            for s in rng.sample(SKILLS, rng.randrange(0, 8))
        ),
        licences=tuple(
            SkillClaim(lic, verified=rng.random() < 0.5) for lic in rng.sample(LICENCES, rng.randrange(0, 3))
        ),
        place=place(rng),
        relocation=rng.choice(list(Relocation)),
        available_from=dt.date(2027, 1, 1) + dt.timedelta(days=rng.randrange(0, 200)) if rng.random() < 0.6 else None,
        employment_types=tuple(rng.sample(list(EmploymentType)[1:], rng.randrange(0, 3))),
        desired_wage_yen=rng.choice([0, 230_000, 280_000]),
        desired_wage_period=WagePeriod.MONTHLY,
        discoverable=rng.random() < 0.7,
    )
