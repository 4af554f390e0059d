"""The web app behind the edge (the topology's `web:`): which paths go to it, and what it skips.

Rendering only, plus `envoy --mode validate`; the journeys through a running edge are web/'s
Playwright tests (web/run-tests).
"""

from __future__ import annotations

import re
import subprocess

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
    assert [r["name"] for r in routes][-3:] == ["unknown grpc", "unknown api", "web"]
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
