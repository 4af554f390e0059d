"""The notifications service's own settings, from `NOTIFICATIONS_*` environment variables.

- `NOTIFICATIONS_HEARTBEAT_SECONDS` (default 15): idle time before a stream gets a heartbeat.
- `NOTIFICATIONS_WEB_BASE_URL` (default `http://localhost:3000`): links in emails.
- `NOTIFICATIONS_SMTP_HOST`, `_PORT`, `_FROM`, `_STARTTLS`, `_SSL`, `_USERNAME`, `_PASSWORD`:
  the SMTP server; without a host no email is sent (see `delivery.SmtpConfig`).
- `NOTIFICATIONS_EVENTS_*`: the event consumer (see `runtime.consumer.ConsumerOptions`).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.notifications.delivery import SmtpConfig
from services.runtime.settings import ConfigError, Settings


@dataclass(frozen=True)
class NotificationsConfig:
    heartbeat_seconds: float = 15.0
    web_base_url: str = "http://localhost:3000"
    smtp: SmtpConfig | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> NotificationsConfig:
        env = settings.extra
        raw = env.get("NOTIFICATIONS_HEARTBEAT_SECONDS", "").strip()
        try:
            heartbeat = float(raw) if raw else cls.heartbeat_seconds
        except ValueError:
            heartbeat = -1.0
        if not 0.05 <= heartbeat <= 300:
            raise ConfigError(
                "notifications: NOTIFICATIONS_HEARTBEAT_SECONDS must be a number of seconds "
                f"within [0.05, 300], got {raw!r}"
            )
        base = env.get("NOTIFICATIONS_WEB_BASE_URL", "").strip() or cls.web_base_url
        if not base.startswith(("http://", "https://")):
            raise ConfigError(f"notifications: NOTIFICATIONS_WEB_BASE_URL must be an http(s) URL, got {base!r}")
        return cls(heartbeat_seconds=heartbeat, web_base_url=base, smtp=SmtpConfig.from_env(env))
