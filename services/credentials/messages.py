"""Contract messages built from the credential service's rows, and JSON in and out.

JSON travels in `google.protobuf.Struct`/`Value`, whose numbers are doubles:
`to_json` turns whole numbers back into integers, so a credential's `85`
stays the xsd:integer it was signed as rather than becoming `85.0`.
"""

from __future__ import annotations

import json
from typing import Any

from google.api import httpbody_pb2
from google.protobuf import json_format, struct_pb2

from iworkz.credentials.v1 import credentials_pb2 as pb
from iworkz.credentials.v1 import events_pb2
from services.credentials.domain import keys as keytypes
from services.runtime.timestamps import timestamp

SUITES = {pb.CRYPTOSUITE_ECDSA_RDFC_2019: keytypes.ECDSA, pb.CRYPTOSUITE_EDDSA_RDFC_2022: keytypes.EDDSA}
SUITE_ENUM = {v: k for k, v in SUITES.items()}
FORMATS = {"data-integrity": pb.CREDENTIAL_FORMAT_DATA_INTEGRITY, "sd-jwt": pb.CREDENTIAL_FORMAT_SD_JWT}
STATES = {
    "active": pb.CREDENTIAL_STATE_ACTIVE,
    "suspended": pb.CREDENTIAL_STATE_SUSPENDED,
    "revoked": pb.CREDENTIAL_STATE_REVOKED,
}
RESULTS = {"pass": pb.CHECK_RESULT_PASS, "fail": pb.CHECK_RESULT_FAIL, "skipped": pb.CHECK_RESULT_SKIPPED}


def to_json(value: Any) -> Any:
    """A Struct/Value (already converted with MessageToDict) with whole floats made ints."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def struct_json(message: struct_pb2.Struct) -> dict[str, Any]:
    result: dict[str, Any] = to_json(json_format.MessageToDict(message))
    return result


def value_json(message: struct_pb2.Value) -> Any:
    return to_json(json_format.MessageToDict(message))


def struct(value: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(value)
    return message


def body_json(body: httpbody_pb2.HttpBody) -> Any:
    """The JSON document in an HttpBody (for gRPC callers of the public document RPCs)."""
    return json.loads(body.data)


def http_json(data: dict[str, Any], content_type: str) -> httpbody_pb2.HttpBody:
    """A JSON document as the HTTP body itself (served as is through the edge)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return httpbody_pb2.HttpBody(content_type=content_type, data=text.encode())


def value(data: Any) -> struct_pb2.Value:
    if isinstance(data, dict):
        return struct_pb2.Value(struct_value=struct(data))
    if isinstance(data, str):
        return struct_pb2.Value(string_value=data)
    message = struct_pb2.Value()
    json_format.ParseDict(data, message)
    return message


def sd_jwt_envelope(sd_jwt: str) -> dict[str, Any]:
    """The VC 2.0 `EnvelopedVerifiableCredential` carrying an SD-JWT VC."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"data:application/dc+sd-jwt,{sd_jwt}",
        "type": "EnvelopedVerifiableCredential",
    }


def credential_name(row: dict[str, Any]) -> str:
    return f"issuers/{row['issuer_id']}/credentials/{row['id']}"


def anchor(row: dict[str, Any] | None, digest: bytes) -> pb.Anchor:
    message = pb.Anchor(digest=digest.hex())
    if row is None or row.get("state") != "anchored":
        return message
    message.anchored = True
    message.merkle_root = bytes(row["root"]).hex()
    message.merkle_proof.extend(bytes(p).hex() for p in row["proof"] or [])
    message.leaf_index = row["leaf_index"]
    message.tree_size = row["leaf_count"]
    message.chain_id = row["chain_id"] or 0
    message.contract_address = row["contract"]
    message.transaction_hash = row["tx_hash"]
    message.block_number = row["block_number"] or 0
    if row.get("anchored_at"):
        message.anchor_time.CopyFrom(timestamp(row["anchored_at"]))
    return message


def credential(row: dict[str, Any], issuer_did: str, anchor_row: dict[str, Any] | None = None) -> pb.Credential:
    message = pb.Credential(
        name=credential_name(row),
        id=row["vc_id"],
        type=row["type"],
        format=FORMATS[row["format"]],
        cryptosuite=SUITE_ENUM[row["suite"]],
        subject=f"workers/{row['subject_user']}" if row["subject_user"] else "",
        subject_did=row["subject_did"],
        issuer_did=issuer_did,
        state=STATES[row["state"]],
        status_reason=row["status_reason"],
        sd_jwt=row["sd_jwt"] or "",
        anchor=anchor(anchor_row, bytes(row["digest"])),
    )
    for field, column in (("issue_time", "issued_at"), ("valid_from", "valid_from"), ("valid_until", "valid_until")):
        if row.get(column):
            getattr(message, field).CopyFrom(timestamp(row[column]))
    document = row["document"] if row["format"] == "data-integrity" else sd_jwt_envelope(row["sd_jwt"])
    message.verifiable_credential.CopyFrom(value(document))
    return message


def summary(row: dict[str, Any], issuer: dict[str, Any]) -> events_pb2.CredentialSummary:
    """What the credential events say about a credential."""
    message = events_pb2.CredentialSummary(
        name=credential_name(row),
        id=row["vc_id"],
        type=row["type"],
        issuer=f"issuers/{row['issuer_id']}",
        issuer_did=issuer["did"],
        issuer_display_name=issuer["display_name"],
        subject=f"workers/{row['subject_user']}" if row["subject_user"] else "",
        format=FORMATS[row["format"]],
        evidence={k: str(v) for k, v in (row["evidence"] or {}).items()},
        issuer_accredited=row["accredited"],
    )
    message.valid_from.CopyFrom(timestamp(row["valid_from"]))
    if row.get("valid_until"):
        message.valid_until.CopyFrom(timestamp(row["valid_until"]))
    return message


def accreditation(row: dict[str, Any]) -> pb.Accreditation:
    message = pb.Accreditation(
        name=f"issuers/{row['issuer_id']}/accreditations/{row['id']}",
        credential_types=row["credential_types"],
        withdraw_reason=row["withdraw_reason"],
        granted_by=row["granted_by"],
    )
    message.valid_from.CopyFrom(timestamp(row["valid_from"]))
    for field, column in (("valid_until", "valid_until"), ("withdraw_time", "withdrawn_at")):
        if row.get(column):
            getattr(message, field).CopyFrom(timestamp(row[column]))
    return message


def issuer(row: dict[str, Any], key_rows: list[dict[str, Any]], accreditation_rows: list[dict[str, Any]]) -> pb.Issuer:
    message = pb.Issuer(
        name=f"issuers/{row['id']}",
        display_name=row["display_name"],
        did=row["did"],
        did_method=pb.DID_METHOD_WEB if row["did_method"] == "web" else pb.DID_METHOD_KEY,
        accreditations=[accreditation(a) for a in accreditation_rows],
    )
    message.create_time.CopyFrom(timestamp(row["created_at"]))
    for key in key_rows:
        item = message.keys.add(
            id=key["method_id"], cryptosuite=SUITE_ENUM[key["suite"]], public_key_multibase=key["public_multibase"]
        )
        item.create_time.CopyFrom(timestamp(key["created_at"]))
        if key["retired_at"]:
            item.retire_time.CopyFrom(timestamp(key["retired_at"]))
    return message


def checks(outcome: Any) -> list[pb.Check]:
    return [
        pb.Check(check=c.check, result=RESULTS[c.result], reason=c.reason, credential_id=c.credential_id)
        for c in outcome.checks
    ]


def problems(outcome: Any) -> list[pb.ProblemDetail]:
    result = []
    for failure in outcome.failures:
        url, title, detail = failure.problem()
        result.append(pb.ProblemDetail(type=url, title=title, detail=f"{failure.check}: {detail}"))
    return result
