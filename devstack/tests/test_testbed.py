"""`python -m devstack.testbed`'s topology: free ports, only the services asked for, the extra
CORS origin, and sign-up/login limits raised (the front-end suites' platform; they run it for real)."""

from __future__ import annotations

import pytest

import topology as mesh_topology
from devstack.console import StartupError
from devstack.testbed import topology_copy


def test_copy_has_the_services_asked_for_on_other_ports(tmp_path):
    default = mesh_topology.load()
    copy = topology_copy(tmp_path / "t.yaml", ["identity", "marketplace"], ["http://127.0.0.1:41234"])
    assert set(copy.services) == {"identity", "marketplace"}
    assert list(copy.services["marketplace"].calls) == ["identity"]
    assert list(copy.services["identity"].callers) == ["edge", "marketplace"]
    assert copy.edge.port != default.edge.port
    assert copy.services["identity"].port("app", 0) != default.services["identity"].port("app", 0)
    assert all(s.replicas == 1 for s in copy.services.values())
    assert "http://127.0.0.1:41234" in copy.edge.cors_origins
    assert set(default.edge.cors_origins) <= set(copy.edge.cors_origins)
    for limit in copy.edge.rate_limits.methods.values():
        assert limit.tokens == 10_000


def test_unknown_service_is_refused(tmp_path):
    with pytest.raises(StartupError, match="nosuch"):
        topology_copy(tmp_path / "t.yaml", ["identity", "nosuch"], [])
