"""A slow dependency: Envoy fault injection holds every call to marketplace 2 s at its sidecars
(the chaos topology's armed `fault`, switched on through the sidecars' admin runtime).

- Callers whose deadline is shorter get `DEADLINE_EXCEEDED`, and from the mesh itself: a gRPC-web
  caller that only *sends* its deadline (`grpc-timeout`, no timer of its own) is answered with it.
- The deadline travels with the call: the sidecar saw each held call with a `grpc-timeout` no
  longer than the caller's (its access log).
- Nothing piles up: once the callers have their answers, the requests in flight at the edge and at
  the sidecars (and the faults they hold) return to where they were before.
- A caller with a longer deadline still gets its answer (the fault is a delay, not an outage).

(Between services, the runtime caps a call made while serving another to what is left of that
one's deadline: `services/runtime/tests/test_deadlines.py`.)
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.request
import uuid

import grpc
import httpx
from chaos_tools import LONG, job_message, p99, report

from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client

GET_JOB = "/iworkz.marketplace.v1.MarketplaceService/GetJob"
DEADLINE_MS = 500
ENCODING_SLACK_S = 0.002  # see the grpc-timeout assertion
CALLERS = 200 if LONG else 30
PERCENT_KEY = "fault.http.delay.fixed_delay_percent"
_TIMEOUT = re.compile(r"^(\d+)([HMSmun])$")
_UNIT_SECONDS = {"H": 3600, "M": 60, "S": 1, "m": 1e-3, "u": 1e-6, "n": 1e-9}


def _admin(port: int, path: str, method: str = "GET") -> str:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def _gauges(port: int, names: tuple[str, ...]) -> dict[str, int]:
    stats = dict(
        line.split(": ", 1) for line in _admin(port, "/stats?usedonly&filter=active").splitlines() if ": " in line
    )
    return {name: int(stats.get(name, "0")) for name in names}


def _grpc_web_frame(message: bytes) -> bytes:
    return b"\x00" + len(message).to_bytes(4, "big") + message


def _grpc_web_status(response: httpx.Response) -> int:
    """The grpc-status of a gRPC-web reply: in its headers (trailers-only) or its trailer frame."""
    if "grpc-status" in response.headers:
        return int(response.headers["grpc-status"])
    body, pos = response.content, 0
    while pos + 5 <= len(body):
        flags, length = body[pos], int.from_bytes(body[pos + 1 : pos + 5], "big")
        if flags & 0x80:
            trailers = dict(
                line.split(":", 1) for line in body[pos + 5 : pos + 5 + length].decode().split("\r\n") if ":" in line
            )
            return int(trailers["grpc-status"].strip())
        pos += 5 + length
    raise AssertionError(f"no grpc-status in the reply: {response.headers} {body[:200]!r}")


def _seconds(grpc_timeout: str) -> float | None:
    found = _TIMEOUT.match(grpc_timeout or "")
    return int(found[1]) * _UNIT_SECONDS[found[2]] if found else None


async def test_a_slow_dependency_answers_short_deadlines_in_time_and_nothing_piles_up(edge_platform):
    platform = edge_platform
    edge = platform.running_edge
    marketplace = platform.topology.services["marketplace"]
    assert marketplace.fault is not None, "the chaos topology arms a fault on marketplace"
    sidecars = [p for p in platform.procs if p.service == "marketplace" and p.kind == "sidecar"]
    admin_ports = [marketplace.port("sidecar_admin", p.replica) for p in sidecars]
    edge_gauge = ("cluster.svc_marketplace.upstream_rq_active",)
    sidecar_gauges = ("http.inbound.downstream_rq_active", "http.inbound.fault.active_faults")
    log_sizes = {p.log: p.log.stat().st_size for p in sidecars}

    creds = grpc.ssl_channel_credentials(edge.ca.read_bytes())
    target = f"localhost:{edge.port}"
    tag = f"slow{uuid.uuid4().hex[:8]}"
    async with Client(target, credentials=creds, options=[("grpc.enable_retries", 0)]) as api:
        signed = await api.sign_up(
            email=f"{tag}@example.com",
            password="correct horse battery staple",
            display_name="Slow",
            account_type=identity_pb2.ACCOUNT_TYPE_EMPLOYER,
            organization_display_name="Slow Works",
        )
        api.use_tokens(signed.tokens)
        parent = "employers/" + signed.organization.name.split("/")[1]
        job = (await api.marketplace.CreateJob(mp.CreateJobRequest(parent=parent, job=job_message(tag)))).job
        request = mp.GetJobRequest(name=job.name)
        await api.marketplace.GetJob(request, timeout=30)
        baseline = {
            "edge": _gauges(edge.admin_port, edge_gauge),
            **{f"sidecar {i}": _gauges(port, sidecar_gauges) for i, port in enumerate(admin_ports)},
        }

        for port in admin_ports:
            _admin(port, f"/runtime_modify?{PERCENT_KEY}=100", "POST")
        try:
            # Callers with a deadline shorter than the delay, all at once.
            async def short(n: int) -> tuple[str, float]:
                started = time.monotonic()
                try:
                    await api.marketplace.GetJob(request, timeout=DEADLINE_MS / 1000)
                    return "OK", time.monotonic() - started
                except grpc.aio.AioRpcError as err:
                    return err.code().name, time.monotonic() - started

            pending = asyncio.gather(*(short(n) for n in range(CALLERS)))
            await asyncio.sleep(DEADLINE_MS / 2000)  # while the callers wait: the faults the sidecars hold
            peak_faults = sum(_gauges(p, sidecar_gauges)["http.inbound.fault.active_faults"] for p in admin_ports)
            outcomes = await pending
            # A caller that only states its deadline: the mesh must keep it.
            headers = {
                "content-type": "application/grpc-web+proto",
                "x-grpc-web": "1",
                "grpc-timeout": f"{DEADLINE_MS}m",
                "authorization": f"Bearer {signed.tokens.access_token}",
            }
            async with httpx.AsyncClient(base_url=edge.url, http2=True, verify=str(edge.ca), timeout=30) as web:
                started = time.monotonic()
                stated = await web.post(GET_JOB, content=_grpc_web_frame(request.SerializeToString()), headers=headers)
                stated_seconds = time.monotonic() - started
            # A caller with time to spare gets its answer after the delay.
            patient = await api.marketplace.GetJob(request, timeout=30)

            # Nothing piles up: the gauges go back to the baseline (bounded wait).
            drained_after, settled = None, {}
            started = time.monotonic()
            while time.monotonic() - started < 60:
                settled = {
                    "edge": _gauges(edge.admin_port, edge_gauge),
                    **{f"sidecar {i}": _gauges(port, sidecar_gauges) for i, port in enumerate(admin_ports)},
                }
                if settled == baseline:
                    drained_after = round(time.monotonic() - started, 2)
                    break
                await asyncio.sleep(0.2)
        finally:
            for port in admin_ports:
                _admin(port, f"/runtime_modify?{PERCENT_KEY}=0", "POST")
        # Outlier detection may have ejected the slow hosts: the next tests get them back healthy.
        await asyncio.to_thread(edge.wait_healthy, 120)
        await api.marketplace.GetJob(request, timeout=30)

    # What the sidecars saw: each held call's grpc-timeout as it reached them (the calls given up on,
    # not the patient caller's, answered OK). Their access logs are flushed every few seconds.
    held: list[float | None] = []
    for _ in range(30):
        held = []
        for proc in sidecars:
            with proc.log.open() as log:
                log.seek(log_sizes[proc.log])
                for line in log:
                    if not line.startswith("{"):
                        continue
                    entry = json.loads(line)
                    if entry.get("method") != GET_JOB or "DI" not in entry.get("flags", ""):
                        continue
                    if str(entry.get("grpc_status")) != "0":
                        held.append(_seconds(entry.get("grpc_timeout", "")))
        if held:
            break
        await asyncio.sleep(1)

    codes = sorted({code for code, _ in outcomes})
    report(
        f"slow dependency: marketplace held {marketplace.fault.delay:g} s by its sidecars, "
        f"{CALLERS} callers with a {DEADLINE_MS} ms deadline",
        codes=codes,
        p99_answer_ms=p99([seconds for _, seconds in outcomes]),
        stated_deadline_only_ms=round(stated_seconds * 1000, 1),
        patient_caller="OK",
        faults_held_at_peak=peak_faults,
        sidecar_saw_grpc_timeout_ms=sorted({round(s * 1000) for s in held if s is not None})[-3:],
        drained_to_baseline_after_s=drained_after,
    )
    assert codes == ["DEADLINE_EXCEEDED"], outcomes
    assert _grpc_web_status(stated) == grpc.StatusCode.DEADLINE_EXCEEDED.value[0], stated.headers
    assert patient.job.name == job.name
    assert held, "the sidecars logged no held call"
    # Never longer than the caller's own deadline, but for rounding: gRPC encodes `grpc-timeout` from a
    # millisecond clock and "may round up" (grpc core's timeout_encoding.h); 500 ms arrived as 501 ms.
    longest = DEADLINE_MS / 1000 + ENCODING_SLACK_S
    assert all(s is not None and s <= longest for s in held), f"grpc-timeout at the sidecar: {held}"
    assert settled == baseline, f"still in flight after a minute: {settled} (before: {baseline})"
