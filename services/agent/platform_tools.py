"""The assistant's tools, SkillGap and CareerPaths, made of marketplace (and matching) RPCs with the
caller's token.

Every call carries the caller's own `authorization` header, so marketplace
decides what the caller may see and do: the agent adds no rights of its
own (it calls marketplace as the mesh identity `agent`, which marketplace
grants nothing without a user token).
"""

from __future__ import annotations

import asyncio
from typing import Any

import grpc

from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.marketplace.v1 import marketplace_pb2_grpc
from iworkz.matching.v1 import matching_pb2 as mt
from iworkz.matching.v1 import matching_pb2_grpc
from iworkz.type.v1 import profile_types_pb2 as types
from services.agent.domain import gap as gaps
from services.agent.domain.chat.tools import ApplicationSummary, Eligibility, Gap, JobSummary, ToolError
from services.agent.domain.skills import SkillExtractor
from services.runtime.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied, Unavailable

_PREFECTURE_NAMES = {
    "JP-01": "Hokkaido",
    "JP-11": "Saitama",
    "JP-12": "Chiba",
    "JP-13": "Tokyo",
    "JP-14": "Kanagawa",
    "JP-22": "Shizuoka",
    "JP-23": "Aichi",
    "JP-26": "Kyoto",
    "JP-27": "Osaka",
    "JP-28": "Hyogo",
    "JP-34": "Hiroshima",
    "JP-40": "Fukuoka",
    "JP-43": "Kumamoto",
}
_PERIOD = {
    types.WAGE_PERIOD_HOURLY: "/h",
    types.WAGE_PERIOD_DAILY: "/day",
    types.WAGE_PERIOD_MONTHLY: "/month",
    types.WAGE_PERIOD_ANNUAL: "/year",
}
# Profile fields employers filter and rank on, in the order a worker should fill them.
PROFILE_FIELDS = (
    "display_name",
    "visa_status",
    "languages",
    "skills",
    "experience",
    "location",
    "availability",
    "desired_wage",
    "phone",
    "education",
)


class Marketplace:
    """Marketplace as one caller: a channel shared by the process, the caller's token per call."""

    def __init__(self, channel: grpc.aio.Channel, authorization: str) -> None:
        self.stub = marketplace_pb2_grpc.MarketplaceServiceStub(channel)
        self.metadata = (("authorization", authorization),) if authorization else ()

    async def call(self, method: str, request: Any) -> Any:
        try:
            return await getattr(self.stub, method)(request, metadata=self.metadata, timeout=10)
        except grpc.aio.AioRpcError as error:
            raise _domain_error(error) from None


class Matching:
    """Matching as one caller (recommendations and explanations), the caller's token per call."""

    def __init__(self, channel: grpc.aio.Channel, authorization: str) -> None:
        self.stub = matching_pb2_grpc.MatchingServiceStub(channel)
        self.metadata = (("authorization", authorization),) if authorization else ()

    async def call(self, method: str, request: Any) -> Any:
        try:
            return await getattr(self.stub, method)(request, metadata=self.metadata, timeout=10)
        except grpc.aio.AioRpcError as error:
            raise _domain_error(error) from None


def _domain_error(error: grpc.aio.AioRpcError) -> Exception:
    code, details = error.code(), error.details() or ""
    return {
        grpc.StatusCode.NOT_FOUND: NotFound,
        grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
        grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
        grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
        grpc.StatusCode.UNAUTHENTICATED: PermissionDenied,
    }.get(code, Unavailable)(f"marketplace: {details}")


def _matching_language(language: str) -> str:
    """Matching writes reasons in English and Japanese."""
    return "ja" if language == "ja" else "en"


def job_summary(job: mp.Job) -> JobSummary:
    place = job.location.city or _PREFECTURE_NAMES.get(job.location.prefecture, job.location.prefecture)
    wage = ""
    if job.HasField("wage_min"):
        wage = f"¥{job.wage_min.units:,}"
        if job.HasField("wage_max") and job.wage_max.units != job.wage_min.units:
            wage += f"–{job.wage_max.units:,}"
        wage += _PERIOD.get(job.wage_period, "")
    return JobSummary(job.name, job.title, job.employer_display_name, place, wage, job.description[:300])


def worker_skills(profile: mp.WorkerProfile) -> gaps.WorkerSkills:
    uris = frozenset(s.taxonomy_id for s in profile.skills if s.taxonomy_id)
    phrases = [s.label for s in profile.skills] + [e.title for e in profile.experience if e.title]
    text = "\n".join([profile.summary, *phrases, *(e.description for e in profile.experience)]).strip()
    return gaps.WorkerSkills(uris, phrases, text)


def target_skills(skills: Any) -> list[gaps.TargetSkill]:
    return [gaps.TargetSkill(s.taxonomy_id, s.label) for s in skills]


def missing_profile_fields(profile: mp.WorkerProfile) -> list[str]:
    missing = []
    for name in PROFILE_FIELDS:
        value = getattr(profile, name)
        empty = (
            (not value)
            if isinstance(value, (str, int))
            else (len(value) == 0)
            if hasattr(value, "__len__")
            else not profile.HasField(name)
        )
        if empty:
            missing.append(name)
    return missing


class PlatformTools:
    """`Tools` for one caller: everything through marketplace with their token."""

    def __init__(
        self, market: Marketplace, worker: str, skills: SkillExtractor | None, matching: Matching | None = None
    ) -> None:
        self.market = market
        self.worker = worker
        self._skills = skills
        self.matching = matching

    def _matching(self) -> Matching:
        if self.matching is None:
            raise ToolError("recommendations are not available on this agent (no matching service configured)")
        return self.matching

    async def recommend_jobs(self, language: str) -> list[JobSummary]:
        """Matching's recommendations for the caller (eligible jobs only, best first), with reasons."""
        request = mt.RecommendJobsRequest(worker=self.worker, page_size=5, language_code=_matching_language(language))
        try:
            reply = await self._matching().call("RecommendJobs", request)
        except (FailedPrecondition, NotFound) as error:
            raise ToolError("matching does not know your profile yet: save it first") from error
        except (PermissionDenied, InvalidArgument, Unavailable) as error:
            raise ToolError(str(error)) from error
        return [
            JobSummary(
                m.job,
                m.title,
                m.employer_display_name,
                m.location.city or _PREFECTURE_NAMES.get(m.location.prefecture, m.location.prefecture),
                f"{round(m.score.total * 100)}%",
                reasons=tuple(r.text for r in m.reasons),
            )
            for m in reply.matches
        ]

    async def explain_match(self, job: str, language: str) -> Eligibility:
        """Matching's full breakdown of the caller and one job: the failed rules with their fixes, or why it fits."""
        request = mt.ExplainMatchRequest(worker=self.worker, job=job, language_code=_matching_language(language))
        try:
            reply, target = await asyncio.gather(self._matching().call("ExplainMatch", request), self._job(job))
        except (FailedPrecondition, NotFound) as error:
            raise ToolError("that job is not open, or matching does not know your profile yet") from error
        except (PermissionDenied, InvalidArgument, Unavailable) as error:
            raise ToolError(str(error)) from error
        failed = [r for r in reply.rules if not r.passed]
        if failed:
            reasons = [f"{r.reason} {r.fix}".strip() for r in failed]
        else:
            reasons = [r.text for r in reply.reasons[:4]]
            reasons.insert(0, f"{round(reply.score.total * 100)}%")
        return Eligibility(target.title, reply.eligible, reasons)

    async def profile(self) -> mp.WorkerProfile:
        try:
            return (await self.market.call("GetWorkerProfile", mp.GetWorkerProfileRequest(name=self.worker))).profile
        except NotFound:
            return mp.WorkerProfile(name=self.worker)

    async def search_jobs(self, query: str, prefecture: str) -> list[JobSummary]:
        request = mp.SearchJobsRequest(query=query, prefecture=prefecture, page_size=5)
        try:
            response = await self.market.call("SearchJobs", request)
        except (InvalidArgument, Unavailable) as error:
            raise ToolError(str(error)) from error
        return [job_summary(j) for j in response.jobs]

    async def _job(self, name: str) -> mp.Job:
        try:
            return (await self.market.call("GetJob", mp.GetJobRequest(name=name))).job
        except (NotFound, InvalidArgument, PermissionDenied) as error:
            raise NotFound("that job does not exist or is not open") from error

    async def job_eligibility(self, job: str) -> Eligibility:
        """Marketplace decides (its search with the worker's status, field and level); we explain."""
        try:
            target, profile = await asyncio.gather(self._job(job), self.profile())
        except (NotFound, PermissionDenied) as error:
            raise ToolError(error.message) from error
        level = max((lang.jlpt_level for lang in profile.languages if lang.language.startswith("ja")), default=0)
        request = mp.SearchJobsRequest(
            prefecture=target.location.prefecture,
            page_size=100,
            visa_status=profile.visa_status,
            ssw_field=profile.ssw_field,
            japanese_level=level or types.JAPANESE_LEVEL_NONE,
        )
        found = False
        for _ in range(10):
            response = await self.market.call("SearchJobs", request)
            if any(j.name == job for j in response.jobs):
                found = True
                break
            if not response.next_page_token:
                break
            request.page_token = response.next_page_token
        return Eligibility(target.title, found, _explain(target, profile, level))

    async def applications(self) -> list[ApplicationSummary]:
        try:
            response = await self.market.call(
                "ListWorkerApplications", mp.ListWorkerApplicationsRequest(parent=self.worker, page_size=20)
            )
        except PermissionDenied as error:
            raise ToolError("only a worker has applications") from error
        return [
            ApplicationSummary(
                a.name, a.job, a.job_title, mp.ApplicationStatus.Name(a.status).removeprefix("APPLICATION_STATUS_")
            )
            for a in response.applications
        ]

    async def apply(self, job: str) -> ApplicationSummary:
        try:
            created = (await self.market.call("CreateApplication", mp.CreateApplicationRequest(parent=job))).application
        except (FailedPrecondition, PermissionDenied, NotFound, InvalidArgument) as error:
            raise ToolError(str(error).removeprefix("marketplace: ")) from error
        return ApplicationSummary(created.name, created.job, created.job_title, "APPLIED")

    async def profile_gaps(self) -> list[str]:
        try:
            return missing_profile_fields(await self.profile())
        except PermissionDenied as error:
            raise ToolError("only a worker has a profile") from error

    async def skill_gap(self, job: str) -> Gap:
        try:
            result = await self.gap_for_job(job)
        except (NotFound, Unavailable, PermissionDenied) as error:
            raise ToolError(error.message) from error
        return Gap(result.title, [n.label for n in result.missing], [n.label for n in result.matched])

    # --- SkillGap and CareerPaths ---------------------------------------------------------

    def _extractor(self) -> SkillExtractor:
        if self._skills is None:
            raise Unavailable("the skill index is still loading; try again in a minute")
        return self._skills

    async def gap_for_job(self, job: str) -> gaps.GapResult:
        target, profile = await asyncio.gather(self._job(job), self.profile())
        extractor = self._extractor()

        def compute() -> gaps.GapResult:
            needs = gaps.job_needs(
                extractor,
                target_skills(target.required_skills),
                target_skills(target.preferred_skills),
                f"{target.title}\n{target.description}",
            )
            return gaps.gap(extractor, target.title, needs, worker_skills(profile))

        return await asyncio.to_thread(compute)

    async def gap_for_occupation(self, occupation: str) -> gaps.GapResult:
        profile = await self.profile()
        extractor = self._extractor()

        def compute() -> gaps.GapResult:
            title, needs = gaps.occupation_needs(extractor, occupation)
            if not title:
                raise NotFound("no such ESCO occupation")
            return gaps.gap(extractor, title, needs, worker_skills(profile))

        return await asyncio.to_thread(compute)

    async def open_jobs(self, limit: int = 100) -> list[mp.Job]:
        profile = await self.profile()
        level = max((lang.jlpt_level for lang in profile.languages if lang.language.startswith("ja")), default=0)
        response = await self.market.call(
            "SearchJobs",
            mp.SearchJobsRequest(
                page_size=limit,
                visa_status=profile.visa_status,
                ssw_field=profile.ssw_field,
                japanese_level=level or types.JAPANESE_LEVEL_NONE,
            ),
        )
        return list(response.jobs)


def _explain(job: mp.Job, profile: mp.WorkerProfile, level: int) -> list[str]:
    """The job's requirements next to the worker's values, one sentence each (in English)."""
    reasons = []
    if job.eligible_visa_statuses:
        allowed = ", ".join(
            types.VisaStatus.Name(v).removeprefix("VISA_STATUS_").replace("_", " ").lower()
            for v in job.eligible_visa_statuses
        )
        mine = types.VisaStatus.Name(profile.visa_status).removeprefix("VISA_STATUS_").replace("_", " ").lower()
        reasons.append(f"Statuses accepted: {allowed}; yours: {mine}.")
    if job.eligible_ssw_fields and profile.ssw_field:
        fields = ", ".join(
            types.SswField.Name(f).removeprefix("SSW_FIELD_").replace("_", " ").lower() for f in job.eligible_ssw_fields
        )
        reasons.append(f"SSW fields accepted: {fields}.")
    if job.min_japanese_level > types.JAPANESE_LEVEL_NONE:
        need = types.JapaneseLevel.Name(job.min_japanese_level).removeprefix("JAPANESE_LEVEL_")
        have = types.JapaneseLevel.Name(level or types.JAPANESE_LEVEL_NONE).removeprefix("JAPANESE_LEVEL_")
        reasons.append(f"Japanese needed: {need}; yours: {have}.")
    if job.offers_visa_sponsorship:
        reasons.append("The employer sponsors a status of residence.")
    return reasons
