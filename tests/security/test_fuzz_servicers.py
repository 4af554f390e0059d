"""Hypothesis over every RPC's request message, sent straight to the servicers (no edge).

Each example starts from a request that passes the contract's rules
(`valid_requests.py`) and replaces fields with arbitrary values of their type:
any text, any integer, enum numbers that are not defined, absent messages. The
caller is an admin, so the access rules let the request through to validation
and the servicer. Every answer must be a status a caller can act on: success,
INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION...; never INTERNAL or UNKNOWN
(a crash). `make test` draws 4 examples per RPC, derandomised (the same every
run); IWORKZ_SECURITY_FULL=1 draws 60.
"""

from __future__ import annotations

import asyncio
import functools
import os

import grpc
import pytest
from google.protobuf import descriptor as d
from google.protobuf import descriptor_pool, message_factory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from valid_requests import valid_request

import contracts

SERVICES = {
    "iworkz.identity.v1.IdentityService": "identity_service",
    "iworkz.marketplace.v1.MarketplaceService": "marketplace_service",
    "iworkz.notifications.v1.NotificationService": "notifications_service",
    "iworkz.credentials.v1.CredentialService": "credentials_service",
    "iworkz.agent.v1.AgentService": "agent_service",
}
# Run with an admin's rights, these would change what every other test of the run relies on.
NOT_FUZZED = {"/iworkz.identity.v1.IdentityService/RotateSigningKey"}
CRASHES = ("INTERNAL", "UNKNOWN", "DATA_LOSS")
EXAMPLES = 60 if os.environ.get("IWORKZ_SECURITY_FULL") == "1" else 4

_SCALARS = {
    d.FieldDescriptor.TYPE_STRING: st.text(max_size=80),
    d.FieldDescriptor.TYPE_BOOL: st.booleans(),
    d.FieldDescriptor.TYPE_BYTES: st.binary(max_size=64),
    d.FieldDescriptor.TYPE_INT32: st.integers(-(2**31), 2**31 - 1),
    d.FieldDescriptor.TYPE_INT64: st.integers(-(2**63), 2**63 - 1),
    d.FieldDescriptor.TYPE_UINT32: st.integers(0, 2**32 - 1),
    d.FieldDescriptor.TYPE_UINT64: st.integers(0, 2**64 - 1),
    d.FieldDescriptor.TYPE_DOUBLE: st.floats(allow_nan=True),
    d.FieldDescriptor.TYPE_FLOAT: st.floats(width=32, allow_nan=True),
    d.FieldDescriptor.TYPE_ENUM: st.integers(-3, 40),
}


def _change(name: str, value: object) -> dict:
    return {name: value}


def _mutations(descriptor: d.Descriptor, depth: int = 0):
    """A strategy of {field path: value or None (clear)} changes to a message of this type."""
    options = []
    for field in descriptor.fields:
        if field.is_repeated:
            continue
        if field.message_type is not None:
            if depth < 2:
                options.append(
                    _mutations(field.message_type, depth + 1).map(
                        lambda inner, name=field.name: {f"{name}.{k}": v for k, v in inner.items()}
                    )
                )
            options.append(st.just({field.name: None}))
        elif field.type in _SCALARS:
            options.append(_SCALARS[field.type].map(functools.partial(_change, field.name)))
    if not options:
        return st.just({})
    return st.lists(st.one_of(options), max_size=4).map(lambda changes: {k: v for c in changes for k, v in c.items()})


def _apply(message, changes: dict) -> None:
    for path, value in changes.items():
        *parents, last = path.split(".")
        target = message
        for part in parents:
            target = getattr(target, part)
        try:
            if value is None:
                target.ClearField(last)
            else:
                setattr(target, last, value)
        except (ValueError, TypeError):
            pass  # a value protobuf itself refuses (an out-of-range enum in a closed enum): not sent


def _rpcs(edge_image):
    image = contracts.load(edge_image)
    return [r for r in image.rpcs if r.service in SERVICES and not r.client_streaming and r.grpc_path not in NOT_FUZZED]


@pytest.fixture(scope="module")
def rpcs(edge_image):
    return _rpcs(edge_image)


async def _call(target: str, rpc, body: bytes, metadata) -> str:
    async with grpc.aio.insecure_channel(target) as channel:
        ident = {"request_serializer": lambda b: b, "response_deserializer": lambda b: b}
        try:
            if rpc.server_streaming:
                call = channel.unary_stream(rpc.grpc_path, **ident)(body, metadata=metadata, timeout=20)
                try:
                    await asyncio.wait_for(call.__aiter__().__anext__(), 2)
                except (StopAsyncIteration, TimeoutError):
                    pass
                call.cancel()
            else:
                await channel.unary_unary(rpc.grpc_path, **ident)(body, metadata=metadata, timeout=20)
        except grpc.aio.AioRpcError as err:
            return f"{err.code().name}: {err.details()}"
    return "OK"


def _draw(cls) -> list[bytes]:
    """EXAMPLES serialized requests of `cls`: a valid one, changed by Hypothesis."""
    examples: list[bytes] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(_mutations(cls.DESCRIPTOR))
    def draw(changes):
        message = valid_request(cls)
        _apply(message, changes)
        examples.append(message.SerializeToString())

    draw()
    return examples


async def test_no_request_of_any_rpc_crashes_its_servicer(request, rpcs, callers):
    admin = callers.mine["admin"]
    crashes: list[str] = []
    seen: dict[str, int] = {}
    for rpc in rpcs:
        service = request.getfixturevalue(SERVICES[rpc.service])
        cls = message_factory.GetMessageClass(descriptor_pool.Default().FindMessageTypeByName(rpc.input_type))
        examples = _draw(cls)
        for body in dict.fromkeys(examples):
            outcome = await _call(service.target, rpc, body, admin.metadata)
            seen[outcome.split(":")[0]] = seen.get(outcome.split(":")[0], 0) + 1
            if outcome.split(":")[0] in CRASHES:
                crashes.append(f"{rpc.grpc_path} {cls.FromString(body)!r}: {outcome}")
    print("fuzzed outcomes:", seen)
    assert len(rpcs) > 60
    # The examples reached both sides of validation: refused as invalid, and through to the servicer.
    assert seen.get("INVALID_ARGUMENT", 0) and sum(n for code, n in seen.items() if code != "INVALID_ARGUMENT")
    assert not crashes, f"{len(crashes)} crashes:\n" + "\n".join(crashes)
