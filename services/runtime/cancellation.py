"""Stopping background loops reliably.

A background task stops when it is cancelled, normally through the
CancelledError raised at its next `await`. The asyncio Redis client does not
always let that error through: a cancel that lands at the wrong moment of a
command is sometimes swallowed and the command returns normally (redis-py
issues #2028 and #2551; seen here with XREADGROUP and XINFO about once in
fifty cancels). A loop that relied on the exception alone would then run
forever and hang the service's drain, so every background loop also asks
its task, once per round, whether it has been asked to stop.
"""

from __future__ import annotations

import asyncio


def raise_if_cancelled() -> None:
    """Raise CancelledError if the current task has been cancelled, even if the error was lost."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError()
