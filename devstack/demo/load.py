"""Load the demo data set through the Python SDK, as a partner system would.

Every account signs up (or, if it already exists, logs in with the demo
password), so loading twice is harmless: what exists is left as it is and only
what is missing is created. `verify` reads the data back through the public
RPCs, for `make up --check` and for anyone who wants to see it work.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.type import date_pb2, latlng_pb2, money_pb2

from devstack.demo import dataset
from devstack.demo.dataset import DEMO_PASSWORD
from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client
from iworkz.type.v1 import profile_types_pb2 as types


class DemoError(RuntimeError):
    """The demo data could not be loaded or does not read back as expected."""


# --- dataset → messages (pure functions) -----------------------------------------


def _enum(enum_type, prefix: str, name: str) -> int:
    return enum_type.Value(prefix + name) if name else 0


def _date(value: str) -> date_pb2.Date | None:
    if not value:
        return None
    day = datetime.date.fromisoformat(value)
    return date_pb2.Date(year=day.year, month=day.month, day=day.day)


def _yen(units: int) -> money_pb2.Money:
    return money_pb2.Money(currency_code="JPY", units=units)


def _location(place: dataset.Place) -> types.Location:
    return types.Location(
        prefecture=place.prefecture,
        city=place.city,
        coordinates=latlng_pb2.LatLng(latitude=place.latitude, longitude=place.longitude),
    )


def _skills(pairs) -> list[mp.Skill]:
    return [mp.Skill(label=label, years=years) for label, years in pairs]


def employer_profile(employer: dataset.Employer, name: str) -> mp.EmployerProfile:
    """The EmployerProfile for `employer`, named `employers/{organization}`."""
    return mp.EmployerProfile(
        name=name,
        display_name=employer.company,
        description=employer.description,
        industry=employer.industry,
        location=_location(employer.location),
        website=employer.website,
        supports_ssw=employer.supports_ssw,
    )


def job_message(job: dataset.Job) -> mp.Job:
    """The Job message to create for `job`."""
    return mp.Job(
        title=job.title,
        description=job.description,
        required_skills=_skills(job.required_skills),
        preferred_skills=_skills(job.preferred_skills),
        min_japanese_level=_enum(types.JapaneseLevel, "JAPANESE_LEVEL_", job.min_japanese_level),
        location=_location(job.location),
        wage_min=_yen(job.wage_min),
        wage_max=_yen(job.wage_max),
        wage_period=_enum(types.WagePeriod, "WAGE_PERIOD_", job.wage_period),
        employment_type=_enum(types.EmploymentType, "EMPLOYMENT_TYPE_", job.employment_type),
        headcount=job.headcount,
        start_date=_date(job.start_date),
        eligible_visa_statuses=[_enum(types.VisaStatus, "VISA_STATUS_", s) for s in job.eligible_visa_statuses],
        eligible_ssw_fields=[_enum(types.SswField, "SSW_FIELD_", f) for f in job.eligible_ssw_fields],
        offers_visa_sponsorship=job.offers_visa_sponsorship,
        hours_per_week=job.hours_per_week,
        manual_work=job.manual_work,
        licences_required=list(job.licences_required),
        accepts_self_declared_licences=job.accepts_self_declared_licences,
    )


def worker_profile(worker: dataset.Worker, name: str, employers: dict[str, str] | None = None) -> mp.WorkerProfile:
    """The WorkerProfile for `worker`, named `workers/{user}`; `employers`: Employer.key -> `employers/{id}`."""
    return mp.WorkerProfile(
        name=name,
        display_name=worker.display_name,
        email=worker.email,
        phone=worker.phone,
        address=worker.address,
        birth_date=_date(worker.birth_date),
        residence_card_number=worker.residence_card_number,
        nationality=worker.nationality,
        languages=[
            mp.LanguageSkill(
                language=lang.language,
                proficiency=_enum(mp.Proficiency, "PROFICIENCY_", lang.proficiency),
                jlpt_level=_enum(types.JapaneseLevel, "JAPANESE_LEVEL_", lang.jlpt),
            )
            for lang in worker.languages
        ],
        skills=_skills(worker.skills),
        experience=[
            mp.Experience(
                employer_name=e.employer_name,
                title=e.title,
                start_date=_date(e.start),
                end_date=_date(e.end),
                description=e.description,
                country=e.country,
            )
            for e in worker.experience
        ],
        education=[
            mp.Education(
                institution=e.institution,
                qualification=e.qualification,
                field_of_study=e.field_of_study,
                graduation_year=e.graduation_year,
            )
            for e in worker.education
        ],
        location=_location(worker.location),
        desired_wage=_yen(worker.desired_wage),
        desired_wage_period=_enum(types.WagePeriod, "WAGE_PERIOD_", worker.desired_wage_period),
        availability=mp.Availability(
            available_from=_date(worker.available_from),
            hours_per_week=worker.hours_per_week,
            employment_types=[_enum(types.EmploymentType, "EMPLOYMENT_TYPE_", t) for t in worker.employment_types],
        ),
        visa_status=_enum(types.VisaStatus, "VISA_STATUS_", worker.visa_status),
        ssw_field=_enum(types.SswField, "SSW_FIELD_", worker.ssw_field),
        visa_expiry_date=_date(worker.visa_expiry),
        summary=worker.summary,
        relocation=_enum(types.Relocation, "RELOCATION_", worker.relocation),
        discoverable=worker.discoverable,
        work_permission=worker.work_permission,
        current_employer=(employers or {}).get(worker.current_employer, "") if worker.current_employer else "",
    )


def application_status(name: str) -> int:
    return _enum(mp.ApplicationStatus, "APPLICATION_STATUS_", name)


# --- talking to the platform -----------------------------------------------------


@dataclass
class Login:
    role: str
    email: str
    display_name: str


@dataclass
class DemoReport:
    """What a load did: how many of each thing it created, and the demo logins."""

    created: dict[str, int] = field(
        default_factory=lambda: {
            "accounts": 0,
            "employer profiles": 0,
            "jobs": 0,
            "worker profiles": 0,
            "applications": 0,
        }
    )
    logins: list[Login] = field(default_factory=list)
    password: str = DEMO_PASSWORD
    workers: dict[str, str] = field(default_factory=dict)  # dataset key -> workers/{id}
    credentials: Any = None  # devstack.demo.credentials.CredentialsReport, when credentials runs

    @property
    def already_loaded(self) -> bool:
        return not any(self.created.values())


@dataclass
class _Account:
    user: identity_pb2.User
    marketplace: Client
    created: bool

    @property
    def employer_name(self) -> str:
        return "employers/" + self.user.organization.removeprefix("organizations/")

    @property
    def worker_name(self) -> str:
        return "workers/" + self.user.name.removeprefix("users/")


class _Session:
    """Opens one SDK client per demo account and closes them all at the end."""

    def __init__(self, identity_target: str, marketplace_target: str, password: str) -> None:
        self.identity_target = identity_target
        self.marketplace_target = marketplace_target or identity_target
        self.password = password
        self._clients: list[Client] = []

    def client(self, target: str, token: str = "") -> Client:
        c = Client(target, token=token)
        self._clients.append(c)
        return c

    async def close(self) -> None:
        for c in self._clients:
            await c.close()

    async def account(
        self, email: str, display_name: str, account_type: int, organization: str = "", locale: str = "en"
    ) -> _Account:
        """Sign up, or log in if the account exists."""
        identity = self.client(self.identity_target)
        try:
            response = await identity.sign_up(
                email=email,
                password=self.password,
                display_name=display_name,
                account_type=account_type,
                organization_display_name=organization,
                locale=locale,
            )
            created = True
        except grpc.aio.AioRpcError as err:
            if err.code() != grpc.StatusCode.ALREADY_EXISTS:
                raise
            try:
                response = await identity.login(email, self.password)
            except grpc.aio.AioRpcError as login_err:
                raise DemoError(
                    f"{email} already exists but does not accept the demo password "
                    f"({login_err.code().name}: {login_err.details()})"
                ) from None
            created = False
        if self.marketplace_target == self.identity_target:
            marketplace = identity
        else:
            # Tokens last 15 minutes, far longer than a load; no refresh needed.
            marketplace = self.client(self.marketplace_target, token=await identity.access_token())
        return _Account(response.user, marketplace, created)


@contextlib.asynccontextmanager
async def _session(identity_target: str, marketplace_target: str, password: str) -> AsyncIterator[_Session]:
    session = _Session(identity_target, marketplace_target, password)
    try:
        yield session
    finally:
        await session.close()


def _not_found(err: grpc.aio.AioRpcError) -> bool:
    return err.code() == grpc.StatusCode.NOT_FOUND


async def _all_jobs(account: _Account) -> list[mp.Job]:
    jobs, token = [], ""
    while True:
        page = await account.marketplace.marketplace.ListJobs(
            mp.ListJobsRequest(parent=account.employer_name, page_size=100, page_token=token)
        )
        jobs.extend(page.jobs)
        token = page.next_page_token
        if not token:
            return jobs


async def _all_worker_applications(account: _Account) -> list[mp.Application]:
    apps, token = [], ""
    while True:
        page = await account.marketplace.marketplace.ListWorkerApplications(
            mp.ListWorkerApplicationsRequest(parent=account.worker_name, page_size=100, page_token=token)
        )
        apps.extend(page.applications)
        token = page.next_page_token
        if not token:
            return apps


async def load(
    identity_target: str,
    marketplace_target: str = "",
    *,
    password: str = DEMO_PASSWORD,
    say: Callable[[str], None] = print,
) -> DemoReport:
    """Load whatever part of the demo data set is missing; return what was created and the logins.

    `marketplace_target` defaults to `identity_target` (one edge for both).
    Raises DemoError, or grpc.aio.AioRpcError when a service refuses a request.
    """
    report = DemoReport(password=password)
    async with _session(identity_target, marketplace_target, password) as session:
        employers: dict[str, _Account] = {}
        job_names: dict[str, str] = {}
        for employer in dataset.EMPLOYERS:
            account = await session.account(
                employer.email,
                employer.contact_name,
                identity_pb2.ACCOUNT_TYPE_EMPLOYER,
                employer.company,
                employer.locale,
            )
            employers[employer.key] = account
            report.created["accounts"] += account.created
            report.logins.append(Login("employer", employer.email, employer.company))
            await _ensure_employer_profile(account, employer, report)
            existing = {job.title: job for job in await _all_jobs(account)}
            for job in (j for j in dataset.JOBS if j.employer == employer.key):
                job_names[job.key] = await _ensure_job(account, job, existing.get(job.title), report)
        say(f"employers: {len(employers)}, jobs: {len(job_names)}")

        workers: dict[str, _Account] = {}
        for worker in dataset.WORKERS:
            account = await session.account(
                worker.email, worker.display_name, identity_pb2.ACCOUNT_TYPE_WORKER, locale=worker.locale
            )
            workers[worker.key] = account
            report.workers[worker.key] = account.worker_name
            report.created["accounts"] += account.created
            report.logins.append(Login("worker", worker.email, worker.display_name))
            await _ensure_worker_profile(
                account, worker, report, {key: a.employer_name for key, a in employers.items()}
            )
        say(f"workers: {len(workers)}")

        job_employer = {job.key: job.employer for job in dataset.JOBS}
        existing_apps: dict[str, set[str]] = {}
        for application in dataset.APPLICATIONS:
            applicant = workers[application.worker]
            if application.worker not in existing_apps:
                existing_apps[application.worker] = {a.job for a in await _all_worker_applications(applicant)}
            job_name = job_names[application.job]
            if job_name in existing_apps[application.worker]:
                continue
            await _apply(applicant, employers[job_employer[application.job]], job_name, application)
            existing_apps[application.worker].add(job_name)
            report.created["applications"] += 1
        say(f"applications: {len(dataset.APPLICATIONS)}")
    return report


async def _ensure_employer_profile(account: _Account, employer: dataset.Employer, report: DemoReport) -> None:
    if not account.created:
        try:
            current = await account.marketplace.marketplace.GetEmployerProfile(
                mp.GetEmployerProfileRequest(name=account.employer_name)
            )
            if current.employer.description:
                return
        except grpc.aio.AioRpcError as err:
            if not _not_found(err):
                raise
    await account.marketplace.marketplace.UpdateEmployerProfile(
        mp.UpdateEmployerProfileRequest(employer=employer_profile(employer, account.employer_name))
    )
    report.created["employer profiles"] += 1


async def _ensure_job(account: _Account, job: dataset.Job, existing: mp.Job | None, report: DemoReport) -> str:
    """Create and publish `job` unless it exists; publish an existing draft. Return its name."""
    if existing is None:
        created = await account.marketplace.marketplace.CreateJob(
            mp.CreateJobRequest(parent=account.employer_name, job=job_message(job))
        )
        existing = created.job
        report.created["jobs"] += 1
    if existing.state == mp.JOB_STATE_DRAFT:
        await account.marketplace.marketplace.PublishJob(mp.PublishJobRequest(name=existing.name))
    return existing.name


async def _ensure_worker_profile(
    account: _Account, worker: dataset.Worker, report: DemoReport, employers: dict[str, str]
) -> None:
    if not account.created:
        try:
            current = await account.marketplace.marketplace.GetWorkerProfile(
                mp.GetWorkerProfileRequest(name=account.worker_name)
            )
            if current.profile.visa_status:
                return
        except grpc.aio.AioRpcError as err:
            if not _not_found(err):
                raise
    await account.marketplace.marketplace.UpdateWorkerProfile(
        mp.UpdateWorkerProfileRequest(profile=worker_profile(worker, account.worker_name, employers))
    )
    report.created["worker profiles"] += 1


async def _apply(worker: _Account, employer: _Account, job_name: str, application: dataset.Application) -> None:
    """Apply as the worker, then replay the application's history."""
    created = await worker.marketplace.marketplace.CreateApplication(
        mp.CreateApplicationRequest(parent=job_name, cover_letter=application.cover_letter)
    )
    name = created.application.name
    for status, note in application.history:
        if status == "WITHDRAWN":
            await worker.marketplace.marketplace.WithdrawApplication(
                mp.WithdrawApplicationRequest(name=name, note=note)
            )
        else:
            await employer.marketplace.marketplace.UpdateApplicationStatus(
                mp.UpdateApplicationStatusRequest(name=name, status=application_status(status), note=note)
            )


# --- reading it back -------------------------------------------------------------


async def verify(identity_target: str, marketplace_target: str = "", *, password: str = DEMO_PASSWORD) -> list[str]:
    """Check the demo data reads back through the public RPCs; return what was checked.

    Raises DemoError naming the first thing that does not match.
    """
    checked: list[str] = []
    marketplace_target = marketplace_target or identity_target
    async with _session(identity_target, marketplace_target, password) as session:
        public = session.client(marketplace_target)
        everything = await public.marketplace.SearchJobs(mp.SearchJobsRequest(page_size=100))
        if everything.total_size < len(dataset.JOBS):
            raise DemoError(
                f"SearchJobs finds {everything.total_size} open jobs, expected at least {len(dataset.JOBS)}"
            )
        checked.append(f"SearchJobs (no login) finds {everything.total_size} open jobs")
        for prefecture in sorted({job.location.prefecture for job in dataset.JOBS}):
            expected = sum(job.location.prefecture == prefecture for job in dataset.JOBS)
            found = await public.marketplace.SearchJobs(mp.SearchJobsRequest(prefecture=prefecture))
            if found.total_size < expected:
                raise DemoError(
                    f"SearchJobs(prefecture={prefecture}) finds {found.total_size}, expected at least {expected}"
                )
        checked.append("SearchJobs by prefecture finds every demo job")

        by_worker = {w.key: w for w in dataset.WORKERS}
        for application in dataset.APPLICATIONS:
            worker = by_worker[application.worker]
            account = await session.account(worker.email, worker.display_name, identity_pb2.ACCOUNT_TYPE_WORKER)
            if account.created:
                raise DemoError(f"demo worker {worker.email} did not exist")
            apps = await _all_worker_applications(account)
            wanted = application_status(application.status)
            if not any(a.status == wanted and a.job_title for a in apps):
                raise DemoError(f"{worker.email} has no application in status {application.status}")
        checked.append(
            f"{len(dataset.APPLICATIONS)} workers log in and see their applications in the expected statuses"
        )

        employer = dataset.EMPLOYERS[0]
        account = await session.account(
            employer.email, employer.contact_name, identity_pb2.ACCOUNT_TYPE_EMPLOYER, employer.company
        )
        received = await account.marketplace.marketplace.ListJobApplications(
            mp.ListJobApplicationsRequest(parent=f"{account.employer_name}/jobs/-", page_size=100)
        )
        job_employer = {job.key: job.employer for job in dataset.JOBS}
        expected = sum(job_employer[a.job] == employer.key for a in dataset.APPLICATIONS)
        if len(received.applications) < expected:
            raise DemoError(
                f"{employer.email} sees {len(received.applications)} applications, expected at least {expected}"
            )
        checked.append(f"{employer.email} sees {len(received.applications)} applications to its jobs")
    return checked


def describe_demo(report: DemoReport) -> str:
    """What a demo load did and the logins, for a terminal."""
    if report.already_loaded:
        head = "demo data already loaded"
    else:
        head = "demo data loaded: " + ", ".join(f"{n} {what}" for what, n in report.created.items() if n)
    width = max(len(login.email) for login in report.logins)
    rows = [f"  {login.role:<8} {login.email:<{width}}  {login.display_name}" for login in report.logins]
    return "\n".join([head, f"demo logins (password for all: {report.password}):", *rows])
