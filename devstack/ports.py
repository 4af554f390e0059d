"""Copies of the topology on free loopback ports (tests and the benchmark).

The ports in `mesh/topology.yaml` are those of `make up`; a test or a
benchmark that runs next to it uses a copy of the same topology whose ports
are moved to a free block, so the two never collide.
"""

from __future__ import annotations

import copy
import pathlib
import random
import socket

import yaml

import topology as topology_module

# Below Linux's ephemeral range (32768-60999), so outgoing connections never take these ports.
_LOW, _HIGH = 20000, 32000


def port_free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:`port` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # As servers bind: a port with only TIME_WAIT connections left on it is free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_block(size: int, rng: random.Random | None = None) -> int:
    """The first port of `size` consecutive ports that are free on 127.0.0.1 now."""
    rng = rng or random.SystemRandom()
    for _ in range(200):
        base = rng.randrange(_LOW, _HIGH - size)
        if all(port_free(p) for p in range(base, base + size)):
            return base
    raise RuntimeError(f"no {size} consecutive free ports between {_LOW} and {_HIGH}")


def relocate(raw: dict, replicas: dict[str, int] | None = None, headroom: int = 4) -> dict:
    """A copy of a raw topology (the YAML as a dict) with every port moved to one free block.

    `replicas` changes replica counts; each service gets room for at least
    `headroom` replicas per port kind, so counts can still be raised.
    """
    raw = copy.deepcopy(raw)
    for name, count in (replicas or {}).items():
        raw["services"][name]["replicas"] = count
    width = max([headroom, *(int(s["replicas"]) for s in raw["services"].values())])
    kinds = sorted({k for s in raw["services"].values() for k in s["ports"]})
    size = 3 + len(raw["services"]) * len(kinds) * width
    base = free_block(size)
    raw["edge"]["port"], raw["edge"]["admin_port"] = base, base + 1
    if raw.get("web"):
        raw["web"]["port"] = base + 2
    next_port = base + 3
    for service in raw["services"].values():
        for kind in kinds:
            if kind in service["ports"]:
                service["ports"][kind] = next_port
            next_port += width
    return raw


def relocated_copy(
    out: pathlib.Path, source: pathlib.Path = topology_module.DEFAULT_PATH, replicas: dict[str, int] | None = None
) -> topology_module.Topology:
    """Write a relocated copy of the topology file to `out` and return it loaded."""
    raw = relocate(yaml.safe_load(pathlib.Path(source).read_text()), replicas)
    out.write_text(yaml.safe_dump(raw, sort_keys=False))
    return topology_module.load(out)
