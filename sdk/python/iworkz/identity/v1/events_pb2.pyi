import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from iworkz.auth.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UserSignedUp(_message.Message):
    __slots__ = ("user", "email", "roles", "organization", "locale", "display_name")
    USER_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    user: str
    email: str
    roles: _containers.RepeatedScalarFieldContainer[_access_pb2.Role]
    organization: str
    locale: str
    display_name: str
    def __init__(self, user: _Optional[str] = ..., email: _Optional[str] = ..., roles: _Optional[_Iterable[_Union[_access_pb2.Role, str]]] = ..., organization: _Optional[str] = ..., locale: _Optional[str] = ..., display_name: _Optional[str] = ...) -> None: ...

class RefreshTokenReuseDetected(_message.Message):
    __slots__ = ("user", "family_id", "client_address")
    USER_FIELD_NUMBER: _ClassVar[int]
    FAMILY_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    user: str
    family_id: str
    client_address: str
    def __init__(self, user: _Optional[str] = ..., family_id: _Optional[str] = ..., client_address: _Optional[str] = ...) -> None: ...

class UserRolesChanged(_message.Message):
    __slots__ = ("user", "roles", "changed_by")
    USER_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    CHANGED_BY_FIELD_NUMBER: _ClassVar[int]
    user: str
    roles: _containers.RepeatedScalarFieldContainer[_access_pb2.Role]
    changed_by: str
    def __init__(self, user: _Optional[str] = ..., roles: _Optional[_Iterable[_Union[_access_pb2.Role, str]]] = ..., changed_by: _Optional[str] = ...) -> None: ...

class UserDisabled(_message.Message):
    __slots__ = ("user", "reason", "disabled_by")
    USER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DISABLED_BY_FIELD_NUMBER: _ClassVar[int]
    user: str
    reason: str
    disabled_by: str
    def __init__(self, user: _Optional[str] = ..., reason: _Optional[str] = ..., disabled_by: _Optional[str] = ...) -> None: ...

class EmailVerificationRequested(_message.Message):
    __slots__ = ("user", "token", "expire_time")
    USER_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    user: str
    token: str
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, user: _Optional[str] = ..., token: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PasswordResetRequested(_message.Message):
    __slots__ = ("user", "token", "expire_time")
    USER_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    user: str
    token: str
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, user: _Optional[str] = ..., token: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PasswordChanged(_message.Message):
    __slots__ = ("user", "client_address")
    USER_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    user: str
    client_address: str
    def __init__(self, user: _Optional[str] = ..., client_address: _Optional[str] = ...) -> None: ...
