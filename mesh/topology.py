"""Load and check `mesh/topology.yaml`: services, ports, callers, timeouts, limits.

Every renderer (local Envoy, Istio manifests) and the launcher read the
topology through this module, so its rules are checked in one place.
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, field

import yaml

DEFAULT_PATH = pathlib.Path(__file__).with_name("topology.yaml")
_DURATION = re.compile(r"^(\d+(\.\d+)?)(ms|s)$")


class TopologyError(ValueError):
    pass


def seconds(value: str) -> float:
    """`"5s"` -> 5.0, `"250ms"` -> 0.25."""
    match = _DURATION.match(str(value))
    if not match:
        raise TopologyError(f"{value!r} is not a duration like 5s or 250ms")
    number = float(match[1])
    return number / 1000 if match[3] == "ms" else number


@dataclass(frozen=True)
class RateLimit:
    tokens: int
    per_seconds: int


@dataclass(frozen=True)
class Retries:
    attempts: int
    per_try_timeout: str
    retry_on: tuple[str, ...]


@dataclass(frozen=True)
class Service:
    name: str
    grpc_services: tuple[str, ...]
    replicas: int
    ports: dict[str, int]
    callers: tuple[str, ...]
    calls: tuple[str, ...]
    timeout: str
    retries: Retries

    def port(self, kind: str, replica: int = 0) -> int:
        """The port of `kind` (app, sidecar, egress, metrics, sidecar_admin) for a replica."""
        return self.ports[kind] + replica

    def spiffe_id(self, trust_domain: str, namespace: str) -> str:
        return f"spiffe://{trust_domain}/ns/{namespace}/sa/{self.name}"


@dataclass(frozen=True)
class Edge:
    port: int
    admin_port: int
    cors_origins: tuple[str, ...]
    max_request_bytes: int
    timeout: str
    jwt_issuer: str
    jwt_audience: str
    jwks_service: str
    default_limit: RateLimit
    method_limits: dict[str, RateLimit] = field(default_factory=dict)


@dataclass(frozen=True)
class Topology:
    trust_domain: str
    namespace: str
    edge: Edge
    services: dict[str, Service]

    def spiffe_id(self, name: str) -> str:
        """SPIFFE id of a service or of the edge (`edge`)."""
        return f"spiffe://{self.trust_domain}/ns/{self.namespace}/sa/{name}"

    def with_replicas(self, counts: dict[str, int]) -> Topology:
        """A copy with some services' replica counts changed (e.g. `make up` overrides)."""
        services = {
            n: Service(**{**s.__dict__, "replicas": counts.get(n, s.replicas)}) for n, s in self.services.items()
        }
        return Topology(self.trust_domain, self.namespace, self.edge, services)


def _limit(raw: dict, where: str) -> RateLimit:
    try:
        limit = RateLimit(int(raw["tokens"]), int(raw["per_seconds"]))
    except (KeyError, TypeError, ValueError):
        raise TopologyError(f"{where}: a rate limit is {{tokens: N, per_seconds: N}}") from None
    if limit.tokens < 1 or limit.per_seconds < 1:
        raise TopologyError(f"{where}: tokens and per_seconds must be positive")
    return limit


def load(path: pathlib.Path | str = DEFAULT_PATH) -> Topology:
    """Read and validate a topology file."""
    raw = yaml.safe_load(pathlib.Path(path).read_text())
    e = raw["edge"]
    limits = e.get("rate_limits", {})
    edge = Edge(
        port=int(e["port"]),
        admin_port=int(e["admin_port"]),
        cors_origins=tuple(e.get("cors_origins", [])),
        max_request_bytes=int(e["max_request_bytes"]),
        timeout=e["timeout"],
        jwt_issuer=e["jwt"]["issuer"],
        jwt_audience=e["jwt"]["audience"],
        jwks_service=e["jwt"]["jwks_service"],
        default_limit=_limit(limits.get("default", {"tokens": 100, "per_seconds": 1}), "edge.rate_limits.default"),
        method_limits={m: _limit(v, f"edge.rate_limits.methods[{m}]") for m, v in limits.get("methods", {}).items()},
    )
    services = {}
    for name, s in raw["services"].items():
        r = s["retries"]
        services[name] = Service(
            name=name,
            grpc_services=tuple(s["grpc_services"]),
            replicas=int(s["replicas"]),
            ports={k: int(v) for k, v in s["ports"].items()},
            callers=tuple(s.get("callers", [])),
            calls=tuple(s.get("calls", [])),
            timeout=s["timeout"],
            retries=Retries(int(r["attempts"]), r["per_try_timeout"], tuple(r["retry_on"])),
        )
    topology = Topology(raw["trust_domain"], raw["namespace"], edge, services)
    check(topology)
    return topology


def check(topology: Topology) -> None:
    """Cross-field rules: known callers, symmetric call graph, no port clashes."""
    names = set(topology.services)
    if topology.edge.jwks_service not in names:
        raise TopologyError(f"edge.jwt.jwks_service {topology.edge.jwks_service!r} is not a service")
    seconds(topology.edge.timeout)
    used: dict[int, str] = {topology.edge.port: "edge", topology.edge.admin_port: "edge admin"}
    for s in topology.services.values():
        if s.replicas < 1:
            raise TopologyError(f"{s.name}: replicas must be at least 1")
        missing = {"app", "sidecar", "egress", "metrics", "sidecar_admin"} - set(s.ports)
        if missing:
            raise TopologyError(f"{s.name}: ports needs {sorted(missing)}")
        for caller in s.callers:
            if caller != "edge" and caller not in names:
                raise TopologyError(f"{s.name}: unknown caller {caller!r}")
        for callee in s.calls:
            if callee not in names:
                raise TopologyError(f"{s.name}: calls unknown service {callee!r}")
            if s.name not in topology.services[callee].callers:
                raise TopologyError(f"{s.name} calls {callee}, but {callee} does not list it as a caller")
        seconds(s.timeout)
        seconds(s.retries.per_try_timeout)
        for kind, base in s.ports.items():
            for i in range(s.replicas):
                port = base + i
                if port in used:
                    raise TopologyError(f"{s.name} {kind} port {port} clashes with {used[port]}")
                used[port] = f"{s.name} {kind}"
