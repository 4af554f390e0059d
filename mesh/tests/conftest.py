"""The local mesh under test: real service processes behind real sidecar Envoys.

`mesh_platform` runs identity and marketplace with two replicas each, every
replica behind its sidecar, on a copy of `mesh/topology.yaml` moved to free
ports (so a running `make up` is never in the way), with the launcher's own
code (`devstack.Platform`). It stops only the processes it started.
"""

from __future__ import annotations

import pytest
from mesh_probes import running_platform

REPLICAS = {"identity": 2, "marketplace": 2}


@pytest.fixture(scope="session")
def mesh_platform(tmp_path_factory, database_url, redis_url, master_keys):
    """identity ×2 and marketplace ×2, each replica behind its sidecar (no edge)."""
    with running_platform(
        tmp_path_factory.mktemp("mesh"), REPLICAS, database_url, redis_url, master_keys, "mesh", edge=False
    ) as platform:
        yield platform
