"""MatchingService over real gRPC, PostgreSQL and Redis, fed by marketplace's events.

Identity, marketplace and two matching replicas run in-process; jobs and
profiles are made through marketplace's RPCs as users would, and each
matching replica sees them through the event stream and the projection's
fan-out.
"""

from __future__ import annotations

import grpc
import pytest

from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.matching.v1 import matching_pb2 as pb
from iworkz.type.v1 import profile_types_pb2 as types
from services.matching.tests.service_testing import Code, World, eventually, publish, yen


async def test_recommend_explain_and_allocate_through_the_projection(world: World, monkeypatch) -> None:
    boss = await world.sign_up(identity_pb2.ACCOUNT_TYPE_EMPLOYER, "Osaka Welding Works")
    employer = "employers/" + boss.user.organization.split("/")[-1]
    market = world.market(boss.tokens)
    welding = await publish(market, employer)
    n2_job = await publish(market, employer, title="Welding lead", min_japanese_level=types.JAPANESE_LEVEL_N2)
    care = await publish(
        market,
        employer,
        title="Care assistant",
        eligible_ssw_fields=[types.SSW_FIELD_NURSING_CARE],
        required_skills=[mp.Skill(taxonomy_id="esco:elderly-care", label="elderly care")],
    )

    signed = await world.sign_up(identity_pb2.ACCOUNT_TYPE_WORKER)
    worker_name = "workers/" + signed.user.name.split("/")[1]
    await world.market(signed.tokens).marketplace.UpdateWorkerProfile(
        mp.UpdateWorkerProfileRequest(
            profile=mp.WorkerProfile(
                name=worker_name,
                display_name="Nguyen Van An",
                visa_status=types.VISA_STATUS_SSW_1,
                ssw_field=types.SSW_FIELD_MANUFACTURING,
                languages=[mp.LanguageSkill(language="ja", jlpt_level=types.JAPANESE_LEVEL_N3)],
                skills=[mp.Skill(taxonomy_id="esco:tig-welding", label="TIG welding", years=5)],
                location=types.Location(prefecture="JP-27", city="Osaka"),
                desired_wage=yen(250_000),
                desired_wage_period=types.WAGE_PERIOD_MONTHLY,
                discoverable=True,
                phone="+818012345678",
                residence_card_number="AB12345678CD",
            )
        )
    )
    worker = world.stub(signed.tokens)

    async def recommended():
        reply = await worker.RecommendJobs(pb.RecommendJobsRequest(worker=worker_name, language_code="ja"))
        return reply if any(m.job == welding.name for m in reply.matches) else None

    reply = await eventually(recommended)
    names = [m.job for m in reply.matches]
    # Eligible only: the care job is outside the worker's SSW field, the N2 job above their N3.
    assert welding.name in names and care.name not in names and n2_job.name not in names
    top = next(m for m in reply.matches if m.job == welding.name)
    assert [s.taxonomy_id for s in top.matched_skills] == ["esco:tig-welding"]
    assert top.reasons and any("必須スキル" in r.text for r in top.reasons)
    assert {c.component for c in top.score.components} >= {pb.COMPONENT_SKILLS, pb.COMPONENT_WAGE}
    assert reply.weights_version == "hand-set"

    # The second replica converged on the same projection.
    other = world.stub(signed.tokens, replica=1)

    async def converged():
        again = await other.RecommendJobs(pb.RecommendJobsRequest(worker=worker_name, language_code="ja"))
        return [m.job for m in again.matches] == names

    await eventually(converged)

    explained = await worker.ExplainMatch(pb.ExplainMatchRequest(worker=worker_name, job=n2_job.name))
    assert not explained.eligible
    failed = [r for r in explained.rules if not r.passed]
    assert [r.rule for r in failed] == [pb.HARD_RULE_JAPANESE_LEVEL]
    assert "JLPT N2" in failed[0].reason and "next test" in failed[0].fix

    # The employer sees the discoverable worker, without personal data.
    employer_stub = world.stub(boss.tokens)
    candidates = await eventually(lambda: employer_stub.RecommendWorkers(pb.RecommendWorkersRequest(job=welding.name)))
    found = [m for m in candidates.matches if m.worker == worker_name]
    assert found and found[0].display_name == "Nguyen Van An"
    assert "AB12345678CD" not in str(candidates) and "+8180" not in str(candidates)

    allocated = await employer_stub.AllocateCohort(
        pb.AllocateCohortRequest(
            parent=employer,
            workers=[worker_name],
            jobs=[pb.CohortJob(job=welding.name), pb.CohortJob(job=care.name, seats=1)],
        )
    )
    assert [(a.worker, a.job) for a in allocated.assignments] == [(worker_name, welding.name)]
    assert allocated.unfilled_seats == 2 and allocated.blocking_pairs == 0 and allocated.solver == "dense-lsa"
    # A cohort too large to score every pair takes each worker's best candidates (top-k), same answer here.
    from services.matching import servicer

    monkeypatch.setattr(servicer, "DENSE_PAIRS", 0)
    sparse = await employer_stub.AllocateCohort(
        pb.AllocateCohortRequest(
            parent=employer,
            workers=[worker_name],
            jobs=[pb.CohortJob(job=welding.name), pb.CohortJob(job=care.name, seats=1)],
        )
    )
    assert [(a.worker, a.job) for a in sparse.assignments] == [(worker_name, welding.name)]
    assert sparse.solver != "dense-lsa" and sparse.total_score == pytest.approx(allocated.total_score)
    monkeypatch.undo()

    # A closed job leaves every replica's results.
    await market.marketplace.CloseJob(mp.CloseJobRequest(name=welding.name))

    async def gone():
        first = await worker.RecommendJobs(pb.RecommendJobsRequest(worker=worker_name))
        second = await other.RecommendJobs(pb.RecommendJobsRequest(worker=worker_name))
        return all(welding.name not in [m.job for m in r.matches] for r in (first, second))

    assert await eventually(gone)


async def test_bad_input_and_access(world: World) -> None:
    signed = await world.sign_up(identity_pb2.ACCOUNT_TYPE_WORKER)
    worker = world.stub(signed.tokens)
    me = "workers/" + signed.user.name.split("/")[1]
    someone = "workers/00000000-0000-4000-8000-000000000009"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await worker.RecommendJobs(pb.RecommendJobsRequest(worker=someone))
    assert caught.value.code() == Code.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await worker.RecommendJobs(pb.RecommendJobsRequest(worker=me, page_size=1000))
    assert caught.value.code() == Code.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await worker.RecommendJobs(pb.RecommendJobsRequest(worker=me))  # no profile yet
    assert caught.value.code() == Code.FAILED_PRECONDITION
    boss = await world.sign_up(identity_pb2.ACCOUNT_TYPE_EMPLOYER, "Cohort Co")
    employer = world.stub(boss.tokens)
    org = "employers/" + boss.user.organization.split("/")[-1]
    job = f"{org}/jobs/00000000-0000-4000-8000-00000000000d"
    too_many = [f"workers/00000000-0000-4000-8000-{i:012d}" for i in range(50_001)]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await employer.AllocateCohort(
            pb.AllocateCohortRequest(parent=org, workers=too_many, jobs=[pb.CohortJob(job=job)])
        )
    assert caught.value.code() == Code.INVALID_ARGUMENT and "50000" in caught.value.details()
    # Within the limit, a job that is not open is named.
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await employer.AllocateCohort(
            pb.AllocateCohortRequest(parent=org, workers=too_many[:3], jobs=[pb.CohortJob(job=job)])
        )
    assert caught.value.code() == Code.INVALID_ARGUMENT and "jobs[0].job" in caught.value.details()


async def test_the_projection_delay_of_each_event_is_measured(world: World) -> None:
    from prometheus_client import REGISTRY

    def observed() -> tuple[float, float]:
        count = REGISTRY.get_sample_value("iworkz_matching_projection_delay_seconds_count") or 0.0
        return count, REGISTRY.get_sample_value("iworkz_matching_projection_delay_seconds_sum") or 0.0

    before = observed()
    boss = await world.sign_up(identity_pb2.ACCOUNT_TYPE_EMPLOYER, "Fukuoka Foods")
    employer = "employers/" + boss.user.organization.split("/")[-1]
    await publish(world.market(boss.tokens), employer, title="Line cook")

    async def measured():
        return observed() if observed()[0] > before[0] else None

    after = await eventually(measured)
    # Each event's delay is its age when applied: positive, and far below the test's own length.
    assert 0 < after[1] - before[1] < 60 * (after[0] - before[0])


async def test_freshness_on_both_replicas_published_closed_and_profile_changed(world: World) -> None:
    """A job published, then closed, and a profile change show on every replica (polled on each)."""
    from services.matching.tests.service_testing import employer, profile

    signed, worker_name = await profile(world)
    boss, org, market = await employer(world)
    job = await publish(market, org, title="Fresh welder")
    stubs = [world.stub(signed.tokens, replica) for replica in (0, 1)]

    async def listed(stub, present: bool, **request):
        reply = await stub.RecommendJobs(pb.RecommendJobsRequest(worker=worker_name, page_size=100, **request))
        return (job.name in {m.job for m in reply.matches}) == present

    for stub in stubs:
        await eventually(lambda stub=stub: listed(stub, True))
    # A profile change (TIG welding replaced by MIG welding: the job's required skill goes missing) on both.
    await world.market(signed.tokens).marketplace.UpdateWorkerProfile(
        mp.UpdateWorkerProfileRequest(
            profile=mp.WorkerProfile(
                name=worker_name, skills=[mp.Skill(taxonomy_id="esco:mig-welding", label="MIG welding", years=2)]
            ),
            update_mask={"paths": ["skills"]},
        )
    )

    async def skill_missing(stub):
        reply = await stub.ExplainMatch(pb.ExplainMatchRequest(worker=worker_name, job=job.name))
        return [s.taxonomy_id for s in reply.missing_skills] == ["esco:tig-welding"]

    for stub in stubs:
        await eventually(lambda stub=stub: skill_missing(stub))
    await market.marketplace.CloseJob(mp.CloseJobRequest(name=job.name))
    for stub in stubs:
        await eventually(lambda stub=stub: listed(stub, False))
