from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_WORKER: _ClassVar[Role]
    ROLE_EMPLOYER: _ClassVar[Role]
    ROLE_ISSUER: _ClassVar[Role]
    ROLE_ADMIN: _ClassVar[Role]
    ROLE_PARTNER: _ClassVar[Role]

class OwnerClaim(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OWNER_CLAIM_UNSPECIFIED: _ClassVar[OwnerClaim]
    OWNER_CLAIM_USER: _ClassVar[OwnerClaim]
    OWNER_CLAIM_ORGANIZATION: _ClassVar[OwnerClaim]
ROLE_UNSPECIFIED: Role
ROLE_WORKER: Role
ROLE_EMPLOYER: Role
ROLE_ISSUER: Role
ROLE_ADMIN: Role
ROLE_PARTNER: Role
OWNER_CLAIM_UNSPECIFIED: OwnerClaim
OWNER_CLAIM_USER: OwnerClaim
OWNER_CLAIM_ORGANIZATION: OwnerClaim
ACCESS_FIELD_NUMBER: _ClassVar[int]
access: _descriptor.FieldDescriptor

class Ownership(_message.Message):
    __slots__ = ("field", "collection", "claim")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    CLAIM_FIELD_NUMBER: _ClassVar[int]
    field: str
    collection: str
    claim: OwnerClaim
    def __init__(self, field: _Optional[str] = ..., collection: _Optional[str] = ..., claim: _Optional[_Union[OwnerClaim, str]] = ...) -> None: ...

class AccessRule(_message.Message):
    __slots__ = ("public", "roles", "owner", "internal_callers")
    PUBLIC_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_CALLERS_FIELD_NUMBER: _ClassVar[int]
    public: bool
    roles: _containers.RepeatedScalarFieldContainer[Role]
    owner: Ownership
    internal_callers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, public: _Optional[bool] = ..., roles: _Optional[_Iterable[_Union[Role, str]]] = ..., owner: _Optional[_Union[Ownership, _Mapping]] = ..., internal_callers: _Optional[_Iterable[str]] = ...) -> None: ...
