"""The shared runtime: settings, migrations, field encryption, data keys, access rules, outbox.

Database tests run against the real PostgreSQL of the test session, each in a
schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import asyncio
import base64
import os
import uuid

import psycopg
import pytest

from iworkz.auth.v1 import access_pb2
from iworkz.identity.v1 import events_pb2
from iworkz.identity.v1 import identity_pb2 as pb
from iworkz.marketplace.v1 import marketplace_pb2
from iworkz.type.v1 import event_pb2
from services.runtime import access, context, datakeys, outbox
from services.runtime.context import Caller
from services.runtime.db import Database
from services.runtime.errors import PermissionDenied, Unauthenticated
from services.runtime.fieldcrypt import (
    CryptoError,
    FieldCipher,
    MasterKey,
    new_master_key_spec,
    parse_master_keys,
    unwrap,
    wrap,
)
from services.runtime.interceptors import spiffe_service
from services.runtime.migrations import RUNTIME_MIGRATIONS, MigrationError, load, migrate
from services.runtime.settings import ConfigError, Settings
from services.runtime.telemetry import trace_ids

# --- settings -------------------------------------------------------------------

GOOD_ENV = {
    "DATABASE_URL": "postgresql://iworkz@db:5432/iworkz",
    "REDIS_URL": "redis://cache:6379/0",
    "IWORKZ_MASTER_KEYS": new_master_key_spec("k1"),
    "IWORKZ_IDENTITY_TARGET": "identity:50051",
}


def config_problems(env: dict, service: str = "marketplace", needs_identity: bool = True) -> str:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(service, env, needs_identity=needs_identity)
    return str(caught.value)


def test_settings_read_from_the_environment():
    settings = Settings.from_env(
        "marketplace",
        {
            **GOOD_ENV,
            "MARKETPLACE_GRPC_PORT": "50052",
            "IWORKZ_DRAIN_SECONDS": "3",
            "IWORKZ_LOG_LEVEL": "debug",
            "MARKETPLACE_FEATURE": "on",
        },
    )

    assert settings.database_url == GOOD_ENV["DATABASE_URL"]
    assert settings.grpc_port == 50052
    assert settings.drain_seconds == 3.0
    assert settings.log_level == "DEBUG"
    assert settings.db_schema == "marketplace"
    assert settings.extra == {"MARKETPLACE_GRPC_PORT": "50052", "MARKETPLACE_FEATURE": "on"}
    assert settings.jwt_audience == "iworkz" and settings.redis_prefix == "iworkz:"


def test_connection_pool_bounds_are_settings():
    settings = Settings.from_env(
        "marketplace",
        {**GOOD_ENV, "IWORKZ_REDIS_POOL_SIZE": "4", "IWORKZ_DB_POOL_MIN_SIZE": "3", "IWORKZ_DB_POOL_MAX_SIZE": "6"},
    )
    assert (settings.redis_pool_size, settings.db_pool_min_size, settings.db_pool_max_size) == (4, 3, 6)

    problems = config_problems({**GOOD_ENV, "IWORKZ_DB_POOL_MIN_SIZE": "20", "IWORKZ_REDIS_POOL_SIZE": "0"})
    assert "IWORKZ_DB_POOL_MAX_SIZE" in problems and "at least IWORKZ_DB_POOL_MIN_SIZE (20)" in problems
    assert "IWORKZ_REDIS_POOL_SIZE" in problems


def test_identity_does_not_need_an_identity_target():
    env = {k: v for k, v in GOOD_ENV.items() if k != "IWORKZ_IDENTITY_TARGET"}

    assert Settings.from_env("identity", env, needs_identity=False).identity_target == ""
    assert "IWORKZ_IDENTITY_TARGET is required" in config_problems(env, "marketplace")


def test_every_missing_setting_is_reported_at_once():
    message = config_problems({})

    for name in ("DATABASE_URL", "REDIS_URL", "IWORKZ_MASTER_KEYS", "IWORKZ_IDENTITY_TARGET"):
        assert f"{name} is required" in message


def test_every_wrong_value_is_reported_at_once():
    message = config_problems(
        {
            **GOOD_ENV,
            "DATABASE_URL": "mysql://db/iworkz",
            "REDIS_URL": "http://cache",
            "IWORKZ_MASTER_KEYS": "k1:" + base64.b64encode(b"too short").decode(),
            "MARKETPLACE_GRPC_PORT": "fifty",
            "MARKETPLACE_METRICS_PORT": "70000",
            "IWORKZ_LOG_LEVEL": "chatty",
        }
    )

    for problem in (
        "DATABASE_URL must be a postgresql:// URL",
        "REDIS_URL must be a redis://",
        "master key 'k1' must be 32 bytes",
        "MARKETPLACE_GRPC_PORT must be an integer",
        "MARKETPLACE_METRICS_PORT must be within [0, 65535]",
        "IWORKZ_LOG_LEVEL must be",
    ):
        assert problem in message


def test_event_consumer_options_are_checked_at_start():
    message = config_problems(
        {
            **GOOD_ENV,
            "MARKETPLACE_EVENTS_MAX_ATTEMPTS": "many",
            "MARKETPLACE_EVENTS_RETRY_BASE_SECONDS": "0",
            "MARKETPLACE_EVENTS_BATCH": "",  # empty counts as unset
        }
    )
    assert "MARKETPLACE_EVENTS_MAX_ATTEMPTS must be an integer" in message
    assert "MARKETPLACE_EVENTS_RETRY_BASE_SECONDS must be within" in message
    assert "BATCH" not in message
    given = Settings.from_env("marketplace", {**GOOD_ENV, "MARKETPLACE_EVENTS_CLAIM_IDLE_SECONDS": "12.5"})
    assert given.events.claim_idle_seconds == 12.5 and given.events.batch == 100


def test_config_error_exits_the_process():
    assert issubclass(ConfigError, SystemExit)


# --- a schema of one's own ----------------------------------------------------------


@pytest.fixture
async def schema(database_url):
    """A fresh, empty schema name; dropped after the test."""
    name = f"rt_{uuid.uuid4().hex[:10]}"
    yield name
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


@pytest.fixture
async def runtime_db(database_url, schema):
    """A Database on a fresh schema holding the runtime's tables (outbox, data keys, audit log)."""
    await migrate(database_url, schema, [("runtime", RUNTIME_MIGRATIONS)])
    db = Database(database_url, schema, max_size=4)
    await db.open()
    yield db
    await db.close()


async def rows(database_url: str, schema: str, sql: str, *params) -> list[tuple]:
    async with await psycopg.AsyncConnection.connect(
        database_url, autocommit=True, options=f"-c search_path={schema}"
    ) as conn:
        return await (await conn.execute(sql, params)).fetchall()


# --- migrations ------------------------------------------------------------------------


def write_migrations(directory, files: dict[str, str]):
    directory.mkdir(exist_ok=True)
    for name, sql in files.items():
        (directory / name).write_text(sql)
    return directory


APP = {
    # Written newest first: the runner must order by version, not by directory order.
    "0010_seed.sql": "INSERT INTO things (name) VALUES ('first');",
    "0002_add_name.sql": "ALTER TABLE things ADD COLUMN name text NOT NULL;",
    "0001_create.sql": "CREATE TABLE things (id serial PRIMARY KEY);",
}


async def test_migrations_apply_in_version_order_once(database_url, schema, tmp_path):
    app = write_migrations(tmp_path / "app", APP)

    applied = await migrate(database_url, schema, [("app", app)])
    again = await migrate(database_url, schema, [("app", app)])

    assert applied == ["app/0001_create", "app/0002_add_name", "app/0010_seed"]
    assert again == []
    assert await rows(database_url, schema, "SELECT name FROM things") == [("first",)]
    recorded = await rows(
        database_url, schema, "SELECT component, version, name FROM schema_migrations ORDER BY version"
    )
    assert recorded == [("app", 1, "create"), ("app", 2, "add_name"), ("app", 10, "seed")]


async def test_components_apply_in_the_order_given(database_url, schema, tmp_path):
    base = write_migrations(tmp_path / "base", {"0001_parent.sql": "CREATE TABLE parent (id int PRIMARY KEY);"})
    app = write_migrations(
        tmp_path / "app", {"0001_child.sql": "CREATE TABLE child (parent_id int REFERENCES parent (id));"}
    )

    applied = await migrate(database_url, schema, [("base", base), ("app", app)])

    assert applied == ["base/0001_parent", "app/0001_child"]


async def test_a_new_migration_is_applied_later(database_url, schema, tmp_path):
    app = write_migrations(tmp_path / "app", {"0001_create.sql": APP["0001_create.sql"]})
    await migrate(database_url, schema, [("app", app)])
    write_migrations(app, {"0002_add_name.sql": "ALTER TABLE things ADD COLUMN name text;"})

    assert await migrate(database_url, schema, [("app", app)]) == ["app/0002_add_name"]


async def test_a_changed_applied_migration_is_an_error(database_url, schema, tmp_path):
    app = write_migrations(tmp_path / "app", APP)
    await migrate(database_url, schema, [("app", app)])
    (app / "0002_add_name.sql").write_text("ALTER TABLE things ADD COLUMN name varchar(10);")

    with pytest.raises(MigrationError, match="0002_add_name was changed"):
        await migrate(database_url, schema, [("app", app)])


async def test_a_failing_migration_leaves_nothing_behind(database_url, schema, tmp_path):
    app = write_migrations(
        tmp_path / "app",
        {
            "0001_create.sql": APP["0001_create.sql"],
            "0002_broken.sql": "CREATE TABLE other (id int); SELECT no_such_function();",
        },
    )

    with pytest.raises(psycopg.Error):
        await migrate(database_url, schema, [("app", app)])

    tables = await rows(
        database_url,
        schema,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1",
        schema,
    )
    assert tables == [("schema_migrations",), ("things",)]
    (app / "0002_broken.sql").write_text("CREATE TABLE other (id int);")
    assert await migrate(database_url, schema, [("app", app)]) == ["app/0002_broken"]


async def test_concurrent_migrations_apply_each_file_once(database_url, schema, tmp_path):
    app = write_migrations(tmp_path / "app", APP)

    results = await asyncio.gather(*[migrate(database_url, schema, [("app", app)]) for _ in range(5)])

    applied = sorted(m for result in results for m in result)
    assert applied == ["app/0001_create", "app/0002_add_name", "app/0010_seed"]
    assert await rows(database_url, schema, "SELECT count(*) FROM things") == [(1,)]


@pytest.mark.parametrize(
    "files, problem",
    [
        ({"1_create.sql": "SELECT 1;"}, "named NNNN_description.sql"),
        ({"0001_Create.sql": "SELECT 1;"}, "named NNNN_description.sql"),
        ({"0001_a.sql": "SELECT 1;", "0001_b.sql": "SELECT 1;"}, "duplicate migration versions"),
    ],
)
def test_badly_named_migrations_are_an_error(tmp_path, files, problem):
    app = write_migrations(tmp_path / "app", files)

    with pytest.raises(MigrationError, match=problem):
        load("app", app)


def test_runtime_migrations_load():
    assert [m.name for m in load("runtime", RUNTIME_MIGRATIONS)][:3] == ["outbox", "data_keys", "audit_log"]


# --- field encryption -----------------------------------------------------------------


def cipher_with(*key_ids: uuid.UUID) -> FieldCipher:
    return FieldCipher({k: os.urandom(32) for k in key_ids}, key_ids[-1])


def test_field_values_round_trip():
    cipher = cipher_with(uuid.uuid4())

    blob = cipher.encrypt("在留カード AB1234567CD", "worker_profiles.residence_card:42")

    assert cipher.decrypt(blob, "worker_profiles.residence_card:42") == "在留カード AB1234567CD"
    assert b"AB1234567CD" not in blob
    assert cipher.encrypt("same", "w") != cipher.encrypt("same", "w")  # fresh nonce each time
    assert FieldCipher.key_id_of(blob) == cipher.current


def test_ciphertext_is_bound_to_where_it_is_stored():
    cipher = cipher_with(uuid.uuid4())
    blob = cipher.encrypt("090-1234-5678", "worker_profiles.phone:1")

    with pytest.raises(CryptoError, match="failed authentication"):
        cipher.decrypt(blob, "worker_profiles.phone:2")


@pytest.mark.parametrize(
    "change",
    [
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),  # ciphertext or tag
        lambda blob: blob[:20] + bytes([blob[20] ^ 1]) + blob[21:],  # nonce
    ],
)
def test_tampered_ciphertext_fails(change):
    cipher = cipher_with(uuid.uuid4())
    blob = cipher.encrypt("1990-04-01", "birth_date:1")

    with pytest.raises(CryptoError):
        cipher.decrypt(change(blob), "birth_date:1")


@pytest.mark.parametrize("blob", [b"", b"plain text", b"\x02" + bytes(60)])
def test_values_that_were_never_encrypted_are_refused(blob):
    with pytest.raises(CryptoError, match="not an encrypted field value"):
        cipher_with(uuid.uuid4()).decrypt(blob, "x")


def test_value_under_an_unknown_data_key_is_refused():
    blob = cipher_with(uuid.uuid4()).encrypt("x", "w")

    with pytest.raises(CryptoError, match="unknown data key"):
        cipher_with(uuid.uuid4()).decrypt(blob, "w")


def test_empty_optional_values_are_not_encrypted():
    cipher = cipher_with(uuid.uuid4())

    assert cipher.encrypt_optional("", "w") is None
    assert cipher.decrypt_optional(None, "w") == ""
    assert cipher.decrypt_optional(cipher.encrypt_optional("x", "w"), "w") == "x"


def test_current_data_key_must_be_loaded():
    with pytest.raises(CryptoError):
        FieldCipher({uuid.uuid4(): os.urandom(32)}, uuid.uuid4())


def test_master_keys_parse_with_the_first_current():
    first, second = new_master_key_spec("2026-05"), new_master_key_spec("2025-11")

    keys = parse_master_keys(f" {first} , {second},")

    assert [k.id for k in keys] == ["2026-05", "2025-11"]
    assert all(len(k.key) == 32 for k in keys)


B64_32 = base64.b64encode(bytes(32)).decode()


@pytest.mark.parametrize(
    "spec, problem",
    [
        ("", "holds no key"),
        (" , ", "holds no key"),
        ("k1", "look like id:base64key"),
        (f":{B64_32}", "look like id:base64key"),
        ("k1:not*base64", "not valid base64"),
        ("k1:" + base64.b64encode(bytes(16)).decode(), "must be 32 bytes"),
        (f"k1:{B64_32},k1:{B64_32}", "repeats a key id"),
    ],
)
def test_bad_master_keys_are_refused(spec, problem):
    with pytest.raises(CryptoError, match=problem):
        parse_master_keys(spec)


def test_data_key_unwraps_only_with_its_master_key_and_id():
    master, other = MasterKey("m1", os.urandom(32)), MasterKey("m2", os.urandom(32))
    key_id, data_key = uuid.uuid4(), os.urandom(32)
    wrapped = wrap(master, key_id, data_key)

    assert unwrap(master, key_id, wrapped) == data_key
    with pytest.raises(CryptoError):
        unwrap(other, key_id, wrapped)
    with pytest.raises(CryptoError):
        unwrap(master, uuid.uuid4(), wrapped)


# --- data keys in the database --------------------------------------------------------


async def test_first_load_creates_one_data_key_even_when_concurrent(runtime_db, master_keys):
    ciphers = await asyncio.gather(*[datakeys.load_cipher(runtime_db, master_keys) for _ in range(4)])

    assert len({c.current for c in ciphers}) == 1
    assert await rows(runtime_db.url, runtime_db.schema, "SELECT count(*) FROM data_keys") == [(1,)]


async def test_rotated_data_key_encrypts_new_values_and_old_ones_still_decrypt(runtime_db, master_keys):
    before = await datakeys.load_cipher(runtime_db, master_keys)
    old_blob = before.encrypt("old value", "t:1")

    new_key = await datakeys.rotate_data_key(runtime_db, master_keys)
    after = await datakeys.load_cipher(runtime_db, master_keys)

    assert after.current == new_key != before.current
    assert after.decrypt(old_blob, "t:1") == "old value"
    assert FieldCipher.key_id_of(after.encrypt("new value", "t:2")) == new_key


async def test_rewrap_moves_every_data_key_to_the_new_master_key(runtime_db):
    old_master = new_master_key_spec("old")
    new_master = new_master_key_spec("new")
    cipher = await datakeys.load_cipher(runtime_db, old_master)
    first_blob = cipher.encrypt("first", "t:1")
    await datakeys.rotate_data_key(runtime_db, old_master)
    second_blob = (await datakeys.load_cipher(runtime_db, old_master)).encrypt("second", "t:2")

    changed = await datakeys.rewrap(runtime_db, f"{new_master},{old_master}")

    assert changed == 2
    assert await rows(runtime_db.url, runtime_db.schema, "SELECT DISTINCT master_key_id FROM data_keys") == [("new",)]
    only_new = await datakeys.load_cipher(runtime_db, new_master)
    assert only_new.decrypt(first_blob, "t:1") == "first"
    assert only_new.decrypt(second_blob, "t:2") == "second"
    assert await datakeys.rewrap(runtime_db, new_master) == 0
    with pytest.raises(CryptoError, match="which IWORKZ_MASTER_KEYS does not hold"):
        await datakeys.load_cipher(runtime_db, old_master)


async def test_rewrap_needs_the_old_master_key(runtime_db):
    await datakeys.load_cipher(runtime_db, new_master_key_spec("old"))

    with pytest.raises(CryptoError, match="is needed to rewrap"):
        await datakeys.rewrap(runtime_db, new_master_key_spec("new"))


# --- access rules ------------------------------------------------------------------------

WORKER = Caller("u1", "user", frozenset({"worker"}))
EMPLOYER = Caller("u2", "user", frozenset({"employer"}), organization="o1")
ADMIN = Caller("u3", "user", frozenset({"admin"}))
PARTNER = Caller("k1", "api_key", frozenset({"partner", "employer"}), organization="o1")


def rule(**fields) -> access_pb2.AccessRule:
    return access_pb2.AccessRule(**fields)


EMPLOYERS_ONLY = rule(roles=[access_pb2.ROLE_EMPLOYER, access_pb2.ROLE_ISSUER])

# (rule, caller, mesh service identity, expected error or None)
CALLER_CASES = [
    (None, ADMIN, "", PermissionDenied),
    (rule(public=True), None, "", None),
    (rule(), None, "", Unauthenticated),
    (rule(), WORKER, "", None),
    (EMPLOYERS_ONLY, WORKER, "", PermissionDenied),
    (EMPLOYERS_ONLY, EMPLOYER, "", None),
    (EMPLOYERS_ONLY, PARTNER, "", None),
    (EMPLOYERS_ONLY, ADMIN, "", None),
    (EMPLOYERS_ONLY, None, "", Unauthenticated),
    (rule(roles=[access_pb2.ROLE_ADMIN]), EMPLOYER, "", PermissionDenied),
    (rule(roles=[access_pb2.ROLE_ADMIN], internal_callers=["matching"]), None, "matching", None),
    (rule(roles=[access_pb2.ROLE_ADMIN], internal_callers=["matching"]), None, "agent", Unauthenticated),
    (rule(roles=[access_pb2.ROLE_ADMIN], internal_callers=["matching"]), WORKER, "matching", PermissionDenied),
]


@pytest.mark.parametrize("access_rule, caller, service, error", CALLER_CASES)
def test_check_caller(access_rule, caller, service, error):
    if error is None:
        access.check_caller(access_rule, caller, service)
    else:
        with pytest.raises(error):
            access.check_caller(access_rule, caller, service)


def owner(field: str, collection: str, claim=access_pb2.OWNER_CLAIM_USER) -> access_pb2.AccessRule:
    return rule(owner=access_pb2.Ownership(field=field, collection=collection, claim=claim))


OWN_USER = owner("name", "users")
OWN_ORG = owner("parent", "organizations", access_pb2.OWNER_CLAIM_ORGANIZATION)
OWN_ORG_NESTED = owner("api_key.name", "organizations", access_pb2.OWNER_CLAIM_ORGANIZATION)

# (rule, caller, request, allowed)
OWNERSHIP_CASES = [
    (rule(), WORKER, pb.GetUserRequest(name="users/someone-else"), True),
    (OWN_USER, WORKER, pb.GetUserRequest(name="users/u1"), True),
    (OWN_USER, WORKER, pb.GetUserRequest(name="users/u2"), False),
    (OWN_USER, WORKER, pb.GetUserRequest(name=""), False),
    (OWN_USER, ADMIN, pb.GetUserRequest(name="users/u1"), True),
    (owner("name", "users", access_pb2.OWNER_CLAIM_UNSPECIFIED), WORKER, pb.GetUserRequest(name="users/u1"), True),
    (OWN_ORG, EMPLOYER, pb.ListApiKeysRequest(parent="organizations/o1"), True),
    (OWN_ORG, PARTNER, pb.ListApiKeysRequest(parent="organizations/o1"), True),
    (OWN_ORG, EMPLOYER, pb.ListApiKeysRequest(parent="organizations/o2"), False),
    (OWN_ORG, WORKER, pb.ListApiKeysRequest(parent="organizations/o1"), False),  # no organisation
    (OWN_ORG, EMPLOYER, pb.ListApiKeysRequest(parent="organizations/"), False),
    (OWN_ORG, EMPLOYER, pb.ListApiKeysRequest(parent="users/o1"), False),
    (OWN_ORG_NESTED, EMPLOYER, pb.CreateApiKeyRequest(api_key=pb.ApiKey(name="organizations/o1/apiKeys/k")), True),
    (OWN_ORG_NESTED, EMPLOYER, pb.CreateApiKeyRequest(api_key=pb.ApiKey(name="organizations/o2/apiKeys/k")), False),
    (owner("name", "members"), WORKER, pb.RemoveOrganizationMemberRequest(name="organizations/o9/members/u1"), True),
]


@pytest.mark.parametrize("access_rule, caller, request_message, allowed", OWNERSHIP_CASES)
def test_check_ownership(access_rule, caller, request_message, allowed):
    if allowed:
        access.check_ownership(access_rule, caller, request_message)
    else:
        with pytest.raises(PermissionDenied):
            access.check_ownership(access_rule, caller, request_message)


def test_every_rpc_of_the_platform_declares_who_may_call_it():
    for file in (pb.DESCRIPTOR, marketplace_pb2.DESCRIPTOR):
        for service in file.services_by_name.values():
            for method in service.methods:
                assert method.GetOptions().HasExtension(access_pb2.access), method.full_name


def test_role_names_map_one_to_one():
    for value in access_pb2.Role.values():
        if value != access_pb2.ROLE_UNSPECIFIED:
            assert access.role_value(access.role_name(value)) == value


# --- mesh identity from the sidecar's client-certificate header -------------------------

SA = "spiffe://cluster.local/ns/iworkz/sa"


@pytest.mark.parametrize(
    "xfcc, service",
    [
        (f"By={SA}/identity;Hash=9ab3;URI={SA}/matching", "matching"),
        (f'By={SA}/identity;Hash=9ab3;URI="{SA}/agent"', "agent"),
        (
            f'By={SA}/identity;Hash=9ab3;Subject="CN=matching,O=iworkz;OU=mesh";URI={SA}/matching;DNS=matching',
            "matching",
        ),
        (f'Hash=9ab3;Subject="CN=\\"a,b\\";x";URI={SA}/matching', "matching"),
        (f"By={SA}/identity;Hash=9ab3;DNS=matching", ""),
        ("By=spiffe://cluster.local/ns/iworkz/sa/identity;URI=spiffe://cluster.local/ns/iworkz/workload", ""),
        ("", ""),
    ],
)
def test_spiffe_service(xfcc, service):
    assert spiffe_service(xfcc) == service


def test_spiffe_service_trusts_the_element_the_nearest_proxy_appended():
    # A proxy appends the certificate it verified after a comma; anything
    # before it came from further away and may be forged by the caller.
    forged = f"URI={SA}/admin-tool"
    verified = f"By={SA}/identity;Hash=9ab3;URI={SA}/matching"

    assert spiffe_service(f"{forged},{verified}") == "matching"


# --- outbox ----------------------------------------------------------------------------------


async def outbox_rows(db: Database, aggregate_id: str) -> list[dict]:
    async with db.connection() as conn:
        return await (
            await conn.execute(
                "SELECT id, aggregate_type, event_type, envelope, published_at FROM outbox WHERE aggregate_id = %s",
                (aggregate_id,),
            )
        ).fetchall()


async def test_emit_writes_an_envelope_that_parses_back(runtime_db):
    user = str(uuid.uuid4())
    event = events_pb2.UserDisabled(user=f"users/{user}", reason="spam", disabled_by="users/admin")

    async with runtime_db.transaction() as conn:
        sent = await outbox.emit(conn, "identity", "user", user, event)

    [row] = await outbox_rows(runtime_db, user)
    envelope = event_pb2.EventEnvelope.FromString(bytes(row["envelope"]))
    assert envelope == sent
    assert str(row["id"]) == envelope.id
    assert row["event_type"] == envelope.type == "iworkz.identity.v1.UserDisabled"
    assert row["published_at"] is None
    assert (envelope.source, envelope.aggregate_type, envelope.aggregate_id) == ("identity", "user", user)
    assert envelope.occur_time.seconds > 0
    payload = events_pb2.UserDisabled()
    assert envelope.payload.Unpack(payload)
    assert payload == event


async def test_emit_inside_an_rpc_carries_its_trace_and_request_id(runtime_db):
    user = str(uuid.uuid4())
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    token = context.begin(context.CallState(method="/x/Y", traceparent=traceparent, request_id="req-1"))
    try:
        async with runtime_db.transaction() as conn:
            sent = await outbox.emit(conn, "identity", "user", user, events_pb2.UserRolesChanged(user=user))
            await outbox.audit(conn, "users/admin", "change_roles", user, {"roles": ["worker"]})
    finally:
        context.end(token)

    assert sent.traceparent == traceparent
    async with runtime_db.connection() as conn:
        audit = await (
            await conn.execute("SELECT actor, action, detail, request_id FROM audit_log WHERE target = %s", (user,))
        ).fetchone()
    assert audit == {
        "actor": "users/admin",
        "action": "change_roles",
        "detail": {"roles": ["worker"]},
        "request_id": "req-1",
    }


async def test_rolled_back_transaction_leaves_no_outbox_row(runtime_db):
    user = str(uuid.uuid4())

    with pytest.raises(RuntimeError, match="change failed"):
        async with runtime_db.transaction() as conn:
            await outbox.emit(conn, "identity", "user", user, events_pb2.UserDisabled(user=user))
            raise RuntimeError("change failed")

    assert await outbox_rows(runtime_db, user) == []


def test_envelope_outside_an_rpc_has_no_trace():
    envelope = outbox.envelope("identity", "user", "u1", events_pb2.UserDisabled(user="users/u1"))

    assert envelope.traceparent == ""
    assert envelope.HasField("occur_time")
    assert envelope.id != outbox.envelope("identity", "user", "u1", events_pb2.UserDisabled()).id
    uuid.UUID(envelope.id)


async def test_running_replicas_pick_up_a_key_rotated_elsewhere(runtime_db, master_keys):
    import asyncio

    other_replica = await datakeys.load_cipher(runtime_db, master_keys)
    refresher = asyncio.create_task(datakeys.keep_fresh(runtime_db, master_keys, other_replica, 0.05))
    try:
        new_key = await datakeys.rotate_data_key(runtime_db, master_keys)
        writer = await datakeys.load_cipher(runtime_db, master_keys)
        sealed = writer.encrypt("+818012345678", "worker_profiles.phone:x")
        for _ in range(200):
            if other_replica.current == new_key:
                break
            await asyncio.sleep(0.05)
        assert other_replica.current == new_key
        assert other_replica.decrypt(sealed, "worker_profiles.phone:x") == "+818012345678"
    finally:
        refresher.cancel()


def test_trace_ids_without_spans_continue_the_callers_trace_or_start_one():
    caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    trace_id, traceparent = trace_ids(caller)
    version, trace, span, flags = traceparent.split("-")
    assert trace_id == trace == "0af7651916cd43dd8448eb211c80319c" and flags == "01" and version == "00"
    assert len(span) == 16 and span != "b7ad6b7169203331"
    for bad in ("", "garbage", "00-" + "0" * 32 + "-b7ad6b7169203331-01", caller[:-3]):
        trace_id, traceparent = trace_ids(bad)
        assert len(trace_id) == 32 and trace_id != "0" * 32 and traceparent.startswith(f"00-{trace_id}-")
        assert traceparent.endswith("-00")
    assert trace_ids("")[0] != trace_ids("")[0]
