"""Deadline propagation: a service calling another while serving a call passes on what is left of
its caller's deadline, so when the caller gives up the whole chain stops (real gRPC servers)."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from services.runtime import deadlines
from services.runtime.interceptors import CallContextInterceptor

IDENTITY = {"request_serializer": lambda b: b, "response_deserializer": lambda b: b}


class Callee:
    """A slow service: records the deadline each call came with and whether it was cancelled."""

    def __init__(self) -> None:
        self.time_remaining: list[float | None] = []
        self.cancelled = 0
        self.finished = 0

    async def slow(self, request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        self.time_remaining.append(context.time_remaining())
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        self.finished += 1
        return b"late"


async def _server(handlers: dict, interceptors=()) -> tuple[grpc.aio.Server, str]:
    server = grpc.aio.server(interceptors=list(interceptors))
    server.add_generic_rpc_handlers(
        [
            grpc.method_handlers_generic_handler(
                "test.Chain", {name: grpc.unary_unary_rpc_method_handler(h) for name, h in handlers.items()}
            )
        ]
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, f"127.0.0.1:{port}"


async def test_a_call_made_while_serving_gets_no_more_than_the_callers_deadline():
    callee = Callee()
    callee_server, callee_target = await _server({"Slow": callee.slow})
    outgoing = grpc.aio.insecure_channel(callee_target, interceptors=deadlines.interceptors())

    async def middle(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        # Asks for 30 s of its own; the caller allowed 1 s.
        return await outgoing.unary_unary("/test.Chain/Slow", **IDENTITY)(request, timeout=30)

    middle_server, middle_target = await _server({"Middle": middle}, [CallContextInterceptor(False)])
    try:
        async with grpc.aio.insecure_channel(middle_target) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await channel.unary_unary("/test.Chain/Middle", **IDENTITY)(b"x", timeout=1)
        assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        [left] = callee.time_remaining
        assert left is not None and left <= 1.0, f"the callee was given {left} s"
        # The callee's work was cancelled with the caller's deadline, not left running for 30 s.
        for _ in range(100):
            if callee.cancelled:
                break
            await asyncio.sleep(0.1)
        assert (callee.cancelled, callee.finished) == (1, 0)
    finally:
        await outgoing.close()
        await middle_server.stop(0)
        await callee_server.stop(0)


async def test_a_call_outside_any_served_call_keeps_its_own_timeout():
    assert deadlines.remaining(7.5) == 7.5
    assert deadlines.remaining(None) is None
