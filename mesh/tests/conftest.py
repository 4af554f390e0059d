"""The local mesh under test: real service processes behind real sidecar Envoys.

`mesh_platform` runs identity and marketplace with two replicas each, every
replica behind its sidecar, on a copy of `mesh/topology.yaml` moved to free
ports (so a running `make up` is never in the way), with the launcher's own
code (`services.launcher.Platform`). It stops only the processes it started.
"""

from __future__ import annotations

import uuid

import pytest

from mesh import ports
from services.launcher import Platform

REPLICAS = {"identity": 2, "marketplace": 2}


@pytest.fixture(scope="session")
def mesh_platform(tmp_path_factory, database_url, redis_url, master_keys):
    """identity ×2 and marketplace ×2, each replica behind its sidecar (no edge)."""
    root = tmp_path_factory.mktemp("mesh")
    topology = ports.relocated_copy(root / "topology.yaml", replicas=REPLICAS)
    platform = Platform(root / "state", topology, start_timeout=180)
    platform.use_data(database_url, redis_url, master_keys)
    prefix = f"test:mesh:{uuid.uuid4().hex[:10]}:"
    platform.env.update({"IWORKZ_REDIS_PREFIX": prefix, "IWORKZ_DRAIN_SECONDS": "1"})
    try:
        platform.start(edge=False)
        yield platform
    finally:
        platform.stop()
        import redis

        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=prefix + "*", count=1000):
            client.delete(key)
        client.close()
