import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from iworkz.credentials.v1 import credentials_pb2 as _credentials_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CredentialSummary(_message.Message):
    __slots__ = ("name", "id", "type", "issuer", "issuer_did", "issuer_display_name", "subject", "format", "valid_from", "valid_until", "evidence", "issuer_accredited")
    class EvidenceEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ISSUER_FIELD_NUMBER: _ClassVar[int]
    ISSUER_DID_FIELD_NUMBER: _ClassVar[int]
    ISSUER_DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    ISSUER_ACCREDITED_FIELD_NUMBER: _ClassVar[int]
    name: str
    id: str
    type: str
    issuer: str
    issuer_did: str
    issuer_display_name: str
    subject: str
    format: _credentials_pb2.CredentialFormat
    valid_from: _timestamp_pb2.Timestamp
    valid_until: _timestamp_pb2.Timestamp
    evidence: _containers.ScalarMap[str, str]
    issuer_accredited: bool
    def __init__(self, name: _Optional[str] = ..., id: _Optional[str] = ..., type: _Optional[str] = ..., issuer: _Optional[str] = ..., issuer_did: _Optional[str] = ..., issuer_display_name: _Optional[str] = ..., subject: _Optional[str] = ..., format: _Optional[_Union[_credentials_pb2.CredentialFormat, str]] = ..., valid_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., evidence: _Optional[_Mapping[str, str]] = ..., issuer_accredited: _Optional[bool] = ...) -> None: ...

class CredentialIssued(_message.Message):
    __slots__ = ("credential",)
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    credential: CredentialSummary
    def __init__(self, credential: _Optional[_Union[CredentialSummary, _Mapping]] = ...) -> None: ...

class CredentialSuspended(_message.Message):
    __slots__ = ("credential", "reason")
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    credential: CredentialSummary
    reason: str
    def __init__(self, credential: _Optional[_Union[CredentialSummary, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class CredentialUnsuspended(_message.Message):
    __slots__ = ("credential",)
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    credential: CredentialSummary
    def __init__(self, credential: _Optional[_Union[CredentialSummary, _Mapping]] = ...) -> None: ...

class CredentialRevoked(_message.Message):
    __slots__ = ("credential", "reason")
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    credential: CredentialSummary
    reason: str
    def __init__(self, credential: _Optional[_Union[CredentialSummary, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class CredentialsAnchored(_message.Message):
    __slots__ = ("merkle_root", "credentials", "chain_id", "transaction_hash", "block_number")
    MERKLE_ROOT_FIELD_NUMBER: _ClassVar[int]
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    CHAIN_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_HASH_FIELD_NUMBER: _ClassVar[int]
    BLOCK_NUMBER_FIELD_NUMBER: _ClassVar[int]
    merkle_root: str
    credentials: _containers.RepeatedScalarFieldContainer[str]
    chain_id: int
    transaction_hash: str
    block_number: int
    def __init__(self, merkle_root: _Optional[str] = ..., credentials: _Optional[_Iterable[str]] = ..., chain_id: _Optional[int] = ..., transaction_hash: _Optional[str] = ..., block_number: _Optional[int] = ...) -> None: ...

class IssuerAccredited(_message.Message):
    __slots__ = ("accreditation",)
    ACCREDITATION_FIELD_NUMBER: _ClassVar[int]
    accreditation: _credentials_pb2.Accreditation
    def __init__(self, accreditation: _Optional[_Union[_credentials_pb2.Accreditation, _Mapping]] = ...) -> None: ...

class AccreditationWithdrawn(_message.Message):
    __slots__ = ("accreditation",)
    ACCREDITATION_FIELD_NUMBER: _ClassVar[int]
    accreditation: _credentials_pb2.Accreditation
    def __init__(self, accreditation: _Optional[_Union[_credentials_pb2.Accreditation, _Mapping]] = ...) -> None: ...
