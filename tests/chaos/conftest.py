"""The platform the chaos tests load through the edge: identity x1, marketplace x2, their sidecars and
the edge Envoy, started by the launcher's own code (`devstack.Platform`) on free ports, with the
test run's database and a Redis prefix of its own. It stops only what it started."""

from __future__ import annotations

import uuid

import pytest
import yaml

KEEP = {"identity": 1, "marketplace": 2}


@pytest.fixture(scope="session")
def edge_platform(tmp_path_factory, database_url, redis_url, master_keys):
    from devstack import Platform, ports
    from topology import model as topology_module

    root = tmp_path_factory.mktemp("chaos-edge")
    raw = yaml.safe_load(topology_module.DEFAULT_PATH.read_text())
    raw["services"] = {n: s for n, s in raw["services"].items() if n in KEEP}
    for service in raw["services"].values():
        service["callers"] = [c for c in service["callers"] if c == "edge" or c in KEEP]
        service["calls"] = [c for c in service["calls"] if c in KEEP]
    # An armed fault (0 %): test_slow_dependency switches it on through marketplace's sidecars' admin.
    raw["services"]["marketplace"]["fault"] = {"delay": "2s", "percent": 0}
    # One test client offers up to 200 rps: above the edge's per-caller limit, which is not under test here.
    raw["edge"]["rate_limits"]["default"] = {"tokens": 2000, "per_seconds": 1}
    (root / "source.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    topology = ports.relocated_copy(root / "topology.yaml", root / "source.yaml", replicas=KEEP)
    platform = Platform(root / "state", topology, start_timeout=240, mail_sink_port=ports.free_block(1))
    platform.use_data(database_url, redis_url, master_keys)
    prefix = f"test:chaos:{uuid.uuid4().hex[:10]}:"
    platform.env.update({"IWORKZ_REDIS_PREFIX": prefix, "IWORKZ_DRAIN_SECONDS": "1"})
    try:
        platform.start(edge=True)
        yield platform
    finally:
        platform.stop()
        import redis

        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=prefix + "*", count=1000):
            client.delete(key)
        client.close()
