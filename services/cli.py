"""Operator commands: `iworkz migrate | create-admin | keys | events | backup | restore`.

Configuration comes from the same environment variables the services read
(DATABASE_URL, REDIS_URL, IWORKZ_REDIS_PREFIX, IWORKZ_MASTER_KEYS); with `make up`
running, `source .iworkz/env` sets them. The services are those of the topology
that have code here (`services.registry`). Exit status: 0 done, 1 failed (the
message says why), 2 bad usage. Loading the demo data is the dev stack's
(`make demo`, `python -m devstack.demo`).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from typing import TYPE_CHECKING

import psycopg

from services import registry
from services.runtime.errors import AlreadyExists
from services.runtime.server import ServiceSpec

if TYPE_CHECKING:
    from services.identity.store import User


class CommandError(Exception):
    """A failure explained to the operator; the command exits with status 1."""


def _env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise CommandError(f"{name} is not set (with `make up` running: source .iworkz/env)")
    return value


def service_spec(name: str) -> ServiceSpec:
    """The ServiceSpec of a service, from `services/<name>/main.py`."""
    try:
        return registry.spec(name)
    except LookupError as err:
        raise CommandError(str(err)) from None


def _services(choice: str) -> list[str]:
    return registry.names() if choice == "all" else [choice]


# --- migrate -------------------------------------------------------------------


async def migrate_service(database_url: str, name: str) -> list[str]:
    """Apply the runtime's and the service's pending migrations to its schema."""
    from services.runtime.migrations import RUNTIME_MIGRATIONS, migrate

    spec = service_spec(name)
    return await migrate(database_url, spec.name, [("runtime", RUNTIME_MIGRATIONS), (spec.name, spec.migrations)])


async def _cmd_migrate(args) -> None:
    url = _env("DATABASE_URL")
    for name in _services(args.service):
        applied = await migrate_service(url, name)
        print(f"{name}: " + (", ".join(applied) if applied else "up to date"))


# --- create-admin --------------------------------------------------------------


def check_admin_input(email: str, display_name: str, password: str) -> None:
    """Apply the sign-up contract's rules (email, 12+ character password, name) to an admin."""
    import protovalidate

    from iworkz.identity.v1 import identity_pb2

    request = identity_pb2.SignUpRequest(
        email=email, password=password, display_name=display_name, account_type=identity_pb2.ACCOUNT_TYPE_WORKER
    )
    problems = [
        f"{v.proto.field.elements[0].field_name if v.proto.field else 'request'}: {v.proto.message}"
        for v in protovalidate.Validator().collect_violations(request)
    ]
    if problems:
        raise CommandError("invalid admin account:\n  - " + "\n  - ".join(problems))


async def create_admin(database_url: str, email: str, display_name: str, password: str, actor: str = "") -> User:
    """Create an administrator directly in identity's tables; return the user row.

    Sign-up never creates admins, so this is the only way to make the first
    one. Migrates identity first. Raises AlreadyExists if the email is taken.
    """
    from iworkz.auth.v1 import access_pb2
    from iworkz.identity.v1 import events_pb2
    from services.identity import store
    from services.identity.domain import passwords
    from services.runtime import outbox
    from services.runtime.db import Database

    email = email.strip().lower()
    display_name = display_name.strip()
    check_admin_input(email, display_name, password)
    await migrate_service(database_url, "identity")
    db = Database(database_url, "identity", min_size=1, max_size=1)
    await db.open()
    try:
        async with db.transaction() as conn:
            user = await store.insert_user(
                conn, email, passwords.hash_password(password), display_name, ["admin"], email_verified=True
            )
            name = f"users/{user.id}"
            await outbox.emit(
                conn,
                "identity",
                "user",
                str(user.id),
                events_pb2.UserSignedUp(
                    user=name,
                    email=email,
                    roles=[access_pb2.ROLE_ADMIN],
                    locale=user.locale,
                    display_name=display_name,
                ),
            )
            await outbox.audit(conn, actor or f"operator:{getpass.getuser()}", "create_admin", name)
        return user
    finally:
        await db.close()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CommandError("no terminal to prompt for a password; use --password-stdin")
    first = getpass.getpass("Password (12+ characters): ")
    if getpass.getpass("Repeat password: ") != first:
        raise CommandError("the passwords do not match")
    return first


async def _cmd_create_admin(args) -> None:
    url = _env("DATABASE_URL")
    password = _read_password(args.password_stdin)
    try:
        user = await create_admin(url, args.email, args.display_name, password)
    except AlreadyExists:
        raise CommandError(f"an account with email {args.email.strip().lower()} already exists") from None
    print(f"created admin users/{user.id} ({user.email})")


# --- keys ----------------------------------------------------------------------


async def _with_service_db(name: str, action):
    from services.runtime.db import Database

    url = _env("DATABASE_URL")
    # Fail in seconds, not after the pool's 30 s, when the server is unreachable.
    await (await psycopg.AsyncConnection.connect(url, connect_timeout=5)).close()
    db = Database(url, service_spec(name).name, min_size=1, max_size=1)
    await db.open()
    try:
        return await action(db)
    except psycopg.errors.UndefinedTable:
        raise CommandError(f"{name} has no data_keys table yet; run `iworkz migrate --service {name}`") from None
    finally:
        await db.close()


async def _cmd_rotate(args) -> None:
    from services.runtime import datakeys

    masters = _env("IWORKZ_MASTER_KEYS")
    for name in _services(args.service):
        key_id = await _with_service_db(name, lambda db: datakeys.rotate_data_key(db, masters))
        print(f"{name}: new data key {key_id}")
    print("Running replicas reload their data keys within 15 seconds; new writes then use the new key.")


async def _cmd_rewrap(args) -> None:
    from services.runtime import datakeys

    masters = _env("IWORKZ_MASTER_KEYS")
    for name in _services(args.service):
        changed = await _with_service_db(name, lambda db: datakeys.rewrap(db, masters))
        print(f"{name}: re-wrapped {changed} data key(s) under the first master key")


# --- events ----------------------------------------------------------------------


async def _with_redis(action):
    import redis.exceptions

    from services.runtime.redisconn import RedisClient

    client = RedisClient(_env("REDIS_URL"), os.environ.get("IWORKZ_REDIS_PREFIX", "iworkz:"))
    try:
        return await action(client)
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as err:
        raise CommandError(f"cannot reach Redis at REDIS_URL ({err})") from None
    finally:
        await client.close()


def describe_dead_letter(letter) -> str:
    """One dead letter, for a terminal: ids, type, where from, who gave up, why."""
    import datetime

    when = datetime.datetime.fromtimestamp(letter.failed_at, datetime.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return (
        f"{letter.entry_id}  event {letter.event_id}  {letter.event_type}\n"
        f"    from {letter.source_stream} ({letter.source_entry_id}), consumer {letter.consumer}, "
        f"{letter.attempts} attempt(s), failed {when}\n"
        f"    error: {letter.error}"
    )


async def _cmd_dead_letters_list(args) -> None:
    from services.runtime import deadletters

    letters = await _with_redis(lambda r: deadletters.list_dead_letters(r, args.limit))
    if not letters:
        print("no dead letters")
        return
    print(f"{len(letters)} dead letter(s), oldest first:")
    for letter in letters:
        print(describe_dead_letter(letter))


async def _cmd_dead_letters_replay(args) -> None:
    from services.runtime import deadletters

    replayed = await _with_redis(lambda r: deadletters.replay(r, args.id))
    for letter, new_id in replayed:
        print(f"{letter.entry_id} (event {letter.event_id}) -> {letter.source_stream} {new_id}")
    missing = set(args.id or ()) - {x for letter, _ in replayed for x in (letter.entry_id, letter.event_id)}
    print(f"replayed {len(replayed)} dead letter(s)")
    if missing:
        raise CommandError("no dead letter with id " + ", ".join(sorted(missing)))


# --- backup and restore ----------------------------------------------------------------


async def _cmd_backup(args) -> None:
    import pathlib

    from services import backup

    summary = backup.backup(_env("DATABASE_URL"), pathlib.Path(args.out), backup.backup_key()[0])
    m = summary.manifest
    print(
        f"backed up {m['database']} (PostgreSQL {m['server_version']}): {len(m['row_counts'])} tables, "
        f"{summary.rows} rows, {m['files'][backup.DUMP]['bytes']} bytes sealed with key {m['encryption']['key_id']}"
    )
    print(f"  {summary.directory / backup.MANIFEST}")
    print("Keep apart from it: " + "; ".join(m["keep_elsewhere"]))


async def _cmd_restore(args) -> None:
    import pathlib

    from services import backup

    summary = backup.restore(_env("DATABASE_URL"), pathlib.Path(args.source), backup.backup_key(), args.replace)
    m = summary.manifest
    print(f"restored the backup of {m['created_at']}: {len(m['row_counts'])} tables, {summary.rows} rows, counts match")


# --- entry point ---------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="iworkz", description="iWORKZ operator commands.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    service_choices = [*registry.names(), "all"]

    p = commands.add_parser("migrate", help="apply database migrations (DATABASE_URL)")
    p.add_argument("--service", choices=service_choices, default="all")
    p.set_defaults(run=_cmd_migrate)

    p = commands.add_parser("create-admin", help="create an administrator account (DATABASE_URL)")
    p.add_argument("--email", required=True)
    p.add_argument("--display-name", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(run=_cmd_create_admin)

    keys = commands.add_parser("keys", help="field-encryption key management (IWORKZ_MASTER_KEYS)")
    key_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    p = key_commands.add_parser("rotate-data-key", help="new data key; running replicas switch to it within 15 s")
    p.add_argument("--service", choices=service_choices, required=True)
    p.set_defaults(run=_cmd_rotate)
    p = key_commands.add_parser("rewrap", help="re-wrap every data key under the first master key")
    p.add_argument("--service", choices=service_choices, required=True)
    p.set_defaults(run=_cmd_rewrap)

    events = commands.add_parser("events", help="the event streams (REDIS_URL, IWORKZ_REDIS_PREFIX)")
    event_commands = events.add_subparsers(dest="events_command", required=True, metavar="WHAT")
    dead = event_commands.add_parser("dead-letters", help="events consumers gave up on")
    dead_commands = dead.add_subparsers(dest="dead_letters_command", required=True, metavar="ACTION")
    p = dead_commands.add_parser("list", help="show dead letters with their errors, oldest first")
    p.add_argument("--limit", type=int, default=100)
    p.set_defaults(run=_cmd_dead_letters_list)
    p = dead_commands.add_parser("replay", help="put dead letters (default: all) back on their source streams")
    p.add_argument(
        "--id", action="append", metavar="ID", help="only this one: dead-letter entry id or event id (repeatable)"
    )
    p.set_defaults(run=_cmd_dead_letters_replay)

    p = commands.add_parser("backup", help="encrypted pg_dump with a manifest (DATABASE_URL, IWORKZ_BACKUP_KEY)")
    p.add_argument("--out", required=True, metavar="DIR", help="a new or empty directory")
    p.set_defaults(run=_cmd_backup)
    p = commands.add_parser(
        "restore", help="restore a backup and check its row counts (DATABASE_URL, IWORKZ_BACKUP_KEY)"
    )
    p.add_argument("source", metavar="DIR", help="a directory written by `iworkz backup`")
    p.add_argument("--replace", action="store_true", help="drop the backup's schemas from the database first")
    p.set_defaults(run=_cmd_restore)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from services.backup import BackupError
    from services.runtime.fieldcrypt import CryptoError
    from services.runtime.migrations import MigrationError

    try:
        asyncio.run(args.run(args))
    except CommandError as err:
        print(f"iworkz {args.command}: {err}", file=sys.stderr)
        return 1
    except (CryptoError, MigrationError, BackupError) as err:
        print(f"iworkz {args.command}: {err}", file=sys.stderr)
        return 1
    except (psycopg.OperationalError, psycopg.errors.InsufficientPrivilege) as err:
        print(f"iworkz {args.command}: database error: {str(err).strip()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
