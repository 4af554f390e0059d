"""CredentialService: issuers, the trust registry, credentials, wallets and verification."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf import timestamp_pb2

from iworkz.credentials.v1 import credentials_pb2 as pb
from iworkz.credentials.v1 import credentials_pb2_grpc, events_pb2
from iworkz.type.v1 import audit_pb2
from services.credentials import messages, store
from services.credentials.anchoring import Anchorer
from services.credentials.config import CredentialsConfig
from services.credentials.domain import catalog, dataintegrity, dids, issuance, sdjwt, statuslist
from services.credentials.domain.catalog import CredentialType
from services.credentials.domain.contexts import VC_V2
from services.credentials.domain.keys import ECDSA, KeyPair, public_key_from_multibase
from services.credentials.domain.verification import NotACredential, Outcome, Verifier
from services.credentials.environment import ServiceEnvironment
from services.credentials.issuers import Issuers, Signer
from services.runtime import auditlog, context, outbox, paging
from services.runtime.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.runtime.fanout import RESYNC, Fanout
from services.runtime.names import resource_id
from services.runtime.server import Resources

SOURCE = "credentials"
_METHODS = {pb.DID_METHOD_UNSPECIFIED: "web", pb.DID_METHOD_WEB: "web", pb.DID_METHOD_KEY: "key"}
_DEFAULT_SHARE_SECONDS = 86_400


def _suite(value: int, default: str = ECDSA) -> str:
    return messages.SUITES.get(value, default)


def _wallet_where(user_id: str) -> str:
    return f"wallets.private_key:{user_id}"


class CredentialServicer(credentials_pb2_grpc.CredentialServiceServicer):
    def __init__(
        self,
        resources: Resources,
        config: CredentialsConfig,
        issuers: Issuers,
        environment: ServiceEnvironment,
        anchorer: Anchorer,
        live: Fanout,
    ) -> None:
        self.db, self.cipher = resources.db, resources.cipher
        self.config, self.issuers, self.environment = config, issuers, environment
        self.verifier = Verifier(environment)
        self.anchorer, self.live = anchorer, live
        self._holders: dict[str, str] = {}

    # --- helpers -------------------------------------------------------------------------

    @staticmethod
    def _member_of(issuer_id: str) -> None:
        """The caller acts for issuer `issuer_id` (or is an admin)."""
        caller = context.caller()
        if not caller.is_admin and caller.organization != issuer_id:
            raise PermissionDenied("only members of the issuer may do this")

    async def _issuer_message(self, conn, row: dict[str, Any]) -> pb.Issuer:
        return messages.issuer(row, await store.keys(conn, row["id"]), await store.accreditations(conn, row["id"]))

    async def _credential_message(self, conn, row: dict[str, Any]) -> pb.Credential:
        issuer = await store.issuer(conn, str(row["issuer_id"]))
        assert issuer is not None
        return messages.credential(row, issuer["did"], await store.anchor_of(conn, bytes(row["digest"])))

    async def _wallet(self, user_id: str) -> tuple[str, KeyPair]:
        """The worker's holder DID and key, made on first use."""
        async with self.db.connection() as conn:
            row = await store.wallet(conn, user_id)
            if row is None:
                key = KeyPair.generate(ECDSA)
                encrypted = self.cipher.encrypt(key.private_bytes().hex(), _wallet_where(user_id))
                row = await store.insert_wallet(conn, user_id, dids.did_key(key.public), encrypted)
        raw = bytes.fromhex(self.cipher.decrypt(bytes(row["private_key_enc"]), _wallet_where(user_id)))
        return row["holder_did"], KeyPair.from_private_bytes(ECDSA, raw)

    async def _holder_did(self, user_id: str) -> str:
        """The worker's holder DID (a wallet's DID never changes, so it is remembered)."""
        if user_id not in self._holders:
            if len(self._holders) > 100_000:
                self._holders.clear()
            self._holders[user_id] = (await self._wallet(user_id))[0]
        return self._holders[user_id]

    # --- issuers -------------------------------------------------------------------------

    async def RegisterIssuer(self, request, context_):
        issuer_id = resource_id(request.name, "issuers")
        row, _ = await self.issuers.register(
            issuer_id, request.display_name, _METHODS[request.did_method], _suite(request.cryptosuite)
        )
        async with self.db.connection() as conn:
            return pb.RegisterIssuerResponse(issuer=await self._issuer_message(conn, row))

    async def GetIssuer(self, request, context_):
        async with self.db.connection() as conn:
            row = await store.issuer(conn, resource_id(request.name, "issuers"))
            if row is None:
                raise NotFound("no such issuer")
            return pb.GetIssuerResponse(issuer=await self._issuer_message(conn, row))

    async def ResolveDid(self, request, context_):
        try:
            document = await self.environment.resolver.resolve(request.did)
        except dids.DidError as error:
            raise NotFound(f"cannot resolve {request.did}: {error}") from None
        return pb.ResolveDidResponse(did_document=messages.struct(document))

    async def GetDidDocument(self, request, context_):
        document = await self.issuers.did_document(request.issuer_id)
        etag = '"' + hashlib.sha256(issuance.canonical_json(document)).hexdigest()[:32] + '"'
        await context_.send_initial_metadata((("etag", etag), ("cache-control", "public, max-age=60")))
        return pb.GetDidDocumentResponse(document=messages.http_json(document, "application/did+json"))

    async def RotateIssuerKey(self, request, context_):
        issuer_id = resource_id(request.name, "issuers")
        await self.issuers.rotate(issuer_id, messages.SUITES.get(request.cryptosuite))
        async with self.db.connection() as conn:
            row = await store.issuer(conn, issuer_id)
            assert row is not None
            return pb.RotateIssuerKeyResponse(issuer=await self._issuer_message(conn, row))

    # --- the trust registry --------------------------------------------------------------

    async def AccreditIssuer(self, request, context_):
        accreditation = request.accreditation
        for index, name in enumerate(accreditation.credential_types):
            if name not in catalog.TYPES:
                raise InvalidArgument.field(
                    f"accreditation.credential_types[{index}]",
                    "is not a platform credential type: " + ", ".join(sorted(catalog.TYPES)),
                )
        valid_from = accreditation.valid_from.ToDatetime(UTC)
        valid_until = accreditation.valid_until.ToDatetime(UTC) if accreditation.HasField("valid_until") else None
        if valid_until is not None and valid_until <= valid_from:
            raise InvalidArgument.field("accreditation.valid_until", "must be after valid_from")
        caller = context.caller()
        async with self.db.transaction() as conn:
            issuer = await store.issuer(conn, resource_id(request.parent, "issuers"))
            if issuer is None:
                raise NotFound("no such issuer")
            row = await store.insert_accreditation(
                conn, issuer["id"], list(accreditation.credential_types), valid_from, valid_until, caller.user_name
            )
            message = messages.accreditation(row)
            await outbox.emit(
                conn, SOURCE, "issuer", str(issuer["id"]), events_pb2.IssuerAccredited(accreditation=message)
            )
            await outbox.audit(
                conn, caller.user_name, "accredit_issuer", message.name, {"types": list(accreditation.credential_types)}
            )
        self.environment.forget_accreditations()
        return pb.AccreditIssuerResponse(accreditation=message)

    async def WithdrawAccreditation(self, request, context_):
        caller = context.caller()
        async with self.db.transaction() as conn:
            row = await store.withdraw_accreditation(
                conn, resource_id(request.name, "issuers"), resource_id(request.name, "accreditations"), request.reason
            )
            if row is None:
                raise NotFound("no such accreditation")
            message = messages.accreditation(row)
            await outbox.emit(
                conn, SOURCE, "issuer", str(row["issuer_id"]), events_pb2.AccreditationWithdrawn(accreditation=message)
            )
            await outbox.audit(
                conn, caller.user_name, "withdraw_accreditation", request.name, {"reason": request.reason}
            )
        self.environment.forget_accreditations()
        return pb.WithdrawAccreditationResponse(accreditation=message)

    async def ListAccreditations(self, request, context_):
        async with self.db.connection() as conn:
            issuer = await store.issuer(conn, resource_id(request.parent, "issuers"))
            if issuer is None:
                raise NotFound("no such issuer")
            rows = await store.accreditations(conn, issuer["id"])
        return pb.ListAccreditationsResponse(accreditations=[messages.accreditation(r) for r in rows])

    async def ListAuditEvents(self, request, context_):
        events, token = await auditlog.list_events(self.db, request, audit_pb2.AuditEvent)
        return pb.ListAuditEventsResponse(audit_events=events, next_page_token=token)

    async def ListCredentialTypes(self, request, context_):
        return pb.ListCredentialTypesResponse(
            credential_types=[
                pb.CredentialType(
                    type=t.type,
                    description=t.description,
                    schema_url=self.issuers.schema_url(t.slug),
                    schema=messages.struct(self._schema(t)),
                )
                for t in catalog.TYPES.values()
            ]
        )

    def _schema(self, credential_type: CredentialType) -> dict[str, Any]:
        return {"$id": self.issuers.schema_url(credential_type.slug), **credential_type.schema}

    async def GetCredentialSchema(self, request, context_):
        found = catalog.BY_SLUG.get(resource_id(request.name, "credentialSchemas"))
        if found is None:
            raise NotFound("no such credential schema")
        return pb.GetCredentialSchemaResponse(schema=messages.http_json(self._schema(found), "application/schema+json"))

    # --- issuing -------------------------------------------------------------------------

    async def _subject(self, request, credential: dict[str, Any]) -> tuple[str | None, str]:
        """(worker id, holder DID) of the credential's subject."""
        if request.options.subject:
            user_id = resource_id(request.options.subject, "workers")
            return user_id, await self._holder_did(user_id)
        subject = credential.get("credentialSubject")
        subject_did = subject.get("id") if isinstance(subject, dict) else None
        if not isinstance(subject_did, str) or not subject_did.startswith("did:"):
            raise InvalidArgument.field(
                "options.subject", "name the worker (workers/{user}) or give credentialSubject.id as a DID"
            )
        async with self.db.connection() as conn:
            owner = await store.wallet_owner(conn, subject_did)
        return owner, subject_did

    async def IssueCredential(self, request, context_):
        caller = context.caller()
        issuer_id = resource_id(request.parent, "issuers") if request.parent else caller.organization
        if not issuer_id:
            raise PermissionDenied("the caller acts for no issuer organisation")
        self._member_of(issuer_id)
        credential = messages.struct_json(request.credential)
        sd_jwt_format = request.options.format == pb.CREDENTIAL_FORMAT_SD_JWT
        async with self.db.connection() as conn:
            signer = await self.issuers.signer(conn, uuid.UUID(issuer_id))
        try:
            credential_type = catalog.type_of(credential.get("type"))
        except catalog.CatalogError as error:
            raise InvalidArgument.field("credential.type", str(error)) from None
        now = datetime.now(UTC)
        async with self.db.connection() as conn:  # not the verifier's cache: the answer must be current
            accredited = await store.accredited(conn, signer.did, credential_type.type, now)
        if not accredited:
            raise PermissionDenied(f"the issuer is not accredited to issue {credential_type.type} now")
        user_id, holder_did = await self._subject(request, credential)
        if sd_jwt_format and not holder_did.startswith("did:key:"):
            raise InvalidArgument.field("credential.credentialSubject.id", "an SD-JWT VC is bound to a did:key holder")
        number, index = await self.issuers.allocate_status(signer)
        entries = [
            statuslist.entry(self.issuers.status_list_url(issuer_id, purpose, number), purpose, index)
            for purpose in statuslist.PURPOSES
        ]
        credential_uuid = uuid.uuid4()
        try:
            prepared = issuance.prepare(
                credential,
                issuer_did=signer.did,
                issuer_name=signer.display_name,
                subject_did=holder_did,
                credential_id=request.options.credential_id or f"urn:uuid:{credential_uuid}",
                schema_url=self.issuers.schema_url(credential_type.slug),
                status_entries=entries,
                now=now,
            )
        except issuance.IssuanceError as error:
            raise InvalidArgument.field(error.field, error.message) from None
        document, token = self._sign(prepared, signer, holder_did, sd_jwt_format)
        credential_digest = issuance.digest(token if token else document)
        subject = prepared.credential["credentialSubject"]
        row = {
            "id": credential_uuid,
            "issuer_id": signer.issuer_id,
            "vc_id": prepared.id,
            "type": credential_type.type,
            "format": "sd-jwt" if token else "data-integrity",
            "suite": signer.key.suite,
            "subject_user": uuid.UUID(user_id) if user_id else None,
            "subject_did": holder_did,
            "valid_from": prepared.valid_from,
            "valid_until": prepared.valid_until,
            "issued_at": now,
            "document": document if not token else None,
            "sd_jwt": token or None,
            "digest": credential_digest,
            "status_list": number,
            "status_index": index,
            "evidence": catalog.evidence(credential_type, subject),
            "accredited": True,
        }
        async with self.db.transaction() as conn:
            stored = await store.insert_credential(conn, row)
            await store.add_leaf(conn, credential_digest, credential_uuid)
            issuer_row = {"did": signer.did, "display_name": signer.display_name}
            await outbox.emit(
                conn,
                SOURCE,
                "credential",
                str(credential_uuid),
                events_pb2.CredentialIssued(credential=messages.summary(stored, issuer_row)),
            )
        self.anchorer.nudge()
        message = messages.credential(stored, signer.did, None)
        return pb.IssueCredentialResponse(verifiable_credential=message.verifiable_credential, credential=message)

    def _sign(
        self, prepared: issuance.Prepared, signer: Signer, holder_did: str, sd_jwt_format: bool
    ) -> tuple[dict[str, Any] | None, str]:
        """(signed VC, "") or (None, SD-JWT)."""
        if not sd_jwt_format:
            return dataintegrity.sign(
                prepared.credential, signer.key, signer.method_id, self.environment.canonicalize
            ), ""
        holder = public_key_from_multibase(holder_did.removeprefix("did:key:"))
        visible, disclosable = issuance.sd_jwt_claims(prepared)
        return None, sdjwt.issue(visible, disclosable, signer.key, signer.method_id, holder)

    # --- reading credentials -------------------------------------------------------------

    async def GetCredential(self, request, context_):
        caller = context.caller()
        async with self.db.connection() as conn:
            row = await store.credential(conn, resource_id(request.name, "credentials"))
            if row is None or str(row["issuer_id"]) != resource_id(request.name, "issuers"):
                raise NotFound("no such credential")
            allowed = (
                caller.is_admin
                or caller.organization == str(row["issuer_id"])
                or (row["subject_user"] is not None and caller.subject == str(row["subject_user"]))
            )
            if not allowed:
                raise PermissionDenied("only the issuer and the worker it was issued to may read a credential")
            return pb.GetCredentialResponse(credential=await self._credential_message(conn, row))

    async def _page(self, request, column: str, owner: str, fingerprint: str):
        size, after = paging.page_request(request, fingerprint, 20, 100)
        async with self.db.connection() as conn:
            rows = await store.credentials_page(conn, column, uuid.UUID(owner), size + 1, after)
            rows, token = paging.keyset_page(rows, size, fingerprint, lambda r: (r["issued_at"], r["id"]))
            return [await self._credential_message(conn, r) for r in rows], token

    async def ListIssuedCredentials(self, request, context_):
        issuer_id = resource_id(request.parent, "issuers")
        credentials, token = await self._page(
            request, "issuer_id", issuer_id, paging.fingerprint(parent=request.parent)
        )
        return pb.ListIssuedCredentialsResponse(credentials=credentials, next_page_token=token)

    # --- status changes --------------------------------------------------------------------

    async def _change(self, row_lookup, action: str, reason: str) -> pb.Credential:
        """Suspend, unsuspend or revoke: flip the status bit, re-sign the list, emit the event."""
        async with self.db.transaction() as conn:
            row = await row_lookup(conn)
            if row is None:
                raise NotFound("no such credential")
            self._member_of(str(row["issuer_id"]))
            state = row["state"]
            if state == "revoked" and action != "revoke":
                raise FailedPrecondition("the credential is revoked; revocation is final")
            target = {"suspend": "suspended", "unsuspend": "active", "revoke": "revoked"}[action]
            if state != target:
                signer = await self.issuers.signer(conn, row["issuer_id"])
                purpose = "revocation" if action == "revoke" else "suspension"
                await self.issuers.set_status(
                    conn, signer, purpose, row["status_list"], row["status_index"], action != "unsuspend"
                )
                row = await store.set_state(conn, row["id"], target, reason if action != "unsuspend" else "")
                issuer = {"did": signer.did, "display_name": signer.display_name}
                summary = messages.summary(row, issuer)
                event = {
                    "suspend": events_pb2.CredentialSuspended(credential=summary, reason=reason),
                    "unsuspend": events_pb2.CredentialUnsuspended(credential=summary),
                    "revoke": events_pb2.CredentialRevoked(credential=summary, reason=reason),
                }[action]
                await outbox.emit(conn, SOURCE, "credential", str(row["id"]), event)
                await outbox.audit(
                    conn,
                    context.caller().user_name,
                    f"{action}_credential",
                    messages.credential_name(row),
                    {"reason": reason},
                )
                self.environment.forget_status_list(
                    self.issuers.status_list_url(str(row["issuer_id"]), purpose, row["status_list"])
                )
                changed = True
            else:
                changed = False
            message = await self._credential_message(conn, row)
        if changed:
            await self.live.publish_many([(str(row["id"]), self._status_item(row).SerializeToString())])
        return message

    def _lookup_name(self, name: str):
        async def lookup(conn):
            row = await store.credential(conn, resource_id(name, "credentials"), for_update=True)
            return row if row is not None and str(row["issuer_id"]) == resource_id(name, "issuers") else None

        return lookup

    async def SuspendCredential(self, request, context_):
        credential = await self._change(self._lookup_name(request.name), "suspend", request.reason)
        return pb.SuspendCredentialResponse(credential=credential)

    async def UnsuspendCredential(self, request, context_):
        credential = await self._change(self._lookup_name(request.name), "unsuspend", "")
        return pb.UnsuspendCredentialResponse(credential=credential)

    async def RevokeCredential(self, request, context_):
        credential = await self._change(self._lookup_name(request.name), "revoke", request.reason)
        return pb.RevokeCredentialResponse(credential=credential)

    async def UpdateCredentialStatus(self, request, context_):
        purpose = request.credential_status.status_purpose
        if purpose == "revocation" and not request.status:
            raise FailedPrecondition("revocation is final: a revocation bit cannot be cleared")
        action = "revoke" if purpose == "revocation" else "suspend" if request.status else "unsuspend"
        credential_id = request.credential_id

        async def lookup(conn):
            if credential_id.startswith("issuers/"):
                return await self._lookup_name(credential_id)(conn)
            return await store.credential_by_vc_id(conn, credential_id, for_update=True)

        credential = await self._change(lookup, action, request.reason)
        return pb.UpdateCredentialStatusResponse(credential=credential)

    async def GetStatusList(self, request, context_):
        purpose, number = resource_id(request.name, "statusLists").rsplit("-", 1)
        async with self.db.connection() as conn:
            row = await store.status_list(conn, resource_id(request.name, "issuers"), purpose, int(number))
        if row is None:
            raise NotFound("no such status list")
        await context_.send_initial_metadata((("etag", row["etag"]), ("cache-control", "public, max-age=30")))
        return pb.GetStatusListResponse(
            status_list_credential=messages.http_json(row["signed"], "application/vc+ld+json")
        )

    async def GetCredentialAnchor(self, request, context_):
        async with self.db.connection() as conn:
            row = await store.credential(conn, resource_id(request.name, "credentials"))
            if row is None or str(row["issuer_id"]) != resource_id(request.name, "issuers"):
                raise NotFound("no such credential")
            anchor = await store.anchor_of(conn, bytes(row["digest"]))
        return pb.GetCredentialAnchorResponse(anchor=messages.anchor(anchor, bytes(row["digest"])))

    @staticmethod
    def _status_item(row: dict[str, Any]) -> pb.WatchStatusResponse:
        item = pb.WatchStatusResponse(
            name=messages.credential_name(row), state=messages.STATES[row["state"]], reason=row["status_reason"]
        )
        change = timestamp_pb2.Timestamp()
        change.FromDatetime(row["state_changed_at"])
        item.change_time.CopyFrom(change)
        return item

    async def WatchStatus(self, request, context_):
        """The current status, then every change. The database is the source of truth:
        a live message (or a quiet heartbeat interval, or a resync) makes it re-read."""
        credential_id = resource_id(request.name, "credentials")

        async def current():
            async with self.db.connection() as conn:
                row = await store.credential(conn, credential_id)
            if row is None or str(row["issuer_id"]) != resource_id(request.name, "issuers"):
                raise NotFound("no such credential")
            return row

        async with self.live.subscribe(credential_id) as subscription:
            row = await current()
            last = (row["state"], row["state_changed_at"])
            yield self._status_item(row)
            while True:
                item = await subscription.get(self.config.heartbeat_seconds)
                if item is not None and item is not RESYNC:
                    pass  # a change was published: read it from the database below
                row = await current()
                if (row["state"], row["state_changed_at"]) != last:
                    last = (row["state"], row["state_changed_at"])
                    yield self._status_item(row)

    # --- wallet ----------------------------------------------------------------------------

    async def GetWallet(self, request, context_):
        user_id = resource_id(request.name, "workers")
        holder_did, _ = await self._wallet(user_id)
        async with self.db.connection() as conn:
            count = await store.count_subject(conn, uuid.UUID(user_id))
        return pb.GetWalletResponse(wallet=pb.Wallet(name=request.name, holder_did=holder_did, credential_count=count))

    async def ListWalletCredentials(self, request, context_):
        user_id = resource_id(request.parent, "workers")
        credentials, token = await self._page(
            request, "subject_user", user_id, paging.fingerprint(parent=request.parent)
        )
        return pb.ListWalletCredentialsResponse(credentials=credentials, next_page_token=token)

    async def CreatePresentation(self, request, context_):
        user_id = resource_id(request.parent, "workers")
        rows = []
        async with self.db.connection() as conn:
            for index, name in enumerate(request.credentials):
                row = await store.credential(conn, resource_id(name, "credentials"))
                if row is None or str(row["issuer_id"]) != resource_id(name, "issuers"):
                    raise NotFound(f"credentials[{index}]: no such credential")
                if row["subject_user"] is None or str(row["subject_user"]) != user_id:
                    raise PermissionDenied(f"credentials[{index}] was not issued to this worker")
                rows.append(row)
        holder_did, key = await self._wallet(user_id)
        formats = {r["format"] for r in rows}
        if formats == {"sd-jwt"}:
            if len(rows) != 1:
                raise InvalidArgument.field("credentials", "an SD-JWT presentation carries exactly one credential")
            try:
                token = sdjwt.present(rows[0]["sd_jwt"], list(request.disclose), key, request.challenge, request.domain)
            except sdjwt.SdJwtError as error:
                raise InvalidArgument.field("disclose", str(error)) from None
            return pb.CreatePresentationResponse(presentation=messages.value(token), format=pb.CREDENTIAL_FORMAT_SD_JWT)
        if formats != {"data-integrity"}:
            raise InvalidArgument.field("credentials", "Data Integrity and SD-JWT credentials cannot be mixed")
        if request.disclose:
            raise InvalidArgument.field("disclose", "selective disclosure needs an SD-JWT credential")
        presentation = {
            "@context": [VC_V2],
            "type": ["VerifiablePresentation"],
            "holder": holder_did,
            "verifiableCredential": [r["document"] for r in rows],
        }
        method = f"{holder_did}#{holder_did.removeprefix('did:key:')}"
        signed = dataintegrity.sign(
            presentation,
            key,
            method,
            self.environment.canonicalize,
            purpose="authentication",
            challenge=request.challenge,
            domain=request.domain,
        )
        return pb.CreatePresentationResponse(
            presentation=messages.value(signed), format=pb.CREDENTIAL_FORMAT_DATA_INTEGRITY
        )

    async def CreateShareLink(self, request, context_):
        presentation = messages.value_json(request.presentation)
        if isinstance(presentation, str):
            format_ = "sd-jwt"
        elif isinstance(presentation, dict) and "VerifiablePresentation" in (presentation.get("type") or []):
            format_ = "data-integrity"
        else:
            raise InvalidArgument.field("presentation", "must be a presentation from CreatePresentation")
        token = secrets.token_urlsafe(24)
        ttl = request.ttl_seconds or _DEFAULT_SHARE_SECONDS
        expires = datetime.now(UTC) + timedelta(seconds=ttl)
        link_id = uuid.uuid4()
        async with self.db.connection() as conn:
            await store.insert_share_link(
                conn,
                link_id,
                resource_id(request.parent, "workers"),
                hashlib.sha256(token.encode()).digest(),
                {"presentation": presentation},
                format_,
                request.one_time,
                expires,
            )
        link = pb.ShareLink(
            name=f"{request.parent}/shareLinks/{link_id}",
            token=token,
            one_time=request.one_time,
            url=f"{self.config.public_url}/v1/shares/{token}",
        )
        link.expire_time.FromDatetime(expires)
        return pb.CreateShareLinkResponse(share_link=link)

    async def GetSharedPresentation(self, request, context_):
        async with self.db.connection() as conn:
            row = await store.open_share_link(conn, hashlib.sha256(request.token.encode()).digest())
        if row is None:
            raise NotFound("no such share link, or it has expired or been used")
        return pb.GetSharedPresentationResponse(
            presentation=messages.value(row["presentation"]["presentation"]), format=messages.FORMATS[row["format"]]
        )

    # --- verifying -------------------------------------------------------------------------

    async def _credential_record(self, outcome: Outcome) -> pb.Credential | None:
        if len(outcome.digests) != 1:
            return None
        async with self.db.connection() as conn:
            row = await store.credential_by_digest(conn, outcome.digests[0])
            return await self._credential_message(conn, row) if row else None

    async def VerifyCredential(self, request, context_):
        value = messages.value_json(request.verifiable_credential)
        try:
            outcome = await self.verifier.credential(value)
        except NotACredential as error:
            raise InvalidArgument.field("verifiable_credential", str(error)) from None
        return pb.VerifyCredentialResponse(
            verified=outcome.verified,
            checks=messages.checks(outcome),
            problem_details=messages.problems(outcome),
            credential=await self._credential_record(outcome),
        )

    async def VerifyPresentation(self, request, context_):
        value = messages.value_json(request.verifiable_presentation)
        try:
            outcome = await self.verifier.presentation(value, request.options.challenge, request.options.domain)
        except NotACredential as error:
            raise InvalidArgument.field("verifiable_presentation", str(error)) from None
        response = pb.VerifyPresentationResponse(
            verified=outcome.verified, checks=messages.checks(outcome), problem_details=messages.problems(outcome)
        )
        if outcome.disclosed:
            response.disclosed_claims.CopyFrom(messages.struct(outcome.disclosed))
        return response
