"""The projection's snapshot: a replica restarts from its file and reads only the rows that changed
while it was down (a job published, a job closed, a profile changed), then agrees with a replica
that never stopped; an unreadable snapshot falls back to the rebuild from PostgreSQL. On both index
backends: faiss (the graph in the file) and pgvector (the rows in the file, the vectors in PostgreSQL)."""

from __future__ import annotations

import pytest

from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.matching.v1 import matching_pb2 as pb
from iworkz.matching.v1 import matching_pb2_grpc
from services.matching.main import SPEC
from services.matching.tests.service_testing import World, employer, eventually, profile, publish
from services.runtime import server


@pytest.mark.parametrize("backend", ["faiss", "pgvector"])
async def test_restart_from_the_snapshot_catches_up_with_the_tables(
    world: World, replicas, matching_settings, tmp_path, backend: str, request: pytest.FixtureRequest
):
    path = tmp_path / "projection.snapshot"
    index = {}
    if backend == "pgvector":
        index = {"MATCHING_INDEX": "pgvector", "MATCHING_PGVECTOR_URL": request.getfixturevalue("pgvector_url")}
    signed, worker = await profile(world)
    boss, org, market = await employer(world)
    kept, closed = await publish(market, org, title="Kept welder"), await publish(market, org, title="Closed welder")

    async def jobs_on(stub) -> set[str]:
        reply = await stub.RecommendJobs(pb.RecommendJobsRequest(worker=worker, page_size=100))
        return {m.job for m in reply.matches}

    async with server.running(SPEC, matching_settings(MATCHING_SNAPSHOT_PATH=str(path), **index)) as first:
        stub = matching_pb2_grpc.MatchingServiceStub(world.client(first.target, signed.tokens).channel)
        await eventually(lambda: _has(jobs_on(stub), {kept.name, closed.name}))
        assert await first.resources.extras["projection"].save_snapshot()
    assert path.stat().st_size > 0

    # While it is down, the other replicas consume: a job published, one closed, the profile changed.
    added = await publish(market, org, title="Added welder")
    await market.marketplace.CloseJob(mp.CloseJobRequest(name=closed.name))
    await world.market(signed.tokens).marketplace.UpdateWorkerProfile(
        mp.UpdateWorkerProfileRequest(
            profile=mp.WorkerProfile(name=worker, skills=[mp.Skill(taxonomy_id="esco:mig-welding", label="MIG")]),
            update_mask={"paths": ["skills"]},
        )
    )
    running = world.stub(signed.tokens, 0)

    async def tables_changed():
        found = await jobs_on(running)
        explained = await running.ExplainMatch(pb.ExplainMatchRequest(worker=worker, job=kept.name))
        return added.name in found and closed.name not in found and explained.missing_skills

    await eventually(tables_changed)

    async with server.running(SPEC, matching_settings(MATCHING_SNAPSHOT_PATH=str(path), **index)) as second:
        projection = second.resources.extras["projection"]
        stub = matching_pb2_grpc.MatchingServiceStub(world.client(second.target, signed.tokens).channel)
        found = await jobs_on(stub)
        assert projection.restored_from_snapshot
        assert kept.name in found and added.name in found and closed.name not in found
        explained = await stub.ExplainMatch(pb.ExplainMatchRequest(worker=worker, job=kept.name))
        assert [s.taxonomy_id for s in explained.missing_skills] == ["esco:tig-welding"]
        assert await jobs_on(stub) == await jobs_on(running)

    # A damaged file is not trusted: the replica rebuilds from PostgreSQL.
    path.write_bytes(b"not a snapshot")
    async with server.running(SPEC, matching_settings(MATCHING_SNAPSHOT_PATH=str(path), **index)) as third:
        stub = matching_pb2_grpc.MatchingServiceStub(world.client(third.target, signed.tokens).channel)
        assert added.name in await jobs_on(stub)
        assert not third.resources.extras["projection"].restored_from_snapshot


async def _has(found, wanted: set[str]) -> bool:
    return wanted <= await found
