"""What `make up` runs: the topology with replica overrides, without services not written yet, in start order."""

from __future__ import annotations

from collections.abc import Iterable

import topology as mesh_topology
from devstack.console import StartupError, say
from services import registry


def parse_replicas(items: Iterable[str]) -> dict[str, int]:
    """`["marketplace=3", "identity=2,x=1"]` -> {"marketplace": 3, "identity": 2, "x": 1}."""
    counts: dict[str, int] = {}
    for item in items:
        for part in filter(None, (p.strip() for p in item.split(","))):
            name, _, count = part.partition("=")
            try:
                counts[name.strip()] = int(count)
            except ValueError:
                raise StartupError(f"replica count {part!r} is not NAME=N") from None
    return counts


def start_order(topology: mesh_topology.Topology) -> list[str]:
    """Services with the ones they call first (topology order where there is no dependency)."""
    order: list[str] = []

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in order or name in trail:
            return  # done, or a call cycle: start order cannot help, health checks will
        for callee in topology.services[name].calls:
            visit(callee, trail + (name,))
        order.append(name)

    for name in topology.services:
        visit(name, ())
    return order


def implemented(name: str, topology: mesh_topology.Topology | None = None) -> bool:
    """Whether the service's main module exists (the topology may list services still to come)."""
    return registry.implemented(name, topology)


def runnable(topology: mesh_topology.Topology) -> mesh_topology.Topology:
    """The topology without the services that have no code here yet (and without calls to them)."""
    missing = [name for name in topology.services if not implemented(name, topology)]
    if not missing:
        return topology
    say(f"not started (not implemented yet): {', '.join(missing)}")
    return topology.without(missing)


def load_topology(path: str, replicas: dict[str, int]) -> mesh_topology.Topology:
    try:
        topology = mesh_topology.load(path)
        unknown = sorted(set(replicas) - set(topology.services))
        if unknown:
            raise StartupError(f"--replicas names no service of the topology: {', '.join(unknown)}")
        topology = topology.with_replicas(replicas)
    except mesh_topology.TopologyError as err:
        raise StartupError(f"{path}: {err}") from None
    return runnable(topology)
