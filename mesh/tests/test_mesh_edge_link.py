"""The edge joins the mesh as the `edge` identity, and stays in it when certificates are re-issued.

One replica per service, their sidecars and the edge (`gateway/`), started by
the dev stack's code (`devstack.Platform`) on free ports.
"""

from __future__ import annotations

import datetime
import json
import urllib.request

import pytest
from mesh_probes import envoy_stats, running_platform

from mesh import certs


@pytest.fixture(scope="module")
def edge_platform(tmp_path_factory, database_url, redis_url, master_keys):
    with running_platform(
        tmp_path_factory.mktemp("edge-link"),
        {"identity": 1, "marketplace": 1},
        database_url,
        redis_url,
        master_keys,
        "edge-link",
        edge=True,
    ) as platform:
        yield platform


def rest(platform, path: str) -> dict:
    url = f"https://127.0.0.1:{platform.edge.port}{path}"
    with urllib.request.urlopen(url, timeout=30, context=platform.edge_ssl()) as response:
        assert response.status == 200
        return json.loads(response.read())


def test_rest_calls_reach_the_services_through_their_sidecars_as_the_edge(edge_platform):
    allowed = "http.inbound.rbac.allowed"
    sidecar = edge_platform.proc("marketplace", 0, "sidecar")
    before = envoy_stats(sidecar.ports["admin"], allowed).get(allowed, 0)
    assert "jobs" in rest(edge_platform, "/v1/jobs:search?prefecture=JP-13")
    assert envoy_stats(sidecar.ports["admin"], allowed)[allowed] > before
    assert rest(edge_platform, "/.well-known/jwks.json")["keys"]


def test_the_edge_keeps_reaching_the_sidecars_after_certificates_are_reissued(edge_platform):
    mesh = edge_platform.mesh
    old_cert = mesh.identities["edge"].cert.read_bytes()
    old_pid = edge_platform.edge.pid
    half_life = certs.WORKLOAD_LIFETIME * certs.ROTATE_AFTER
    later = datetime.datetime.now(datetime.UTC) + half_life + datetime.timedelta(minutes=1)
    rotated = edge_platform.rotate_certificates(later)
    assert sorted(rotated) == sorted([*edge_platform.topology.services, "edge"])
    assert mesh.identities["edge"].cert.read_bytes() != old_cert
    # The edge reads its mesh certificate through the SDS file Envoy watches: no restart.
    assert str(mesh.identities["edge"].sds) in edge_platform.edge.config.read_text()
    assert edge_platform.edge.process.poll() is None and edge_platform.edge.pid == old_pid
    assert rest(edge_platform, "/.well-known/jwks.json")["keys"]
    assert "jobs" in rest(edge_platform, "/v1/jobs:search?prefecture=JP-13")
