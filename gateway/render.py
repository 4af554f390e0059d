"""Render the edge Envoy's configuration from the topology and the descriptor image.

    path = render_edge(topology, "build/iworkz.binpb", {"identity": [("127.0.0.1", 50200)], ...},
                       (cert, key), out_dir)

One HTTPS listener (HTTP/1.1 and HTTP/2) serves REST/JSON (transcoded, server
streams as Server-Sent Events), gRPC-web and gRPC. Filters, in order:

    cors → grpc_web → jwt_authn → buffer → grpc_json_transcoder → local_ratelimit → router

Routes match the gRPC path (`/pkg.Service/Method`): REST requests are
transcoded before routing, gRPC-web requests are turned into gRPC first. Every
RPC of a served service gets its own route so that timeouts, retries (reads
only) and rate limits are per method. Authentication is default-deny: only the
RPCs the contracts mark public (and the API docs) are reachable without a
valid token. Every error a browser can see is JSON shaped like the
transcoder's rich errors: `{"code": <grpc code>, "message": "...", "details": []}`.

Nothing here is written by hand per service: add a service to the topology
and its RPCs to the contracts, and the edge serves it.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass, field
from typing import Any

import yaml

from gateway import contracts as contracts_mod
from gateway import openapi
from mesh.topology import Topology, seconds

FILTER_CORS = "envoy.filters.http.cors"
FILTER_GRPC_WEB = "envoy.filters.http.grpc_web"
FILTER_JWT = "envoy.filters.http.jwt_authn"
FILTER_BUFFER = "envoy.filters.http.buffer"
FILTER_TRANSCODER = "envoy.filters.http.grpc_json_transcoder"
FILTER_RATELIMIT = "envoy.filters.http.local_ratelimit"
FILTER_ROUTER = "envoy.filters.http.router"

DOCS_PAGE = pathlib.Path(__file__).with_name("docs.html")
# The docs page is one file with inline script and style, talking only to this origin.
DOCS_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
JWT_PROVIDER = "identity"
# The verified token's subject, for per-caller rate limits. Clients cannot set it:
# it is removed from every request before any filter runs, and jwt_authn sets it.
SUBJECT_HEADER = "x-iworkz-subject"
# The content type the client sent, kept before grpc_web and the transcoder
# rewrite it, so that replies to REST calls (and only those) are made JSON.
CLIENT_CONTENT_TYPE_HEADER = "x-iworkz-client-content-type"
JWKS_PATH = "/.well-known/jwks.json"
JWKS_LISTENER = "edge_jwks"
# How long fetched signing keys are used before they are fetched again. Identity
# keeps replaced keys in its JWKS for the token lifetime, so a token signed by a
# new key is accepted here at most this long after the rotation.
JWKS_CACHE_SECONDS = 30
DIRECT_RESPONSE_MAX_BYTES = 8 * 1024 * 1024
UNKNOWN_CLUSTER = "unknown_method"

# HTTP status of a local reply -> the gRPC code its JSON body carries (google.rpc.Code).
HTTP_TO_GRPC_CODE = {
    400: 3,  # INVALID_ARGUMENT
    401: 16,  # UNAUTHENTICATED
    403: 7,  # PERMISSION_DENIED
    404: 5,  # NOT_FOUND
    405: 12,  # UNIMPLEMENTED
    408: 4,  # DEADLINE_EXCEEDED
    409: 10,  # ABORTED
    413: 8,  # RESOURCE_EXHAUSTED (request too large)
    429: 8,  # RESOURCE_EXHAUSTED (rate limited)
    431: 8,  # RESOURCE_EXHAUSTED (headers too large)
    499: 1,  # CANCELLED
    500: 13,  # INTERNAL
    501: 12,  # UNIMPLEMENTED
    502: 14,  # UNAVAILABLE
    503: 14,  # UNAVAILABLE
    504: 4,  # DEADLINE_EXCEEDED
}
# Clearer words than Envoy's own for a few local replies.
LOCAL_REPLY_MESSAGES = {
    413: "request body is too large",
    429: "too many requests: rate limit exceeded, retry later",
}

CORS_ALLOW_HEADERS = (
    "authorization",
    "content-type",
    "accept",
    "x-grpc-web",
    "x-user-agent",
    "grpc-timeout",
    "x-request-id",
    "last-event-id",
    "traceparent",
)
CORS_EXPOSE_HEADERS = (
    "grpc-status",
    "grpc-message",
    "grpc-status-details-bin",
    "x-request-id",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
)


@dataclass(frozen=True)
class UpstreamTls:
    """mTLS from the edge to the sidecars: the edge's certificate and key, the mesh CA,
    and the SPIFFE id each service's sidecar must present.

    With `cert_sds` / `ca_sds` (secret name, path of an Envoy SDS file) Envoy
    watches those files instead, so re-issued certificates are picked up
    without a restart; `cert`, `key` and `ca` are then only for reference.
    """

    cert: str
    key: str
    ca: str
    spiffe_ids: dict[str, str] = field(default_factory=dict)
    cert_sds: tuple[str, str] | None = None
    ca_sds: tuple[str, str] | None = None


@dataclass(frozen=True)
class EdgeFiles:
    """What `render_edge` wrote."""

    config: pathlib.Path
    descriptors: pathlib.Path
    openapi: pathlib.Path
    docs: pathlib.Path
    access_log: pathlib.Path


def _any(type_name: str, **fields) -> dict:
    return {"@type": f"type.googleapis.com/{type_name}", **fields}


def _duration(value: float) -> str:
    return f"{value:g}s"


def _percent(numerator: int = 100) -> dict:
    return {"default_value": {"numerator": numerator, "denominator": "HUNDRED"}, "runtime_key": "unused"}


def _bucket(tokens: int, per_seconds: int) -> dict:
    return {"max_tokens": tokens, "tokens_per_fill": tokens, "fill_interval": _duration(per_seconds)}


def _not_grpc() -> dict:
    """Local-reply filter: the request is not gRPC (gRPC and gRPC-web replies stay gRPC)."""
    return {
        "header_filter": {
            "header": {
                "name": CLIENT_CONTENT_TYPE_HEADER,
                "invert_match": True,
                "treat_missing_header_as_empty": True,
                "string_match": {"prefix": "application/grpc"},
            }
        }
    }


def _method_is(method: str) -> dict:
    return {"name": ":method", "string_match": {"exact": method}}


def local_reply_config() -> dict:
    """Envoy's own replies (401, 404, 413, 429, 503, ...) as JSON like the transcoder's errors."""
    mappers = []
    for status, code in HTTP_TO_GRPC_CODE.items():
        message = LOCAL_REPLY_MESSAGES.get(status, "%LOCAL_REPLY_BODY%")
        mappers.append(
            {
                "filter": {
                    "and_filter": {
                        "filters": [
                            {
                                "status_code_filter": {
                                    "comparison": {
                                        "op": "EQ",
                                        "value": {"default_value": status, "runtime_key": "unused"},
                                    }
                                }
                            },
                            _not_grpc(),
                        ]
                    }
                },
                "body_format_override": _json_error(code, message),
            }
        )
    # Anything else Envoy answers itself: UNKNOWN (2), same shape.
    mappers.append(
        {
            "filter": {
                "and_filter": {
                    "filters": [
                        {
                            "status_code_filter": {
                                "comparison": {"op": "GE", "value": {"default_value": 400, "runtime_key": "unused"}}
                            }
                        },
                        _not_grpc(),
                    ]
                }
            },
            "body_format_override": _json_error(2, "%LOCAL_REPLY_BODY%"),
        }
    )
    return {"mappers": mappers}


def _json_error(code: int, message: str) -> dict:
    return {"json_format": {"code": code, "message": message, "details": []}, "content_type": "application/json"}


def _access_log(path: pathlib.Path) -> list[dict]:
    fields = {
        "time": "%START_TIME%",
        "request_id": "%REQ(X-REQUEST-ID)%",
        "traceparent": "%REQ(TRACEPARENT)%",
        "client": "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%",
        "method": "%REQ(:METHOD)%",
        "path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
        "http_method": "%REQ(X-ENVOY-ORIGINAL-METHOD?:METHOD)%",
        "rpc": "%REQ(:PATH)%",
        "protocol": "%PROTOCOL%",
        "content_type": "%REQ(CONTENT-TYPE)%",
        "status": "%RESPONSE_CODE%",
        "grpc_status": "%GRPC_STATUS_NUMBER%",
        "flags": "%RESPONSE_FLAGS%",
        "details": "%RESPONSE_CODE_DETAILS%",
        "subject": f"%REQ({SUBJECT_HEADER.upper()})%",
        "route": "%ROUTE_NAME%",
        "upstream": "%UPSTREAM_HOST%",
        "cluster": "%UPSTREAM_CLUSTER%",
        "bytes_in": "%BYTES_RECEIVED%",
        "bytes_out": "%BYTES_SENT%",
        "duration_ms": "%DURATION%",
        "upstream_ms": "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%",
        "user_agent": "%REQ(USER-AGENT)%",
    }
    return [
        {
            "name": "envoy.access_loggers.file",
            "typed_config": _any(
                "envoy.extensions.access_loggers.file.v3.FileAccessLog",
                path=str(path),
                log_format={"json_format": fields},
            ),
        }
    ]


def _tls_socket(kind: str, context: dict) -> dict:
    return {
        "name": "envoy.transport_sockets.tls",
        "typed_config": _any(f"envoy.extensions.transport_sockets.tls.v3.{kind}", **context),
    }


def _sds(name: str, path: str) -> dict:
    return {"name": name, "sds_config": {"path_config_source": {"path": str(path)}, "resource_api_version": "V3"}}


def _cluster(
    name: str,
    addresses: list[tuple[str, int]],
    health_service: str,
    upstream_tls: UpstreamTls | None,
    service_name: str,
) -> dict:
    cluster = {
        "name": name,
        "type": "STATIC",
        "connect_timeout": "1s",
        "lb_policy": "ROUND_ROBIN",
        "typed_extension_protocol_options": {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": _any(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                explicit_http_config={
                    "http2_protocol_options": {"connection_keepalive": {"interval": "30s", "timeout": "5s"}}
                },
            ),
        },
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [
                {
                    "lb_endpoints": [
                        {"endpoint": {"address": {"socket_address": {"address": host, "port_value": port}}}}
                        for host, port in addresses
                    ]
                }
            ],
        },
        "health_checks": [
            {
                "timeout": "2s",
                "interval": "2s",
                "no_traffic_interval": "5s",
                "unhealthy_interval": "2s",
                "unhealthy_threshold": 2,
                "healthy_threshold": 1,
                "grpc_health_check": {"service_name": health_service, "authority": service_name},
            }
        ],
        # A retry budget instead of Envoy's default of 3 concurrent retries per cluster,
        # which loses reads when a replica dies under load.
        "circuit_breakers": {
            "thresholds": [
                {
                    "priority": "DEFAULT",
                    "retry_budget": {"budget_percent": {"value": 50.0}, "min_retry_concurrency": 16},
                }
            ]
        },
        "outlier_detection": {
            "consecutive_5xx": 5,
            "consecutive_gateway_failure": 3,
            "split_external_local_origin_errors": True,
            "consecutive_local_origin_failure": 3,
            "interval": "5s",
            "base_ejection_time": "10s",
            "max_ejection_percent": 50,
        },
        "common_lb_config": {"healthy_panic_threshold": {"value": 0}},
    }
    if upstream_tls is not None:
        spiffe = upstream_tls.spiffe_ids.get(service_name)
        if not spiffe:
            raise ValueError(f"upstream_tls has no SPIFFE id for {service_name}")
        san = {"match_typed_subject_alt_names": [{"san_type": "URI", "matcher": {"exact": spiffe}}]}
        context: dict = {"alpn_protocols": ["h2"], "tls_params": {"tls_minimum_protocol_version": "TLSv1_2"}}
        if upstream_tls.cert_sds:
            context["tls_certificate_sds_secret_configs"] = [_sds(*upstream_tls.cert_sds)]
        else:
            context["tls_certificates"] = [
                {"certificate_chain": {"filename": upstream_tls.cert}, "private_key": {"filename": upstream_tls.key}}
            ]
        if upstream_tls.ca_sds:
            context["combined_validation_context"] = {
                "default_validation_context": san,
                "validation_context_sds_secret_config": _sds(*upstream_tls.ca_sds),
            }
        else:
            context["validation_context"] = {"trusted_ca": {"filename": upstream_tls.ca}, **san}
        cluster["transport_socket"] = _tls_socket("UpstreamTlsContext", {"common_tls_context": context})
    return cluster


def _rate_limit_actions() -> list[dict]:
    """Descriptors per caller: the token subject, or (without a token) the client address."""
    return [
        {"actions": [{"request_headers": {"header_name": SUBJECT_HEADER, "descriptor_key": "subject"}}]},
        {
            "actions": [
                {
                    "header_value_match": {
                        "descriptor_key": "anonymous",
                        "descriptor_value": "true",
                        "expect_match": False,
                        "headers": [{"name": SUBJECT_HEADER, "present_match": True}],
                    }
                },
                {"remote_address": {}},
            ]
        },
    ]


def _rate_limit_config(name: str, tokens: int, per_seconds: int) -> dict:
    bucket = _bucket(tokens, per_seconds)
    return _any(
        "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
        stat_prefix=name,
        token_bucket=bucket,  # used only when no caller descriptor could be built
        filter_enabled=_percent(),
        filter_enforced=_percent(),
        always_consume_default_token_bucket=False,
        rate_limited_as_resource_exhausted=True,
        max_dynamic_descriptors=10000,
        enable_x_ratelimit_headers="DRAFT_VERSION_03",
        rate_limits=_rate_limit_actions(),
        descriptors=[
            {"entries": [{"key": "subject"}], "token_bucket": bucket},
            {"entries": [{"key": "anonymous", "value": "true"}, {"key": "remote_address"}], "token_bucket": bucket},
        ],
    )


def _rpc_route(rpc: contracts_mod.Rpc, cluster: str, topology: Topology, service_name: str) -> dict:
    service = topology.services[service_name]
    limit = topology.edge.method_limits.get(rpc.grpc_path, topology.edge.default_limit)
    # The service's timeout, never more than the edge's own cap.
    timeout = min(seconds(service.timeout), seconds(topology.edge.timeout))
    action: dict = {"cluster": cluster}
    if rpc.server_streaming:
        action["timeout"] = "0s"  # a stream lives as long as the client wants it
        action["idle_timeout"] = "300s"
    else:
        action["timeout"] = _duration(timeout)
        # A client deadline shorter than the service's timeout wins; a longer one is capped.
        action["max_stream_duration"] = {"grpc_timeout_header_max": _duration(timeout)}
    retries = service.retries
    if rpc.idempotent_read and not rpc.server_streaming:
        action["retry_policy"] = {
            "retry_on": ",".join(sorted(retries.retry_on)),
            "num_retries": retries.attempts,  # topology `attempts` counts retries, as Istio does
            "per_try_timeout": _duration(seconds(retries.per_try_timeout)),
            "retry_host_predicate": [
                {
                    "name": "envoy.retry_host_predicates.previous_hosts",
                    "typed_config": _any("envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"),
                }
            ],
            "host_selection_retry_max_attempts": 3,
            "retry_back_off": {"base_interval": "0.05s", "max_interval": "0.5s"},
        }
    else:
        # Writes are retried only when the request never reached a service.
        action["retry_policy"] = {"retry_on": "connect-failure,refused-stream", "num_retries": retries.attempts}
    return {
        "name": rpc.grpc_path,
        "match": {"path": rpc.grpc_path},
        "route": action,
        "typed_per_filter_config": {
            FILTER_RATELIMIT: _rate_limit_config(f"rl_{service_name}_{rpc.name}", limit.tokens, limit.per_seconds),
        },
    }


def _header(key: str, value: str) -> dict:
    return {"header": {"key": key, "value": value}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}


def _static_route(path: str, filename: pathlib.Path, content_type: str, *extra_headers: dict) -> dict:
    return {
        "name": path,
        "match": {"path": path, "headers": [_method_is("GET")]},
        "direct_response": {"status": 200, "body": {"filename": str(filename)}},
        "response_headers_to_add": [
            _header("content-type", content_type),
            _header("cache-control", "no-cache"),
            *extra_headers,
        ],
        "typed_per_filter_config": {
            FILTER_TRANSCODER: _any("envoy.config.route.v3.FilterConfig", disabled=True),
        },
    }


def _jwt_rules(public: list[contracts_mod.Rpc], static_paths: list[str]) -> list[dict]:
    """Default-deny: public RPCs (gRPC path and REST bindings) and the docs are exempt.

    A token that is sent to a public RPC must still be valid (`allow_missing`),
    as the services would reject it too. Everything else needs a valid token,
    including unknown paths, so what is protected never depends on the REST
    matching here agreeing exactly with the transcoder's.
    """
    optional: dict[str, Any] = {
        "requires_any": {"requirements": [{"provider_name": JWT_PROVIDER}, {"allow_missing": {}}]}
    }
    rules: list[dict[str, Any]] = [{"match": {"path": p, "headers": [_method_is("GET")]}} for p in static_paths]
    for rpc in public:
        rules.append({"match": {"path": rpc.grpc_path}, "requires": optional})
        for binding in rpc.bindings:
            rules.append(
                {
                    "match": {"safe_regex": {"regex": binding.path_regex()}, "headers": [_method_is(binding.method)]},
                    "requires": optional,
                }
            )
    rules.append({"match": {"prefix": "/"}, "requires": {"provider_name": JWT_PROVIDER}})
    return rules


def _jwt_filter(topology: Topology, public: list[contracts_mod.Rpc], static_paths: list[str]) -> dict:
    return _any(
        "envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
        providers={
            JWT_PROVIDER: {
                "issuer": topology.edge.jwt_issuer,
                "audiences": [topology.edge.jwt_audience],
                "remote_jwks": {
                    "http_uri": {
                        "uri": f"http://jwks.edge.internal{JWKS_PATH}",
                        "cluster": JWKS_LISTENER,
                        "timeout": "5s",
                    },
                    # Fetched on a worker's first request that carries a token, not in the
                    # background: `async_fetch` runs on Envoy's main thread, which cannot
                    # connect to an internal listener.
                    "cache_duration": _duration(JWKS_CACHE_SECONDS),
                    "retry_policy": {
                        "num_retries": 3,
                        "retry_back_off": {"base_interval": "0.2s", "max_interval": "2s"},
                    },
                },
                "from_headers": [{"name": "authorization", "value_prefix": "Bearer "}],
                "forward": True,  # services verify the token again (defence in depth)
                "claim_to_headers": [{"header_name": SUBJECT_HEADER, "claim_name": "sub"}],
                "clock_skew_seconds": 5,
            }
        },
        rules=_jwt_rules(public, static_paths),
        bypass_cors_preflight=True,
    )


def _transcoder(descriptor_path: pathlib.Path, services: list[str], max_bytes: int) -> dict:
    return _any(
        "envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder",
        proto_descriptor=str(descriptor_path),
        services=services,
        print_options={
            "add_whitespace": False,
            "always_print_primitive_fields": True,
            "always_print_enums_as_ints": False,
            "preserve_proto_field_names": False,
            "stream_sse_style_delimited": True,
        },
        convert_grpc_status=True,
        auto_mapping=False,
        request_validation_options={
            "reject_unknown_method": True,
            "reject_unknown_query_parameters": True,
            "reject_binding_body_field_collisions": True,
        },
        max_request_body_size=max_bytes,
        max_response_body_size=16 * 1024 * 1024,
    )


def _hcm(stat_prefix: str, routes: dict, filters: list[dict], **extra) -> dict:
    return {
        "name": "envoy.filters.network.http_connection_manager",
        "typed_config": _any(
            "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
            stat_prefix=stat_prefix,
            route_config=routes,
            http_filters=filters,
            **extra,
        ),
    }


def _cors_policy(origins: tuple[str, ...]) -> dict:
    return _any(
        "envoy.extensions.filters.http.cors.v3.CorsPolicy",
        allow_origin_string_match=[{"exact": o} for o in origins],
        allow_methods="GET, POST, PATCH, PUT, DELETE, OPTIONS",
        allow_headers=", ".join(CORS_ALLOW_HEADERS),
        expose_headers=", ".join(CORS_EXPOSE_HEADERS),
        max_age="3600",
        allow_credentials=False,
        forward_not_matching_preflights=False,
    )


def build_config(
    topology: Topology,
    contracts: contracts_mod.Contracts,
    upstreams: dict[str, list[tuple[str, int]]],
    tls: tuple[str, str],
    files: EdgeFiles,
    *,
    upstream_tls: UpstreamTls | None = None,
    jwks_upstream: tuple[str, int] | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    admin_port: int | None = None,
) -> dict:
    """The edge's Envoy bootstrap as a dict (see `render_edge`)."""
    edge = topology.edge
    served: dict[str, str] = {}  # gRPC service -> topology service
    for name, service in topology.services.items():
        if name in upstreams:
            for grpc_service in service.grpc_services:
                served[grpc_service] = name
    rpcs = [r for r in contracts.rpcs if r.service in served]
    grpc_services = [s for s in contracts.services() if s in served]
    missing = sorted(set(served) - set(grpc_services))
    if missing:
        raise ValueError(f"the descriptor image has no service {missing}; run `make proto`")
    if edge.jwks_service not in upstreams and jwks_upstream is None:
        raise ValueError(f"no upstream for {edge.jwks_service}, which serves the JWKS")

    static_paths = ["/", "/openapi.json", "/docs"]
    routes = [
        {
            "name": "/",
            "match": {"path": "/", "headers": [_method_is("GET")]},
            "redirect": {"path_redirect": "/docs", "response_code": "FOUND"},
            "typed_per_filter_config": {FILTER_TRANSCODER: _any("envoy.config.route.v3.FilterConfig", disabled=True)},
        },
        _static_route("/openapi.json", files.openapi, "application/json"),
        _static_route("/docs", files.docs, "text/html; charset=utf-8", _header("content-security-policy", DOCS_CSP)),
    ]
    clusters = []
    for name in upstreams:
        if name not in topology.services:
            raise ValueError(f"upstream {name!r} is not a service of the topology")
        service = topology.services[name]
        cluster = f"svc_{name}"
        clusters.append(_cluster(cluster, upstreams[name], service.grpc_services[0], upstream_tls, name))
    for rpc in rpcs:
        routes.append(_rpc_route(rpc, f"svc_{served[rpc.service]}", topology, served[rpc.service]))
    # Every request matches some route before transcoding, so that CORS (configured
    # per virtual host, and applied only on forwarding routes) covers REST paths too.
    # REST calls are re-routed by their gRPC path after transcoding; what stays on
    # this route is a gRPC call to a method the edge does not serve (UNIMPLEMENTED).
    routes.append(
        {
            "name": "unknown",
            "match": {"prefix": "/"},
            "route": {"cluster": UNKNOWN_CLUSTER, "cluster_not_found_response_code": "NOT_FOUND"},
        }
    )

    public = [r for r in rpcs if r.public]
    filters = [
        {"name": FILTER_CORS, "typed_config": _any("envoy.extensions.filters.http.cors.v3.Cors")},
        {"name": FILTER_GRPC_WEB, "typed_config": _any("envoy.extensions.filters.http.grpc_web.v3.GrpcWeb")},
        {"name": FILTER_JWT, "typed_config": _jwt_filter(topology, public, static_paths)},
        {
            "name": FILTER_BUFFER,
            "typed_config": _any(
                "envoy.extensions.filters.http.buffer.v3.Buffer", max_request_bytes=edge.max_request_bytes
            ),
        },
        {
            "name": FILTER_TRANSCODER,
            "typed_config": _transcoder(files.descriptors, grpc_services, edge.max_request_bytes),
        },
        {
            "name": FILTER_RATELIMIT,
            "typed_config": _any("envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit", stat_prefix="edge"),
        },
        {"name": FILTER_ROUTER, "typed_config": _any("envoy.extensions.filters.http.router.v3.Router")},
    ]
    route_config = {
        "name": "edge",
        "max_direct_response_body_size_bytes": DIRECT_RESPONSE_MAX_BYTES,
        "validate_clusters": False,  # UNKNOWN_CLUSTER does not exist, on purpose
        "virtual_hosts": [
            {
                "name": "edge",
                "domains": ["*"],
                "routes": routes,
                "response_headers_to_add": [_header("x-content-type-options", "nosniff")],
                "typed_per_filter_config": {FILTER_CORS: _cors_policy(edge.cors_origins)},
            }
        ],
    }
    hcm = _hcm(
        "edge",
        route_config,
        filters,
        codec_type="AUTO",
        use_remote_address=True,
        normalize_path=True,
        merge_slashes=True,
        path_with_escaped_slashes_action="KEEP_UNCHANGED",
        forward_client_cert_details="SANITIZE",
        stream_idle_timeout="300s",
        request_headers_timeout="10s",
        common_http_protocol_options={"idle_timeout": "3600s", "headers_with_underscores_action": "REJECT_REQUEST"},
        http2_protocol_options={
            "max_concurrent_streams": 1000,
            "initial_stream_window_size": 1048576,
            "initial_connection_window_size": 4194304,
        },
        early_header_mutation_extensions=[
            {
                "name": "envoy.http.early_header_mutation.header_mutation",
                "typed_config": _any(
                    "envoy.extensions.http.early_header_mutation.header_mutation.v3.HeaderMutation",
                    mutations=[
                        {"remove": SUBJECT_HEADER},
                        {"remove": CLIENT_CONTENT_TYPE_HEADER},
                        {
                            "append": {
                                "header": {"key": CLIENT_CONTENT_TYPE_HEADER, "value": "%REQ(content-type)%"},
                                "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
                            }
                        },
                    ],
                ),
            }
        ],
        local_reply_config=local_reply_config(),
        access_log=_access_log(files.access_log),
    )
    listener = {
        "name": "edge_https",
        "address": {"socket_address": {"address": host, "port_value": edge.port if port is None else port}},
        "per_connection_buffer_limit_bytes": 1048576,
        "filter_chains": [
            {
                "filters": [hcm],
                "transport_socket": _tls_socket(
                    "DownstreamTlsContext",
                    {
                        "common_tls_context": {
                            "alpn_protocols": ["h2", "http/1.1"],
                            "tls_params": {"tls_minimum_protocol_version": "TLSv1_2"},
                            "tls_certificates": [
                                {
                                    "certificate_chain": {"filename": str(tls[0])},
                                    "private_key": {"filename": str(tls[1])},
                                }
                            ],
                        }
                    },
                ),
            }
        ],
    }
    listeners = [listener]
    bootstrap_extensions = []
    if jwks_upstream is not None:
        clusters.append(
            {
                "name": JWKS_LISTENER,
                "type": "STATIC",
                "connect_timeout": "1s",
                "load_assignment": {
                    "cluster_name": JWKS_LISTENER,
                    "endpoints": [
                        {
                            "lb_endpoints": [
                                {
                                    "endpoint": {
                                        "address": {
                                            "socket_address": {
                                                "address": jwks_upstream[0],
                                                "port_value": jwks_upstream[1],
                                            }
                                        }
                                    }
                                }
                            ]
                        }
                    ],
                },
            }
        )
    else:
        # The JWKS is identity's GetJwks RPC, transcoded by an internal listener (no
        # port) so that the keys come through the same mesh path (and mTLS) as any call.
        jwks_rpc = _jwks_rpc(contracts, topology.services[edge.jwks_service].grpc_services)
        jwks_hcm = _hcm(
            "edge_jwks",
            {
                "name": JWKS_LISTENER,
                "virtual_hosts": [
                    {
                        "name": JWKS_LISTENER,
                        "domains": ["*"],
                        "routes": [
                            {
                                "match": {"path": jwks_rpc.grpc_path},
                                "route": {"cluster": f"svc_{edge.jwks_service}", "timeout": "5s"},
                            }
                        ],
                    }
                ],
            },
            [
                {
                    "name": FILTER_TRANSCODER,
                    "typed_config": _transcoder(files.descriptors, [jwks_rpc.service], 64 * 1024),
                },
                {"name": FILTER_ROUTER, "typed_config": _any("envoy.extensions.filters.http.router.v3.Router")},
            ],
        )
        listeners.append({"name": JWKS_LISTENER, "internal_listener": {}, "filter_chains": [{"filters": [jwks_hcm]}]})
        clusters.append(
            {
                "name": JWKS_LISTENER,
                "connect_timeout": "1s",
                "load_assignment": {
                    "cluster_name": JWKS_LISTENER,
                    "endpoints": [
                        {
                            "lb_endpoints": [
                                {
                                    "endpoint": {
                                        "address": {"envoy_internal_address": {"server_listener_name": JWKS_LISTENER}}
                                    }
                                }
                            ]
                        }
                    ],
                },
            }
        )
        bootstrap_extensions.append(
            {
                "name": "envoy.bootstrap.internal_listener",
                "typed_config": _any("envoy.extensions.bootstrap.internal_listener.v3.InternalListener"),
            }
        )

    config = {
        "node": {"id": "edge", "cluster": "edge"},
        "admin": {
            "address": {
                "socket_address": {
                    "address": "127.0.0.1",
                    "port_value": edge.admin_port if admin_port is None else admin_port,
                }
            }
        },
        "static_resources": {"listeners": listeners, "clusters": clusters},
        "overload_manager": {
            "resource_monitors": [
                {
                    "name": "envoy.resource_monitors.global_downstream_max_connections",
                    "typed_config": _any(
                        "envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig",
                        max_active_downstream_connections=50000,
                    ),
                }
            ]
        },
    }
    if bootstrap_extensions:
        config["bootstrap_extensions"] = bootstrap_extensions
    return config


def _jwks_rpc(contracts: contracts_mod.Contracts, grpc_services) -> contracts_mod.Rpc:
    for rpc in contracts.rpcs_of(grpc_services):
        if any(b.method == "GET" and b.template == JWKS_PATH for b in rpc.bindings):
            return rpc
    raise ValueError(f"no RPC of {list(grpc_services)} is bound to GET {JWKS_PATH}")


def render_edge(
    topology: Topology,
    image_path: pathlib.Path | str,
    upstreams: dict[str, list[tuple[str, int]]],
    tls: tuple[str, str],
    out_dir: pathlib.Path | str,
    *,
    upstream_tls: UpstreamTls | None = None,
    jwks_upstream: tuple[str, int] | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    admin_port: int | None = None,
    access_log: pathlib.Path | str | None = None,
) -> pathlib.Path:
    """Write the edge's Envoy config and what it serves into `out_dir`; return the config's path.

    `upstreams` maps a topology service to the addresses the edge sends to (its
    sidecars in the mesh, or the services' own ports). `tls` is the edge's
    server certificate and key. `upstream_tls` turns on mTLS to the upstreams.
    `jwks_upstream`, when given, is a plain-HTTP server of `/.well-known/jwks.json`;
    by default the edge transcodes identity's GetJwks itself. `port` and
    `admin_port` override the topology's (tests use free ports).

    Files written: `edge.yaml`, `edge.descriptors.binpb` (the image plus the
    rich-error types, for the transcoder), `openapi.json`, `docs.html`; the
    access log goes to `access_log` (default `out_dir/edge-access.log`).
    """
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    contracts = contracts_mod.load(image_path)
    files = EdgeFiles(
        config=out / "edge.yaml",
        descriptors=out / "edge.descriptors.binpb",
        openapi=out / "openapi.json",
        docs=out / "docs.html",
        access_log=pathlib.Path(access_log) if access_log else out / "edge-access.log",
    )
    descriptors = contracts_mod.transcoder_descriptor_set(contracts)
    _write(files.descriptors, descriptors)
    served = [s for name in upstreams if name in topology.services for s in topology.services[name].grpc_services]
    document = openapi.build(contracts_mod.from_bytes(descriptors), services=served)
    _write(files.openapi, json.dumps(document, indent=1, sort_keys=False).encode())
    _write(files.docs, DOCS_PAGE.read_bytes())
    config = build_config(
        topology,
        contracts,
        upstreams,
        tls,
        files,
        upstream_tls=upstream_tls,
        jwks_upstream=jwks_upstream,
        host=host,
        port=port,
        admin_port=admin_port,
    )
    _write(files.config, yaml.safe_dump(config, sort_keys=False).encode())
    return files.config


def _write(path: pathlib.Path, data: bytes) -> None:
    """Write atomically, so a running Envoy never reads half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
