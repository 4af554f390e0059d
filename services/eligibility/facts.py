"""What matching knows about a worker and a job: its projection's shape.

Plain values, built by the service from marketplace and credentials events
(`messages.py` converts contracts to these). Enumerations are named like the
contracts' values without their prefix, so conversion is by name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum

from services.eligibility.geo import Place
from services.eligibility.wages import WagePeriod


class Status(Enum):
    """Status of residence (在留資格), as far as a job board distinguishes them."""

    UNSPECIFIED = "UNSPECIFIED"
    JAPANESE_NATIONAL = "JAPANESE_NATIONAL"
    PERMANENT_RESIDENT = "PERMANENT_RESIDENT"
    SPOUSE_OR_CHILD = "SPOUSE_OR_CHILD"
    LONG_TERM_RESIDENT = "LONG_TERM_RESIDENT"
    SSW_1 = "SSW_1"
    SSW_2 = "SSW_2"
    TECHNICAL_INTERN = "TECHNICAL_INTERN"
    ENGINEER_SPECIALIST = "ENGINEER_SPECIALIST"
    STUDENT = "STUDENT"
    NEEDS_SPONSORSHIP = "NEEDS_SPONSORSHIP"
    DEPENDENT = "DEPENDENT"
    DESIGNATED_ACTIVITIES = "DESIGNATED_ACTIVITIES"
    NURSING_CARE = "NURSING_CARE"
    HIGHLY_SKILLED_PROFESSIONAL = "HIGHLY_SKILLED_PROFESSIONAL"
    SKILL_DEVELOPMENT = "SKILL_DEVELOPMENT"


class EmploymentType(Enum):
    UNSPECIFIED = "UNSPECIFIED"
    FULL_TIME = "FULL_TIME"
    PART_TIME = "PART_TIME"
    CONTRACT = "CONTRACT"
    TEMPORARY = "TEMPORARY"
    INTERNSHIP = "INTERNSHIP"


class Relocation(Enum):
    """How far a worker would move for a job."""

    UNSPECIFIED = "UNSPECIFIED"  # treated as NONE
    NONE = "NONE"  # only within commuting distance
    REGION = "REGION"  # anywhere in the same region (Kansai, Kanto, ...)
    ANYWHERE = "ANYWHERE"  # anywhere in Japan


# JLPT levels as ranks: NONE 0, N5 1, N4 2, N3 3, N2 4, N1 5, NATIVE 6.
JLPT_NAMES = ("none", "N5", "N4", "N3", "N2", "N1", "native")


@dataclass(frozen=True)
class SkillClaim:
    """A skill or licence a worker has, and whether a credential proves it."""

    taxonomy_id: str
    label: str = ""
    years: float = 0.0
    verified: bool = False
    self_declared: bool = True


@dataclass(frozen=True)
class JobSkill:
    """A skill a job asks for."""

    taxonomy_id: str
    label: str = ""
    required: bool = True


@dataclass(frozen=True)
class Worker:
    """A worker's profile as matching sees it (no personal data)."""

    name: str
    display_name: str = ""
    status: Status = Status.UNSPECIFIED
    # SSW, nursing care and skill development holders: their designated field
    # (an SswField name such as "MANUFACTURING").
    designated_field: str = ""
    # Students and dependents: permission to work outside their status (資格外活動許可).
    work_permission: bool = False
    # Technical intern trainees: the organisation they train with (`employers/{id}`).
    current_employer: str = ""
    japanese_level: int = 0
    languages: tuple[str, ...] = ()
    skills: tuple[SkillClaim, ...] = ()
    licences: tuple[SkillClaim, ...] = ()
    experience_years: float = 0.0
    place: Place = field(default_factory=Place)
    relocation: Relocation = Relocation.UNSPECIFIED
    available_from: dt.date | None = None
    hours_per_week: int = 0
    employment_types: tuple[EmploymentType, ...] = ()
    desired_wage_yen: float = 0.0
    desired_wage_period: WagePeriod = WagePeriod.UNSPECIFIED
    discoverable: bool = False
    text: str = ""  # profile text that the semantic vector is computed from
    updated: dt.datetime | None = None


@dataclass(frozen=True)
class Job:
    """An open job as matching sees it."""

    name: str
    employer: str = ""  # `employers/{organization}`
    title: str = ""
    employer_display_name: str = ""
    skills: tuple[JobSkill, ...] = ()
    min_japanese_level: int = 0
    place: Place = field(default_factory=Place)
    wage_min_yen: float = 0.0
    wage_max_yen: float = 0.0
    wage_period: WagePeriod = WagePeriod.UNSPECIFIED
    employment_type: EmploymentType = EmploymentType.UNSPECIFIED
    hours_per_week: int = 0
    headcount: int = 1
    start_date: dt.date | None = None
    eligible_statuses: tuple[Status, ...] = ()
    fields: tuple[str, ...] = ()  # declared industry fields (SswField names)
    offers_sponsorship: bool = False
    # Manual or simple labour: closed to Engineer/Specialist and HSP holders.
    manual_work: bool = False
    licences_required: tuple[str, ...] = ()
    accepts_self_declared_licences: bool = False
    text: str = ""
    published: dt.datetime | None = None
