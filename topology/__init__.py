"""The platform's topology (`mesh/topology.yaml`) as a typed, validated model.

Below every package that renders or runs the platform: contracts/ and this
package are what the edge (gateway/), the mesh (mesh/), the Envoy vocabulary
(envoy/) and the dev stack (devstack/) read. See `model.py`.
"""

from topology.model import (
    DEFAULT_PATH,
    EDGE,
    PORT_KINDS,
    RETRY_ON,
    Edge,
    HealthCheck,
    Jwt,
    OutlierDetection,
    RateLimit,
    RateLimits,
    Retries,
    Service,
    Topology,
    TopologyError,
    Traffic,
    describe,
    load,
    seconds,
    validate,
)

__all__ = [
    "DEFAULT_PATH",
    "EDGE",
    "PORT_KINDS",
    "RETRY_ON",
    "Edge",
    "HealthCheck",
    "Jwt",
    "OutlierDetection",
    "RateLimit",
    "RateLimits",
    "Retries",
    "Service",
    "Topology",
    "TopologyError",
    "Traffic",
    "describe",
    "load",
    "seconds",
    "validate",
]
