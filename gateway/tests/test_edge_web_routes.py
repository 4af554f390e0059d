"""The web app behind the edge (the topology's `web:`): which paths go to it, and what it skips.

Rendering, `envoy --mode validate`, and the cache headers through a real edge in front of a stand-in
web server; the journeys through a running edge are web/'s Playwright tests (web/run-tests).
"""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import threading
import time

import httpx
import pytest
import yaml

import contracts
import topology as topology_module
from devstack import devcert
from devstack import envoy_runner as edge
from envoy import edge_policy
from gateway import render


@pytest.fixture(scope="module")
def rendered(edge_image, tmp_path_factory):
    topology = topology_module.load()
    tls = devcert.ensure(tmp_path_factory.mktemp("tls"))
    upstreams = {name: [("127.0.0.1", s.port("app"))] for name, s in topology.services.items() if "edge" in s.callers}
    path = render.render_edge(
        topology,
        edge_image,
        upstreams,
        (str(tls.cert), str(tls.key)),
        tmp_path_factory.mktemp("render"),
        web_upstream=("127.0.0.1", 3999),
    )
    return yaml.safe_load(path.read_text()), path


def _routes(config):
    listener = next(x for x in config["static_resources"]["listeners"] if x["name"] == "edge_https")
    return listener["filter_chains"][0]["filters"][0]["typed_config"]["route_config"]["virtual_hosts"][0]["routes"]


def test_every_other_path_goes_to_the_web_app_without_jwt_or_transcoder(rendered):
    routes = _routes(rendered[0])
    assert [r["name"] for r in routes][-4:] == ["unknown grpc", "unknown api", "web hashed files", "web"]
    assert "/" not in [r["name"] for r in routes]  # no redirect to the docs: / is the web app's home
    web = routes[-1]
    assert web["match"] == {"prefix": "/"} and web["route"]["cluster"] == render.WEB_CLUSTER
    disabled = web["typed_per_filter_config"]
    assert disabled[render.TRANSCODER]["disabled"] is True and disabled[render.FILTER_JWT]["disabled"] is True
    cluster = next(c for c in rendered[0]["static_resources"]["clusters"] if c["name"] == render.WEB_CLUSTER)
    assert "3999" in str(cluster["load_assignment"])


def test_api_paths_never_reach_the_web_app(rendered, edge_image):
    routes = _routes(rendered[0])
    api = re.compile(next(r for r in routes if r["name"] == "unknown api")["match"]["safe_regex"]["regex"])
    bindings = [b.template for r in contracts.load(edge_image).rpcs for b in r.bindings]
    for template in bindings:
        sample = re.sub(r"\{[^}]+\}", "x", template)
        assert api.match(sample), sample
    for page in (
        "/",
        "/login",
        "/verify",
        "/verify/abc",
        "/worker/applications",
        "/jobs/e/j",
        "/issuer",
        "/_next/x.js",
    ):
        assert not api.match(page), page
    grpc = next(r for r in routes if r["name"] == "unknown grpc")
    assert grpc["match"]["headers"][0]["string_match"] == {"prefix": "application/grpc"}
    # The docs are still served by the edge itself.
    assert {"/openapi.json", "/docs"} <= {r["name"] for r in routes}


def test_a_binding_starting_with_a_variable_is_refused():
    with pytest.raises(ValueError, match="literal segment"):
        edge_policy.api_roots(["/v1/jobs", "/{name=things/*}"])


def test_envoy_accepts_the_rendering(rendered):
    done = subprocess.run(
        [edge.envoy_binary(), "--mode", "validate", "-c", str(rendered[1])], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]


class _FakeNext(http.server.BaseHTTPRequestHandler):
    """Answers as a Next.js server might, with Cache-Control values the edge must replace: a hashed
    file the build has (`ok.js`) or not, a prerendered page (`s-maxage`), a signed-in page (`no-store`).
    HTTP/1.1 with keep-alive, as Node's server: it never closes an idle connection itself."""

    protocol_version = "HTTP/1.1"

    answers = {
        "/_next/static/chunks/ok-3f2a.js": (200, "application/javascript", "public, max-age=0"),
        "/_next/static/chunks/gone-9c1d.js": (404, "text/plain", "public, max-age=600"),
        "/login": (200, "text/html; charset=utf-8", "s-maxage=31536000"),
        "/worker": (200, "text/html; charset=utf-8", "private, no-cache, no-store, max-age=0, must-revalidate"),
        "/about": (200, "text/html; charset=utf-8", None),
    }

    def do_GET(self) -> None:
        status, content_type, cache = self.answers.get(self.path, (404, "text/plain", None))
        body = b"x" * 32
        self.send_response(status)
        self.send_header("content-type", content_type)
        if cache is not None:
            self.send_header("cache-control", cache)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def edge_with_web(edge_image, tmp_path_factory):
    """A real edge (Envoy) whose web upstream is `_FakeNext`; the services are not needed for web paths."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeNext)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    topology = topology_module.load()
    upstreams = {name: [("127.0.0.1", 9)] for name, s in topology.services.items() if "edge" in s.callers}
    running = edge.start(
        topology,
        edge_image,
        upstreams,
        tmp_path_factory.mktemp("edge-web"),
        port=0,
        admin_port=0,
        web_upstream=("127.0.0.1", server.server_address[1]),
    )
    try:
        yield running
    finally:
        running.stop()
        server.shutdown()


def _cache_control(running, path: str) -> tuple[int, str | None]:
    with httpx.Client(base_url=running.url, verify=str(running.ca), timeout=10) as client:
        response = client.get(path)
        return response.status_code, response.headers.get("cache-control")


@pytest.mark.parametrize(
    ("path", "status", "cache"),
    [
        ("/_next/static/chunks/ok-3f2a.js", 200, edge_policy.CACHE_IMMUTABLE),  # hashed, found: a year, immutable
        ("/_next/static/chunks/gone-9c1d.js", 404, "no-store"),  # another build's file: never kept
        ("/login", 200, "no-cache"),  # prerendered HTML: revalidated, not kept a year by a CDN
        ("/about", 200, "no-cache"),  # no header from the app
        ("/worker", 200, "private, no-cache, no-store, max-age=0, must-revalidate"),  # the app's no-store stays
    ],
)
def test_the_edge_sets_cache_headers_of_web_responses(edge_with_web, path, status, cache):
    assert _cache_control(edge_with_web, path) == (status, cache)


def test_api_responses_keep_their_own_cache_headers(edge_with_web):
    """The Lua scripts run on the web routes only: the docs page keeps the edge's own header."""
    assert _cache_control(edge_with_web, "/openapi.json") == (200, "no-cache")
    with httpx.Client(base_url=edge_with_web.url, verify=str(edge_with_web.ca), timeout=10) as client:
        docs = client.get("/docs")
    assert docs.status_code == 200 and "content-security-policy" in docs.headers


def test_the_edge_runs_the_configured_worker_threads(edge_with_web):
    """Envoy's own account of its command line: the worker threads `edge_workers` names."""
    options = json.loads(edge_with_web.admin("/server_info"))["command_line_options"]
    assert int(options["concurrency"]) == edge.edge_workers()


def test_edge_workers_setting(monkeypatch):
    monkeypatch.delenv("IWORKZ_EDGE_WORKERS", raising=False)
    assert edge.edge_workers() == max(1, (os.cpu_count() or 2) // 2)  # one on 2 cores
    monkeypatch.setenv("IWORKZ_EDGE_WORKERS", "3")
    assert edge.edge_workers() == 3
    monkeypatch.setenv("IWORKZ_EDGE_WORKERS", "0")
    with pytest.raises(ValueError, match="at least 1"):
        edge.edge_workers()


def test_the_edge_closes_idle_web_connections_before_node_would(edge_with_web):
    """Node closes a keep-alive connection after 5 s idle; a request the edge sends on it just then is reset
    (a 503 page). The edge must close its idle connections to the web app first."""
    assert render.WEB_UPSTREAM_IDLE_SECONDS < 5
    before = edge_with_web.stats("cluster.web.").get("cluster.web.upstream_cx_idle_timeout", 0)
    assert _cache_control(edge_with_web, "/about")[0] == 200
    time.sleep(render.WEB_UPSTREAM_IDLE_SECONDS + 1.5)
    after = edge_with_web.stats("cluster.web.").get("cluster.web.upstream_cx_idle_timeout", 0)
    assert after > before
