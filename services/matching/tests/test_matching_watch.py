"""WatchMatches over real gRPC with two replicas: new matches as jobs are published and profiles
change, resume from the last event id on the other replica, heartbeats, who may watch what, and the
worker's notification of a strong match (matching's event → notifications' consumer → the inbox)."""

from __future__ import annotations

import asyncio
import contextlib

import grpc
import pytest

from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.matching.v1 import matching_pb2 as pb
from iworkz.notifications.v1 import notifications_pb2 as npb
from iworkz.notifications.v1 import notifications_pb2_grpc
from iworkz.sdk import Client
from services.matching.tests.service_testing import Code, World, employer, eventually, profile, publish


class Watcher:
    """A WatchMatches stream read in the background into a queue."""

    def __init__(self, stub, request: pb.WatchMatchesRequest) -> None:
        self.call = stub.WatchMatches(request)
        self.items: asyncio.Queue[pb.WatchMatchesResponse] = asyncio.Queue()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(asyncio.CancelledError, grpc.aio.AioRpcError):
            async for item in self.call:
                await self.items.put(item)

    async def next(self, kind: str, timeout: float = 20.0) -> pb.WatchMatchesResponse:
        """The next item of `kind` ("match" or "heartbeat"), skipping the other kind."""
        async with asyncio.timeout(timeout):
            while True:
                item = await self.items.get()
                if item.WhichOneof("event") == kind:
                    return item

    async def next_for(self, jobs: set[str], timeout: float = 20.0) -> pb.MatchEvent:
        """The next match about one of `jobs` (others, e.g. earlier tests' jobs, are skipped)."""
        async with asyncio.timeout(timeout):
            while True:
                item = await self.next("match", timeout)
                if item.match.job in jobs:
                    return item.match

    async def close(self) -> None:
        self.call.cancel()
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def test_a_worker_sees_new_jobs_live_and_resumes_on_the_other_replica(world: World) -> None:
    signed, worker = await profile(world)
    boss, org, market = await employer(world)
    first = Watcher(world.stub(signed.tokens, 1), pb.WatchMatchesRequest(parent=worker, min_score=0.5))
    try:
        await first.next("heartbeat")
        # Jobs of earlier tests may be announced too (the new profile matches them): skip those.
        welding = await publish(market, org)
        got = await first.next_for({welding.name})
        assert (got.worker, got.job, got.title) == (worker, welding.name, "TIG welder")
        assert got.score.total >= 0.5 and got.reasons and got.score.components
        # A job the worker may not take (care work for an SSW manufacturing holder) is never announced.
        care = await publish(market, org, title="Care assistant", eligible_ssw_fields=[6])
        second = await publish(market, org, title="MIG welder")
        after = await first.next_for({care.name, second.name})
        assert after.job == second.name and int(after.event_id) > int(got.event_id)
        # Idle: heartbeats carry the last id sent.
        beat = await first.next("heartbeat")
        assert int(beat.heartbeat.last_event_id) >= int(after.event_id)
    finally:
        await first.close()

    # Resume on the other replica from just before that event, in Japanese: it is replayed first
    # (ids are contiguous per subject), then a heartbeat.
    resume = str(int(after.event_id) - 1)
    again = Watcher(
        world.stub(signed.tokens, 0), pb.WatchMatchesRequest(parent=worker, last_event_id=resume, language_code="ja")
    )
    try:
        replayed = (await again.next("match")).match
        assert (replayed.job, replayed.event_id) == (second.name, after.event_id)
        assert any(
            any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in r.text) for r in replayed.reasons
        )
        await again.next("heartbeat")
        # An unchanged job republished as an update is not announced again.
        await market.marketplace.UpdateJob(mp.UpdateJobRequest(job=second, update_mask={"paths": ["description"]}))
        with pytest.raises(TimeoutError):
            await again.next_for({second.name}, timeout=3)
    finally:
        await again.close()


async def test_an_employer_sees_new_candidates_for_a_job(world: World) -> None:
    boss, org, market = await employer(world)
    job = await publish(market, org)
    watcher = Watcher(world.stub(boss.tokens, 0), pb.WatchMatchesRequest(parent=job.name, min_score=0.5))
    try:
        await watcher.next("heartbeat")
        _, hidden = await profile(world, discoverable=False)  # eligible, but not discoverable: never shown
        _, shown = await profile(world)
        # Workers of earlier tests may be announced first (the job's own publication reached matching
        # after the stream opened); the new discoverable worker comes, the hidden one never does.
        seen: list[pb.MatchEvent] = []
        while not seen or seen[-1].worker != shown:
            seen.append((await watcher.next("match")).match)
        assert all(m.job == job.name for m in seen)
        assert hidden not in {m.worker for m in seen}
        assert [int(m.event_id) for m in seen] == sorted(int(m.event_id) for m in seen)
    finally:
        await watcher.close()


async def test_who_may_watch_what(world: World) -> None:
    signed, worker = await profile(world)
    other, _ = await profile(world)
    boss, org, market = await employer(world)
    rival, _, _ = await employer(world, "Rival Works")
    job = await publish(market, org)

    async def first_code(tokens, request) -> Code:
        call = world.stub(tokens).WatchMatches(request)
        try:
            async for _ in call:
                return Code.OK
        except grpc.aio.AioRpcError as error:
            return error.code()
        finally:
            call.cancel()
        return Code.OK

    assert await first_code(other.tokens, pb.WatchMatchesRequest(parent=worker)) == Code.PERMISSION_DENIED
    assert await first_code(rival.tokens, pb.WatchMatchesRequest(parent=job.name)) == Code.PERMISSION_DENIED
    assert await first_code(signed.tokens, pb.WatchMatchesRequest(parent=job.name)) == Code.PERMISSION_DENIED
    assert await first_code(boss.tokens, pb.WatchMatchesRequest(parent=job.name)) == Code.OK
    assert await first_code(signed.tokens, pb.WatchMatchesRequest(parent=worker)) == Code.OK
    bad = pb.WatchMatchesRequest(parent=worker, last_event_id="1-0")
    assert await first_code(signed.tokens, bad) == Code.INVALID_ARGUMENT


async def test_a_strong_match_notifies_the_worker(world: World, notifications_service) -> None:
    signed, worker = await profile(world)
    boss, org, market = await employer(world)
    job = await publish(market, org)
    inbox = notifications_pb2_grpc.NotificationServiceStub(
        world.client(notifications_service.target, signed.tokens).channel
    )
    user = "users/" + worker.split("/")[1]

    async def told():
        reply = await inbox.ListNotifications(npb.ListNotificationsRequest(parent=user))
        found = [n for n in reply.notifications if n.category == npb.NOTIFICATION_CATEGORY_NEW_JOB_MATCH]
        # Jobs of earlier tests may match this worker too; this test's job is among them.
        return [n for n in found if n.link == "/" + job.name] or None

    found = await eventually(told, timeout=180)
    assert "TIG welder" in found[0].title and len(found) == 1


async def test_a_worker_who_turned_match_notifications_off_is_not_told(world: World, notifications_service) -> None:
    signed, worker = await profile(world, discoverable=False)
    user = "users/" + worker.split("/")[1]
    client: Client = world.client(notifications_service.target, signed.tokens)
    inbox = notifications_pb2_grpc.NotificationServiceStub(client.channel)
    await inbox.UpdateNotificationPreferences(
        npb.UpdateNotificationPreferencesRequest(
            preferences=npb.NotificationPreferences(
                name=f"{user}/notificationPreferences",
                categories=[npb.CategoryPreference(category=npb.NOTIFICATION_CATEGORY_NEW_JOB_MATCH, channels=[])],
            ),
            update_mask={"paths": ["categories"]},
        )
    )
    boss, org, market = await employer(world)
    watcher = Watcher(world.stub(signed.tokens), pb.WatchMatchesRequest(parent=worker, min_score=0.5))
    try:
        await watcher.next("heartbeat")
        await publish(market, org)
        await watcher.next("match")  # matched (and the event emitted), but the worker opted out
    finally:
        await watcher.close()
    await asyncio.sleep(2)
    reply = await inbox.ListNotifications(npb.ListNotificationsRequest(parent=user))
    assert not [n for n in reply.notifications if n.category == npb.NOTIFICATION_CATEGORY_NEW_JOB_MATCH]
