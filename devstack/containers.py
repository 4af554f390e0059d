"""`make up-containers`: the same platform as `make up`, each process in its container image.

    python -m devstack --containers [--image-tag TAG] [--check]

Every service replica, every sidecar, the edge and the web app run from the images `make images`
builds (`localhost/iworkz/<name>:<tag>`, deploy/images) with podman, on the host network, so the
topology, the ports and the certificates are exactly those of `make up`; only how each process is
started changes (`podman run` instead of a child process). Like a pod under the prod overlay, each
container runs as the image's user (10001) with a read-only root filesystem and a tmpfs `/tmp`.
What a container reads from the launcher's state directory (the mesh certificates and rendered
Envoy configs, the edge's TLS files) is mounted at the same path, owned by that user. PostgreSQL,
Redis, the SMTP sink and the local chain node stay what `make up` uses (host servers, or embedded);
the embedded PostgreSQL and Redis listen on unix sockets only, so each socket file is mounted into the
service containers at its own path, owned by that user.

Containers are named `iworkz-<launcher pid>-<process>`; stopping the platform stops and removes
exactly those (`podman stop`, then `podman rm -f`), never other containers on the machine.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
from urllib.parse import parse_qs, urlsplit

from devstack.console import StartupError

REPO = pathlib.Path(__file__).resolve().parents[1]
CONTAINERS_CONF = REPO / "deploy" / "images" / "containers.conf"
PREFIX = "localhost/iworkz"
APP_UID = 10001
# What a service container takes from the launcher's own environment, besides what the platform
# sets: the platform's settings (`IWORKZ_*`) and the service's own (`<SERVICE>_*`).
PASSED_PREFIXES = ("IWORKZ_",)


def podman_env() -> dict[str, str]:
    return {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF)}


def podman(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["podman", "--runtime", "runc", *args], capture_output=True, text=True, timeout=timeout, env=podman_env()
    )


def share(path: pathlib.Path, skip: tuple[str, ...] = ()) -> None:
    """Give `path` (recursively) to the containers' user; root on the host still reads everything."""
    if not path.exists():
        return
    for item in [path, *path.rglob("*")]:
        if item.name not in skip:
            os.chown(item, APP_UID, APP_UID, follow_symlinks=False)


def unix_sockets(database_url: str, redis_url: str) -> list[pathlib.Path]:
    """The unix socket files the data stores' URLs name: PostgreSQL's `?host=/dir` (the embedded
    server's `postgresql://postgres:@/iworkz?host=/dir`: its `.s.PGSQL.<port>` there) and Redis's
    `unix:///path`. Servers reached over TCP have none."""
    sockets: list[pathlib.Path] = []
    database = urlsplit(database_url)
    query = parse_qs(database.query)
    host = (query.get("host") or [""])[0]
    if host.startswith("/"):
        port = (query.get("port") or [""])[0] or str(database.port or 5432)
        sockets.append(pathlib.Path(host) / f".s.PGSQL.{port}")
    redis = urlsplit(redis_url)
    if redis.scheme == "unix":
        sockets.append(pathlib.Path(redis.path))
    return sockets


class Runner:
    """How `make up-containers` turns each process into a `podman run`."""

    def __init__(self, tag: str, state: pathlib.Path) -> None:
        self.tag = tag
        self.state = state
        self.names: list[str] = []
        self.env_dir = state / "containers"
        self.env_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.env_dir, 0o700)

    def image(self, name: str) -> str:
        return f"{PREFIX}/{name}:{self.tag}"

    def check_images(self, names: list[str]) -> None:
        missing = [self.image(n) for n in names if podman("image", "exists", self.image(n)).returncode != 0]
        if missing:
            raise StartupError(
                f"no image {', '.join(missing)}: build them first (make images, or "
                f"python -m deploy.images.build --tag {self.tag})"
            )

    def container_name(self, what: str) -> str:
        return f"iworkz-{os.getpid()}-{what}"

    def command(
        self,
        what: str,
        image: str,
        env: dict[str, str],
        *,
        mounts: list[tuple[pathlib.Path, str, str]] = (),  # type: ignore[assignment]
        tmpfs: tuple[str, ...] = (),
        args: list[str] | None = None,
    ) -> list[str]:
        """`podman run` in the foreground (its output is the process's log), removed when it stops.

        The environment goes through a private env file (never on the command line: it holds keys)."""
        name = self.container_name(what)
        if name not in self.names:
            self.names.append(name)
        env_file = self.env_dir / f"{what}.env"
        env_file.touch(mode=0o600)
        env_file.write_text("".join(f"{k}={v}\n" for k, v in sorted(env.items())))
        command = [
            # This machine's podman settings (no default ulimits, cgroupfs) whoever starts it.
            *("env", f"CONTAINERS_CONF={CONTAINERS_CONF}"),
            *("podman", "--runtime", "runc", "run", "--rm", "--replace", "--name", name),
            *("--network=host", "--read-only", "--tmpfs", "/tmp:rw,mode=1777", "--env-file", str(env_file)),
            # Health is the launcher's (gRPC health, Envoy's admin), as the kubelet's probes in a cluster.
            "--no-healthcheck",
            "--stop-timeout",
            "15",
        ]
        for path in tmpfs:
            command += ["--tmpfs", f"{path}:rw,mode=1777"]
        for source, target, mode in mounts:
            command += ["-v", f"{source}:{target}:{mode}"]
        return command + [image, *(args or [])]

    def data_socket_mounts(self, database_url: str, redis_url: str) -> list[tuple[pathlib.Path, str, str]]:
        """Mounts of the embedded data stores' sockets (none for servers reached over TCP), each given to
        the containers' user: the socket directories are the servers' own (not readable by that user),
        so each file is mounted alone, at the same path, and the URLs stay as they are."""
        mounts = []
        for path in unix_sockets(database_url, redis_url):
            if not path.exists():
                raise StartupError(f"{path} (from DATABASE_URL or REDIS_URL) does not exist: is its server running?")
            os.chown(path, APP_UID, APP_UID, follow_symlinks=False)
            mounts.append((path, str(path), "rw"))
        return mounts

    def service_env(self, service: str, env: dict[str, str], platform_env: dict[str, str]) -> dict[str, str]:
        """A replica's environment without the launcher's own (PATH, HOME, the venv ...)."""
        prefix = service.upper() + "_"
        kept = {k: v for k, v in env.items() if k in platform_env or k.startswith((prefix, *PASSED_PREFIXES))}
        # Containers listen on loopback only, as the processes of `make up` do (host network).
        return {**kept, "IWORKZ_GRPC_HOST": "127.0.0.1", "PYTHONUNBUFFERED": "1"}

    def stop(self, name: str, grace: float) -> None:
        podman("stop", "--ignore", "--time", str(int(grace)), name, timeout=grace + 30)

    def remove_all(self) -> None:
        """Remove every container this launcher started (by name), whatever state it is in."""
        if self.names:
            podman("rm", "-f", "--ignore", *self.names, timeout=120)
