"""`make up`: the whole platform on one machine, with demo data, until Ctrl-C.

    python -m services.launcher [--check] [--state-dir DIR]

State lives in `.iworkz/` at the repository root (or `--state-dir`): the
embedded PostgreSQL and Redis data (used when DATABASE_URL / REDIS_URL are
not set), the generated master key (`master-keys`, kept so that restarts
can decrypt earlier data), the admin password, service logs (rewritten at
each start), an `env` file to `source` for `iworkz` commands, and
`launcher.json` with the PIDs of everything started.

Each service runs as `python -m services.<name>.main` in its own process
group, configured by environment variables like in production, and counts
as started only when its gRPC health check says SERVING. On Ctrl-C or
SIGTERM every service is sent SIGTERM and given its drain time, then killed;
then the embedded servers stop. `--check` starts everything, loads and
verifies the demo data, runs the printed SDK example, and shuts down: exit
status 0 means `make up` works.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pathlib
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from dataclasses import dataclass

# The launcher forks (pg_ctl, the services) after using gRPC; it needs no gRPC in
# the forked children, so skip gRPC's fork handlers (and their warnings).
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

import grpc  # noqa: E402
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
ADMIN_EMAIL = "admin@iworkz.local"
ADMIN_DISPLAY_NAME = "iWORKZ Admin"
DATABASE_NAME = "iworkz"


@dataclass(frozen=True)
class LocalService:
    """A service as `make up` runs it; ports can be overridden by `<NAME>_GRPC_PORT` etc."""

    name: str
    grpc_port: int
    metrics_port: int

    def port(self, kind: str, env) -> int:
        variable = f"{self.name.upper()}_{kind.upper()}_PORT"
        raw = env.get(variable, "").strip()
        try:
            return int(raw) if raw else getattr(self, f"{kind}_port")
        except ValueError:
            raise StartupError(f"{variable} must be a port number, got {raw!r}") from None


# Start order: marketplace fetches identity's signing keys.
SERVICES = (LocalService("identity", 50051, 9101), LocalService("marketplace", 50052, 9102))

SDK_EXAMPLE = '''\
import asyncio
from iworkz.sdk import Client
from iworkz.marketplace.v1 import marketplace_pb2 as mp

async def main():
    # Searching jobs needs no login.
    async with Client("{marketplace}") as client:
        found = await client.marketplace.SearchJobs(mp.SearchJobsRequest(prefecture="JP-27"))
        for job in found.jobs:
            print(f"{{job.title}} | {{job.employer_display_name}} | {{job.wage_min.units:,}} JPY")
    # A worker logs in at identity and uses the token at marketplace.
    async with Client("{identity}") as identity:
        me = await identity.login("{worker}", "{password}")
        token = await identity.access_token()
    async with Client("{marketplace}", token=token) as client:
        mine = await client.marketplace.ListWorkerApplications(mp.ListWorkerApplicationsRequest(
            parent=me.user.name.replace("users/", "workers/")))
        for app in mine.applications:
            print(app.job_title, mp.ApplicationStatus.Name(app.status))

asyncio.run(main())
'''


class StartupError(Exception):
    """The platform could not start; the message says why (and shows a log tail)."""


class Stop(BaseException):
    """Raised by the SIGINT/SIGTERM handler; BaseException so nothing swallows it."""


def _raise_stop(signum, frame) -> None:
    raise Stop(signal.Signals(signum).name)


def _write_private(path: pathlib.Path, text: str) -> None:
    """Write a file only its owner can read (keys, passwords)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
            return True
        except OSError:
            return False


def _tail(path: pathlib.Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()[-lines:]
    except FileNotFoundError:
        return "(no log written)"
    return "\n".join("    " + line for line in text) or "    (log is empty)"


@dataclass
class Child:
    service: LocalService
    process: subprocess.Popen
    grpc_port: int
    metrics_port: int
    log: pathlib.Path

    @property
    def target(self) -> str:
        return f"{HOST}:{self.grpc_port}"


class Platform:
    """Everything one `make up` started, and how to stop it again."""

    def __init__(self, state: pathlib.Path, start_timeout: float) -> None:
        self.state = state
        self.start_timeout = start_timeout
        self.children: list[Child] = []
        self.embedded: dict[str, str] = {}  # kind -> where its data is
        self.env: dict[str, str] = {}
        self.database_url = ""
        self.redis_url = ""
        self.embedded_pids: dict[str, int] = {}

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
            print(f"starting embedded PostgreSQL (data in {self.show(directory)}) ...", flush=True)
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
            print(f"starting embedded Redis (data in {self.show(directory)}) ...", flush=True)
            self.redis_url = embedded.redis_server_url(directory)
            self.embedded["Redis"] = self.show(directory)

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

    # --- services ---------------------------------------------------------------

    def start_service(self, service: LocalService) -> Child:
        grpc_port = service.port("grpc", os.environ)
        metrics_port = service.port("metrics", os.environ)
        for port, kind in ((grpc_port, "grpc"), (metrics_port, "metrics")):
            if not _port_free(port):
                raise StartupError(
                    f"port {port} ({service.name} {kind}) is in use: is another `make up` running "
                    f"(see {self.show(self.state / 'launcher.json')})? Or set "
                    f"{service.name.upper()}_{kind.upper()}_PORT.")
        env = {**os.environ, **self.env,
               f"{service.name.upper()}_GRPC_PORT": str(grpc_port),
               f"{service.name.upper()}_METRICS_PORT": str(metrics_port),
               "PYTHONUNBUFFERED": "1"}
        log = self.state / "logs" / f"{service.name}.log"
        with open(log, "wb") as out:
            # Own process group (session): Ctrl-C in the terminal reaches only the
            # launcher, which then drains the services in order.
            process = subprocess.Popen(
                [sys.executable, "-m", f"services.{service.name}.main"], cwd=REPO, env=env,
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        child = Child(service, process, grpc_port, metrics_port, log)
        self.children.append(child)
        self.write_pids()
        return child

    def wait_healthy(self, child: Child) -> None:
        """Until the gRPC health check of `child` says SERVING; StartupError if it dies or times out."""
        deadline = time.monotonic() + self.start_timeout
        with grpc.insecure_channel(child.target) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while True:
                code = child.process.poll()
                if code is not None:
                    raise StartupError(f"{child.service.name} exited with status {code} while starting. "
                                       f"Last lines of {self.show(child.log)}:\n{_tail(child.log)}")
                try:
                    reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                if time.monotonic() > deadline:
                    raise StartupError(f"{child.service.name} did not report SERVING within "
                                       f"{self.start_timeout:.0f} s. Last lines of {self.show(child.log)}:\n"
                                       f"{_tail(child.log)}")
                time.sleep(0.2)

    def watch(self) -> None:
        """Block until a service exits on its own (StartupError) or a signal arrives (Stop)."""
        while True:
            for child in self.children:
                code = child.process.poll()
                if code is not None:
                    raise StartupError(f"{child.service.name} exited with status {code}. Last lines of "
                                       f"{self.show(child.log)}:\n{_tail(child.log)}")
            time.sleep(0.5)

    def stop(self) -> None:
        """SIGTERM each service (last started first), wait for its drain, kill it if it hangs."""
        drain = float(os.environ.get("IWORKZ_DRAIN_SECONDS", "10") or 10)
        for child in reversed(self.children):
            process = child.process
            if process.poll() is None:
                print(f"stopping {child.service.name} (pid {process.pid}) ...", flush=True)
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(drain + 5)
                except subprocess.TimeoutExpired:
                    print(f"{child.service.name} did not stop within {drain + 5:.0f} s; killing it", flush=True)
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        if self.embedded:
            from services.runtime import embedded

            print("stopping " + " and ".join(f"embedded {kind}" for kind in self.embedded) + " ...", flush=True)
            embedded.stop_servers()
        self.write_pids(stopped=True)

    def write_pids(self, stopped: bool = False) -> None:
        from services.runtime import embedded

        if not stopped:
            self.embedded_pids = embedded.server_pids()
        report = {
            "launcher": os.getpid(),
            "state": "stopped" if stopped else "running",
            "services": {c.service.name: {"pid": c.process.pid, "target": c.target,
                                          "metrics": f"http://{HOST}:{c.metrics_port}/metrics",
                                          "log": str(c.log)} for c in self.children},
            "embedded": self.embedded_pids,
        }
        (self.state / "launcher.json").write_text(json.dumps(report, indent=2) + "\n")

    def write_env_file(self) -> None:
        identity, marketplace = (self.by_name(n).target for n in ("identity", "marketplace"))
        lines = ["# Written by `make up`: `source` it to point `iworkz` commands at the local platform.",
                 f"export DATABASE_URL={shlex.quote(self.database_url)}",
                 f"export REDIS_URL={shlex.quote(self.redis_url)}",
                 f"export IWORKZ_MASTER_KEYS={shlex.quote(self.env['IWORKZ_MASTER_KEYS'])}",
                 f"export IWORKZ_IDENTITY_TARGET={identity}",
                 f"export IWORKZ_MARKETPLACE_TARGET={marketplace}"]
        _write_private(self.state / "env", "\n".join(lines) + "\n")

    def by_name(self, name: str) -> Child:
        return next(c for c in self.children if c.service.name == name)


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


def check_metrics(child: Child) -> str:
    url = f"http://{HOST}:{child.metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:
        body = response.read().decode()
    if response.status != 200 or "# TYPE" not in body:
        raise StartupError(f"{url} did not serve Prometheus metrics")
    return f"{url} serves metrics"


def check_sdk_example(example: str) -> str:
    run = subprocess.run([sys.executable, "-"], input=example, text=True, capture_output=True, cwd=REPO,
                         timeout=60)
    if run.returncode != 0 or "JPY" not in run.stdout:
        raise StartupError(f"the printed SDK example failed:\n{run.stdout}\n{run.stderr}")
    return "the printed SDK example runs"


def banner(platform: Platform, admin: tuple[str, str], report, example: str, check: bool) -> str:
    from services.cli import describe_demo

    show = platform.show
    rows = [f"  {c.service.name:<12} grpc://{c.target:<17} metrics http://{HOST}:{c.metrics_port}/metrics"
            f"   pid {c.process.pid}" for c in platform.children]
    for kind in ("PostgreSQL", "Redis"):
        where = f"embedded, data in {platform.embedded[kind]}" if kind in platform.embedded else "from the environment"
        rows.append(f"  {kind:<12} {where}")
    rows.append(f"  {'logs':<12} " + ", ".join(show(c.log) for c in platform.children))
    env_file = show(platform.state / "env")
    iworkz = show(REPO / ".venv/bin/iworkz")
    return "\n".join([
        "", "iWORKZ is up.", "", *rows, "",
        f"Admin: {ADMIN_EMAIL}  password: "
        + (admin[1] or "(set before this state directory existed; not known here)"), "",
        describe_demo(report), "",
        "Try it with the Python SDK (paste into a shell):",
        f"{show(REPO / '.venv/bin/python')} - <<'EOF'",
        example.rstrip(),
        "EOF", "",
        "Operator commands:",
        f"  source {env_file}",
        f"  {iworkz} demo          # load the demo data again (idempotent)",
        f"  {iworkz} create-admin --email you@example.com --display-name 'You'",
        f"  {iworkz} keys rotate-data-key --service marketplace",
        f"  {iworkz} migrate --service all", "",
        "Stopping after the checks (--check)." if check else "Ctrl-C to stop.", ""])


async def populate(platform: Platform, check: bool):
    """Admin, demo data and, with --check, the end-to-end checks."""
    from services.demo import load

    identity = platform.by_name("identity").target
    marketplace = platform.by_name("marketplace").target
    admin = await ensure_admin(platform.state, platform.database_url)
    print("loading demo data through the SDK ...", flush=True)
    report = await load.load(identity, marketplace, say=lambda line: print("  " + line, flush=True))
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


def run(args) -> int:
    state = pathlib.Path(args.state_dir).resolve()
    (state / "logs").mkdir(parents=True, exist_ok=True)
    platform = Platform(state, args.start_timeout)
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    status = 0
    try:
        platform.start_data()
        platform.env = {"DATABASE_URL": platform.database_url, "REDIS_URL": platform.redis_url,
                        "IWORKZ_MASTER_KEYS": platform.master_keys()}
        for service in SERVICES:
            print(f"starting {service.name} ...", flush=True)
            child = platform.start_service(service)
            platform.wait_healthy(child)
            if service.name == "identity":
                platform.env["IWORKZ_IDENTITY_TARGET"] = child.target
        platform.write_env_file()
        admin, report, checks = asyncio.run(populate(platform, args.check))
        from services.demo.dataset import DEMO_PASSWORD

        example = SDK_EXAMPLE.format(identity=platform.by_name("identity").target,
                                     marketplace=platform.by_name("marketplace").target,
                                     worker="budi.santoso@example.com", password=DEMO_PASSWORD)
        print(banner(platform, admin, report, example, args.check), flush=True)
        if args.check:
            checks += [check_metrics(c) for c in platform.children]
            checks.append(check_sdk_example(example))
            print("check passed:\n" + "\n".join(f"  ok  {line}" for line in checks), flush=True)
            return 0
        platform.watch()
    except Stop as stop:
        print(f"\n{stop.args[0]} received", flush=True)
    except StartupError as err:
        print(f"\nmake up failed: {err}", file=sys.stderr, flush=True)
        status = 1
    except Exception as err:  # noqa: BLE001 - report anything else clearly, then still clean up
        import traceback

        traceback.print_exc()
        print(f"\nmake up failed: {type(err).__name__}: {err}", file=sys.stderr, flush=True)
        status = 1
    finally:
        # A second Ctrl-C must not cut the clean-up short and leave processes behind.
        signal.signal(signal.SIGINT, lambda *_: print("still stopping ...", flush=True))
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        platform.stop()
        print("stopped.", flush=True)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.launcher", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="start, load and verify the demo data, then stop (exit 0 if everything works)")
    parser.add_argument("--state-dir", default=os.environ.get("IWORKZ_STATE_DIR") or str(REPO / ".iworkz"),
                        help="where data, keys and logs live (default $IWORKZ_STATE_DIR or .iworkz/)")
    parser.add_argument("--start-timeout", type=float, default=90.0,
                        help="seconds each service may take to report SERVING (default %(default)s)")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
