"""The topology as a typed, validated model: services, ports, replicas, callers, timeouts, retries, traffic.

`mesh/topology.yaml` is read through `load()` only. Every rule about it is
checked here once: a bad file is a `TopologyError` naming the key, e.g.
`mesh/topology.yaml: services.identity.retries.retry_on.1: 'sometimes' is not a
retry condition (one of cancelled, ...)`. Durations are written `5s` or `250ms`
and held as seconds (float). `retry_on` names are normalised once (`UNAVAILABLE`,
`connect_failure` become Envoy's and Istio's `unavailable`, `connect-failure`).
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_PATH = pathlib.Path(__file__).resolve().parents[1] / "mesh" / "topology.yaml"
EDGE = "edge"  # the caller name of the edge (the ingress gateway in Istio)

# Retry conditions Envoy and Istio both know (gRPC status names and HTTP/connection conditions).
RETRY_ON = (
    "cancelled",
    "deadline-exceeded",
    "internal",
    "resource-exhausted",
    "unavailable",
    "5xx",
    "gateway-error",
    "reset",
    "reset-before-request",
    "connect-failure",
    "envoy-ratelimited",
    "retriable-4xx",
    "refused-stream",
    "retriable-status-codes",
    "retriable-headers",
    "http3-post-connect-failure",
)
# The conditions under which a request never reached the service: the only ones a write is retried on.
_NEVER_DELIVERED = {
    "connect-failure": "connect-failure",
    "refused-stream": "refused-stream",
    "reset": "reset-before-request",
    "reset-before-request": "reset-before-request",
}
PORT_KINDS = ("app", "sidecar", "egress", "metrics", "sidecar_admin")
PortKind = Literal["app", "sidecar", "egress", "metrics", "sidecar_admin"]

_DURATION = re.compile(r"^(\d+(\.\d+)?)(ms|s)$")


class TopologyError(ValueError):
    """The topology file is missing, unreadable or breaks a rule; the message names the key."""


def seconds(value: object) -> float:
    """`"5s"` -> 5.0, `"250ms"` -> 0.25; a number is already seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a duration like 5s or 250ms")
    number = float(match[1])
    return number / 1000 if match[3] == "ms" else number


Duration = Annotated[float, BeforeValidator(seconds), Field(ge=0)]
Port = Annotated[int, Field(ge=1, le=65535)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RateLimit(_Model):
    """A token bucket: `tokens` per `per_seconds`."""

    tokens: PositiveInt
    per_seconds: PositiveInt


class RateLimits(_Model):
    """Per route (gRPC method) and per caller (JWT subject, else client address)."""

    default: RateLimit = RateLimit(tokens=100, per_seconds=1)
    methods: dict[str, RateLimit] = {}


class Jwt(_Model):
    issuer: str
    audience: str
    jwks_service: str  # the service whose GetJwks serves the signing keys


class Edge(_Model):
    """The edge: one HTTPS port for REST/JSON, gRPC-web and gRPC."""

    port: Port
    admin_port: Port
    cors_origins: tuple[str, ...] = ()
    max_request_bytes: PositiveInt
    # Larger bodies for named methods (uploads such as the agent's ParseResume), by gRPC path.
    upload_limits: dict[str, PositiveInt] = {}
    timeout: Duration  # the longest any call through the edge may take
    jwt: Jwt
    rate_limits: RateLimits = RateLimits()

    def request_limit(self, grpc_path: str) -> int:
        """The largest request body one method accepts (its upload limit, else the edge's)."""
        return self.upload_limits.get(grpc_path, self.max_request_bytes)

    @property
    def largest_request_bytes(self) -> int:
        return max([self.max_request_bytes, *self.upload_limits.values()])

    def limit(self, grpc_path: str) -> RateLimit:
        """The rate limit of one method (its own, else the default)."""
        return self.rate_limits.methods.get(grpc_path, self.rate_limits.default)


def _retry_conditions(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError("retry_on is a list of conditions")
    names: list[str] = []
    for item in value:
        name = str(item).strip().lower().replace("_", "-")
        if name not in RETRY_ON:
            raise ValueError(f"{item!r} is not a retry condition (one of {', '.join(RETRY_ON)})")
        names.append(name)
    return tuple(dict.fromkeys(names))


class Retries(_Model):
    """A callee's retries: `attempts` RETRIES after the first try (Istio's meaning).

    Reads (RPCs bound to HTTP GET) retry on every `retry_on` condition, each
    try within `per_try_timeout`; writes and streams only on the conditions
    under which the request never reached the service (`safe_retry_on`).
    """

    attempts: NonNegativeInt
    per_try_timeout: Duration
    retry_on: Annotated[tuple[str, ...], BeforeValidator(_retry_conditions)]

    @property
    def safe_retry_on(self) -> tuple[str, ...]:
        """`retry_on` cut to never-delivered conditions (`reset` becomes `reset-before-request`)."""
        return tuple(dict.fromkeys(_NEVER_DELIVERED[r] for r in self.retry_on if r in _NEVER_DELIVERED))


class Fault(_Model):
    """Fault injection (a chaos scenario; the committed topology has none): each call to the
    service's replicas waits `delay` at their sidecar's inbound before it reaches the app, for
    `percent` of calls (health checks exempt). Istio: the VirtualService's `fault.delay`. The local
    sidecars read the percentage from their runtime (`fault.http.delay.fixed_delay_percent`), so a
    test can switch an armed fault (`percent: 0`) on and off through the sidecar's admin port."""

    delay: Duration
    percent: int = Field(default=100, ge=0, le=100)


class Service(_Model):
    """One service: its gRPC services, replicas, base ports (replica i uses base + i) and callers."""

    name: str
    grpc_services: tuple[str, ...] = Field(min_length=1)
    replicas: PositiveInt
    ports: dict[PortKind, Port]
    callers: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    timeout: Duration
    retries: Retries
    fault: Fault | None = None
    # The Python module run as the service's process (`python -m <main>`); default `services.<name>.main`.
    # A top-level folder such as the voice assistant's `voice/` sets `main: voice.main`.
    main: str = ""

    @field_validator("main")
    @classmethod
    def _module_path(cls, value: str) -> str:
        if value and not re.fullmatch(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*", value):
            raise ValueError(f"must be a dotted Python module path, got {value!r}")
        return value

    @property
    def main_module(self) -> str:
        """The module whose `SPEC` describes the service and which runs it."""
        return self.main or f"services.{self.name}.main"

    @field_validator("ports")
    @classmethod
    def _every_port_kind(cls, ports: dict[str, int]) -> dict[str, int]:
        missing = [kind for kind in PORT_KINDS if kind not in ports]
        if missing:
            raise ValueError(f"needs a port for each of {', '.join(PORT_KINDS)}; missing {', '.join(missing)}")
        return ports

    def port(self, kind: PortKind, replica: int = 0) -> int:
        """The port of `kind` (app, sidecar, egress, metrics, sidecar_admin) for a replica."""
        return self.ports[kind] + replica


class RetryBackOff(_Model):
    base_interval: Duration
    max_interval: Duration


class RetryBudget(_Model):
    """Concurrent retries a cluster allows, as a share of its active requests."""

    percent: float = Field(gt=0, le=100)
    min_concurrency: PositiveInt


class HealthCheck(_Model):
    """Active gRPC health checks of every upstream host."""

    interval: Duration
    no_traffic_interval: Duration
    unhealthy_interval: Duration
    timeout: Duration
    unhealthy_threshold: PositiveInt
    healthy_threshold: PositiveInt


class OutlierDetection(_Model):
    """When a host that keeps failing is taken out of rotation for a while (never all of them)."""

    consecutive_5xx: PositiveInt
    consecutive_gateway_failure: PositiveInt
    consecutive_local_origin_failure: PositiveInt
    interval: Duration
    base_ejection_time: Duration
    max_ejection_percent: int = Field(ge=0, le=100)


class Keepalive(_Model):
    interval: Duration
    timeout: Duration


class Traffic(_Model):
    """How every Envoy (edge, sidecars) and Istio treat upstreams: one definition of each number."""

    connect_timeout: Duration
    stream_idle_timeout: Duration
    keepalive: Keepalive
    retry_back_off: RetryBackOff
    retry_host_attempts: PositiveInt
    retry_budget: RetryBudget
    health_check: HealthCheck
    outlier_detection: OutlierDetection
    healthy_panic_threshold: float = Field(ge=0, le=100)


class Web(_Model):
    """The web app (`web/`, a Next.js server on loopback). The edge sends it every request whose path
    is not the API's (REST bindings, gRPC paths, `/docs`, `/openapi.json`), so pages and API share one
    origin; the web server calls the API back through the edge like any browser."""

    port: Port


class Topology(_Model):
    """The platform's shape: one trust domain and namespace, the edge, the traffic policy, the services,
    and optionally the web app the edge serves at `/`."""

    trust_domain: str
    namespace: str
    edge: Edge
    traffic: Traffic
    services: dict[str, Service]
    web: Web | None = None

    @model_validator(mode="before")
    @classmethod
    def _service_names(cls, raw: Any) -> Any:
        """A service's name is its key."""
        if isinstance(raw, Mapping) and isinstance(raw.get("services"), Mapping):
            services = {}
            for name, service in raw["services"].items():
                if isinstance(service, Mapping):
                    if service.get("name", name) != name:
                        raise ValueError(f"services.{name}.name: {service['name']!r} differs from its key")
                    service = {**service, "name": name}
                services[name] = service
            raw = {**raw, "services": services}
        return raw

    @model_validator(mode="after")
    def _cross_references(self) -> Topology:
        names = set(self.services)
        if self.edge.jwt.jwks_service not in names:
            raise ValueError(f"edge.jwt.jwks_service: {self.edge.jwt.jwks_service!r} is not a service")
        for s in self.services.values():
            for caller in s.callers:
                if caller != EDGE and caller not in names:
                    raise ValueError(f"services.{s.name}.callers: unknown caller {caller!r}")
            for callee in s.calls:
                if callee not in names:
                    raise ValueError(f"services.{s.name}.calls: unknown service {callee!r}")
                if s.name not in self.services[callee].callers:
                    raise ValueError(
                        f"services.{s.name}.calls: {s.name} calls {callee}, but {callee} does not list it as a caller"
                    )
        self._check_ports()
        return self

    def _check_ports(self) -> None:
        used: dict[int, str] = {self.edge.port: "edge", self.edge.admin_port: "edge admin"}
        if self.web is not None:
            if self.web.port in used:
                raise ValueError(f"web.port: {self.web.port} clashes with {used[self.web.port]}")
            used[self.web.port] = "web"
        for s in self.services.values():
            for kind, base in s.ports.items():
                for i in range(s.replicas):
                    port = base + i
                    if port in used:
                        raise ValueError(
                            f"services.{s.name}.ports.{kind}: {s.name} {kind} port {port} clashes with {used[port]}"
                        )
                    used[port] = f"{s.name} {kind}"

    def spiffe_id(self, name: str) -> str:
        """SPIFFE id of a service or of the edge (`edge`)."""
        return f"spiffe://{self.trust_domain}/ns/{self.namespace}/sa/{name}"

    def callers_of(self, name: str) -> tuple[str, ...]:
        return self.services[name].callers

    def edge_services(self) -> list[Service]:
        """The services the edge may call, by name."""
        return sorted((s for s in self.services.values() if EDGE in s.callers), key=lambda s: s.name)

    def replaced(self, **changes: Any) -> Topology:
        """A copy with top-level fields replaced, validated again."""
        return validate({**self.model_dump(), **changes})

    def with_replicas(self, counts: Mapping[str, int]) -> Topology:
        """A copy with some services' replica counts changed (e.g. `make up` overrides)."""
        unknown = sorted(set(counts) - set(self.services))
        if unknown:
            raise TopologyError(f"no service of the topology is named {', '.join(unknown)}")
        raw = self.model_dump()
        for name, count in counts.items():
            raw["services"][name]["replicas"] = count
        return validate(raw)

    def without(self, names: Iterable[str]) -> Topology:
        """A copy without some services, and without calls to or from them."""
        gone = set(names)
        raw = self.model_dump()
        raw["services"] = {
            name: {
                **s,
                "callers": [c for c in s["callers"] if c not in gone],
                "calls": [c for c in s["calls"] if c not in gone],
            }
            for name, s in raw["services"].items()
            if name not in gone
        }
        return validate(raw)


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def describe(error: ValidationError) -> list[str]:
    """Every problem of a validation error, each naming its key (`services.identity.replicas: ...`)."""
    problems = []
    for problem in error.errors():
        message = problem["msg"].removeprefix("Value error, ")
        where = _where(problem["loc"])
        problems.append(f"{where}: {message}" if where else message)
    return problems


def validate(raw: Any, source: str = "topology") -> Topology:
    """A Topology from plain data (the YAML as loaded); TopologyError naming each bad key."""
    try:
        return Topology.model_validate(raw)
    except ValidationError as err:
        problems = describe(err)
        if len(problems) == 1:
            raise TopologyError(f"{source}: {problems[0]}") from None
        raise TopologyError(f"{source}:\n  - " + "\n  - ".join(problems)) from None


def load(path: pathlib.Path | str = DEFAULT_PATH) -> Topology:
    """Read and validate a topology file."""
    path = pathlib.Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as err:
        raise TopologyError(f"{path}: cannot read the topology: {err}") from None
    return validate(raw, str(path))
