"""Ordered SQL migrations, one schema per service.

Each component (the runtime's shared tables, then the service's own) keeps
files named `NNNN_description.sql`. Applied versions are recorded with a
checksum in `<schema>.schema_migrations`; an applied file that changed is an
error, never silently re-run. An advisory lock makes concurrent replicas
starting together apply each migration once.
"""

from __future__ import annotations

import hashlib
import pathlib
import re
from dataclasses import dataclass

import psycopg
from psycopg import sql

RUNTIME_MIGRATIONS = pathlib.Path(__file__).parent / "migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    component: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load(component: str, directory: pathlib.Path) -> list[Migration]:
    """Read a component's migrations in version order; bad names are an error."""
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path}: migration files are named NNNN_description.sql")
        found.append(Migration(component, int(match[1]), match[2], path.read_text()))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"{directory}: duplicate migration versions")
    return found


async def migrate(url: str, schema: str, components: list[tuple[str, pathlib.Path]]) -> list[str]:
    """Apply pending migrations; return the ones applied (`component/NNNN_name`)."""
    plan = [m for component, directory in components for m in load(component, directory)]
    applied_now: list[str] = []
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"iworkz.migrate.{schema}",))
        try:
            await conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            table = sql.Identifier(schema, "schema_migrations")
            await conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (component text NOT NULL, version int NOT NULL,"
                    " name text NOT NULL, checksum text NOT NULL,"
                    " applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))"
                ).format(table)
            )
            cur = await conn.execute(sql.SQL("SELECT component, version, checksum FROM {}").format(table))
            done = {(c, v): s for c, v, s in await cur.fetchall()}
            for m in plan:
                key = (m.component, m.version)
                if key in done:
                    if done[key] != m.checksum:
                        raise MigrationError(
                            f"{m.component}/{m.version:04d}_{m.name} was changed after it was applied;"
                            " add a new migration instead"
                        )
                    continue
                async with conn.transaction():
                    await conn.execute(sql.SQL("SET LOCAL search_path TO {}, public").format(sql.Identifier(schema)))
                    await conn.execute(m.sql.encode())
                    await conn.execute(
                        sql.SQL("INSERT INTO {} (component, version, name, checksum) VALUES (%s, %s, %s, %s)").format(
                            table
                        ),
                        (m.component, m.version, m.name, m.checksum),
                    )
                applied_now.append(f"{m.component}/{m.version:04d}_{m.name}")
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (f"iworkz.migrate.{schema}",))
    return applied_now
