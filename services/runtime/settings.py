"""Settings from environment variables: one model for the runtime, one per service (pydantic-settings).

Every setting has one environment variable. A service process reads them once
at start; a required variable without a value, or a value of the wrong form,
stops it there with one message naming every bad variable (`ConfigError`,
which exits): fail fast, not at the first request. An empty value counts as
unset.

- `Settings`: what every service process reads — `DATABASE_URL`, `REDIS_URL`,
  `IWORKZ_*`, `<SERVICE>_GRPC_PORT` / `_METRICS_PORT` / `_GRPC_HOST`, and the
  event consumer's `<SERVICE>_EVENTS_*` (`EventSettings`).
- `ServiceSettings`: the base of a service's own settings (`<SERVICE>_*`,
  e.g. `services/notifications/config.py`), read from the same environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal, Self, TypeVar

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from services.runtime.fieldcrypt import CryptoError, parse_master_keys


class ConfigError(SystemExit):
    """Raised (and exits the process) when the environment is incomplete or wrong."""


def _problem(variable: str, error: Any, model: type[BaseSettings], field: str) -> str:
    """One validation error in words, naming the environment variable."""
    kind = error["type"]
    if kind == "missing":
        return f"{variable} is required"
    if kind in ("int_parsing", "int_from_float"):
        return f"{variable} must be an integer, got {error['input']!r}"
    if kind == "float_parsing":
        return f"{variable} must be a number, got {error['input']!r}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bounds = {type(m).__name__: m for m in model.model_fields[field].metadata}
        low = getattr(bounds.get("Ge"), "ge", getattr(bounds.get("Gt"), "gt", None))
        high = getattr(bounds.get("Le"), "le", getattr(bounds.get("Lt"), "lt", None))
        return f"{variable} must be within [{low}, {high}], got {error['input']}"
    message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Input should be ")
    if kind == "value_error" and not message.startswith("must"):
        return f"{variable}: {message}" if variable else message
    return f"{variable} must be {message.removeprefix('must be ')}"


class SettingsModel(BaseSettings):
    """Base: frozen, unknown fields refused; built by the `from_env` readers below from one environment.

    The readers take the variables from the mapping they are given (the
    process environment at start, or a test's), so pydantic-settings' own
    sources are switched off: nothing is read from anywhere else.
    """

    model_config = SettingsConfigDict(frozen=True, extra="forbid")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


M = TypeVar("M", bound=SettingsModel)


def _collect(model: type[M], values: dict[str, Any], variables: Mapping[str, str]) -> tuple[M | None, list[str]]:
    """Validate `values` (field -> raw text): (the settings, []) or (None, a problem per bad variable)."""
    try:
        return model.model_validate(values), []
    except ValidationError as err:
        problems = []
        for error in err.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            problems.append(_problem(variables.get(field, field), error, model, field))
        return None, problems


def _fail(who: str, problems: list[str]) -> ConfigError:
    return ConfigError(f"{who}: invalid configuration:\n  - " + "\n  - ".join(problems))


def _present(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _prefixed(model: type[M], env: Mapping[str, str], prefix: str) -> tuple[M | None, list[str]]:
    """Field `x` of `model` from the variable `<prefix>X`."""
    variables = {field: f"{prefix}{field.upper()}" for field in model.model_fields}
    values = {field: value for field, name in variables.items() if (value := _present(env, name)) is not None}
    return _collect(model, values, variables)


class EventSettings(SettingsModel):
    """The event consumer of a service (`runtime.consumer`), from `<SERVICE>_EVENTS_*`."""

    batch: int = Field(100, ge=1, le=10_000, description="entries read per XREADGROUP")
    block_seconds: float = Field(1.0, gt=0, le=60, description="longest wait for new entries")
    max_attempts: int = Field(5, ge=1, le=100, description="deliveries before an event is dead-lettered")
    retry_base_seconds: float = Field(1.0, gt=0, le=3600, description="first retry delay (doubles per attempt)")
    retry_max_seconds: float = Field(30.0, gt=0, le=3600, validate_default=True, description="longest retry delay")
    # A pending entry idle this long belongs to a dead (or stuck) replica and is claimed.
    claim_idle_seconds: float = Field(60.0, gt=0, le=86_400, description="idle time before another replica claims")
    claim_interval_seconds: float = Field(5.0, gt=0, le=3600, description="how often to look for such entries")
    # Retention (`runtime.retention`): processed_events rows are deleted after this many days, and an
    # entry older than that less an hour (clock skew) is dead-lettered instead of handled, since its
    # row may be gone; the service's stream is trimmed below what every consumer group has passed.
    processed_retention_days: float = Field(7.0, ge=1, le=3650, description="days a processed_events row is kept")
    trim_interval_seconds: float = Field(60.0, gt=0, le=86_400, description="how often retention runs")

    @field_validator("retry_max_seconds")
    @classmethod
    def _not_below_the_base(cls, value: float, info: ValidationInfo) -> float:
        base = info.data.get("retry_base_seconds")
        if base is not None and value < base:
            raise ValueError(f"must be at least the base delay ({base:g} s)")
        return value


class Settings(SettingsModel):
    """What every service process reads from its environment."""

    service: str = Field(description="the service's name; also its PostgreSQL schema")
    database_url: str = Field(description="DATABASE_URL: postgresql://...")
    database_replica_url: str = Field(
        "", description="DATABASE_REPLICA_URL: a streaming replica for read-heavy RPCs (runtime.replica); empty: none"
    )
    redis_url: str = Field(description="REDIS_URL: redis://, rediss:// or unix://")
    master_keys: str = Field(description="IWORKZ_MASTER_KEYS: id:base64-32-bytes[,older...]")
    grpc_host: str = Field("127.0.0.1", description="<SERVICE>_GRPC_HOST, else IWORKZ_GRPC_HOST")
    grpc_port: int = Field(0, ge=0, le=65535, description="<SERVICE>_GRPC_PORT (0: any free port)")
    metrics_port: int = Field(0, ge=0, le=65535, description="<SERVICE>_METRICS_PORT (0: no metrics endpoint)")
    event_loop: Literal["uvloop", "asyncio"] = Field(
        "uvloop", description="IWORKZ_EVENT_LOOP: the process's event loop (uvloop: less CPU per RPC)"
    )
    gc_young_threshold: int = Field(
        50_000,
        ge=0,
        le=10_000_000,
        description="IWORKZ_GC_YOUNG_THRESHOLD: allocations between two young-generation collections once"
        " serving (0: Python's default, 700); the objects alive at start are frozen out of every collection",
    )
    reuse_port: bool = Field(
        False,
        description="IWORKZ_REUSE_PORT: bind the gRPC port with SO_REUSEPORT, so several processes of one service"
        " share it and the kernel spreads connections over them (scale-out on one machine)",
    )
    redis_prefix: str = Field("iworkz:", description="IWORKZ_REDIS_PREFIX: prefix of every Redis key")
    redis_pool_size: int = Field(
        16,
        ge=1,
        le=1024,
        description="IWORKZ_REDIS_POOL_SIZE: most Redis connections the process's ordinary commands share (one"
        " more waits for a free one); blocking stream reads and pub/sub listeners have their own",
    )
    db_pool_min_size: int = Field(
        1, ge=0, le=1000, description="IWORKZ_DB_POOL_MIN_SIZE: PostgreSQL connections opened at start and kept"
    )
    db_pool_max_size: int = Field(
        10,
        ge=1,
        le=1000,
        validate_default=True,
        description="IWORKZ_DB_POOL_MAX_SIZE: most PostgreSQL connections of the pool (one more waits for a free"
        " one, then UNAVAILABLE 'busy'); mind the server's max_connections times the replicas",
    )
    identity_target: str = Field("", description="IWORKZ_IDENTITY_TARGET: host:port of identity (JWKS)")
    jwt_issuer: str = Field("iworkz-identity", description="IWORKZ_JWT_ISSUER")
    jwt_audience: str = Field("iworkz", description="IWORKZ_JWT_AUDIENCE")
    trust_forwarded_client_cert: bool = Field(False, description="IWORKZ_TRUST_XFCC: behind a sidecar")
    max_message_bytes: int = Field(
        4 * 1024 * 1024, ge=1024, le=64 * 1024 * 1024, description="IWORKZ_MAX_MESSAGE_BYTES"
    )
    drain_seconds: float = Field(10.0, ge=0, le=300, description="IWORKZ_DRAIN_SECONDS: grace on SIGTERM")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="IWORKZ_LOG_LEVEL")
    otlp_endpoint: str = Field("", description="OTEL_EXPORTER_OTLP_ENDPOINT: export traces there")
    events: EventSettings = Field(default_factory=EventSettings, description="<SERVICE>_EVENTS_*")
    # Every `<SERVICE>_*` variable, for the service's own settings (`ServiceSettings.from_settings`).
    extra: Mapping[str, str] = Field(default_factory=dict)

    @property
    def db_schema(self) -> str:
        """The PostgreSQL schema this service owns."""
        return self.service

    @field_validator("database_url")
    @classmethod
    def _postgres(cls, value: str) -> str:
        if not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value

    @field_validator("database_replica_url")
    @classmethod
    def _replica(cls, value: str) -> str:
        if value and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL or empty")
        return value

    @field_validator("db_pool_max_size")
    @classmethod
    def _not_below_the_min(cls, value: int, info: ValidationInfo) -> int:
        least = info.data.get("db_pool_min_size")
        if least is not None and value < least:
            raise ValueError(f"must be at least IWORKZ_DB_POOL_MIN_SIZE ({least})")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("master_keys")
    @classmethod
    def _master_keys(cls, value: str) -> str:
        try:
            parse_master_keys(value)
        except CryptoError as err:
            raise ValueError(str(err)) from None
        return value

    @classmethod
    def variables(cls, service: str) -> dict[str, str]:
        """Field -> the environment variable it is read from, for `service`."""
        prefix = service.upper()
        return {
            "database_url": "DATABASE_URL",
            "database_replica_url": "DATABASE_REPLICA_URL",
            "redis_url": "REDIS_URL",
            "master_keys": "IWORKZ_MASTER_KEYS",
            "grpc_host": f"{prefix}_GRPC_HOST",
            "grpc_port": f"{prefix}_GRPC_PORT",
            "metrics_port": f"{prefix}_METRICS_PORT",
            "reuse_port": "IWORKZ_REUSE_PORT",
            "event_loop": "IWORKZ_EVENT_LOOP",
            "gc_young_threshold": "IWORKZ_GC_YOUNG_THRESHOLD",
            "redis_prefix": "IWORKZ_REDIS_PREFIX",
            "redis_pool_size": "IWORKZ_REDIS_POOL_SIZE",
            "db_pool_min_size": "IWORKZ_DB_POOL_MIN_SIZE",
            "db_pool_max_size": "IWORKZ_DB_POOL_MAX_SIZE",
            "identity_target": "IWORKZ_IDENTITY_TARGET",
            "jwt_issuer": "IWORKZ_JWT_ISSUER",
            "jwt_audience": "IWORKZ_JWT_AUDIENCE",
            "trust_forwarded_client_cert": "IWORKZ_TRUST_XFCC",
            "max_message_bytes": "IWORKZ_MAX_MESSAGE_BYTES",
            "drain_seconds": "IWORKZ_DRAIN_SECONDS",
            "log_level": "IWORKZ_LOG_LEVEL",
            "otlp_endpoint": "OTEL_EXPORTER_OTLP_ENDPOINT",
        }

    @classmethod
    def from_env(cls, service: str, env: Mapping[str, str] | None = None, needs_identity: bool = True) -> Settings:
        """Read settings for `service` (default: the process environment); ConfigError naming every problem."""
        env = os.environ if env is None else env
        prefix = service.upper()
        variables = cls.variables(service)
        values: dict[str, Any] = {
            field: value for field, name in variables.items() if (value := _present(env, name)) is not None
        }
        values.setdefault("grpc_host", _present(env, "IWORKZ_GRPC_HOST") or "127.0.0.1")
        if "log_level" in values:
            values["log_level"] = values["log_level"].upper()
        if "trust_forwarded_client_cert" in values:
            values["trust_forwarded_client_cert"] = values["trust_forwarded_client_cert"] in ("1", "true")
        if "reuse_port" in values:
            values["reuse_port"] = values["reuse_port"] in ("1", "true")
        values["service"] = service
        values["extra"] = {k: v for k, v in env.items() if k.startswith(f"{prefix}_")}
        events, event_problems = _prefixed(EventSettings, env, f"{prefix}_EVENTS_")
        values["events"] = events or EventSettings()
        settings, problems = _collect(cls, values, variables)
        problems += event_problems
        if needs_identity and not values.get("identity_target"):
            problems.append("IWORKZ_IDENTITY_TARGET is required (host:port of identity, for JWKS)")
        if settings is None or problems:
            raise _fail(service, problems)
        return settings


class ServiceSettings(SettingsModel):
    """The base of a service's own settings: field `x` is the variable `<env_prefix>X`.

        class NotificationsSettings(ServiceSettings):
            model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", frozen=True, extra="forbid")
            heartbeat_seconds: float = Field(15.0, ge=0.05, le=300, description="...")

    `from_settings(settings)` reads them from the environment the process
    started with; a bad value is a ConfigError naming its variable.
    """

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        prefix = str(cls.model_config.get("env_prefix", ""))
        settings, problems = _prefixed(cls, os.environ if env is None else env, prefix)
        if settings is None or problems:
            raise _fail(prefix.rstrip("_").lower(), problems)
        return settings

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls.from_env(settings.extra)
