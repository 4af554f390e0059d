"""`make up`: the whole platform on one machine, driven by `mesh/topology.yaml`, until Ctrl-C.

    python -m services.launcher [--check] [--state-dir DIR] [--topology FILE] [--replicas NAME=N ...]

What runs, in start order:

1. PostgreSQL and Redis: the servers of DATABASE_URL / REDIS_URL, else
   embedded ones with their data in the state directory (kept across restarts);
   then every service's migrations.
2. The mesh: a fresh CA and a SPIFFE certificate per service and for the edge
   (`mesh/certs.py`, in `<state>/mesh/`), and one sidecar Envoy config per
   replica (`mesh/sidecar.py`).
3. Every service of the topology, each replica as `python -m services.<name>.main`
   on `127.0.0.1:ports.app+i`, trusting its sidecar's client-certificate header
   (IWORKZ_TRUST_XFCC) and calling other services through its own egress port.
4. One sidecar Envoy per replica (mTLS in, allowed callers only; egress out).
5. The edge Envoy (`gateway/`): HTTPS with REST/JSON, gRPC-web and gRPC, mTLS
   to the sidecars as the `edge` identity.

Each counts as started only when healthy: a replica when its gRPC health says
SERVING, a sidecar when its admin says ready and the same health check passes
through it over mTLS, the edge when its admin says ready and a REST call
through it is answered. Then the admin account and the demo data are created
and the URLs, logins and logs are printed. Replica counts come from the
topology and can be raised (`--replicas marketplace=3`, or
`IWORKZ_REPLICAS=marketplace=3,identity=2`). While running, workload
certificates are re-issued before they expire (the sidecars reload them), and a
replica or sidecar that exits on its own is restarted.

State lives in `.iworkz/` (or `--state-dir`): embedded data, the master key
(`master-keys`), the admin password, the mesh certificates and rendered Envoy
configs, logs (`logs/`, rewritten at each start), an `env` file to `source` for
`iworkz` commands, and `launcher.json` with the PID of everything started.

Every process runs in its own process group. On Ctrl-C or SIGTERM the edge is
stopped first, then each service (callers before the services they call):
its replicas get SIGTERM and their drain time, then its sidecars stop; then
the embedded servers. Nothing is left behind. `--check` starts everything,
loads and verifies the demo data, checks the mesh policy and the edge, runs
the printed SDK example, and shuts down: exit status 0 means `make up` works.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import importlib.util
import json
import os
import pathlib
import secrets
import shlex
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass, field
from typing import Any

# The launcher forks (pg_ctl, the services, Envoy) after using gRPC; it needs no gRPC in
# the forked children, so skip gRPC's fork handlers (and their warnings).
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

import topology as mesh_topology
from mesh import certs as mesh_certs
from mesh import sidecar as mesh_sidecar
from mesh.ports import port_free

REPO = pathlib.Path(__file__).resolve().parents[1]
IMAGE = REPO / "build" / "iworkz.binpb"
HOST = "127.0.0.1"
ADMIN_EMAIL = "admin@iworkz.local"
ADMIN_DISPLAY_NAME = "iWORKZ Admin"
DATABASE_NAME = "iworkz"
CERT_CHECK_SECONDS = 60.0
# A process that exits on its own is restarted, unless it did so this often within RESTART_WINDOW.
MAX_RESTARTS = 3
RESTART_WINDOW = 300.0

SDK_EXAMPLE = """\
import asyncio
{imports}from iworkz.sdk import Client
from iworkz.marketplace.v1 import marketplace_pb2 as mp
{credentials}
async def main():
    # Searching jobs needs no login.
    async with Client("{target}"{channel}) as client:
        found = await client.marketplace.SearchJobs(mp.SearchJobsRequest(prefecture="JP-27"))
        for job in found.jobs:
            print(f"{{job.title}} | {{job.employer_display_name}} | {{job.wage_min.units:,}} JPY")
        # A worker logs in; the client sends the token with every later call.
        me = await client.login("{worker}", "{password}")
        mine = await client.marketplace.ListWorkerApplications(mp.ListWorkerApplicationsRequest(
            parent=me.user.name.replace("users/", "workers/")))
        for app in mine.applications:
            print(app.job_title, mp.ApplicationStatus.Name(app.status))

asyncio.run(main())
"""
# The same example against two direct service ports, when the edge is not available.
SDK_EXAMPLE_DIRECT = """\
import asyncio
from iworkz.sdk import Client
from iworkz.marketplace.v1 import marketplace_pb2 as mp

async def main():
    async with Client("{marketplace}") as client:
        found = await client.marketplace.SearchJobs(mp.SearchJobsRequest(prefecture="JP-27"))
        for job in found.jobs:
            print(f"{{job.title}} | {{job.employer_display_name}} | {{job.wage_min.units:,}} JPY")
    async with Client("{identity}") as identity:
        me = await identity.login("{worker}", "{password}")
        token = await identity.access_token()
    async with Client("{marketplace}", token=token) as client:
        mine = await client.marketplace.ListWorkerApplications(mp.ListWorkerApplicationsRequest(
            parent=me.user.name.replace("users/", "workers/")))
        for app in mine.applications:
            print(app.job_title, mp.ApplicationStatus.Name(app.status))

asyncio.run(main())
"""


class StartupError(Exception):
    """The platform could not start; the message says why (and shows a log tail)."""


class Stop(BaseException):
    """Raised by the SIGINT/SIGTERM handler; BaseException so nothing swallows it."""


def _raise_stop(signum, frame) -> None:
    raise Stop(signal.Signals(signum).name)


def say(text: str, err: bool = False) -> None:
    """Print a progress line; a closed terminal or pipe must not stop the launcher (or its clean-up)."""
    try:
        print(text, file=sys.stderr if err else sys.stdout, flush=True)
    except (BrokenPipeError, OSError):
        pass


def _write_private(path: pathlib.Path, text: str) -> None:
    """Write a file only its owner can read (keys, passwords)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


def _tail(path: pathlib.Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()[-lines:]
    except FileNotFoundError:
        return "(no log written)"
    return "\n".join("    " + line for line in text) or "    (log is empty)"


def parse_replicas(items) -> dict[str, int]:
    """`["marketplace=3", "identity=2,x=1"]` -> {"marketplace": 3, "identity": 2, "x": 1}."""
    counts: dict[str, int] = {}
    for item in items:
        for part in filter(None, (p.strip() for p in item.split(","))):
            name, _, count = part.partition("=")
            try:
                counts[name.strip()] = int(count)
            except ValueError:
                raise StartupError(f"replica count {part!r} is not NAME=N") from None
    return counts


def start_order(topology: mesh_topology.Topology) -> list[str]:
    """Services with the ones they call first (topology order where there is no dependency)."""
    order: list[str] = []

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in order or name in trail:
            return  # done, or a call cycle: start order cannot help, health checks will
        for callee in topology.services[name].calls:
            visit(callee, trail + (name,))
        order.append(name)

    for name in topology.services:
        visit(name, ())
    return order


def health_status(
    target: str, credentials: grpc.ChannelCredentials | None = None, service: str = "", timeout: float = 2.0
) -> str:
    """The gRPC health status name of `target` ("SERVING" ...), or the error code's name."""
    channel = grpc.secure_channel(target, credentials) if credentials is not None else grpc.insecure_channel(target)
    with channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout
            )
        except grpc.RpcError as err:
            return err.code().name
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


def sidecar_command(sidecar: mesh_sidecar.Sidecar, log_level: str = "warning", concurrency: int = 1) -> list[str]:
    """The command line of a sidecar Envoy, with its own --base-id (several run on one host)."""
    return [
        str(pathlib.Path(sys.executable).with_name("envoy")),
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


def _signal_group(pid: int, sig: int) -> None:
    """Signal the process group led by `pid` (every child runs in its own); gone is fine."""
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _admin_ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/ready", timeout=2) as response:
            return response.read().decode().strip() == "LIVE"
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Proc:
    """One process `make up` runs: a service replica (`app`) or a replica's `sidecar`."""

    kind: str
    service: str
    replica: int
    command: list[str]
    env: dict[str, str]
    log: pathlib.Path
    ports: dict[str, int]
    process: Any = None  # subprocess.Popen once spawned
    restarts: list[float] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.service}-{self.replica}" + (" sidecar" if self.kind == "sidecar" else "")

    @property
    def pid(self) -> int:
        return self.process.pid if self.process else 0

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Platform:
    """Everything one `make up` started, and how to stop it again.

    Also used by the mesh tests and the benchmark to run the same processes
    on a relocated topology (`mesh.ports`).
    """

    def __init__(
        self,
        state: pathlib.Path,
        topology: mesh_topology.Topology,
        start_timeout: float = 90.0,
        image: pathlib.Path = IMAGE,
    ) -> None:
        self.state = pathlib.Path(state)
        self.topology = topology
        self.start_timeout = start_timeout
        self.image = image
        self.procs: list[Proc] = []
        self.sidecars: list[mesh_sidecar.Sidecar] = []
        self.mesh: mesh_certs.MeshCA | None = None
        self.edge: Any = None  # gateway.edge.RunningEdge once started
        self.edge_note = ""  # why there is no edge, when there is none
        self.embedded: dict[str, str] = {}  # kind -> where its data is
        self.env: dict[str, str] = {}
        self.database_url = ""
        self.redis_url = ""
        self.embedded_pids: dict[str, int] = {}
        self.mail_sink: Proc | None = None  # local SMTP server for the emails notifications sends
        (self.state / "logs").mkdir(parents=True, exist_ok=True)

    def show(self, path: pathlib.Path) -> str:
        try:
            return str(path.relative_to(pathlib.Path.cwd()))
        except ValueError:
            return str(path)

    # --- data stores and keys ------------------------------------------------

    def start_data(self) -> None:
        """PostgreSQL and Redis: the ones given in the environment, else embedded ones."""
        from services.runtime import embedded

        self.database_url = os.environ.get("DATABASE_URL", "").strip()
        if not self.database_url:
            directory = self.state / "pg"
            say(f"starting embedded PostgreSQL (data in {self.show(directory)}) ...")
            if directory.exists():
                embedded.forget_dead_handles(directory)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR not set
                server = embedded.database_server_url(directory)
            self.database_url = embedded.create_database(server, DATABASE_NAME)
            self.embedded["PostgreSQL"] = self.show(directory)
        self.redis_url = os.environ.get("REDIS_URL", "").strip()
        if not self.redis_url:
            directory = self.state / "redis"
            say(f"starting embedded Redis (data in {self.show(directory)}) ...")
            self.redis_url = embedded.redis_server_url(directory)
            self.embedded["Redis"] = self.show(directory)
        self.use_data(self.database_url, self.redis_url, self.master_keys())

    def use_data(self, database_url: str, redis_url: str, master_keys: str) -> None:
        """The database, Redis and master keys every replica gets."""
        self.database_url, self.redis_url = database_url, redis_url
        self.env.update({"DATABASE_URL": database_url, "REDIS_URL": redis_url, "IWORKZ_MASTER_KEYS": master_keys})

    def master_keys(self) -> str:
        """IWORKZ_MASTER_KEYS from the environment, else one generated once and kept in the state dir."""
        from services.runtime.fieldcrypt import new_master_key_spec, parse_master_keys

        given = os.environ.get("IWORKZ_MASTER_KEYS", "").strip()
        if given:
            return given
        path = self.state / "master-keys"
        if not path.exists():
            _write_private(path, new_master_key_spec("local-1") + "\n")
        spec = path.read_text().strip()
        parse_master_keys(spec)
        return spec

    def migrate(self) -> None:
        """Every service's pending migrations, before any replica starts."""
        from services.cli import migrate_service

        async def run() -> None:
            for name in start_order(self.topology):
                applied = await migrate_service(self.database_url, name)
                say(f"migrations of {name}: " + (", ".join(applied) if applied else "up to date"))

        asyncio.run(run())

    # --- ports, certificates, configs -------------------------------------------

    def check_ports(self) -> None:
        """Every port the topology needs must be free, else say which and why."""
        wanted = [(self.topology.edge.port, "edge"), (self.topology.edge.admin_port, "edge admin")]
        for s in self.topology.services.values():
            kinds = [k for k in s.ports if k != "egress" or s.calls]
            wanted += [(s.port(k, i), f"{s.name} replica {i} {k}") for i in range(s.replicas) for k in kinds]
        busy = [f"{port} ({what})" for port, what in wanted if not port_free(port)]
        if busy:
            raise StartupError(
                f"port {', '.join(busy[:5])}{' ...' if len(busy) > 5 else ''} is in use: is another "
                f"`make up` running (see {self.show(self.state / 'launcher.json')})? Or use a topology with "
                f"other ports (--topology)."
            )

    def start_mesh(self) -> None:
        """A fresh mesh CA, a certificate per identity, and every replica's sidecar config."""
        directory = self.state / "mesh"
        say(f"creating the mesh CA and SPIFFE certificates ({self.show(directory)}) ...")
        self.mesh = mesh_certs.for_topology(directory, self.topology)
        self.sidecars = mesh_sidecar.write(self.topology, directory, directory / "envoy", self.image)

    def credentials(self, identity: str) -> grpc.ChannelCredentials:
        """mTLS client credentials of a mesh identity (e.g. `edge`), trusting the mesh CA."""
        assert self.mesh is not None
        chain, key = self.mesh.identities[identity].read()
        return grpc.ssl_channel_credentials(self.mesh.ca_cert.read_bytes(), key, chain)

    def probe_identity(self, service: str) -> str | None:
        """An identity the service's sidecar lets in, for health checks: the edge's if it may call."""
        callers = self.topology.services[service].callers
        if not callers:
            return None
        return "edge" if "edge" in callers else callers[0]

    # --- processes --------------------------------------------------------------

    def app_env(self, service: mesh_topology.Service, replica: int) -> dict[str, str]:
        prefix = service.name.upper()
        env = {
            **os.environ,
            **self.env,
            f"{prefix}_GRPC_PORT": str(service.port("app", replica)),
            f"{prefix}_METRICS_PORT": str(service.port("metrics", replica)),
            "IWORKZ_TRUST_XFCC": "1",  # only the sidecar reaches the app from outside
            "PYTHONUNBUFFERED": "1",
        }
        for callee in service.calls:
            # Calls leave through this replica's own sidecar, with this service's identity.
            env[f"IWORKZ_{callee.upper()}_TARGET"] = f"{HOST}:{service.port('egress', replica)}"
        return env

    def spawn(self, proc: Proc) -> Proc:
        """Start (or restart) a process in its own process group, output to its log."""
        with open(proc.log, "ab" if proc.process else "wb") as out:
            # Own process group (session): Ctrl-C in the terminal reaches only the
            # launcher, which then stops everything in order.
            proc.process = subprocess.Popen(
                proc.command,
                cwd=REPO,
                env=proc.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.write_pids()
        return proc

    def start_mail_sink(self) -> None:
        """A local SMTP server keeping every email notifications sends, as .eml files in `<state>/mail`.

        Only when notifications runs and no real SMTP server is configured
        (NOTIFICATIONS_SMTP_HOST); IWORKZ_SMTP_SINK_PORT moves it (default 2525).
        """
        if "notifications" not in self.topology.services or os.environ.get("NOTIFICATIONS_SMTP_HOST"):
            return
        port = int(os.environ.get("IWORKZ_SMTP_SINK_PORT", "2525"))
        if not port_free(port):
            raise StartupError(f"port {port} (the local SMTP sink) is in use; set IWORKZ_SMTP_SINK_PORT")
        directory = self.state / "mail"
        say(f"starting the SMTP sink on {HOST}:{port} (emails kept in {self.show(directory)}) ...")
        self.mail_sink = self.spawn(
            Proc(
                "sink",
                "smtp-sink",
                0,
                [
                    sys.executable,
                    "-m",
                    "services.notifications.smtp_sink",
                    "--host",
                    HOST,
                    "--port",
                    str(port),
                    "--dir",
                    str(directory),
                ],
                {**os.environ},
                self.state / "logs" / "smtp-sink.log",
                {"smtp": port},
            )
        )
        deadline = time.monotonic() + 20
        while port_free(port):
            if not self.mail_sink.running() or time.monotonic() > deadline:
                raise StartupError(
                    f"the SMTP sink did not start. Last lines of {self.show(self.mail_sink.log)}:\n"
                    f"{_tail(self.mail_sink.log)}"
                )
            time.sleep(0.1)
        self.env.update({"NOTIFICATIONS_SMTP_HOST": HOST, "NOTIFICATIONS_SMTP_PORT": str(port)})

    def stop_mail_sink(self) -> None:
        if self.mail_sink is not None:
            self._terminate([self.mail_sink], 5)

    def start_apps(self) -> None:
        for name in start_order(self.topology):
            service = self.topology.services[name]
            for i in range(service.replicas):
                say(f"starting {name} replica {i} on {HOST}:{service.port('app', i)} ...")
                self.procs.append(
                    self.spawn(
                        Proc(
                            "app",
                            name,
                            i,
                            [sys.executable, "-m", f"services.{name}.main"],
                            self.app_env(service, i),
                            self.state / "logs" / f"{name}-{i}.log",
                            {"grpc": service.port("app", i), "metrics": service.port("metrics", i)},
                        )
                    )
                )

    def start_sidecars(self) -> None:
        for sidecar in self.sidecars:
            ports = {"inbound": sidecar.inbound_port, "admin": sidecar.admin_port}
            if sidecar.egress_port:
                ports["egress"] = sidecar.egress_port
            self.procs.append(
                self.spawn(
                    Proc(
                        "sidecar",
                        sidecar.service,
                        sidecar.replica,
                        sidecar_command(sidecar),
                        {**os.environ},
                        self.state / "logs" / f"{sidecar.name}.sidecar.log",
                        ports,
                    )
                )
            )
        say(f"started {len(self.sidecars)} sidecar Envoys")

    def proc(self, service: str, replica: int, kind: str = "app") -> Proc:
        return next(p for p in self.procs if (p.service, p.replica, p.kind) == (service, replica, kind))

    def is_ready(self, proc: Proc) -> tuple[bool, str]:
        """(ready, what was seen) for one process."""
        if proc.kind == "app":
            status = health_status(f"{HOST}:{proc.ports['grpc']}")
            return status == "SERVING", f"health {status}"
        if not _admin_ready(proc.ports["admin"]):
            return False, "admin not ready"
        probe = self.probe_identity(proc.service)
        if probe is None:
            return True, "ready (no caller may reach it)"
        status = health_status(f"{HOST}:{proc.ports['inbound']}", self.credentials(probe))
        return status == "SERVING", f"health through mTLS as {probe}: {status}"

    def wait_ready(self, procs: list[Proc]) -> None:
        """Until every process is ready; StartupError if one exits or the start timeout passes."""
        pending = list(procs)
        seen: dict[str, str] = {}
        deadline = time.monotonic() + self.start_timeout
        while pending:
            for proc in list(pending):
                code = proc.process.poll()
                if code is not None:
                    raise StartupError(
                        f"{proc.name} exited with status {code} while starting. "
                        f"Last lines of {self.show(proc.log)}:\n{_tail(proc.log)}"
                    )
                ready, seen[proc.name] = self.is_ready(proc)
                if ready:
                    pending.remove(proc)
            if not pending:
                return
            if time.monotonic() > deadline:
                proc = pending[0]
                raise StartupError(
                    f"{proc.name} not ready within {self.start_timeout:.0f} s "
                    f"({seen.get(proc.name, '')}). Last lines of {self.show(proc.log)}:\n"
                    f"{_tail(proc.log)}"
                )
            time.sleep(0.2)

    # --- EDGE: the one place the launcher meets the gateway package (gateway/) ---
    def start_edge(self) -> None:
        """Render and run the edge Envoy against every sidecar of the services it may call."""
        try:
            from envoy.tls import Credentials
            from gateway import edge as gateway_edge
            from gateway.render import UpstreamTls
        except ImportError as err:
            self.edge_note = f"the edge is not available ({err}); clients call the services directly"
            say(self.edge_note)
            return
        assert self.mesh is not None
        upstreams = {
            name: [(HOST, s.port("sidecar", i)) for i in range(s.replicas)]
            for name, s in self.topology.services.items()
            if "edge" in s.callers
        }
        # Through SDS files, like the sidecars: re-issued certificates reach the running edge.
        upstream_tls = UpstreamTls(
            Credentials.from_directory(self.mesh.directory, "edge"),
            spiffe_ids={name: self.topology.spiffe_id(name) for name in upstreams},
        )
        say(f"starting the edge on https://{HOST}:{self.topology.edge.port} ...")
        try:
            self.edge = gateway_edge.start(
                self.topology,
                self.image,
                upstreams,
                self.state / "edge",
                upstream_tls=upstream_tls,
                base_id=self.topology.edge.admin_port,
                ready_timeout=self.start_timeout,
                log_dir=self.state / "logs",
            )
        except gateway_edge.EdgeError as err:
            raise StartupError(f"the edge did not start: {err}") from None
        self.write_pids()
        self.wait_edge_serving()

    def edge_ssl(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.edge.ca)) if self.edge.ca else ssl.create_default_context()

    def wait_edge_serving(self) -> None:
        """Until a REST call through the edge and a sidecar is answered (the JWKS, public)."""
        deadline = time.monotonic() + self.start_timeout
        url = f"https://{HOST}:{self.edge.port}/.well-known/jwks.json"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5, context=self.edge_ssl()) as response:
                    if response.status == 200 and json.loads(response.read()).get("keys"):
                        return
            except (urllib.error.URLError, OSError, ValueError) as err:
                last = err
            if self.edge.process.poll() is not None or time.monotonic() > deadline:
                raise StartupError(
                    f"the edge does not answer {url} ({last}). Last lines of "
                    f"{self.show(self.edge.log)}:\n{_tail(self.edge.log)}"
                )
            time.sleep(0.3)

    def stop_edge(self) -> None:
        if self.edge is not None and self.edge.process.poll() is None:
            say(f"stopping the edge (pid {self.edge.pid}) ...")
            self.edge.stop()

    # --- the whole platform ---------------------------------------------------------

    def start(self, edge: bool = True) -> None:
        """Everything after the data stores: migrations, mesh, replicas, sidecars, edge; waits until healthy."""
        self.check_ports()
        self.migrate()
        self.start_mesh()
        self.start_mail_sink()
        self.start_apps()
        self.start_sidecars()
        self.wait_ready([p for p in self.procs if p.kind == "app"])
        say("every replica reports SERVING")
        self.wait_ready([p for p in self.procs if p.kind == "sidecar"])
        say("every sidecar is ready and passes health checks over mTLS")
        if edge:
            self.start_edge()
        self.write_env_file()

    def watch(self) -> None:
        """Until a signal arrives (Stop): restart what exits on its own, rotate certificates."""
        next_cert_check = time.monotonic() + CERT_CHECK_SECONDS
        while True:
            for proc in self.procs:
                if not proc.running():
                    self.recover(proc)
            if self.edge is not None and self.edge.process.poll() is not None:
                raise StartupError(
                    f"the edge exited with status {self.edge.process.returncode}. Last lines "
                    f"of {self.show(self.edge.log)}:\n{_tail(self.edge.log)}"
                )
            if time.monotonic() > next_cert_check:
                next_cert_check = time.monotonic() + CERT_CHECK_SECONDS
                self.rotate_certificates()
            time.sleep(0.5)

    def rotate_certificates(self, now=None) -> list[str]:
        """Re-issue the certificates past half their life; the Envoys reload them from their SDS files."""
        rotated = self.mesh.rotate_due(now) if self.mesh else []
        if rotated:
            say(f"re-issued the mesh certificates of {', '.join(rotated)}")
        return rotated

    def recover(self, proc: Proc) -> None:
        """Restart a process that exited on its own, unless it keeps doing so."""
        code = proc.process.returncode
        now = time.monotonic()
        proc.restarts = [t for t in proc.restarts if now - t < RESTART_WINDOW] + [now]
        if len(proc.restarts) > MAX_RESTARTS:
            raise StartupError(
                f"{proc.name} exited with status {code} {MAX_RESTARTS} times within "
                f"{RESTART_WINDOW:.0f} s. Last lines of {self.show(proc.log)}:\n{_tail(proc.log)}"
            )
        say(f"{proc.name} exited with status {code}; restarting it (see {self.show(proc.log)})")
        self.spawn(proc)

    def kill(self, proc: Proc, sig: int = signal.SIGKILL) -> None:
        """Signal one process's group and wait for it (tests: a replica or a sidecar dies)."""
        if proc.running():
            _signal_group(proc.pid, sig)
            proc.process.wait()

    def _terminate(self, procs: list[Proc], grace: float) -> None:
        """SIGTERM each process group, wait up to `grace` seconds, then SIGKILL what is left."""
        for proc in procs:
            if proc.running():
                say(f"stopping {proc.name} (pid {proc.pid}) ...")
                _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in procs:
            if proc.process is None:
                continue
            try:
                proc.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{proc.name} did not stop within {grace:.0f} s; killing it")
            # Also whatever the process may have started in its group.
            _signal_group(proc.pid, signal.SIGKILL)
            proc.process.wait()

    def stop(self) -> None:
        """Edge first; then per service (callers first) its replicas (drained), then its sidecars; then data.

        Every step runs even if an earlier one failed: nothing may be left behind.
        """
        drain = float(os.environ.get("IWORKZ_DRAIN_SECONDS", "10") or 10)
        steps = [("the edge", self.stop_edge)]
        for name in reversed(start_order(self.topology)):
            apps = [p for p in self.procs if p.service == name and p.kind == "app"]
            sidecars = [p for p in self.procs if p.service == name and p.kind == "sidecar"]
            steps.append((f"{name} replicas", functools.partial(self._terminate, apps, drain + 5)))
            steps.append((f"{name} sidecars", functools.partial(self._terminate, sidecars, 10)))
        steps.append(("the SMTP sink", self.stop_mail_sink))
        if self.embedded:
            steps.append(("embedded servers", self._stop_embedded))
        for what, step in steps:
            try:
                step()
            except Exception as err:
                say(f"could not stop {what} cleanly: {type(err).__name__}: {err}", err=True)
        self.write_pids(stopped=True)

    def _stop_embedded(self) -> None:
        from services.runtime import embedded

        say("stopping " + " and ".join(f"embedded {kind}" for kind in self.embedded) + " ...")
        embedded.stop_servers()

    # --- reports -------------------------------------------------------------------

    def write_pids(self, stopped: bool = False) -> None:
        from services.runtime import embedded

        if not stopped:
            self.embedded_pids = embedded.server_pids()
        services: dict[str, dict] = {}
        for proc in self.procs:
            entry = services.setdefault(proc.service, {"replicas": []})
            while len(entry["replicas"]) <= proc.replica:
                entry["replicas"].append({})
            replica = entry["replicas"][proc.replica]
            if proc.kind == "app":
                replica.update(
                    {
                        "pid": proc.pid,
                        "target": f"{HOST}:{proc.ports['grpc']}",
                        "metrics": f"http://{HOST}:{proc.ports['metrics']}/metrics",
                        "log": str(proc.log),
                    }
                )
            else:
                replica["sidecar"] = {
                    "pid": proc.pid,
                    "port": proc.ports["inbound"],
                    "egress": proc.ports.get("egress"),
                    "admin": f"http://{HOST}:{proc.ports['admin']}",
                    "log": str(proc.log),
                }
        report = {
            "launcher": os.getpid(),
            "state": "stopped" if stopped else "running",
            "services": services,
            "edge": (
                {
                    "pid": self.edge.pid,
                    "url": f"https://{HOST}:{self.edge.port}",
                    "admin": self.edge.admin_url,
                    "log": str(self.edge.log),
                }
                if self.edge
                else None
            ),
            "embedded": self.embedded_pids,
            "mail_sink": (
                {"pid": self.mail_sink.pid, "port": self.mail_sink.ports["smtp"], "log": str(self.mail_sink.log)}
                if self.mail_sink
                else None
            ),
        }
        (self.state / "launcher.json").write_text(json.dumps(report, indent=2) + "\n")

    def target(self, service: str) -> str:
        """The direct gRPC address of a service's first replica (operator commands, demo loading)."""
        return f"{HOST}:{self.topology.services[service].port('app', 0)}"

    def write_env_file(self) -> None:
        lines = [
            "# Written by `make up`: `source` it to point `iworkz` commands at the local platform.",
            f"export DATABASE_URL={shlex.quote(self.database_url)}",
            f"export REDIS_URL={shlex.quote(self.redis_url)}",
            f"export IWORKZ_MASTER_KEYS={shlex.quote(self.env['IWORKZ_MASTER_KEYS'])}",
        ]
        lines += [f"export IWORKZ_{name.upper()}_TARGET={self.target(name)}" for name in self.topology.services]
        _write_private(self.state / "env", "\n".join(lines) + "\n")


# --- what happens once the services are up ---------------------------------------


async def ensure_admin(state: pathlib.Path, database_url: str) -> tuple[str, str]:
    """Create admin@iworkz.local if missing; return ("created" or "exists", its password or "").

    The password is IWORKZ_ADMIN_PASSWORD, or generated once and kept in the
    state directory; "" when the admin was created before this state directory.
    """
    from services.cli import create_admin
    from services.runtime.errors import AlreadyExists

    path = state / "admin-password"
    known = os.environ.get("IWORKZ_ADMIN_PASSWORD", "") or (path.read_text().strip() if path.exists() else "")
    password = known or secrets.token_urlsafe(15)
    try:
        await create_admin(database_url, ADMIN_EMAIL, ADMIN_DISPLAY_NAME, password, actor="launcher")
    except AlreadyExists:
        return "exists", known
    if not os.environ.get("IWORKZ_ADMIN_PASSWORD"):
        _write_private(path, password + "\n")
    return "created", password


async def check_admin(identity_target: str, password: str) -> str:
    from iworkz.auth.v1 import access_pb2
    from iworkz.identity.v1 import identity_pb2
    from iworkz.sdk import Client

    async with Client(identity_target) as client:
        await client.login(ADMIN_EMAIL, password)
        admins = await client.identity.ListUsers(identity_pb2.ListUsersRequest(role=access_pb2.ROLE_ADMIN))
    if ADMIN_EMAIL not in {u.email for u in admins.users}:
        raise StartupError("the admin logged in but ListUsers(role=admin) does not list it")
    return f"{ADMIN_EMAIL} logs in and lists the admins"


def check_metrics(proc: Proc) -> str:
    url = f"http://{HOST}:{proc.ports['metrics']}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:
        body = response.read().decode()
    if response.status != 200 or "# TYPE" not in body:
        raise StartupError(f"{url} did not serve Prometheus metrics")
    return f"{url} serves metrics"


def check_mesh_policy(platform: Platform) -> list[str]:
    """Each sidecar refuses plaintext and lets in only the topology's callers."""
    checked = []
    for sidecar in platform.sidecars:
        target = f"{HOST}:{sidecar.inbound_port}"
        status = health_status(target)
        if status != "UNAVAILABLE":
            raise StartupError(f"{sidecar.name}'s sidecar answered a plaintext call: {status}")
        service = platform.topology.services[sidecar.service]
        assert platform.mesh is not None
        outsiders = [n for n in platform.mesh.identities if n not in service.callers]
        if outsiders:
            status = health_status(target, platform.credentials(outsiders[0]))
            if status != "PERMISSION_DENIED":
                raise StartupError(
                    f"{sidecar.name}'s sidecar let {outsiders[0]} in ({status}), which the topology does not allow"
                )
        checked.append(
            f"{sidecar.name} sidecar refuses plaintext"
            + (f" and {outsiders[0]} (PERMISSION_DENIED)" if outsiders else "")
        )
    return checked


def check_edge_rest(platform: Platform) -> str:
    url = f"https://{HOST}:{platform.edge.port}/v1/jobs:search?prefecture=JP-27"
    with urllib.request.urlopen(url, timeout=10, context=platform.edge_ssl()) as response:
        body = json.loads(response.read())
    if not body.get("jobs"):
        raise StartupError(f"GET {url} found no jobs: {body}")
    return f"REST through the edge and the mesh: GET /v1/jobs:search finds {len(body['jobs'])} jobs in Osaka"


def check_live_notifications(platform: Platform) -> list[str]:
    """An application status change reaches Subscribe (gRPC and SSE) and the mail sink, through the edge."""
    if platform.edge is None or "notifications" not in platform.topology.services:
        return []
    from services.demo.live import application_goes_live

    mail_dir = platform.state / "mail" if platform.mail_sink is not None else None
    return asyncio.run(application_goes_live(f"{HOST}:{platform.edge.port}", str(platform.edge.ca), mail_dir))


def check_sdk_example(example: str) -> str:
    run = subprocess.run([sys.executable, "-"], input=example, text=True, capture_output=True, cwd=REPO, timeout=60)
    if run.returncode != 0 or "JPY" not in run.stdout:
        raise StartupError(f"the printed SDK example failed:\n{run.stdout}\n{run.stderr}")
    return "the printed SDK example runs"


def sdk_example(platform: Platform) -> str:
    from services.demo.dataset import DEMO_PASSWORD

    worker = "budi.santoso@example.com"
    if platform.edge is None:
        return SDK_EXAMPLE_DIRECT.format(
            identity=platform.target("identity"),
            marketplace=platform.target("marketplace"),
            worker=worker,
            password=DEMO_PASSWORD,
        )
    return SDK_EXAMPLE.format(
        imports="import grpc\n",
        channel=", credentials=EDGE_TLS",
        credentials=f"# The edge presents a certificate from the development CA of `make up`.\n"
        f'EDGE_TLS = grpc.ssl_channel_credentials(open("{platform.edge.ca}", "rb").read())\n',
        target=f"{HOST}:{platform.edge.port}",
        worker=worker,
        password=DEMO_PASSWORD,
    )


def banner(platform: Platform, admin: tuple[str, str], report, example: str, check: bool) -> str:
    from services.cli import describe_demo

    show = platform.show
    rows = []
    if platform.edge is not None:
        url = f"https://{HOST}:{platform.edge.port}"
        rows += [
            f"  {'edge':<12} {url}   REST/JSON, gRPC-web and gRPC over TLS   pid {platform.edge.pid}",
            f"  {'':<12} {url}/docs   API docs,  {url}/openapi.json",
            f"  {'':<12} gRPC target {HOST}:{platform.edge.port}  (TLS; trust {show(platform.edge.ca)})",
        ]
    else:
        rows.append(f"  {'edge':<12} not running: {platform.edge_note}")
    apps = [p for p in platform.procs if p.kind == "app"]
    width = max([12, *(len(f"{p.service} {p.replica}") for p in apps)])
    for proc in apps:
        side = platform.proc(proc.service, proc.replica, "sidecar")
        rows.append(
            f"  {proc.service + ' ' + str(proc.replica):<{width}} app grpc://{HOST}:{proc.ports['grpc']}"
            f"  sidecar {HOST}:{side.ports['inbound']} (mTLS)"
            + (f"  egress {HOST}:{side.ports['egress']}" if "egress" in side.ports else "")
            + f"  metrics http://{HOST}:{proc.ports['metrics']}/metrics   pids {proc.pid}, {side.pid}"
        )
    if platform.mail_sink is not None:
        rows.append(
            f"  {'mail':<12} SMTP sink smtp://{HOST}:{platform.mail_sink.ports['smtp']}, emails in "
            f"{show(platform.state / 'mail')}/ (list: {show(REPO / '.venv/bin/python')} -m "
            f"services.notifications.smtp_sink --dir {show(platform.state / 'mail')} --list)"
        )
    for kind in ("PostgreSQL", "Redis"):
        where = f"embedded, data in {platform.embedded[kind]}" if kind in platform.embedded else "from the environment"
        rows.append(f"  {kind:<12} {where}")
    rows.append(
        f"  {'mesh':<12} CA and SPIFFE certificates in {show(platform.state / 'mesh')} "
        f"({platform.topology.spiffe_id('<service>')}), re-issued every "
        f"{mesh_certs.WORKLOAD_LIFETIME.total_seconds() * mesh_certs.ROTATE_AFTER / 3600:g} h"
    )
    rows.append(
        f"  {'logs':<12} {show(platform.state / 'logs')}/ ("
        + ", ".join(p.log.name for p in platform.procs[:2])
        + ", ...)"
    )
    env_file = show(platform.state / "env")
    iworkz = show(REPO / ".venv/bin/iworkz")
    curl: list[str] = []
    if platform.edge is not None:
        curl = [
            "Try it with curl:",
            f"  curl --cacert {show(platform.edge.ca)} "
            f"'https://localhost:{platform.edge.port}/v1/jobs:search?prefecture=JP-27'",
            "",
        ]
    return "\n".join(
        [
            "",
            "iWORKZ is up.",
            "",
            *rows,
            "",
            f"Admin: {ADMIN_EMAIL}  password: "
            + (admin[1] or "(set before this state directory existed; not known here)"),
            "",
            describe_demo(report),
            "",
            *curl,
            "Try it with the Python SDK (paste into a shell):",
            f"{show(REPO / '.venv/bin/python')} - <<'EOF'",
            example.rstrip(),
            "EOF",
            "",
            "Operator commands:",
            f"  source {env_file}",
            f"  {iworkz} demo          # load the demo data again (idempotent)",
            f"  {iworkz} create-admin --email you@example.com --display-name 'You'",
            f"  {iworkz} keys rotate-data-key --service marketplace",
            f"  {iworkz} migrate --service all",
            "",
            "Stopping after the checks (--check)." if check else "Ctrl-C to stop.",
            "",
        ]
    )


async def populate(platform: Platform, check: bool):
    """Admin, demo data and, with --check, the end-to-end checks (direct to the first replicas)."""
    from services.demo import load

    identity, marketplace = platform.target("identity"), platform.target("marketplace")
    admin = await ensure_admin(platform.state, platform.database_url)
    say("loading demo data through the SDK ...")
    report = await load.load(identity, marketplace, say=lambda line: say("  " + line))
    checks: list[str] = []
    if check:
        checks += await load.verify(identity, marketplace)
        if admin[1]:
            checks.append(await check_admin(identity, admin[1]))
        again = await load.load(identity, marketplace, say=lambda line: None)
        if not again.already_loaded:
            raise StartupError(f"loading the demo twice created more: {again.created}")
        checks.append("loading the demo data again creates nothing")
    return admin, report, checks


def implemented(name: str) -> bool:
    """Whether `services/<name>/main.py` exists (the topology may list services still to come)."""
    try:
        return importlib.util.find_spec(f"services.{name}.main") is not None
    except ModuleNotFoundError:  # no services/<name>/ package at all
        return False


def runnable(topology: mesh_topology.Topology) -> mesh_topology.Topology:
    """The topology without the services that have no code here yet (and without calls to them)."""
    missing = [name for name in topology.services if not implemented(name)]
    if not missing:
        return topology
    say(f"not started (not implemented yet): {', '.join(missing)}")
    return topology.without(missing)


def load_topology(path: str, replicas: dict[str, int]) -> mesh_topology.Topology:
    try:
        topology = mesh_topology.load(path)
        unknown = sorted(set(replicas) - set(topology.services))
        if unknown:
            raise StartupError(f"--replicas names no service of the topology: {', '.join(unknown)}")
        topology = topology.with_replicas(replicas)
    except mesh_topology.TopologyError as err:
        raise StartupError(f"{path}: {err}") from None
    return runnable(topology)


def run(args) -> int:
    state = pathlib.Path(args.state_dir).resolve()
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    platform: Platform | None = None
    status = 0
    try:
        replicas = parse_replicas([os.environ.get("IWORKZ_REPLICAS", ""), *args.replicas])
        topology = load_topology(args.topology, replicas)
        platform = Platform(state, topology, args.start_timeout)
        platform.start_data()
        platform.start(edge=not args.no_edge)
        admin, report, checks = asyncio.run(populate(platform, args.check))
        example = sdk_example(platform)
        say(banner(platform, admin, report, example, args.check))
        if args.check:
            checks += [check_metrics(p) for p in platform.procs if p.kind == "app"]
            checks += check_mesh_policy(platform)
            if platform.edge is not None:
                checks.append(check_edge_rest(platform))
            checks.append(check_sdk_example(example))
            checks += check_live_notifications(platform)
            say("check passed:\n" + "\n".join(f"  ok  {line}" for line in checks))
            return 0
        platform.watch()
    except Stop as stop:
        say(f"\n{stop.args[0]} received")
    except StartupError as err:
        say(f"\nmake up failed: {err}", err=True)
        status = 1
    except Exception as err:
        import traceback

        traceback.print_exc()
        say(f"\nmake up failed: {type(err).__name__}: {err}", err=True)
        status = 1
    finally:
        # A second Ctrl-C must not cut the clean-up short and leave processes behind.
        signal.signal(signal.SIGINT, lambda *_: say("still stopping ..."))
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if platform is not None:
            platform.stop()
        say("stopped.")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.launcher", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="start, load and verify the demo data, then stop (exit 0 if everything works)",
    )
    parser.add_argument(
        "--state-dir",
        default=os.environ.get("IWORKZ_STATE_DIR") or str(REPO / ".iworkz"),
        help="where data, keys and logs live (default $IWORKZ_STATE_DIR or .iworkz/)",
    )
    parser.add_argument(
        "--topology",
        default=os.environ.get("IWORKZ_TOPOLOGY") or str(mesh_topology.DEFAULT_PATH),
        help="the topology file (default $IWORKZ_TOPOLOGY or mesh/topology.yaml)",
    )
    parser.add_argument(
        "--replicas",
        action="append",
        default=[],
        metavar="SERVICE=N",
        help="run N replicas of SERVICE (repeatable; also $IWORKZ_REPLICAS=a=2,b=3)",
    )
    parser.add_argument("--no-edge", action="store_true", help="run the services and the mesh, not the edge")
    parser.add_argument(
        "--start-timeout",
        type=float,
        default=120.0,
        help="seconds each step may take to become healthy (default %(default)s)",
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
