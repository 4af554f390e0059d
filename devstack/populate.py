"""After the services are up: the admin account and the demo data (and, with --check, their checks)."""

from __future__ import annotations

import os
import pathlib
import secrets

from devstack.console import StartupError, say
from devstack.platform import Platform, write_private

ADMIN_EMAIL = "admin@iworkz.local"
ADMIN_DISPLAY_NAME = "iWORKZ Admin"


async def ensure_admin(state: pathlib.Path, database_url: str) -> tuple[str, str]:
    """Create admin@iworkz.local if missing; return ("created" or "exists", its password or "").

    The password is IWORKZ_ADMIN_PASSWORD, or generated once and kept in the
    state directory; "" when the admin was created before this state directory.
    """
    from services.cli import create_admin
    from services.runtime.errors import AlreadyExists

    path = state / "admin-password"
    known = os.environ.get("IWORKZ_ADMIN_PASSWORD", "") or (path.read_text().strip() if path.exists() else "")
    password = known or secrets.token_urlsafe(15)
    try:
        await create_admin(database_url, ADMIN_EMAIL, ADMIN_DISPLAY_NAME, password, actor="launcher")
    except AlreadyExists:
        return "exists", known
    if not os.environ.get("IWORKZ_ADMIN_PASSWORD"):
        write_private(path, password + "\n")
    return "created", password


async def check_admin(identity_target: str, password: str) -> str:
    from iworkz.auth.v1 import access_pb2
    from iworkz.identity.v1 import identity_pb2
    from iworkz.sdk import Client

    async with Client(identity_target) as client:
        await client.login(ADMIN_EMAIL, password)
        admins = await client.identity.ListUsers(identity_pb2.ListUsersRequest(role=access_pb2.ROLE_ADMIN))
    if ADMIN_EMAIL not in {u.email for u in admins.users}:
        raise StartupError("the admin logged in but ListUsers(role=admin) does not list it")
    return f"{ADMIN_EMAIL} logs in and lists the admins"


async def populate(platform: Platform, check: bool):
    """Admin, demo data and, with --check, the end-to-end checks (direct to the first replicas)."""
    from devstack.demo import load

    identity, marketplace = platform.target("identity"), platform.target("marketplace")
    admin = await ensure_admin(platform.state, platform.database_url)
    say("loading demo data through the SDK ...")
    report = await load.load(identity, marketplace, say=lambda line: say("  " + line))
    if "credentials" in platform.topology.services:
        from devstack.demo.credentials import load_credentials

        report.credentials = await load_credentials(
            identity,
            platform.target("credentials"),
            report.workers,
            (ADMIN_EMAIL, admin[1]),
            platform.state,
            say=lambda line: say("  " + line),
        )
    checks: list[str] = []
    if "agent" in platform.topology.services:
        from devstack.demo import resumes

        agent = platform.target("agent")
        await resumes.wait_for_skills(identity, agent, report.password, say=lambda line: say("  " + line))
        await resumes.attach(identity, agent, marketplace, report.password, say=lambda line: say("  " + line))
        if check:
            checks.append(await resumes.verify(identity, marketplace, report.password))
    if check:
        checks += await load.verify(identity, marketplace)
        if admin[1]:
            checks.append(await check_admin(identity, admin[1]))
        again = await load.load(identity, marketplace, say=lambda line: None)
        if not again.already_loaded:
            raise StartupError(f"loading the demo twice created more: {again.created}")
        checks.append("loading the demo data again creates nothing")
    return admin, report, checks
