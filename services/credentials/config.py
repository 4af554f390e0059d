"""The credential service's own settings, from `CREDENTIALS_*` environment variables.

Read at start (`CredentialsConfig.from_settings`); a bad value stops the
service naming the variable.
"""

from __future__ import annotations

import urllib.parse

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.runtime.settings import ServiceSettings


class CredentialsConfig(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CREDENTIALS_", frozen=True, extra="forbid")

    public_url: str = Field(
        "https://localhost:8443",
        description="where the edge serves the platform: issuer did:web hosts, status list and schema URLs",
    )
    chain_url: str = Field(
        "", description="the EVM node's RPC URL (eth-tester://name: in-process); unset: digests wait unanchored"
    )
    chain_private_key: str = Field("", description="the anchoring key (hex); unset: the node's first unlocked account")
    anchor_contract: str = Field(
        "", description="the AnchorRegistry address; unset: deployed once, remembered per chain"
    )
    anchor_interval_seconds: float = Field(10.0, ge=0.05, le=3600, description="a batch is anchored this often")
    anchor_batch_size: int = Field(256, ge=1, le=100_000, description="or as soon as this many digests wait")
    heartbeat_seconds: float = Field(15.0, ge=0.05, le=300, description="idle time before WatchStatus re-reads")

    @field_validator("public_url")
    @classmethod
    def _origin(cls, value: str) -> str:
        value = value.rstrip("/")
        parts = urllib.parse.urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise ValueError(f"must be an http(s) origin, got {value!r}")
        return value

    @field_validator("chain_url")
    @classmethod
    def _rpc(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://", "eth-tester://")):
            raise ValueError("must be an http(s) RPC URL or eth-tester://name")
        return value

    @field_validator("chain_private_key")
    @classmethod
    def _key(cls, value: str) -> str:
        if value and len(value.removeprefix("0x")) != 64:
            raise ValueError("must be 32 bytes of hex")
        return value

    @property
    def public_host(self) -> str:
        """`host[:port]` of the public URL (the did:web host)."""
        return urllib.parse.urlsplit(self.public_url).netloc
