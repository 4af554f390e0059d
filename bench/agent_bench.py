"""The agent's models as a service: Embed, ParseResume, ExtractSkills, one offline Chat turn, memory.

    .venv/bin/python bench/agent_bench.py [--rounds 20]

One agent replica runs in its own process (its CPU and resident memory are
its own) with a fixed JWKS; marketplace runs in this process for the chat's
job search. Calls go over loopback gRPC, one at a time:

- `Embed`: batches of 32 job-like texts (passage), texts per second;
- `ParseResume`: a two-page PDF (`resume_corpus.two_page_pdf()`) streamed in
  64 KiB chunks, p50 / p99;
- `ExtractSkills`: a 200-word text, p50 / p99;
- `Chat`: one offline turn (a job search that calls marketplace, and a
  greeting without tools), p50 / p99 to the last event;
- the replica's resident memory after all of it.

The aims from the issue are printed next to each figure. The ESCO caches
come from `AGENT_DATA_DIR` (default `.iworkz/agent`; built there first if
missing, which takes minutes). PostgreSQL and Redis: DATABASE_URL /
REDIS_URL (a scratch database and key prefix, removed at the end), else
embedded servers.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import grpc  # noqa: E402
import psutil  # noqa: E402

from bench.record import record  # noqa: E402
from iworkz.agent.v1 import agent_pb2 as pb  # noqa: E402
from iworkz.agent.v1 import agent_pb2_grpc  # noqa: E402
from iworkz.marketplace.v1 import marketplace_pb2 as mp  # noqa: E402

AIMS = {"embed": 80.0, "parse_p50": 500.0, "extract_p50": 150.0, "chat_p50": 300.0, "rss_mb": 1200.0}
TEXT_200 = (
    "I worked for five years as a welder in a steel structure factory in Hai Phong, where I did TIG and MAG "
    "welding of stainless and carbon steel pipes, read technical drawings and checked the quality of welds. "
    "Before that I drove a forklift in a warehouse, loaded trucks and kept the stock records on a computer. "
    "In Japan I want to work in manufacturing or construction. I passed JLPT N3 and I am studying for N2. "
    "I can use grinders, drills and other power tools safely, I follow 5S and safety rules, and I like to work "
    "in a team. I also helped to train new workers, planned daily production with my supervisor and reported "
    "problems early. On weekends I cooked for our dormitory and cleaned the common rooms. I hold a driving "
    "licence and a forklift certificate, and I completed a first aid course. My goal is to become a team "
    "leader in a welding workshop, to learn robot welding, and to bring my family to Japan in a few years."
)


def serve() -> None:
    """`--serve`: the agent with a fixed JWKS (no identity needed)."""
    from services.agent.main import SPEC
    from services.runtime import server

    keys = json.loads(os.environ["BENCH_JWKS"])

    def static_jwks(resources):
        async def fetch() -> list[dict]:
            return keys

        return fetch

    server.main(dataclasses.replace(SPEC, jwks_fetcher=static_jwks))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p99 * 1000


async def run(args) -> None:
    from devstack.embedded import create_database, database_server_url, drop_database, redis_server_url
    from services.agent import resume_corpus
    from services.agent.models import Models
    from services.identity.domain import signing
    from services.marketplace.main import SPEC as MARKET
    from services.runtime import server
    from services.runtime.fieldcrypt import new_master_key_spec
    from services.runtime.settings import Settings

    data_dir = pathlib.Path(os.environ.get("AGENT_DATA_DIR", REPO / ".iworkz" / "agent"))
    print(f"caches in {data_dir} (built now if missing) ...", flush=True)
    await asyncio.to_thread(lambda: Models.load(data_dir, 2).build())
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="iworkz-bench-"))
    pg_server = os.environ.get("DATABASE_URL") or database_server_url(scratch / "pg")
    redis_url = os.environ.get("REDIS_URL") or redis_server_url(scratch / "redis")
    run_id = uuid.uuid4().hex[:8]
    db_name = f"iworkz_bench_{run_id}"
    database_url = create_database(pg_server, db_name)
    key = signing.SigningKey.generate()
    jwks = [key.public_jwk()]
    env_common = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "IWORKZ_MASTER_KEYS": new_master_key_spec("b"),
        "IWORKZ_REDIS_PREFIX": f"bench:{run_id}:",
        "IWORKZ_IDENTITY_TARGET": "127.0.0.1:1",
        "IWORKZ_LOG_LEVEL": "WARNING",
    }

    def static_jwks(resources):
        async def fetch() -> list[dict]:
            return jwks

        return fetch

    market_settings = Settings.from_env("marketplace", env_common)
    port = _free_port()
    process = None
    try:
        async with server.running(dataclasses.replace(MARKET, jwks_fetcher=static_jwks), market_settings) as market:
            env = {
                **os.environ,
                **env_common,
                "AGENT_GRPC_PORT": str(port),
                "AGENT_DATA_DIR": str(data_dir),
                "AGENT_MARKETPLACE_TARGET": market.target,
                "IWORKZ_TRUST_XFCC": "1",
                "BENCH_JWKS": json.dumps(jwks),
                "PYTHONPATH": str(REPO),
            }
            process = subprocess.Popen(
                [sys.executable, __file__, "--serve"], env=env, stdout=subprocess.PIPE, start_new_session=True
            )
            assert process.stdout is not None
            line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 300)
            if b"listening" not in line:
                raise SystemExit(f"the agent did not start: {line!r}")
            await measure(args, f"127.0.0.1:{port}", key, process.pid, market.target, signing, resume_corpus)
    finally:
        if process:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        drop_database(pg_server, db_name)


async def measure(args, target: str, key, pid: int, market_target: str, signing, resume_corpus) -> None:
    user = str(uuid.uuid4())
    employer_org = str(uuid.uuid4())
    worker_md = (("authorization", "Bearer " + signing.issue_access_token(key, user, ["worker"], ttl=3600)),)
    employer_md = (
        (
            "authorization",
            "Bearer "
            + signing.issue_access_token(key, str(uuid.uuid4()), ["employer"], ttl=3600, organization=employer_org),
        ),
    )
    mesh = (("x-forwarded-client-cert", "URI=spiffe://iworkz.local/ns/iworkz/sa/matching"),)
    async with grpc.aio.insecure_channel(target) as channel, grpc.aio.insecure_channel(market_target) as market:
        api = agent_pb2_grpc.AgentServiceStub(channel)
        from iworkz.marketplace.v1 import marketplace_pb2_grpc

        market_api = marketplace_pb2_grpc.MarketplaceServiceStub(market)
        await _seed_jobs(market_api, employer_md, employer_org)
        # Wait until the replica has its ESCO index (it loads the caches in the background).
        deadline = time.monotonic() + 600
        while True:
            try:
                await api.ExtractSkills(pb.ExtractSkillsRequest(text="TIG welding"), metadata=mesh, timeout=30)
                break
            except grpc.aio.AioRpcError as error:
                if time.monotonic() > deadline or error.code() != grpc.StatusCode.UNAVAILABLE:
                    raise
                await asyncio.sleep(2)

        texts = [f"{t} — job {i}" for i in range(args.rounds) for t in _job_texts()][: 32 * args.rounds]
        await api.Embed(pb.EmbedRequest(texts=texts[:32]), metadata=mesh)  # warm-up
        started = time.perf_counter()
        for i in range(0, len(texts), 32):
            await api.Embed(pb.EmbedRequest(texts=texts[i : i + 32], kind=pb.EMBED_KIND_PASSAGE), metadata=mesh)
        embed_rate = len(texts) / (time.perf_counter() - started)

        pdf = resume_corpus.two_page_pdf()

        async def upload():
            yield pb.ParseResumeRequest(parent=f"workers/{user}")
            for i in range(0, len(pdf), 65536):
                yield pb.ParseResumeRequest(file={"content_type": "application/pdf", "data": pdf[i : i + 65536]})

        parse: list[float] = []
        pages = 0
        for i in range(args.rounds + 1):
            t = time.perf_counter()
            response = await api.ParseResume(upload(), metadata=worker_md)
            if i:
                parse.append(time.perf_counter() - t)
            pages = response.draft.page_count

        extract: list[float] = []
        for i in range(args.rounds + 1):
            t = time.perf_counter()
            await api.ExtractSkills(pb.ExtractSkillsRequest(text=TEXT_200), metadata=mesh)
            if i:
                extract.append(time.perf_counter() - t)

        chats: dict[str, list[float]] = {"search": [], "greeting": []}
        for i in range(args.rounds + 1):
            for name, text in (("search", "find welding jobs in Osaka"), ("greeting", "hello")):
                t = time.perf_counter()
                async for _ in api.Chat(pb.ChatRequest(parent=f"users/{user}", text=text), metadata=worker_md):
                    pass
                if i:
                    chats[name].append(time.perf_counter() - t)
        rss = psutil.Process(pid).memory_info().rss / 1024 / 1024

    p50, p99 = _ms(parse)
    e50, e99 = _ms(extract)
    c50, c99 = _ms(chats["search"])
    g50, g99 = _ms(chats["greeting"])
    print(f"\nagent benchmark, {args.rounds} calls each, one at a time, on {os.cpu_count()} cores\n")
    print(
        f"  Embed, batch 32          {embed_rate:8.1f} texts/s        aim >= {AIMS['embed']:.0f}/s  "
        f"ratio {embed_rate / AIMS['embed']:.2f}"
    )
    print(
        f"  ParseResume, {pages}-page PDF  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms   "
        f"aim p50 <= {AIMS['parse_p50']:.0f} ms  "
        f"ratio {AIMS['parse_p50'] / p50:.2f}"
    )
    print(
        f"  ExtractSkills, 200 words p50 {e50:7.1f} ms  p99 {e99:7.1f} ms   aim p50 <= {AIMS['extract_p50']:.0f} ms  "
        f"ratio {AIMS['extract_p50'] / e50:.2f}"
    )
    print(
        f"  Chat turn, job search    p50 {c50:7.1f} ms  p99 {c99:7.1f} ms   aim p50 <= {AIMS['chat_p50']:.0f} ms  "
        f"ratio {AIMS['chat_p50'] / c50:.2f}"
    )
    print(f"  Chat turn, greeting      p50 {g50:7.1f} ms  p99 {g99:7.1f} ms")
    print(
        f"  resident memory          {rss:8.0f} MB             aim <= {AIMS['rss_mb']:.0f} MB  "
        f"ratio {AIMS['rss_mb'] / rss:.2f}"
    )
    print("  (ratio > 1 meets the aim)")
    record(
        "agent",
        {
            "rounds": args.rounds,
            "embed_texts_per_s": embed_rate,
            "parse_resume": {"p50_ms": p50, "p99_ms": p99},
            "extract_skills": {"p50_ms": e50, "p99_ms": e99},
            "chat_search": {"p50_ms": c50, "p99_ms": c99},
            "chat_greeting": {"p50_ms": g50, "p99_ms": g99},
            "rss_mb": rss,
        },
    )


def _job_texts() -> list[str]:
    data = json.loads((REPO / "services" / "agent" / "data" / "retrieval_eval.json").read_text(encoding="utf-8"))
    return [j["text"] for j in data["jobs"]]


async def _seed_jobs(market_api, employer_md, org: str) -> None:
    from google.type import money_pb2

    from iworkz.type.v1 import profile_types_pb2 as types

    for title in ("TIG welder", "溶接工", "MAG welder"):
        job = (
            await market_api.CreateJob(
                mp.CreateJobRequest(
                    parent=f"employers/{org}",
                    job=mp.Job(
                        title=title,
                        description="welding 溶接",
                        location=types.Location(prefecture="JP-27", city="Osaka"),
                        wage_min=money_pb2.Money(currency_code="JPY", units=1400),
                        wage_max=money_pb2.Money(currency_code="JPY", units=1800),
                        wage_period=types.WAGE_PERIOD_HOURLY,
                        employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
                        headcount=1,
                    ),
                ),
                metadata=employer_md,
            )
        ).job
        await market_api.PublishJob(mp.PublishJobRequest(name=job.name), metadata=employer_md)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
    else:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
