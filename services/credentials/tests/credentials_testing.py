"""Helpers for the credential service tests: people, issuers, credentials, check results.

People sign up through identity and call the service with the SDK's client, as partners do.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from dataclasses import dataclass, field

import grpc
from google.protobuf import timestamp_pb2

from iworkz.credentials.v1 import credentials_pb2 as pb
from iworkz.credentials.v1 import credentials_pb2_grpc
from iworkz.identity.v1 import identity_pb2
from iworkz.sdk import Client
from services.cli import create_admin

PASSWORD = "correct horse battery staple"
CHAIN_URL = "eth-tester://credentials-tests"


def word(prefix: str = "zq") -> str:
    return prefix + "".join(random.choices(string.ascii_lowercase, k=10))


def ts(moment: dt.datetime) -> timestamp_pb2.Timestamp:
    value = timestamp_pb2.Timestamp()
    value.FromDatetime(moment)
    return value


async def fails(code: grpc.StatusCode, call) -> grpc.aio.AioRpcError:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        assert error.code() == code, f"expected {code.name}, got {error.code().name}: {error.details()}"
        return error
    raise AssertionError(f"expected {code.name}, the call succeeded")


def jlpt(level: str = "N3", **subject) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "JlptResultCredential"],
        "credentialSubject": {
            "name": "Nguyen Van An",
            "birthDate": "1998-04-02",
            "level": level,
            "testDate": "2026-07-05",
            "certificateNumber": "JL-2026-0042",
            **subject,
        },
    }


def employment(**subject) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "EmploymentReferenceCredential"],
        "credentialSubject": {
            "name": "Nguyen Van An",
            "employer": "Osaka Welding Works",
            "role": "TIG welder",
            "startDate": "2023-04-01",
            "endDate": "2026-03-31",
            **subject,
        },
    }


def struct(value: dict):
    from services.credentials import messages

    return messages.struct(value)


def checks(response) -> dict[str, tuple[str, str]]:
    """check -> (PASS/FAIL/SKIPPED, reason) for the presentation-level or single-credential checks."""
    result: dict[str, tuple[str, str]] = {}
    for check in response.checks:
        result.setdefault(check.check, (pb.CheckResult.Name(check.result).removeprefix("CHECK_RESULT_"), check.reason))
    return result


def failed(response) -> dict[str, str]:
    return {c.check: c.reason for c in response.checks if c.result == pb.CHECK_RESULT_FAIL}


@dataclass
class Person:
    client: Client
    user_id: str
    org_id: str = ""

    @property
    def api(self) -> credentials_pb2_grpc.CredentialServiceStub:
        return credentials_pb2_grpc.CredentialServiceStub(self.client.channel)

    @property
    def worker(self) -> str:
        return f"workers/{self.user_id}"

    @property
    def issuer(self) -> str:
        return f"issuers/{self.org_id}"


@dataclass
class Platform:
    """Makes people and issuers for a test, all talking to the credential service."""

    identity_target: str
    target: str
    database_url: str
    _clients: list[Client] = field(default_factory=list)

    def client(self, target: str | None = None) -> Client:
        client = Client(target or self.target)
        self._clients.append(client)
        return client

    def anonymous(self) -> credentials_pb2_grpc.CredentialServiceStub:
        return credentials_pb2_grpc.CredentialServiceStub(self.client().channel)

    async def _sign_up(self, account_type: int, name: str, organization: str = "") -> Person:
        account = self.client(self.identity_target)
        signed = await account.sign_up(
            email=f"{word('user')}@example.com",
            password=PASSWORD,
            display_name=name,
            account_type=account_type,
            organization_display_name=organization,
        )
        client = self.client()
        client.use_tokens(signed.tokens)
        return Person(
            client, signed.user.name.split("/")[1], signed.organization.name.split("/")[1] if organization else ""
        )

    async def worker(self, name: str = "Nguyen Van An") -> Person:
        return await self._sign_up(identity_pb2.ACCOUNT_TYPE_WORKER, name)

    async def employer(self, organization: str = "Osaka Welding Works") -> Person:
        return await self._sign_up(identity_pb2.ACCOUNT_TYPE_EMPLOYER, "Hiring Manager", organization)

    async def issuer_member(self, organization: str = "Japan Foundation Test Centre") -> Person:
        return await self._sign_up(identity_pb2.ACCOUNT_TYPE_ISSUER, "Registrar", organization)

    async def admin(self) -> Person:
        email = f"{word('admin')}@example.com"
        row = await create_admin(self.database_url, email, "Platform Admin", PASSWORD, actor="test")
        account = self.client(self.identity_target)
        client = self.client()
        client.use_tokens((await account.login(email, PASSWORD)).tokens)
        return Person(client, str(row.id))

    async def issuer(
        self,
        types=("JlptResultCredential",),
        *,
        did_method=pb.DID_METHOD_WEB,
        cryptosuite=pb.CRYPTOSUITE_ECDSA_RDFC_2019,
        admin: Person | None = None,
        name: str = "Japan Foundation Test Centre",
    ) -> Person:
        """An issuer organisation, registered and accredited for `types` (none if empty)."""
        person = await self.issuer_member(name)
        await person.api.RegisterIssuer(
            pb.RegisterIssuerRequest(
                name=person.issuer, display_name=name, did_method=did_method, cryptosuite=cryptosuite
            )
        )
        if types:
            admin = admin or await self.admin()
            await admin.api.AccreditIssuer(
                pb.AccreditIssuerRequest(
                    parent=person.issuer,
                    accreditation=pb.Accreditation(
                        credential_types=list(types), valid_from=ts(dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
                    ),
                )
            )
        return person

    async def close(self) -> None:
        for client in self._clients:
            await client.close()
