"""Credential engine: issuance with batch anchoring, full verification, SD-JWT presentations.

    .venv/bin/python bench/credentials_bench.py [--issue 2000] [--verify 2000] [--concurrency 32]

One credential replica runs in its own process against a real anvil node
(npm `@foundry-rs/anvil`), anchoring every second or every 256 digests.
The benchmark calls it over loopback gRPC:

1. issue      `--issue` Data Integrity credentials (ecdsa-rdfc-2019) to 50
              workers' wallets, `--concurrency` in flight: credentials/s; then
              waits until every digest is anchored and counts the chain
              transactions (RootAnchored events) against the batches.
2. verify     `VerifyCredential` on anchored credentials, the full check list
              (format, schema, issuer DID and key, signature, accreditation,
              validity, both status lists, Merkle proof + root on chain):
              verifications/s and p50/p99 latency.
3. sd-jwt     `VerifyPresentation` of SD-JWT presentations (KB-JWT, one
              disclosure): p50/p99.
4. in-process RDFC-1.0 of one credential with pyld (the reference) and
              pyoxigraph (what the service uses): canonicalizations/s, ratio.

Aims (issue 9): issuing ≥ 300/s with one chain transaction per batch;
verifying ≥ 500/s with p99 ≤ 20 ms. On a shared 2-core machine this process,
the service, PostgreSQL, Redis and anvil compete for the cores; the
service's CPU time per call is printed as well. PostgreSQL and Redis:
DATABASE_URL / REDIS_URL (a scratch database and key prefix, removed at the
end), else embedded servers. `BENCH_PROFILE=/tmp/svc.prof` writes a cProfile of the service.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import json
import os
import pathlib
import socket
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
from iworkz.credentials.v1 import credentials_pb2 as pb  # noqa: E402
from iworkz.credentials.v1 import credentials_pb2_grpc  # noqa: E402

AIM_ISSUE, AIM_VERIFY, AIM_VERIFY_P99_MS = 300.0, 500.0, 20.0


def serve() -> None:
    """`--serve`: the credential service with a fixed JWKS (no identity needed)."""
    from services.credentials.main import SPEC
    from services.runtime import server

    keys = json.loads(os.environ["BENCH_JWKS"])

    def static_jwks(resources):
        async def fetch() -> list[dict]:
            return keys

        return fetch

    spec = dataclasses.replace(SPEC, jwks_fetcher=static_jwks)
    profile_to = os.environ.get("BENCH_PROFILE")
    if not profile_to:
        server.main(spec)
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        server.main(spec)
    finally:
        profiler.disable()
        profiler.dump_stats(profile_to)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def jlpt(level: str) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "JlptResultCredential"],
        "credentialSubject": {
            "name": "Nguyen Van An",
            "birthDate": "1998-04-02",
            "level": level,
            "testDate": "2026-07-05",
            "certificateNumber": "JL-2026-0042",
        },
    }


async def timed_calls(calls, concurrency: int) -> tuple[float, list[float], list]:
    """Run the coroutine factories with `concurrency` in flight: (seconds, latencies, results)."""
    latencies: list[float] = []
    results: list = [None] * len(calls)
    queue = list(enumerate(calls))

    async def worker():
        while queue:
            index, call = queue.pop()
            started = time.perf_counter()
            results[index] = await call()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, results


class Service:
    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)

    def cpu(self) -> float:
        times = self.process.cpu_times()
        return times.user + times.system


async def run(args) -> None:
    from devstack.embedded import create_database, database_server_url, drop_database, redis_server_url
    from services.credentials import messages, node_packages
    from services.credentials.domain import canonical
    from services.identity.domain import signing
    from services.runtime.fieldcrypt import new_master_key_spec

    scratch = pathlib.Path(tempfile.mkdtemp(prefix="iworkz-bench-"))
    pg_server = os.environ.get("DATABASE_URL") or database_server_url(scratch / "pg")
    redis_url = os.environ.get("REDIS_URL") or redis_server_url(scratch / "redis")
    run_id = uuid.uuid4().hex[:8]
    db_name = f"iworkz_bench_{run_id}"
    database_url = create_database(pg_server, db_name)
    chain_port, port = free_port(), free_port()
    anvil = subprocess.Popen(
        [node_packages.anvil(), "--host", "127.0.0.1", "--port", str(chain_port), "--hardfork", "cancun", "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    key = signing.SigningKey.generate()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "IWORKZ_MASTER_KEYS": new_master_key_spec("bench"),
        "IWORKZ_REDIS_PREFIX": f"bench:{run_id}:",
        "IWORKZ_IDENTITY_TARGET": "127.0.0.1:1",
        "CREDENTIALS_GRPC_PORT": str(port),
        "CREDENTIALS_PUBLIC_URL": "https://bench.test",
        "CREDENTIALS_CHAIN_URL": f"http://127.0.0.1:{chain_port}",
        "CREDENTIALS_ANCHOR_INTERVAL_SECONDS": "1",
        "CREDENTIALS_ANCHOR_BATCH_SIZE": str(args.batch),
        "IWORKZ_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        "BENCH_JWKS": json.dumps([key.public_jwk()]),
        "PYTHONPATH": str(REPO),
    }
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve"], env=env, stdout=subprocess.PIPE, start_new_session=True
    )
    channels: list[grpc.aio.Channel] = []
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 120)
        if b"listening" not in line:
            raise SystemExit(f"the service did not start: {line!r}")
        service = Service(process.pid)
        channels = [grpc.aio.insecure_channel(f"127.0.0.1:{port}") for _ in range(4)]
        stubs = [credentials_pb2_grpc.CredentialServiceStub(c) for c in channels]
        org = str(uuid.uuid4())
        issuer_md = (
            (
                "authorization",
                "Bearer " + signing.issue_access_token(key, str(uuid.uuid4()), ["issuer"], organization=org, ttl=7200),
            ),
        )
        admin_md = (("authorization", "Bearer " + signing.issue_access_token(key, str(uuid.uuid4()), ["admin"])),)
        await stubs[0].RegisterIssuer(
            pb.RegisterIssuerRequest(name=f"issuers/{org}", display_name="Bench Centre"), metadata=issuer_md
        )
        accreditation = pb.Accreditation(credential_types=["JlptResultCredential"])
        accreditation.valid_from.FromSeconds(int(time.time()) - 60)
        await stubs[0].AccreditIssuer(
            pb.AccreditIssuerRequest(parent=f"issuers/{org}", accreditation=accreditation), metadata=admin_md
        )
        workers = [str(uuid.uuid4()) for _ in range(50)]
        tokens = {
            w: (("authorization", "Bearer " + signing.issue_access_token(key, w, ["worker"], ttl=7200)),)
            for w in workers
        }
        for w in workers:  # wallets exist before the clock starts
            await stubs[0].GetWallet(pb.GetWalletRequest(name=f"workers/{w}/wallet"), metadata=tokens[w])

        def issue_call(i: int, fmt=pb.CREDENTIAL_FORMAT_DATA_INTEGRITY):
            request = pb.IssueCredentialRequest(
                parent=f"issuers/{org}",
                credential=messages.struct(jlpt(("N1", "N2", "N3", "N4", "N5")[i % 5])),
                options=pb.IssueCredentialOptions(subject=f"workers/{workers[i % len(workers)]}", format=fmt),
            )
            return lambda: stubs[i % len(stubs)].IssueCredential(request, metadata=issuer_md)

        print("warming up ...", flush=True)
        await timed_calls([issue_call(i) for i in range(100)], args.concurrency)

        # 1. issuing with batch anchoring
        cpu = service.cpu()
        seconds, latencies, issued = await timed_calls([issue_call(i) for i in range(args.issue)], args.concurrency)
        issue_cpu = (service.cpu() - cpu) / args.issue
        issue_rate = args.issue / seconds
        figures: dict = {
            "issue": {
                "rps": issue_rate,
                "p50_ms": percentile(latencies, 0.5),
                "p99_ms": percentile(latencies, 0.99),
                "cpu_ms_per_call": issue_cpu * 1000,
            }
        }
        print(
            f"1. issue      {args.issue} credentials in {seconds:.2f} s: {issue_rate:.0f}/s "
            f"(aim ≥ {AIM_ISSUE:.0f}/s), p50 {percentile(latencies, 0.5):.1f} ms, "
            f"p99 {percentile(latencies, 0.99):.1f} ms,"
            f" service CPU {issue_cpu * 1000:.2f} ms/credential",
            flush=True,
        )
        started = time.perf_counter()
        import psycopg

        while True:
            async with await psycopg.AsyncConnection.connect(database_url) as conn:
                counted = await (
                    await conn.execute(
                        "SELECT count(*) FROM credentials.anchor_leaves l LEFT JOIN credentials.anchor_batches b"
                        " ON b.id = l.batch_id WHERE b.state IS DISTINCT FROM 'anchored'"
                    )
                ).fetchone()
                batches = await (
                    await conn.execute(
                        "SELECT count(*), sum(leaf_count), count(DISTINCT tx_hash) FROM credentials.anchor_batches"
                        " WHERE state = 'anchored'"
                    )
                ).fetchone()
            assert counted is not None and batches is not None
            waiting = counted[0]
            if waiting == 0 or time.perf_counter() - started > args.timeout:
                break
            await asyncio.sleep(0.2)
        from services.credentials.chain.client import AnchorChain

        address = (
            await stubs[0].GetCredentialAnchor(pb.GetCredentialAnchorRequest(name=issued[-1].credential.name))
        ).anchor.contract_address
        chain = AnchorChain(f"http://127.0.0.1:{chain_port}", address=address)
        events = len(chain._contract().events.RootAnchored().get_logs(from_block=0))
        print(
            f"   anchoring  {batches[1]} digests in {batches[0]} batches, {batches[2]} distinct transactions, "
            f"{events} RootAnchored events on chain; all anchored {time.perf_counter() - started:.1f} s after the "
            f"last issue ({waiting} waiting)",
            flush=True,
        )

        # 2. verifying the full check list
        sample = [messages.value_json(r.verifiable_credential) for r in issued[-200:]]
        requests = [pb.VerifyCredentialRequest(verifiable_credential=messages.value(vc)) for vc in sample]
        check = await stubs[0].VerifyCredential(requests[0])
        assert check.verified, [(c.check, c.reason) for c in check.checks]
        assert {c.check: c.result for c in check.checks}["anchor"] == pb.CHECK_RESULT_PASS
        cpu = service.cpu()
        calls = [
            functools.partial(stubs[i % len(stubs)].VerifyCredential, requests[i % len(requests)])
            for i in range(args.verify)
        ]
        seconds, latencies, results = await timed_calls(calls, args.concurrency)
        verify_rate = args.verify / seconds
        verify_cpu = (service.cpu() - cpu) / args.verify
        figures["verify"] = {
            "rps": verify_rate,
            "p50_ms": percentile(latencies, 0.5),
            "p99_ms": percentile(latencies, 0.99),
            "cpu_ms_per_call": verify_cpu * 1000,
        }
        assert all(r.verified for r in results)
        print(
            f"2. verify     {args.verify} full check lists in {seconds:.2f} s: {args.verify / seconds:.0f}/s "
            f"(aim ≥ {AIM_VERIFY:.0f}/s), p50 {percentile(latencies, 0.5):.1f} ms, p99 "
            f"{percentile(latencies, 0.99):.1f} ms (aim ≤ {AIM_VERIFY_P99_MS:.0f} ms) at {args.concurrency} in flight;"
            f" service CPU {verify_cpu * 1000:.2f} ms/verification",
            flush=True,
        )
        seconds, latencies, _ = await timed_calls(calls[:300], 1)
        print(
            f"   one at a time: p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms",
            flush=True,
        )

        # 3. SD-JWT presentations
        sd = [await issue_call(i, pb.CREDENTIAL_FORMAT_SD_JWT)() for i in range(20)]
        presentations = []
        for i, item in enumerate(sd):
            worker = workers[i % len(workers)]
            made = await stubs[0].CreatePresentation(
                pb.CreatePresentationRequest(
                    parent=f"workers/{worker}",
                    credentials=[item.credential.name],
                    challenge=f"n-{i}",
                    domain="https://employer.example",
                    disclose=["jlptAtLeastN4"],
                ),
                metadata=tokens[worker],
            )
            presentations.append(
                pb.VerifyPresentationRequest(
                    verifiable_presentation=made.presentation,
                    options=pb.VerifyOptions(challenge=f"n-{i}", domain="https://employer.example"),
                )
            )
        calls = [
            functools.partial(stubs[i % len(stubs)].VerifyPresentation, presentations[i % len(presentations)])
            for i in range(args.sd_jwt)
        ]
        seconds, latencies, results = await timed_calls(calls, 1)
        assert all(r.verified for r in results), [c.reason for c in results[0].checks if c.result == 2]
        print(
            f"3. sd-jwt     {args.sd_jwt} presentation verifications one at a time: p50 "
            f"{percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms",
            flush=True,
        )

        # 4. canonicalization alone
        rates = {}
        for name, canon in (("pyld", canonical.PyldCanonicalizer()), ("pyoxigraph", canonical.OxigraphCanonicalizer())):
            document = {k: v for k, v in sample[0].items() if k != "proof"}
            canon(document)
            started = time.perf_counter()
            for _ in range(300):
                canon(document)
            rates[name] = 300 / (time.perf_counter() - started)
        same = canonical.PyldCanonicalizer()(sample[0]) == canonical.OxigraphCanonicalizer()(sample[0])
        print(
            f"4. RDFC-1.0   pyld {rates['pyld']:.0f}/s, pyoxigraph {rates['pyoxigraph']:.0f}/s "
            f"({rates['pyoxigraph'] / rates['pyld']:.2f}×), identical N-Quads: {same}",
            flush=True,
        )
        record("credentials", {"concurrency": args.concurrency, **figures, "canonicalize_per_s": rates})
        print(
            f"ratios: issuing {issue_rate / AIM_ISSUE:.2f}× its aim, "
            f"verifying {verify_rate / AIM_VERIFY:.2f}× its aim; "
            f"chain transactions per batch {batches[2] / max(1, batches[0]):.2f}; "
            f"pyoxigraph/pyld {rates['pyoxigraph'] / rates['pyld']:.2f}×",
            flush=True,
        )
    finally:
        for channel in channels:
            await channel.close()
        process.terminate()
        process.wait(30)
        anvil.terminate()
        anvil.wait(10)
        drop_database(pg_server, db_name)
        import redis

        client = redis.Redis.from_url(redis_url)
        for stale in client.scan_iter(match=f"bench:{run_id}:*", count=1000):
            client.delete(stale)
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--issue", type=int, default=2000)
    parser.add_argument("--verify", type=int, default=2000)
    parser.add_argument("--sd-jwt", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
