"""`python -m services.runtime.healthcheck SERVICE|HOST:PORT`: exit 0 when the server reports SERVING.

With a service name, the port is `<SERVICE>_GRPC_PORT` from the environment (as the service
itself reads it), on 127.0.0.1.

The container images' health check (the stock gRPC health service, as Kubernetes' grpc probes
ask it), with no extra binary in the image.
"""

from __future__ import annotations

import os
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def check(target: str, timeout: float = 3.0) -> bool:
    with grpc.insecure_channel(target) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout)
        except grpc.RpcError:
            return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


def target(argument: str) -> str:
    if ":" in argument:
        return argument
    return f"127.0.0.1:{os.environ[argument.upper() + '_GRPC_PORT']}"


if __name__ == "__main__":
    sys.exit(0 if len(sys.argv) == 2 and check(target(sys.argv[1])) else 1)
