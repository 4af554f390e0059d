"""Semantic vectors through the mesh: matching's embedder calls the agent's Embed through matching's
own sidecar egress (mTLS, SPIFFE identity `matching`) and the agent's sidecar, in batches, when jobs
and profiles change; the projection then ranks with the semantic component.

Real sidecar Envoys for identity, agent and matching (a topology cut down to those three, on free
ports) in front of the session's in-process agent (its sidecar's upstream is a plain TCP relay to it)
and a matching replica whose MATCHING_AGENT_TARGET is its sidecar's egress, as `make up` wires it.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
import yaml
from prometheus_client import REGISTRY

from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.matching.v1 import matching_pb2 as pb
from services.matching.tests.service_testing import World, employer, eventually, profile, publish

KEEP = ("identity", "agent", "matching")


async def relay(listen_port: int, target_port: int) -> asyncio.Server:
    """A plain TCP relay: the agent sidecar's upstream port to the in-process agent."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    return await asyncio.start_server(handle, "127.0.0.1", listen_port)


def embed_calls() -> float:
    total = 0.0
    for metric in REGISTRY.collect():
        if metric.name == "iworkz_grpc_server_handled":
            for sample in metric.samples:
                if (
                    sample.name.endswith("_total")
                    and sample.labels.get("service") == "agent"
                    and sample.labels.get("method") == "/iworkz.agent.v1.AgentService/Embed"
                    and sample.labels.get("code") == "OK"
                ):
                    total += sample.value
    return total


@pytest.fixture(scope="module")
async def meshed(tmp_path_factory, agent_service, identity_service, marketplace_service, matching_settings):
    from devstack import Platform, ports
    from services.matching.main import SPEC
    from services.runtime import server
    from topology import DEFAULT_PATH

    root = tmp_path_factory.mktemp("matching-mesh")
    raw = yaml.safe_load(DEFAULT_PATH.read_text())
    raw["services"] = {n: s for n, s in raw["services"].items() if n in KEEP}
    for s in raw["services"].values():
        s["replicas"] = 1
        s["callers"] = [c for c in s["callers"] if c in (*KEEP, "edge")]
        s["calls"] = [c for c in s["calls"] if c in KEEP]
    source = root / "cut.yaml"
    source.write_text(yaml.safe_dump(raw, sort_keys=False))
    topology = ports.relocated_copy(root / "topology.yaml", source)
    platform = Platform(root / "state", topology, start_timeout=180)
    platform.start_mesh()
    agent_relay = await relay(topology.services["agent"].port("app", 0), agent_service.port)
    try:
        platform.start_sidecars()
        await asyncio.to_thread(platform.wait_ready, [platform.proc("agent", 0, "sidecar")])
        egress = platform.proc("matching", 0, "sidecar").ports["egress"]
        settings = matching_settings(MATCHING_AGENT_TARGET=f"127.0.0.1:{egress}")
        async with server.running(SPEC, settings) as replica:
            yield replica
    finally:
        agent_relay.close()
        await asyncio.to_thread(platform.stop)


async def test_vectors_come_from_embed_through_the_mesh_in_batches(meshed, identity_service, marketplace_service):
    world = World(identity_service.target, marketplace_service.target, [meshed.target])
    try:
        before = embed_calls()
        boss, org, market = await employer(world)
        titles = ["TIG welder", "溶接工（TIG）", "Steel frame welder", "Pipe welder"]
        jobs = [await publish(market, org, title=t) for t in titles]
        # Eligible for the same worker, about something else entirely.
        jobs.append(
            await publish(
                market,
                org,
                title="Bakery line worker",
                description="Kneading dough and decorating cakes on a bread and pastry line.",
                required_skills=[mp.Skill(taxonomy_id="esco:baking", label="baking bread")],
            )
        )
        signed, worker = await profile(world, summary="Five years of TIG welding on steel frames in Osaka.")
        stub = world.stub(signed.tokens)

        async def semantic_by_title():
            reply = await stub.RecommendJobs(pb.RecommendJobsRequest(worker=worker, page_size=100))
            mine = {m.title: m for m in reply.matches if m.job in {j.name for j in jobs}}
            if len(mine) < len(jobs):
                return None
            values = {
                t: next(c.value for c in m.score.components if c.component == pb.COMPONENT_SEMANTIC)
                for t, m in mine.items()
            }
            # Without vectors every job has the neutral 0.5; with them the welding texts are nearer.
            return values if values["TIG welder"] > values["Bakery line worker"] else None

        try:
            # The session's whole backlog of texts is queued ahead of these (only this replica embeds).
            values = await eventually(semantic_by_title, timeout=240)
        except AssertionError:
            async with meshed.resources.db.connection() as conn:
                queued = await (await conn.execute("SELECT name, kind FROM embed_queue")).fetchall()
                stored = await (await conn.execute("SELECT name, model FROM vectors")).fetchall()
            reply = await stub.RecommendJobs(pb.RecommendJobsRequest(worker=worker, page_size=100))
            seen = [(m.title, [(c.component, round(c.value, 3)) for c in m.score.components]) for m in reply.matches]
            raise AssertionError(
                f"queued {queued}, stored {len(stored)}, calls {embed_calls() - before}: {seen}"
            ) from None
        assert values["溶接工（TIG）"] > values["Bakery line worker"]  # cross-lingual: a Japanese posting
        async with meshed.resources.db.connection() as conn:
            models = {r["model"] for r in await (await conn.execute("SELECT model FROM vectors")).fetchall()}
        assert models and all(m.startswith("intfloat/multilingual-e5-small@") for m in models), models
        assert all(0.0 <= v <= 1.0 for v in values.values())
        calls = embed_calls() - before
        # Six texts (five jobs and a profile), batched: no more calls than texts, none per request.
        assert 1 <= calls <= 6, calls
        for _ in range(3):
            await stub.RecommendJobs(pb.RecommendJobsRequest(worker=worker))
        assert embed_calls() - before == calls
        # A changed description queues the job again; an unchanged one does not.
        await market.marketplace.UpdateJob(
            mp.UpdateJobRequest(
                job=mp.Job(name=jobs[0].name, description="TIG and MIG welding of stainless pipes."),
                update_mask={"paths": ["description"]},
            )
        )

        async def re_embedded():
            return embed_calls() - before > calls

        await eventually(re_embedded, timeout=30)
    finally:
        for c in world.clients:
            await c.close()


def semantic(match: pb.MatchEvent) -> float:
    return next(c.value for c in match.score.components if c.component == pb.COMPONENT_SEMANTIC)


async def test_a_match_found_before_the_jobs_vector_is_announced_again_with_it(
    meshed, identity_service, marketplace_service
):
    """A job is matched when it is published, before its vector exists (semantic neutral); when the
    vector arrives the pair is scored again and, better now, announced again with the semantic part."""
    from services.matching.tests.test_matching_watch import Watcher

    world = World(identity_service.target, marketplace_service.target, [meshed.target])
    watcher = None
    try:
        text = "Five years of TIG welding on stainless steel pipes and steel frames in Osaka factories."
        signed, worker = await profile(world, summary=text)

        async def worker_has_a_vector():
            async with meshed.resources.db.connection() as conn:
                row = await (await conn.execute("SELECT 1 FROM vectors WHERE name = %s", (worker,))).fetchone()
            return row is not None

        await eventually(worker_has_a_vector, timeout=120)
        watcher = Watcher(world.stub(signed.tokens), pb.WatchMatchesRequest(parent=worker, min_score=0.5))
        await watcher.next("heartbeat")
        boss, org, market = await employer(world)
        job = await publish(market, org, title="TIG welder (stainless pipes)", description=text)
        # Late in a long run the consumers hold every earlier test's events: generous waits.
        first = await watcher.next_for({job.name}, timeout=120)
        assert semantic(first) == 0.5, first.score  # matched on publication: no vector yet
        second = await watcher.next_for({job.name}, timeout=120)
        assert int(second.event_id) > int(first.event_id)
        assert semantic(second) > 0.5 and second.score.total >= first.score.total + 0.05, second.score
    finally:
        if watcher is not None:
            await watcher.close()
        for c in world.clients:
            await c.close()
