"""Exponential back-off, one way: every retry loop of the runtime and the services waits with it.

`Backoff(base, cap).delay(n)` is the wait after the n-th failure in a row:
`base * 2**(n-1)`, at most `cap`, and with `jitter` a random share of it taken
off (so replicas that failed together do not retry together). `Retry` keeps
count for a loop: `failed()` returns how long to sleep, `succeeded()` starts
over. Envoy's retries are configured in the topology (`traffic.retry_back_off`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    base: float
    cap: float
    jitter: float = 0.0  # 0.2: wait between 80% and 100% of the delay

    def delay(self, failures: int) -> float:
        """Seconds to wait after `failures` failures in a row (1 = the first)."""
        delay = min(self.cap, self.base * 2.0 ** max(0, failures - 1))
        return delay * random.uniform(1.0 - self.jitter, 1.0) if self.jitter else delay


# Reconnecting to Redis or PostgreSQL after an outage (the relay, consumers, live fan-out).
RECONNECT = Backoff(base=0.1, cap=5.0)


class Retry:
    """The failures in a row of one loop and how long to wait after the latest."""

    def __init__(self, backoff: Backoff = RECONNECT) -> None:
        self.backoff = backoff
        self.failures = 0

    def failed(self) -> float:
        """Count a failure; the seconds to wait before trying again."""
        self.failures += 1
        return self.backoff.delay(self.failures)

    def succeeded(self) -> None:
        self.failures = 0
