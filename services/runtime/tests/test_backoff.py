"""The one back-off: doubling from the base, capped, optionally jittered; a loop's count resets on success."""

from services.runtime.backoff import RECONNECT, Backoff, Retry


def test_delays_double_up_to_the_cap():
    backoff = Backoff(base=0.5, cap=3.0)
    assert [backoff.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_jitter_takes_at_most_its_share_off():
    backoff = Backoff(base=1.0, cap=8.0, jitter=0.2)
    delays = [backoff.delay(3) for _ in range(200)]
    assert all(3.2 <= d <= 4.0 for d in delays) and len(set(delays)) > 1


def test_a_retry_loop_starts_over_after_a_success():
    retry = Retry()
    assert [retry.failed() for _ in range(3)] == [RECONNECT.base, RECONNECT.base * 2, RECONNECT.base * 4]
    retry.succeeded()
    assert retry.failed() == RECONNECT.base
