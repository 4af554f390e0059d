"""MarketplaceService as a whole over real gRPC: every RPC once, who may call, and bad input.

The bad-input table sends one invalid value per validated field of every
request (and of the messages inside them) and expects INVALID_ARGUMENT with a
google.rpc.BadRequest naming that field. A second test reads the buf.validate
rules from the descriptors, so a new rule without a row here fails the suite.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import grpc
import protovalidate
import pytest
from google.protobuf import field_mask_pb2, timestamp_pb2
from google.protobuf.descriptor import Descriptor
from google.type import latlng_pb2, money_pb2

from buf.validate import validate_pb2
from iworkz.auth.v1 import access_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client
from iworkz.type.v1 import profile_types_pb2 as types

Code = grpc.StatusCode
SERVICE = mp.DESCRIPTOR.services_by_name["MarketplaceService"]
RPCS = [method.name for method in SERVICE.methods]

WORKER = f"workers/{uuid.uuid4()}"
EMPLOYER = f"employers/{uuid.uuid4()}"
JOB = f"{EMPLOYER}/jobs/{uuid.uuid4()}"
APPLICATION = f"{JOB}/applications/{uuid.uuid4()}"
UNSET = object()  # a change that clears the field


def _valid_request(rpc: str, market):
    """A request for `rpc` that passes validation (its resources need not exist)."""
    mask = field_mask_pb2.FieldMask
    return {
        "GetWorkerProfile": lambda: mp.GetWorkerProfileRequest(name=WORKER),
        "UpdateWorkerProfile": lambda: mp.UpdateWorkerProfileRequest(profile=mp.WorkerProfile(name=WORKER)),
        "GetEmployerProfile": lambda: mp.GetEmployerProfileRequest(name=EMPLOYER),
        "UpdateEmployerProfile": lambda: mp.UpdateEmployerProfileRequest(employer=mp.EmployerProfile(name=EMPLOYER)),
        "CreateJob": lambda: mp.CreateJobRequest(parent=EMPLOYER, job=market.job_message()),
        "GetJob": lambda: mp.GetJobRequest(name=JOB),
        "UpdateJob": lambda: mp.UpdateJobRequest(job=market.job_message(name=JOB), update_mask=mask(paths=["title"])),
        "PublishJob": lambda: mp.PublishJobRequest(name=JOB),
        "CloseJob": lambda: mp.CloseJobRequest(name=JOB),
        "ListJobs": lambda: mp.ListJobsRequest(parent=EMPLOYER),
        "SearchJobs": lambda: mp.SearchJobsRequest(),
        "CreateApplication": lambda: mp.CreateApplicationRequest(parent=JOB),
        "GetApplication": lambda: mp.GetApplicationRequest(name=APPLICATION),
        "ListWorkerApplications": lambda: mp.ListWorkerApplicationsRequest(parent=WORKER),
        "ListJobApplications": lambda: mp.ListJobApplicationsRequest(parent=JOB),
        "WithdrawApplication": lambda: mp.WithdrawApplicationRequest(name=APPLICATION),
        "UpdateApplicationStatus": lambda: mp.UpdateApplicationStatusRequest(
            name=APPLICATION, status=mp.APPLICATION_STATUS_SHORTLISTED
        ),
        "ListAuditEvents": lambda: mp.ListAuditEventsRequest(target=WORKER),
    }[rpc]()


def _rule(rpc: str) -> access_pb2.AccessRule:
    return SERVICE.methods_by_name[rpc].GetOptions().Extensions[access_pb2.access]


# --- every RPC on the happy path ------------------------------------------------------


async def test_every_rpc_on_the_happy_path(market):
    called: set[str] = set()

    async def call(person, rpc: str, request):
        called.add(rpc)
        client = person if isinstance(person, Client) else person.client
        return await getattr(client.marketplace, rpc)(request)

    employer, worker = await market.employer(), await market.worker()
    word = market.unique_word()
    await call(
        employer,
        "UpdateEmployerProfile",
        mp.UpdateEmployerProfileRequest(
            employer=mp.EmployerProfile(name=employer.employer, display_name="Osaka Welding Works", supports_ssw=True)
        ),
    )
    assert (
        await call(worker, "GetEmployerProfile", mp.GetEmployerProfileRequest(name=employer.employer))
    ).employer.display_name == "Osaka Welding Works"

    job = (
        await call(employer, "CreateJob", mp.CreateJobRequest(parent=employer.employer, job=market.job_message(word)))
    ).job
    job = (
        await call(
            employer,
            "UpdateJob",
            mp.UpdateJobRequest(
                job=market.job_message(word, name=job.name, headcount=3),
                update_mask=field_mask_pb2.FieldMask(paths=["headcount"]),
            ),
        )
    ).job
    assert job.headcount == 3 and job.employer_display_name == "Osaka Welding Works"
    await call(employer, "PublishJob", mp.PublishJobRequest(name=job.name))
    assert [j.name for j in (await call(employer, "ListJobs", mp.ListJobsRequest(parent=employer.employer))).jobs] == [
        job.name
    ]
    anonymous = market.anonymous()
    assert (await call(anonymous, "GetJob", mp.GetJobRequest(name=job.name))).job.state == mp.JOB_STATE_OPEN
    found = await call(anonymous, "SearchJobs", mp.SearchJobsRequest(query=word))
    assert [j.name for j in found.jobs] == [job.name] and found.total_size == 1

    await call(
        worker,
        "UpdateWorkerProfile",
        mp.UpdateWorkerProfileRequest(
            profile=mp.WorkerProfile(
                name=worker.worker, display_name="Nguyen Van An", visa_status=types.VISA_STATUS_PERMANENT_RESIDENT
            )
        ),
    )
    assert (
        await call(worker, "GetWorkerProfile", mp.GetWorkerProfileRequest(name=worker.worker))
    ).profile.display_name == "Nguyen Van An"
    application = (
        await call(worker, "CreateApplication", mp.CreateApplicationRequest(parent=job.name, cover_letter="Hello"))
    ).application
    assert (
        await call(employer, "GetApplication", mp.GetApplicationRequest(name=application.name))
    ).application.cover_letter == "Hello"
    assert [
        a.name
        for a in (
            await call(employer, "ListJobApplications", mp.ListJobApplicationsRequest(parent=job.name))
        ).applications
    ] == [application.name]
    moved = await call(
        employer,
        "UpdateApplicationStatus",
        mp.UpdateApplicationStatusRequest(name=application.name, status=mp.APPLICATION_STATUS_SHORTLISTED),
    )
    assert moved.application.status == mp.APPLICATION_STATUS_SHORTLISTED
    withdrawn = await call(worker, "WithdrawApplication", mp.WithdrawApplicationRequest(name=application.name))
    assert withdrawn.application.status == mp.APPLICATION_STATUS_WITHDRAWN
    mine = await call(worker, "ListWorkerApplications", mp.ListWorkerApplicationsRequest(parent=worker.worker))
    assert [a.status for a in mine.applications] == [mp.APPLICATION_STATUS_WITHDRAWN]
    await call(employer, "CloseJob", mp.CloseJobRequest(name=job.name))
    admin = await market.admin()
    await call(admin, "GetWorkerProfile", mp.GetWorkerProfileRequest(name=worker.worker))
    audited = await call(admin, "ListAuditEvents", mp.ListAuditEventsRequest(target=worker.worker))
    assert [e.action for e in audited.audit_events] == []  # no personal data on this profile: nothing read

    assert called == set(RPCS)


# --- authentication ------------------------------------------------------------------------


@pytest.mark.parametrize("rpc", RPCS)
async def test_calls_without_a_token(rpc, market):
    request = _valid_request(rpc, market)
    call = getattr(market.anonymous().marketplace, rpc)(request)
    if not _rule(rpc).public:
        await market.fails(Code.UNAUTHENTICATED, call)
        return
    try:
        await call
    except grpc.aio.AioRpcError as error:  # the resource does not exist, but the call was let in
        assert error.code() == Code.NOT_FOUND, error.details()


@pytest.mark.parametrize("rpc", [rpc for rpc in RPCS if not _rule(rpc).public])
async def test_calls_with_a_bad_token(rpc, market):
    client = Client(market.target, token="not-a-jwt")
    try:
        await market.fails(Code.UNAUTHENTICATED, getattr(client.marketplace, rpc)(_valid_request(rpc, market)))
    finally:
        await client.close()


def test_the_access_rules_are_the_ones_tested():
    # The tests above rely on exactly these two being public.
    assert {rpc for rpc in RPCS if _rule(rpc).public} == {"GetJob", "SearchJobs"}


# --- bad input ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """One invalid request: `changes` (dotted path -> value) applied to a valid request of `rpc`.

    The response must name exactly `field` with `rule`, plus any `also` pairs
    that the same value unavoidably breaks.
    """

    rpc: str
    changes: dict
    field: str
    rule: str
    also: tuple = ()

    def __str__(self) -> str:
        return f"{self.rpc}:{self.field}:{self.rule}"


def _long(n: int) -> str:
    return "x" * n


def _yen(units: int = 0, nanos: int = 0, currency: str = "JPY") -> money_pb2.Money:
    return money_pb2.Money(currency_code=currency, units=units, nanos=nanos)


def _skill(label: str = "Welding", **fields) -> mp.Skill:
    return mp.Skill(label=label, **fields)


def _experience(**fields) -> mp.Experience:
    return mp.Experience(**{"employer_name": "Hai Phong Steel", "title": "Welder", **fields})


def _education(**fields) -> mp.Education:
    return mp.Education(**{"institution": "Hai Phong College", **fields})


def _osaka(**fields) -> types.Location:
    return types.Location(**{"prefecture": "JP-27", **fields})


_P, _E, _J = "profile", "employer", "job"
BAD_INPUT = [
    # worker profiles
    Bad("GetWorkerProfile", {"name": "workers/Alice"}, "name", "string.pattern"),
    Bad("UpdateWorkerProfile", {_P: UNSET}, _P, "required"),
    Bad(
        "UpdateWorkerProfile",
        {"update_mask": field_mask_pb2.FieldMask(paths=["create_time"])},
        "update_mask",
        "field_mask.in",
    ),
    Bad("UpdateWorkerProfile", {"profile.name": "users/alice"}, "profile.name", "string.pattern"),
    Bad("UpdateWorkerProfile", {"profile.display_name": _long(101)}, "profile.display_name", "string.max_len"),
    Bad("UpdateWorkerProfile", {"profile.email": "not-an-email"}, "profile.email", "string.email"),
    Bad("UpdateWorkerProfile", {"profile.phone": "090-1234-5678"}, "profile.phone", "string.pattern"),
    Bad("UpdateWorkerProfile", {"profile.address": _long(301)}, "profile.address", "string.max_len"),
    Bad(
        "UpdateWorkerProfile",
        {"profile.residence_card_number": "ab12345678cd"},
        "profile.residence_card_number",
        "string.pattern",
    ),
    Bad("UpdateWorkerProfile", {"profile.nationality": "vn"}, "profile.nationality", "string.pattern"),
    Bad(
        "UpdateWorkerProfile",
        {"profile.languages": [mp.LanguageSkill(language="en")] * 21},
        "profile.languages",
        "repeated.max_items",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.languages": [mp.LanguageSkill(language="Japanese")]},
        "profile.languages[0].language",
        "string.pattern",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.languages": [mp.LanguageSkill(language="ja", proficiency=99)]},
        "profile.languages[0].proficiency",
        "enum.defined_only",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.languages": [mp.LanguageSkill(language="ja", jlpt_level=99)]},
        "profile.languages[0].jlpt_level",
        "enum.defined_only",
    ),
    Bad("UpdateWorkerProfile", {"profile.skills": [_skill()] * 101}, "profile.skills", "repeated.max_items"),
    Bad(
        "UpdateWorkerProfile",
        {"profile.skills": [_skill(taxonomy_id=_long(201))]},
        "profile.skills[0].taxonomy_id",
        "string.max_len",
    ),
    Bad("UpdateWorkerProfile", {"profile.skills": [_skill("")]}, "profile.skills[0].label", "string.min_len"),
    Bad("UpdateWorkerProfile", {"profile.skills": [_skill(years=61)]}, "profile.skills[0].years", "int32.gte_lte"),
    Bad(
        "UpdateWorkerProfile", {"profile.experience": [_experience()] * 51}, "profile.experience", "repeated.max_items"
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.experience": [_experience(employer_name="")]},
        "profile.experience[0].employer_name",
        "string.min_len",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.experience": [_experience(title="")]},
        "profile.experience[0].title",
        "string.min_len",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.experience": [_experience(description=_long(2001))]},
        "profile.experience[0].description",
        "string.max_len",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.experience": [_experience(country="vn")]},
        "profile.experience[0].country",
        "string.pattern",
    ),
    Bad("UpdateWorkerProfile", {"profile.education": [_education()] * 21}, "profile.education", "repeated.max_items"),
    Bad(
        "UpdateWorkerProfile",
        {"profile.education": [_education(institution="")]},
        "profile.education[0].institution",
        "string.min_len",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.education": [_education(qualification=_long(201))]},
        "profile.education[0].qualification",
        "string.max_len",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.education": [_education(field_of_study=_long(201))]},
        "profile.education[0].field_of_study",
        "string.max_len",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.education": [_education(graduation_year=2101)]},
        "profile.education[0].graduation_year",
        "int32.gte_lte",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.location": types.Location(prefecture="JP-48")},
        "profile.location.prefecture",
        "string.pattern",
    ),
    Bad(
        "UpdateWorkerProfile", {"profile.location": _osaka(city=_long(101))}, "profile.location.city", "string.max_len"
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.location": _osaka(coordinates=latlng_pb2.LatLng(latitude=91))},
        "profile.location.coordinates",
        "coordinates.range",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.desired_wage": _yen(1500, currency="USD")},
        "profile.desired_wage",
        "desired_wage.jpy",
    ),
    Bad("UpdateWorkerProfile", {"profile.desired_wage_period": 99}, "profile.desired_wage_period", "enum.defined_only"),
    Bad(
        "UpdateWorkerProfile",
        {"profile.availability": mp.Availability(hours_per_week=81)},
        "profile.availability.hours_per_week",
        "int32.gte_lte",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.availability": mp.Availability(employment_types=[1, 1])},
        "profile.availability.employment_types",
        "repeated.unique",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.availability": mp.Availability(employment_types=[0])},
        "profile.availability.employment_types[0]",
        "enum.not_in",
    ),
    Bad("UpdateWorkerProfile", {"profile.visa_status": 99}, "profile.visa_status", "enum.defined_only"),
    Bad(
        "UpdateWorkerProfile",
        {"profile.visa_status": types.VISA_STATUS_SSW_1, "profile.ssw_field": 99},
        "profile.ssw_field",
        "enum.defined_only",
    ),
    Bad("UpdateWorkerProfile", {"profile.visa_status": types.VISA_STATUS_SSW_1}, _P, "worker_profile.ssw_field"),
    Bad("UpdateWorkerProfile", {"profile.summary": _long(2001)}, "profile.summary", "string.max_len"),
    Bad("UpdateWorkerProfile", {"profile.relocation": 99}, "profile.relocation", "enum.defined_only"),
    Bad(
        "UpdateWorkerProfile",
        {"profile.licences": [mp.Licence(taxonomy_id="licence:forklift")] * 31},
        "profile.licences",
        "repeated.max_items",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.licences": [mp.Licence(taxonomy_id="")]},
        "profile.licences[0].taxonomy_id",
        "string.min_len",
    ),
    Bad(
        "UpdateWorkerProfile",
        {"profile.licences": [mp.Licence(taxonomy_id="licence:forklift", label=_long(101))]},
        "profile.licences[0].label",
        "string.max_len",
    ),
    Bad("UpdateWorkerProfile", {"profile.current_employer": "acme"}, "profile.current_employer", "string.pattern"),
    # employer profiles
    Bad("GetEmployerProfile", {"name": "employers/Acme"}, "name", "string.pattern"),
    Bad("UpdateEmployerProfile", {_E: UNSET}, _E, "required"),
    Bad(
        "UpdateEmployerProfile",
        {"update_mask": field_mask_pb2.FieldMask(paths=["name"])},
        "update_mask",
        "field_mask.in",
    ),
    Bad("UpdateEmployerProfile", {"employer.name": "organizations/acme"}, "employer.name", "string.pattern"),
    Bad("UpdateEmployerProfile", {"employer.display_name": _long(201)}, "employer.display_name", "string.max_len"),
    Bad("UpdateEmployerProfile", {"employer.description": _long(4001)}, "employer.description", "string.max_len"),
    Bad("UpdateEmployerProfile", {"employer.industry": _long(101)}, "employer.industry", "string.max_len"),
    Bad("UpdateEmployerProfile", {"employer.website": "not a uri"}, "employer.website", "string.uri"),
    Bad(
        "UpdateEmployerProfile",
        {"employer.location": types.Location(prefecture="Osaka")},
        "employer.location.prefecture",
        "string.pattern",
    ),
    # jobs
    Bad("CreateJob", {"parent": "organizations/acme"}, "parent", "string.pattern"),
    Bad("CreateJob", {"request_id": "job-1"}, "request_id", "string.uuid"),
    Bad("CreateJob", {_J: UNSET}, _J, "required"),
    Bad("CreateJob", {"job.name": _long(121)}, "job.name", "string.max_len"),
    Bad("CreateJob", {"job.title": ""}, "job.title", "required"),  # drafts need a title (servicer)
    Bad("CreateJob", {"job.title": _long(201)}, "job.title", "string.max_len"),
    Bad("CreateJob", {"job.description": _long(10001)}, "job.description", "string.max_len"),
    Bad("CreateJob", {"job.required_skills": [_skill()] * 31}, "job.required_skills", "repeated.max_items"),
    Bad("CreateJob", {"job.preferred_skills": [_skill()] * 31}, "job.preferred_skills", "repeated.max_items"),
    Bad("CreateJob", {"job.required_skills": [_skill("")]}, "job.required_skills[0].label", "string.min_len"),
    Bad("CreateJob", {"job.min_japanese_level": 99}, "job.min_japanese_level", "enum.defined_only"),
    Bad("CreateJob", {"job.location": types.Location(prefecture="")}, "job.location.prefecture", "string.pattern"),
    Bad("CreateJob", {"job.wage_min": _yen(-1)}, "job.wage_min", "wage_min.jpy"),
    Bad("CreateJob", {"job.wage_max": _yen(1800, nanos=500)}, "job.wage_max", "wage_max.jpy"),
    Bad("CreateJob", {"job.wage_min": _yen(2000), "job.wage_max": _yen(1000)}, _J, "job.wage_range"),
    Bad("CreateJob", {"job.wage_period": 99}, "job.wage_period", "enum.defined_only"),
    Bad("CreateJob", {"job.employment_type": 99}, "job.employment_type", "enum.defined_only"),
    Bad("CreateJob", {"job.headcount": -1}, "job.headcount", "int32.gte_lte"),
    Bad("CreateJob", {"job.hours_per_week": 81}, "job.hours_per_week", "int32.gte_lte"),
    Bad("CreateJob", {"job.licences_required": ["x"] * 11}, "job.licences_required", "repeated.max_items"),
    Bad("CreateJob", {"job.licences_required": [""]}, "job.licences_required[0]", "string.min_len"),
    Bad("CreateJob", {"job.eligible_visa_statuses": [0]}, "job.eligible_visa_statuses[0]", "enum.not_in"),
    Bad("CreateJob", {"job.eligible_visa_statuses": [5, 5]}, "job.eligible_visa_statuses", "repeated.unique"),
    Bad("CreateJob", {"job.eligible_ssw_fields": [99]}, "job.eligible_ssw_fields[0]", "enum.defined_only"),
    Bad("CreateJob", {"job.eligible_ssw_fields": [1, 1]}, "job.eligible_ssw_fields", "repeated.unique"),
    Bad("CreateJob", {"job.employer_display_name": _long(201)}, "job.employer_display_name", "string.max_len"),
    Bad("GetJob", {"name": EMPLOYER}, "name", "string.pattern"),
    Bad("UpdateJob", {_J: UNSET}, _J, "required", also=(("request", "update_job.name"),)),
    Bad("UpdateJob", {"job.name": "jobs/1"}, "request", "update_job.name"),
    Bad("UpdateJob", {"update_mask": UNSET}, "update_mask", "required"),
    Bad("UpdateJob", {"update_mask": field_mask_pb2.FieldMask(paths=["state"])}, "update_mask", "field_mask.in"),
    Bad("UpdateJob", {"job.headcount": 1001}, "job.headcount", "int32.gte_lte"),
    Bad("PublishJob", {"name": f"{EMPLOYER}/jobs/-"}, "name", "string.pattern"),
    Bad("CloseJob", {"name": JOB.upper()}, "name", "string.pattern"),
    Bad("ListJobs", {"parent": WORKER}, "parent", "string.pattern"),
    Bad("ListJobs", {"page_size": 101}, "page_size", "int32.gte_lte"),
    Bad("ListJobs", {"page_token": _long(513)}, "page_token", "string.max_len"),
    Bad("ListJobs", {"state": 99}, "state", "enum.defined_only"),
    # search
    Bad("SearchJobs", {"query": _long(201)}, "query", "string.max_len"),
    Bad("SearchJobs", {"prefecture": "JP-48"}, "prefecture", "string.pattern"),
    Bad(
        "SearchJobs",
        {"wage_at_least": _yen(-5), "wage_period": types.WAGE_PERIOD_HOURLY},
        "wage_at_least",
        "wage_at_least.jpy",
    ),
    Bad("SearchJobs", {"wage_at_least": _yen(1500)}, "request", "search_jobs.wage_period"),
    Bad("SearchJobs", {"wage_period": 99}, "wage_period", "enum.defined_only"),
    Bad("SearchJobs", {"employment_type": 99}, "employment_type", "enum.defined_only"),
    Bad("SearchJobs", {"visa_status": 99}, "visa_status", "enum.defined_only"),
    Bad("SearchJobs", {"ssw_field": 99}, "ssw_field", "enum.defined_only"),
    Bad("SearchJobs", {"japanese_level": 99}, "japanese_level", "enum.defined_only"),
    Bad("SearchJobs", {"order_by": "salary"}, "order_by", "string.in"),
    Bad("SearchJobs", {"page_size": -1}, "page_size", "int32.gte_lte"),
    Bad("SearchJobs", {"page_token": _long(513)}, "page_token", "string.max_len"),
    # applications
    Bad("CreateApplication", {"parent": f"{EMPLOYER}/jobs/-"}, "parent", "string.pattern"),
    Bad("CreateApplication", {"cover_letter": _long(4001)}, "cover_letter", "string.max_len"),
    Bad("CreateApplication", {"request_id": "7"}, "request_id", "string.uuid"),
    Bad("GetApplication", {"name": JOB}, "name", "string.pattern"),
    Bad("ListWorkerApplications", {"parent": EMPLOYER}, "parent", "string.pattern"),
    Bad("ListWorkerApplications", {"page_size": 101}, "page_size", "int32.gte_lte"),
    Bad("ListWorkerApplications", {"page_token": _long(513)}, "page_token", "string.max_len"),
    Bad("ListJobApplications", {"parent": f"{EMPLOYER}/jobs/*"}, "parent", "string.pattern"),
    Bad("ListJobApplications", {"status": 99}, "status", "enum.defined_only"),
    Bad("ListJobApplications", {"page_size": -1}, "page_size", "int32.gte_lte"),
    Bad("ListJobApplications", {"page_token": _long(513)}, "page_token", "string.max_len"),
    Bad("WithdrawApplication", {"name": f"{APPLICATION}/x"}, "name", "string.pattern"),
    Bad("WithdrawApplication", {"note": _long(1001)}, "note", "string.max_len"),
    Bad("UpdateApplicationStatus", {"name": "applications/1"}, "name", "string.pattern"),
    Bad("UpdateApplicationStatus", {"status": mp.APPLICATION_STATUS_WITHDRAWN}, "status", "enum.in"),
    Bad("UpdateApplicationStatus", {"note": _long(1001)}, "note", "string.max_len"),
    # the audit log
    Bad("ListAuditEvents", {"page_size": 201}, "page_size", "int32.gte_lte"),
    Bad("ListAuditEvents", {"page_token": _long(513)}, "page_token", "string.max_len"),
    Bad("ListAuditEvents", {"actor": "bob"}, "actor", "string.pattern"),
    Bad("ListAuditEvents", {"target": "workers/a b"}, "target", "string.pattern"),
    Bad("ListAuditEvents", {"action": "Read-Data"}, "action", "string.pattern"),
    Bad(
        "ListAuditEvents",
        {"start_time": timestamp_pb2.Timestamp(seconds=1_800_000_000), "end_time": timestamp_pb2.Timestamp(seconds=1)},
        "request",
        "list_audit_events.time_range",
    ),
]


def _change(message, path: str, value) -> None:
    """Set a dotted field path (`profile.location`) on `message`; UNSET clears it."""
    *parents, last = path.split(".")
    for part in parents:
        message = getattr(message, part)
    if value is UNSET:
        message.ClearField(last)
    elif isinstance(value, list):
        message.ClearField(last)
        getattr(message, last).extend(value)
    elif hasattr(getattr(message, last), "CopyFrom"):
        getattr(message, last).CopyFrom(value)
    else:
        setattr(message, last, value)


@pytest.fixture
async def admin(market):
    """An admin passes every role check, so each bad request reaches validation."""
    return await market.admin()


@pytest.mark.parametrize("bad", BAD_INPUT, ids=str)
async def test_bad_input_names_the_field(bad, market, admin):
    request = _valid_request(bad.rpc, market)
    for path, value in bad.changes.items():
        _change(request, path, value)
    error = await market.fails(Code.INVALID_ARGUMENT, getattr(admin.api, bad.rpc)(request))
    assert sorted(market.bad_fields(error)) == sorted([(bad.field, bad.rule), *bad.also])
    assert bad.field in error.details()


@pytest.mark.parametrize("rpc", RPCS)
def test_the_valid_requests_are_valid(rpc, market):
    # Guards the table: every row starts from a request that is valid as it is.
    assert list(protovalidate.Validator().collect_violations(_valid_request(rpc, market))) == []


# --- every validation rule has a row --------------------------------------------------------


def _messages() -> dict[str, Descriptor]:
    """Every iWORKZ message a MarketplaceService request contains, requests included."""
    found: dict[str, Descriptor] = {}

    def walk(message: Descriptor) -> None:
        if message.full_name in found or not message.full_name.startswith("iworkz."):
            return
        found[message.full_name] = message
        for f in message.fields:
            if f.message_type is not None:
                walk(f.message_type)

    for method in SERVICE.methods:
        walk(method.input_type)
    return found


def _message_rules(message: Descriptor) -> set[str]:
    options = message.GetOptions()
    if not options.HasExtension(validate_pb2.message):
        return set()
    return {rule.id for rule in options.Extensions[validate_pb2.message].cel}


def _validated() -> set[tuple[str, str]]:
    """(message, field) for each field with buf.validate rules, (message, `cel:<id>`) for message rules."""
    keys = set()
    for name, message in _messages().items():
        keys |= {(name, f"cel:{rule}") for rule in _message_rules(message)}
        for f in message.fields:
            options = f.GetOptions()
            if options.HasExtension(validate_pb2.field) and options.Extensions[validate_pb2.field].ListFields():
                keys.add((name, f.name))
    return keys


def _covered(bad: Bad) -> set[tuple[str, str]]:
    """What a table row exercises, resolved through the descriptors from its request type."""
    request = SERVICE.methods_by_name[bad.rpc].input_type
    keys = set()
    for path, rule in [(bad.field, bad.rule), *bad.also]:
        if path == "request":
            assert rule in _message_rules(request), (bad, rule)
            keys.add((request.full_name, f"cel:{rule}"))
            continue
        message = request
        f: Any = None
        for part in path.split("."):
            f = message.fields_by_name[part.split("[")[0]]
            message, parent = (f.message_type or message), message
        if f.message_type is not None and rule in _message_rules(f.message_type):
            keys.add((f.message_type.full_name, f"cel:{rule}"))
        else:
            keys.add((parent.full_name, f.name))
    return keys


def test_every_validation_rule_has_a_bad_input_row():
    covered = set().union(*(_covered(bad) for bad in BAD_INPUT))
    missing = sorted(_validated() - covered)
    assert not missing, f"add a BAD_INPUT row for each of: {missing}"
    assert covered <= _validated(), sorted(covered - _validated())
    assert {bad.rpc for bad in BAD_INPUT} == set(RPCS)
