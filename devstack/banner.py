"""What `make up` prints once everything runs: addresses, logins, how to try it."""

from __future__ import annotations

from devstack.platform import HOST, REPO, Platform
from devstack.populate import ADMIN_EMAIL
from mesh import certs as mesh_certs

SDK_EXAMPLE = """\
import asyncio
{imports}from iworkz.sdk import Client
from iworkz.marketplace.v1 import marketplace_pb2 as mp
{credentials}
async def main():
    # Searching jobs needs no login.
    async with Client("{target}"{channel}) as client:
        found = await client.marketplace.SearchJobs(mp.SearchJobsRequest(prefecture="JP-27"))
        for job in found.jobs:
            print(f"{{job.title}} | {{job.employer_display_name}} | {{job.wage_min.units:,}} JPY")
        # A worker logs in; the client sends the token with every later call.
        me = await client.login("{worker}", "{password}")
        mine = await client.marketplace.ListWorkerApplications(mp.ListWorkerApplicationsRequest(
            parent=me.user.name.replace("users/", "workers/")))
        for app in mine.applications:
            print(app.job_title, mp.ApplicationStatus.Name(app.status))

asyncio.run(main())
"""
# The same example against two direct service ports, when the edge is not available.
SDK_EXAMPLE_DIRECT = """\
import asyncio
from iworkz.sdk import Client
from iworkz.marketplace.v1 import marketplace_pb2 as mp

async def main():
    async with Client("{marketplace}") as client:
        found = await client.marketplace.SearchJobs(mp.SearchJobsRequest(prefecture="JP-27"))
        for job in found.jobs:
            print(f"{{job.title}} | {{job.employer_display_name}} | {{job.wage_min.units:,}} JPY")
    async with Client("{identity}") as identity:
        me = await identity.login("{worker}", "{password}")
        token = await identity.access_token()
    async with Client("{marketplace}", token=token) as client:
        mine = await client.marketplace.ListWorkerApplications(mp.ListWorkerApplicationsRequest(
            parent=me.user.name.replace("users/", "workers/")))
        for app in mine.applications:
            print(app.job_title, mp.ApplicationStatus.Name(app.status))

asyncio.run(main())
"""


def sdk_example(platform: Platform) -> str:
    from devstack.demo.dataset import DEMO_PASSWORD

    worker = "budi.santoso@example.com"
    if platform.edge is None:
        return SDK_EXAMPLE_DIRECT.format(
            identity=platform.target("identity"),
            marketplace=platform.target("marketplace"),
            worker=worker,
            password=DEMO_PASSWORD,
        )
    return SDK_EXAMPLE.format(
        imports="import grpc\n",
        channel=", credentials=EDGE_TLS",
        credentials=f"# The edge presents a certificate from the development CA of `make up`.\n"
        f'EDGE_TLS = grpc.ssl_channel_credentials(open("{platform.edge.ca}", "rb").read())\n',
        target=f"{HOST}:{platform.edge.port}",
        worker=worker,
        password=DEMO_PASSWORD,
    )


def banner(platform: Platform, admin: tuple[str, str], report, example: str, check: bool) -> str:
    from devstack.demo.load import describe_demo

    show = platform.show
    rows = []
    if platform.edge is not None:
        url = f"https://{HOST}:{platform.edge.port}"
        if platform.web is not None:
            rows.append(
                f"  {'web app':<12} https://localhost:{platform.edge.port}/   (Next.js, pid {platform.web.pid}; "
                f"trust {show(platform.edge.ca)} or accept the warning)"
            )
        rows += [
            f"  {'edge':<12} {url}   REST/JSON, gRPC-web and gRPC over TLS   pid {platform.edge.pid}",
            f"  {'':<12} {url}/docs   API docs,  {url}/openapi.json",
            f"  {'':<12} gRPC target {HOST}:{platform.edge.port}  (TLS; trust {show(platform.edge.ca)})",
        ]
    else:
        rows.append(f"  {'edge':<12} not running: {platform.edge_note}")
    apps = [p for p in platform.procs if p.kind == "app"]
    width = max([12, *(len(f"{p.service} {p.replica}") for p in apps)])
    for proc in apps:
        side = platform.proc(proc.service, proc.replica, "sidecar")
        rows.append(
            f"  {proc.service + ' ' + str(proc.replica):<{width}} app grpc://{HOST}:{proc.ports['grpc']}"
            f"  sidecar {HOST}:{side.ports['inbound']} (mTLS)"
            + (f"  egress {HOST}:{side.ports['egress']}" if "egress" in side.ports else "")
            + f"  metrics http://{HOST}:{proc.ports['metrics']}/metrics   pids {proc.pid}, {side.pid}"
        )
    if platform.mobile_web is not None:
        from devstack import mobile_web

        rows += mobile_web.banner_rows(
            platform.mobile_web.ports["http"],
            platform.edge.port if platform.edge is not None else None,
            show(platform.edge.ca) if platform.edge is not None else "",
        )
    if platform.mail_sink is not None:
        rows.append(
            f"  {'mail':<12} SMTP sink smtp://{HOST}:{platform.mail_sink.ports['smtp']}, emails in "
            f"{show(platform.state / 'mail')}/ (list: {show(REPO / '.venv/bin/python')} -m "
            f"devstack.smtp_sink --dir {show(platform.state / 'mail')} --list)"
        )
    for kind in ("PostgreSQL", "Redis"):
        where = f"embedded, data in {platform.embedded[kind]}" if kind in platform.embedded else "from the environment"
        rows.append(f"  {kind:<12} {where}")
    rows.append(
        f"  {'mesh':<12} CA and SPIFFE certificates in {show(platform.state / 'mesh')} "
        f"({platform.topology.spiffe_id('<service>')}), re-issued every "
        f"{mesh_certs.WORKLOAD_LIFETIME.total_seconds() * mesh_certs.ROTATE_AFTER / 3600:g} h"
    )
    rows.append(
        f"  {'logs':<12} {show(platform.state / 'logs')}/ ("
        + ", ".join(p.log.name for p in platform.procs[:2])
        + ", ...)"
    )
    env_file = show(platform.state / "env")
    iworkz = show(REPO / ".venv/bin/iworkz")
    curl: list[str] = []
    if platform.edge is not None:
        curl = [
            "Try it with curl:",
            f"  curl --cacert {show(platform.edge.ca)} "
            f"'https://localhost:{platform.edge.port}/v1/jobs:search?prefecture=JP-27'",
            "",
        ]
        credentials = getattr(report, "credentials", None)
        if credentials is not None:
            from devstack.demo.credentials import describe

            curl[-1:] = ["", *describe(credentials, show), ""]
            if credentials.verify_file is not None:
                curl += [
                    "Verify a demo credential (VC-API; every check with its reason):",
                    f"  curl --cacert {show(platform.edge.ca)} -H 'content-type: application/json' "
                    f"--data @{show(credentials.verify_file)} https://localhost:{platform.edge.port}/credentials/verify",
                    f"  issuer DID documents: https://localhost:{platform.edge.port}/issuers/<issuer id>/did.json;"
                    " status lists: the credential's credentialStatus URLs",
                    "",
                ]
    return "\n".join(
        [
            "",
            "iWORKZ is up.",
            "",
            *rows,
            "",
            f"Admin: {ADMIN_EMAIL}  password: "
            + (admin[1] or "(set before this state directory existed; not known here)"),
            "",
            describe_demo(report),
            "",
            *curl,
            "Try it with the Python SDK (paste into a shell):",
            f"{show(REPO / '.venv/bin/python')} - <<'EOF'",
            example.rstrip(),
            "EOF",
            "",
            "Operator commands:",
            f"  source {env_file}",
            "  make demo          # load the demo data again (idempotent)",
            f"  {iworkz} create-admin --email you@example.com --display-name 'You'",
            f"  {iworkz} keys rotate-data-key --service marketplace",
            f"  {iworkz} migrate --service all",
            "",
            "Stopping after the checks (--check)." if check else "Ctrl-C to stop.",
            "",
        ]
    )
