"""`iworkz backup` / `iworkz restore`: the database, encrypted, with a manifest.

A backup is a directory:

- `database.dump.sealed` — `pg_dump --format=custom` of the whole database
  (every service's schema), made by the pg_dump whose major version is the
  server's, sealed with AES-256-GCM in authenticated chunks
  (`runtime/filecrypt.py`) under `IWORKZ_BACKUP_KEY` (`id:base64-32-bytes`;
  several, comma-separated, to restore older backups; the first seals);
- `manifest.json` — when, from which server and tool, the key id, the SHA-256
  and size of the sealed file and of the plain dump, and the row count of
  every table. The counts and the dump come from one exported snapshot, so
  they agree even while the services keep writing.

`restore` checks the sealed file against the manifest, decrypts it (every
chunk authenticated, the plain dump's checksum compared), refuses a database
that already holds the backup's schemas unless `--replace` (which drops them
first), runs pg_restore of the server's major version, and compares every
table's row count with the manifest.

Not in the backup, and needed to use it (keep them apart from it):
`IWORKZ_MASTER_KEYS` (every master key that wraps a data key in the backup:
without them the personal fields do not decrypt), `IWORKZ_BACKUP_KEY`, the
chain account key that anchors credentials (`CREDENTIALS_CHAIN_PRIVATE_KEY`)
and the chain itself (the anchors are on it; its RPC URL and the registry's
address, `CREDENTIALS_ANCHOR_CONTRACT`). Issuers' DID signing keys, workers'
wallet keys and identity's token signing keys are rows of the dump, their
private halves encrypted under the master keys: the backup restores them only
with those master keys. Redis holds only derived state (caches, event streams
whose effects are in the database, rate counters).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from services.runtime import filecrypt
from services.runtime.fieldcrypt import MasterKey, parse_master_keys

FORMAT = "iworkz-backup/1"
DUMP = "database.dump.sealed"
MANIFEST = "manifest.json"
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why."""


def _sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- the server's own tools ------------------------------------------------------


def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    match = re.search(r"\) (\d+)", out)
    return int(match.group(1)) if match else None


def _candidates(name: str, major: int) -> list[str]:
    found: list[str] = []
    if os.environ.get("IWORKZ_PG_BINDIR"):
        found.append(os.path.join(os.environ["IWORKZ_PG_BINDIR"], name))
    found.append(f"/usr/lib/postgresql/{major}/bin/{name}")
    import importlib.util

    wheel = importlib.util.find_spec("pgserver")  # the embedded server's own binaries (PostgreSQL 16)
    if wheel is not None and wheel.submodule_search_locations:
        found.append(str(pathlib.Path(list(wheel.submodule_search_locations)[0]) / "pginstall" / "bin" / name))
    on_path = shutil.which(name)
    if on_path:
        found.append(on_path)
    return found


def pg_tool(name: str, major: int) -> str:
    """The path of `name` (pg_dump, pg_restore) of PostgreSQL major version `major`."""
    for path in _candidates(name, major):
        if os.access(path, os.X_OK) and _tool_major(path) == major:
            return path
    raise BackupError(
        f"no {name} of PostgreSQL {major} (the server's version) found; set IWORKZ_PG_BINDIR to its bin directory"
    )


def _server_major(conn: psycopg.Connection[Any]) -> tuple[int, str]:
    row = conn.execute(
        "SELECT current_setting('server_version_num')::int, current_setting('server_version')"
    ).fetchone()
    assert row is not None
    return row[0] // 10000, row[1]


# --- counting -----------------------------------------------------------------------


def row_counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    """Exact row count of every table outside the system schemas, by `schema.table`."""
    tables = conn.execute(
        "SELECT table_schema, table_name FROM information_schema.tables"
        " WHERE table_type = 'BASE TABLE' AND table_schema <> ALL(%s) AND table_schema NOT LIKE 'pg_temp%%'"
        " ORDER BY 1, 2",
        (list(SYSTEM_SCHEMAS),),
    ).fetchall()
    counts = {}
    for schema, table in tables:
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
        counts[f"{schema}.{table}"] = row.fetchone()[0]  # type: ignore[index]
    return counts


# --- backup ----------------------------------------------------------------------------


@dataclass
class Summary:
    directory: pathlib.Path
    manifest: dict[str, Any]

    @property
    def rows(self) -> int:
        return sum(self.manifest["row_counts"].values())


def backup(database_url: str, directory: pathlib.Path, key: MasterKey) -> Summary:
    """Dump the database into `directory` (created; must be empty), sealed under `key`."""
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty")
    with psycopg.connect(database_url, autocommit=True, connect_timeout=10) as conn:
        major, version = _server_major(conn)
        dump_tool = pg_tool("pg_dump", major)
        # One snapshot for the counts and the dump.
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        counts = row_counts(conn)
        database = conn.info.dbname
        with tempfile.TemporaryDirectory(prefix="iworkz-backup-") as scratch:
            plain = pathlib.Path(scratch) / "database.dump"
            result = subprocess.run(
                [dump_tool, "--format=custom", f"--snapshot={snapshot}", f"--file={plain}", f"--dbname={database_url}"],
                capture_output=True,
                text=True,
            )
            conn.execute("COMMIT")
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
            sealed = directory / DUMP
            with plain.open("rb") as source, sealed.open("wb") as target:
                plain_sha = filecrypt.seal(source, target, key)
            plain_bytes = plain.stat().st_size
    manifest = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": database,
        "server_version": version,
        "pg_dump": subprocess.run([dump_tool, "--version"], capture_output=True, text=True).stdout.strip(),
        "encryption": {"algorithm": "AES-256-GCM, 1 MiB chunks", "key_id": key.id},
        "files": {DUMP: {"sha256": _sha256(sealed), "bytes": sealed.stat().st_size}},
        "dump": {"sha256": plain_sha, "bytes": plain_bytes},
        "schemas": sorted({name.split(".")[0] for name in counts}),
        "row_counts": counts,
        "keep_elsewhere": [
            "IWORKZ_MASTER_KEYS: every master key wrapping a data key in this backup",
            f"IWORKZ_BACKUP_KEY: key {key.id}, which sealed this backup",
            "CREDENTIALS_CHAIN_PRIVATE_KEY: the account that anchors credential batches on the chain",
            "DID, wallet and token signing keys are in the dump, encrypted under the master keys",
        ],
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return Summary(directory, manifest)


# --- restore --------------------------------------------------------------------------


def read_manifest(directory: pathlib.Path) -> dict[str, Any]:
    """The manifest, with the sealed file checked against its size and checksum."""
    path = directory / MANIFEST
    if not path.exists():
        raise BackupError(f"{directory} holds no {MANIFEST}")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not an {FORMAT} manifest")
    for name, expected in manifest["files"].items():
        file = directory / name
        if not file.exists():
            raise BackupError(f"{name} is missing")
        if file.stat().st_size != expected["bytes"] or _sha256(file) != expected["sha256"]:
            raise BackupError(f"{name} does not match its checksum in the manifest")
    return manifest


def restore(database_url: str, directory: pathlib.Path, keys: list[MasterKey], replace: bool = False) -> Summary:
    """Restore a backup into the database of `database_url`; raise BackupError if anything differs."""
    manifest = read_manifest(directory)
    with psycopg.connect(database_url, autocommit=True, connect_timeout=10) as conn:
        major, _ = _server_major(conn)
        restore_tool = pg_tool("pg_restore", major)
        present = [
            r[0]
            for r in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s) AND nspname <> 'public'",
                (manifest["schemas"],),
            ).fetchall()
        ]
        with tempfile.TemporaryDirectory(prefix="iworkz-restore-") as scratch:
            plain = pathlib.Path(scratch) / "database.dump"
            with (directory / DUMP).open("rb") as source, plain.open("wb") as target:
                plain_sha = filecrypt.open_sealed(source, target, keys)
            if plain_sha != manifest["dump"]["sha256"]:
                raise BackupError("the decrypted dump does not match its checksum in the manifest")
            if present and not replace:
                raise BackupError(
                    "the database already holds " + ", ".join(sorted(present)) + "; --replace drops them first"
                )
            for schema in present:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
            result = subprocess.run(
                [
                    restore_tool,
                    "--no-owner",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={database_url}",
                    str(plain),
                ],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        counts = row_counts(conn)
    expected = manifest["row_counts"]
    differ = sorted(n for n in expected.keys() | counts.keys() if expected.get(n) != counts.get(n))
    if differ:
        raise BackupError(
            "row counts differ after the restore: "
            + ", ".join(f"{n} {expected.get(n)} != {counts.get(n)}" for n in differ[:10])
        )
    return Summary(directory, manifest)


def backup_key(environ: dict[str, str] | None = None) -> list[MasterKey]:
    """The keys of IWORKZ_BACKUP_KEY (first seals; all open)."""
    value = (environ or os.environ).get("IWORKZ_BACKUP_KEY", "").strip()
    if not value:
        raise BackupError(
            "IWORKZ_BACKUP_KEY is not set (id:base64 of 32 random bytes, e.g. "
            "`python -c 'from services.runtime.fieldcrypt import new_master_key_spec as k; print(k(\"b1\"))'`)"
        )
    return parse_master_keys(value)
