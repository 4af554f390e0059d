"""The credential service's own settings, from `CREDENTIALS_*` environment variables.

- `CREDENTIALS_PUBLIC_URL` (default `https://localhost:8443`): where the edge
  serves the platform; issuer DIDs (`did:web:{host}:issuers:{id}`), status
  list and schema URLs are built from it.
- `CREDENTIALS_CHAIN_URL`: the EVM node's RPC URL (`eth-tester://name` for an
  in-process chain). Unset: digests wait unanchored (issuance still works).
- `CREDENTIALS_CHAIN_PRIVATE_KEY`: the anchoring key (hex); unset: the node's
  first unlocked account (anvil, eth-tester).
- `CREDENTIALS_ANCHOR_CONTRACT`: the AnchorRegistry address; unset: the
  service deploys one on first use and remembers it per chain id.
- `CREDENTIALS_ANCHOR_INTERVAL_SECONDS` (default 10) and
  `CREDENTIALS_ANCHOR_BATCH_SIZE` (default 256): a batch is anchored every
  N seconds, or as soon as M digests wait.
- `CREDENTIALS_HEARTBEAT_SECONDS` (default 15): idle time before a
  `WatchStatus` stream gets the current status again.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from services.runtime.settings import ConfigError, Settings


@dataclass(frozen=True)
class CredentialsConfig:
    public_url: str = "https://localhost:8443"
    chain_url: str = ""
    chain_private_key: str = ""
    anchor_contract: str = ""
    anchor_interval_seconds: float = 10.0
    anchor_batch_size: int = 256
    heartbeat_seconds: float = 15.0

    @property
    def public_host(self) -> str:
        """`host[:port]` of the public URL (the did:web host)."""
        return urllib.parse.urlsplit(self.public_url).netloc

    @classmethod
    def from_settings(cls, settings: Settings) -> CredentialsConfig:
        env = settings.extra
        problems: list[str] = []

        def number(name: str, default: float, low: float, high: float) -> float:
            raw = env.get(name, "").strip()
            try:
                value = float(raw) if raw else default
            except ValueError:
                value = low - 1
            if not low <= value <= high:
                problems.append(f"{name} must be a number within [{low}, {high}], got {raw!r}")
            return value

        public_url = env.get("CREDENTIALS_PUBLIC_URL", "").strip().rstrip("/") or cls.public_url
        parts = urllib.parse.urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            problems.append(f"CREDENTIALS_PUBLIC_URL must be an http(s) origin, got {public_url!r}")
        chain_url = env.get("CREDENTIALS_CHAIN_URL", "").strip()
        if chain_url and not chain_url.startswith(("http://", "https://", "eth-tester://")):
            problems.append("CREDENTIALS_CHAIN_URL must be an http(s) RPC URL or eth-tester://")
        key = env.get("CREDENTIALS_CHAIN_PRIVATE_KEY", "").strip()
        if key and len(key.removeprefix("0x")) != 64:
            problems.append("CREDENTIALS_CHAIN_PRIVATE_KEY must be 32 bytes of hex")
        config = cls(
            public_url=public_url,
            chain_url=chain_url,
            chain_private_key=key,
            anchor_contract=env.get("CREDENTIALS_ANCHOR_CONTRACT", "").strip(),
            anchor_interval_seconds=number(
                "CREDENTIALS_ANCHOR_INTERVAL_SECONDS", cls.anchor_interval_seconds, 0.05, 3600
            ),
            anchor_batch_size=int(number("CREDENTIALS_ANCHOR_BATCH_SIZE", cls.anchor_batch_size, 1, 100_000)),
            heartbeat_seconds=number("CREDENTIALS_HEARTBEAT_SECONDS", cls.heartbeat_seconds, 0.05, 300),
        )
        if problems:
            raise ConfigError("credentials: invalid configuration:\n  - " + "\n  - ".join(problems))
        return config
