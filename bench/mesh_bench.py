"""What the mesh costs: one RPC called four ways, measured in one run.

    .venv/bin/python bench/mesh_bench.py [--seconds 10] [--latency-seconds 4] [--concurrency 8]

The RPC is identity's GetJwks (public, bound to `GET /.well-known/jwks.json`),
served by one identity replica started with the launcher's own code on a copy
of the topology moved to free ports (the edge's rate limits lifted, so the
limiter is not what is measured). Modes:

0. bare echo    a plain grpc.aio unary echo server in its own process, no
               interceptors, no database: the limit of Python gRPC here
   scale-out    direct gRPC over 4 connections to one identity process, and to
               two identity processes sharing one port (IWORKZ_REUSE_PORT,
               SO_REUSEPORT: the kernel spreads the connections)
1. direct       gRPC, plaintext, to the service's own port
2. sidecar      gRPC over mTLS (as the `edge` identity) to the replica's sidecar
3. edge gRPC    gRPC over TLS to the edge, which calls the sidecar over mTLS
4. edge REST    HTTPS GET /.well-known/jwks.json to the edge (transcoded to gRPC)

`--variants` adds, beside these, Envoys with one setting changed (a second
edge in front of the same sidecar, or a second sidecar in front of the same
app), measured in the same turns, so each tuning choice of issue 12 is
compared with what is deployed in one run: the hop's p50, the Envoy's CPU per
call and the throughput (`VARIANTS` lists them).

Each mode runs twice: alone (one call at a time: the latency each hop adds)
and under load (`--concurrency` calls in flight: throughput and its
latencies). The client is one asyncio process on the same machine, so on a
small machine client, Envoys and service share the cores: the CPU time per
call of every process is printed too. Loopback only; PostgreSQL and Redis from
DATABASE_URL / REDIS_URL (a scratch database is created and dropped) or
embedded ones in a temporary directory. Run by bench/suite.py, the figures
are also written as JSON (bench/record.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

import grpc  # noqa: E402
import yaml  # noqa: E402

import topology as mesh_topology  # noqa: E402
from bench.record import record  # noqa: E402
from devstack import ports as mesh_ports  # noqa: E402
from iworkz.identity.v1 import identity_pb2, identity_pb2_grpc  # noqa: E402

SERVICE = "identity"
ECHO_METHOD = "/bench.Echo/Echo"
ECHO_PAYLOAD = b"x" * 64
BARE = "bare grpc.aio echo"
ONE_PROCESS = "direct gRPC, 1 process"
TWO_PROCESSES = "direct gRPC, 2 processes"
REST_PATH = "/.well-known/jwks.json"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    mode: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    cpu: dict[str, float] = field(default_factory=dict)  # process -> CPU seconds used

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def cpu_ms_per_call(self) -> float:
        return 1000 * sum(self.cpu.values()) / max(1, len(self.latencies))


def _cpu_seconds(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


# --- clients ------------------------------------------------------------------------


async def grpc_calls(channel: grpc.aio.Channel, until: float, result: Result) -> None:
    stub = identity_pb2_grpc.IdentityServiceStub(channel)
    request = identity_pb2.GetJwksRequest()
    loop = asyncio.get_running_loop()
    while loop.time() < until:
        started = time.perf_counter()
        try:
            await stub.GetJwks(request, timeout=10)
        except grpc.aio.AioRpcError:
            result.errors += 1
            continue
        result.latencies.append(time.perf_counter() - started)


async def echo_calls(channel: grpc.aio.Channel, until: float, result: Result) -> None:
    echo = channel.unary_unary(ECHO_METHOD)  # bytes in, bytes out: no (de)serialization
    loop = asyncio.get_running_loop()
    while loop.time() < until:
        started = time.perf_counter()
        try:
            await echo(ECHO_PAYLOAD, timeout=10)
        except grpc.aio.AioRpcError:
            result.errors += 1
            continue
        result.latencies.append(time.perf_counter() - started)


def serve_echo(port: int) -> None:
    """`--serve-echo PORT`: the bare limit, a grpc.aio server answering each request with its bytes."""

    async def echo(request: bytes, context) -> bytes:
        return request

    async def run() -> None:
        server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
        handler = grpc.method_handlers_generic_handler(
            "bench.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)}
        )
        server.add_generic_rpc_handlers((handler,))
        server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        print("listening", flush=True)
        await server.wait_for_termination()

    asyncio.run(run())


def start_scale_out(platform) -> tuple[list[int], int, list[int]]:
    """Two more identity processes sharing one port (SO_REUSEPORT) and one more alone on its own:
    (pids of the pair, their port, [pid, port] of the single one) for the 1-vs-2-process modes."""
    from devstack.platform import HOST, Proc, _any_free_port
    from devstack.probes import health_status

    service = platform.topology.services[SERVICE]
    shared, alone = _any_free_port(), _any_free_port()
    procs = []
    for index, port in ((101, shared), (102, shared), (103, alone)):
        env = {
            **platform.app_env(service, 0),
            f"{SERVICE.upper()}_GRPC_PORT": str(port),
            f"{SERVICE.upper()}_METRICS_PORT": "0",
            "IWORKZ_REUSE_PORT": "1" if port == shared else "0",
        }
        log = platform.state / "logs" / f"{SERVICE}-{index}.log"
        command = [sys.executable, "-m", service.main_module]
        proc = platform.spawn(Proc("app", SERVICE, index, command, env, log, {"grpc": port, "metrics": 0}))
        platform.procs.append(proc)
        procs.append(proc)
        if port == shared:  # each of the pair answers before the next binds: both serve the port
            deadline = time.monotonic() + 120
            while "listening on" not in log.read_text(errors="replace") and time.monotonic() < deadline:
                time.sleep(0.2)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not all(
        health_status(f"{HOST}:{port}") == "SERVING" for port in (shared, alone)
    ):
        time.sleep(0.2)
    return [procs[0].pid, procs[1].pid], shared, [procs[2].pid, alone]


def start_echo() -> tuple[subprocess.Popen, int]:
    from devstack.platform import _any_free_port

    port = _any_free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-echo", str(port)], stdout=subprocess.PIPE, start_new_session=True
    )
    assert process.stdout is not None
    if b"listening" not in process.stdout.readline():
        raise SystemExit("the bare echo server did not start")
    return process, port


async def rest_calls(port: int, context: ssl.SSLContext, until: float, result: Result) -> None:
    """HTTP/1.1 keep-alive GETs on one TLS connection (what a browser's fetch does)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context, server_hostname="localhost")
    request = (f"GET {REST_PATH} HTTP/1.1\r\nHost: localhost:{port}\r\nAccept: application/json\r\n\r\n").encode()
    loop = asyncio.get_running_loop()
    try:
        while loop.time() < until:
            started = time.perf_counter()
            writer.write(request)
            status = await reader.readline()
            length, chunked = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
                elif name.lower() == b"transfer-encoding" and b"chunked" in value.lower():
                    chunked = True
            if chunked:
                while (size := int((await reader.readline()).strip(), 16)) > 0:
                    await reader.readexactly(size + 2)
                await reader.readline()
            else:
                await reader.readexactly(length)
            if not status.startswith(b"HTTP/1.1 200"):
                result.errors += 1
                continue
            result.latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def measure(result: Result, concurrency: int, seconds: float, make_calls, pids: dict[str, int]) -> None:
    """Run `concurrency` call loops for `seconds`, adding what happened to `result`."""
    loop = asyncio.get_running_loop()
    pids = {**pids, "client": os.getpid()}
    cpu_before = {name: _cpu_seconds(pid) for name, pid in pids.items()}
    started = time.perf_counter()
    await asyncio.gather(*(make_calls(loop.time() + seconds, result) for _ in range(concurrency)))
    result.seconds += time.perf_counter() - started
    for name, pid in pids.items():
        result.cpu[name] = result.cpu.get(name, 0.0) + _cpu_seconds(pid) - cpu_before[name]


# --- Envoy variants: one setting changed, measured beside the deployed config ---------------


def _hcms(config: dict) -> list[dict]:
    """The HTTP connection managers of a bootstrap's listeners (with socket addresses)."""
    return [
        f["typed_config"]
        for listener in config["static_resources"]["listeners"]
        for chain in listener.get("filter_chains", [])
        for f in chain.get("filters", [])
        if f.get("name") == "envoy.filters.network.http_connection_manager"
    ]


def _no_access_log(config: dict) -> None:
    for hcm in _hcms(config):
        hcm.pop("access_log", None)


def _log_every_request(config: dict) -> None:
    for hcm in _hcms(config):
        for log in hcm.get("access_log", []):
            log.pop("filter", None)


def _upstream_streams(limit: int):
    """Cap the streams per upstream HTTP/2 connection, so calls in flight open more connections."""

    def patch(config: dict) -> None:
        for cluster in config["static_resources"]["clusters"]:
            options = cluster.get("typed_extension_protocol_options", {}).get(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions", {}
            )
            http2 = options.get("explicit_http_config", {}).get("http2_protocol_options")
            if http2 is not None and cluster["name"].startswith("svc_"):
                http2["max_concurrent_streams"] = limit

    return patch


def _no_session_tickets(config: dict) -> None:
    for listener in config["static_resources"]["listeners"]:
        for chain in listener.get("filter_chains", []):
            socket = chain.get("transport_socket", {}).get("typed_config", {})
            if "common_tls_context" in socket:
                socket["disable_stateless_session_resumption"] = True
                socket["disable_stateful_session_resumption"] = True


# name -> (which Envoy, change to its config, worker threads; None: as deployed)
VARIANTS: dict[str, tuple[str, Any, int | None]] = {
    "edge: access log off": ("edge", _no_access_log, None),
    "edge: a worker per core": ("edge", lambda config: None, os.cpu_count() or 2),
    "edge: 4 streams per upstream conn": ("edge", _upstream_streams(4), None),
    "edge: TLS resumption off": ("edge", _no_session_tickets, None),
    "sidecar: 2 workers": ("sidecar", lambda config: None, 2),
    "sidecar: log every request": ("sidecar", _log_every_request, None),
}


def start_variant(name: str, config_path: pathlib.Path, out: pathlib.Path, workers: int | None):
    """Run a copy of an Envoy config (edge or sidecar) with `VARIANTS[name]`'s change, on free ports:
    (the running Envoy, the port of its first listener)."""
    from devstack import envoy_runner

    which, change, _ = VARIANTS[name]
    config = yaml.safe_load(config_path.read_text())
    for listener in config["static_resources"]["listeners"]:
        address = listener.get("address", {}).get("socket_address")
        if address:
            address["port_value"] = 0
    config["admin"]["address"]["socket_address"]["port_value"] = 0
    change(config)
    slug = "".join(c if c.isalnum() else "-" for c in name)
    for hcm in _hcms(config):  # a variant's access log goes to a file of its own
        for log in hcm.get("access_log", []):
            if "path" in log["typed_config"]:
                log["typed_config"]["path"] = str(out / f"{slug}-access.log")
    path = out / f"{slug}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    envoy = envoy_runner.launch(
        path, log=out / f"{slug}.log", concurrency=workers or (1 if which == "sidecar" else envoy_runner.edge_workers())
    )
    listeners = yaml.safe_load(envoy.admin("/listeners?format=json"))["listener_statuses"]
    first = config["static_resources"]["listeners"][0]["name"]
    port = next(int(x["local_address"]["socket_address"]["port_value"]) for x in listeners if x["name"] == first)
    return envoy, port


# --- the platform under test ------------------------------------------------------------


def bench_topology(path: pathlib.Path) -> mesh_topology.Topology:
    """Only identity (one replica), on free ports, the edge's rate limits out of the way."""
    raw = yaml.safe_load(mesh_topology.DEFAULT_PATH.read_text())
    service = raw["services"][SERVICE]
    service["replicas"] = 1
    service["callers"] = ["edge"]
    service["calls"] = []
    raw["services"] = {SERVICE: service}
    raw["edge"]["jwt"]["jwks_service"] = SERVICE
    raw["edge"]["rate_limits"] = {"default": {"tokens": 10_000_000, "per_seconds": 1}}
    path.write_text(yaml.safe_dump(mesh_ports.relocate(raw), sort_keys=False))
    return mesh_topology.load(path)


def start_platform(state: pathlib.Path):
    from devstack import Platform
    from devstack.embedded import create_database
    from services.runtime.fieldcrypt import new_master_key_spec

    topology = bench_topology(state / "topology.yaml")
    platform = Platform(state / "state", topology, start_timeout=180)
    scratch = None
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        scratch = f"iworkz_bench_{uuid.uuid4().hex[:8]}"
        platform.use_data(
            create_database(os.environ["DATABASE_URL"], scratch), os.environ["REDIS_URL"], new_master_key_spec("bench")
        )
        platform.env["IWORKZ_REDIS_PREFIX"] = f"bench:{scratch}:"
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("REDIS_URL", None)
        platform.start_data()
    platform.env["IWORKZ_LOG_LEVEL"] = os.environ.get("IWORKZ_LOG_LEVEL", "INFO")
    return platform, scratch


async def spread_calls(channels: list[grpc.aio.Channel], until: float, result: Result) -> None:
    """GetJwks calls over several connections (one per channel), one call loop per connection."""
    await asyncio.gather(*(grpc_calls(channel, until, result) for channel in channels))


def start_variants(platform, names: list[str], channels: dict, pids: dict, rest_ports: dict[str, int]) -> list[Any]:
    """Start the `names` variants and add their modes (channels, process ids, REST ports)."""
    edge = platform.edge
    app = platform.proc(SERVICE, 0)
    side = platform.proc(SERVICE, 0, "sidecar")
    sidecar_config = next(s.config for s in platform.sidecars if s.service == SERVICE and s.replica == 0)
    out = platform.state / "variants"
    out.mkdir(parents=True, exist_ok=True)
    variants: list[Any] = []
    try:
        for name in names:
            which, _, workers = VARIANTS[name]
            if which == "edge" and edge is None:
                continue
            envoy, port = start_variant(name, edge.config if which == "edge" else sidecar_config, out, workers)
            variants.append(envoy)
            mode = f"gRPC via {name}"
            if which == "sidecar":
                channels[mode] = grpc.aio.secure_channel(f"127.0.0.1:{port}", platform.credentials("edge"))
                pids[mode] = {"service": app.pid, "sidecar": envoy.pid}
                continue
            envoy.wait_healthy(timeout=60)
            credentials = grpc.ssl_channel_credentials(pathlib.Path(edge.ca).read_bytes())
            channels[mode] = grpc.aio.secure_channel(f"127.0.0.1:{port}", credentials)
            pids[mode] = pids[f"REST via {name}"] = {"service": app.pid, "sidecar": side.pid, "edge": envoy.pid}
            rest_ports[f"REST via {name}"] = port
    except BaseException:
        for envoy in variants:
            envoy.stop()
        raise
    return variants


async def run_modes(
    platform, args, echo: tuple[subprocess.Popen, int], scale: tuple[list[int], int, list[int]] | None
) -> list[tuple[Result, Result]]:
    """Every mode alone, then loaded; modes take turns in short slices so that whatever else
    the machine is doing weighs on all of them alike."""
    app = platform.proc(SERVICE, 0)
    side = platform.proc(SERVICE, 0, "sidecar")
    service_pids = {"service": app.pid, "sidecar": side.pid}
    channels = {
        BARE: grpc.aio.insecure_channel(f"127.0.0.1:{echo[1]}"),
        "direct gRPC": grpc.aio.insecure_channel(f"127.0.0.1:{app.ports['grpc']}"),
        "gRPC via sidecar (mTLS)": grpc.aio.secure_channel(
            f"127.0.0.1:{side.ports['inbound']}", platform.credentials("edge")
        ),
    }
    pids = {
        BARE: {"service": echo[0].pid},
        "direct gRPC": {"service": app.pid},
        "gRPC via sidecar (mTLS)": service_pids,
    }
    edge = platform.edge
    if edge is not None:
        channels["gRPC via edge + sidecar"] = grpc.aio.secure_channel(
            f"127.0.0.1:{edge.port}", grpc.ssl_channel_credentials(pathlib.Path(edge.ca).read_bytes())
        )
        context = ssl.create_default_context(cafile=str(edge.ca))
        context.set_alpn_protocols(["http/1.1"])
        pids["gRPC via edge + sidecar"] = pids["REST via edge + sidecar"] = {**service_pids, "edge": edge.pid}

    rest_ports = {"REST via edge + sidecar": edge.port} if edge is not None else {}
    variants = start_variants(platform, args.variants, channels, pids, rest_ports)  # stopped at the end
    spread: dict[str, list[grpc.aio.Channel]] = {}
    if scale is not None:
        pair, shared, (single_pid, single_port) = scale
        # Separate connections: channels to one target otherwise share a subchannel (one connection).
        own = [("grpc.use_local_subchannel_pool", 1)]
        for mode, port, mode_pids in (
            (ONE_PROCESS, single_port, {"service": single_pid}),
            (TWO_PROCESSES, shared, {"service": pair[0], "service 2": pair[1]}),
        ):
            spread[mode] = [grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=own) for _ in range(4)]
            pids[mode] = mode_pids

    def calls(mode: str):
        if mode in spread:
            return lambda until, result: spread_calls(spread[mode], until, result)
        if mode == BARE:
            return lambda until, result: echo_calls(channels[mode], until, result)
        if mode in channels:
            return lambda until, result: grpc_calls(channels[mode], until, result)
        return lambda until, result: rest_calls(rest_ports[mode], context, until, result)

    modes = list(pids)
    results = {mode: (Result(mode), Result(mode)) for mode in modes}
    try:
        for mode in modes:  # warm up: connections, caches, JIT-free but not cold
            loops = args.concurrency if mode not in spread else max(1, args.concurrency // len(spread[mode]))
            await measure(Result(mode), loops, 1.0, calls(mode), pids[mode])
        for phase, (concurrency, seconds) in enumerate(((1, args.latency_seconds), (args.concurrency, args.seconds))):
            print(
                f"  {'one call at a time' if concurrency == 1 else f'{concurrency} calls in flight'}: "
                f"{seconds:g} s per mode ...",
                flush=True,
            )
            rounds = max(1, round(seconds / args.slice))
            for _ in range(rounds):
                for mode in modes:
                    # a scale-out mode runs one loop per connection in each of its call loops
                    loops = concurrency if mode not in spread else max(1, concurrency // len(spread[mode]))
                    await measure(results[mode][phase], loops, seconds / rounds, calls(mode), pids[mode])
    finally:
        for channel in [*channels.values(), *(c for group in spread.values() for c in group)]:
            await channel.close()
        for envoy in variants:
            envoy.stop()
    return [results[mode] for mode in modes]


def figures(results: list[tuple[Result, Result]], args) -> dict:
    """Every mode's figures, the hop costs and the ratios to the bare echo limit (for the suite)."""
    modes: dict[str, dict[str, Any]] = {}
    for alone, loaded in results:
        calls = max(1, len(loaded.latencies))
        modes[alone.mode] = {
            "alone_p50_ms": alone.percentile(50),
            "alone_p99_ms": alone.percentile(99),
            "rps": loaded.rps,
            "p50_ms": loaded.percentile(50),
            "p90_ms": loaded.percentile(90),
            "p99_ms": loaded.percentile(99),
            "errors": alone.errors + loaded.errors,
            "cpu_ms_per_call": {k: 1000 * v / calls for k, v in loaded.cpu.items()},
        }
    bare = modes[BARE]["rps"]
    for mode in modes.values():
        mode["x_bare"] = mode["rps"] / bare if bare else float("nan")
    p50 = {mode: m["alone_p50_ms"] for mode, m in modes.items()}
    hops = {"sidecar": p50["gRPC via sidecar (mTLS)"] - p50["direct gRPC"]}
    if "gRPC via edge + sidecar" in p50:
        hops["edge"] = p50["gRPC via edge + sidecar"] - p50["gRPC via sidecar (mTLS)"]
        hops["transcoding"] = p50["REST via edge + sidecar"] - p50["gRPC via edge + sidecar"]
    variants: dict[str, dict[str, Any]] = {}
    if "gRPC via edge + sidecar" in modes:
        variants["edge as deployed"] = _variant(
            "edge", "gRPC via edge + sidecar", "REST via edge + sidecar", modes, p50
        )
    variants["sidecar as deployed"] = _variant("sidecar", "gRPC via sidecar (mTLS)", "", modes, p50)
    for name in getattr(args, "variants", []):
        which = VARIANTS[name][0]
        if f"gRPC via {name}" in modes:
            variants[name] = _variant(
                which, f"gRPC via {name}", f"REST via {name}" if which == "edge" else "", modes, p50
            )
    return {"concurrency": args.concurrency, "modes": modes, "hops_p50_ms": hops, "envoy_variants": variants}


def _variant(which: str, grpc_mode: str, rest_mode: str, modes: dict, p50: dict) -> dict[str, Any]:
    """One Envoy's figures: the p50 its hop adds (one call at a time), its CPU per call under load
    (gRPC, and REST for an edge) and the loaded throughput through it."""
    before = p50["gRPC via sidecar (mTLS)"] if which == "edge" else p50["direct gRPC"]
    figures = {
        "hop_p50_ms": p50[grpc_mode] - before,
        "cpu_ms_per_call": modes[grpc_mode]["cpu_ms_per_call"].get(which, float("nan")),
        "grpc_rps": modes[grpc_mode]["rps"],
        "grpc_x_bare": modes[grpc_mode]["x_bare"],
    }
    if rest_mode:
        figures.update(
            rest_cpu_ms_per_call=modes[rest_mode]["cpu_ms_per_call"].get(which, float("nan")),
            rest_rps=modes[rest_mode]["rps"],
            rest_x_bare=modes[rest_mode]["x_bare"],
            rest_p99_ms=modes[rest_mode]["p99_ms"],
        )
    return figures


def report(results: list[tuple[Result, Result]], args) -> str:
    data = figures(results, args)
    width = max(28, *(len(alone.mode) + 2 for alone, _ in results))
    lines = [
        "",
        f"identity GetJwks, one replica; alone = 1 call in flight, loaded = {args.concurrency} in flight;"
        f" x bare = throughput over the bare grpc.aio echo server's in this run",
        "",
        f"{'mode':<{width}}{'alone p50':>10}{'p99':>8}   {'loaded rps':>10}{'x bare':>8}{'p50':>8}{'p99':>8}"
        f"{'errors':>8}   CPU ms/call (service, sidecar, edge, client)",
    ]
    for alone, loaded in results:
        cpu = ", ".join(
            f"{1000 * loaded.cpu.get(k, 0) / max(1, len(loaded.latencies)):.2f}"
            for k in ("service", "sidecar", "edge", "client")
        )
        lines.append(
            f"{alone.mode:<{width}}{alone.percentile(50):>8.3f}ms{alone.percentile(99):>6.2f}ms"
            f"   {loaded.rps:>10.0f}{data['modes'][alone.mode]['x_bare']:>7.2f}x"
            f"{loaded.percentile(50):>6.2f}ms{loaded.percentile(99):>6.2f}ms"
            f"{alone.errors + loaded.errors:>8}   {cpu}  = {loaded.cpu_ms_per_call():.2f}"
        )
    lines.append("")
    modes = data["modes"]
    direct = modes["direct gRPC"]["rps"]
    if "REST via edge + sidecar" in modes:
        rest = modes["REST via edge + sidecar"]
        lines.append(
            f"REST through edge + sidecar: {rest['x_bare']:.2f}x bare echo (aim >= 0.6x), "
            f"{rest['rps'] / direct:.2f}x direct gRPC; p99 {rest['p99_ms']:.1f} ms (aim <= 20 ms)"
        )
        lines.append(
            f"gRPC through edge + sidecar vs direct gRPC: {modes['gRPC via edge + sidecar']['rps'] / direct:.2f}x"
        )
    else:
        lines.append("edge modes skipped (--no-edge)")
    lines.append(f"gRPC through sidecar vs direct gRPC: {modes['gRPC via sidecar (mTLS)']['rps'] / direct:.2f}x")
    lines.append(
        f"service CPU per GetJwks {modes['direct gRPC']['cpu_ms_per_call'].get('service', 0):.3f} ms"
        f" (bare echo server {modes[BARE]['cpu_ms_per_call'].get('service', 0):.3f} ms; aim <= 0.35 ms)"
    )
    lines.append(
        "p50 added per hop, one call at a time (aim <= 0.3 ms per Envoy hop): "
        + ", ".join(f"{name} {ms:+.3f} ms" for name, ms in data["hops_p50_ms"].items())
    )
    if len(data["envoy_variants"]) > 2:
        lines += [
            "",
            "Envoy variants, same run (hop p50: one call at a time; CPU: that Envoy's, per call under load):",
            f"{'variant':<36}{'hop p50':>9}{'CPU gRPC':>10}{'CPU REST':>10}{'gRPC rps':>10}{'REST rps':>10}"
            f"{'REST x bare':>12}{'REST p99':>10}",
        ]
        for name, v in data["envoy_variants"].items():
            rest = (
                f"{v['rest_cpu_ms_per_call']:>8.3f}ms{v['rest_rps']:>10.0f}{v['rest_x_bare']:>11.2f}x"
                f"{v['rest_p99_ms']:>8.1f}ms"
                if "rest_rps" in v
                else f"{'':>10}{'':>10}{'':>12}{'':>10}"
            )
            lines.append(
                f"{name:<36}{v['hop_p50_ms']:>+7.3f}ms{v['cpu_ms_per_call']:>8.3f}ms{rest[:10]}"
                f"{v['grpc_rps']:>10.0f}{rest[10:]}"
            )
    lines.append(
        f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; client, Envoys and service share them)"
    )
    record("mesh", data)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="loaded run per mode (default %(default)s)")
    parser.add_argument(
        "--latency-seconds", type=float, default=4.0, help="one-call-at-a-time run per mode (default %(default)s)"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="calls in flight when loaded (default %(default)s)")
    parser.add_argument(
        "--slice",
        type=float,
        default=1.0,
        help="seconds a mode runs before the next takes its turn (default %(default)s)",
    )
    parser.add_argument("--no-edge", action="store_true", help="only the direct and sidecar modes")
    parser.add_argument("--no-scale-out", action="store_true", help="without the 1-vs-2-process modes")
    parser.add_argument(
        "--variants",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        default=[],
        help="Envoy variants to measure beside the deployed configs, comma-separated, or 'all': " + "; ".join(VARIANTS),
    )
    parser.add_argument("--serve-echo", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.variants == ["all"]:
        args.variants = list(VARIANTS)
    unknown = [name for name in args.variants if name not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants {unknown}; known: {list(VARIANTS)}")
    if args.serve_echo:
        serve_echo(args.serve_echo)
        return 0

    with tempfile.TemporaryDirectory(prefix="iworkz-bench-") as tmp:
        platform, scratch = start_platform(pathlib.Path(tmp))
        try:
            print("starting identity, its sidecar and the edge on free ports ...", flush=True)
            platform.start(edge=not args.no_edge)
            echo = start_echo()
            scale = None if args.no_scale_out else start_scale_out(platform)
            print("measuring:", flush=True)
            results = asyncio.run(run_modes(platform, args, echo, scale))
        finally:
            if "echo" in locals():
                echo[0].terminate()
                echo[0].wait(10)
            platform.stop()
            if scratch:
                from devstack.embedded import drop_database

                drop_database(os.environ["DATABASE_URL"], scratch)
    print(report(results, args), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
