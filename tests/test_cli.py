"""The operator CLI (`iworkz`): exit codes, messages, and what each command changes."""

from __future__ import annotations

import asyncio
import io
import uuid

import psycopg
import pytest

from devstack.embedded import create_database, drop_database
from iworkz.auth.v1 import access_pb2
from iworkz.sdk import Client
from services import cli
from services.runtime.fieldcrypt import new_master_key_spec


def run_cli(monkeypatch, *argv: str, stdin: str = "", **env: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    for name in ("DATABASE_URL", "IWORKZ_MASTER_KEYS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return cli.main(list(argv))


@pytest.fixture
def scratch_database(server_urls):
    """A database of its own, for commands that change keys other tests rely on."""
    name = f"iworkz_cli_{uuid.uuid4().hex[:10]}"
    yield create_database(server_urls[0], name)
    drop_database(server_urls[0], name)


async def test_create_admin_makes_an_admin_who_can_log_in(identity_service, database_url, monkeypatch, capsys):
    email = f"ops-{uuid.uuid4().hex[:6]}@example.com"
    argv = ("create-admin", "--email", email.upper(), "--display-name", "Ops", "--password-stdin")
    code = await asyncio.to_thread(
        run_cli, monkeypatch, *argv, stdin="long enough password\n", DATABASE_URL=database_url
    )
    assert code == 0, capsys.readouterr().err
    assert f"({email})" in capsys.readouterr().out

    async with Client(identity_service.target) as client:
        login = await client.login(email, "long enough password")
    assert list(login.user.roles) == [access_pb2.ROLE_ADMIN]

    code = await asyncio.to_thread(
        run_cli, monkeypatch, *argv, stdin="long enough password\n", DATABASE_URL=database_url
    )
    assert code == 1
    assert f"an account with email {email} already exists" in capsys.readouterr().err

    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        audit = await (
            await conn.execute("SELECT action FROM identity.audit_log WHERE target = %s", (login.user.name,))
        ).fetchall()
    assert audit == [("create_admin",)]


def test_create_admin_rejects_bad_input_and_changes_nothing(database_url, monkeypatch, capsys):
    code = run_cli(
        monkeypatch,
        "create-admin",
        "--email",
        "not-an-email",
        "--display-name",
        "X",
        "--password-stdin",
        stdin="short\n",
        DATABASE_URL=database_url,
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "email" in err and "password: must be at least 12 characters" in err


def test_create_admin_without_a_terminal_asks_for_password_stdin(database_url, monkeypatch, capsys):
    code = run_cli(
        monkeypatch, "create-admin", "--email", "a@example.com", "--display-name", "A", DATABASE_URL=database_url
    )
    assert code == 1
    assert "--password-stdin" in capsys.readouterr().err


def test_missing_configuration_is_named(monkeypatch, capsys):
    assert run_cli(monkeypatch, "migrate") == 1
    assert "DATABASE_URL is not set" in capsys.readouterr().err


def test_bad_usage_exits_2(monkeypatch):
    with pytest.raises(SystemExit) as exit_:
        run_cli(monkeypatch, "migrate", "--service", "nope")
    assert exit_.value.code == 2


def test_migrate_every_service_twice(scratch_database, monkeypatch, capsys):
    assert run_cli(monkeypatch, "migrate", DATABASE_URL=scratch_database) == 0
    first = capsys.readouterr().out
    assert "identity: runtime/0001_outbox" in first and "marketplace: " in first
    assert run_cli(monkeypatch, "migrate", "--service", "all", DATABASE_URL=scratch_database) == 0
    assert capsys.readouterr().out.splitlines() == [
        "identity: up to date",
        "marketplace: up to date",
        "notifications: up to date",
        "credentials: up to date",
        "matching: up to date",
        "agent: up to date",
        "voice: up to date",
    ]


def test_keys_rotate_and_rewrap(scratch_database, monkeypatch, capsys):
    old, new = new_master_key_spec("old"), new_master_key_spec("new")
    assert (
        run_cli(
            monkeypatch,
            "keys",
            "rotate-data-key",
            "--service",
            "identity",
            DATABASE_URL=scratch_database,
            IWORKZ_MASTER_KEYS=old,
        )
        == 1
    )
    assert "iworkz migrate --service identity" in capsys.readouterr().err

    assert run_cli(monkeypatch, "migrate", "--service", "identity", DATABASE_URL=scratch_database) == 0
    for _ in range(2):
        assert (
            run_cli(
                monkeypatch,
                "keys",
                "rotate-data-key",
                "--service",
                "identity",
                DATABASE_URL=scratch_database,
                IWORKZ_MASTER_KEYS=old,
            )
            == 0
        )
    assert capsys.readouterr().out.count("identity: new data key") == 2

    assert (
        run_cli(
            monkeypatch,
            "keys",
            "rewrap",
            "--service",
            "identity",
            DATABASE_URL=scratch_database,
            IWORKZ_MASTER_KEYS=f"{new},{old}",
        )
        == 0
    )
    assert "re-wrapped 2 data key(s)" in capsys.readouterr().out
    assert (
        run_cli(
            monkeypatch,
            "keys",
            "rewrap",
            "--service",
            "identity",
            DATABASE_URL=scratch_database,
            IWORKZ_MASTER_KEYS=new,
        )
        == 0
    )
    assert "re-wrapped 0 data key(s)" in capsys.readouterr().out
    with psycopg.connect(scratch_database) as conn:
        masters = conn.execute("SELECT DISTINCT master_key_id FROM identity.data_keys").fetchall()
    assert masters == [("new",)]

    # The old master key alone can no longer unwrap anything.
    assert (
        run_cli(
            monkeypatch,
            "keys",
            "rewrap",
            "--service",
            "identity",
            DATABASE_URL=scratch_database,
            IWORKZ_MASTER_KEYS=old,
        )
        == 1
    )
    assert "master key 'new'" in capsys.readouterr().err
