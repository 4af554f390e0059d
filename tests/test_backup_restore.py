"""`iworkz backup` / `iworkz restore` on a real PostgreSQL: back up, drop everything, restore.

The platform's own services write the data (a worker's encrypted phone and
residence card, an employer, a job, an application); after the restore the
row counts match and the same services decrypt the personal fields again.
"""

from __future__ import annotations

import asyncio
import io
import json
import pathlib
import uuid

import psycopg
import pytest
from google.type import money_pb2

from devstack.embedded import create_database, drop_database
from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.sdk import Client
from iworkz.type.v1 import profile_types_pb2 as types
from services import cli
from services.backup import row_counts
from services.runtime import server
from services.runtime.fieldcrypt import new_master_key_spec

PASSWORD = "correct horse battery staple"
PHONE, CARD = "+818012345678", "AB12345678CD"


def run_cli(monkeypatch, *argv: str, **env: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return cli.main(list(argv))


@pytest.fixture
def own_database(server_urls):
    name = f"iworkz_backup_{uuid.uuid4().hex[:10]}"
    url = create_database(server_urls[0], name)
    yield server_urls[0], name, url
    drop_database(server_urls[0], name)


async def _fill(make_settings, url: str) -> tuple[str, str]:
    """Identity and marketplace on `url`: a worker with personal data who applied to a job."""
    from services.identity.main import SPEC as IDENTITY
    from services.marketplace.main import SPEC as MARKETPLACE

    email = f"backup-{uuid.uuid4().hex[:8]}@example.com"
    async with server.running(IDENTITY, make_settings("identity", DATABASE_URL=url)) as identity:
        async with server.running(MARKETPLACE, make_settings("marketplace", identity.target, DATABASE_URL=url)) as mkt:
            async with Client(identity.target) as account, Client(mkt.target) as worker, Client(mkt.target) as boss:
                signed = await account.sign_up(
                    email=email, password=PASSWORD, display_name="Siti", account_type=identity_pb2.ACCOUNT_TYPE_WORKER
                )
                worker.use_tokens(signed.tokens)
                name = "workers/" + signed.user.name.split("/")[1]
                await worker.marketplace.UpdateWorkerProfile(
                    mp.UpdateWorkerProfileRequest(
                        profile=mp.WorkerProfile(
                            name=name,
                            display_name="Siti",
                            phone=PHONE,
                            residence_card_number=CARD,
                            visa_status=types.VISA_STATUS_PERMANENT_RESIDENT,
                        )
                    )
                )
                employer = await account.sign_up(
                    email=f"boss-{uuid.uuid4().hex[:8]}@example.com",
                    password=PASSWORD,
                    display_name="Boss",
                    account_type=identity_pb2.ACCOUNT_TYPE_EMPLOYER,
                    organization_display_name="Kobe Foods",
                )
                boss.use_tokens(employer.tokens)
                created = await boss.marketplace.CreateJob(
                    mp.CreateJobRequest(
                        parent="employers/" + employer.organization.name.split("/")[1],
                        job=mp.Job(
                            title="Line worker",
                            description="Bento line.",
                            location=types.Location(prefecture="JP-28", city="Kobe"),
                            wage_min=money_pb2.Money(currency_code="JPY", units=1200),
                            wage_max=money_pb2.Money(currency_code="JPY", units=1400),
                            wage_period=types.WAGE_PERIOD_HOURLY,
                            employment_type=types.EMPLOYMENT_TYPE_FULL_TIME,
                            headcount=3,
                        ),
                    )
                )
                job_name = (await boss.marketplace.PublishJob(mp.PublishJobRequest(name=created.job.name))).job.name
                await worker.marketplace.CreateApplication(mp.CreateApplicationRequest(parent=job_name))
    return email, name


async def _read_profile(make_settings, url: str, email: str, name: str) -> mp.WorkerProfile:
    from services.identity.main import SPEC as IDENTITY
    from services.marketplace.main import SPEC as MARKETPLACE

    async with server.running(IDENTITY, make_settings("identity", DATABASE_URL=url)) as identity:
        async with server.running(MARKETPLACE, make_settings("marketplace", identity.target, DATABASE_URL=url)) as mkt:
            async with Client(identity.target) as account, Client(mkt.target) as worker:
                worker.use_tokens((await account.login(email, PASSWORD)).tokens)
                return (await worker.marketplace.GetWorkerProfile(mp.GetWorkerProfileRequest(name=name))).profile


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        return row_counts(conn)


async def test_backup_drop_everything_restore(own_database, make_settings, monkeypatch, capsys, tmp_path):
    server_url, db_name, url = own_database
    email, worker = await _fill(make_settings, url)
    before = _counts(url)
    assert before["marketplace.worker_profiles"] >= 1 and before["marketplace.applications"] == 1
    with psycopg.connect(url) as conn:  # the personal fields are ciphertext at rest
        [(phone, card)] = conn.execute(
            "SELECT phone_enc, residence_card_enc FROM marketplace.worker_profiles"
        ).fetchall()
    assert PHONE.encode() not in bytes(phone) and CARD.encode() not in bytes(card)

    key = new_master_key_spec("b1")
    out = tmp_path / "backup"
    code = await asyncio.to_thread(
        run_cli, monkeypatch, "backup", "--out", str(out), DATABASE_URL=url, IWORKZ_BACKUP_KEY=key
    )
    assert code == 0, capsys.readouterr().err
    assert "Keep apart from it: IWORKZ_MASTER_KEYS" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["row_counts"] == before
    sealed = (out / "database.dump.sealed").read_bytes()
    assert CARD.encode() not in sealed and b"Kobe Foods" not in sealed  # the whole dump is encrypted

    # Drop everything.
    drop_database(server_url, db_name)
    create_database(server_url, db_name)
    assert not any(n.startswith(("identity.", "marketplace.")) for n in _counts(url))

    # A wrong key and a changed file are refused, and change nothing.
    code = await asyncio.to_thread(
        run_cli, monkeypatch, "restore", str(out), DATABASE_URL=url, IWORKZ_BACKUP_KEY=new_master_key_spec("b1")
    )
    assert code == 1 and "failed authentication" in capsys.readouterr().err
    bad = tmp_path / "tampered"
    bad.mkdir()
    (bad / "manifest.json").write_text((out / "manifest.json").read_text())
    flipped = bytearray(sealed)
    flipped[len(flipped) // 2] ^= 1
    (bad / "database.dump.sealed").write_bytes(bytes(flipped))
    code = await asyncio.to_thread(run_cli, monkeypatch, "restore", str(bad), DATABASE_URL=url, IWORKZ_BACKUP_KEY=key)
    assert code == 1 and "does not match its checksum" in capsys.readouterr().err
    assert not any(n.startswith("marketplace.") for n in _counts(url))

    code = await asyncio.to_thread(run_cli, monkeypatch, "restore", str(out), DATABASE_URL=url, IWORKZ_BACKUP_KEY=key)
    assert code == 0, capsys.readouterr().err
    assert "counts match" in capsys.readouterr().out
    assert _counts(url) == before

    # The services decrypt the personal fields of the restored rows (same master keys).
    profile = await _read_profile(make_settings, url, email, worker)
    assert (profile.phone, profile.residence_card_number) == (PHONE, CARD)

    # Restoring over live schemas needs --replace.
    code = await asyncio.to_thread(run_cli, monkeypatch, "restore", str(out), DATABASE_URL=url, IWORKZ_BACKUP_KEY=key)
    assert code == 1 and "--replace" in capsys.readouterr().err
    code = await asyncio.to_thread(
        run_cli, monkeypatch, "restore", str(out), "--replace", DATABASE_URL=url, IWORKZ_BACKUP_KEY=key
    )
    assert code == 0, capsys.readouterr().err
    assert _counts(url) == before


def test_backup_needs_a_key_and_an_empty_directory(monkeypatch, capsys, tmp_path, database_url):
    monkeypatch.delenv("IWORKZ_BACKUP_KEY", raising=False)
    assert run_cli(monkeypatch, "backup", "--out", str(tmp_path / "b"), DATABASE_URL=database_url) == 1
    assert "IWORKZ_BACKUP_KEY is not set" in capsys.readouterr().err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    key = new_master_key_spec("b1")
    assert (
        run_cli(
            monkeypatch, "backup", "--out", str(tmp_path / "full"), DATABASE_URL=database_url, IWORKZ_BACKUP_KEY=key
        )
        == 1
    )
    assert "is not empty" in capsys.readouterr().err
    assert (
        run_cli(
            monkeypatch,
            "restore",
            str(pathlib.Path(tmp_path / "none")),
            DATABASE_URL=database_url,
            IWORKZ_BACKUP_KEY=key,
        )
        == 1
    )
    assert "holds no manifest.json" in capsys.readouterr().err
