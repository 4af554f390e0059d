"""The dev stack: what only runs on a developer's machine or in tests, never in production.

`make up` (`python -m devstack`) runs the whole platform from the topology:
embedded PostgreSQL and Redis (`embedded`), a local SMTP sink (`smtp_sink`),
the mesh's certificates and sidecar Envoys, every service replica, the edge
Envoy with a development certificate (`devcert`, `envoy_runner`), the admin
account and the demo data (`demo/`). Tests and benchmarks use the same code
through the names below. Production packages (services/, gateway/, mesh/,
contracts/, envoy/, topology/) never import this package.

| module | job |
|---|---|
| `cli.py` / `__main__.py` | the entry point: arguments, run, stop |
| `plan.py` | what runs: replica overrides, services not written yet left out, start order |
| `platform.py` | platform and process supervision: data stores, keys, migrations, mesh, replicas, sidecars, edge |
| `probes.py` | gRPC health and Envoy readiness |
| `populate.py` | the admin account and the demo data |
| `checks.py` | `--check`: the running platform works end to end |
| `banner.py` | what is printed once everything runs |
| `embedded.py`, `smtp_sink.py`, `devcert.py`, `envoy_runner.py`, `ports.py`, `demo/` | the dev-only parts |
"""

import os

# The dev stack forks (pg_ctl, the services, Envoy) after using gRPC; it needs no gRPC in
# the forked children, so skip gRPC's fork handlers (and their warnings).
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

from devstack.console import StartupError
from devstack.plan import implemented, load_topology, parse_replicas, runnable, start_order
from devstack.platform import Platform, Proc
from devstack.probes import admin_ready, health_status

__all__ = [
    "Platform",
    "Proc",
    "StartupError",
    "admin_ready",
    "health_status",
    "implemented",
    "load_topology",
    "parse_replicas",
    "runnable",
    "start_order",
]
