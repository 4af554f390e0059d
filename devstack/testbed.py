"""A platform for the front-end test suites (TypeScript SDK, mobile app): `python -m devstack.testbed`.

    python -m devstack.testbed --info FILE [--services identity,marketplace,notifications]
                               [--cors-origin URL ...] [--demo] [--web]

Starts the named services (default: every service of the topology), one
replica each, with their sidecars and the edge, exactly as `make up` does, but on a copy of the
topology moved to free ports (never the default ones), on a database of its
own on DATABASE_URL's server and a Redis key prefix of its own (embedded
servers in the state directory when the variables are unset). Calls to
services left out are dropped from the copy. `--cors-origin` adds origins the
edge accepts (a web app served on a free port); `--web` builds (when stale) and runs
the web app (`web/`) behind the edge, as `make up` does; the per-method rate limits
(sign-up, login) are raised, since every test client is 127.0.0.1. When everything is healthy it
writes FILE, JSON:

    {"edge": "https://127.0.0.1:PORT", "target": "127.0.0.1:PORT", "ca": ".../ca.pem",
     "state": "...", "pid": N}

and waits. SIGTERM or SIGINT stops everything it started and drops its
database and Redis keys. A test runner starts it in the background, waits for
FILE, runs its tests against `edge` (trusting `ca`) and sends SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pathlib
import signal
import sys
import tempfile
import uuid

import yaml

import topology as mesh_topology
from devstack import embedded, ports
from devstack.console import StartupError, Stop, raise_stop, say
from devstack.plan import runnable
from devstack.platform import Platform


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def topology_copy(out: pathlib.Path, services: list[str], origins: list[str]) -> mesh_topology.Topology:
    """The topology on free ports, with only `services` (all when empty) and extra CORS origins."""
    raw = yaml.safe_load(mesh_topology.DEFAULT_PATH.read_text())
    # One replica each: a test machine runs several suites at once.
    raw = ports.relocate(raw, {name: 1 for name in raw["services"]})
    raw["edge"]["cors_origins"] = [*raw["edge"].get("cors_origins", []), *origins]
    # Every test client is 127.0.0.1: with the real sign-up/login limits the tests would throttle
    # each other (gateway/tests/test_edge_limits.py tests the limits themselves).
    for limit in raw["edge"].get("rate_limits", {}).get("methods", {}).values():
        limit.update(tokens=10_000, per_seconds=60)
    out.write_text(yaml.safe_dump(raw, sort_keys=False))
    loaded = mesh_topology.load(out)
    unknown = sorted(set(services) - set(loaded.services))
    if unknown:
        raise StartupError(f"--services names no service of the topology: {', '.join(unknown)}")
    if services:
        loaded = loaded.without([name for name in loaded.services if name not in services])
    return runnable(loaded)


def write_json(path: pathlib.Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(path)  # readers never see half a file


def run(args: argparse.Namespace) -> int:
    info = pathlib.Path(args.info).resolve()
    state = pathlib.Path(args.state_dir or tempfile.mkdtemp(prefix="iworkz-testbed-")).resolve()
    state.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGINT, raise_stop)
    signal.signal(signal.SIGTERM, raise_stop)
    services = [s.strip() for s in args.services.split(",") if s.strip()]
    platform: Platform | None = None
    server_url = os.environ.get("DATABASE_URL", "").strip()
    database = f"iworkz_testbed_{uuid.uuid4().hex[:10]}"
    prefix = f"test:testbed:{uuid.uuid4().hex[:10]}:"
    os.environ.update(
        {
            "IWORKZ_REDIS_PREFIX": prefix,
            "IWORKZ_DRAIN_SECONDS": os.environ.get("IWORKZ_DRAIN_SECONDS", "1"),
            "IWORKZ_SMTP_SINK_PORT": str(free_port()),
            "IWORKZ_ANVIL_PORT": str(free_port()),
        }
    )
    status = 0
    try:
        if server_url:
            os.environ["DATABASE_URL"] = embedded.create_database(server_url, database)
        topology = topology_copy(state / "topology.yaml", services, args.cors_origin)
        platform = Platform(state / "state", topology, args.start_timeout, web=args.web)
        platform.start_data()
        platform.start(edge=True)
        if args.demo:
            from devstack import populate

            asyncio.run(populate.populate(platform, False))
        edge = platform.running_edge
        write_json(
            info,
            {
                "edge": f"https://127.0.0.1:{topology.edge.port}",
                "target": f"127.0.0.1:{topology.edge.port}",
                "ca": str(edge.ca),
                "state": str(state),
                "pid": os.getpid(),
            },
        )
        say(f"testbed ready: https://127.0.0.1:{topology.edge.port} ({info})")
        while True:
            signal.pause()
    except Stop:
        pass
    except StartupError as err:
        say(f"testbed failed: {err}", err=True)
        status = 1
    except Exception as err:
        import traceback

        traceback.print_exc()
        say(f"testbed failed: {type(err).__name__}: {err}", err=True)
        status = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if platform is not None:
            platform.stop()
        if server_url:
            embedded.drop_database(server_url, database)
            os.environ["DATABASE_URL"] = server_url
        if os.environ.get("REDIS_URL"):
            import redis

            client = redis.Redis.from_url(os.environ["REDIS_URL"])
            for key in client.scan_iter(match=prefix + "*", count=1000):
                client.delete(key)
            client.close()
        info.unlink(missing_ok=True)
        if not args.state_dir and status == 0:
            import shutil

            shutil.rmtree(state, ignore_errors=True)  # kept after a failure, for its logs
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.testbed", description=__doc__.split("\n")[0])
    parser.add_argument("--info", required=True, help="write the edge's URL and CA here (JSON) when ready")
    parser.add_argument("--services", default="", help="comma-separated services to run (default: all)")
    parser.add_argument("--cors-origin", action="append", default=[], help="another origin the edge accepts")
    parser.add_argument("--demo", action="store_true", help="load the demo data (as make up does)")
    parser.add_argument("--web", action="store_true", help="build and run the web app (web/) behind the edge")
    parser.add_argument("--state-dir", default="", help="default: a new temporary directory")
    parser.add_argument("--start-timeout", type=float, default=180.0)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
