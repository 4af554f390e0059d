"""Render the sidecar Envoy of each service replica from the topology and the contracts.

Replica `i` of a service gets one Envoy with:

- an INBOUND listener on `127.0.0.1:ports.sidecar+i`: mTLS only (a client
  certificate from the mesh CA is required), then an RBAC filter that lets in
  only the SPIFFE ids of the topology's `callers` of the service — anyone else
  gets `PERMISSION_DENIED` (Envoy answers a gRPC request's 403 with
  grpc-status 7). The verified caller is passed on in a sanitised
  `x-forwarded-client-cert` (`URI=spiffe://…`), which the runtime reads when
  IWORKZ_TRUST_XFCC is set. Requests go to the replica's own app on
  `127.0.0.1:ports.app+i` (HTTP/2).
- an OUTBOUND (egress) listener on `127.0.0.1:ports.egress+i` when the service
  `calls` others: plaintext HTTP/2 from the local app, routed by gRPC service
  to a cluster of every replica's sidecar of the callee, over mTLS with this
  service's certificate, accepting only the callee's SPIFFE id. Round robin,
  outlier detection, active gRPC health checks, the callee's timeout and
  retries: reads (RPCs bound to HTTP GET) retry on the topology's `retry_on`
  on another replica; writes and streams only when the request cannot have
  reached the service (connection failure, refused stream, reset before the
  request was sent).
- an admin interface on `127.0.0.1:ports.sidecar_admin+i` (used for /ready
  and the stats), and `--base-id` = that admin port, unique per host.

Certificates come through SDS files (`mesh.certs`), so re-issuing them rotates
the certificates of running sidecars.
"""

from __future__ import annotations

import pathlib
import sys
from dataclasses import dataclass

import yaml

from gateway import contracts as contracts_module
from mesh import certs as mesh_certs
from mesh.topology import Service, Topology, seconds

ENVOY = pathlib.Path(sys.executable).with_name("envoy")
HOST = "127.0.0.1"
IMAGE = pathlib.Path(__file__).resolve().parents[1] / "build" / "iworkz.binpb"

# Retry conditions that fire only when the request never reached the service.
_SAFE_RETRY_ON = {
    "connect-failure": "connect-failure",
    "refused-stream": "refused-stream",
    "reset": "reset-before-request",
    "reset-before-request": "reset-before-request",
}


@dataclass(frozen=True)
class HealthCheck:
    """Active gRPC health checking of a callee's replicas (intervals in seconds)."""

    interval: float = 5.0
    no_traffic_interval: float = 5.0
    unhealthy_interval: float = 1.0
    # Lenient with a slow answer (a busy laptop), quick with a dead replica: a refused
    # connection fails at once, and outlier detection ejects on the first calls it fails.
    timeout: float = 5.0
    unhealthy_threshold: int = 3
    healthy_threshold: int = 1


DEFAULT_HEALTH = HealthCheck()


@dataclass(frozen=True)
class Sidecar:
    """One rendered sidecar: where its config is and the ports it uses."""

    service: str
    replica: int
    config: pathlib.Path
    inbound_port: int
    egress_port: int | None
    admin_port: int
    app_port: int

    @property
    def name(self) -> str:
        return f"{self.service}-{self.replica}"

    @property
    def base_id(self) -> int:
        # Envoy's shared-memory id: the admin port is unique on the host, so is this.
        return self.admin_port

    def command(self, log_level: str = "warning", concurrency: int = 1) -> list[str]:
        return envoy_command(self.config, self.base_id, log_level, concurrency)


def envoy_command(config: pathlib.Path, base_id: int, log_level: str = "warning", concurrency: int = 1) -> list[str]:
    """The command line of an Envoy with its own --base-id (several run on one host)."""
    return [
        str(ENVOY),
        "-c",
        str(config),
        "--base-id",
        str(base_id),
        "--concurrency",
        str(concurrency),
        "--log-level",
        log_level,
        "--drain-time-s",
        "5",
        "--parent-shutdown-time-s",
        "10",
        "--drain-strategy",
        "immediate",
    ]


def _duration(value: float | str) -> str:
    return f"{seconds(value) if isinstance(value, str) else value:g}s"


def _sds(name: str, path: pathlib.Path) -> dict:
    return {"name": name, "sds_config": {"path_config_source": {"path": str(path)}, "resource_api_version": "V3"}}


def _tls_context(certs_dir: pathlib.Path, own: str) -> dict:
    return {
        "alpn_protocols": ["h2"],
        "tls_params": {"tls_minimum_protocol_version": "TLSv1_2"},
        "tls_certificate_sds_secret_configs": [_sds(own, mesh_certs.sds_file(certs_dir, own))],
    }


def _http2_options() -> dict:
    return {
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
            "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
            "explicit_http_config": {
                "http2_protocol_options": {"connection_keepalive": {"interval": "30s", "timeout": "5s"}}
            },
        }
    }


def _access_log(direction: str) -> list[dict]:
    return [
        {
            "name": "envoy.access_loggers.stdout",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog",
                "log_format": {
                    "json_format": {
                        "time": "%START_TIME%",
                        "direction": direction,
                        "method": "%REQ(:PATH)%",
                        "grpc_status": "%GRPC_STATUS(NUMBER)%",
                        "http_status": "%RESPONSE_CODE%",
                        "flags": "%RESPONSE_FLAGS%",
                        "duration_ms": "%DURATION%",
                        "upstream": "%UPSTREAM_HOST%",
                        "peer": "%DOWNSTREAM_PEER_URI_SAN%",
                        "request_id": "%REQ(X-REQUEST-ID)%",
                        "attempts": "%UPSTREAM_REQUEST_ATTEMPT_COUNT%",
                    }
                },
            },
        }
    ]


def _router() -> dict:
    return {
        "name": "envoy.filters.http.router",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
            "suppress_envoy_headers": True,
        },
    }


def _hcm(stat_prefix: str, direction: str, routes: list[dict], filters: list[dict], **extra) -> dict:
    return {
        "name": "envoy.filters.network.http_connection_manager",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3"
            ".HttpConnectionManager",
            "stat_prefix": stat_prefix,
            "codec_type": "AUTO",
            "http2_protocol_options": {"max_concurrent_streams": 1024},
            "access_log": _access_log(direction),
            "route_config": {
                "name": stat_prefix,
                "virtual_hosts": [{"name": stat_prefix, "domains": ["*"], "routes": routes}],
            },
            "http_filters": [*filters, _router()],
            **extra,
        },
    }


def _route_timeouts(service: Service, streaming: bool) -> dict:
    if streaming:
        # Server streams stay open as long as the caller wants; its deadline (grpc-timeout) still holds.
        return {"timeout": "0s", "idle_timeout": "3600s", "max_stream_duration": {"grpc_timeout_header_max": "0s"}}
    return {
        "timeout": _duration(service.timeout),
        "max_stream_duration": {"grpc_timeout_header_max": _duration(service.timeout)},
    }


def _retry_policy(service: Service, read: bool) -> dict | None:
    """The callee's retries: all of `retry_on` for reads, only never-delivered requests otherwise."""
    retries = service.retries
    # Envoy's spelling (`unavailable`, `connect-failure`); the topology may use gRPC's or Istio's.
    names = list(dict.fromkeys(r.strip().lower().replace("_", "-") for r in retries.retry_on))
    if read:
        retry_on = names
    else:
        retry_on = sorted({_SAFE_RETRY_ON[r] for r in names if r in _SAFE_RETRY_ON})
    if not retry_on or retries.attempts < 1:
        return None
    policy = {
        "retry_on": ",".join(retry_on),
        "num_retries": retries.attempts,
        "retry_host_predicate": [
            {
                "name": "envoy.retry_host_predicates.previous_hosts",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"
                },
            }
        ],
        "host_selection_retry_max_attempts": 5,
        "retry_back_off": {"base_interval": "0.025s", "max_interval": "0.25s"},
    }
    if read:
        policy["per_try_timeout"] = _duration(retries.per_try_timeout)
    return policy


def method_kinds(image: pathlib.Path, grpc_services) -> tuple[list[str], list[str]]:
    """(paths of reads, paths of server streams) among the RPCs of `grpc_services`."""
    rpcs = contracts_module.load(image).rpcs_of(grpc_services)
    reads = [r.grpc_path for r in rpcs if r.idempotent_read and not r.server_streaming]
    streams = [r.grpc_path for r in rpcs if r.server_streaming]
    return reads, streams


def _inbound_routes(service: Service, image: pathlib.Path) -> list[dict]:
    _, streams = method_kinds(image, service.grpc_services)
    cluster = "app"
    routes = [
        {"match": {"path": p, "grpc": {}}, "route": {"cluster": cluster, **_route_timeouts(service, True)}}
        for p in streams
    ]
    routes.append({"match": {"prefix": "/"}, "route": {"cluster": cluster, **_route_timeouts(service, False)}})
    return routes


def _egress_routes(topology: Topology, caller: Service, image: pathlib.Path) -> list[dict]:
    routes = []
    for callee_name in caller.calls:
        callee = topology.services[callee_name]
        reads, streams = method_kinds(image, callee.grpc_services)
        cluster = f"out_{callee_name}"
        for path in reads:
            route = {"cluster": cluster, **_route_timeouts(callee, False)}
            if policy := _retry_policy(callee, read=True):
                route["retry_policy"] = policy
            routes.append({"match": {"path": path, "grpc": {}}, "route": route})
        for path in streams:
            route = {"cluster": cluster, **_route_timeouts(callee, True)}
            if policy := _retry_policy(callee, read=False):
                route["retry_policy"] = policy
            routes.append({"match": {"path": path, "grpc": {}}, "route": route})
        for grpc_service in callee.grpc_services:
            route = {"cluster": cluster, **_route_timeouts(callee, False)}
            if policy := _retry_policy(callee, read=False):
                route["retry_policy"] = policy
            routes.append({"match": {"prefix": f"/{grpc_service}/", "grpc": {}}, "route": route})
    return routes


def _rbac(topology: Topology, service: Service) -> dict:
    principals = [
        {"authenticated": {"principal_name": {"exact": topology.spiffe_id(caller)}}} for caller in service.callers
    ]
    policies = {"allowed-callers": {"permissions": [{"any": True}], "principals": principals}} if principals else {}
    return {
        "name": "envoy.filters.http.rbac",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
            "rules": {"action": "ALLOW", "policies": policies},
        },
    }


def _callee_cluster(
    topology: Topology, caller: Service, callee: Service, certs_dir: pathlib.Path, health: HealthCheck
) -> dict:
    endpoints = [
        {"endpoint": {"address": {"socket_address": {"address": HOST, "port_value": callee.port("sidecar", i)}}}}
        for i in range(callee.replicas)
    ]
    tls = _tls_context(certs_dir, caller.name)
    tls["combined_validation_context"] = {
        "default_validation_context": {
            "match_typed_subject_alt_names": [
                {"san_type": "URI", "matcher": {"exact": topology.spiffe_id(callee.name)}}
            ]
        },
        "validation_context_sds_secret_config": _sds(
            mesh_certs.CA_SECRET, mesh_certs.sds_file(certs_dir, mesh_certs.CA_SECRET)
        ),
    }
    return {
        "name": f"out_{callee.name}",
        "type": "STATIC",
        "connect_timeout": "1s",
        "lb_policy": "ROUND_ROBIN",
        "load_assignment": {"cluster_name": f"out_{callee.name}", "endpoints": [{"lb_endpoints": endpoints}]},
        "typed_extension_protocol_options": _http2_options(),
        "transport_socket": {
            "name": "envoy.transport_sockets.tls",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
                "sni": "localhost",
                "common_tls_context": tls,
            },
        },
        "health_checks": [
            {
                "timeout": _duration(health.timeout),
                "interval": _duration(health.interval),
                "no_traffic_interval": _duration(health.no_traffic_interval),
                "unhealthy_interval": _duration(health.unhealthy_interval),
                "unhealthy_threshold": health.unhealthy_threshold,
                "healthy_threshold": health.healthy_threshold,
                "grpc_health_check": {"service_name": callee.grpc_services[0], "authority": callee.name},
            }
        ],
        # Envoy allows only 3 concurrent retries per cluster by default: when a replica dies
        # under load, half the calls need one at once. A budget scales with the traffic instead.
        "circuit_breakers": {
            "thresholds": [
                {
                    "priority": "DEFAULT",
                    "retry_budget": {"budget_percent": {"value": 50.0}, "min_retry_concurrency": 16},
                }
            ]
        },
        # A replica that keeps failing is taken out of rotation for a while (never all of them).
        "outlier_detection": {
            "consecutive_5xx": 5,
            "consecutive_gateway_failure": 3,
            "enforcing_consecutive_gateway_failure": 100,
            "interval": "2s",
            "base_ejection_time": "10s",
            "max_ejection_percent": 50,
        },
    }


def render(
    topology: Topology,
    service_name: str,
    replica: int,
    certs_dir: pathlib.Path,
    image: pathlib.Path = IMAGE,
    health: HealthCheck = DEFAULT_HEALTH,
) -> dict:
    """The Envoy bootstrap of replica `replica` of `service_name`."""
    service = topology.services[service_name]
    if not 0 <= replica < service.replicas:
        raise ValueError(f"{service_name} has {service.replicas} replicas, not a replica {replica}")
    certs_dir = pathlib.Path(certs_dir)
    inbound_tls = _tls_context(certs_dir, service.name)
    inbound_tls["validation_context_sds_secret_config"] = _sds(
        mesh_certs.CA_SECRET, mesh_certs.sds_file(certs_dir, mesh_certs.CA_SECRET)
    )
    listeners = [
        {
            "name": "inbound",
            "address": {"socket_address": {"address": HOST, "port_value": service.port("sidecar", replica)}},
            "filter_chains": [
                {
                    "transport_socket": {
                        "name": "envoy.transport_sockets.tls",
                        "typed_config": {
                            "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3."
                            "DownstreamTlsContext",
                            "require_client_certificate": True,
                            "common_tls_context": inbound_tls,
                        },
                    },
                    "filters": [
                        _hcm(
                            "inbound",
                            "inbound",
                            _inbound_routes(service, image),
                            [_rbac(topology, service)],
                            # The service learns who called from this header; a caller's own copy is replaced.
                            forward_client_cert_details="SANITIZE_SET",
                            set_current_client_cert_details={"uri": True},
                        )
                    ],
                }
            ],
        }
    ]
    clusters = [
        {
            "name": "app",
            "type": "STATIC",
            "connect_timeout": "1s",
            "load_assignment": {
                "cluster_name": "app",
                "endpoints": [
                    {
                        "lb_endpoints": [
                            {
                                "endpoint": {
                                    "address": {
                                        "socket_address": {"address": HOST, "port_value": service.port("app", replica)}
                                    }
                                }
                            }
                        ]
                    }
                ],
            },
            "typed_extension_protocol_options": _http2_options(),
        }
    ]
    if service.calls:
        listeners.append(
            {
                "name": "egress",
                "address": {"socket_address": {"address": HOST, "port_value": service.port("egress", replica)}},
                "filter_chains": [
                    {
                        "filters": [
                            _hcm(
                                "egress",
                                "egress",
                                _egress_routes(topology, service, image),
                                [],
                                # The local app is not a proxy: whatever it says about client certificates is dropped.
                                forward_client_cert_details="SANITIZE",
                            )
                        ]
                    }
                ],
            }
        )
        clusters += [_callee_cluster(topology, service, topology.services[c], certs_dir, health) for c in service.calls]
    return {
        "node": {"id": f"{service_name}-{replica}", "cluster": service_name},
        "admin": {
            "address": {"socket_address": {"address": HOST, "port_value": service.port("sidecar_admin", replica)}}
        },
        "static_resources": {"listeners": listeners, "clusters": clusters},
        "overload_manager": {
            "resource_monitors": [
                {
                    "name": "envoy.resource_monitors.global_downstream_max_connections",
                    "typed_config": {
                        "@type": "type.googleapis.com/envoy.extensions.resource_monitors"
                        ".downstream_connections.v3.DownstreamConnectionsConfig",
                        "max_active_downstream_connections": 10000,
                    },
                }
            ]
        },
    }


def write(
    topology: Topology,
    certs_dir: pathlib.Path,
    out_dir: pathlib.Path,
    image: pathlib.Path = IMAGE,
    health: HealthCheck = DEFAULT_HEALTH,
) -> list[Sidecar]:
    """Render every replica's sidecar of the topology into `out_dir`; return them."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sidecars = []
    for service in topology.services.values():
        for i in range(service.replicas):
            path = out_dir / f"sidecar-{service.name}-{i}.yaml"
            config = render(topology, service.name, i, certs_dir, image, health)
            path.write_text(
                "# Rendered from mesh/topology.yaml by mesh/sidecar.py; do not edit.\n"
                + yaml.safe_dump(config, sort_keys=False)
            )
            sidecars.append(
                Sidecar(
                    service.name,
                    i,
                    path,
                    service.port("sidecar", i),
                    service.port("egress", i) if service.calls else None,
                    service.port("sidecar_admin", i),
                    service.port("app", i),
                )
            )
    return sidecars
