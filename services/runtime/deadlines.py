"""Deadline propagation: a call a service makes while serving another gets no more time than is
left of the call it serves.

A caller's deadline reaches a service as `grpc-timeout` (each Envoy on the way caps and forwards
it); the call-context interceptor records it in the call's state (`CallState.deadline`). The
client interceptors here cap every outgoing call's timeout to what remains, so a slow callee
never keeps working (and holding a connection, a pool slot, a stream) for a caller that has
given up: when the caller's deadline passes, the whole chain is cancelled with it. A call made
outside any served call (a background task) keeps its own timeout.

    channel = grpc.aio.insecure_channel(egress, interceptors=deadlines.interceptors())
"""

from __future__ import annotations

import time
from typing import Any

import grpc

from services.runtime import context


def remaining(timeout: float | None) -> float | None:
    """`timeout` capped to what is left of the served call's deadline (None: no limit from either)."""
    state = context.current()
    if state is None or state.deadline is None:
        return timeout
    left = max(0.0, state.deadline - time.monotonic())
    return left if timeout is None else min(timeout, left)


def _capped(details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
    timeout = remaining(details.timeout)
    if timeout == details.timeout:
        return details
    return grpc.aio.ClientCallDetails(
        details.method, timeout, details.metadata, details.credentials, details.wait_for_ready
    )


class _UnaryUnary(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(_capped(details), request)


class _UnaryStream(grpc.aio.UnaryStreamClientInterceptor):  # type: ignore[misc]
    async def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(_capped(details), request)


class _StreamUnary(grpc.aio.StreamUnaryClientInterceptor):  # type: ignore[misc]
    async def intercept_stream_unary(self, continuation: Any, details: Any, request_iterator: Any) -> Any:
        return await continuation(_capped(details), request_iterator)


class _StreamStream(grpc.aio.StreamStreamClientInterceptor):  # type: ignore[misc]
    async def intercept_stream_stream(self, continuation: Any, details: Any, request_iterator: Any) -> Any:
        return await continuation(_capped(details), request_iterator)


def interceptors() -> list[grpc.aio.ClientInterceptor]:
    """The client interceptors for a service's channels to other services (one per call kind)."""
    return [_UnaryUnary(), _UnaryStream(), _StreamUnary(), _StreamStream()]
