"""Is it up? Health probes of what the dev stack starts: gRPC health, Envoy's admin /ready."""

from __future__ import annotations

import urllib.error
import urllib.request

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

HOST = "127.0.0.1"


def health_status(
    target: str, credentials: grpc.ChannelCredentials | None = None, service: str = "", timeout: float = 2.0
) -> str:
    """The gRPC health status name of `target` ("SERVING" ...), or the error code's name."""
    channel = grpc.secure_channel(target, credentials) if credentials is not None else grpc.insecure_channel(target)
    with channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout
            )
        except grpc.RpcError as err:
            return err.code().name
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


def admin_ready(port: int) -> bool:
    """Whether the Envoy whose admin interface is on `port` says it is ready (LIVE)."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/ready", timeout=2) as response:
            return response.read().decode().strip() == "LIVE"
    except (urllib.error.URLError, OSError):
        return False
