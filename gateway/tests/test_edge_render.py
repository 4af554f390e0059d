"""The rendered edge config, read as data: what the topology and the contracts put where.

No running services needed; one test runs `envoy --mode validate` on an mTLS rendering.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess

import pytest
import yaml
from cryptography import x509

import contracts
import topology as topology_module
from devstack import devcert
from devstack import envoy_runner as edge
from envoy.tls import Credentials
from gateway import render

UPSTREAMS = {"identity": [("127.0.0.1", 50200)], "marketplace": [("127.0.0.1", 50210), ("127.0.0.1", 50211)]}


@pytest.fixture(scope="module")
def topology():
    return topology_module.load()


@pytest.fixture(scope="module")
def dev_tls(tmp_path_factory):
    return devcert.ensure(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def rendered(topology, edge_image, dev_tls, tmp_path_factory):
    path = render.render_edge(
        topology, edge_image, UPSTREAMS, (str(dev_tls.cert), str(dev_tls.key)), tmp_path_factory.mktemp("render")
    )
    return yaml.safe_load(path.read_text()), path


@pytest.fixture(scope="module")
def served(edge_image):
    return contracts.load(edge_image).rpcs_of(
        ["iworkz.identity.v1.IdentityService", "iworkz.marketplace.v1.MarketplaceService"]
    )


def hcm(config):
    listener = next(x for x in config["static_resources"]["listeners"] if x["name"] == "edge_https")
    return listener["filter_chains"][0]["filters"][0]["typed_config"]


def routes(config):
    return {r["name"]: r for r in hcm(config)["route_config"]["virtual_hosts"][0]["routes"]}


def test_one_https_listener_on_loopback_with_h2_and_http11(rendered, topology):
    config, _ = rendered
    listener = next(x for x in config["static_resources"]["listeners"] if x["name"] == "edge_https")
    assert listener["address"]["socket_address"] == {"address": "127.0.0.1", "port_value": topology.edge.port}
    tls = listener["filter_chains"][0]["transport_socket"]["typed_config"]["common_tls_context"]
    assert tls["alpn_protocols"] == ["h2", "http/1.1"]
    assert config["admin"]["address"]["socket_address"]["port_value"] == topology.edge.admin_port


def test_filter_order(rendered):
    names = [f["name"] for f in hcm(rendered[0])["http_filters"]]
    assert names == [
        "envoy.filters.http.cors",
        "envoy.filters.http.grpc_web",
        "envoy.filters.http.jwt_authn",
        "iworkz.unauthenticated_streams",  # refuses anonymous client streams once their request is complete
        "envoy.filters.http.buffer",
        "envoy.filters.http.lua",  # unknown JSON body fields: 400 before the transcoder drops them
        "envoy.filters.http.grpc_json_transcoder",
        "envoy.filters.http.local_ratelimit",
        "envoy.filters.http.router",
    ]


def test_transcoder_options(rendered, topology):
    filters = {f["name"]: f["typed_config"] for f in hcm(rendered[0])["http_filters"]}
    transcoder = filters["envoy.filters.http.grpc_json_transcoder"]
    assert transcoder["print_options"]["stream_sse_style_delimited"] is True
    assert transcoder["print_options"]["always_print_primitive_fields"] is True
    assert transcoder["convert_grpc_status"] is True
    assert transcoder["request_validation_options"]["reject_unknown_method"] is True
    assert transcoder["request_validation_options"]["reject_unknown_query_parameters"] is True
    assert sorted(transcoder["services"]) == [
        "iworkz.identity.v1.IdentityService",
        "iworkz.marketplace.v1.MarketplaceService",
    ]
    assert filters["envoy.filters.http.buffer"]["max_request_bytes"] == topology.edge.max_request_bytes


def test_descriptor_set_has_imports_and_error_details(rendered):
    from google.protobuf import descriptor_pb2

    _, path = rendered
    files = descriptor_pb2.FileDescriptorSet.FromString(path.with_name("edge.descriptors.binpb").read_bytes()).file
    names = [f.name for f in files]
    assert "google/rpc/error_details.proto" in names and "buf/validate/validate.proto" in names
    for index, f in enumerate(files):  # every import comes before its importer
        assert all(d in names[:index] for d in f.dependency), f.name


def test_every_rpc_has_a_route_with_the_services_timeout_and_reads_only_are_retried(rendered, served, topology):
    table = routes(rendered[0])
    for rpc in served:
        route = table[rpc.grpc_path]
        service = "identity" if "identity" in rpc.service else "marketplace"
        action = route["route"]
        assert route["match"] == {"path": rpc.grpc_path}
        assert action["cluster"] == f"svc_{service}"
        retry_on = set(action["retry_policy"]["retry_on"].split(","))
        if rpc.server_streaming:
            assert action["timeout"] == "0s"
        else:
            assert action["timeout"] == f"{topology.services[service].timeout:g}s"
        if rpc.idempotent_read and not rpc.server_streaming:
            assert retry_on == set(topology.services[service].retries.retry_on), rpc.grpc_path
            assert action["retry_policy"]["num_retries"] == topology.services[service].retries.attempts
        else:
            # Writes and streams only when the request never reached a replica.
            assert retry_on == set(topology.services[service].retries.safe_retry_on), rpc.grpc_path
            assert "per_try_timeout" not in action["retry_policy"]


def test_rate_limits_per_route_and_per_caller_from_the_topology(rendered, topology, served):
    table = routes(rendered[0])
    for rpc in served:
        config = table[rpc.grpc_path]["typed_per_filter_config"]["envoy.filters.http.local_ratelimit"]
        limit = topology.edge.limit(rpc.grpc_path)
        buckets = [d["token_bucket"] for d in config["descriptors"]]
        assert all(
            b["max_tokens"] == limit.tokens and b["fill_interval"] == f"{limit.per_seconds}s" for b in buckets
        ), rpc.grpc_path
        assert config["rate_limited_as_resource_exhausted"] is True
        keys = [[e["key"] for e in d["entries"]] for d in config["descriptors"]]
        assert keys == [["subject"], ["anonymous", "remote_address"]]
    login = table["/iworkz.identity.v1.IdentityService/Login"]["typed_per_filter_config"]
    assert login["envoy.filters.http.local_ratelimit"]["descriptors"][0]["token_bucket"]["max_tokens"] == 10


def test_clusters_health_checks_outlier_detection_round_robin(rendered, topology):
    clusters = {c["name"]: c for c in rendered[0]["static_resources"]["clusters"]}
    for name, addresses in UPSTREAMS.items():
        cluster = clusters[f"svc_{name}"]
        assert cluster["lb_policy"] == "ROUND_ROBIN"
        endpoints = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"]
        assert [
            (
                e["endpoint"]["address"]["socket_address"]["address"],
                e["endpoint"]["address"]["socket_address"]["port_value"],
            )
            for e in endpoints
        ] == addresses
        check = cluster["health_checks"][0]
        assert check["grpc_health_check"]["service_name"] == topology.services[name].grpc_services[0]
        assert check["no_traffic_interval"]
        assert cluster["outlier_detection"]["consecutive_gateway_failure"] >= 1
        assert "transport_socket" not in cluster  # plain upstreams unless upstream_tls is given


def test_jwt_default_deny_with_public_rpcs_exempt(rendered, topology, served):
    filters = {f["name"]: f["typed_config"] for f in hcm(rendered[0])["http_filters"]}
    jwt = filters["envoy.filters.http.jwt_authn"]
    provider = jwt["providers"]["identity"]
    assert provider["issuer"] == topology.edge.jwt.issuer and provider["audiences"] == [topology.edge.jwt.audience]
    assert provider["remote_jwks"]["http_uri"]["uri"].endswith("/.well-known/jwks.json")
    assert provider["forward"] is True
    rules = jwt["rules"]
    assert rules[-1] == {"match": {"prefix": "/"}, "requires": {"provider_name": "identity"}}
    exempt = {r["match"].get("path") for r in rules[:-1]}
    for rpc in served:
        assert (rpc.grpc_path in exempt) == rpc.public, rpc.grpc_path


def test_rest_matchers_cover_the_transcoders_paths(served):
    for rpc in served:
        for binding in rpc.bindings:
            regex = re.compile(binding.path_regex())
            sample = re.sub(
                r"\{([^}=]+)(?:=([^}]*))?\}",
                lambda m: (m[2] or "*").replace("**", "a/b").replace("*", "x1"),
                binding.template,
            )
            assert regex.match(sample), (binding.template, sample)


def test_cors_origins_come_from_the_topology(rendered, topology):
    vhost = hcm(rendered[0])["route_config"]["virtual_hosts"][0]
    policy = vhost["typed_per_filter_config"]["envoy.filters.http.cors"]
    assert [o["exact"] for o in policy["allow_origin_string_match"]] == list(topology.edge.cors_origins)


def test_local_replies_are_json_for_rest_only(rendered):
    mappers = hcm(rendered[0])["local_reply_config"]["mappers"]
    # First, replies a filter has already shaped (the unknown-field check's 400) pass through untouched.
    shaped, mappers = mappers[0], mappers[1:]
    assert shaped["filter"]["metadata_filter"]["matcher"]["path"] == [{"key": "shaped_reply"}]
    assert "body_format_override" not in shaped and "status_code" not in shaped
    by_status = {}
    for m in mappers:
        filters = m["filter"]["and_filter"]["filters"]
        comparison = filters[0]["status_code_filter"]["comparison"]
        grpc_only = not filters[1]["header_filter"]["header"].get("invert_match", False)
        if grpc_only:
            # gRPC callers get grpc-status, never a JSON body: at most an empty application/grpc reply
            # (timeouts and rate limits, which carry their own grpc-status in trailers-only headers).
            override = m.get("body_format_override")
            assert override in (None, {"text_format": "", "content_type": "application/grpc"}), m
            if override:
                assert m["status_code"] == 200 and {h["header"]["key"] for h in m["headers_to_add"]} == {
                    "grpc-status",
                    "grpc-message",
                }
        elif comparison["op"] == "EQ":
            by_status.setdefault(comparison["value"]["default_value"], m["body_format_override"]["json_format"]["code"])
        assert filters[1]["header_filter"]["header"]["string_match"] == {"prefix": "application/grpc"}
    # jwt_authn's 403 (a token for another audience) is a token that does not authenticate: 401.
    assert by_status[403] == 16 and mappers[0]["status_code"] == 401
    assert by_status[401] == 16 and by_status[404] == 5 and by_status[413] == 8
    assert by_status[429] == 8 and by_status[503] == 14 and by_status[400] == 3


def test_upstream_mtls_with_spiffe_ids(topology, edge_image, dev_tls, tmp_path):
    spiffe = {name: topology.spiffe_id(name) for name in UPSTREAMS}
    files = Credentials("edge", cert_file=str(dev_tls.cert), key_file=str(dev_tls.key), ca_file=str(dev_tls.ca))
    tls = render.UpstreamTls(files, spiffe_ids=spiffe)
    path = render.render_edge(
        topology, edge_image, UPSTREAMS, (str(dev_tls.cert), str(dev_tls.key)), tmp_path, upstream_tls=tls
    )
    clusters = {c["name"]: c for c in yaml.safe_load(path.read_text())["static_resources"]["clusters"]}
    for name in UPSTREAMS:
        context = clusters[f"svc_{name}"]["transport_socket"]["typed_config"]["common_tls_context"]
        sans = context["validation_context"]["match_typed_subject_alt_names"]
        assert sans == [{"san_type": "URI", "matcher": {"exact": f"spiffe://iworkz.local/ns/iworkz/sa/{name}"}}]
        assert context["tls_certificates"][0]["certificate_chain"]["filename"] == str(dev_tls.cert)
    result = subprocess.run(
        [edge.envoy_binary(), "--mode", "validate", "-c", str(path), "--use-dynamic-base-id", "--log-level", "error"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_upstream_mtls_can_follow_rotating_sds_files(topology, edge_image, dev_tls, tmp_path):
    spiffe = {name: topology.spiffe_id(name) for name in UPSTREAMS}
    tls = render.UpstreamTls(Credentials.from_directory("/m", "edge"), spiffe_ids=spiffe)
    config = render.build_config(
        topology,
        contracts.load(edge_image),
        UPSTREAMS,
        ("c", "k"),
        render.EdgeFiles(*(tmp_path / n for n in "abcde")),
        upstream_tls=tls,
    )
    context = {c["name"]: c for c in config["static_resources"]["clusters"]}["svc_identity"]["transport_socket"][
        "typed_config"
    ]["common_tls_context"]
    assert (
        context["tls_certificate_sds_secret_configs"][0]["sds_config"]["path_config_source"]["path"]
        == "/m/sds/edge.yaml"
    )
    combined = context["combined_validation_context"]
    assert combined["validation_context_sds_secret_config"]["name"] == "mesh-ca"
    assert (
        combined["default_validation_context"]["match_typed_subject_alt_names"][0]["matcher"]["exact"]
        == spiffe["identity"]
    )


def test_jwks_from_a_given_http_server_instead_of_transcoding(topology, edge_image, tmp_path):
    config = render.build_config(
        topology,
        contracts.load(edge_image),
        UPSTREAMS,
        ("c", "k"),
        render.EdgeFiles(*(tmp_path / n for n in "abcde")),
        jwks_upstream=("127.0.0.1", 8080),
    )
    assert [listener["name"] for listener in config["static_resources"]["listeners"]] == ["edge_https"]
    jwks = {c["name"]: c for c in config["static_resources"]["clusters"]}[render.JWKS_LISTENER]
    address = jwks["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]
    assert address == {"socket_address": {"address": "127.0.0.1", "port_value": 8080}}


def test_refuses_upstreams_the_topology_or_image_does_not_know(topology, edge_image, tmp_path):
    with pytest.raises(ValueError, match="not a service"):
        render.render_edge(
            topology, edge_image, {"identity": [("127.0.0.1", 1)], "nope": [("127.0.0.1", 2)]}, ("c", "k"), tmp_path
        )
    missing = topology.services["identity"].model_copy(update={"grpc_services": ("iworkz.gone.v1.GoneService",)})
    broken = topology.model_copy(update={"services": {**topology.services, "identity": missing}})
    with pytest.raises(ValueError, match="no service"):
        render.render_edge(broken, edge_image, {"identity": [("127.0.0.1", 1)]}, ("c", "k"), tmp_path)


def test_launch_failure_says_why(topology, edge_image, tmp_path):
    path = render.render_edge(
        topology,
        edge_image,
        UPSTREAMS,
        (str(tmp_path / "missing.pem"), str(tmp_path / "missing.key")),
        tmp_path,
        port=0,
        admin_port=0,
    )
    with pytest.raises(edge.EdgeError, match="missing"):
        edge.launch(path, log=tmp_path / "edge.log", ready_timeout=60)


def test_dev_certificate_for_localhost(tmp_path):
    first = devcert.ensure(tmp_path)
    cert = x509.load_pem_x509_certificate(first.cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert "127.0.0.1" in [str(a) for a in names.get_values_for_type(x509.IPAddress)]
    ca = x509.load_pem_x509_certificate(first.ca.read_bytes())
    cert.verify_directly_issued_by(ca)
    assert stat.S_IMODE(os.stat(first.key).st_mode) == 0o600
    again = devcert.ensure(tmp_path)  # reused while valid
    assert again.cert.read_bytes() == first.cert.read_bytes()
