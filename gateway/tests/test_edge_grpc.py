"""Native gRPC (the SDK over TLS) and gRPC-web (binary and text) on the edge's one port."""

from __future__ import annotations

import uuid

import grpc
import grpc_web_frames
import pytest
from edge_testing import PASSWORD, grpc_credentials
from google.rpc import error_details_pb2
from google.type import money_pb2
from grpc_status import rpc_status

from iworkz.identity.v1 import identity_pb2 as idp
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client
from iworkz.type.v1 import profile_types_pb2 as types


@pytest.fixture
async def sdk(edge):
    async with Client(edge.target, credentials=grpc_credentials(edge)) as client:
        yield client


async def test_sdk_journey_through_the_edge(edge, sdk):
    tag = uuid.uuid4().hex[:8]
    async with Client(edge.target, credentials=grpc_credentials(edge)) as employer:
        signed = await employer.sign_up(
            email=f"hr-{tag}@example.com",
            password=PASSWORD,
            display_name="HR",
            account_type=idp.ACCOUNT_TYPE_EMPLOYER,
            organization_display_name=f"Works {tag}",
        )
        org = signed.organization.name.split("/")[1]
        job = (
            await employer.marketplace.CreateJob(
                mp.CreateJobRequest(
                    parent=f"employers/{org}",
                    job=mp.Job(
                        title=f"Welder {tag}",
                        description="MIG welding.",
                        location=types.Location(prefecture="JP-23", city="Nagoya"),
                        wage_min=money_pb2.Money(currency_code="JPY", units=1300),
                        wage_max=money_pb2.Money(currency_code="JPY", units=1500),
                        wage_period=types.WAGE_PERIOD_HOURLY,
                        employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
                        headcount=1,
                        eligible_visa_statuses=[types.VISA_STATUS_SSW_1],
                        eligible_ssw_fields=[types.SSW_FIELD_MANUFACTURING],
                    ),
                )
            )
        ).job
        await employer.marketplace.PublishJob(mp.PublishJobRequest(name=job.name))

    await sdk.sign_up(
        email=f"an-{tag}@example.com", password=PASSWORD, display_name="An", account_type=idp.ACCOUNT_TYPE_WORKER
    )
    me = await sdk.login(f"an-{tag}@example.com", PASSWORD)
    worker = "workers/" + me.user.name.split("/")[1]
    await sdk.marketplace.UpdateWorkerProfile(
        mp.UpdateWorkerProfileRequest(
            profile=mp.WorkerProfile(
                name=worker,
                display_name="An",
                visa_status=types.VISA_STATUS_SSW_1,
                ssw_field=types.SSW_FIELD_MANUFACTURING,
            )
        )
    )
    found = await sdk.marketplace.SearchJobs(mp.SearchJobsRequest(query=tag, prefecture="JP-23"))
    assert [j.name for j in found.jobs] == [job.name]
    applied = await sdk.marketplace.CreateApplication(mp.CreateApplicationRequest(parent=job.name))
    assert applied.application.status == mp.APPLICATION_STATUS_APPLIED


async def test_grpc_rich_errors_pass_through(sdk):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await sdk.identity.SignUp(
            idp.SignUpRequest(email="nope", password="short", display_name="X", account_type=idp.ACCOUNT_TYPE_WORKER)
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(caught.value)
    bad = error_details_pb2.BadRequest()
    assert any(d.Unpack(bad) for d in status.details)
    assert {"email", "password"} <= {v.field for v in bad.field_violations}


async def test_grpc_without_token_is_unauthenticated_at_the_edge(sdk):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await sdk.identity.ListUsers(idp.ListUsersRequest())
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "Jwt" in caught.value.details()  # the edge's words, not the service's


async def test_grpc_unknown_method_is_unimplemented(edge, sdk):
    signed = await sdk.sign_up(
        email=f"u-{uuid.uuid4().hex[:8]}@example.com",
        password=PASSWORD,
        display_name="U",
        account_type=idp.ACCOUNT_TYPE_WORKER,
    )
    call = sdk.channel.unary_unary(
        "/iworkz.nothing.v1.NothingService/Nothing", request_serializer=lambda b: b, response_deserializer=lambda b: b
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call(b"", metadata=[("authorization", f"Bearer {signed.tokens.access_token}")])
    assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED


@pytest.mark.parametrize("text", [False, True], ids=["grpc-web+proto", "grpc-web-text"])
async def test_grpc_web(rest, text):
    tag = uuid.uuid4().hex[:8]
    sign_up = idp.SignUpRequest(
        email=f"web-{tag}@example.com", password=PASSWORD, display_name="Web", account_type=idp.ACCOUNT_TYPE_WORKER
    )
    reply = await grpc_web_frames.call(
        rest, "/iworkz.identity.v1.IdentityService/SignUp", sign_up.SerializeToString(), text=text
    )
    assert reply.status == 0, reply.message
    expected_type = "application/grpc-web-text" if text else "application/grpc-web+proto"
    assert reply.http.headers["content-type"].startswith(expected_type)
    signed = idp.SignUpResponse.FromString(reply.messages[0])
    assert signed.user.email == f"web-{tag}@example.com"
    auth = {"authorization": f"Bearer {signed.tokens.access_token}"}

    got = await grpc_web_frames.call(
        rest,
        "/iworkz.identity.v1.IdentityService/GetUser",
        idp.GetUserRequest(name=signed.user.name).SerializeToString(),
        text=text,
        headers=auth,
    )
    assert got.status == 0, got.message
    assert idp.GetUserResponse.FromString(got.messages[0]).user.name == signed.user.name

    # Errors arrive as grpc-status, never as a bare HTTP error.
    denied = await grpc_web_frames.call(
        rest,
        "/iworkz.identity.v1.IdentityService/GetUser",
        idp.GetUserRequest(name=signed.user.name).SerializeToString(),
        text=text,
    )
    assert denied.status == grpc.StatusCode.UNAUTHENTICATED.value[0]
    invalid = await grpc_web_frames.call(
        rest,
        "/iworkz.identity.v1.IdentityService/GetUser",
        idp.GetUserRequest(name="users/nope").SerializeToString(),
        text=text,
        headers=auth,
    )
    assert invalid.status == grpc.StatusCode.INVALID_ARGUMENT.value[0]


@pytest.mark.parametrize("text", [False, True], ids=["grpc-web+proto", "grpc-web-text"])
async def test_grpc_web_worker_journey(rest, text):
    """What the mobile app does, over gRPC-web only: sign up, log in, fill the profile, find a job, apply."""
    tag = uuid.uuid4().hex[:8]

    async def web(method: str, request, response_type, token: str = ""):
        headers = {"authorization": f"Bearer {token}"} if token else None
        service = "IdentityService" if method in ("SignUp", "Login") else "MarketplaceService"
        package = "identity" if service == "IdentityService" else "marketplace"
        reply = await grpc_web_frames.call(
            rest, f"/iworkz.{package}.v1.{service}/{method}", request.SerializeToString(), text=text, headers=headers
        )
        assert reply.status == 0, (method, reply.message)
        return response_type.FromString(reply.messages[0])

    employer = await web(
        "SignUp",
        idp.SignUpRequest(
            email=f"web-hr-{tag}@example.com",
            password=PASSWORD,
            display_name="HR",
            account_type=idp.ACCOUNT_TYPE_EMPLOYER,
            organization_display_name=f"Web Works {tag}",
        ),
        idp.SignUpResponse,
    )
    hr = employer.tokens.access_token
    job = (
        await web(
            "CreateJob",
            mp.CreateJobRequest(
                parent="employers/" + employer.organization.name.split("/")[1],
                job=mp.Job(
                    title=f"Care worker {tag}",
                    description="Day service care.",
                    location=types.Location(prefecture="JP-23", city="Nagoya"),
                    wage_min=money_pb2.Money(currency_code="JPY", units=230000),
                    wage_max=money_pb2.Money(currency_code="JPY", units=260000),
                    wage_period=types.WAGE_PERIOD_MONTHLY,
                    employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
                    headcount=1,
                    # SSW holders may take only jobs that declare their field.
                    eligible_ssw_fields=[types.SSW_FIELD_NURSING_CARE],
                ),
            ),
            mp.CreateJobResponse,
            hr,
        )
    ).job
    await web("PublishJob", mp.PublishJobRequest(name=job.name), mp.PublishJobResponse, hr)

    await web(
        "SignUp",
        idp.SignUpRequest(
            email=f"web-worker-{tag}@example.com",
            password=PASSWORD,
            display_name="Maria",
            account_type=idp.ACCOUNT_TYPE_WORKER,
        ),
        idp.SignUpResponse,
    )
    login = await web(
        "Login", idp.LoginRequest(email=f"web-worker-{tag}@example.com", password=PASSWORD), idp.LoginResponse
    )
    me, token = login.user.name.split("/")[1], login.tokens.access_token
    profile = await web(
        "UpdateWorkerProfile",
        mp.UpdateWorkerProfileRequest(
            profile=mp.WorkerProfile(
                name=f"workers/{me}",
                display_name="Maria Santos",
                visa_status=types.VISA_STATUS_SSW_1,
                ssw_field=types.SSW_FIELD_NURSING_CARE,
            )
        ),
        mp.UpdateWorkerProfileResponse,
        token,
    )
    assert profile.profile.display_name == "Maria Santos"
    found = await web("SearchJobs", mp.SearchJobsRequest(query=tag, prefecture="JP-23"), mp.SearchJobsResponse)
    assert [j.name for j in found.jobs] == [job.name]
    applied = await web(
        "CreateApplication", mp.CreateApplicationRequest(parent=job.name), mp.CreateApplicationResponse, token
    )
    assert applied.application.status == mp.APPLICATION_STATUS_APPLIED
