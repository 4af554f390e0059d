"""Adding a service is a topology entry plus a folder: everything rendered derives from them.

A made-up service, `quokka`, gets a contract (added to the descriptor image
here) and a topology entry, and nothing else. The edge, the sidecars and the
Istio manifests rendered from that topology and image serve it, admit its
callers and let it call identity; the dev stack leaves it out until its
`services/quokka/main.py` exists.
"""

from __future__ import annotations

import copy
import pathlib

import pytest
import yaml
from google.api import annotations_pb2
from google.protobuf import descriptor_pb2

import contracts
import topology as topology_module
from devstack import runnable
from gateway import render as edge_render
from iworkz.auth.v1 import access_pb2
from mesh import render_istio, sidecar
from services import registry

ROOT = pathlib.Path(__file__).resolve().parents[1]
NAME = "quokka"
GRPC_SERVICE = "iworkz.quokka.v1.QuokkaService"
FD = descriptor_pb2.FieldDescriptorProto
PORTS = {"app": 50980, "sidecar": 51080, "egress": 51180, "metrics": 9980, "sidecar_admin": 9985}


def quokka_contract() -> descriptor_pb2.FileDescriptorProto:
    """GetBurrow (public read), CreateBurrow (a worker's write), WatchBurrows (a stream)."""
    f = descriptor_pb2.FileDescriptorProto(
        name="iworkz/quokka/v1/quokka.proto",
        package="iworkz.quokka.v1",
        syntax="proto3",
        dependency=["google/api/annotations.proto", "iworkz/auth/v1/access.proto"],
    )
    burrow = f.message_type.add(name="Burrow")
    burrow.field.add(name="name", number=1, type=FD.TYPE_STRING, label=FD.LABEL_OPTIONAL, json_name="name")
    for request in ("GetBurrowRequest", "CreateBurrowRequest", "WatchBurrowsRequest"):
        message = f.message_type.add(name=request)
        message.field.add(name="name", number=1, type=FD.TYPE_STRING, label=FD.LABEL_OPTIONAL, json_name="name")
    service = f.service.add(name="QuokkaService")
    for method, request, verb, path, streaming, public in (
        ("GetBurrow", "GetBurrowRequest", "get", "/v1/{name=burrows/*}", False, True),
        ("CreateBurrow", "CreateBurrowRequest", "post", "/v1/burrows", False, False),
        ("WatchBurrows", "WatchBurrowsRequest", "get", "/v1/burrows:watch", True, False),
    ):
        rpc = service.method.add(
            name=method,
            input_type=f".iworkz.quokka.v1.{request}",
            output_type=".iworkz.quokka.v1.Burrow",
            server_streaming=streaming,
        )
        rule = rpc.options.Extensions[annotations_pb2.http]
        setattr(rule, verb, path)
        if verb == "post":
            rule.body = "*"
        access = rpc.options.Extensions[access_pb2.access]
        if public:
            access.public = True
        else:
            access.roles.append(access_pb2.ROLE_WORKER)
    return f


@pytest.fixture(scope="module")
def image(tmp_path_factory) -> pathlib.Path:
    """The contracts' image (`make proto`) plus quokka's contract."""
    image = descriptor_pb2.FileDescriptorSet.FromString((ROOT / "build" / "iworkz.binpb").read_bytes())
    image.file.append(quokka_contract())
    path = tmp_path_factory.mktemp("quokka") / "image.binpb"
    path.write_bytes(image.SerializeToString())
    return path


@pytest.fixture(scope="module")
def topology() -> topology_module.Topology:
    """The committed topology plus one entry: quokka, called by the edge, calling identity."""
    raw = copy.deepcopy(yaml.safe_load(topology_module.DEFAULT_PATH.read_text()))
    raw["services"][NAME] = {
        "grpc_services": [GRPC_SERVICE],
        "replicas": 2,
        "ports": PORTS,
        "callers": ["edge"],
        "calls": ["identity"],
        "timeout": "4s",
        "retries": {"attempts": 2, "per_try_timeout": "1500ms", "retry_on": ["UNAVAILABLE", "connect_failure"]},
    }
    raw["services"]["identity"]["callers"].append(NAME)
    return topology_module.validate(raw)


def _by(items: list[dict], key: str = "name") -> dict[str, dict]:
    return {item[key]: item for item in items}


def test_the_edge_routes_every_rpc_of_the_new_service(topology, image, tmp_path):
    upstreams = {
        "identity": [("127.0.0.1", 50200)],
        NAME: [("127.0.0.1", topology.services[NAME].port("sidecar", i)) for i in range(2)],
    }
    files = edge_render.EdgeFiles(*(tmp_path / n for n in ("edge.yaml", "d.binpb", "o.json", "docs.html", "a.log")))
    config = edge_render.build_config(topology, contracts.load(image), upstreams, ("c", "k"), files)
    clusters = _by(config["static_resources"]["clusters"])
    cluster = clusters[f"svc_{NAME}"]
    endpoints = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"]
    assert [e["endpoint"]["address"]["socket_address"]["port_value"] for e in endpoints] == [51080, 51081]
    assert cluster["health_checks"][0]["grpc_health_check"]["service_name"] == GRPC_SERVICE
    hcm = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    routes = _by(hcm["route_config"]["virtual_hosts"][0]["routes"])
    get, create, watch = (
        routes[f"/{GRPC_SERVICE}/{m}"]["route"] for m in ("GetBurrow", "CreateBurrow", "WatchBurrows")
    )
    assert get["cluster"] == create["cluster"] == watch["cluster"] == f"svc_{NAME}"
    assert get["timeout"] == create["timeout"] == "4s" and watch["timeout"] == "0s"
    assert get["retry_policy"]["retry_on"] == "unavailable,connect-failure"
    assert get["retry_policy"]["per_try_timeout"] == "1.5s" and get["retry_policy"]["num_retries"] == 2
    assert create["retry_policy"]["retry_on"] == "connect-failure"
    filters = _by(hcm["http_filters"])
    assert GRPC_SERVICE in filters["envoy.filters.http.grpc_json_transcoder"]["typed_config"]["services"]
    rules = filters["envoy.filters.http.jwt_authn"]["typed_config"]["rules"]
    exempt = {r["match"].get("path") for r in rules if "requires" not in r or "requires_any" in r["requires"]}
    assert f"/{GRPC_SERVICE}/GetBurrow" in exempt
    assert f"/{GRPC_SERVICE}/CreateBurrow" not in exempt


def test_its_sidecars_admit_its_callers_and_call_identity(topology, image, tmp_path):
    config = sidecar.render(topology, NAME, 1, tmp_path, image)
    listeners = _by(config["static_resources"]["listeners"])
    assert listeners["inbound"]["address"]["socket_address"]["port_value"] == PORTS["sidecar"] + 1
    assert listeners["egress"]["address"]["socket_address"]["port_value"] == PORTS["egress"] + 1
    inbound = listeners["inbound"]["filter_chains"][0]["filters"][0]["typed_config"]
    rbac = _by(inbound["http_filters"])["envoy.filters.http.rbac"]["typed_config"]["rules"]
    principals = [
        p["authenticated"]["principal_name"]["exact"] for p in rbac["policies"]["allowed-callers"]["principals"]
    ]
    assert principals == [topology.spiffe_id("edge")]
    routes = inbound["route_config"]["virtual_hosts"][0]["routes"]
    assert routes[0]["match"]["path"] == f"/{GRPC_SERVICE}/WatchBurrows" and routes[0]["route"]["timeout"] == "0s"
    clusters = _by(config["static_resources"]["clusters"])
    assert set(clusters) == {"app", "out_identity"}
    assert (
        clusters["app"]["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]["socket_address"][
            "port_value"
        ]
        == PORTS["app"] + 1
    )
    # ... and identity's sidecar lets quokka in.
    identity = sidecar.render(topology, "identity", 0, tmp_path, image)
    inbound = _by(identity["static_resources"]["listeners"])["inbound"]["filter_chains"][0]["filters"][0]
    rbac = _by(inbound["typed_config"]["http_filters"])["envoy.filters.http.rbac"]["typed_config"]["rules"]
    admitted = {
        p["authenticated"]["principal_name"]["exact"] for p in rbac["policies"]["allowed-callers"]["principals"]
    }
    assert topology.spiffe_id(NAME) in admitted


def test_istio_manifests_deploy_and_route_it(topology, image):
    rendered = render_istio.render(topology, image.read_bytes())
    assert f"{NAME}.yaml" in yaml.safe_load(rendered["kustomization.yaml"])["resources"]
    workload = {d["kind"]: d for d in yaml.safe_load_all(rendered[f"{NAME}.yaml"]) if d}
    container = workload["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["python", "-m", f"services.{NAME}.main"]
    assert {"name": "grpc", "containerPort": PORTS["app"], "protocol": "TCP"} in container["ports"]
    env = {e["name"]: e for e in container["env"]}
    assert env["QUOKKA_GRPC_PORT"]["value"] == str(PORTS["app"])
    assert workload["HorizontalPodAutoscaler"]["spec"]["minReplicas"] == 2
    policies = {d["metadata"]["name"]: d for d in yaml.safe_load_all(rendered["authorization-policies.yaml"]) if d}
    [rule] = policies[NAME]["spec"]["rules"]
    assert rule["from"][0]["source"]["principals"] == [render_istio.principal(topology, "edge")]
    identity_principals = {
        p for r in policies["identity"]["spec"]["rules"] for s in r["from"] for p in s["source"]["principals"]
    }
    assert render_istio.principal(topology, NAME) in identity_principals
    services = {d["metadata"]["name"]: d for d in yaml.safe_load_all(rendered["virtual-services.yaml"]) if d}
    routes = _by(services[NAME]["spec"]["http"])
    assert routes[f"{NAME}-reads"]["retries"] == {
        "attempts": 2,
        "retryOn": "unavailable,connect-failure",
        "perTryTimeout": "1.5s",
    }
    assert routes[f"{NAME}-streams"]["timeout"] == "0s"
    gateway = {d["kind"]: d for d in yaml.safe_load_all(rendered["gateway.yaml"]) if d}
    public = [op["operation"] for r in gateway["AuthorizationPolicy"]["spec"]["rules"] for op in r.get("to", [])]
    assert any(o.get("methods") == ["GET"] and "/v1/burrows/{*}" in o.get("paths", []) for o in public)
    transcoder = yaml.safe_load(rendered["transcoder.yaml"])
    patched = transcoder["spec"]["configPatches"][1]["patch"]["value"]["typed_config"]
    assert GRPC_SERVICE in patched["services"]


def test_until_its_folder_exists_nothing_runs_it(topology):
    assert not registry.implemented(NAME)
    assert NAME not in registry.names(topology)
    assert NAME not in runnable(topology).services
    assert NAME not in runnable(topology).services["identity"].callers
