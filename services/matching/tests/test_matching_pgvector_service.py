"""The service on the pgvector backend (`MATCHING_INDEX=pgvector`): a replica whose job vectors live
in PostgreSQL 16 + pgvector (pgserver; the machine's PostgreSQL 15 has no pgvector) answers
RecommendJobs as the faiss replica does on the same data, eligibility filters before the top-k."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import psycopg
from grpc_health.v1 import health_pb2, health_pb2_grpc

from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.matching.v1 import matching_pb2 as pb
from iworkz.matching.v1 import matching_pb2_grpc
from iworkz.type.v1 import profile_types_pb2 as types
from services.matching.main import SPEC
from services.matching.pgvector_index import PgVectorSlots
from services.matching.projection import DIM
from services.matching.tests.service_testing import World, employer, eventually, profile, publish
from services.runtime import server

# Each test's worker and jobs are where no other test puts any (a worker who will not relocate is
# eligible only near home). Jobs without a place are eligible everywhere, though, so the comparisons
# walk every page and look only at this test's jobs: the session's other jobs, and their events still
# being consumed late in a full run, never decide them.
NAHA = types.Location(prefecture="JP-47", city="Naha")
KUSHIRO = types.Location(prefecture="JP-01", city="Kushiro")
Row = tuple[str, float, float]


def _page(reply: pb.RecommendJobsResponse) -> list[Row]:
    """(job, total, semantic) per match, in order."""
    return [
        (m.job, m.score.total, next(c.value for c in m.score.components if c.component == pb.COMPONENT_SEMANTIC))
        for m in reply.matches
    ]


async def _walk(stub, worker: str, only: set[str], size: int = 50, language_code: str = "") -> list[Row]:
    """Every page of the worker's recommendations, following page tokens: the rows of `only`'s jobs."""
    rows: list[Row] = []
    token = ""
    for _ in range(1000):
        reply = await stub.RecommendJobs(
            pb.RecommendJobsRequest(worker=worker, page_size=size, page_token=token, language_code=language_code)
        )
        rows += [row for row in _page(reply) if row[0] in only]
        token = reply.next_page_token
        if not token:
            assert len({j for j, _, _ in rows}) == len(rows), "a job on two pages"
            return rows
    raise AssertionError("page tokens never ended")


def _same(x: list[Row], y: list[Row]) -> bool:
    """The same jobs in the same order with the same scores (freshness moves by ~1e-9 between calls)."""
    return [j for j, _, _ in x] == [j for j, _, _ in y] and all(
        abs(p[1] - q[1]) < 1e-6 and abs(p[2] - q[2]) < 1e-6 for p, q in zip(x, y, strict=True)
    )


async def test_recommend_jobs_from_pgvector_equals_faiss(world: World, replicas, matching_settings, pgvector_url):
    signed, worker = await profile(world, location=NAHA, relocation=types.RELOCATION_NONE)
    _, org, market = await employer(world)
    jobs = [await publish(market, org, title=f"Welder {i}", location=NAHA) for i in range(10)]
    # Not for this worker: Japanese above theirs, another SSW field.
    n2 = await publish(market, org, title="Welding lead", location=NAHA, min_japanese_level=types.JAPANESE_LEVEL_N2)
    care = await publish(market, org, title="Care", location=NAHA, eligible_ssw_fields=[types.SSW_FIELD_NURSING_CARE])
    everything = [j.name for j in [*jobs, n2, care]]

    settings = matching_settings(MATCHING_INDEX="pgvector", MATCHING_PGVECTOR_URL=pgvector_url)
    async with server.running(SPEC, settings) as pg:
        projection = pg.resources.extras["projection"]
        assert isinstance(projection.matcher.index, PgVectorSlots)
        faiss_stub = world.stub(signed.tokens, 0)
        pg_stub = matching_pb2_grpc.MatchingServiceStub(world.client(pg.target, signed.tokens).channel)

        mine = set(everything)

        async def sees_all(stub) -> bool:
            return {j.name for j in jobs} <= {j for j, _, _ in await _walk(stub, worker, mine)}

        await eventually(lambda: sees_all(faiss_stub))
        await eventually(lambda: sees_all(pg_stub))

        # Vectors as the embedder stores them, then announced to every replica: each job a different
        # distance from the worker (the ineligible ones nearest of all).
        rng = np.random.default_rng(7)
        me = rng.standard_normal(DIM).astype(np.float32)
        rows = [(worker, me)]
        for i, name in enumerate(everything):
            noise = rng.standard_normal(DIM).astype(np.float32)
            closeness = 3.0 if name in (n2.name, care.name) else 0.2 * i
            rows.append((name, me * closeness + noise))
        async with replicas[0].resources.db.transaction() as conn:
            for name, vector in rows:
                await conn.execute(
                    "INSERT INTO vectors (name, model, text_hash, vector) VALUES (%s, 'test', %s, %s)"
                    " ON CONFLICT (name) DO UPDATE SET vector = EXCLUDED.vector, text_hash = EXCLUDED.text_hash",
                    (name, f"h{rng.integers(1 << 30)}", [float(x) for x in vector]),
                )
        await projection.changed([f"job:{n}" for n in everything] + [f"worker:{worker}"])

        async def semantic_everywhere(stub) -> bool:
            rows = await _walk(stub, worker, mine)
            return len(rows) == len(jobs) and len({round(s, 6) for _, _, s in rows}) > 3

        await eventually(lambda: semantic_everywhere(faiss_stub), timeout=120)
        await eventually(lambda: semantic_everywhere(pg_stub))

        # The vectors are in PostgreSQL (pgvector), every job's, the ineligible ones too.
        with psycopg.connect(pgvector_url) as conn:
            stored = conn.execute(
                "SELECT count(*) FROM matching.job_vectors WHERE id = ANY(%s)", (everything,)
            ).fetchone()
        assert stored is not None and stored[0] == len(everything)

        # The same pages, in the same order, with the same scores, paging included.
        for size in (3, 50):
            from_faiss = await _walk(faiss_stub, worker, mine, size, "ja")
            from_pg = await _walk(pg_stub, worker, mine, size, "ja")
            assert _same(from_pg, from_faiss)
            assert {j for j, _, _ in from_pg} == {j.name for j in jobs}  # neither n2 nor care
        first = await pg_stub.RecommendJobs(pb.RecommendJobsRequest(worker=worker, page_size=3))
        assert first.next_page_token

        # Filters before the top-k: asked for the 2 nearest eligible jobs, pgvector does not return the
        # nearer ineligible ones (nor fewer than 2), and agrees with faiss.
        matcher = projection.matcher
        who = matcher.workers[worker]
        mask = matcher.eligible_mask(who)
        top = await matcher.index.asearch_mask(matcher.worker_vectors[worker], 2, mask)
        other = replicas[0].resources.extras["projection"].matcher
        assert [n for n, _ in top] == [
            n for n, _ in other.index.search_mask(other.worker_vectors[worker], 2, other.eligible_mask(who))
        ]
        assert len(top) == 2 and not {n2.name, care.name} & {n for n, _ in top}

        # A closed job leaves both.
        await market.marketplace.CloseJob(mp.CloseJobRequest(name=jobs[-1].name))

        async def gone(stub) -> bool:
            return jobs[-1].name not in {j for j, _, _ in await _walk(stub, worker, mine)}

        await eventually(lambda: gone(pg_stub))
        await eventually(lambda: gone(faiss_stub))
        assert _same(await _walk(pg_stub, worker, mine), await _walk(faiss_stub, worker, mine))


async def test_a_pgvector_replica_restarts_from_its_snapshot(world: World, matching_settings, pgvector_url, tmp_path):
    """The snapshot keeps the rows, not the vectors (they are in PostgreSQL): restored, the index is
    reattached to the table and answers as before; a faiss replica ignores the pgvector snapshot."""
    path = tmp_path / "projection.snapshot"
    signed, worker = await profile(world, location=KUSHIRO, relocation=types.RELOCATION_NONE)
    _, org, market = await employer(world)
    jobs = [await publish(market, org, title=f"Fitter {i}", location=KUSHIRO) for i in range(4)]
    settings = dict(MATCHING_INDEX="pgvector", MATCHING_PGVECTOR_URL=pgvector_url, MATCHING_SNAPSHOT_PATH=str(path))
    mine = {j.name for j in jobs}

    async with server.running(SPEC, matching_settings(**settings)) as first:
        stub = matching_pb2_grpc.MatchingServiceStub(world.client(first.target, signed.tokens).channel)
        rng = np.random.default_rng(11)
        me = rng.standard_normal(DIM).astype(np.float32)
        async with first.resources.db.transaction() as conn:
            for i, name in enumerate([worker, *(j.name for j in jobs)]):
                vector = me * (0.3 * i) + rng.standard_normal(DIM).astype(np.float32) if i else me
                await conn.execute(
                    "INSERT INTO vectors (name, model, text_hash, vector) VALUES (%s, 'test', %s, %s)"
                    " ON CONFLICT (name) DO UPDATE SET vector = EXCLUDED.vector, text_hash = EXCLUDED.text_hash",
                    (name, f"s{i}", [float(x) for x in vector]),
                )
        await first.resources.extras["projection"].changed([f"job:{j.name}" for j in jobs] + [f"worker:{worker}"])

        async def ranked() -> bool:
            rows = await _walk(stub, worker, mine)
            # Semantic scores apart (without the vectors every job's is the same neutral value).
            return len(rows) == len(jobs) and len({round(s, 6) for _, _, s in rows}) >= 3

        await eventually(ranked)
        before = await _walk(stub, worker, mine)
        assert await first.resources.extras["projection"].save_snapshot()

    async with server.running(SPEC, matching_settings(**settings)) as second:
        projection = second.resources.extras["projection"]
        stub = matching_pb2_grpc.MatchingServiceStub(world.client(second.target, signed.tokens).channel)
        assert _same(await _walk(stub, worker, mine), before)  # answered once the projection is ready
        assert projection.restored_from_snapshot and isinstance(projection.matcher.index, PgVectorSlots)

    async with server.running(SPEC, matching_settings(MATCHING_SNAPSHOT_PATH=str(path))) as faiss:
        stub = matching_pb2_grpc.MatchingServiceStub(world.client(faiss.target, signed.tokens).channel)
        assert _same(await _walk(stub, worker, mine), before)
        assert not faiss.resources.extras["projection"].restored_from_snapshot


SASEBO = types.Location(prefecture="JP-42", city="Sasebo")


async def test_a_slow_pgvector_search_does_not_block_the_replica(world: World, matching_settings, pgvector_url):
    """While a RecommendJobs waits on PostgreSQL (the vector table locked by another session), the
    same replica still answers other calls: the query is awaited, not run on the event loop. Only
    the order of events is checked: the lock is taken, the search is seen waiting on it, a health
    check is answered, the search is still pending; the lock goes, the search answers in full."""
    signed, worker = await profile(world, location=SASEBO, relocation=types.RELOCATION_NONE)
    _, org, market = await employer(world)
    jobs = [await publish(market, org, title=f"Shipwright {i}", location=SASEBO) for i in range(3)]
    mine = {j.name for j in jobs}
    async with server.running(
        SPEC, matching_settings(MATCHING_INDEX="pgvector", MATCHING_PGVECTOR_URL=pgvector_url)
    ) as pg:
        projection = pg.resources.extras["projection"]
        stub = matching_pb2_grpc.MatchingServiceStub(world.client(pg.target, signed.tokens).channel)
        rng = np.random.default_rng(5)
        async with pg.resources.db.transaction() as conn:
            for i, name in enumerate([worker, *mine]):
                await conn.execute(
                    "INSERT INTO vectors (name, model, text_hash, vector) VALUES (%s, 'test', %s, %s)"
                    " ON CONFLICT (name) DO UPDATE SET vector = EXCLUDED.vector, text_hash = EXCLUDED.text_hash",
                    (name, f"b{i}", [float(x) for x in rng.standard_normal(DIM)]),
                )
        await projection.changed([f"job:{n}" for n in mine] + [f"worker:{worker}"])

        async def searched() -> bool:  # the worker has a vector and every job is in the table
            rows = await _walk(stub, worker, mine)
            return len(rows) == len(jobs) and len({round(s, 6) for _, _, s in rows}) > 1

        await eventually(searched, timeout=60)

        locked, release = threading.Event(), threading.Event()

        def hold_the_table() -> None:
            with psycopg.connect(pgvector_url) as conn:
                conn.execute("LOCK TABLE matching.job_vectors IN ACCESS EXCLUSIVE MODE")
                locked.set()
                release.wait(60)  # a fail-safe only: a blocked loop would make the ordering fail, not hang
                conn.rollback()

        holder = threading.Thread(target=hold_the_table)
        holder.start()
        try:
            await asyncio.to_thread(locked.wait, 30)
            pending = asyncio.ensure_future(stub.RecommendJobs(pb.RecommendJobsRequest(worker=worker, page_size=100)))
            async with await psycopg.AsyncConnection.connect(pgvector_url, autocommit=True) as watcher:

                async def waiting_on_the_lock() -> bool:
                    row = await (
                        await watcher.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                            " AND wait_event_type = 'Lock'"
                        )
                    ).fetchone()
                    return bool(row and row[0])

                await eventually(waiting_on_the_lock)
            health = health_pb2_grpc.HealthStub(world.client(pg.target, signed.tokens).channel)
            answer = await health.Check(health_pb2.HealthCheckRequest(service=""))
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
            assert not pending.done()  # the search is still waiting on PostgreSQL, and the replica answered
        finally:
            release.set()
            await asyncio.to_thread(holder.join)
        reply = await pending
        assert mine <= {m.job for m in reply.matches}
