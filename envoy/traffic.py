"""How an Envoy treats the replicas it calls, from the topology: clusters and routes.

One definition of each: the upstream cluster (round robin, HTTP/2 with
keepalive, active gRPC health checks, outlier detection, a retry budget, no
panic routing), route timeouts (unary calls capped at the callee's timeout,
server streams open as long as the caller wants) and retry policies (reads on
the topology's `retry_on`, writes and streams only when the request never
reached a replica; back-off and host selection from `traffic`). The edge, the
sidecars and (for the numbers Istio has) the Istio rendering use these.
"""

from __future__ import annotations

from envoy.config import Json, duration, http2_upstream, load_assignment, typed
from topology import Retries, Traffic


def health_checks(traffic: Traffic, grpc_service: str, authority: str) -> list[Json]:
    """Active gRPC health checks of `grpc_service` on every host."""
    check = traffic.health_check
    return [
        {
            "timeout": duration(check.timeout),
            "interval": duration(check.interval),
            "no_traffic_interval": duration(check.no_traffic_interval),
            "unhealthy_interval": duration(check.unhealthy_interval),
            "unhealthy_threshold": check.unhealthy_threshold,
            "healthy_threshold": check.healthy_threshold,
            "grpc_health_check": {"service_name": grpc_service, "authority": authority},
        }
    ]


def outlier_detection(traffic: Traffic) -> Json:
    """Eject a host after consecutive failures (gateway errors and local-origin failures counted apart)."""
    outliers = traffic.outlier_detection
    return {
        "consecutive_5xx": outliers.consecutive_5xx,
        "consecutive_gateway_failure": outliers.consecutive_gateway_failure,
        "enforcing_consecutive_gateway_failure": 100,
        "split_external_local_origin_errors": True,
        "consecutive_local_origin_failure": outliers.consecutive_local_origin_failure,
        "interval": duration(outliers.interval),
        "base_ejection_time": duration(outliers.base_ejection_time),
        "max_ejection_percent": outliers.max_ejection_percent,
    }


def circuit_breakers(traffic: Traffic) -> Json:
    """A retry budget that scales with the traffic instead of Envoy's default of 3 concurrent retries."""
    budget = traffic.retry_budget
    return {
        "thresholds": [
            {
                "priority": "DEFAULT",
                "retry_budget": {
                    "budget_percent": {"value": budget.percent},
                    "min_retry_concurrency": budget.min_concurrency,
                },
            }
        ]
    }


def upstream_cluster(
    name: str,
    addresses: list[tuple[str, int]],
    traffic: Traffic,
    health_service: str,
    authority: str,
    transport_socket: Json | None = None,
) -> Json:
    """A cluster of a service's replicas (gRPC over HTTP/2), as every Envoy of the platform calls them."""
    cluster: Json = {
        "name": name,
        "type": "STATIC",
        "connect_timeout": duration(traffic.connect_timeout),
        "lb_policy": "ROUND_ROBIN",
        "typed_extension_protocol_options": http2_upstream(traffic),
        "load_assignment": load_assignment(name, addresses),
        "health_checks": health_checks(traffic, health_service, authority),
        "circuit_breakers": circuit_breakers(traffic),
        "outlier_detection": outlier_detection(traffic),
        "common_lb_config": {"healthy_panic_threshold": {"value": traffic.healthy_panic_threshold}},
    }
    if transport_socket is not None:
        cluster["transport_socket"] = transport_socket
    return cluster


def route_timeouts(timeout: float, streaming: bool, traffic: Traffic) -> Json:
    """A route's timeouts: unary calls within `timeout` (a shorter client deadline wins); streams unbounded."""
    if streaming:
        # A server stream lives as long as the caller wants; its deadline (grpc-timeout) still holds.
        return {
            "timeout": "0s",
            "idle_timeout": duration(traffic.stream_idle_timeout),
            "max_stream_duration": {"grpc_timeout_header_max": "0s"},
        }
    return {"timeout": duration(timeout), "max_stream_duration": {"grpc_timeout_header_max": duration(timeout)}}


def retry_back_off(traffic: Traffic) -> Json:
    """The wait between retries (jittered, exponential), as every Envoy of the platform retries."""
    return {
        "base_interval": duration(traffic.retry_back_off.base_interval),
        "max_interval": duration(traffic.retry_back_off.max_interval),
    }


def retry_policy(retries: Retries, traffic: Traffic, read: bool) -> Json | None:
    """The callee's retries: every `retry_on` condition for reads, only never-delivered requests otherwise.

    Each retry goes to another host when there is one, after a jittered back-off.
    """
    retry_on = retries.retry_on if read else retries.safe_retry_on
    if not retry_on or retries.attempts < 1:
        return None
    policy: Json = {
        "retry_on": ",".join(retry_on),
        "num_retries": retries.attempts,  # the topology's `attempts` counts retries, as Istio does
        "retry_host_predicate": [
            {
                "name": "envoy.retry_host_predicates.previous_hosts",
                "typed_config": typed("envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"),
            }
        ],
        "host_selection_retry_max_attempts": traffic.retry_host_attempts,
        "retry_back_off": retry_back_off(traffic),
    }
    if read:
        policy["per_try_timeout"] = duration(retries.per_try_timeout)
    return policy


def route_action(
    cluster: str, timeout: float, retries: Retries, traffic: Traffic, *, read: bool, streaming: bool
) -> Json:
    """Where a route goes, with its timeouts and retries (reads that stream are retried as writes)."""
    action: Json = {"cluster": cluster, **route_timeouts(timeout, streaming, traffic)}
    policy = retry_policy(retries, traffic, read=read and not streaming)
    if policy is not None:
        action["retry_policy"] = policy
    return action
