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
  service's certificate, accepting only the callee's SPIFFE id. The cluster
  and the routes' timeouts and retries are the platform's one definition
  (`envoy.traffic`, numbers from the topology's `traffic`): reads (RPCs bound
  to HTTP GET) retry on the callee's `retry_on` on another replica; writes and
  streams only when the request cannot have reached the service.
- an admin interface on `127.0.0.1:ports.sidecar_admin+i` (used for /ready
  and the stats), and `--base-id` = that admin port, unique per host.

Certificates come through SDS files (`envoy.tls`), so re-issuing them rotates
the certificates of running sidecars.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterable
from dataclasses import dataclass

import yaml

import contracts
from envoy.config import (
    Json,
    bootstrap,
    duration,
    http_connection_manager,
    router,
    socket_address,
    static_cluster,
    typed,
)
from envoy.tls import Credentials, downstream_mtls, upstream_mtls
from envoy.traffic import route_action, route_timeouts, upstream_cluster
from topology import Service, Topology

HOST = "127.0.0.1"
IMAGE = pathlib.Path(__file__).resolve().parents[1] / "build" / "iworkz.binpb"
MAX_CONNECTIONS = 10000


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


def _runtime_uint(value: int, name: str) -> Json:
    return {"default_value": value, "runtime_key": f"access_log.sidecar.{name}"}


def _access_log(direction: str) -> list[Json]:
    fields = {
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
        "grpc_timeout": "%REQ(GRPC-TIMEOUT)%",  # the caller's deadline, as it reached this hop
    }
    # Every request is logged once, at the edge (with its request id); a sidecar logs only what
    # went wrong or was slow (the formatting and write per request are a sizeable share of a hop's CPU).
    worth_logging = {
        "or_filter": {
            "filters": [
                {"status_code_filter": {"comparison": {"op": "GE", "value": _runtime_uint(400, "min_status")}}},
                {"grpc_status_filter": {"statuses": ["OK"], "exclude": True}},
                {"duration_filter": {"comparison": {"op": "GE", "value": _runtime_uint(1000, "min_duration_ms")}}},
                # Any response flag: a reset, a timeout, an injected fault (DI) ...
                {"response_flag_filter": {}},
            ]
        }
    }
    return [
        {
            "name": "envoy.access_loggers.stdout",
            "filter": worth_logging,
            "typed_config": typed(
                "envoy.extensions.access_loggers.stream.v3.StdoutAccessLog", log_format={"json_format": fields}
            ),
        }
    ]


def _hcm(name: str, routes: list[Json], filters: list[Json], **extra: object) -> Json:
    route_config = {"name": name, "virtual_hosts": [{"name": name, "domains": ["*"], "routes": routes}]}
    return http_connection_manager(
        name,
        route_config,
        [*filters, router(suppress_envoy_headers=True)],
        codec_type="AUTO",
        http2_protocol_options={"max_concurrent_streams": 1024},
        access_log=_access_log(name),
        **extra,
    )


def method_kinds(image: pathlib.Path, grpc_services: Iterable[str]) -> tuple[list[str], list[str]]:
    """(paths of reads, paths of server streams) among the RPCs of `grpc_services`."""
    rpcs = contracts.load(image).rpcs_of(grpc_services)
    reads = [r.grpc_path for r in rpcs if r.idempotent_read and not r.server_streaming]
    streams = [r.grpc_path for r in rpcs if r.server_streaming]
    return reads, streams


def _inbound_routes(topology: Topology, service: Service, image: pathlib.Path) -> list[Json]:
    _, streams = method_kinds(image, service.grpc_services)
    routes: list[Json] = [
        {
            "match": {"path": p, "grpc": {}},
            "route": {"cluster": "app", **route_timeouts(service.timeout, True, topology.traffic)},
        }
        for p in streams
    ]
    routes.append(
        {
            "match": {"prefix": "/"},
            "route": {"cluster": "app", **route_timeouts(service.timeout, False, topology.traffic)},
        }
    )
    return routes


def _egress_routes(topology: Topology, caller: Service, image: pathlib.Path) -> list[Json]:
    """Per callee: its reads and streams by path, then everything else of its gRPC services by prefix."""
    routes = []
    for callee_name in caller.calls:
        callee = topology.services[callee_name]
        reads, streams = method_kinds(image, callee.grpc_services)
        cluster = f"out_{callee_name}"

        def action(read: bool, streaming: bool, callee: Service = callee, cluster: str = cluster) -> Json:
            return route_action(
                cluster, callee.timeout, callee.retries, topology.traffic, read=read, streaming=streaming
            )

        routes += [{"match": {"path": p, "grpc": {}}, "route": action(True, False)} for p in reads]
        routes += [{"match": {"path": p, "grpc": {}}, "route": action(False, True)} for p in streams]
        routes += [
            {"match": {"prefix": f"/{g}/", "grpc": {}}, "route": action(False, False)} for g in callee.grpc_services
        ]
    return routes


def _fault(service: Service) -> list[Json]:
    """The topology's fault for the service (a chaos scenario): calls wait `delay` before the app,
    health checks excepted; the percentage can be changed at run time (`runtime_modify`)."""
    if service.fault is None:
        return []
    percent = service.fault.percent
    return [
        {
            "name": "envoy.filters.http.fault",
            "typed_config": typed(
                "envoy.extensions.filters.http.fault.v3.HTTPFault",
                delay={
                    "fixed_delay": duration(service.fault.delay),
                    "percentage": {"numerator": round(percent), "denominator": "HUNDRED"},
                },
                headers=[{"name": ":path", "string_match": {"prefix": "/grpc.health.v1."}, "invert_match": True}],
            ),
        }
    ]


def _rbac(topology: Topology, service: Service) -> Json:
    principals = [
        {"authenticated": {"principal_name": {"exact": topology.spiffe_id(caller)}}} for caller in service.callers
    ]
    policies = {"allowed-callers": {"permissions": [{"any": True}], "principals": principals}} if principals else {}
    return {
        "name": "envoy.filters.http.rbac",
        "typed_config": typed(
            "envoy.extensions.filters.http.rbac.v3.RBAC", rules={"action": "ALLOW", "policies": policies}
        ),
    }


def render(
    topology: Topology, service_name: str, replica: int, certs_dir: pathlib.Path | str, image: pathlib.Path = IMAGE
) -> Json:
    """The Envoy bootstrap of replica `replica` of `service_name`."""
    service = topology.services[service_name]
    if not 0 <= replica < service.replicas:
        raise ValueError(f"{service_name} has {service.replicas} replicas, not a replica {replica}")
    own = Credentials.from_directory(certs_dir, service.name)
    listeners = [
        {
            "name": "inbound",
            "address": socket_address(HOST, service.port("sidecar", replica)),
            "filter_chains": [
                {
                    "transport_socket": downstream_mtls(own),
                    "filters": [
                        _hcm(
                            "inbound",
                            _inbound_routes(topology, service, image),
                            [_rbac(topology, service), *_fault(service)],
                            # The service learns who called from this header; a caller's own copy is replaced.
                            forward_client_cert_details="SANITIZE_SET",
                            set_current_client_cert_details={"uri": True},
                            # Callers are the edge and other sidecars' egress, which set x-request-id:
                            # no UUID drawn per inbound request (the service draws one if none came).
                            generate_request_id=False,
                        )
                    ],
                }
            ],
        }
    ]
    clusters = [static_cluster("app", (HOST, service.port("app", replica)), topology.traffic, http2=True)]
    if service.calls:
        listeners.append(
            {
                "name": "egress",
                "address": socket_address(HOST, service.port("egress", replica)),
                "filter_chains": [
                    {
                        "filters": [
                            _hcm(
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
        for name in service.calls:
            callee = topology.services[name]
            sidecars = [(HOST, callee.port("sidecar", i)) for i in range(callee.replicas)]
            clusters.append(
                upstream_cluster(
                    f"out_{name}",
                    sidecars,
                    topology.traffic,
                    callee.grpc_services[0],
                    callee.name,
                    upstream_mtls(own, topology.spiffe_id(callee.name), sni="localhost"),
                )
            )
    admin = (HOST, service.port("sidecar_admin", replica))
    extra: Json = {}
    if service.fault is not None:
        # A runtime the admin port can change (`/runtime_modify`): the fault's percentage, at run time.
        extra["layered_runtime"] = {"layers": [{"name": "admin", "admin_layer": {}}]}
    return bootstrap(f"{service_name}-{replica}", service_name, admin, listeners, clusters, MAX_CONNECTIONS, **extra)


def write(
    topology: Topology, certs_dir: pathlib.Path, out_dir: pathlib.Path, image: pathlib.Path = IMAGE
) -> list[Sidecar]:
    """Render every replica's sidecar of the topology into `out_dir`; return them."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sidecars = []
    for service in topology.services.values():
        for i in range(service.replicas):
            path = out_dir / f"sidecar-{service.name}-{i}.yaml"
            config = render(topology, service.name, i, certs_dir, image)
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
