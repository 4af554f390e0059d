"""Traffic through the mesh: round robin across replicas, and no lost read when a replica dies.

The caller is marketplace's egress listener (what the marketplace app uses to
reach identity): plaintext in, mTLS out to every identity replica's sidecar.
Reads (RPCs bound to HTTP GET, here identity's GetJwks) are retried by the
egress on another replica, so killing a replica — its app or its sidecar —
while calls are in flight loses none of them, and once it is back it gets
traffic again. The client itself never retries.
"""

from __future__ import annotations

import asyncio
import collections

import grpc
import pytest
from mesh_probes import GET_JWKS, channel, envoy_stats, handled, healthy_hosts

from iworkz.identity.v1 import identity_pb2, identity_pb2_grpc

# Generous bounds for a busy 2-core machine; they only stop a hung test, they measure nothing.
EVENTUALLY_SECONDS = 180


async def eventually(condition, what: str, timeout: float = EVENTUALLY_SECONDS) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await asyncio.to_thread(condition):
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        await asyncio.sleep(0.2)


def egress(platform) -> str:
    return f"127.0.0.1:{platform.proc('marketplace', 0, 'sidecar').ports['egress']}"


def egress_admin(platform) -> int:
    return platform.proc("marketplace", 0, "sidecar").ports["admin"]


async def both_identity_replicas_in_rotation(platform) -> None:
    """Earlier tests (or a busy machine) may have left a replica out of rotation for a while."""
    await eventually(
        lambda: healthy_hosts(egress_admin(platform), "out_identity") == 2,
        "both identity replicas healthy at marketplace's egress",
    )


def metrics_url(platform, service: str, replica: int) -> str:
    return f"http://127.0.0.1:{platform.proc(service, replica).ports['metrics']}/metrics"


async def test_calls_are_balanced_across_replicas(mesh_platform):
    await both_identity_replicas_in_rotation(mesh_platform)
    urls = [metrics_url(mesh_platform, "identity", i) for i in (0, 1)]
    async with channel(egress(mesh_platform)) as ch:
        stub = identity_pb2_grpc.IdentityServiceStub(ch)

        async def calls(count: int) -> list[float]:
            before = [handled(url, GET_JWKS) for url in urls]
            for _ in range(count):
                await stub.GetJwks(identity_pb2.GetJwksRequest(), timeout=15)
            return [handled(url, GET_JWKS) - b for url, b in zip(urls, before, strict=True)]

        # A replica that just passed its health check joins the rotation a moment later.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + EVENTUALLY_SECONDS
        while min(await calls(4)) == 0:
            assert loop.time() < deadline, "one identity replica never got a call"
        served = await calls(40)
    assert sum(served) >= 40
    assert min(served) >= 10, f"round robin should share the calls, got {served}"


class Load:
    """Concurrent GetJwks calls through an egress until stopped; counts outcomes."""

    def __init__(self, target: str, workers: int = 6) -> None:
        self.target = target
        self.outcomes: collections.Counter[str] = collections.Counter()
        self.failures: list[str] = []
        self.stopping = asyncio.Event()
        self.tasks = [asyncio.create_task(self.worker()) for _ in range(workers)]

    async def worker(self) -> None:
        async with channel(self.target) as ch:
            stub = identity_pb2_grpc.IdentityServiceStub(ch)
            while not self.stopping.is_set():
                try:
                    await stub.GetJwks(identity_pb2.GetJwksRequest(), timeout=30)
                    self.outcomes["OK"] += 1
                except grpc.aio.AioRpcError as err:
                    self.outcomes[err.code().name] += 1
                    self.failures.append(f"{err.code().name}: {err.details()}")

    async def stop(self) -> None:
        self.stopping.set()
        await asyncio.gather(*self.tasks)


@pytest.mark.parametrize("kind", ["app", "sidecar"])
async def test_killing_a_replica_under_load_loses_no_read(mesh_platform, kind):
    victim = mesh_platform.proc("identity", 1, kind)
    survivor_metrics = metrics_url(mesh_platform, "identity", 0)
    victim_metrics = metrics_url(mesh_platform, "identity", 1)
    admin = egress_admin(mesh_platform)
    retried = "cluster.out_identity.upstream_rq_retry"
    await both_identity_replicas_in_rotation(mesh_platform)
    load = Load(egress(mesh_platform))
    try:
        await eventually(lambda: load.outcomes["OK"] >= 50, "calls flow before the kill")
        await eventually(lambda: handled(victim_metrics, GET_JWKS) > 0, "replica 1 serves before the kill")

        retries_before = envoy_stats(admin, retried).get(retried, 0)
        await asyncio.to_thread(mesh_platform.kill, victim)  # SIGKILL: no drain, connections drop
        at_kill = load.outcomes["OK"]
        survivor_at_kill = handled(survivor_metrics, GET_JWKS)
        await eventually(lambda: load.outcomes["OK"] >= at_kill + 200, "calls keep succeeding on replica 0")
        assert handled(survivor_metrics, GET_JWKS) >= survivor_at_kill + 200
        # Calls did hit the dead replica: the egress retried them on the survivor.
        assert envoy_stats(admin, retried)[retried] > retries_before

        mesh_platform.spawn(victim)
        await asyncio.to_thread(mesh_platform.wait_ready, [victim])
        back = handled(victim_metrics, GET_JWKS)  # a restarted app counts from zero
        await eventually(
            lambda: handled(victim_metrics, GET_JWKS) >= back + 20, "replica 1 gets traffic again once it is back"
        )
        await both_identity_replicas_in_rotation(mesh_platform)  # as the next test expects
    finally:
        await load.stop()
    assert load.failures == [], (
        f"{len(load.failures)} of {sum(load.outcomes.values())} calls failed "
        f"({dict(load.outcomes)}), e.g. {load.failures[:3]}"
    )
    assert load.outcomes["OK"] > 0
