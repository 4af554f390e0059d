"""One service image, built as `make images` builds it, runs against the test database.

`python -m deploy.images.build --only identity` (podman, buildah's chroot isolation, the
mmdebstrap base and the wheelhouse layers are cached, so after the first build only the code
layer is rebuilt); then the container runs on the host network with a read-only root
filesystem as its image's user (10001), is healthy by gRPC health (its own HEALTHCHECK command
and from the host), answers an RPC from the host, and carries its labels.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from iworkz.identity.v1 import identity_pb2, identity_pb2_grpc

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "images" / "containers.conf"
# A tag of this run's own: the image store is the machine's, shared with other checkouts' builds.
TAG = f"test-{uuid.uuid4().hex[:10]}"
IMAGE = f"localhost/iworkz/identity:{TAG}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _podman(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONTAINERS_CONF": str(CONF)}
    return subprocess.run(
        ["podman", "--runtime", "runc", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.fixture(scope="module")
def identity_image():
    for tool in ("podman", "buildah", "mmdebstrap", "runc"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing: apt-get install podman buildah runc mmdebstrap (.ci/run does)")
    result = subprocess.run(
        [sys.executable, "-m", "deploy.images.build", "--only", "identity", "--tag", TAG],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert IMAGE in result.stdout and "OVER BUDGET" not in result.stdout  # the size table
    yield IMAGE
    _podman("rmi", IMAGE)  # the cached layers stay


def test_the_image_is_labelled_non_root_and_health_checked(identity_image):
    [info] = json.loads(_podman("image", "inspect", identity_image).stdout)
    config = info["Config"]
    assert config["User"] == "10001:10001"
    labels = config["Labels"]
    revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert labels["org.opencontainers.image.revision"] == revision
    assert labels["org.opencontainers.image.source"].startswith("https://")
    assert config["Cmd"] == ["python", "-m", "services.identity.main"]
    assert info["Healthcheck"]["Test"] == ["CMD", "python", "-m", "services.runtime.healthcheck", "identity"]
    sbom = json.loads((ROOT / "build" / "images" / "identity.cdx.json").read_text())
    assert sbom["bomFormat"] == "CycloneDX"
    names = {c["name"].lower() for c in sbom["components"]}
    assert {"grpcio", "psycopg", "redis", "protobuf"} <= names


def test_the_image_serves_against_the_test_database(identity_image, database_url, redis_url, master_keys):
    port, metrics = _free_port(), _free_port()
    name = f"iworkz-test-identity-{uuid.uuid4().hex[:8]}"
    started = _podman(
        *("run", "-d", "--rm", "--name", name, "--network=host", "--read-only", "--tmpfs", "/tmp"),
        *("-e", f"DATABASE_URL={database_url}", "-e", f"REDIS_URL={redis_url}"),
        *("-e", f"IWORKZ_MASTER_KEYS={master_keys}", "-e", f"IWORKZ_REDIS_PREFIX=test:image:{uuid.uuid4().hex[:8]}:"),
        *("-e", "IWORKZ_GRPC_HOST=127.0.0.1", "-e", f"IDENTITY_GRPC_PORT={port}"),
        *("-e", f"IDENTITY_METRICS_PORT={metrics}", "-e", "IDENTITY_KEY_PUBLISH_AHEAD_SECONDS=0"),
        identity_image,
    )
    assert started.returncode == 0, started.stderr
    try:
        deadline = time.monotonic() + 120
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while True:
                try:
                    if health.Check(health_pb2.HealthCheckRequest(), timeout=2).status == 1:
                        break
                except grpc.RpcError:
                    pass
                running = _podman("inspect", "--format", "{{.State.Running}}", name)
                if running.stdout.strip() != "true" or time.monotonic() > deadline:
                    pytest.fail("the container never became SERVING:\n" + _podman("logs", name).stdout[-3000:])
                time.sleep(0.5)
            keys = identity_pb2_grpc.IdentityServiceStub(channel).GetJwks(identity_pb2.GetJwksRequest(), timeout=10)
            assert keys.keys
        # The image's own health check, run inside the container.
        check = _podman("healthcheck", "run", name)
        assert check.returncode == 0, check.stdout + check.stderr
        # Its process is the image's user, and its root filesystem is read-only.
        who = _podman("exec", name, "python", "-c", "import os; print(os.getuid())")
        assert who.stdout.strip() == "10001"
        touch = _podman("exec", name, "python", "-c", "open('/app/x', 'w')")
        assert touch.returncode != 0 and "Read-only file system" in touch.stderr
        logs = _podman("logs", name).stdout + _podman("logs", name).stderr
        assert '"serving"' in logs or "serving" in logs
    finally:
        _podman("stop", "-t", "5", name)


@pytest.fixture(scope="module")
def web_image():
    """The web app's image (`next build` is cached by web/'s sources; the base layer by its packages)."""
    image = f"localhost/iworkz/web:{TAG}"
    result = subprocess.run(
        [sys.executable, "-m", "deploy.images.build", "--only", "web", "--tag", TAG],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert image in result.stdout and "OVER BUDGET" not in result.stdout
    yield image
    _podman("rmi", image)


def test_the_web_image_serves_pages_read_only_with_hashed_files(web_image):
    [info] = json.loads(_podman("image", "inspect", web_image).stdout)
    assert info["Config"]["User"] == "10001:10001"
    assert info["Config"]["Cmd"] == ["node", "server.js"]
    assert info["Config"]["Labels"]["org.opencontainers.image.source"].startswith("https://")
    sbom = json.loads((ROOT / "build" / "images" / "web.cdx.json").read_text())
    names = {c["name"] for c in sbom["components"]}
    assert {"next", "react", "react-dom", "node", "libc6"} <= names
    port = _free_port()
    name = f"iworkz-test-web-{uuid.uuid4().hex[:8]}"
    started = _podman(
        *("run", "-d", "--rm", "--name", name, "--network=host", "--read-only", "--tmpfs", "/tmp"),
        *("--tmpfs", "/app/.next/cache:rw,mode=1777"),
        *("-e", f"PORT={port}", "-e", "HOSTNAME=127.0.0.1", "-e", "IWORKZ_API_URL=https://127.0.0.1:9"),
        web_image,
    )
    assert started.returncode == 0, started.stderr
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
                    page = response.read().decode()
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("the web container never served /login:\n" + _podman("logs", name).stderr[-3000:])
                time.sleep(0.5)
        assert "<form" in page
        # Its pages name the build's hashed files, which the image serves.
        asset = re.search(r'/_next/static/[^"]+\.js', page)
        assert asset is not None
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{asset.group(0)}", timeout=5) as response:
            assert response.status == 200 and response.read()
        check = _podman("healthcheck", "run", name)
        assert check.returncode == 0, check.stdout + check.stderr
        touch = _podman("exec", name, "node", "-e", "require('fs').writeFileSync('/app/x', '')")
        assert touch.returncode != 0 and "read-only file system" in touch.stderr.lower()
    finally:
        _podman("stop", "-t", "5", name)
