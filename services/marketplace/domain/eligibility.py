"""Whether a worker may take a job: status of residence, SSW field, Japanese level.

These rules mirror Japanese immigration law only as far as a job board can
check them; the employer still verifies the residence card before hiring.
Every verdict comes with human-readable reasons, for passes as well as
failures, so workers and employers see why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper

from iworkz.marketplace.v1 import marketplace_pb2
from iworkz.type.v1 import profile_types_pb2 as types

# Statuses with no restriction on the kind of work.
UNRESTRICTED_STATUSES = frozenset(
    {
        types.VISA_STATUS_JAPANESE_NATIONAL,
        types.VISA_STATUS_PERMANENT_RESIDENT,
        types.VISA_STATUS_SPOUSE_OR_CHILD,
        types.VISA_STATUS_LONG_TERM_RESIDENT,
    }
)
# Specified Skilled Worker statuses: limited to the holder's industry field.
SSW_STATUSES = frozenset({types.VISA_STATUS_SSW_1, types.VISA_STATUS_SSW_2})
# Students may work only part-time (up to 28 hours a week, with permission).
STUDENT_EMPLOYMENT_TYPES = frozenset({types.EMPLOYMENT_TYPE_PART_TIME, types.EMPLOYMENT_TYPE_INTERNSHIP})

# Lowest to highest. UNSPECIFIED ranks with NONE: an unstated level is no
# level for a worker and no requirement for a job.
JAPANESE_LEVEL_ORDER = (
    types.JAPANESE_LEVEL_NONE,
    types.JAPANESE_LEVEL_N5,
    types.JAPANESE_LEVEL_N4,
    types.JAPANESE_LEVEL_N3,
    types.JAPANESE_LEVEL_N2,
    types.JAPANESE_LEVEL_N1,
    types.JAPANESE_LEVEL_NATIVE,
)
_RANK = {level: rank for rank, level in enumerate(JAPANESE_LEVEL_ORDER)}
_RANK[types.JAPANESE_LEVEL_UNSPECIFIED] = 0

# Plural nouns, so reasons read "The job accepts students."
_VISA_LABELS = {
    types.VISA_STATUS_JAPANESE_NATIONAL: "Japanese nationals",
    types.VISA_STATUS_PERMANENT_RESIDENT: "permanent residents",
    types.VISA_STATUS_SPOUSE_OR_CHILD: ("spouses or children of Japanese nationals or permanent residents"),
    types.VISA_STATUS_LONG_TERM_RESIDENT: "long-term residents",
    types.VISA_STATUS_SSW_1: "Specified Skilled Worker (i) holders",
    types.VISA_STATUS_SSW_2: "Specified Skilled Worker (ii) holders",
    types.VISA_STATUS_TECHNICAL_INTERN: "technical intern trainees",
    types.VISA_STATUS_ENGINEER_SPECIALIST: ("Engineer/Specialist in Humanities/International Services holders"),
    types.VISA_STATUS_STUDENT: "students",
    types.VISA_STATUS_NEEDS_SPONSORSHIP: "workers who need visa sponsorship",
}


@dataclass(frozen=True)
class Eligibility:
    """A verdict and the reasons for it, one sentence each."""

    eligible: bool
    reasons: list[str] = field(default_factory=list)


def japanese_level_rank(level: int) -> int:
    """Ordinal of a JapaneseLevel: NONE (and UNSPECIFIED) 0, N5 1 … N1 5, NATIVE 6."""
    try:
        return _RANK[level]
    except KeyError:
        raise ValueError(f"unknown JapaneseLevel {level}") from None


def levels_satisfied_by(worker_level: int) -> frozenset[int]:
    """The job `min_japanese_level` values a worker at `worker_level` meets.

    For SQL filters: `min_japanese_level = ANY(%s)` finds jobs whose minimum is
    at most the worker's level. Always includes UNSPECIFIED and NONE.
    """
    rank = japanese_level_rank(worker_level)
    return frozenset(level for level, level_rank in _RANK.items() if level_rank <= rank)


def worker_japanese_level(worker: marketplace_pb2.WorkerProfile) -> int:
    """The worker's Japanese level: the highest JLPT level on a `ja` language entry.

    A `ja` entry with native proficiency and no JLPT level counts as NATIVE,
    since native speakers rarely sit the JLPT. No `ja` entry means NONE.
    """
    best = types.JAPANESE_LEVEL_NONE
    for skill in worker.languages:
        tag = skill.language.lower()
        if tag != "ja" and not tag.startswith("ja-"):
            continue
        level = skill.jlpt_level
        if level == types.JAPANESE_LEVEL_UNSPECIFIED and skill.proficiency == marketplace_pb2.PROFICIENCY_NATIVE:
            level = types.JAPANESE_LEVEL_NATIVE
        if _RANK.get(level, 0) > _RANK[best]:
            best = level
    return int(best)


def check_eligibility(worker: marketplace_pb2.WorkerProfile, job: marketplace_pb2.Job) -> Eligibility:
    """Whether `worker` may take `job`, with reasons, from the worker's profile."""
    return assess_eligibility(
        job,
        visa_status=worker.visa_status,
        ssw_field=worker.ssw_field,
        japanese_level=worker_japanese_level(worker),
    )


def assess_eligibility(
    job: marketplace_pb2.Job, *, visa_status: int, ssw_field: int, japanese_level: int
) -> Eligibility:
    """Whether a worker with these attributes may take `job`, with reasons.

    For callers that hold the attributes rather than a whole profile (e.g. a
    search filtered by visa status).
    """
    passes: list[str] = []
    failures: list[str] = []
    _check_visa(job, visa_status, ssw_field, passes, failures)
    _check_japanese(job, japanese_level, passes, failures)
    return Eligibility(eligible=not failures, reasons=failures or passes)


def _check_visa(
    job: marketplace_pb2.Job,
    status: int,
    ssw_field: int,
    passes: list[str],
    failures: list[str],
) -> None:
    label = _visa_label(status)
    if status in UNRESTRICTED_STATUSES:
        passes.append(f"{label[0].upper()}{label[1:]} may do any kind of work.")
        return
    if status == types.VISA_STATUS_UNSPECIFIED:
        failures.append("The worker has not stated a status of residence.")
        return

    if not job.eligible_visa_statuses:
        passes.append("The job does not limit statuses of residence.")
    elif status in job.eligible_visa_statuses:
        passes.append(f"The job accepts {label}.")
    else:
        accepted = ", ".join(_visa_label(s) for s in job.eligible_visa_statuses)
        failures.append(f"The job is open only to {accepted}, not to {label}.")

    if status in SSW_STATUSES:
        _check_ssw_field(job, ssw_field, passes, failures)
    elif status == types.VISA_STATUS_NEEDS_SPONSORSHIP:
        if job.offers_visa_sponsorship:
            passes.append("The employer sponsors a status of residence.")
        else:
            failures.append("The worker needs visa sponsorship and the employer does not offer it.")
    elif status == types.VISA_STATUS_STUDENT:
        employment = _enum_label(types.EmploymentType, job.employment_type, "EMPLOYMENT_TYPE_").replace(" ", "-")
        if job.employment_type in STUDENT_EMPLOYMENT_TYPES:
            passes.append(f"Students may take {employment} work.")
        else:
            failures.append(f"Students may only take part-time work or internships; this job is {employment}.")


def _check_ssw_field(job: marketplace_pb2.Job, ssw_field: int, passes: list[str], failures: list[str]) -> None:
    field_label = _enum_label(types.SswField, ssw_field, "SSW_FIELD_")
    if not job.eligible_ssw_fields:
        passes.append("The job does not limit SSW fields.")
    elif ssw_field == types.SSW_FIELD_UNSPECIFIED:
        failures.append("The worker holds an SSW status but has not stated its field.")
    elif ssw_field in job.eligible_ssw_fields:
        passes.append(f"The worker's SSW field ({field_label}) is accepted.")
    else:
        accepted = ", ".join(_enum_label(types.SswField, f, "SSW_FIELD_") for f in job.eligible_ssw_fields)
        failures.append(f"The worker's SSW field is {field_label}; the job needs one of: {accepted}.")


def _check_japanese(job: marketplace_pb2.Job, level: int, passes: list[str], failures: list[str]) -> None:
    required = job.min_japanese_level
    if japanese_level_rank(required) == 0:
        passes.append("No Japanese level is required.")
    elif japanese_level_rank(level) >= japanese_level_rank(required):
        passes.append(f"Japanese {_japanese_label(level)} meets the required {_japanese_label(required)}.")
    else:
        needed = (
            "native Japanese"
            if required == types.JAPANESE_LEVEL_NATIVE
            else f"Japanese {_japanese_label(required)} or above"
        )
        failures.append(f"The job requires {needed}; the worker has {_japanese_label(level)}.")


def _visa_label(status: int) -> str:
    return _VISA_LABELS.get(status, f"holders of visa status {status}")


def _japanese_label(level: int) -> str:
    if japanese_level_rank(level) == 0:
        return "no JLPT level"
    if level == types.JAPANESE_LEVEL_NATIVE:
        return "native"
    return _enum_label(types.JapaneseLevel, level, "JAPANESE_LEVEL_").upper()  # "N2"


def _enum_label(enum_type: EnumTypeWrapper, value: int, prefix: str) -> str:
    """`SSW_FIELD_NURSING_CARE` -> `nursing care`."""
    try:
        return str(enum_type.Name(value)).removeprefix(prefix).replace("_", " ").lower()
    except ValueError:
        return str(value)
