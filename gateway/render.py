"""Render the edge Envoy's configuration from the topology and the descriptor image.

    path = render_edge(topology, "build/iworkz.binpb", {"identity": [("127.0.0.1", 50200)], ...},
                       (cert, key), out_dir)

One HTTPS listener (HTTP/1.1 and HTTP/2) serves REST/JSON (transcoded, server
streams as Server-Sent Events), gRPC-web and gRPC. Filters, in order:

    cors → grpc_web → jwt_authn → lua (client streams without a token) → buffer
    → lua (unknown JSON fields) → grpc_json_transcoder → local_ratelimit → router

Routes match the gRPC path (`/pkg.Service/Method`): REST requests are
transcoded before routing, gRPC-web requests are turned into gRPC first. Every
RPC of a served service gets its own route so that timeouts, retries (reads
only) and rate limits are per method. Authentication is default-deny: only the
RPCs the contracts mark public (and the API docs) are reachable without a
valid token. Every error a browser can see is JSON shaped like the
transcoder's rich errors: `{"code": <grpc code>, "message": "...", "details": []}`.

With the web app on (the topology's `web:` and a `web_upstream`), every path
that is not the API's goes to the Next.js server of `web/` instead of a 404: paths
under the bindings' first segments (`/v1/...`, `/credentials/...`, `/.well-known/...`),
gRPC and gRPC-web requests, `/docs` and `/openapi.json` stay the API's; `/` is the
web app's home page. Web routes skip the JWT check and the transcoder (the web
server calls the API back through this edge with the user's token). Cache headers
are the edge's, ready for a CDN in front: the build's content-hashed files
(`/_next/static/...`) are `public, max-age=31536000, immutable`, pages `no-cache`
(or the app's `no-store`), a missing hashed file `no-store` (`envoy/web_cache.lua`).

Nothing here is written by hand per service: add a service to the topology
and its RPCs to the contracts, and the edge serves it.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml

import contracts
from envoy import edge_policy
from envoy.config import (
    Json,
    bootstrap,
    duration,
    http_connection_manager,
    router,
    socket_address,
    static_cluster,
    typed,
    virtual_host,
)
from envoy.edge_policy import JWKS_PATH, SUBJECT_HEADER, TRANSCODER, WEB_CACHE, WEB_HASHED_PREFIX
from envoy.tls import Credentials, downstream_tls, upstream_mtls
from envoy.traffic import retry_back_off, route_action, upstream_cluster
from gateway import openapi
from topology import Topology

FILTER_CORS = "envoy.filters.http.cors"
FILTER_JWT = "envoy.filters.http.jwt_authn"
FILTER_BUFFER = "envoy.filters.http.buffer"
FILTER_RATELIMIT = "envoy.filters.http.local_ratelimit"

DOCS_PAGE = pathlib.Path(__file__).with_name("docs.html")
# The docs page is one file with inline script and style, talking only to this origin.
DOCS_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
JWT_PROVIDER = "identity"
JWKS_LISTENER = "edge_jwks"
# How long fetched signing keys are used before they are fetched again. Identity
# keeps replaced keys in its JWKS for the token lifetime, so a token signed by a
# new key is accepted here at most this long after the rotation.
JWKS_CACHE_SECONDS = 30
# Fetching the signing keys (through the internal listener): each try's timeout. It is retried
# as the JWKS service's calls are (its topology `retries.attempts`, the `traffic` back-off).
JWKS_FETCH_TIMEOUT_SECONDS = 5
DIRECT_RESPONSE_MAX_BYTES = 8 * 1024 * 1024
UNKNOWN_CLUSTER = "unknown_method"
WEB_CLUSTER = "web"
# Upstream connections to the web app's server are closed after this long idle: under Node's 5 s.
WEB_UPSTREAM_IDLE_SECONDS = 4.0
MAX_CONNECTIONS = 50000


@dataclass(frozen=True)
class UpstreamTls:
    """mTLS from the edge to the sidecars: the edge's credentials (SDS files that rotate, or
    plain files) and the SPIFFE id each service's sidecar must present."""

    credentials: Credentials
    spiffe_ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EdgeFiles:
    """What `render_edge` wrote."""

    config: pathlib.Path
    descriptors: pathlib.Path
    openapi: pathlib.Path
    docs: pathlib.Path
    access_log: pathlib.Path


def _percent(numerator: int = 100) -> Json:
    return {"default_value": {"numerator": numerator, "denominator": "HUNDRED"}, "runtime_key": "unused"}


def _bucket(tokens: int, per_seconds: int) -> Json:
    return {"max_tokens": tokens, "tokens_per_fill": tokens, "fill_interval": duration(per_seconds)}


def _method_is(method: str) -> Json:
    return {"name": ":method", "string_match": {"exact": method}}


def local_reply_config() -> Json:
    """Envoy's own replies (401, 404, 413, 429, 503, ...) as JSON like the transcoder's errors."""
    return {"mappers": edge_policy.local_reply_mappers()}


def _access_log(path: pathlib.Path) -> list[Json]:
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
            "typed_config": typed(
                "envoy.extensions.access_loggers.file.v3.FileAccessLog",
                path=str(path),
                log_format={"json_format": fields},
            ),
        }
    ]


def _cluster(topology: Topology, name: str, addresses: list[tuple[str, int]], upstream_tls: UpstreamTls | None) -> Json:
    """The cluster of a service's replicas (or sidecars), over mTLS when `upstream_tls` is given."""
    socket = None
    if upstream_tls is not None:
        spiffe = upstream_tls.spiffe_ids.get(name)
        if not spiffe:
            raise ValueError(f"upstream_tls has no SPIFFE id for {name}")
        socket = upstream_mtls(upstream_tls.credentials, spiffe)
    service = topology.services[name]
    return upstream_cluster(f"svc_{name}", addresses, topology.traffic, service.grpc_services[0], name, socket)


def _rate_limit_actions() -> list[Json]:
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


def _rate_limit_config(name: str, tokens: int, per_seconds: int) -> Json:
    bucket = _bucket(tokens, per_seconds)
    return typed(
        "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
        stat_prefix=name,
        token_bucket=bucket,  # used only when no caller descriptor could be built
        filter_enabled=_percent(),
        filter_enforced=_percent(),
        always_consume_default_token_bucket=False,
        rate_limited_as_resource_exhausted=True,
        max_dynamic_descriptors=10000,
        enable_x_ratelimit_headers="DRAFT_VERSION_03",
        # On a 429 only: the bucket refills whole every `per_seconds`, so that long at most.
        response_headers_to_add=[_header("retry-after", str(per_seconds))],
        rate_limits=_rate_limit_actions(),
        descriptors=[
            {"entries": [{"key": "subject"}], "token_bucket": bucket},
            {"entries": [{"key": "anonymous", "value": "true"}, {"key": "remote_address"}], "token_bucket": bucket},
        ],
    )


def _rpc_route(rpc: contracts.Rpc, topology: Topology, service_name: str) -> Json:
    service = topology.services[service_name]
    limit = topology.edge.limit(rpc.grpc_path)
    # The service's timeout, never more than the edge's own cap.
    timeout = min(service.timeout, topology.edge.timeout)
    action = route_action(
        f"svc_{service_name}",
        timeout,
        service.retries,
        topology.traffic,
        read=rpc.idempotent_read,
        streaming=rpc.server_streaming,
    )
    per_filter: Json = {
        FILTER_RATELIMIT: _rate_limit_config(f"rl_{service_name}_{rpc.name}", limit.tokens, limit.per_seconds),
    }
    if rpc.grpc_path in topology.edge.upload_limits:
        per_filter[FILTER_BUFFER] = _buffer_limit(topology.edge.request_limit(rpc.grpc_path))
    if rpc.client_streaming and rpc.server_streaming:
        # A conversation (voice's Converse) streams both ways at once: buffering the request until its
        # end would hold every reply back until the caller hangs up. Each message is still bounded by
        # the service's message size limit and its contract's rules.
        per_filter[FILTER_BUFFER] = typed("envoy.extensions.filters.http.buffer.v3.BufferPerRoute", disabled=True)
    return {
        "name": rpc.grpc_path,
        "match": {"path": rpc.grpc_path},
        "route": action,
        "typed_per_filter_config": per_filter,
    }


def _buffer_limit(max_bytes: int) -> Json:
    return typed("envoy.extensions.filters.http.buffer.v3.BufferPerRoute", buffer={"max_request_bytes": max_bytes})


def _upload_routes(rpc: contracts.Rpc, topology: Topology, service_name: str) -> list[Json]:
    """REST routes of an upload method, matched before transcoding so the buffer filter (which runs
    before the transcoder re-routes by gRPC path) applies the method's larger limit to them."""
    route = _rpc_route(rpc, topology, service_name)
    return [
        {
            "name": f"{rpc.grpc_path} {binding.method}",
            "match": {"safe_regex": {"regex": binding.path_regex()}, "headers": [_method_is(binding.method)]},
            "route": route["route"],
            "typed_per_filter_config": route["typed_per_filter_config"],
        }
        for binding in rpc.bindings
    ]


def _header(key: str, value: str) -> Json:
    return {"header": {"key": key, "value": value}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}


def _static_route(path: str, filename: pathlib.Path, content_type: str, *extra_headers: Json) -> Json:
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
            TRANSCODER: typed("envoy.config.route.v3.FilterConfig", disabled=True),
        },
    }


def _jwt_rules(
    public: list[contracts.Rpc], static_paths: list[str], client_streams: Iterable[contracts.Rpc] = ()
) -> list[Json]:
    """Default-deny: public RPCs (gRPC path and REST bindings) and the docs are exempt.

    A token that is sent to a public RPC must still be valid (`allow_missing`),
    as the services would reject it too. Everything else needs a valid token,
    including unknown paths, so what is protected never depends on the REST
    matching here agreeing exactly with the transcoder's.

    The gRPC path of a client-streaming RPC is checked but not refused here: refused on its
    headers, a stream whose client is still writing its first message reaches gRPC clients as
    INTERNAL instead of UNAUTHENTICATED. The filter after this one refuses it, without a verified
    subject, once its request is complete (`envoy/unauthenticated_streams.lua`).
    """
    optional: Json = {"requires_any": {"requirements": [{"provider_name": JWT_PROVIDER}, {"allow_missing": {}}]}}
    checked_only: Json = {
        "requires_any": {"requirements": [{"provider_name": JWT_PROVIDER}, {"allow_missing_or_failed": {}}]}
    }
    rules: list[Json] = [{"match": {"path": p, "headers": [_method_is("GET")]}} for p in static_paths]
    rules += [{"match": {"path": rpc.grpc_path}, "requires": checked_only} for rpc in client_streams]
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


def _jwt_filter(
    topology: Topology, public: list[contracts.Rpc], static_paths: list[str], client_streams: list[contracts.Rpc]
) -> Json:
    jwt = topology.edge.jwt
    return typed(
        "envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
        providers={
            JWT_PROVIDER: {
                "issuer": jwt.issuer,
                "audiences": [jwt.audience],
                "remote_jwks": {
                    "http_uri": {
                        "uri": f"http://jwks.edge.internal{JWKS_PATH}",
                        "cluster": JWKS_LISTENER,
                        "timeout": duration(JWKS_FETCH_TIMEOUT_SECONDS),
                    },
                    # Fetched on a worker's first request that carries a token, not in the
                    # background: `async_fetch` runs on Envoy's main thread, which cannot
                    # connect to an internal listener.
                    "cache_duration": duration(JWKS_CACHE_SECONDS),
                    "retry_policy": {
                        "num_retries": topology.services[jwt.jwks_service].retries.attempts,
                        "retry_back_off": retry_back_off(topology.traffic),
                    },
                },
                "from_headers": [{"name": "authorization", "value_prefix": "Bearer "}],
                "forward": True,  # services verify the token again (defence in depth)
                "claim_to_headers": [{"header_name": SUBJECT_HEADER, "claim_name": "sub"}],
                "clock_skew_seconds": 5,
                # A token without `exp` would never expire: identity always sets one.
                "require_expiration": True,
            }
        },
        rules=_jwt_rules(public, static_paths, client_streams),
        bypass_cors_preflight=True,
    )


def _cors_policy(origins: tuple[str, ...]) -> Json:
    return typed(
        "envoy.extensions.filters.http.cors.v3.CorsPolicy",
        allow_origin_string_match=[{"exact": o} for o in origins],
        allow_methods=", ".join(edge_policy.CORS_ALLOW_METHODS),
        allow_headers=", ".join(edge_policy.CORS_ALLOW_HEADERS),
        expose_headers=", ".join(edge_policy.CORS_EXPOSE_HEADERS),
        max_age=str(edge_policy.CORS_MAX_AGE_SECONDS),
        allow_credentials=False,
        forward_not_matching_preflights=False,
    )


def _served(topology: Topology, upstreams: Iterable[str]) -> dict[str, str]:
    """gRPC service -> the topology service behind it, for the upstreams given."""
    served: dict[str, str] = {}
    for name in upstreams:
        if name not in topology.services:
            raise ValueError(f"upstream {name!r} is not a service of the topology")
        for grpc_service in topology.services[name].grpc_services:
            served[grpc_service] = name
    return served


def _disabled() -> Json:
    return typed("envoy.config.route.v3.FilterConfig", disabled=True)


def _web_routes(topology: Topology, rpcs: list[contracts.Rpc]) -> list[Json]:
    """The API's catch-alls first (gRPC and gRPC-web to an unknown method, REST under an API root), then
    every other path to the web app, without the JWT check, the transcoder or a route timeout (its
    Server-Sent Events live as long as the browser keeps them; `stream_idle_timeout` still holds)."""
    unknown = {"cluster": UNKNOWN_CLUSTER, "cluster_not_found_response_code": "NOT_FOUND"}
    roots = edge_policy.api_roots(b.template for rpc in rpcs for b in rpc.bindings)
    return [
        {
            "name": "unknown grpc",
            "match": {
                "prefix": "/",
                "headers": [{"name": "content-type", "string_match": {"prefix": "application/grpc"}}],
            },
            "route": unknown,
        },
        {
            "name": "unknown api",
            "match": {"safe_regex": {"regex": edge_policy.api_path_regex(roots)}},
            "route": unknown,
        },
        {
            "name": "web hashed files",
            "match": {"prefix": WEB_HASHED_PREFIX},
            "route": {"cluster": WEB_CLUSTER},
            "typed_per_filter_config": {
                TRANSCODER: _disabled(),
                FILTER_JWT: _disabled(),
                WEB_CACHE: edge_policy.web_cache_route(edge_policy.WEB_HASHED_SCRIPT),
            },
        },
        {
            "name": "web",
            "match": {"prefix": "/"},
            "route": {"cluster": WEB_CLUSTER, "timeout": "0s"},
            "typed_per_filter_config": {
                TRANSCODER: _disabled(),
                FILTER_JWT: _disabled(),
                # Bodies up to the largest upload (a résumé the web server passes on to the agent).
                FILTER_BUFFER: _buffer_limit(topology.edge.largest_request_bytes),
                WEB_CACHE: edge_policy.web_cache_route(edge_policy.WEB_PAGES_SCRIPT),
            },
        },
    ]


def _routes(
    topology: Topology, rpcs: list[contracts.Rpc], served: dict[str, str], files: EdgeFiles, web: bool = False
) -> list[Json]:
    home = {
        "name": "/",
        "match": {"path": "/", "headers": [_method_is("GET")]},
        "redirect": {"path_redirect": "/docs", "response_code": "FOUND"},
        "typed_per_filter_config": {TRANSCODER: _disabled()},
    }
    routes = [
        *([] if web else [home]),
        _static_route("/openapi.json", files.openapi, "application/json"),
        _static_route("/docs", files.docs, "text/html; charset=utf-8", _header("content-security-policy", DOCS_CSP)),
    ]
    routes += [_rpc_route(rpc, topology, served[rpc.service]) for rpc in rpcs]
    for rpc in rpcs:
        if rpc.grpc_path in topology.edge.upload_limits:
            routes += _upload_routes(rpc, topology, served[rpc.service])
    # Every request matches some route before transcoding, so that CORS (configured
    # per virtual host, and applied only on forwarding routes) covers REST paths too.
    # REST calls are re-routed by their gRPC path after transcoding; what stays on
    # this route is a gRPC call to a method the edge does not serve (UNIMPLEMENTED).
    if web:
        return routes + _web_routes(topology, rpcs)
    routes.append(
        {
            "name": "unknown",
            "match": {"prefix": "/"},
            "route": {"cluster": UNKNOWN_CLUSTER, "cluster_not_found_response_code": "NOT_FOUND"},
        }
    )
    return routes


def _jwks_listener(topology: Topology, image: contracts.Contracts, files: EdgeFiles) -> tuple[Json, Json]:
    """The JWKS is identity's GetJwks RPC, transcoded by an internal listener (no port) so that
    the keys come through the same mesh path (and mTLS) as any call: (listener, cluster)."""
    service = topology.edge.jwt.jwks_service
    jwks_rpc = _jwks_rpc(image, topology.services[service].grpc_services)
    route = {
        "match": {"path": jwks_rpc.grpc_path},
        "route": {"cluster": f"svc_{service}", "timeout": duration(JWKS_FETCH_TIMEOUT_SECONDS)},
    }
    hcm = http_connection_manager(
        "edge_jwks",
        {"name": JWKS_LISTENER, "virtual_hosts": [virtual_host(JWKS_LISTENER, [route])]},
        [
            {
                "name": TRANSCODER,
                "typed_config": edge_policy.transcoder(files.descriptors, [jwks_rpc.service], 64 * 1024),
            },
            router(),
        ],
    )
    listener = {"name": JWKS_LISTENER, "internal_listener": {}, "filter_chains": [{"filters": [hcm]}]}
    cluster = {
        "name": JWKS_LISTENER,
        "connect_timeout": duration(topology.traffic.connect_timeout),
        "load_assignment": {
            "cluster_name": JWKS_LISTENER,
            "endpoints": [
                {
                    "lb_endpoints": [
                        {"endpoint": {"address": {"envoy_internal_address": {"server_listener_name": JWKS_LISTENER}}}}
                    ]
                }
            ],
        },
    }
    return listener, cluster


def build_config(
    topology: Topology,
    image: contracts.Contracts,
    upstreams: dict[str, list[tuple[str, int]]],
    tls: tuple[str, str],
    files: EdgeFiles,
    *,
    upstream_tls: UpstreamTls | None = None,
    jwks_upstream: tuple[str, int] | None = None,
    web_upstream: tuple[str, int] | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    admin_port: int | None = None,
) -> Json:
    """The edge's Envoy bootstrap as a dict (see `render_edge`)."""
    edge = topology.edge
    served = _served(topology, upstreams)
    rpcs = [r for r in image.rpcs if r.service in served]
    grpc_services = [s for s in image.services() if s in served]
    missing = sorted(set(served) - set(grpc_services))
    if missing:
        raise ValueError(f"the descriptor image has no service {missing}; run `make proto`")
    if edge.jwt.jwks_service not in upstreams and jwks_upstream is None:
        raise ValueError(f"no upstream for {edge.jwt.jwks_service}, which serves the JWKS")

    static_paths = [*([] if web_upstream else ["/"]), *edge_policy.API_DOC_PATHS]
    clusters = [_cluster(topology, name, addresses, upstream_tls) for name, addresses in upstreams.items()]
    if web_upstream is not None:
        # The Next.js server speaks HTTP/1.1 on loopback (in Istio, the web pod's sidecar adds mTLS).
        web_cluster = static_cluster(WEB_CLUSTER, web_upstream, topology.traffic)
        # Node closes a keep-alive connection idle for 5 s (its default keepAliveTimeout); a request sent on
        # it just then is reset ("upstream connect error or disconnect/reset before headers ... connection
        # termination", a 503 page: clean-clone CI's web journey met it). The edge closes them first.
        web_cluster["typed_extension_protocol_options"] = {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": typed(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                common_http_protocol_options={"idle_timeout": duration(WEB_UPSTREAM_IDLE_SECONDS)},
                explicit_http_config={"http_protocol_options": {}},
            )
        }
        clusters.append(web_cluster)
    public = [r for r in rpcs if r.public]
    client_streams = [r for r in rpcs if r.client_streaming and not r.public]
    filters = [
        {"name": FILTER_CORS, "typed_config": typed("envoy.extensions.filters.http.cors.v3.Cors")},
        {"name": edge_policy.GRPC_WEB, "typed_config": typed("envoy.extensions.filters.http.grpc_web.v3.GrpcWeb")},
        {"name": FILTER_JWT, "typed_config": _jwt_filter(topology, public, static_paths, client_streams)},
        # Client streams without a valid token, refused once their request is complete (see _jwt_rules).
        {
            "name": edge_policy.UNAUTHENTICATED_STREAMS,
            "typed_config": edge_policy.unauthenticated_stream_filter(
                [r.grpc_path for r in client_streams], SUBJECT_HEADER
            ),
        },
        {
            "name": FILTER_BUFFER,
            "typed_config": typed(
                "envoy.extensions.filters.http.buffer.v3.Buffer", max_request_bytes=edge.max_request_bytes
            ),
        },
        # Unknown JSON fields refused before the transcoder would drop them.
        {
            "name": edge_policy.UNKNOWN_FIELDS,
            "typed_config": edge_policy.unknown_fields_filter(*contracts.body_checks(image, grpc_services)),
        },
        {
            "name": TRANSCODER,
            # The buffer filter holds other requests to max_request_bytes; uploads get their own limit.
            "typed_config": edge_policy.transcoder(files.descriptors, grpc_services, edge.largest_request_bytes),
        },
        {
            "name": FILTER_RATELIMIT,
            "typed_config": typed(
                "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit", stat_prefix="edge"
            ),
        },
        *([{"name": WEB_CACHE, "typed_config": edge_policy.web_cache_filter()}] if web_upstream is not None else []),
        router(),
    ]
    route_config = {
        "name": "edge",
        "max_direct_response_body_size_bytes": DIRECT_RESPONSE_MAX_BYTES,
        "validate_clusters": False,  # UNKNOWN_CLUSTER does not exist, on purpose
        "virtual_hosts": [
            virtual_host(
                "edge",
                _routes(topology, rpcs, served, files, web=web_upstream is not None),
                response_headers_to_add=[_header("x-content-type-options", "nosniff")],
                typed_per_filter_config={FILTER_CORS: _cors_policy(edge.cors_origins)},
            )
        ],
    }
    mutation = edge_policy.client_content_type_mutation()
    hcm = http_connection_manager(
        "edge",
        route_config,
        filters,
        codec_type="AUTO",
        use_remote_address=True,
        normalize_path=True,
        merge_slashes=True,
        path_with_escaped_slashes_action="KEEP_UNCHANGED",
        forward_client_cert_details="SANITIZE",
        stream_idle_timeout=duration(topology.traffic.stream_idle_timeout),
        request_headers_timeout="10s",
        common_http_protocol_options={"idle_timeout": "3600s", "headers_with_underscores_action": "REJECT_REQUEST"},
        http2_protocol_options={
            "max_concurrent_streams": 1000,
            "initial_stream_window_size": 1048576,
            "initial_connection_window_size": 4194304,
        },
        early_header_mutation_extensions=[mutation],
        local_reply_config=local_reply_config(),
        access_log=_access_log(files.access_log),
    )
    listeners = [
        {
            "name": "edge_https",
            "address": socket_address(host, edge.port if port is None else port),
            "per_connection_buffer_limit_bytes": 1048576,
            "filter_chains": [{"filters": [hcm], "transport_socket": downstream_tls(str(tls[0]), str(tls[1]))}],
        }
    ]
    extra: Json = {}
    if jwks_upstream is not None:
        clusters.append(static_cluster(JWKS_LISTENER, jwks_upstream, topology.traffic))
    else:
        listener, cluster = _jwks_listener(topology, image, files)
        listeners.append(listener)
        clusters.append(cluster)
        extra["bootstrap_extensions"] = [
            {
                "name": "envoy.bootstrap.internal_listener",
                "typed_config": typed("envoy.extensions.bootstrap.internal_listener.v3.InternalListener"),
            }
        ]
    admin = ("127.0.0.1", edge.admin_port if admin_port is None else admin_port)
    return bootstrap("edge", "edge", admin, listeners, clusters, MAX_CONNECTIONS, **extra)


def _jwks_rpc(image: contracts.Contracts, grpc_services: Iterable[str]) -> contracts.Rpc:
    for rpc in image.rpcs_of(grpc_services):
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
    web_upstream: tuple[str, int] | None = None,
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
    by default the edge transcodes identity's GetJwks itself. `web_upstream`, when given, is the
    web app's server (`web/`): every non-API path goes there. `port` and
    `admin_port` override the topology's (tests use free ports).

    Files written: `edge.yaml`, `edge.descriptors.binpb` (the image plus the
    rich-error types, for the transcoder), `openapi.json`, `docs.html`; the
    access log goes to `access_log` (default `out_dir/edge-access.log`).
    """
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    image = contracts.load(image_path)
    files = EdgeFiles(
        config=out / "edge.yaml",
        descriptors=out / "edge.descriptors.binpb",
        openapi=out / "openapi.json",
        docs=out / "docs.html",
        access_log=pathlib.Path(access_log) if access_log else out / "edge-access.log",
    )
    descriptors = contracts.transcoder_descriptor_set(image)
    _write(files.descriptors, descriptors)
    served = [s for name in upstreams if name in topology.services for s in topology.services[name].grpc_services]
    document = openapi.build(contracts.from_bytes(descriptors), services=served)
    _write(files.openapi, json.dumps(document, indent=1, sort_keys=False).encode())
    _write(files.docs, DOCS_PAGE.read_bytes())
    config = build_config(
        topology,
        image,
        upstreams,
        tls,
        files,
        upstream_tls=upstream_tls,
        jwks_upstream=jwks_upstream,
        web_upstream=web_upstream,
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
