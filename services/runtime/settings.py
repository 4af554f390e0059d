"""One settings object per service process, read from environment variables.

Every setting has one environment variable; required ones without a value,
or values of the wrong form, stop the process at start-up with one message
naming every problem (fail fast, not at the first request).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.runtime.fieldcrypt import CryptoError, parse_master_keys


class ConfigError(SystemExit):
    """Raised (and exits the process) when the environment is incomplete or wrong."""


@dataclass(frozen=True)
class Settings:
    service: str
    database_url: str
    redis_url: str
    master_keys: str
    grpc_host: str = "127.0.0.1"
    grpc_port: int = 0
    metrics_port: int = 0
    redis_prefix: str = "iworkz:"
    identity_target: str = ""
    jwt_issuer: str = "iworkz-identity"
    jwt_audience: str = "iworkz"
    trust_forwarded_client_cert: bool = False
    max_message_bytes: int = 4 * 1024 * 1024
    drain_seconds: float = 10.0
    log_level: str = "INFO"
    otlp_endpoint: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def schema(self) -> str:
        """The PostgreSQL schema this service owns."""
        return self.service

    @classmethod
    def from_env(cls, service: str, env: Mapping[str, str] | None = None, needs_identity: bool = True) -> Settings:
        """Read settings for `service`; raise ConfigError listing every problem."""
        env = os.environ if env is None else env
        problems: list[str] = []

        def required(name: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                problems.append(f"{name} is required")
            return value

        def integer(name: str, default: int, low: int = 0, high: int = 65535) -> int:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                value = int(raw)
            except ValueError:
                problems.append(f"{name} must be an integer, got {raw!r}")
                return default
            if not low <= value <= high:
                problems.append(f"{name} must be within [{low}, {high}], got {value}")
            return value

        prefix = service.upper()
        database_url = required("DATABASE_URL")
        if database_url and not database_url.startswith(("postgresql://", "postgres://")):
            problems.append("DATABASE_URL must be a postgresql:// URL")
        redis_url = required("REDIS_URL")
        if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            problems.append("REDIS_URL must be a redis://, rediss:// or unix:// URL")
        master_keys = required("IWORKZ_MASTER_KEYS")
        if master_keys:
            try:
                parse_master_keys(master_keys)
            except CryptoError as err:
                problems.append(str(err))
        identity_target = env.get("IWORKZ_IDENTITY_TARGET", "").strip()
        if needs_identity and not identity_target:
            problems.append("IWORKZ_IDENTITY_TARGET is required (host:port of identity, for JWKS)")
        settings = cls(
            service=service,
            database_url=database_url,
            redis_url=redis_url,
            master_keys=master_keys,
            grpc_host=env.get(f"{prefix}_GRPC_HOST", env.get("IWORKZ_GRPC_HOST", "127.0.0.1")),
            grpc_port=integer(f"{prefix}_GRPC_PORT", 0),
            metrics_port=integer(f"{prefix}_METRICS_PORT", 0),
            redis_prefix=env.get("IWORKZ_REDIS_PREFIX", "iworkz:"),
            identity_target=identity_target,
            jwt_issuer=env.get("IWORKZ_JWT_ISSUER", "iworkz-identity"),
            jwt_audience=env.get("IWORKZ_JWT_AUDIENCE", "iworkz"),
            trust_forwarded_client_cert=env.get("IWORKZ_TRUST_XFCC", "") in ("1", "true"),
            max_message_bytes=integer("IWORKZ_MAX_MESSAGE_BYTES", 4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
            drain_seconds=float(integer("IWORKZ_DRAIN_SECONDS", 10, 0, 300)),
            log_level=env.get("IWORKZ_LOG_LEVEL", "INFO").upper(),
            otlp_endpoint=env.get("OTEL_EXPORTER_OTLP_ENDPOINT", ""),
            extra={k: v for k, v in env.items() if k.startswith(f"{prefix}_")},
        )
        if settings.log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            problems.append("IWORKZ_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        if problems:
            raise ConfigError(f"{service}: invalid configuration:\n  - " + "\n  - ".join(problems))
        return settings
