"""`make up`: the whole platform on one machine, driven by `mesh/topology.yaml`, until Ctrl-C.

    python -m devstack [--check] [--state-dir DIR] [--topology FILE] [--replicas NAME=N ...]

What runs, in start order:

1. PostgreSQL and Redis: the servers of DATABASE_URL / REDIS_URL, else
   embedded ones with their data in the state directory (kept across restarts);
   then every service's migrations.
2. The mesh: a fresh CA and a SPIFFE certificate per service and for the edge
   (`mesh/certs.py`, in `<state>/mesh/`), and one sidecar Envoy config per
   replica (`mesh/sidecar.py`).
3. Every service of the topology, each replica as `python -m services.<name>.main`
   on `127.0.0.1:ports.app+i`, trusting its sidecar's client-certificate header
   (IWORKZ_TRUST_XFCC) and calling other services through its own egress port.
4. One sidecar Envoy per replica (mTLS in, allowed callers only; egress out).
5. The edge Envoy (`gateway/`): HTTPS with REST/JSON, gRPC-web and gRPC, mTLS
   to the sidecars as the `edge` identity.
6. The web app (`web/`, Next.js; built first when its sources changed): the edge
   serves it at `/`, one origin with the API (`--no-web` leaves it out).

Each counts as started only when healthy: a replica when its gRPC health says
SERVING, a sidecar when its admin says ready and the same health check passes
through it over mTLS, the edge when its admin says ready and a REST call
through it is answered. Then the admin account and the demo data are created
and the URLs, logins and logs are printed. Replica counts come from the
topology and can be raised (`--replicas marketplace=3`, or
`IWORKZ_REPLICAS=marketplace=3,identity=2`). While running, workload
certificates are re-issued before they expire (the sidecars reload them), and a
replica or sidecar that exits on its own is restarted.

State lives in `.iworkz/` (or `--state-dir`): embedded data, the master key
(`master-keys`), the admin password, the mesh certificates and rendered Envoy
configs, logs (`logs/`, rewritten at each start), an `env` file to `source` for
`iworkz` commands, and `launcher.json` with the PID of everything started.

Every process runs in its own process group. On Ctrl-C or SIGTERM the edge is
stopped first, then each service (callers before the services they call):
its replicas get SIGTERM and their drain time, then its sidecars stop; then
the embedded servers. Nothing is left behind. `--check` starts everything,
loads and verifies the demo data, checks the mesh policy and the edge, runs
the printed SDK example, and shuts down: exit status 0 means `make up` works.

`--containers` (`make up-containers`) runs the same platform with every replica, sidecar, the
edge and the web app in their container images (`make images`; see devstack/containers.py): same
topology, ports, certificates and checks.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import signal
import sys

import topology as mesh_topology
from devstack import banner, checks, populate
from devstack.console import StartupError, Stop, raise_stop, say
from devstack.plan import load_topology, parse_replicas
from devstack.platform import REPO, Platform


def run(args: argparse.Namespace) -> int:
    """Start everything, print where it is, and watch it until a signal (or, with --check, check and stop)."""
    state = pathlib.Path(args.state_dir).resolve()
    signal.signal(signal.SIGINT, raise_stop)
    signal.signal(signal.SIGTERM, raise_stop)
    platform: Platform | None = None
    status = 0
    try:
        replicas = parse_replicas([os.environ.get("IWORKZ_REPLICAS", ""), *args.replicas])
        topology = load_topology(args.topology, replicas)
        runner = None
        if args.containers:
            from devstack.containers import Runner

            runner = Runner(args.image_tag or _version(), state)
        platform = Platform(
            state, topology, args.start_timeout, web=not (args.no_web or args.no_edge), containers=runner
        )
        platform.start_data()
        platform.start(edge=not args.no_edge)
        if not args.check and runner is None:
            platform.start_mobile_web()
        admin, report, passed = asyncio.run(populate.populate(platform, args.check))
        example = banner.sdk_example(platform)
        say(banner.banner(platform, admin, report, example, args.check))
        if args.check:
            passed += checks.check_running(platform, example, report)
            say("check passed:\n" + "\n".join(f"  ok  {line}" for line in passed))
            return 0
        platform.watch()
    except Stop as stop:
        say(f"\n{stop.args[0]} received")
    except StartupError as err:
        say(f"\nmake up failed: {err}", err=True)
        status = 1
    except Exception as err:
        import traceback

        traceback.print_exc()
        say(f"\nmake up failed: {type(err).__name__}: {err}", err=True)
        status = 1
    finally:
        # A second Ctrl-C must not cut the clean-up short and leave processes behind.
        signal.signal(signal.SIGINT, lambda *_: say("still stopping ..."))
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if platform is not None:
            platform.stop()
        say("stopped.")
    return status


def _version() -> str:
    import tomllib

    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="start, load and verify the demo data, then stop (exit 0 if everything works)",
    )
    parser.add_argument(
        "--state-dir",
        default=os.environ.get("IWORKZ_STATE_DIR") or str(REPO / ".iworkz"),
        help="where data, keys and logs live (default $IWORKZ_STATE_DIR or .iworkz/)",
    )
    parser.add_argument(
        "--topology",
        default=os.environ.get("IWORKZ_TOPOLOGY") or str(mesh_topology.DEFAULT_PATH),
        help="the topology file (default $IWORKZ_TOPOLOGY or mesh/topology.yaml)",
    )
    parser.add_argument(
        "--replicas",
        action="append",
        default=[],
        metavar="SERVICE=N",
        help="run N replicas of SERVICE (repeatable; also $IWORKZ_REPLICAS=a=2,b=3)",
    )
    parser.add_argument("--no-edge", action="store_true", help="run the services and the mesh, not the edge")
    parser.add_argument("--no-web", action="store_true", help="do not build and run the web app (web/)")
    parser.add_argument(
        "--containers",
        action="store_true",
        help="run every replica, sidecar, the edge and the web app from their images (make up-containers)",
    )
    parser.add_argument(
        "--image-tag",
        default=os.environ.get("IWORKZ_IMAGE_TAG", ""),
        help="with --containers: the images' tag (default $IWORKZ_IMAGE_TAG or the project's version)",
    )
    parser.add_argument(
        "--start-timeout",
        type=float,
        default=120.0,
        help="seconds each step may take to become healthy (default %(default)s)",
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
