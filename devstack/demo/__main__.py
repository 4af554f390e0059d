"""`python -m devstack.demo` (`make demo`): load the demo data into a running platform through the SDK.

Targets default to IWORKZ_IDENTITY_TARGET / IWORKZ_MARKETPLACE_TARGET (set by
`source .iworkz/env`), else the first replicas' ports in the topology.
Idempotent: a second run creates nothing. Exit status 0 done, 1 failed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import grpc

import topology
from devstack.demo import load


class DemoCommandError(Exception):
    """Why the demo could not be loaded, for the operator."""


def default_target(service: str) -> str:
    """IWORKZ_<SERVICE>_TARGET, else the service's first replica on this machine (topology ports)."""
    given = os.environ.get(f"IWORKZ_{service.upper()}_TARGET", "").strip()
    return given or f"127.0.0.1:{topology.load().services[service].port('app')}"


async def run(identity_target: str, marketplace_target: str) -> str:
    try:
        report = await load.load(identity_target, marketplace_target)
    except load.DemoError as err:
        raise DemoCommandError(str(err)) from None
    except grpc.aio.AioRpcError as err:
        if err.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            raise DemoCommandError(
                f"cannot reach the platform at {identity_target} / {marketplace_target} "
                f"({err.code().name}); is `make up` running?"
            ) from None
        raise DemoCommandError(f"the platform refused a demo request: {err.code().name}: {err.details()}") from None
    return load.describe_demo(report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.demo", description=__doc__.split("\n")[0])
    parser.add_argument("--target", default=None, help="identity host:port (default $IWORKZ_IDENTITY_TARGET)")
    parser.add_argument(
        "--marketplace-target", default=None, help="marketplace host:port (default $IWORKZ_MARKETPLACE_TARGET)"
    )
    args = parser.parse_args(argv)
    try:
        print(
            asyncio.run(
                run(args.target or default_target("identity"), args.marketplace_target or default_target("marketplace"))
            )
        )
    except DemoCommandError as err:
        print(f"demo: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
