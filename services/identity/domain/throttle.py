"""Login throttling policy: failures per account and per client address."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures_per_account: int = 5
    max_failures_per_address: int = 20
    window_seconds: int = 15 * 60

    def blocked(self, account_failures: int, address_failures: int) -> bool:
        return account_failures >= self.max_failures_per_account or address_failures >= self.max_failures_per_address


def client_address(peer: str) -> str:
    """The IP of a gRPC peer (`ipv4:1.2.3.4:5678`, `ipv6:[::1]:5678`) or an X-Forwarded-For list."""
    peer = peer.split(",")[0].strip()
    if peer.startswith("ipv4:"):
        return peer[5:].rsplit(":", 1)[0]
    if peer.startswith("ipv6:"):
        return peer[5:].rsplit(":", 1)[0].strip("[]")
    return peer or "unknown"
