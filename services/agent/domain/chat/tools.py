"""What the assistant may do. The service implements `Tools` with platform RPCs made with the
caller's own token, so a tool can never do more than the caller could do themself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class ToolError(Exception):
    """A tool could not do what was asked; the message is safe to show the user."""


@dataclass(frozen=True)
class JobSummary:
    name: str
    title: str
    employer: str
    place: str
    wage: str
    description: str = ""  # the start of the posting: data, never instructions
    reasons: tuple[str, ...] = ()  # why matching recommends it (recommend_jobs only)


@dataclass(frozen=True)
class ApplicationSummary:
    name: str
    job: str
    job_title: str
    status: str  # APPLIED, SHORTLISTED, INTERVIEW, OFFER, HIRED, REJECTED, WITHDRAWN


@dataclass(frozen=True)
class Eligibility:
    job_title: str
    eligible: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Gap:
    job_title: str
    missing: list[str]
    matched: list[str]


class Tools(Protocol):
    async def search_jobs(self, query: str, prefecture: str) -> list[JobSummary]: ...

    async def job_eligibility(self, job: str) -> Eligibility: ...

    async def applications(self) -> list[ApplicationSummary]: ...

    async def apply(self, job: str) -> ApplicationSummary: ...

    async def profile_gaps(self) -> list[str]: ...

    async def skill_gap(self, job: str) -> Gap: ...

    async def recommend_jobs(self, language: str) -> list[JobSummary]: ...

    async def explain_match(self, job: str, language: str) -> Eligibility: ...
