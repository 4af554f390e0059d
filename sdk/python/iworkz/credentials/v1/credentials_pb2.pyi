import datetime

from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from iworkz.auth.v1 import access_pb2 as _access_pb2
from iworkz.type.v1 import audit_pb2 as _audit_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CredentialFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDENTIAL_FORMAT_UNSPECIFIED: _ClassVar[CredentialFormat]
    CREDENTIAL_FORMAT_DATA_INTEGRITY: _ClassVar[CredentialFormat]
    CREDENTIAL_FORMAT_SD_JWT: _ClassVar[CredentialFormat]

class Cryptosuite(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CRYPTOSUITE_UNSPECIFIED: _ClassVar[Cryptosuite]
    CRYPTOSUITE_ECDSA_RDFC_2019: _ClassVar[Cryptosuite]
    CRYPTOSUITE_EDDSA_RDFC_2022: _ClassVar[Cryptosuite]

class DidMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DID_METHOD_UNSPECIFIED: _ClassVar[DidMethod]
    DID_METHOD_WEB: _ClassVar[DidMethod]
    DID_METHOD_KEY: _ClassVar[DidMethod]

class CredentialState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDENTIAL_STATE_UNSPECIFIED: _ClassVar[CredentialState]
    CREDENTIAL_STATE_ACTIVE: _ClassVar[CredentialState]
    CREDENTIAL_STATE_SUSPENDED: _ClassVar[CredentialState]
    CREDENTIAL_STATE_REVOKED: _ClassVar[CredentialState]

class CheckResult(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHECK_RESULT_UNSPECIFIED: _ClassVar[CheckResult]
    CHECK_RESULT_PASS: _ClassVar[CheckResult]
    CHECK_RESULT_FAIL: _ClassVar[CheckResult]
    CHECK_RESULT_SKIPPED: _ClassVar[CheckResult]
CREDENTIAL_FORMAT_UNSPECIFIED: CredentialFormat
CREDENTIAL_FORMAT_DATA_INTEGRITY: CredentialFormat
CREDENTIAL_FORMAT_SD_JWT: CredentialFormat
CRYPTOSUITE_UNSPECIFIED: Cryptosuite
CRYPTOSUITE_ECDSA_RDFC_2019: Cryptosuite
CRYPTOSUITE_EDDSA_RDFC_2022: Cryptosuite
DID_METHOD_UNSPECIFIED: DidMethod
DID_METHOD_WEB: DidMethod
DID_METHOD_KEY: DidMethod
CREDENTIAL_STATE_UNSPECIFIED: CredentialState
CREDENTIAL_STATE_ACTIVE: CredentialState
CREDENTIAL_STATE_SUSPENDED: CredentialState
CREDENTIAL_STATE_REVOKED: CredentialState
CHECK_RESULT_UNSPECIFIED: CheckResult
CHECK_RESULT_PASS: CheckResult
CHECK_RESULT_FAIL: CheckResult
CHECK_RESULT_SKIPPED: CheckResult

class IssuerKey(_message.Message):
    __slots__ = ("id", "cryptosuite", "public_key_multibase", "create_time", "retire_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    CRYPTOSUITE_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_MULTIBASE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    RETIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    cryptosuite: Cryptosuite
    public_key_multibase: str
    create_time: _timestamp_pb2.Timestamp
    retire_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., cryptosuite: _Optional[_Union[Cryptosuite, str]] = ..., public_key_multibase: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., retire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Issuer(_message.Message):
    __slots__ = ("name", "display_name", "did", "did_method", "keys", "accreditations", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DID_FIELD_NUMBER: _ClassVar[int]
    DID_METHOD_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    ACCREDITATIONS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    did: str
    did_method: DidMethod
    keys: _containers.RepeatedCompositeFieldContainer[IssuerKey]
    accreditations: _containers.RepeatedCompositeFieldContainer[Accreditation]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., did: _Optional[str] = ..., did_method: _Optional[_Union[DidMethod, str]] = ..., keys: _Optional[_Iterable[_Union[IssuerKey, _Mapping]]] = ..., accreditations: _Optional[_Iterable[_Union[Accreditation, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Accreditation(_message.Message):
    __slots__ = ("name", "credential_types", "valid_from", "valid_until", "withdraw_time", "withdraw_reason", "granted_by")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_TYPES_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    WITHDRAW_TIME_FIELD_NUMBER: _ClassVar[int]
    WITHDRAW_REASON_FIELD_NUMBER: _ClassVar[int]
    GRANTED_BY_FIELD_NUMBER: _ClassVar[int]
    name: str
    credential_types: _containers.RepeatedScalarFieldContainer[str]
    valid_from: _timestamp_pb2.Timestamp
    valid_until: _timestamp_pb2.Timestamp
    withdraw_time: _timestamp_pb2.Timestamp
    withdraw_reason: str
    granted_by: str
    def __init__(self, name: _Optional[str] = ..., credential_types: _Optional[_Iterable[str]] = ..., valid_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., withdraw_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., withdraw_reason: _Optional[str] = ..., granted_by: _Optional[str] = ...) -> None: ...

class Anchor(_message.Message):
    __slots__ = ("anchored", "digest", "merkle_root", "merkle_proof", "leaf_index", "chain_id", "contract_address", "transaction_hash", "block_number", "anchor_time", "tree_size")
    ANCHORED_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    MERKLE_ROOT_FIELD_NUMBER: _ClassVar[int]
    MERKLE_PROOF_FIELD_NUMBER: _ClassVar[int]
    LEAF_INDEX_FIELD_NUMBER: _ClassVar[int]
    CHAIN_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_HASH_FIELD_NUMBER: _ClassVar[int]
    BLOCK_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_TIME_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    anchored: bool
    digest: str
    merkle_root: str
    merkle_proof: _containers.RepeatedScalarFieldContainer[str]
    leaf_index: int
    chain_id: int
    contract_address: str
    transaction_hash: str
    block_number: int
    anchor_time: _timestamp_pb2.Timestamp
    tree_size: int
    def __init__(self, anchored: _Optional[bool] = ..., digest: _Optional[str] = ..., merkle_root: _Optional[str] = ..., merkle_proof: _Optional[_Iterable[str]] = ..., leaf_index: _Optional[int] = ..., chain_id: _Optional[int] = ..., contract_address: _Optional[str] = ..., transaction_hash: _Optional[str] = ..., block_number: _Optional[int] = ..., anchor_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tree_size: _Optional[int] = ...) -> None: ...

class Credential(_message.Message):
    __slots__ = ("name", "id", "type", "format", "cryptosuite", "subject", "subject_did", "issuer_did", "state", "status_reason", "issue_time", "valid_from", "valid_until", "verifiable_credential", "sd_jwt", "anchor")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CRYPTOSUITE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_DID_FIELD_NUMBER: _ClassVar[int]
    ISSUER_DID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    ISSUE_TIME_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    VERIFIABLE_CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    SD_JWT_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_FIELD_NUMBER: _ClassVar[int]
    name: str
    id: str
    type: str
    format: CredentialFormat
    cryptosuite: Cryptosuite
    subject: str
    subject_did: str
    issuer_did: str
    state: CredentialState
    status_reason: str
    issue_time: _timestamp_pb2.Timestamp
    valid_from: _timestamp_pb2.Timestamp
    valid_until: _timestamp_pb2.Timestamp
    verifiable_credential: _struct_pb2.Value
    sd_jwt: str
    anchor: Anchor
    def __init__(self, name: _Optional[str] = ..., id: _Optional[str] = ..., type: _Optional[str] = ..., format: _Optional[_Union[CredentialFormat, str]] = ..., cryptosuite: _Optional[_Union[Cryptosuite, str]] = ..., subject: _Optional[str] = ..., subject_did: _Optional[str] = ..., issuer_did: _Optional[str] = ..., state: _Optional[_Union[CredentialState, str]] = ..., status_reason: _Optional[str] = ..., issue_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., verifiable_credential: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., sd_jwt: _Optional[str] = ..., anchor: _Optional[_Union[Anchor, _Mapping]] = ...) -> None: ...

class Check(_message.Message):
    __slots__ = ("check", "result", "reason", "credential_id")
    CHECK_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    check: str
    result: CheckResult
    reason: str
    credential_id: str
    def __init__(self, check: _Optional[str] = ..., result: _Optional[_Union[CheckResult, str]] = ..., reason: _Optional[str] = ..., credential_id: _Optional[str] = ...) -> None: ...

class ProblemDetail(_message.Message):
    __slots__ = ("type", "title", "detail")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    type: str
    title: str
    detail: str
    def __init__(self, type: _Optional[str] = ..., title: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class Wallet(_message.Message):
    __slots__ = ("name", "holder_did", "credential_count")
    NAME_FIELD_NUMBER: _ClassVar[int]
    HOLDER_DID_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    name: str
    holder_did: str
    credential_count: int
    def __init__(self, name: _Optional[str] = ..., holder_did: _Optional[str] = ..., credential_count: _Optional[int] = ...) -> None: ...

class ShareLink(_message.Message):
    __slots__ = ("name", "token", "expire_time", "one_time", "url")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    ONE_TIME_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    name: str
    token: str
    expire_time: _timestamp_pb2.Timestamp
    one_time: bool
    url: str
    def __init__(self, name: _Optional[str] = ..., token: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., one_time: _Optional[bool] = ..., url: _Optional[str] = ...) -> None: ...

class CredentialType(_message.Message):
    __slots__ = ("type", "description", "schema_url", "schema")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_URL_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    type: str
    description: str
    schema_url: str
    schema: _struct_pb2.Struct
    def __init__(self, type: _Optional[str] = ..., description: _Optional[str] = ..., schema_url: _Optional[str] = ..., schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class RegisterIssuerRequest(_message.Message):
    __slots__ = ("name", "display_name", "did_method", "cryptosuite")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DID_METHOD_FIELD_NUMBER: _ClassVar[int]
    CRYPTOSUITE_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    did_method: DidMethod
    cryptosuite: Cryptosuite
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., did_method: _Optional[_Union[DidMethod, str]] = ..., cryptosuite: _Optional[_Union[Cryptosuite, str]] = ...) -> None: ...

class RegisterIssuerResponse(_message.Message):
    __slots__ = ("issuer",)
    ISSUER_FIELD_NUMBER: _ClassVar[int]
    issuer: Issuer
    def __init__(self, issuer: _Optional[_Union[Issuer, _Mapping]] = ...) -> None: ...

class GetIssuerRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetIssuerResponse(_message.Message):
    __slots__ = ("issuer",)
    ISSUER_FIELD_NUMBER: _ClassVar[int]
    issuer: Issuer
    def __init__(self, issuer: _Optional[_Union[Issuer, _Mapping]] = ...) -> None: ...

class ResolveDidRequest(_message.Message):
    __slots__ = ("did",)
    DID_FIELD_NUMBER: _ClassVar[int]
    did: str
    def __init__(self, did: _Optional[str] = ...) -> None: ...

class ResolveDidResponse(_message.Message):
    __slots__ = ("did_document",)
    DID_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    did_document: _struct_pb2.Struct
    def __init__(self, did_document: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class GetDidDocumentRequest(_message.Message):
    __slots__ = ("issuer_id",)
    ISSUER_ID_FIELD_NUMBER: _ClassVar[int]
    issuer_id: str
    def __init__(self, issuer_id: _Optional[str] = ...) -> None: ...

class GetDidDocumentResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: _httpbody_pb2.HttpBody
    def __init__(self, document: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ...) -> None: ...

class RotateIssuerKeyRequest(_message.Message):
    __slots__ = ("name", "cryptosuite")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CRYPTOSUITE_FIELD_NUMBER: _ClassVar[int]
    name: str
    cryptosuite: Cryptosuite
    def __init__(self, name: _Optional[str] = ..., cryptosuite: _Optional[_Union[Cryptosuite, str]] = ...) -> None: ...

class RotateIssuerKeyResponse(_message.Message):
    __slots__ = ("issuer",)
    ISSUER_FIELD_NUMBER: _ClassVar[int]
    issuer: Issuer
    def __init__(self, issuer: _Optional[_Union[Issuer, _Mapping]] = ...) -> None: ...

class AccreditIssuerRequest(_message.Message):
    __slots__ = ("parent", "accreditation")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    ACCREDITATION_FIELD_NUMBER: _ClassVar[int]
    parent: str
    accreditation: Accreditation
    def __init__(self, parent: _Optional[str] = ..., accreditation: _Optional[_Union[Accreditation, _Mapping]] = ...) -> None: ...

class AccreditIssuerResponse(_message.Message):
    __slots__ = ("accreditation",)
    ACCREDITATION_FIELD_NUMBER: _ClassVar[int]
    accreditation: Accreditation
    def __init__(self, accreditation: _Optional[_Union[Accreditation, _Mapping]] = ...) -> None: ...

class WithdrawAccreditationRequest(_message.Message):
    __slots__ = ("name", "reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class WithdrawAccreditationResponse(_message.Message):
    __slots__ = ("accreditation",)
    ACCREDITATION_FIELD_NUMBER: _ClassVar[int]
    accreditation: Accreditation
    def __init__(self, accreditation: _Optional[_Union[Accreditation, _Mapping]] = ...) -> None: ...

class ListAccreditationsRequest(_message.Message):
    __slots__ = ("parent",)
    PARENT_FIELD_NUMBER: _ClassVar[int]
    parent: str
    def __init__(self, parent: _Optional[str] = ...) -> None: ...

class ListAccreditationsResponse(_message.Message):
    __slots__ = ("accreditations",)
    ACCREDITATIONS_FIELD_NUMBER: _ClassVar[int]
    accreditations: _containers.RepeatedCompositeFieldContainer[Accreditation]
    def __init__(self, accreditations: _Optional[_Iterable[_Union[Accreditation, _Mapping]]] = ...) -> None: ...

class ListCredentialTypesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListCredentialTypesResponse(_message.Message):
    __slots__ = ("credential_types",)
    CREDENTIAL_TYPES_FIELD_NUMBER: _ClassVar[int]
    credential_types: _containers.RepeatedCompositeFieldContainer[CredentialType]
    def __init__(self, credential_types: _Optional[_Iterable[_Union[CredentialType, _Mapping]]] = ...) -> None: ...

class GetCredentialSchemaRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetCredentialSchemaResponse(_message.Message):
    __slots__ = ("schema",)
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    schema: _httpbody_pb2.HttpBody
    def __init__(self, schema: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ...) -> None: ...

class IssueCredentialOptions(_message.Message):
    __slots__ = ("format", "subject", "credential_id", "mandatory_pointers")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    MANDATORY_POINTERS_FIELD_NUMBER: _ClassVar[int]
    format: CredentialFormat
    subject: str
    credential_id: str
    mandatory_pointers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, format: _Optional[_Union[CredentialFormat, str]] = ..., subject: _Optional[str] = ..., credential_id: _Optional[str] = ..., mandatory_pointers: _Optional[_Iterable[str]] = ...) -> None: ...

class IssueCredentialRequest(_message.Message):
    __slots__ = ("parent", "credential", "options", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    credential: _struct_pb2.Struct
    options: IssueCredentialOptions
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., credential: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., options: _Optional[_Union[IssueCredentialOptions, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class IssueCredentialResponse(_message.Message):
    __slots__ = ("verifiable_credential", "credential")
    VERIFIABLE_CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    verifiable_credential: _struct_pb2.Value
    credential: Credential
    def __init__(self, verifiable_credential: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., credential: _Optional[_Union[Credential, _Mapping]] = ...) -> None: ...

class GetCredentialRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetCredentialResponse(_message.Message):
    __slots__ = ("credential",)
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    credential: Credential
    def __init__(self, credential: _Optional[_Union[Credential, _Mapping]] = ...) -> None: ...

class ListIssuedCredentialsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListIssuedCredentialsResponse(_message.Message):
    __slots__ = ("credentials", "next_page_token")
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    credentials: _containers.RepeatedCompositeFieldContainer[Credential]
    next_page_token: str
    def __init__(self, credentials: _Optional[_Iterable[_Union[Credential, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SuspendCredentialRequest(_message.Message):
    __slots__ = ("name", "reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class SuspendCredentialResponse(_message.Message):
    __slots__ = ("credential",)
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    credential: Credential
    def __init__(self, credential: _Optional[_Union[Credential, _Mapping]] = ...) -> None: ...

class UnsuspendCredentialRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class UnsuspendCredentialResponse(_message.Message):
    __slots__ = ("credential",)
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    credential: Credential
    def __init__(self, credential: _Optional[_Union[Credential, _Mapping]] = ...) -> None: ...

class RevokeCredentialRequest(_message.Message):
    __slots__ = ("name", "reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RevokeCredentialResponse(_message.Message):
    __slots__ = ("credential",)
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    credential: Credential
    def __init__(self, credential: _Optional[_Union[Credential, _Mapping]] = ...) -> None: ...

class CredentialStatusSelector(_message.Message):
    __slots__ = ("type", "status_purpose", "id", "status_list_index", "status_list_credential")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_PURPOSE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_LIST_INDEX_FIELD_NUMBER: _ClassVar[int]
    STATUS_LIST_CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    type: str
    status_purpose: str
    id: str
    status_list_index: str
    status_list_credential: str
    def __init__(self, type: _Optional[str] = ..., status_purpose: _Optional[str] = ..., id: _Optional[str] = ..., status_list_index: _Optional[str] = ..., status_list_credential: _Optional[str] = ...) -> None: ...

class UpdateCredentialStatusRequest(_message.Message):
    __slots__ = ("credential_id", "credential_status", "status", "reason")
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    credential_id: str
    credential_status: CredentialStatusSelector
    status: bool
    reason: str
    def __init__(self, credential_id: _Optional[str] = ..., credential_status: _Optional[_Union[CredentialStatusSelector, _Mapping]] = ..., status: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class UpdateCredentialStatusResponse(_message.Message):
    __slots__ = ("credential",)
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    credential: Credential
    def __init__(self, credential: _Optional[_Union[Credential, _Mapping]] = ...) -> None: ...

class GetStatusListRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetStatusListResponse(_message.Message):
    __slots__ = ("status_list_credential",)
    STATUS_LIST_CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    status_list_credential: _httpbody_pb2.HttpBody
    def __init__(self, status_list_credential: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ...) -> None: ...

class GetCredentialAnchorRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetCredentialAnchorResponse(_message.Message):
    __slots__ = ("anchor",)
    ANCHOR_FIELD_NUMBER: _ClassVar[int]
    anchor: Anchor
    def __init__(self, anchor: _Optional[_Union[Anchor, _Mapping]] = ...) -> None: ...

class WatchStatusRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class WatchStatusResponse(_message.Message):
    __slots__ = ("name", "state", "reason", "change_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: CredentialState
    reason: str
    change_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., state: _Optional[_Union[CredentialState, str]] = ..., reason: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetWalletRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetWalletResponse(_message.Message):
    __slots__ = ("wallet",)
    WALLET_FIELD_NUMBER: _ClassVar[int]
    wallet: Wallet
    def __init__(self, wallet: _Optional[_Union[Wallet, _Mapping]] = ...) -> None: ...

class ListWalletCredentialsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListWalletCredentialsResponse(_message.Message):
    __slots__ = ("credentials", "next_page_token")
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    credentials: _containers.RepeatedCompositeFieldContainer[Credential]
    next_page_token: str
    def __init__(self, credentials: _Optional[_Iterable[_Union[Credential, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreatePresentationRequest(_message.Message):
    __slots__ = ("parent", "credentials", "challenge", "domain", "disclose")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    DISCLOSE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    credentials: _containers.RepeatedScalarFieldContainer[str]
    challenge: str
    domain: str
    disclose: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, parent: _Optional[str] = ..., credentials: _Optional[_Iterable[str]] = ..., challenge: _Optional[str] = ..., domain: _Optional[str] = ..., disclose: _Optional[_Iterable[str]] = ...) -> None: ...

class CreatePresentationResponse(_message.Message):
    __slots__ = ("presentation", "format")
    PRESENTATION_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    presentation: _struct_pb2.Value
    format: CredentialFormat
    def __init__(self, presentation: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., format: _Optional[_Union[CredentialFormat, str]] = ...) -> None: ...

class CreateShareLinkRequest(_message.Message):
    __slots__ = ("parent", "presentation", "ttl_seconds", "one_time")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PRESENTATION_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ONE_TIME_FIELD_NUMBER: _ClassVar[int]
    parent: str
    presentation: _struct_pb2.Value
    ttl_seconds: int
    one_time: bool
    def __init__(self, parent: _Optional[str] = ..., presentation: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., ttl_seconds: _Optional[int] = ..., one_time: _Optional[bool] = ...) -> None: ...

class CreateShareLinkResponse(_message.Message):
    __slots__ = ("share_link",)
    SHARE_LINK_FIELD_NUMBER: _ClassVar[int]
    share_link: ShareLink
    def __init__(self, share_link: _Optional[_Union[ShareLink, _Mapping]] = ...) -> None: ...

class GetSharedPresentationRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class GetSharedPresentationResponse(_message.Message):
    __slots__ = ("presentation", "format")
    PRESENTATION_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    presentation: _struct_pb2.Value
    format: CredentialFormat
    def __init__(self, presentation: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., format: _Optional[_Union[CredentialFormat, str]] = ...) -> None: ...

class VerifyOptions(_message.Message):
    __slots__ = ("challenge", "domain")
    CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    challenge: str
    domain: str
    def __init__(self, challenge: _Optional[str] = ..., domain: _Optional[str] = ...) -> None: ...

class VerifyCredentialRequest(_message.Message):
    __slots__ = ("verifiable_credential", "options")
    VERIFIABLE_CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    verifiable_credential: _struct_pb2.Value
    options: VerifyOptions
    def __init__(self, verifiable_credential: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., options: _Optional[_Union[VerifyOptions, _Mapping]] = ...) -> None: ...

class VerifyCredentialResponse(_message.Message):
    __slots__ = ("verified", "checks", "problem_details", "credential")
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    verified: bool
    checks: _containers.RepeatedCompositeFieldContainer[Check]
    problem_details: _containers.RepeatedCompositeFieldContainer[ProblemDetail]
    credential: Credential
    def __init__(self, verified: _Optional[bool] = ..., checks: _Optional[_Iterable[_Union[Check, _Mapping]]] = ..., problem_details: _Optional[_Iterable[_Union[ProblemDetail, _Mapping]]] = ..., credential: _Optional[_Union[Credential, _Mapping]] = ...) -> None: ...

class VerifyPresentationRequest(_message.Message):
    __slots__ = ("verifiable_presentation", "options")
    VERIFIABLE_PRESENTATION_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    verifiable_presentation: _struct_pb2.Value
    options: VerifyOptions
    def __init__(self, verifiable_presentation: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., options: _Optional[_Union[VerifyOptions, _Mapping]] = ...) -> None: ...

class VerifyPresentationResponse(_message.Message):
    __slots__ = ("verified", "checks", "problem_details", "disclosed_claims")
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_DETAILS_FIELD_NUMBER: _ClassVar[int]
    DISCLOSED_CLAIMS_FIELD_NUMBER: _ClassVar[int]
    verified: bool
    checks: _containers.RepeatedCompositeFieldContainer[Check]
    problem_details: _containers.RepeatedCompositeFieldContainer[ProblemDetail]
    disclosed_claims: _struct_pb2.Struct
    def __init__(self, verified: _Optional[bool] = ..., checks: _Optional[_Iterable[_Union[Check, _Mapping]]] = ..., problem_details: _Optional[_Iterable[_Union[ProblemDetail, _Mapping]]] = ..., disclosed_claims: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ListAuditEventsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "actor", "target", "action", "start_time", "end_time")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    actor: str
    target: str
    action: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., actor: _Optional[str] = ..., target: _Optional[str] = ..., action: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAuditEventsResponse(_message.Message):
    __slots__ = ("audit_events", "next_page_token")
    AUDIT_EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    audit_events: _containers.RepeatedCompositeFieldContainer[_audit_pb2.AuditEvent]
    next_page_token: str
    def __init__(self, audit_events: _Optional[_Iterable[_Union[_audit_pb2.AuditEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
