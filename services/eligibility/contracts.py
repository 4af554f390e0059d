"""Facts from the contracts: marketplace's WorkerProfile and Job as eligibility facts.

The one conversion both marketplace (applications, search) and matching (its
projection, built from marketplace's events) use. Enumerations convert by
name (`VISA_STATUS_SSW_1` -> `Status.SSW_1`). `verified` adds the skills and
licences that credentials prove (matching knows them from credential events).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.type.v1 import profile_types_pb2 as types
from services.eligibility.facts import (
    EmploymentType,
    Job,
    JobSkill,
    Relocation,
    SkillClaim,
    Status,
    Worker,
)
from services.eligibility.geo import Place
from services.eligibility.wages import WagePeriod

# JapaneseLevel values in rank order: NONE (and UNSPECIFIED) 0, N5 1 ... N1 5, NATIVE 6.
JLPT_RANK = {
    types.JAPANESE_LEVEL_UNSPECIFIED: 0,
    types.JAPANESE_LEVEL_NONE: 0,
    types.JAPANESE_LEVEL_N5: 1,
    types.JAPANESE_LEVEL_N4: 2,
    types.JAPANESE_LEVEL_N3: 3,
    types.JAPANESE_LEVEL_N2: 4,
    types.JAPANESE_LEVEL_N1: 5,
    types.JAPANESE_LEVEL_NATIVE: 6,
}


def _name(enum: object, value: int, prefix: str) -> str:
    try:
        return str(enum.Name(value)).removeprefix(prefix)  # type: ignore[attr-defined]
    except ValueError:
        return "UNSPECIFIED"


def status(value: int) -> Status:
    return Status(_name(types.VisaStatus, value, "VISA_STATUS_"))


def status_value(s: Status) -> int:
    return int(types.VisaStatus.Value(f"VISA_STATUS_{s.value}"))


def field(value: int) -> str:
    name = _name(types.SswField, value, "SSW_FIELD_")
    return "" if name == "UNSPECIFIED" else name


def field_value(name: str) -> int:
    return int(types.SswField.Value(f"SSW_FIELD_{name}"))


def employment_value(e: EmploymentType) -> int:
    return int(types.EmploymentType.Value(f"EMPLOYMENT_TYPE_{e.value}"))


def employment(value: int) -> EmploymentType:
    return EmploymentType(_name(types.EmploymentType, value, "EMPLOYMENT_TYPE_"))


def wage_period(value: int) -> WagePeriod:
    return WagePeriod(_name(types.WagePeriod, value, "WAGE_PERIOD_"))


def relocation(value: int) -> Relocation:
    return Relocation(_name(types.Relocation, value, "RELOCATION_"))


def japanese_level_rank(level: int) -> int:
    """Rank of a JapaneseLevel: NONE (and UNSPECIFIED) 0, N5 1 ... N1 5, NATIVE 6."""
    try:
        return JLPT_RANK[level]
    except KeyError:
        raise ValueError(f"unknown JapaneseLevel {level}") from None


def levels_satisfied_by(worker_level: int) -> frozenset[int]:
    """The job `min_japanese_level` values a worker at `worker_level` meets (for SQL filters)."""
    rank = japanese_level_rank(worker_level)
    return frozenset(level for level, r in JLPT_RANK.items() if r <= rank)


def worker_japanese_level(profile: mp.WorkerProfile) -> int:
    """The highest JLPT level on a `ja` language entry; native proficiency without a level is NATIVE."""
    best = types.JAPANESE_LEVEL_NONE
    for skill in profile.languages:
        tag = skill.language.lower()
        if tag != "ja" and not tag.startswith("ja-"):
            continue
        level = skill.jlpt_level
        if level == types.JAPANESE_LEVEL_UNSPECIFIED and skill.proficiency == mp.PROFICIENCY_NATIVE:
            level = types.JAPANESE_LEVEL_NATIVE
        if JLPT_RANK.get(level, 0) > JLPT_RANK[best]:
            best = level
    return int(best)


def label_key(label: str) -> str:
    """A label as a verified-evidence key: lower case, single spaces."""
    return " ".join(label.strip().lower().split())


def _date(value: object) -> dt.date | None:
    year, month, day = (getattr(value, "year", 0), getattr(value, "month", 0), getattr(value, "day", 0))
    if not (year and month and day):
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _place(location: object) -> Place:
    prefecture = getattr(location, "prefecture", "")
    city = getattr(location, "city", "")
    lat = lon = None
    if location is not None and location.HasField("coordinates"):  # type: ignore[attr-defined]
        lat, lon = location.coordinates.latitude, location.coordinates.longitude  # type: ignore[attr-defined]
    return Place(prefecture, city, lat, lon)


def _years_between(start: dt.date | None, end: dt.date | None, today: dt.date) -> float:
    if start is None:
        return 0.0
    return max(0.0, ((end or today) - start).days / 365.25)


def worker_facts(
    profile: mp.WorkerProfile,
    *,
    verified: Iterable[str] = (),
    today: dt.date | None = None,
    updated: dt.datetime | None = None,
) -> Worker:
    """What the rules and scores read from a profile.

    `verified` are the keys verified credentials prove: taxonomy ids
    (`licence:forklift`) or lower-cased labels (`forklift licence`). A skill
    or licence whose id or label is among them counts as verified; proven
    keys the profile does not mention are added as verified, not
    self-declared, claims (licences when the key is a `licence:` id).
    """
    proven = set(verified)
    today = today or dt.date.today()

    def is_proven(taxonomy_id: str, label: str) -> bool:
        return (bool(taxonomy_id) and taxonomy_id in proven) or label_key(label) in proven

    skills = tuple(
        SkillClaim(s.taxonomy_id, s.label, float(s.years), verified=is_proven(s.taxonomy_id, s.label))
        for s in profile.skills
    )
    licences = tuple(
        SkillClaim(lic.taxonomy_id, lic.label, verified=is_proven(lic.taxonomy_id, lic.label))
        for lic in profile.licences
    )
    mentioned = {k for c in (*skills, *licences) for k in (c.taxonomy_id, label_key(c.label)) if k}
    unmentioned = sorted(proven - mentioned)
    extra = tuple(
        SkillClaim(key if ":" in key else "", key, 0.0, verified=True, self_declared=False) for key in unmentioned
    )
    licences += tuple(c for c in extra if c.taxonomy_id.startswith("licence:"))
    experience = sum(
        _years_between(_date(e.start_date), _date(e.end_date) if e.HasField("end_date") else None, today)
        for e in profile.experience
    )
    text = "\n".join(
        part
        for part in (
            profile.summary,
            " ".join(s.label for s in profile.skills),
            *(f"{e.title}. {e.description}" for e in profile.experience),
        )
        if part.strip()
    )
    return Worker(
        name=profile.name,
        display_name=profile.display_name,
        status=status(profile.visa_status),
        designated_field=field(profile.ssw_field),
        work_permission=profile.work_permission,
        current_employer=profile.current_employer,
        japanese_level=japanese_level_rank(worker_japanese_level(profile)),
        languages=tuple(lang.language for lang in profile.languages),
        skills=skills + extra,
        licences=licences,
        experience_years=experience,
        place=_place(profile.location) if profile.HasField("location") else Place(),
        relocation=relocation(profile.relocation),
        available_from=_date(profile.availability.available_from)
        if profile.availability.HasField("available_from")
        else None,
        hours_per_week=profile.availability.hours_per_week,
        employment_types=tuple(employment(e) for e in profile.availability.employment_types),
        desired_wage_yen=float(profile.desired_wage.units) if profile.HasField("desired_wage") else 0.0,
        desired_wage_period=wage_period(profile.desired_wage_period),
        discoverable=profile.discoverable,
        text=text,
        updated=updated,
    )


def job_facts(job: mp.Job, *, published: dt.datetime | None = None) -> Job:
    """What the rules and scores read from a job."""
    employer = "/".join(job.name.split("/")[:2]) if job.name.startswith("employers/") else ""
    skills = tuple(JobSkill(s.taxonomy_id, s.label, True) for s in job.required_skills) + tuple(
        JobSkill(s.taxonomy_id, s.label, False) for s in job.preferred_skills
    )
    if published is None and job.HasField("publish_time"):
        published = job.publish_time.ToDatetime(tzinfo=dt.UTC)
    return Job(
        name=job.name,
        employer=employer,
        title=job.title,
        employer_display_name=job.employer_display_name,
        skills=skills,
        min_japanese_level=japanese_level_rank(job.min_japanese_level),
        place=_place(job.location) if job.HasField("location") else Place(),
        wage_min_yen=float(job.wage_min.units) if job.HasField("wage_min") else 0.0,
        wage_max_yen=float(job.wage_max.units) if job.HasField("wage_max") else 0.0,
        wage_period=wage_period(job.wage_period),
        employment_type=employment(job.employment_type),
        hours_per_week=job.hours_per_week,
        headcount=max(1, job.headcount),
        start_date=_date(job.start_date) if job.HasField("start_date") else None,
        eligible_statuses=tuple(status(s) for s in job.eligible_visa_statuses),
        fields=tuple(field(f) for f in job.eligible_ssw_fields),
        offers_sponsorship=job.offers_visa_sponsorship,
        manual_work=job.manual_work,
        licences_required=tuple(job.licences_required),
        accepts_self_declared_licences=job.accepts_self_declared_licences,
        text=f"{job.title}\n{job.description}",
        published=published,
    )
