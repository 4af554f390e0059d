"""Matching's engine at scale: index, recommendations, allocation, demand spreading.

    .venv/bin/python bench/matching_bench.py                 # 100,000 jobs, a few minutes on 2 cores
    .venv/bin/python bench/matching_bench.py --jobs 1000000  # the big run
    .venv/bin/python bench/matching_bench.py --pgvector-jobs 100000  # pgvector at 100k too (default: min(jobs, 20k))

One run, in-process, with synthetic structured vectors (384-d: occupation
centres + language offsets + noise; i.i.d. vectors would make HNSW recall
meaningless) and jobs/workers from the quality generator:

1. index: faiss HNSW build time and resident memory for `--jobs` open jobs;
   recall@20 of filtered search against exact filtered search, with each
   worker's real eligibility mask as the filter, and of the 200-job
   candidate pool RecommendJobs ranks; query latency.
2. recommendations: `Matcher.recommend_jobs` (eligibility mask, filtered
   retrieval, full scoring with reasons) with 16 in flight, p50/p99 and
   throughput, in-process; and through the service (phase 7).
3. allocation: optimal dense (2,000 workers × 500 jobs × 4 seats, scipy),
   sparse (20,000 × 5,000, top-50 per worker, OR-Tools min-cost flow),
   stable (20,000 workers, deferred acceptance); scoring time separately.
4. demand spreading: 5,000 workers applying to their top 3 over 500 jobs,
   with and without exposure control: Gini, empty jobs, mean score.
5. freshness: identity, marketplace and two matching replicas in this
   process on real PostgreSQL and Redis (DATABASE_URL/REDIS_URL or embedded);
   p50/p99 from PublishJob answering to the job showing in RecommendJobs on
   both replicas (marketplace outbox → relay → Redis stream → matching's
   consumer → fan-out → every replica), and from CloseJob to it gone.
6. pgvector, beside faiss (`--pgvector-jobs N`, default min(--jobs, 20,000);
   `--skip pgvector`): the same market in a matcher whose job index is
   pgvector on PostgreSQL 16 (pgserver, or DATABASE_URL's server when it has
   the extension), driven as the service drives it (async pool, awaited
   queries, `services/matching/recommend.py`): build/load time, the
   replica's resident memory, recall@20 of the filtered search against exact
   filtered search (each worker's eligibility mask), and RecommendJobs with
   those filters, 16 in flight (throughput, p50/p99); printed next to the
   faiss figures of the same size.
7. mesh: identity, marketplace and matching (one replica each) with their
   sidecar Envoys and the edge, started by the launcher's own code on a copy
   of the topology moved to free ports (the edge's rate limits lifted);
   `--mesh-jobs` jobs published through marketplace; then the RecommendJobs
   RPC with 16 in flight, direct gRPC to the service's port and gRPC over TLS
   through the edge and the sidecar (mTLS), in alternating slices, printed
   side by side with the in-process figure.

Aims from issue 10 are printed next to the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import datetime as dt
import os
import pathlib
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from bench.record import record  # noqa: E402
from services.matching.domain.allocation import Candidates, optimal_dense, optimal_sparse, stable, top_k  # noqa: E402
from services.matching.domain.bulk import score_matrix, top_candidates  # noqa: E402
from services.matching.domain.exposure import simulate  # noqa: E402
from services.matching.domain.quality import NOW, generate, synthetic_vectors  # noqa: E402
from services.matching.domain.ranking import POOL_MIN, Matcher  # noqa: E402
from services.matching.domain.retrieval import ExactIndex  # noqa: E402
from services.matching.domain.scoring import Component  # noqa: E402
from services.matching.domain.weights import HAND_SET  # noqa: E402

DIM = 384
FIGURES: dict[str, dict] = {}  # what the suite gets (bench/record.py)
NO_EXPOSURE = {**HAND_SET.values, Component.EXPOSURE: 0.0}


def rss_mb() -> float:
    """Resident memory, after handing freed heap back to the system (so the legs compare what they keep)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(values), p)) if values else float("nan")


def market(n_workers: int, n_jobs: int, seed: int = 5):
    qs = generate(seed, n_workers, n_jobs, with_grades=False)
    return qs, synthetic_vectors(qs, DIM, seed)


def bench_index(n_jobs: int, queries: int):
    matcher = Matcher(DIM)
    index = matcher.index
    print(
        f"\n== index: {n_jobs:,} open jobs, {DIM}-d, faiss HNSW (M={index.m}, "  # type: ignore[attr-defined]
        f"efConstruction={index.ef_construction}, efSearch={index.ef_search}) =="  # type: ignore[attr-defined]
    )
    t = time.perf_counter()
    qs, vectors = market(400, n_jobs)
    print(f"generated in {time.perf_counter() - t:.1f} s")
    before = rss_mb()
    t = time.perf_counter()
    step = 20_000
    for start in range(0, n_jobs, step):
        batch = qs.jobs[start : start + step]
        matcher.upsert_jobs((j, vectors[j.name]) for j in batch)
    build = time.perf_counter() - t
    grown = rss_mb() - before
    print(f"build {build:.1f} s (aim <= 120 s at 100k), resident memory +{grown:.0f} MB (aim <= 1 GB)")
    for w in qs.workers:
        matcher.upsert_worker(w, vectors[w.name])
    exact = ExactIndex(DIM)
    exact.upsert([j.name for j in qs.jobs], np.stack([matcher.job_vectors[j.name] for j in qs.jobs]))
    hits = total = pool_hits = pool_total = 0
    latencies, shares = [], []
    workers = list(qs.workers)[:queries]
    for w in workers:
        mask = matcher.eligible_mask(w)
        shares.append(mask.mean())
        q = matcher.worker_vectors[w.name]
        t = time.perf_counter()
        got = matcher.index.search_mask(q, 20, mask)
        latencies.append((time.perf_counter() - t) * 1000)
        truth = exact.search_mask(q, 20, mask)
        hits += len({n for n, _ in got} & {n for n, _ in truth})
        total += len(truth)
        # The candidate pool RecommendJobs ranks (POOL_MIN nearest eligible jobs).
        pool, pool_truth = matcher.index.search_mask(q, POOL_MIN, mask), exact.search_mask(q, POOL_MIN, mask)
        pool_hits += len({n for n, _ in pool} & {n for n, _ in pool_truth})
        pool_total += len(pool_truth)
    FIGURES["index"] = {
        "jobs": n_jobs,
        "build_s": build,
        "rss_mb": grown,
        "vectors_held": len(matcher.job_vectors),
        "recall_at_20": hits / max(1, total),
        "pool_recall": pool_hits / max(1, pool_total),
        "search_p50_ms": pct(latencies, 50),
        "search_p99_ms": pct(latencies, 99),
    }
    print(
        f"filtered search: recall@20 {hits / max(1, total):.3f} vs exact filtered (aim >= 0.95), "
        f"of the {POOL_MIN}-job candidate pool {pool_hits / max(1, pool_total):.3f}; "
        f"p50 {pct(latencies, 50):.2f} ms, p99 {pct(latencies, 99):.2f} ms; "
        f"eligible share per worker: median {np.median(shares):.1%}, min {min(shares):.2%}"
    )
    bench_recommend(matcher, workers)
    return qs, vectors, matcher


def bench_recommend(matcher: Matcher, workers: list) -> None:
    print("\n== RecommendJobs in-process (mask + filtered retrieval + scoring + reasons), 16 in flight ==")
    latencies: list[float] = []

    def one(w):
        t = time.perf_counter()
        matcher.recommend_jobs(w, NOW, limit=20)
        return (time.perf_counter() - t) * 1000

    calls = [workers[i % len(workers)] for i in range(max(200, 2 * len(workers)))]
    t = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        latencies = list(pool.map(one, calls))
    elapsed = time.perf_counter() - t
    FIGURES["recommend"] = {"rps": len(calls) / elapsed, "p50_ms": pct(latencies, 50), "p99_ms": pct(latencies, 99)}
    print(
        f"{len(calls) / elapsed:.0f} recommendations/s (aim >= 500/s direct), "
        f"p50 {pct(latencies, 50):.1f} ms, p99 {pct(latencies, 99):.1f} ms (aim <= 50 ms)"
    )


def bench_allocation() -> None:
    print("\n== AllocateCohort ==")
    qs, vectors = market(2000, 500, seed=7)
    t = time.perf_counter()
    scores = score_matrix(qs.workers, qs.jobs, NOW, NO_EXPOSURE, worker_vectors=vectors, job_vectors=vectors)
    scoring = time.perf_counter() - t
    candidates = top_k(scores, 500)
    seats = [4] * 500
    t = time.perf_counter()
    dense = optimal_dense(candidates, seats)
    solve = time.perf_counter() - t
    print(
        f"optimal dense 2,000 workers x 500 jobs x 4 seats: solve {solve:.2f} s (aim <= 2 s), "
        f"bulk scoring of 1M pairs {scoring:.2f} s; total {dense.total_score:.1f}, "
        f"unfilled {dense.unfilled_seats}, unplaced {len(dense.unplaced_workers)}, "
        f"blocking pairs {dense.blocking_pairs}"
    )
    qs, vectors = market(20_000, 5000, seed=8)
    t = time.perf_counter()
    tops = top_candidates(qs.workers, qs.jobs, NOW, NO_EXPOSURE, 50, worker_vectors=vectors, job_vectors=vectors)
    candidates = [Candidates([int(j) for j in jobs], [float(s) for s in scores]) for jobs, scores in tops]
    scoring = time.perf_counter() - t
    seats = [j.headcount for j in qs.jobs]
    t = time.perf_counter()
    sparse = optimal_sparse(candidates, seats)
    solve = time.perf_counter() - t
    print(
        f"optimal sparse 20,000 x 5,000 (top-50, {sum(len(c.jobs) for c in candidates):,} arcs): solve {solve:.2f} s "
        f"(aim <= 10 s), candidates (eligibility, semantic pre-rank, full scores) {scoring:.1f} s; "
        f"total {sparse.total_score:.1f}, "
        f"unfilled {sparse.unfilled_seats}, unplaced {len(sparse.unplaced_workers)}"
    )
    t = time.perf_counter()
    st = stable(candidates, seats)
    solve = time.perf_counter() - t
    print(
        f"stable 20,000 workers: {solve:.2f} s with the blocking-pair count (aim <= 2 s); total {st.total_score:.1f} "
        f"({st.total_score / sparse.total_score:.1%} of optimal), blocking pairs {st.blocking_pairs} "
        f"(optimal leaves {sparse.blocking_pairs})"
    )


def bench_spreading() -> None:
    print("\n== demand spreading: 5,000 workers apply to their top 3 of 500 jobs ==")
    qs, vectors = market(5000, 500, seed=5)
    base = score_matrix(qs.workers, qs.jobs, NOW, NO_EXPOSURE, worker_vectors=vectors, job_vectors=vectors)
    seats = np.array([j.headcount for j in qs.jobs])
    off = simulate(base, seats, exposure_weight=0.0)
    on = simulate(base, seats, exposure_weight=HAND_SET.values[Component.EXPOSURE])
    print(f"{'':22}{'Gini/seat':>10}{'no applicant':>14}{'mean score':>12}")
    for label, o in (("without control", off), ("with control", on)):
        print(f"{label:22}{o.gini:>10.3f}{o.empty_share:>14.1%}{o.mean_score:>12.3f}")
    print(
        f"control: Gini x{on.gini / off.gini:.2f}, mean score {on.mean_score / off.mean_score - 1:+.1%} "
        "(aim: lower Gini, at most -5 %)"
    )


def _pgvector_server() -> tuple[str, object]:
    """A PostgreSQL with pgvector: DATABASE_URL's server if it has the extension, else a pgserver."""
    import psycopg

    server, own = os.environ.get("DATABASE_URL", ""), None
    if server:
        with psycopg.connect(server, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone():
                server = ""
    if not server:
        import pgserver

        directory = pathlib.Path(tempfile.mkdtemp(prefix="iworkz-bench-pgvector-"))
        directory.chmod(0o755)
        own = pgserver.get_server(directory, cleanup_mode="delete")
        server = own.get_uri()
    return server, own


def bench_pgvector(n_jobs: int, queries: int, faiss_leg) -> None:
    """The pgvector backend beside faiss: the same market, the service's async path."""
    from devstack.embedded import create_database, drop_database

    print(f"\n== pgvector beside faiss: {n_jobs:,} open jobs on PostgreSQL 16 + pgvector 0.6 ==")
    if faiss_leg is not None and len(faiss_leg[0].jobs) == n_jobs:
        qs, vectors, faiss = faiss_leg
        faiss_figures = {**FIGURES["index"], **FIGURES.get("recommend", {})}
    else:
        qs, vectors = market(400, n_jobs)
        faiss, faiss_figures = None, {}
    server, own = _pgvector_server()
    name = f"iworkz_bench_pgvector_{os.getpid()}"
    url = create_database(server, name)
    try:
        figures = asyncio.run(_pgvector_leg(url, qs, vectors, faiss, queries))
    finally:
        drop_database(server, name)
        if own is not None:
            own.cleanup()  # type: ignore[attr-defined]
    FIGURES["pgvector"] = figures
    rows = [
        ("build / load", "build_s", "{:.1f} s"),
        ("replica memory for the index", "rss_mb", "+{:.0f} MB"),
        ("job vectors held by the replica", "vectors_held", "{:,}"),
        ("recall@20 vs exact filtered", "recall_at_20", "{:.3f}"),
        ("filtered search p50", "search_p50_ms", "{:.1f} ms"),
        ("filtered search p99", "search_p99_ms", "{:.1f} ms"),
        ("RecommendJobs, 16 in flight", "rps", "{:.0f}/s"),
        ("RecommendJobs p50", "p50_ms", "{:.1f} ms"),
        ("RecommendJobs p99", "p99_ms", "{:.1f} ms"),
    ]
    print(f"{'':34}{'faiss (in memory)':>20}{'pgvector':>14}")
    for label, key, fmt in rows:
        f = faiss_figures.get(key)
        print(f"{label:34}{fmt.format(f) if f is not None else '-':>20}{fmt.format(figures[key]):>14}")


async def _pgvector_leg(url: str, qs, vectors, faiss, queries: int) -> dict[str, float]:
    from services.matching import recommend
    from services.matching.pgvector_index import PgVectorIndex, PgVectorSlots

    store = await PgVectorIndex.connect(url, DIM)
    try:
        before = rss_mb()
        matcher = Matcher(DIM, index=PgVectorSlots(store))
        t = time.perf_counter()
        for start in range(0, len(qs.jobs), 20_000):
            matcher.upsert_jobs((j, vectors[j.name]) for j in qs.jobs[start : start + 20_000])
            assert matcher.remote is not None
            await matcher.remote.aflush()
        build = time.perf_counter() - t
        grown = rss_mb() - before
        print(f"build {build:.1f} s (writes and pgvector's HNSW), resident memory +{grown:.0f} MB")
        for w in qs.workers:
            matcher.upsert_worker(w, vectors[w.name])
        exact = ExactIndex(DIM)
        units = matcher.unit(np.stack([vectors[j.name] for j in qs.jobs]))
        exact.upsert([j.name for j in qs.jobs], units)
        del units
        workers = list(qs.workers)[:queries]
        hits = total = 0
        latencies: list[float] = []
        for w in workers:
            mask = matcher.eligible_mask(w)
            q = matcher.worker_vectors[w.name]
            t = time.perf_counter()
            assert matcher.remote is not None
            got = await matcher.remote.asearch_rows(q, 20, mask)
            latencies.append((time.perf_counter() - t) * 1000)
            truth = exact.search_mask(
                q, 20, exact.slot_mask([str(matcher.index.name_at(int(s))) for s in np.flatnonzero(mask)])
            )
            hits += len({n for n, _, _ in got} & {n for n, _ in truth})
            total += len(truth)
        recall = hits / max(1, total)
        print(
            f"filtered search: recall@20 {recall:.3f} vs exact filtered; "
            f"p50 {pct(latencies, 50):.1f} ms, p99 {pct(latencies, 99):.1f} ms"
        )
        if faiss is not None:  # the same pages as the faiss matcher
            same = 0
            for w in workers[:20]:
                ours = [r.id for r in (await recommend.recommend_jobs(matcher, w, NOW, limit=20))[0]]
                same += ours == [r.id for r in faiss.recommend_jobs(w, NOW, limit=20)[0]]
            print(f"RecommendJobs: the same first page as faiss for {same} of {min(20, len(workers))} workers")
        calls = [workers[i % len(workers)] for i in range(max(200, 2 * len(workers)))]
        gate = asyncio.Semaphore(16)
        timings: list[float] = []

        async def one(w) -> None:
            async with gate:
                t = time.perf_counter()
                await recommend.recommend_jobs(matcher, w, NOW, limit=20)
                timings.append((time.perf_counter() - t) * 1000)

        t = time.perf_counter()
        await asyncio.gather(*(one(w) for w in calls))
        elapsed = time.perf_counter() - t
        print(
            f"RecommendJobs with eligibility filters, 16 in flight (the service's path, awaited queries): "
            f"{len(calls) / elapsed:.0f}/s, p50 {pct(timings, 50):.1f} ms, p99 {pct(timings, 99):.1f} ms"
        )
        return {
            "jobs": len(qs.jobs),
            "build_s": build,
            "rss_mb": grown,
            "vectors_held": len(matcher.job_vectors),
            "recall_at_20": recall,
            "search_p50_ms": pct(latencies, 50),
            "search_p99_ms": pct(latencies, 99),
            "rps": len(calls) / elapsed,
            "p50_ms": pct(timings, 50),
            "p99_ms": pct(timings, 99),
        }
    finally:
        await store.aclose()


async def _employer_and_worker(identity_target: str, tag: str):
    """(boss, worker, org, me): a signed-up employer and worker for the service legs, with their names."""
    from iworkz.identity.v1 import identity_pb2
    from iworkz.sdk import Client

    async with Client(identity_target) as anon:
        boss = await anon.sign_up(
            email=f"boss-{tag}@example.com",
            password="bench password 2026",
            display_name="Boss",
            account_type=identity_pb2.ACCOUNT_TYPE_EMPLOYER,
            organization_display_name="Bench Works",
        )
        worker = await anon.sign_up(
            email=f"worker-{tag}@example.com",
            password="bench password 2026",
            display_name="W",
            account_type=identity_pb2.ACCOUNT_TYPE_WORKER,
        )
    org = "employers/" + boss.user.organization.split("/")[-1]
    return boss, worker, org, "workers/" + worker.user.name.split("/")[1]


async def _freshness(changes: int) -> None:
    """Identity, marketplace and two matching replicas in this process, on real PostgreSQL and Redis."""
    import asyncio
    import uuid

    from google.type import money_pb2

    from devstack.embedded import create_database, database_server_url, drop_database, redis_server_url
    from iworkz.marketplace.v1 import marketplace_pb2 as mp
    from iworkz.matching.v1 import matching_pb2 as pb
    from iworkz.matching.v1 import matching_pb2_grpc
    from iworkz.sdk import Client
    from iworkz.type.v1 import profile_types_pb2 as types
    from services.runtime import server
    from services.runtime.fieldcrypt import new_master_key_spec
    from services.runtime.settings import Settings

    scratch = pathlib.Path(tempfile.mkdtemp(prefix="iworkz-bench-matching-"))
    pg_server = os.environ.get("DATABASE_URL") or database_server_url(scratch / "pg")
    redis_url = os.environ.get("REDIS_URL") or redis_server_url(scratch / "redis")
    run_id = uuid.uuid4().hex[:8]
    database_url = create_database(pg_server, f"iworkz_bench_{run_id}")
    base = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "IWORKZ_MASTER_KEYS": new_master_key_spec("bench"),
        "IWORKZ_REDIS_PREFIX": f"bench:{run_id}:",
        "IWORKZ_DRAIN_SECONDS": "1",
        "IWORKZ_LOG_LEVEL": "WARNING",
    }
    from services.identity.main import SPEC as IDENTITY
    from services.marketplace.main import SPEC as MARKETPLACE
    from services.matching.main import SPEC as MATCHING

    yen = lambda units: money_pb2.Money(currency_code="JPY", units=units)  # noqa: E731
    try:
        async with server.running(IDENTITY, Settings.from_env("identity", base, needs_identity=False)) as idp:
            env = {**base, "IWORKZ_IDENTITY_TARGET": idp.target}
            async with (
                server.running(MARKETPLACE, Settings.from_env("marketplace", env)) as market,
                server.running(MATCHING, Settings.from_env("matching", env)) as first,
                server.running(MATCHING, Settings.from_env("matching", env)) as second,
            ):
                boss, worker, org, me = await _employer_and_worker(idp.target, run_id)
                async with Client(market.target) as as_boss, Client(market.target) as as_worker:
                    as_boss.use_tokens(boss.tokens)
                    as_worker.use_tokens(worker.tokens)
                    await as_worker.marketplace.UpdateWorkerProfile(
                        mp.UpdateWorkerProfileRequest(
                            profile=mp.WorkerProfile(
                                name=me,
                                display_name="W",
                                visa_status=types.VISA_STATUS_PERMANENT_RESIDENT,
                                location=types.Location(prefecture="JP-27", city="Osaka"),
                                skills=[mp.Skill(taxonomy_id="esco:tig-welding", label="TIG welding", years=3)],
                            )
                        )
                    )
                    clients = [Client(r.target) for r in (first, second)]
                    for c in clients:
                        c.use_tokens(worker.tokens)
                    stubs = [matching_pb2_grpc.MatchingServiceStub(c.channel) for c in clients]

                    async def visible(stub, job: str) -> bool:
                        reply = await stub.RecommendJobs(pb.RecommendJobsRequest(worker=me, page_size=100))
                        return job in {m.job for m in reply.matches}

                    async def until(job: str, present: bool, start: float) -> float:
                        """Seconds from `start` until every replica shows the job (or no longer does)."""
                        pending = set(range(len(stubs)))
                        while pending:
                            for i in list(pending):
                                try:
                                    if await visible(stubs[i], job) == present:
                                        pending.discard(i)
                                except Exception:  # the worker's profile not there yet
                                    pass
                            if pending:
                                await asyncio.sleep(0.002)
                        return time.perf_counter() - start

                    published, closed = [], []
                    for n in range(changes):
                        job = mp.Job(
                            title=f"TIG welder {n}",
                            description="Welding steel frames.",
                            location=types.Location(prefecture="JP-27", city="Osaka"),
                            wage_min=yen(230_000),
                            wage_max=yen(260_000),
                            wage_period=types.WAGE_PERIOD_MONTHLY,
                            employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
                            headcount=1,
                            hours_per_week=40,
                            required_skills=[mp.Skill(taxonomy_id="esco:tig-welding", label="TIG welding")],
                        )
                        created = await as_boss.marketplace.CreateJob(mp.CreateJobRequest(parent=org, job=job))
                        await as_boss.marketplace.PublishJob(mp.PublishJobRequest(name=created.job.name))
                        published.append(await until(created.job.name, True, time.perf_counter()))
                        await as_boss.marketplace.CloseJob(mp.CloseJobRequest(name=created.job.name))
                        closed.append(await until(created.job.name, False, time.perf_counter()))
                    for c in clients:
                        await c.close()
        ms = lambda xs, q: pct([x * 1000 for x in xs], q)  # noqa: E731
        print(
            f"published -> visible on both replicas: p50 {ms(published[1:], 50):.0f} ms, "
            f"p99 {ms(published[1:], 99):.0f} ms; closed -> gone: p50 {ms(closed, 50):.0f} ms, "
            f"p99 {ms(closed, 99):.0f} ms ({changes} jobs; aim p99 <= 1000 ms)"
        )
        FIGURES["freshness"] = {
            "published_p50_ms": ms(published[1:], 50),
            "published_p99_ms": ms(published[1:], 99),
            "closed_p50_ms": ms(closed, 50),
            "closed_p99_ms": ms(closed, 99),
            "changes": changes,
        }
    finally:
        drop_database(pg_server, f"iworkz_bench_{run_id}")


def bench_freshness(changes: int) -> None:
    """From PublishJob (or CloseJob) answering to the change showing on both matching replicas."""
    import asyncio

    print(f"\n== freshness: {changes} jobs published then closed, two matching replicas ==")
    asyncio.run(_freshness(changes))


def _mesh_topology(path: pathlib.Path):
    """identity, marketplace and matching, one replica each, on free ports; no edge rate limits."""
    import yaml

    import topology as mesh_topology
    from devstack import ports as mesh_ports

    keep = ("identity", "marketplace", "matching")
    raw = yaml.safe_load(mesh_topology.DEFAULT_PATH.read_text())
    raw["services"] = {n: s for n, s in raw["services"].items() if n in keep}
    for service in raw["services"].values():
        service["replicas"] = 1
        service["callers"] = [c for c in service["callers"] if c in (*keep, "edge")]
        service["calls"] = [c for c in service["calls"] if c in keep]
    raw["edge"]["rate_limits"] = {"default": {"tokens": 10_000_000, "per_seconds": 1}}
    path.write_text(yaml.safe_dump(mesh_ports.relocate(raw), sort_keys=False))
    return mesh_topology.load(path)


async def _mesh(platform, n_jobs: int, seconds: float, in_flight: int) -> dict[str, dict[str, float]]:
    import asyncio

    import grpc
    from google.type import money_pb2

    from iworkz.marketplace.v1 import marketplace_pb2 as mp
    from iworkz.matching.v1 import matching_pb2 as pb
    from iworkz.matching.v1 import matching_pb2_grpc
    from iworkz.sdk import Client
    from iworkz.type.v1 import profile_types_pb2 as types

    def app(service: str) -> str:
        return f"127.0.0.1:{platform.proc(service, 0).ports['grpc']}"

    tag = os.urandom(4).hex()
    boss, worker, org, me = await _employer_and_worker(app("identity"), tag)
    yen = lambda units: money_pb2.Money(currency_code="JPY", units=units)  # noqa: E731
    prefectures = ["JP-27", "JP-26", "JP-28", "JP-29", "JP-13", "JP-23"]
    skills = [("esco:tig-welding", "TIG welding"), ("esco:forklift", "Forklift operation"), ("esco:care", "Care")]
    async with Client(app("marketplace")) as as_boss, Client(app("marketplace")) as as_worker:
        as_boss.use_tokens(boss.tokens)
        as_worker.use_tokens(worker.tokens)
        await as_worker.marketplace.UpdateWorkerProfile(
            mp.UpdateWorkerProfileRequest(
                profile=mp.WorkerProfile(
                    name=me,
                    display_name="W",
                    visa_status=types.VISA_STATUS_PERMANENT_RESIDENT,
                    languages=[mp.LanguageSkill(language="ja", jlpt_level=types.JAPANESE_LEVEL_N3)],
                    location=types.Location(prefecture="JP-27", city="Osaka"),
                    relocation=types.RELOCATION_REGION,
                    skills=[mp.Skill(taxonomy_id="esco:tig-welding", label="TIG welding", years=3)],
                )
            )
        )

        async def one_job(n: int) -> str:
            skill = skills[n % len(skills)]
            job = mp.Job(
                title=f"{skill[1]} {n}",
                description="Work in our factory.",
                location=types.Location(prefecture=prefectures[n % len(prefectures)]),
                wage_min=yen(200_000 + 1000 * (n % 50)),
                wage_max=yen(260_000 + 1000 * (n % 50)),
                wage_period=types.WAGE_PERIOD_MONTHLY,
                employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
                headcount=1 + n % 3,
                hours_per_week=40,
                min_japanese_level=[0, types.JAPANESE_LEVEL_N4, types.JAPANESE_LEVEL_N2][n % 3],
                required_skills=[mp.Skill(taxonomy_id=skill[0], label=skill[1])],
            )
            created = await as_boss.marketplace.CreateJob(mp.CreateJobRequest(parent=org, job=job))
            await as_boss.marketplace.PublishJob(mp.PublishJobRequest(name=created.job.name))
            return str(created.job.name)

        t = time.perf_counter()
        names: list[str] = []
        for start in range(0, n_jobs, 16):
            names += await asyncio.gather(*(one_job(n) for n in range(start, min(n_jobs, start + 16))))
        print(f"  {n_jobs} jobs published through marketplace in {time.perf_counter() - t:.1f} s", flush=True)

    edge = platform.edge
    token = (("authorization", f"Bearer {worker.tokens.access_token}"),)
    channels = {
        "direct gRPC": grpc.aio.insecure_channel(app("matching")),
        "gRPC via edge + sidecar": grpc.aio.secure_channel(
            f"127.0.0.1:{edge.port}", grpc.ssl_channel_credentials(pathlib.Path(edge.ca).read_bytes())
        ),
    }
    stubs = {mode: matching_pb2_grpc.MatchingServiceStub(c) for mode, c in channels.items()}
    request = pb.RecommendJobsRequest(worker=me, page_size=20)
    # Every job in the projection: the last one published is explained.
    deadline = time.monotonic() + 120
    while True:
        try:
            await stubs["direct gRPC"].ExplainMatch(pb.ExplainMatchRequest(worker=me, job=names[-1]), metadata=token)
            break
        except grpc.aio.AioRpcError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
    reply = await stubs["gRPC via edge + sidecar"].RecommendJobs(request, metadata=token)
    # Half the jobs are eligible (Kansai, JLPT up to N3): a full page each time.
    assert len(reply.matches) == min(20, n_jobs // 2), len(reply.matches)

    latencies: dict[str, list[float]] = {mode: [] for mode in stubs}
    elapsed: dict[str, float] = {mode: 0.0 for mode in stubs}

    async def loop(mode: str, until: float) -> None:
        while time.perf_counter() < until:
            t = time.perf_counter()
            await stubs[mode].RecommendJobs(request, metadata=token, timeout=10)
            latencies[mode].append((time.perf_counter() - t) * 1000)

    slices = max(1, round(seconds))
    for mode in stubs:  # warm up
        await asyncio.gather(*(loop(mode, time.perf_counter() + 0.5) for _ in range(in_flight)))
        latencies[mode].clear()
    for _ in range(slices):
        for mode in stubs:
            t = time.perf_counter()
            until = t + seconds / slices
            await asyncio.gather(*(loop(mode, until) for _ in range(in_flight)))
            elapsed[mode] += time.perf_counter() - t
    for channel in channels.values():
        await channel.close()
    return {
        mode: {
            "rps": len(latencies[mode]) / elapsed[mode],
            "p50_ms": pct(latencies[mode], 50),
            "p99_ms": pct(latencies[mode], 99),
            "calls": len(latencies[mode]),
        }
        for mode in stubs
    }


def bench_mesh(n_jobs: int, seconds: float, in_flight: int = 16) -> None:
    """RecommendJobs through the running service: direct gRPC and through the edge and the sidecar."""
    import asyncio
    import uuid

    from devstack import Platform
    from devstack.embedded import create_database, drop_database
    from services.runtime.fieldcrypt import new_master_key_spec

    print(f"\n== RecommendJobs through the service, {n_jobs:,} jobs, {in_flight} in flight ==")
    with tempfile.TemporaryDirectory(prefix="iworkz-bench-matching-mesh-") as tmp:
        state = pathlib.Path(tmp)
        platform = Platform(state / "state", _mesh_topology(state / "topology.yaml"), start_timeout=180)
        scratch = None
        if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
            scratch = f"iworkz_bench_{uuid.uuid4().hex[:8]}"
            platform.use_data(
                create_database(os.environ["DATABASE_URL"], scratch),
                os.environ["REDIS_URL"],
                new_master_key_spec("bench"),
            )
            platform.env["IWORKZ_REDIS_PREFIX"] = f"bench:{scratch}:"
        else:
            platform.start_data()
        platform.env["IWORKZ_LOG_LEVEL"] = "WARNING"
        try:
            platform.start(edge=True)
            results = asyncio.run(_mesh(platform, n_jobs, seconds, in_flight))
        finally:
            platform.stop()
            if scratch:
                drop_database(os.environ["DATABASE_URL"], scratch)
    direct, meshed = results["direct gRPC"], results["gRPC via edge + sidecar"]
    inproc = FIGURES.get("recommend")
    if inproc:
        print(
            f"in-process (phase 2, {FIGURES['index']['jobs']:,} jobs): {inproc['rps']:.0f}/s, "
            f"p50 {inproc['p50_ms']:.1f} ms, p99 {inproc['p99_ms']:.1f} ms"
        )
    for mode, r in results.items():
        print(f"{mode:<24} {r['rps']:.0f}/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms ({r['calls']} calls)")
    print(
        f"through the mesh vs direct gRPC: {meshed['rps'] / direct['rps']:.2f}x throughput, "
        f"p50 +{meshed['p50_ms'] - direct['p50_ms']:.1f} ms (aim >= 500/s direct, p99 <= 50 ms)"
    )
    FIGURES["recommend_service"] = {"jobs": n_jobs, "in_flight": in_flight, "direct": direct, "mesh": meshed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=100_000, help="open jobs in the index (default 100,000)")
    parser.add_argument("--queries", type=int, default=200, help="workers whose searches are measured")
    parser.add_argument(
        "--pgvector-jobs", type=int, default=0, help="jobs in the pgvector leg (default: --jobs, at most 20,000)"
    )
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated sections to skip: index,pgvector,allocation,spreading,freshness,mesh",
    )
    parser.add_argument("--mesh-jobs", type=int, default=2000, help="jobs published for the mesh leg")
    parser.add_argument("--mesh-seconds", type=float, default=10.0, help="measured seconds per mode (mesh leg)")
    parser.add_argument("--changes", type=int, default=40, help="jobs published and closed for freshness")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    print(f"matching bench {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs")
    faiss_leg = None
    if "index" not in skip:
        faiss_leg = bench_index(args.jobs, args.queries)
    if "pgvector" not in skip:
        bench_pgvector(args.pgvector_jobs or min(args.jobs, 20_000), args.queries, faiss_leg)
        faiss_leg = None
    if "allocation" not in skip:
        bench_allocation()
    if "spreading" not in skip:
        bench_spreading()
    if "freshness" not in skip:
        bench_freshness(args.changes)
    if "mesh" not in skip:
        bench_mesh(args.mesh_jobs, args.mesh_seconds)
    record("matching", FIGURES)


if __name__ == "__main__":
    main()
