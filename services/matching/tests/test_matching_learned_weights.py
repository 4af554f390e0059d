"""Learned weights served: feedback through RecordFeedback, one learning run, the version current on
both replicas; learning again on the same feedback gives the same version (reproducible); without a
learned version the hand-set weights serve."""

from __future__ import annotations

from iworkz.matching.v1 import matching_pb2 as pb
from services.matching.domain.weights import HAND_SET
from services.matching.tests.service_testing import World, employer, eventually, profile, publish


async def test_feedback_learns_weights_that_every_replica_serves(world: World, replicas) -> None:
    boss, org, market = await employer(world)
    jobs = [await publish(market, org, title=f"Welder {i}", headcount=1 + i % 3) for i in range(10)]
    workers = [await profile(world) for _ in range(3)]
    # Each worker saves the jobs they would take and dismisses the rest: 25 ordered pairs per worker.
    for signed, name in workers:
        stub = world.stub(signed.tokens)

        async def sees_all(stub=stub, name=name):
            reply = await stub.RecommendJobs(pb.RecommendJobsRequest(worker=name, page_size=100))
            return len({m.job for m in reply.matches} & {j.name for j in jobs}) == len(jobs)

        await eventually(sees_all)
        for i, job in enumerate(jobs):
            kind = pb.FEEDBACK_KIND_SAVED if i < 5 else pb.FEEDBACK_KIND_NOT_INTERESTED
            await stub.RecordFeedback(pb.RecordFeedbackRequest(worker=name, job=job.name, kind=kind))

    learner = replicas[0].resources.extras["learner"]
    learned = await learner.learn_once()
    assert learned is not None and learned.version.startswith("pairwise-") and learned.version != HAND_SET.version
    assert all(v >= 0 for v in learned.values.values())
    signed, name = workers[0]
    for replica in (0, 1):
        stub = world.stub(signed.tokens, replica)

        async def serves(stub=stub):
            reply = await stub.RecommendJobs(pb.RecommendJobsRequest(worker=name))
            return reply.weights_version == learned.version and all(
                m.score.weights_version == learned.version for m in reply.matches
            )

        await eventually(serves)
    # Reproducible: the same feedback, learned again on the other replica, is the same version.
    again = await replicas[1].resources.extras["learner"].learn_once()
    assert again is not None and again.version == learned.version and again.values == learned.values

    # The fallback: with no learned version stored, every replica serves the hand-set weights again
    # (and the other tests of the session score with them).
    async with replicas[0].resources.db.transaction() as conn:
        await conn.execute("DELETE FROM weights")
    await replicas[0].resources.extras["projection"].changed(["weights:"])
    for replica in (0, 1):
        stub = world.stub(signed.tokens, replica)

        async def hand_set(stub=stub):
            reply = await stub.RecommendJobs(pb.RecommendJobsRequest(worker=name))
            return reply.weights_version == HAND_SET.version

        await eventually(hand_set)
