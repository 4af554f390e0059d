"""Platform and process supervision: everything one `make up` starts, watches and stops.

See `devstack/cli.py` for what runs in which order. Each process runs in its
own process group; `Platform.stop()` stops everything it started, by PID.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import pathlib
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass, field
from typing import Any

import grpc

import topology as mesh_topology
from devstack import containers as containers_mod
from devstack import embedded, envoy_runner, webapp
from devstack.console import StartupError, say, tail
from devstack.plan import start_order
from devstack.ports import port_free
from devstack.probes import HOST, admin_ready, health_status
from envoy.tls import Credentials
from gateway.render import UpstreamTls
from mesh import certs as mesh_certs
from mesh import sidecar as mesh_sidecar
from mesh.certs import write_atomic

REPO = pathlib.Path(__file__).resolve().parents[1]
IMAGE = REPO / "build" / "iworkz.binpb"
DATABASE_NAME = "iworkz"
CERT_CHECK_SECONDS = 60.0
# A process that exits on its own is restarted, unless it did so this often within RESTART_WINDOW.
MAX_RESTARTS = 3
RESTART_WINDOW = 300.0


def _any_free_port() -> int:
    """A free loopback port, for a helper whose default port another checkout already uses."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def keep_readable_chain_state(path: pathlib.Path) -> pathlib.Path | None:
    """anvil refuses to start on a state file it cannot parse (empty, or cut short when it was
    killed while writing). Such a file is moved aside, never deleted, and its new path returned;
    a readable file, or none, stays as it is (None)."""
    try:
        json.loads(path.read_bytes())
        return None
    except FileNotFoundError:
        return None
    except ValueError:
        aside = path.with_name(f"{path.stem}.unreadable-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.json")
        path.rename(aside)
        return aside


def write_private(path: pathlib.Path, text: str) -> None:
    """Write a file only its owner can read (keys, passwords)."""
    write_atomic(path, text.encode(), private=True)


def signal_group(pid: int, sig: int) -> None:
    """Signal the process group led by `pid` (every child runs in its own); gone is fine."""
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


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
    cwd: pathlib.Path | None = None  # where it runs (default: the repository)
    container: str = ""  # its container's name (make up-containers): stopped with podman

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
    on a relocated topology (`devstack.ports`).
    """

    def __init__(
        self,
        state: pathlib.Path,
        topology: mesh_topology.Topology,
        start_timeout: float = 90.0,
        image: pathlib.Path = IMAGE,
        mail_sink_port: int | None = None,
        web: bool = False,
        containers: containers_mod.Runner | None = None,
    ) -> None:
        self.state = pathlib.Path(state)
        # make up-containers: each replica, sidecar, the edge and the web app run from their images.
        self.containers = containers
        # The SMTP sink's port: given (tests: a free one), else IWORKZ_SMTP_SINK_PORT, else 2525.
        self.mail_sink_port = mail_sink_port or int(os.environ.get("IWORKZ_SMTP_SINK_PORT", "") or 2525)
        self.topology = topology
        self.start_timeout = start_timeout
        self.image = image
        self.procs: list[Proc] = []
        self.sidecars: list[mesh_sidecar.Sidecar] = []
        self.mesh: mesh_certs.MeshCA | None = None
        self.edge: envoy_runner.RunningEdge | None = None
        self.edge_note = "not started yet"  # why there is no edge, when there is none
        self.embedded: dict[str, str] = {}  # kind -> where its data is
        self.env: dict[str, str] = {}
        self.database_url = ""
        self.redis_url = ""
        self.embedded_pids: dict[str, int] = {}
        self.mail_sink: Proc | None = None  # local SMTP server for the emails notifications sends
        self.chain_node: Proc | None = None  # local EVM node (anvil) the credential engine anchors on
        self.mobile_web: Proc | None = None  # static server of the mobile app's web export
        # The web app (web/, Next.js) behind the edge: `make up` runs it when the topology has `web:`.
        self.with_web = web and topology.web is not None
        self.web: Proc | None = None
        (self.state / "logs").mkdir(parents=True, exist_ok=True)

    def show(self, path: pathlib.Path | None) -> str:
        """A path as the banner prints it: relative to the working directory when inside it."""
        if path is None:
            return "(none)"
        try:
            return str(path.relative_to(pathlib.Path.cwd()))
        except ValueError:
            return str(path)

    # --- data stores and keys ------------------------------------------------

    def start_data(self) -> None:
        """PostgreSQL and Redis: the ones given in the environment, else embedded ones."""
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
            write_private(path, new_master_key_spec("local-1") + "\n")
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
        if self.with_web and self.topology.web is not None:
            wanted.append((self.topology.web.port, "web"))
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
        if self.containers is not None:
            containers_mod.share(directory, skip=("ca-key.pem",))

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
                cwd=proc.cwd or REPO,
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
        port = self.mail_sink_port
        if not port_free(port):
            if os.environ.get("IWORKZ_SMTP_SINK_PORT"):
                raise StartupError(f"port {port} (the local SMTP sink) is in use; set IWORKZ_SMTP_SINK_PORT")
            port = _any_free_port()  # another checkout's make up (or its tests) has 2525
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
                    "devstack.smtp_sink",
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
                    f"{tail(self.mail_sink.log)}"
                )
            time.sleep(0.1)
        self.env.update({"NOTIFICATIONS_SMTP_HOST": HOST, "NOTIFICATIONS_SMTP_PORT": str(port)})

    def stop_mail_sink(self) -> None:
        if self.mail_sink is not None:
            self._terminate([self.mail_sink], 5)

    def start_mobile_web(self) -> None:
        """The mobile app's web export (built first when stale), served on IWORKZ_MOBILE_WEB_PORT.

        A build that fails is reported; the platform runs on without the app."""
        from devstack import mobile_web

        if not mobile_web.wanted():
            return
        log = self.state / "logs" / "mobile-web-build.log"
        if mobile_web.stale():
            say(f"building the mobile app's web export (expo export; log {self.show(log)}) ...")
            try:
                mobile_web.build(log)
            except RuntimeError as err:
                say(f"the mobile app's web export is not served: {err}", err=True)
                return
        port = mobile_web.port()
        if not port_free(port):
            if os.environ.get("IWORKZ_MOBILE_WEB_PORT"):
                raise StartupError(f"port {port} (the mobile app) is in use; set IWORKZ_MOBILE_WEB_PORT")
            port = _any_free_port()
        self.mobile_web = self.spawn(
            Proc(
                "web",
                "mobile-web",
                0,
                mobile_web.serve_command(port),
                mobile_web.node_env(),
                self.state / "logs" / "mobile-web.log",
                {"http": port},
            )
        )
        deadline = time.monotonic() + 20
        while port_free(port):
            if not self.mobile_web.running() or time.monotonic() > deadline:
                raise StartupError(f"the mobile app's server did not start:\n{tail(self.mobile_web.log)}")
            time.sleep(0.1)

    def stop_mobile_web(self) -> None:
        if self.mobile_web is not None:
            self._terminate([self.mobile_web], 5)

    def start_chain_node(self) -> None:
        """A local EVM node for the credential engine's anchoring: anvil from the npm
        `@foundry-rs/anvil` package (installed from its lockfile), its chain kept in
        `<state>/chain/anvil-state.json` across restarts.

        Only when credentials runs and no chain is configured (CREDENTIALS_CHAIN_URL);
        IWORKZ_ANVIL_PORT moves it (default 8545). Credential URLs (issuer did:web hosts,
        status lists) name the edge: CREDENTIALS_PUBLIC_URL, default https://localhost:<edge port>.
        """
        if "credentials" not in self.topology.services:
            return
        self.env.setdefault("CREDENTIALS_PUBLIC_URL", f"https://localhost:{self.topology.edge.port}")
        if os.environ.get("CREDENTIALS_CHAIN_URL"):
            return
        from services.credentials import node_packages

        port = int(os.environ.get("IWORKZ_ANVIL_PORT", "8545"))
        if not port_free(port):
            if os.environ.get("IWORKZ_ANVIL_PORT"):
                raise StartupError(f"port {port} (the local chain node) is in use; set IWORKZ_ANVIL_PORT")
            port = _any_free_port()  # another checkout's chain node has 8545
        directory = self.state / "chain"
        directory.mkdir(parents=True, exist_ok=True)
        moved = keep_readable_chain_state(directory / "anvil-state.json")
        if moved is not None:
            say(f"the chain state could not be read; kept as {self.show(moved)}, starting a new chain")
        say(f"starting a local chain node (anvil) on {HOST}:{port} (state in {self.show(directory)}) ...")
        command = [
            node_packages.anvil(),
            "--host",
            HOST,
            "--port",
            str(port),
            "--hardfork",
            "cancun",
            "--state",
            str(directory / "anvil-state.json"),
            "--state-interval",
            "10",
        ]
        self.chain_node = self.spawn(
            Proc("chain", "anvil", 0, command, {**os.environ}, self.state / "logs" / "anvil.log", {"rpc": port})
        )
        deadline = time.monotonic() + 30
        while port_free(port):
            if not self.chain_node.running() or time.monotonic() > deadline:
                raise StartupError(
                    f"the chain node did not start. Last lines of {self.show(self.chain_node.log)}:\n"
                    f"{tail(self.chain_node.log)}"
                )
            time.sleep(0.1)
        self.env["CREDENTIALS_CHAIN_URL"] = f"http://{HOST}:{port}"

    def stop_chain_node(self) -> None:
        if self.chain_node is not None:
            self._terminate([self.chain_node], 10)  # SIGTERM: anvil writes its state first

    def start_apps(self) -> None:
        for name in start_order(self.topology):
            service = self.topology.services[name]
            for i in range(service.replicas):
                say(f"starting {name} replica {i} on {HOST}:{service.port('app', i)} ...")
                proc = Proc(
                    "app",
                    name,
                    i,
                    [sys.executable, "-m", service.main_module],
                    self.app_env(service, i),
                    self.state / "logs" / f"{name}-{i}.log",
                    {"grpc": service.port("app", i), "metrics": service.port("metrics", i)},
                )
                if self.containers is not None:
                    self.containerize_app(proc)
                self.procs.append(self.spawn(proc))

    def containerize_app(self, proc: Proc) -> None:
        """The replica as its image's container: the platform's environment only, the embedded data
        stores' sockets, the agent's caches (built at its first start) in the same folder `make up`
        keeps them in."""
        runner = self.containers
        assert runner is not None
        env = runner.service_env(proc.service, proc.env, self.env)
        # The embedded PostgreSQL and Redis listen on unix sockets only.
        mounts = runner.data_socket_mounts(self.database_url, self.redis_url)
        if proc.service == "agent":
            data = REPO / ".iworkz" / "agent"
            data.mkdir(parents=True, exist_ok=True)
            containers_mod.share(data)
            mounts.append((data, "/var/lib/iworkz/agent", "rw"))
            env["AGENT_DATA_DIR"] = "/var/lib/iworkz/agent"
        what = f"{proc.service}-{proc.replica}"
        proc.command = runner.command(what, runner.image(proc.service), env, mounts=mounts)
        proc.container = runner.container_name(what)
        proc.env = containers_mod.podman_env()

    def start_sidecars(self) -> None:
        for sidecar in self.sidecars:
            ports = {"inbound": sidecar.inbound_port, "admin": sidecar.admin_port}
            if sidecar.egress_port:
                ports["egress"] = sidecar.egress_port
            proc = Proc(
                "sidecar",
                sidecar.service,
                sidecar.replica,
                envoy_runner.sidecar_command(sidecar),
                {**os.environ},
                self.state / "logs" / f"{sidecar.name}.sidecar.log",
                ports,
            )
            if self.containers is not None:
                # The edge image's Envoy (its entrypoint) with the same arguments; the mesh folder
                # (certificates as SDS files, the rendered config) at the same path.
                runner, what = self.containers, f"{sidecar.name}-sidecar"
                mesh = self.state / "mesh"
                proc.command = runner.command(
                    what, runner.image("edge"), {}, mounts=[(mesh, str(mesh), "ro")], args=proc.command[1:]
                )
                proc.container = runner.container_name(what)
                proc.env = containers_mod.podman_env()
            self.procs.append(self.spawn(proc))
        say(f"started {len(self.sidecars)} sidecar Envoys")

    def proc(self, service: str, replica: int, kind: str = "app") -> Proc:
        return next(p for p in self.procs if (p.service, p.replica, p.kind) == (service, replica, kind))

    def is_ready(self, proc: Proc) -> tuple[bool, str]:
        """(ready, what was seen) for one process."""
        if proc.kind == "app":
            status = health_status(f"{HOST}:{proc.ports['grpc']}")
            return status == "SERVING", f"health {status}"
        if not admin_ready(proc.ports["admin"]):
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
                        f"Last lines of {self.show(proc.log)}:\n{tail(proc.log)}"
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
                    f"{tail(proc.log)}"
                )
            time.sleep(0.2)

    # --- the edge ---------------------------------------------------------------------
    def start_edge(self) -> None:
        """Render and run the edge Envoy against every sidecar of the services it may call."""
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
        web = (HOST, self.topology.web.port) if self.with_web and self.topology.web is not None else None
        wrap = None
        log_dir = self.state / "logs"
        if self.containers is not None:
            runner = self.containers
            edge_dir, mesh, log_dir = self.state / "edge", self.state / "mesh", self.state / "logs" / "edge"
            log_dir.mkdir(parents=True, exist_ok=True)
            edge_dir.mkdir(parents=True, exist_ok=True)

            def wrap(command: list[str]) -> list[str]:
                # Rendered by now: the edge's files (config, TLS but the CA's key, logs) to its user.
                containers_mod.share(edge_dir, skip=("ca-key.pem",))
                containers_mod.share(log_dir)
                mounts = [(edge_dir, str(edge_dir), "rw"), (mesh, str(mesh), "ro"), (log_dir, str(log_dir), "rw")]
                return runner.command("edge", runner.image("edge"), {}, mounts=mounts, args=command[1:])

        try:
            self.edge = envoy_runner.start(
                self.topology,
                self.image,
                upstreams,
                self.state / "edge",
                upstream_tls=upstream_tls,
                web_upstream=web,
                base_id=self.topology.edge.admin_port,
                ready_timeout=self.start_timeout,
                log_dir=log_dir,
                wrap=wrap,
            )
        except envoy_runner.EdgeError as err:
            raise StartupError(f"the edge did not start: {err}") from None
        self.write_pids()
        self.wait_edge_serving()

    @property
    def running_edge(self) -> envoy_runner.RunningEdge:
        """The edge; StartupError when it does not run (--no-edge)."""
        if self.edge is None:
            raise StartupError(f"the edge is not running: {self.edge_note}")
        return self.edge

    def edge_ssl(self) -> ssl.SSLContext:
        ca = self.running_edge.ca
        return ssl.create_default_context(cafile=str(ca)) if ca else ssl.create_default_context()

    def wait_edge_serving(self) -> None:
        """Until a REST call through the edge and a sidecar is answered (the JWKS, public)."""
        edge = self.running_edge
        deadline = time.monotonic() + self.start_timeout
        url = f"https://{HOST}:{edge.port}/.well-known/jwks.json"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5, context=self.edge_ssl()) as response:
                    if response.status == 200 and json.loads(response.read()).get("keys"):
                        return
            except (urllib.error.URLError, OSError, ValueError) as err:
                last = err
            if edge.process.poll() is not None or time.monotonic() > deadline:
                raise StartupError(
                    f"the edge does not answer {url} ({last}). Last lines of {self.show(edge.log)}:\n{tail(edge.log)}"
                )
            time.sleep(0.3)

    # --- the web app ------------------------------------------------------------------
    def build_web(self) -> None:
        """npm ci, API types and `next build` of web/, each only when its inputs changed."""
        log = self.state / "logs" / "web-build.log"
        log.unlink(missing_ok=True)
        if not webapp.build(say, log):
            say("web: the build is up to date")

    def start_web(self) -> None:
        """`next start` on the topology's web port, calling the API through the edge; waits until the
        edge serves its home page."""
        assert self.topology.web is not None
        edge = self.running_edge
        port = self.topology.web.port
        say(f"starting the web app on http://{HOST}:{port} (served by the edge at {edge.url}/) ...")
        proc = Proc(
            "web",
            "web",
            0,
            webapp.command(port, HOST),
            webapp.env(f"https://{HOST}:{edge.port}", edge.ca),
            self.state / "logs" / "web.log",
            {"http": port},
            cwd=webapp.WEB,
        )
        if self.containers is not None:
            # The image's standalone server; Next's caches in a tmpfs (the pod's emptyDir).
            runner = self.containers
            env = {"PORT": str(port), "HOSTNAME": HOST, "IWORKZ_API_URL": f"https://{HOST}:{edge.port}"}
            mounts = []
            if edge.ca is not None:
                env["NODE_EXTRA_CA_CERTS"] = "/etc/iworkz/edge-ca.pem"
                mounts.append((edge.ca, "/etc/iworkz/edge-ca.pem", "ro"))
            proc.command = runner.command("web", runner.image("web"), env, mounts=mounts, tmpfs=("/app/.next/cache",))
            proc.container = runner.container_name("web")
            proc.env, proc.cwd = containers_mod.podman_env(), None
        self.web = self.spawn(proc)
        self.write_pids()
        deadline = time.monotonic() + self.start_timeout
        url = f"https://{HOST}:{edge.port}/"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=10, context=self.edge_ssl()) as response:
                    if response.status == 200 and "text/html" in response.headers.get("content-type", ""):
                        return
                    last: object = f"HTTP {response.status}"
            except (urllib.error.URLError, OSError) as err:
                last = err
            if not self.web.running() or time.monotonic() > deadline:
                raise StartupError(
                    f"the web app does not answer {url} ({last}). Last lines of {self.show(self.web.log)}:\n"
                    f"{tail(self.web.log)}"
                )
            time.sleep(0.5)

    def stop_edge(self) -> None:
        if self.edge is not None and self.edge.process.poll() is None:
            say(f"stopping the edge (pid {self.edge.pid}) ...")
            if self.containers is not None:
                self.containers.stop(self.containers.container_name("edge"), 10)
            self.edge.stop()

    # --- the whole platform ---------------------------------------------------------

    def start(self, edge: bool = True) -> None:
        """Everything after the data stores: migrations, mesh, replicas, sidecars, edge; waits until healthy."""
        self.check_ports()
        if self.containers is not None:
            # The edge image is also the sidecars' Envoy.
            web = ["web"] if self.with_web and edge else []
            self.containers.check_images([*self.topology.services, "edge", *web])
        elif self.with_web and edge:
            self.build_web()  # first: a broken build stops make up before anything runs
        self.migrate()
        self.start_mesh()
        self.start_mail_sink()
        self.start_chain_node()
        self.start_apps()
        self.start_sidecars()
        self.wait_ready([p for p in self.procs if p.kind == "app"])
        say("every replica reports SERVING")
        self.wait_ready([p for p in self.procs if p.kind == "sidecar"])
        say("every sidecar is ready and passes health checks over mTLS")
        if edge:
            self.start_edge()
            if self.with_web:
                self.start_web()
        else:
            self.edge_note = "started without the edge (--no-edge); clients call the services directly"
        self.write_env_file()

    def watch(self) -> None:
        """Until a signal arrives (Stop): restart what exits on its own, rotate certificates."""
        next_cert_check = time.monotonic() + CERT_CHECK_SECONDS
        while True:
            for proc in self.procs + ([self.web] if self.web else []):
                if not proc.running():
                    self.recover(proc)
            if self.edge is not None and self.edge.process.poll() is not None:
                raise StartupError(
                    f"the edge exited with status {self.edge.process.returncode}. Last lines "
                    f"of {self.show(self.edge.log)}:\n{tail(self.edge.log)}"
                )
            if time.monotonic() > next_cert_check:
                next_cert_check = time.monotonic() + CERT_CHECK_SECONDS
                self.rotate_certificates()
            time.sleep(0.5)

    def rotate_certificates(self, now=None) -> list[str]:
        """Re-issue the certificates past half their life; the Envoys reload them from their SDS files."""
        rotated = self.mesh.rotate_due(now) if self.mesh else []
        if rotated and self.containers is not None and self.mesh is not None:
            containers_mod.share(self.mesh.directory, skip=("ca-key.pem",))
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
                f"{RESTART_WINDOW:.0f} s. Last lines of {self.show(proc.log)}:\n{tail(proc.log)}"
            )
        say(f"{proc.name} exited with status {code}; restarting it (see {self.show(proc.log)})")
        self.spawn(proc)

    def kill(self, proc: Proc, sig: int = signal.SIGKILL) -> None:
        """Signal one process's group and wait for it (tests: a replica or a sidecar dies)."""
        if proc.running():
            signal_group(proc.pid, sig)
            proc.process.wait()

    def _terminate(self, procs: list[Proc], grace: float) -> None:
        """SIGTERM each process group, wait up to `grace` seconds, then SIGKILL what is left."""
        for proc in procs:
            if proc.running():
                say(f"stopping {proc.name} (pid {proc.pid}) ...")
                signal_group(proc.pid, signal.SIGTERM)
        if self.containers is not None:
            # podman passes the SIGTERM on; `podman stop` also ends a container whose client is gone.
            for proc in procs:
                if proc.container:
                    self.containers.stop(proc.container, grace)
        deadline = time.monotonic() + grace
        for proc in procs:
            if proc.process is None:
                continue
            try:
                proc.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{proc.name} did not stop within {grace:.0f} s; killing it")
            # Also whatever the process may have started in its group.
            signal_group(proc.pid, signal.SIGKILL)
            proc.process.wait()

    def stop(self) -> None:
        """Edge first; then per service (callers first) its replicas (drained), then its sidecars; then data.

        Every step runs even if an earlier one failed: nothing may be left behind.
        """
        drain = float(os.environ.get("IWORKZ_DRAIN_SECONDS", "10") or 10)
        steps = [("the mobile app's server", self.stop_mobile_web), ("the edge", self.stop_edge)]
        if self.web is not None:
            steps.append(("the web app", functools.partial(self._terminate, [self.web], 10)))
        for name in reversed(start_order(self.topology)):
            apps = [p for p in self.procs if p.service == name and p.kind == "app"]
            sidecars = [p for p in self.procs if p.service == name and p.kind == "sidecar"]
            steps.append((f"{name} replicas", functools.partial(self._terminate, apps, drain + 5)))
            steps.append((f"{name} sidecars", functools.partial(self._terminate, sidecars, 10)))
        steps.append(("the SMTP sink", self.stop_mail_sink))
        steps.append(("the chain node", self.stop_chain_node))
        if self.containers is not None:
            steps.append(("the containers", self.containers.remove_all))
        if self.embedded:
            steps.append(("embedded servers", self._stop_embedded))
        for what, step in steps:
            try:
                step()
            except Exception as err:
                say(f"could not stop {what} cleanly: {type(err).__name__}: {err}", err=True)
        self.write_pids(stopped=True)

    def _stop_embedded(self) -> None:
        say("stopping " + " and ".join(f"embedded {kind}" for kind in self.embedded) + " ...")
        embedded.stop_servers()

    # --- reports -------------------------------------------------------------------

    def write_pids(self, stopped: bool = False) -> None:
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
            "web": (
                {"pid": self.web.pid, "port": self.web.ports["http"], "log": str(self.web.log)} if self.web else None
            ),
            "embedded": self.embedded_pids,
            # make up-containers: the podman containers this launcher runs (removed when it stops)
            "containers": self.containers.names if self.containers is not None else [],
            "mail_sink": (
                {"pid": self.mail_sink.pid, "port": self.mail_sink.ports["smtp"], "log": str(self.mail_sink.log)}
                if self.mail_sink
                else None
            ),
            "chain_node": (
                {"pid": self.chain_node.pid, "port": self.chain_node.ports["rpc"], "log": str(self.chain_node.log)}
                if self.chain_node
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
        write_private(self.state / "env", "\n".join(lines) + "\n")
