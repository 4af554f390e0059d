"""Envoy's building blocks as plain data: typed configs, durations, addresses, filters, bootstraps.

Everything the edge (gateway/), the sidecars (mesh/) and the Istio filters
(mesh/render_istio.py) put into an Envoy config is made here or in the other
modules of this package, so each piece is spelt one way.
"""

from __future__ import annotations

from typing import Any

from topology import Traffic

Json = dict[str, Any]

ROUTER = "envoy.filters.http.router"
HCM = "envoy.filters.network.http_connection_manager"
HCM_TYPE = "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"


def typed(type_name: str, **fields: Any) -> Json:
    """A typed config (`{"@type": "type.googleapis.com/<type_name>", ...}`)."""
    return {"@type": f"type.googleapis.com/{type_name}", **fields}


def duration(seconds: float) -> str:
    """Seconds as Envoy's (and Istio's) duration: `5s`, `0.25s`."""
    return f"{seconds:g}s"


def socket_address(host: str, port: int) -> Json:
    return {"socket_address": {"address": host, "port_value": port}}


def load_assignment(cluster: str, addresses: list[tuple[str, int]]) -> Json:
    """Static endpoints of a cluster."""
    return {
        "cluster_name": cluster,
        "endpoints": [{"lb_endpoints": [{"endpoint": {"address": socket_address(h, p)}} for h, p in addresses]}],
    }


def http2_upstream(traffic: Traffic) -> Json:
    """`typed_extension_protocol_options` of a cluster that speaks HTTP/2 (gRPC), with keepalive pings."""
    return {
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": typed(
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
            explicit_http_config={
                "http2_protocol_options": {
                    "connection_keepalive": {
                        "interval": duration(traffic.keepalive.interval),
                        "timeout": duration(traffic.keepalive.timeout),
                    }
                }
            },
        )
    }


def static_cluster(name: str, address: tuple[str, int], traffic: Traffic, *, http2: bool = False) -> Json:
    """A cluster of one fixed address (a replica's own app, a local JWKS server)."""
    cluster: Json = {
        "name": name,
        "type": "STATIC",
        "connect_timeout": duration(traffic.connect_timeout),
        "load_assignment": load_assignment(name, [address]),
    }
    if http2:
        cluster["typed_extension_protocol_options"] = http2_upstream(traffic)
    return cluster


def router(**options: Any) -> Json:
    return {"name": ROUTER, "typed_config": typed("envoy.extensions.filters.http.router.v3.Router", **options)}


def http_connection_manager(stat_prefix: str, route_config: Json, http_filters: list[Json], **extra: Any) -> Json:
    """The HTTP connection manager network filter."""
    return {
        "name": HCM,
        "typed_config": typed(
            HCM_TYPE, stat_prefix=stat_prefix, route_config=route_config, http_filters=http_filters, **extra
        ),
    }


def virtual_host(name: str, routes: list[Json], **extra: Any) -> Json:
    return {"name": name, "domains": ["*"], "routes": routes, **extra}


def bootstrap(
    node: str,
    cluster: str,
    admin: tuple[str, int],
    listeners: list[Json],
    clusters: list[Json],
    max_connections: int,
    **extra: Any,
) -> Json:
    """A static bootstrap: admin interface, listeners, clusters and a cap on downstream connections."""
    return {
        "node": {"id": node, "cluster": cluster},
        "admin": {"address": socket_address(*admin)},
        "static_resources": {"listeners": listeners, "clusters": clusters},
        "overload_manager": {
            "resource_monitors": [
                {
                    "name": "envoy.resource_monitors.global_downstream_max_connections",
                    "typed_config": typed(
                        "envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig",
                        max_active_downstream_connections=max_connections,
                    ),
                }
            ]
        },
        **extra,
    }
