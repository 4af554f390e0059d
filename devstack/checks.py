"""`make up --check`: the platform works end to end, checked through its real parts."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import urllib.request

from devstack.console import StartupError
from devstack.platform import HOST, REPO, Platform, Proc
from devstack.probes import health_status
from envoy.edge_policy import CACHE_IMMUTABLE as IMMUTABLE


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
    url = f"https://{HOST}:{platform.running_edge.port}/v1/jobs:search?prefecture=JP-27"
    with urllib.request.urlopen(url, timeout=10, context=platform.edge_ssl()) as response:
        body = json.loads(response.read())
    if not body.get("jobs"):
        raise StartupError(f"GET {url} found no jobs: {body}")
    return f"REST through the edge and the mesh: GET /v1/jobs:search finds {len(body['jobs'])} jobs in Osaka"


def check_live_notifications(platform: Platform) -> list[str]:
    """An application status change reaches Subscribe (gRPC and SSE) and the mail sink, through the edge."""
    if platform.edge is None or "notifications" not in platform.topology.services:
        return []
    from devstack.demo.live import application_goes_live

    mail_dir = platform.state / "mail" if platform.mail_sink is not None else None
    return asyncio.run(application_goes_live(f"{HOST}:{platform.edge.port}", str(platform.edge.ca), mail_dir))


def check_demo_credential(platform: Platform, report) -> list[str]:
    """The banner's curl: the demo credential verifies through the edge, every check passing or skipped."""
    credentials = getattr(report, "credentials", None)
    if platform.edge is None or credentials is None or credentials.verify_file is None:
        return []
    url = f"https://{HOST}:{platform.running_edge.port}/credentials/verify"
    request = urllib.request.Request(
        url, data=credentials.verify_file.read_bytes(), headers={"content-type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=20, context=platform.edge_ssl()) as response:
        body = json.loads(response.read())
    if body.get("verified") is not True:
        raise StartupError(f"the demo credential did not verify through the edge: {body}")
    checks = {c["check"] for c in body["checks"]}
    return [f"POST /credentials/verify through the edge: the demo credential passes {len(checks)} checks"]


def check_sdk_example(example: str) -> str:
    run = subprocess.run([sys.executable, "-"], input=example, text=True, capture_output=True, cwd=REPO, timeout=60)
    if run.returncode != 0 or "JPY" not in run.stdout:
        raise StartupError(f"the printed SDK example failed:\n{run.stdout}\n{run.stderr}")
    return "the printed SDK example runs"


def check_web(platform: Platform) -> str:
    """The edge serves the web app at / and still the API beside it."""
    edge = platform.running_edge
    with urllib.request.urlopen(f"https://{HOST}:{edge.port}/login", timeout=30, context=platform.edge_ssl()) as r:
        page = r.read().decode()
    if r.status != 200 or "<form" not in page or "iWORKZ" not in page:
        raise StartupError("GET /login through the edge did not serve the web app's login page")
    page_cache = r.headers.get("cache-control", "")
    if not ("no-cache" in page_cache or "no-store" in page_cache):
        raise StartupError(f"GET /login through the edge: Cache-Control {page_cache!r}, not no-cache/no-store")
    # The build's content-hashed files: cacheable for a year by browsers and a CDN in front.
    asset = re.search(r'/_next/static/[^"?]+\.(?:js|css)', page)
    if asset is None:
        raise StartupError("the login page names no /_next/static/ file")
    url = f"https://{HOST}:{edge.port}{asset.group(0)}"
    with urllib.request.urlopen(url, timeout=30, context=platform.edge_ssl()) as r:
        asset_cache = r.headers.get("cache-control", "")
    if asset_cache != IMMUTABLE:
        raise StartupError(f"GET {asset.group(0)} through the edge: Cache-Control {asset_cache!r}, not {IMMUTABLE!r}")
    return (
        f"the web app's pages are served through the edge at https://localhost:{edge.port}/ "
        f"(pages {page_cache!r}, hashed files {asset_cache!r})"
    )


def check_running(platform: Platform, example: str, report=None) -> list[str]:
    """Every check of a running platform: metrics, mesh policy, the edge, the SDK example, live
    notifications, a demo credential."""
    passed = [check_metrics(p) for p in platform.procs if p.kind == "app"]
    passed += check_mesh_policy(platform)
    if platform.edge is not None:
        passed.append(check_edge_rest(platform))
        if platform.web is not None:
            passed.append(check_web(platform))
        passed += check_demo_credential(platform, report)
    passed.append(check_sdk_example(example))
    passed += check_live_notifications(platform)
    return passed
