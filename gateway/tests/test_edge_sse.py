"""Server streams as Server-Sent Events, and an upstream with no healthy host as JSON 503.

The SSE configuration is generic (every server-streaming RPC with an HTTP
binding). Two contracts prove it: the platform's own `Subscribe`, served by
the real notifications service behind the session's edge, and a small test
contract (`TickService`, with exact expected JSON) added to a copy of the
image and served by a tiny in-process server of that test contract.
"""

from __future__ import annotations

import asyncio
import json
import socket

import grpc
import httpx
import pytest
from edge_testing import assert_error_shape, grpc_credentials, relaxed_topology, sign_up, start_edge, stop_edge
from google.api import annotations_pb2
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

import contracts
from iworkz.auth.v1 import access_pb2
from topology import Retries, Service

FD = descriptor_pb2.FieldDescriptorProto
TICKS = "iworkz.edgetest.v1.TickService"
GHOST = "iworkz.edgetest.v1.GhostService"


def edgetest_contract() -> descriptor_pb2.FileDescriptorProto:
    """`TickService.WatchTicks` (GET /v1/ticks:watch, a stream) and `GhostService.Ping`."""
    f = descriptor_pb2.FileDescriptorProto(
        name="iworkz/edgetest/v1/edgetest.proto",
        package="iworkz.edgetest.v1",
        syntax="proto3",
        dependency=["google/api/annotations.proto", "iworkz/auth/v1/access.proto"],
    )
    tick = f.message_type.add(name="Tick")
    tick.field.add(name="n", number=1, type=FD.TYPE_INT32, label=FD.LABEL_OPTIONAL, json_name="n")
    tick.field.add(name="text", number=2, type=FD.TYPE_STRING, label=FD.LABEL_OPTIONAL, json_name="text")
    tick.field.add(name="big_number", number=3, type=FD.TYPE_INT64, label=FD.LABEL_OPTIONAL, json_name="bigNumber")
    watch = f.message_type.add(name="WatchTicksRequest")
    watch.field.add(name="count", number=1, type=FD.TYPE_INT32, label=FD.LABEL_OPTIONAL, json_name="count")
    f.message_type.add(name="PingRequest")
    f.message_type.add(name="PingResponse")
    for service, method, request, response, path, streaming in (
        ("TickService", "WatchTicks", "WatchTicksRequest", "Tick", "/v1/ticks:watch", True),
        ("GhostService", "Ping", "PingRequest", "PingResponse", "/v1/ghost:ping", False),
    ):
        rpc = f.service.add(name=service).method.add(
            name=method,
            input_type=f".iworkz.edgetest.v1.{request}",
            output_type=f".iworkz.edgetest.v1.{response}",
            server_streaming=streaming,
        )
        rpc.options.Extensions[annotations_pb2.http].get = path
        rpc.options.Extensions[access_pb2.access].public = True
    return f


def free_closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StandIn:
    """A gRPC server of the test contract: `WatchTicks` streams `count` ticks."""

    def __init__(self, image: descriptor_pb2.FileDescriptorSet, methods: list[contracts.Rpc]) -> None:
        pool = descriptor_pool.DescriptorPool()
        for file in image.file:
            pool.Add(file)
        self.types = {
            name: message_factory.GetMessageClass(pool.FindMessageTypeByName(name))
            for rpc in methods
            for name in (rpc.input_type, rpc.output_type)
        }
        self.methods = {rpc.grpc_path: rpc for rpc in methods}
        self.server = grpc.aio.server()
        self.server.add_generic_rpc_handlers((self,))
        self.health = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")

    def service(self, details):
        rpc = self.methods.get(details.method)
        if rpc is None:
            return None
        request_type, output_type = self.types[rpc.input_type], self.types[rpc.output_type]

        async def stream(request, context):
            count = getattr(request, "count", 0) or 3
            for n in range(count):
                yield output_type(n=n, text=f"tick {n}", big_number=2**40 + n)

        return grpc.unary_stream_rpc_method_handler(stream, request_type.FromString, lambda m: m.SerializeToString())

    async def start(self) -> None:
        await self.server.start()
        for rpc in self.methods.values():
            await self.health.set(rpc.service, health_pb2.HealthCheckResponse.SERVING)


@pytest.fixture(scope="module")
async def streaming_world(identity_service, edge_image, tmp_path_factory):
    image = descriptor_pb2.FileDescriptorSet.FromString(edge_image.read_bytes())
    image.file.append(edgetest_contract())
    path = tmp_path_factory.mktemp("stream-image") / "with-test-contract.binpb"
    path.write_bytes(image.SerializeToString())
    rpcs = contracts.from_image(image).rpcs
    stand_in = StandIn(image, [r for r in rpcs if r.service == TICKS])
    await stand_in.start()

    topology = relaxed_topology()
    retries = Retries(attempts=2, per_try_timeout="1s", retry_on=("unavailable",))

    def service(name, grpc_services):
        # Ports are not used: the edge is given the upstream addresses.
        return Service(
            name=name,
            grpc_services=tuple(grpc_services),
            replicas=1,
            ports=dict.fromkeys(("app", "sidecar", "egress", "metrics", "sidecar_admin"), 1),
            callers=("edge",),
            calls=(),
            timeout="5s",
            retries=retries,
        )

    services = {
        "identity": topology.services["identity"],
        "ticker": service("ticker", [TICKS]),
        "ghost": service("ghost", [GHOST]),
    }
    upstreams = {
        "identity": [("127.0.0.1", identity_service.port)],
        "ticker": [("127.0.0.1", stand_in.port)],
        "ghost": [("127.0.0.1", free_closed_port())],
    }
    topology = topology.model_copy(update={"services": services})
    running = await start_edge(
        topology, path, upstreams, tmp_path_factory.mktemp("stream-edge"), never_healthy=("svc_ghost",)
    )
    try:
        yield running, stand_in
    finally:
        await stop_edge(running)
        await stand_in.server.stop(0)


@pytest.fixture
async def client(streaming_world):
    running = streaming_world[0]
    async with httpx.AsyncClient(base_url=running.url, http2=True, verify=str(running.ca), timeout=30) as c:
        yield c


async def read_events(client: httpx.AsyncClient, path: str, headers=None, params=None) -> tuple[httpx.Response, list]:
    events = []
    async with client.stream("GET", path, headers=headers, params=params) as response:
        if response.status_code != 200:
            await response.aread()
            return response, []
        async for line in response.aiter_lines():
            if line.startswith("data:"):
                events.append(json.loads(line[len("data:") :]))
    return response, events


async def test_server_stream_is_server_sent_events(client):
    response, events = await read_events(client, "/v1/ticks:watch", params={"count": 4})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    # Each event is one message as proto3 JSON: zero values present, int64 as strings.
    assert events == [{"n": n, "text": f"tick {n}", "bigNumber": str(2**40 + n)} for n in range(4)]


async def test_notifications_subscribe_is_server_sent_events_from_the_real_service(rest):
    """The worker's live stream as a browser gets it: heartbeats, then a notification caused by an event."""
    me = await sign_up(rest)
    path = f"/v1/users/{me['id']}/notifications:subscribe"
    assert_error_shape(await rest.get(path), 401, 16)  # a protected stream is refused at the edge, as JSON

    async def events_until_notification(response) -> list[dict]:
        seen = []
        async for line in response.aiter_lines():
            if line.startswith("data:"):
                seen.append(json.loads(line[len("data:") :]))
                if len(seen) == 1:
                    # Reusing a refresh token is an account-security event (identity's outbox →
                    # Redis stream → notifications consumer → this stream).
                    refresh = {"refreshToken": me["tokens"]["refreshToken"]}
                    assert (await rest.post("/v1/auth:refresh", json=refresh)).status_code == 200
                    assert (await rest.post("/v1/auth:refresh", json=refresh)).status_code == 401
                if "notification" in seen[-1]:
                    return seen
        return seen

    async with rest.stream("GET", path, headers=me["auth"]) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = await asyncio.wait_for(events_until_notification(response), 60)
    assert "heartbeat" in events[0]
    note = events[-1]["notification"]
    assert note["category"] == "NOTIFICATION_CATEGORY_ACCOUNT_SECURITY"
    assert note["name"].startswith(f"users/{me['id']}/notifications/")


async def test_server_stream_over_grpc_through_the_edge(streaming_world):
    running, stand_in = streaming_world
    async with grpc.aio.secure_channel(running.target, grpc_credentials(running)) as channel:
        request = stand_in.types["iworkz.edgetest.v1.WatchTicksRequest"](count=3)
        call = channel.unary_stream(
            f"/{TICKS}/WatchTicks",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=stand_in.types["iworkz.edgetest.v1.Tick"].FromString,
        )
        ticks = [t.n async for t in call(request)]
    assert ticks == [0, 1, 2]


async def test_no_healthy_upstream_is_json_503(client, streaming_world):
    assert_error_shape(await client.get("/v1/ghost:ping"), 503, 14)
    running = streaming_world[0]
    async with grpc.aio.secure_channel(running.target, grpc_credentials(running)) as channel:
        call = channel.unary_unary(f"/{GHOST}/Ping", request_serializer=lambda b: b, response_deserializer=lambda b: b)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(b"", timeout=10)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
