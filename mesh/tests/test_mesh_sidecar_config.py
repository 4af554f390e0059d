"""The rendered sidecar configs say what the topology says (and Envoy accepts them).

A small topology of its own (the services of the contracts: identity,
marketplace, notifications, with a server stream) keeps these checks
independent of what `mesh/topology.yaml` currently holds; the last test
renders the real topology and has Envoy validate every config.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest
import yaml

import topology as topology_module
from devstack import ports
from envoy import tls as envoy_tls
from mesh import certs, sidecar
from topology import load

ENVOY = pathlib.Path(sys.executable).with_name("envoy")

TOPOLOGY = {
    "trust_domain": "iworkz.local",
    "namespace": "iworkz",
    "traffic": yaml.safe_load(topology_module.DEFAULT_PATH.read_text())["traffic"],
    "edge": {
        "port": 8443,
        "admin_port": 9900,
        "max_request_bytes": 1048576,
        "timeout": "15s",
        "jwt": {"issuer": "iworkz-identity", "audience": "iworkz", "jwks_service": "identity"},
    },
    "services": {
        "identity": {
            "grpc_services": ["iworkz.identity.v1.IdentityService"],
            "replicas": 1,
            "ports": {"app": 50100, "sidecar": 50200, "egress": 50300, "metrics": 9100, "sidecar_admin": 9200},
            "callers": ["edge", "marketplace", "notifications"],
            "calls": [],
            "timeout": "5s",
            "retries": {
                "attempts": 3,
                "per_try_timeout": "2s",
                "retry_on": ["unavailable", "reset", "connect-failure"],
            },
        },
        "marketplace": {
            "grpc_services": ["iworkz.marketplace.v1.MarketplaceService"],
            "replicas": 2,
            "ports": {"app": 50110, "sidecar": 50210, "egress": 50310, "metrics": 9110, "sidecar_admin": 9210},
            "callers": ["edge"],
            "calls": ["identity", "notifications"],
            "timeout": "10s",
            "retries": {"attempts": 2, "per_try_timeout": "3s", "retry_on": ["unavailable", "connect-failure"]},
        },
        "notifications": {
            "grpc_services": ["iworkz.notifications.v1.NotificationService"],
            "replicas": 3,
            "ports": {"app": 50120, "sidecar": 50220, "egress": 50320, "metrics": 9120, "sidecar_admin": 9220},
            "callers": ["edge", "marketplace"],
            "calls": ["identity"],
            "timeout": "7s",
            "retries": {
                "attempts": 3,
                "per_try_timeout": "2s",
                "retry_on": ["unavailable", "reset", "connect-failure"],
            },
        },
    },
}


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    path = tmp_path_factory.mktemp("topology") / "topology.yaml"
    path.write_text(yaml.safe_dump(TOPOLOGY))
    return load(path)


def _listener(config: dict, name: str) -> dict:
    return next(item for item in config["static_resources"]["listeners"] if item["name"] == name)


def _hcm(listener: dict) -> dict:
    return listener["filter_chains"][0]["filters"][0]["typed_config"]


def _cluster(config: dict, name: str) -> dict:
    return next(c for c in config["static_resources"]["clusters"] if c["name"] == name)


def _routes(config: dict, listener: str) -> list[dict]:
    return _hcm(_listener(config, listener))["route_config"]["virtual_hosts"][0]["routes"]


def test_inbound_takes_mtls_from_the_callers_only_and_forwards_their_identity(topology, tmp_path):
    for name, service in topology.services.items():
        config = sidecar.render(topology, name, service.replicas - 1, tmp_path)
        inbound = _listener(config, "inbound")
        assert inbound["address"]["socket_address"] == {
            "address": "127.0.0.1",
            "port_value": service.port("sidecar", service.replicas - 1),
        }
        tls = inbound["filter_chains"][0]["transport_socket"]["typed_config"]
        assert tls["require_client_certificate"] is True
        assert tls["common_tls_context"]["validation_context_sds_secret_config"]["name"] == envoy_tls.CA_SECRET
        assert tls["common_tls_context"]["tls_certificate_sds_secret_configs"][0]["name"] == name
        hcm = _hcm(inbound)
        assert hcm["forward_client_cert_details"] == "SANITIZE_SET"
        assert hcm["set_current_client_cert_details"] == {"uri": True}
        (rbac,) = [f for f in hcm["http_filters"] if f["name"] == "envoy.filters.http.rbac"]
        policy = rbac["typed_config"]["rules"]["policies"]["allowed-callers"]
        assert rbac["typed_config"]["rules"]["action"] == "ALLOW"
        assert [p["authenticated"]["principal_name"]["exact"] for p in policy["principals"]] == [
            topology.spiffe_id(c) for c in service.callers
        ]
        app = _cluster(config, "app")["load_assignment"]["endpoints"][0]["lb_endpoints"][0]
        assert app["endpoint"]["address"]["socket_address"]["port_value"] == service.port("app", service.replicas - 1)
        assert config["admin"]["address"]["socket_address"]["port_value"] == service.port(
            "sidecar_admin", service.replicas - 1
        )


def test_a_service_nobody_may_call_denies_everyone(topology, tmp_path):
    services = {**topology.services, "identity": topology.services["identity"].model_copy(update={"callers": ()})}
    lonely = topology.model_copy(update={"services": services})
    config = sidecar.render(lonely, "identity", 0, tmp_path)
    (rbac,) = [f for f in _hcm(_listener(config, "inbound"))["http_filters"] if f["name"] == "envoy.filters.http.rbac"]
    assert rbac["typed_config"]["rules"] == {"action": "ALLOW", "policies": {}}


def test_only_services_that_call_others_get_an_egress_listener(topology, tmp_path):
    assert [x["name"] for x in sidecar.render(topology, "identity", 0, tmp_path)["static_resources"]["listeners"]] == [
        "inbound"
    ]
    config = sidecar.render(topology, "marketplace", 1, tmp_path)
    egress = _listener(config, "egress")
    assert egress["address"]["socket_address"]["port_value"] == topology.services["marketplace"].port("egress", 1)
    assert "transport_socket" not in egress["filter_chains"][0]  # plaintext from the local app
    assert _hcm(egress)["forward_client_cert_details"] == "SANITIZE"


def test_egress_clusters_reach_every_replica_over_mtls_checking_the_callee_identity(topology, tmp_path):
    config = sidecar.render(topology, "marketplace", 0, tmp_path)
    for callee in ("identity", "notifications"):
        service = topology.services[callee]
        cluster = _cluster(config, f"out_{callee}")
        ports_ = [
            e["endpoint"]["address"]["socket_address"]["port_value"]
            for e in cluster["load_assignment"]["endpoints"][0]["lb_endpoints"]
        ]
        assert ports_ == [service.port("sidecar", i) for i in range(service.replicas)]
        assert cluster["lb_policy"] == "ROUND_ROBIN"
        tls = cluster["transport_socket"]["typed_config"]["common_tls_context"]
        assert tls["tls_certificate_sds_secret_configs"][0]["name"] == "marketplace"
        assert tls["combined_validation_context"]["default_validation_context"]["match_typed_subject_alt_names"] == [
            {"san_type": "URI", "matcher": {"exact": topology.spiffe_id(callee)}}
        ]
        (check,) = cluster["health_checks"]
        assert check["grpc_health_check"]["service_name"] == service.grpc_services[0]
        assert check["no_traffic_interval"]
        assert cluster["outlier_detection"]["consecutive_gateway_failure"] >= 1


def test_reads_retry_on_the_topology_conditions_writes_only_when_never_delivered(topology, tmp_path):
    routes = _routes(sidecar.render(topology, "marketplace", 0, tmp_path), "egress")
    by_match = {r["match"].get("path") or r["match"]["prefix"]: r["route"] for r in routes}
    identity = topology.services["identity"]

    read = by_match["/iworkz.identity.v1.IdentityService/GetJwks"]
    assert read["cluster"] == "out_identity"
    assert read["timeout"] == "5s"
    assert read["retry_policy"]["retry_on"] == "unavailable,reset,connect-failure"
    assert read["retry_policy"]["num_retries"] == identity.retries.attempts
    assert read["retry_policy"]["per_try_timeout"] == "2s"
    assert read["retry_policy"]["retry_host_predicate"][0]["name"] == "envoy.retry_host_predicates.previous_hosts"

    write = by_match["/iworkz.identity.v1.IdentityService/"]  # SignUp, Login, ... by prefix
    assert write["retry_policy"]["retry_on"] == "reset-before-request,connect-failure"
    assert "per_try_timeout" not in write["retry_policy"]
    assert "/iworkz.identity.v1.IdentityService/SignUp" not in by_match

    stream = by_match["/iworkz.notifications.v1.NotificationService/Subscribe"]
    assert stream["timeout"] == "0s"  # a live stream has no route deadline (the caller's still holds)
    assert stream["retry_policy"]["retry_on"] == "reset-before-request,connect-failure"
    assert "per_try_timeout" not in stream["retry_policy"]
    # Routes are tried in order: the exact paths come before their service's prefix.
    paths = [r["match"].get("path") or r["match"]["prefix"] for r in routes]
    assert paths.index("/iworkz.identity.v1.IdentityService/GetJwks") < paths.index(
        "/iworkz.identity.v1.IdentityService/"
    )


def test_inbound_streams_have_no_route_deadline(topology, tmp_path):
    routes = _routes(sidecar.render(topology, "notifications", 2, tmp_path), "inbound")
    assert routes[0]["match"]["path"] == "/iworkz.notifications.v1.NotificationService/Subscribe"
    assert routes[0]["route"]["timeout"] == "0s"
    assert routes[-1]["match"] == {"prefix": "/"}
    assert routes[-1]["route"]["timeout"] == "7s"


def test_no_such_replica(topology, tmp_path):
    with pytest.raises(ValueError):
        sidecar.render(topology, "identity", 1, tmp_path)


def test_every_sidecar_of_the_real_topology_passes_envoy_validation(tmp_path):
    topology = ports.relocated_copy(tmp_path / "topology.yaml")
    mesh = certs.for_topology(tmp_path / "mesh", topology)
    rendered = sidecar.write(topology, mesh.directory, tmp_path / "envoy")
    assert len(rendered) == sum(s.replicas for s in topology.services.values())
    assert len({s.base_id for s in rendered}) == len(rendered)
    for item in rendered:
        run = subprocess.run(
            [
                str(ENVOY),
                "--mode",
                "validate",
                "-c",
                str(item.config),
                "--base-id",
                str(item.base_id),
                "--log-level",
                "error",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, f"{item.config}:\n{run.stdout}\n{run.stderr}"


def test_relocated_topologies_use_free_distinct_ports(tmp_path):
    topology = ports.relocated_copy(tmp_path / "topology.yaml", replicas={"marketplace": 3})
    assert topology.services["marketplace"].replicas == 3
    used = [topology.edge.port, topology.edge.admin_port]
    for service in topology.services.values():
        used += [service.port(kind, i) for kind in service.ports for i in range(service.replicas)]
    assert len(used) == len(set(used))
    assert all(ports.port_free(port) for port in used)
    assert load(tmp_path / "topology.yaml") == topology


def test_a_fault_delays_calls_but_not_health_checks_and_its_share_changes_at_run_time(topology, tmp_path):
    from topology.model import Fault

    faulty = topology.services["identity"].model_copy(update={"fault": Fault(delay=2.0, percent=0)})
    config = sidecar.render(
        topology.model_copy(update={"services": {**topology.services, "identity": faulty}}), "identity", 0, tmp_path
    )
    names = [f["name"] for f in _hcm(_listener(config, "inbound"))["http_filters"]]
    assert names == ["envoy.filters.http.rbac", "envoy.filters.http.fault", "envoy.filters.http.router"]
    fault = _hcm(_listener(config, "inbound"))["http_filters"][1]["typed_config"]
    assert fault["delay"] == {"fixed_delay": "2s", "percentage": {"numerator": 0, "denominator": "HUNDRED"}}
    assert fault["headers"][0]["string_match"] == {"prefix": "/grpc.health.v1."}
    assert fault["headers"][0]["invert_match"] is True
    assert config["layered_runtime"] == {"layers": [{"name": "admin", "admin_layer": {}}]}
    # Without a fault: no fault filter, no runtime the admin port could change.
    plain = sidecar.render(topology, "identity", 0, tmp_path)
    assert "envoy.filters.http.fault" not in [f["name"] for f in _hcm(_listener(plain, "inbound"))["http_filters"]]
    assert "layered_runtime" not in plain
