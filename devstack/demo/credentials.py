"""Demo credentials: an accredited JLPT test centre and an employer issuing employment references.

Loaded through the SDK like the rest of the demo, and idempotent: the test
centre (an issuer organisation, `did:web`) is accredited by the admin for
JLPT results and issues one to each demo worker with a JLPT level; the demo
employer Naniwa Metal Works registers as an issuer, is accredited for
employment references and issues one to each worker who worked for it (or,
in the demo, to its first two workers). One issued credential is written to
`<state>/demo/verify-credential.json` as a VC-API verify request, for the
banner's curl example.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import grpc
from google.protobuf import timestamp_pb2

from devstack.demo import dataset
from iworkz.credentials.v1 import credentials_pb2 as pb
from iworkz.credentials.v1 import credentials_pb2_grpc
from iworkz.identity.v1 import identity_pb2
from iworkz.sdk import Client

JLPT_CENTRE = ("registrar@jlpt-centre.example.com", "Registrar", "JLPT Test Centre Osaka (demo)")
REFERENCE_EMPLOYER = "naniwa"
REFERENCE_WORKERS = ("lan", "budi")


@dataclass
class CredentialsReport:
    issued: int = 0
    accredited: list[str] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)  # "name: did"
    verify_file: pathlib.Path | None = None
    note: str = ""


def _struct(value: dict):
    from google.protobuf import struct_pb2

    message = struct_pb2.Struct()
    message.update(value)
    return message


async def _login(identity_target: str, target: str, email: str, name: str, kind: int, org: str, password: str):
    """A client of the credential service for a demo account (signed up if missing)."""
    account = Client(identity_target)
    try:
        try:
            signed = await account.sign_up(
                email=email, password=password, display_name=name, account_type=kind, organization_display_name=org
            )
            tokens, user = signed.tokens, signed.user
        except grpc.aio.AioRpcError as err:
            if err.code() != grpc.StatusCode.ALREADY_EXISTS:
                raise
            logged = await account.login(email, password)
            tokens, user = logged.tokens, logged.user
    finally:
        await account.close()
    client = Client(target, token=tokens.access_token)
    return client, credentials_pb2_grpc.CredentialServiceStub(client.channel), user


async def _issuer(stub, user, display_name: str) -> pb.Issuer:
    name = "issuers/" + user.organization.removeprefix("organizations/")
    return (await stub.RegisterIssuer(pb.RegisterIssuerRequest(name=name, display_name=display_name))).issuer


async def _accredit(admin_stub, issuer: pb.Issuer, credential_type: str, report: CredentialsReport) -> bool:
    if any(credential_type in a.credential_types and not a.HasField("withdraw_time") for a in issuer.accreditations):
        return True
    if admin_stub is None:
        report.note = "the admin password is not known here: new demo issuers were not accredited"
        return False
    start = timestamp_pb2.Timestamp()
    start.FromDatetime(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    await admin_stub.AccreditIssuer(
        pb.AccreditIssuerRequest(
            parent=issuer.name, accreditation=pb.Accreditation(credential_types=[credential_type], valid_from=start)
        )
    )
    report.accredited.append(f"{issuer.display_name}: {credential_type}")
    return True


async def _issued_subjects(stub, issuer: pb.Issuer) -> dict[tuple[str, str], pb.Credential]:
    found: dict[tuple[str, str], pb.Credential] = {}
    token = ""
    while True:
        page = await stub.ListIssuedCredentials(
            pb.ListIssuedCredentialsRequest(parent=issuer.name, page_size=100, page_token=token)
        )
        for credential in page.credentials:
            if credential.format == pb.CREDENTIAL_FORMAT_DATA_INTEGRITY:  # the one the banner's curl verifies
                found[(credential.subject, credential.type)] = credential
            else:
                found.setdefault((credential.subject, credential.type), credential)
        token = page.next_page_token
        if not token:
            return found


async def load_credentials(
    identity_target: str,
    credentials_target: str,
    workers: dict[str, str],
    admin: tuple[str, str] | None,
    state: pathlib.Path,
    *,
    password: str = dataset.DEMO_PASSWORD,
    say: Callable[[str], None] = print,
) -> CredentialsReport:
    """Issuers, accreditations and credentials of the demo; `workers` maps worker keys to `workers/{id}`."""
    report = CredentialsReport()
    clients: list[Client] = []
    try:
        admin_stub = None
        if admin and admin[1]:
            admin_client = Client(identity_target)
            clients.append(admin_client)
            tokens = (await admin_client.login(admin[0], admin[1])).tokens
            client = Client(credentials_target, token=tokens.access_token)
            clients.append(client)
            admin_stub = credentials_pb2_grpc.CredentialServiceStub(client.channel)
        # The JLPT test centre.
        client, centre, user = await _login(
            identity_target,
            credentials_target,
            *JLPT_CENTRE[:2],
            identity_pb2.ACCOUNT_TYPE_ISSUER,
            JLPT_CENTRE[2],
            password,
        )
        clients.append(client)
        centre_issuer = await _issuer(centre, user, JLPT_CENTRE[2])
        report.issuers.append(f"{centre_issuer.display_name}: {centre_issuer.did}")
        first: pb.IssueCredentialResponse | pb.Credential | None = None
        if await _accredit(admin_stub, centre_issuer, "JlptResultCredential", report):
            done = await _issued_subjects(centre, centre_issuer)
            for worker in dataset.WORKERS:
                level = next((lang.jlpt for lang in worker.languages if lang.language == "ja" and lang.jlpt), "")
                subject = workers.get(worker.key)
                if not level or not subject:
                    continue
                if (subject, "JlptResultCredential") in done:
                    first = first or done[(subject, "JlptResultCredential")]
                    continue
                credential = {
                    "@context": ["https://www.w3.org/ns/credentials/v2"],
                    "type": ["VerifiableCredential", "JlptResultCredential"],
                    "credentialSubject": {
                        "name": worker.display_name,
                        "birthDate": worker.birth_date,
                        "level": level,
                        "testDate": "2025-12-07",
                        "certificateNumber": f"JLPT-2025-{zlib.crc32(worker.key.encode()) % 100000:05d}",
                    },
                }
                for fmt in (pb.CREDENTIAL_FORMAT_DATA_INTEGRITY, pb.CREDENTIAL_FORMAT_SD_JWT):
                    issued = await centre.IssueCredential(
                        pb.IssueCredentialRequest(
                            parent=centre_issuer.name,
                            credential=_struct(credential),
                            options=pb.IssueCredentialOptions(subject=subject, format=fmt),
                        )
                    )
                    report.issued += 1
                    if fmt == pb.CREDENTIAL_FORMAT_DATA_INTEGRITY:
                        first = first or issued.credential
        # The employer writing employment references.
        employer = next(e for e in dataset.EMPLOYERS if e.key == REFERENCE_EMPLOYER)
        client, works, user = await _login(
            identity_target,
            credentials_target,
            employer.email,
            employer.contact_name,
            identity_pb2.ACCOUNT_TYPE_EMPLOYER,
            employer.company,
            password,
        )
        clients.append(client)
        works_issuer = await _issuer(works, user, employer.company)
        report.issuers.append(f"{works_issuer.display_name}: {works_issuer.did}")
        if await _accredit(admin_stub, works_issuer, "EmploymentReferenceCredential", report):
            done = await _issued_subjects(works, works_issuer)
            for worker in (w for w in dataset.WORKERS if w.key in REFERENCE_WORKERS):
                subject = workers.get(worker.key)
                if not subject or (subject, "EmploymentReferenceCredential") in done:
                    continue
                await works.IssueCredential(
                    pb.IssueCredentialRequest(
                        parent=works_issuer.name,
                        credential=_struct(
                            {
                                "@context": ["https://www.w3.org/ns/credentials/v2"],
                                "type": ["VerifiableCredential", "EmploymentReferenceCredential"],
                                "credentialSubject": {
                                    "name": worker.display_name,
                                    "employer": employer.company,
                                    "role": "Production assistant (TIG welding)",
                                    "startDate": "2024-04-01",
                                    "endDate": "2025-03-31",
                                    "reference": "Reliable, safety-minded, passed the in-house TIG welding check.",
                                },
                            }
                        ),
                        options=pb.IssueCredentialOptions(subject=subject),
                    )
                )
                report.issued += 1
        if first is not None:
            from google.protobuf import json_format

            vc = json_format.MessageToDict(first.verifiable_credential)
            target = state / "demo" / "verify-credential.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps({"verifiableCredential": vc}, indent=1) + "\n")
            report.verify_file = target
        say(f"credentials: {report.issued} issued; issuers: {len(report.issuers)}")
    finally:
        for client in clients:
            await client.close()
    return report


def describe(report: CredentialsReport, show: Callable[[pathlib.Path], str]) -> list[str]:
    lines = ["Demo credentials:"]
    lines += [f"  issuer  {issuer}" for issuer in report.issuers]
    lines.append(f"  JLPT results and employment references in the demo workers' wallets (issued now: {report.issued})")
    if report.note:
        lines.append(f"  note: {report.note}")
    return lines
