"""The notifications service's own settings, from `NOTIFICATIONS_*` environment variables.

Read at start (`NotificationsConfig.from_settings`); a bad value stops the
service naming the variable. The event consumer's `NOTIFICATIONS_EVENTS_*`
are the runtime's (`runtime.settings.EventSettings`).
"""

from __future__ import annotations

from email.utils import parseaddr

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.notifications.delivery import SmtpConfig
from services.runtime.settings import ServiceSettings


class NotificationsConfig(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", frozen=True, extra="forbid")

    heartbeat_seconds: float = Field(15.0, ge=0.05, le=300, description="idle time before a stream gets a heartbeat")
    web_base_url: str = Field("http://localhost:3000", description="where links in emails point")
    smtp_host: str = Field("", description="the SMTP server; without one no email is sent")
    smtp_port: int = Field(25, ge=1, le=65535, description="its port")
    smtp_from: str = Field("iWORKZ <notifications@iworkz.local>", description="the sender of every email")
    smtp_starttls: bool = Field(False, description="upgrade the connection with STARTTLS")
    smtp_ssl: bool = Field(False, description="implicit TLS (SMTPS)")
    smtp_username: str = Field("", description="login, when the server wants one")
    smtp_password: str = Field("", description="its password")

    @field_validator("web_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value

    @field_validator("smtp_from")
    @classmethod
    def _address(cls, value: str) -> str:
        if "@" not in parseaddr(value)[1]:
            raise ValueError(f"must be an email address, got {value!r}")
        return value

    @property
    def smtp(self) -> SmtpConfig | None:
        """The SMTP server to send through, or None (email is off)."""
        if not self.smtp_host:
            return None
        return SmtpConfig(
            host=self.smtp_host,
            port=self.smtp_port,
            sender=self.smtp_from,
            starttls=self.smtp_starttls,
            ssl=self.smtp_ssl,
            username=self.smtp_username,
            password=self.smtp_password,
        )
