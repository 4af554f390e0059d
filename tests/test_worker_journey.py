"""The README's journey over real gRPC: a worker finds a job, applies, and is hired."""

import uuid

import grpc
import pytest
from google.type import money_pb2

from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client
from iworkz.type.v1 import profile_types_pb2 as types


def yen(units: int) -> money_pb2.Money:
    return money_pb2.Money(currency_code="JPY", units=units)


async def test_worker_is_hired(identity_service, marketplace_service):
    tag = uuid.uuid4().hex[:8]
    employer = Client(marketplace_service.target)
    worker = Client(marketplace_service.target)
    # The SDK talks to one target; here identity and marketplace are separate processes.
    employer_id = Client(identity_service.target)
    worker_id = Client(identity_service.target)
    try:
        signed = await employer_id.sign_up(
            email=f"hr-{tag}@osaka-welding.example",
            password="correct horse battery",
            display_name="Osaka Welding HR",
            account_type=identity_pb2.ACCOUNT_TYPE_EMPLOYER,
            organization_display_name="Osaka Welding Works",
        )
        employer.use_tokens(signed.tokens)
        org = signed.organization.name.split("/")[1]
        created = await employer.marketplace.CreateJob(
            mp.CreateJobRequest(
                parent=f"employers/{org}",
                job=mp.Job(
                    title=f"TIG welder {tag}",
                    description="Stainless TIG welding for food machinery.",
                    location=types.Location(prefecture="JP-27", city="Higashiosaka"),
                    wage_min=yen(1400),
                    wage_max=yen(1800),
                    wage_period=types.WAGE_PERIOD_HOURLY,
                    employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
                    headcount=2,
                    min_japanese_level=types.JAPANESE_LEVEL_N4,
                    eligible_visa_statuses=[types.VISA_STATUS_SSW_1],
                    eligible_ssw_fields=[types.SSW_FIELD_MANUFACTURING],
                ),
            )
        )
        assert created.job.state == mp.JOB_STATE_DRAFT
        await employer.marketplace.PublishJob(mp.PublishJobRequest(name=created.job.name))

        me = await worker_id.sign_up(
            email=f"nguyen-{tag}@example.com",
            password="correct horse battery",
            display_name="Nguyen Van An",
            account_type=identity_pb2.ACCOUNT_TYPE_WORKER,
        )
        worker.use_tokens(me.tokens)
        profile_name = "workers/" + me.user.name.split("/")[1]
        await worker.marketplace.UpdateWorkerProfile(
            mp.UpdateWorkerProfileRequest(
                profile=mp.WorkerProfile(
                    name=profile_name,
                    display_name="Nguyen Van An",
                    phone="+818012345678",
                    residence_card_number="AB12345678CD",
                    visa_status=types.VISA_STATUS_SSW_1,
                    ssw_field=types.SSW_FIELD_MANUFACTURING,
                    languages=[mp.LanguageSkill(language="ja", jlpt_level=types.JAPANESE_LEVEL_N3)],
                    location=types.Location(prefecture="JP-27", city="Osaka"),
                )
            )
        )

        found = await worker.marketplace.SearchJobs(
            mp.SearchJobsRequest(
                query=tag,
                prefecture="JP-27",
                visa_status=types.VISA_STATUS_SSW_1,
                ssw_field=types.SSW_FIELD_MANUFACTURING,
                japanese_level=types.JAPANESE_LEVEL_N3,
            )
        )
        assert [j.name for j in found.jobs] == [created.job.name]

        applied = await worker.marketplace.CreateApplication(
            mp.CreateApplicationRequest(parent=created.job.name, cover_letter="5 years of TIG welding in Hai Phong.")
        )
        name = applied.application.name
        for status in (
            mp.APPLICATION_STATUS_SHORTLISTED,
            mp.APPLICATION_STATUS_INTERVIEW,
            mp.APPLICATION_STATUS_OFFER,
            mp.APPLICATION_STATUS_HIRED,
        ):
            moved = await employer.marketplace.UpdateApplicationStatus(
                mp.UpdateApplicationStatusRequest(name=name, status=status)
            )
            assert moved.application.status == status
        mine = await worker.marketplace.ListWorkerApplications(mp.ListWorkerApplicationsRequest(parent=profile_name))
        assert mine.applications[0].status == mp.APPLICATION_STATUS_HIRED
        assert [e.to_status for e in mine.applications[0].history][-1] == mp.APPLICATION_STATUS_HIRED

        with pytest.raises(grpc.aio.AioRpcError) as err:
            await employer.marketplace.UpdateApplicationStatus(
                mp.UpdateApplicationStatusRequest(name=name, status=mp.APPLICATION_STATUS_SHORTLISTED)
            )
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    finally:
        for c in (employer, worker, employer_id, worker_id):
            await c.close()


async def test_sdk_refreshes_an_expired_session_without_sending_the_stale_token(identity_service):
    """The SDK refreshes before a call when its access token is (nearly) expired, and the
    refresh call itself carries no stale bearer token."""
    async with Client(identity_service.target) as client:
        signed = await client.sign_up(
            email=f"refresh-{uuid.uuid4().hex[:8]}@example.com",
            password="correct horse battery",
            display_name="Refresh",
            account_type=identity_pb2.ACCOUNT_TYPE_WORKER,
        )
        client.use_tokens(signed.tokens)
        client._token = "not-a-valid-token"  # what an expired token looks like to a server
        client._expires_at = 0  # due for refresh
        me = await client.identity.GetUser(identity_pb2.GetUserRequest(name=signed.user.name))
        assert me.user.name == signed.user.name
        assert client._token != "not-a-valid-token"
