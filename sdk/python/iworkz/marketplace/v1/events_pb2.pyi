from iworkz.marketplace.v1 import marketplace_pb2 as _marketplace_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class JobPublished(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _marketplace_pb2.Job
    def __init__(self, job: _Optional[_Union[_marketplace_pb2.Job, _Mapping]] = ...) -> None: ...

class JobUpdated(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _marketplace_pb2.Job
    def __init__(self, job: _Optional[_Union[_marketplace_pb2.Job, _Mapping]] = ...) -> None: ...

class JobClosed(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: str
    def __init__(self, job: _Optional[str] = ...) -> None: ...

class ApplicationSubmitted(_message.Message):
    __slots__ = ("application", "employer")
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    EMPLOYER_FIELD_NUMBER: _ClassVar[int]
    application: _marketplace_pb2.Application
    employer: str
    def __init__(self, application: _Optional[_Union[_marketplace_pb2.Application, _Mapping]] = ..., employer: _Optional[str] = ...) -> None: ...

class ApplicationStatusChanged(_message.Message):
    __slots__ = ("application", "employer", "from_status", "to_status", "actor")
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    EMPLOYER_FIELD_NUMBER: _ClassVar[int]
    FROM_STATUS_FIELD_NUMBER: _ClassVar[int]
    TO_STATUS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    application: _marketplace_pb2.Application
    employer: str
    from_status: _marketplace_pb2.ApplicationStatus
    to_status: _marketplace_pb2.ApplicationStatus
    actor: str
    def __init__(self, application: _Optional[_Union[_marketplace_pb2.Application, _Mapping]] = ..., employer: _Optional[str] = ..., from_status: _Optional[_Union[_marketplace_pb2.ApplicationStatus, str]] = ..., to_status: _Optional[_Union[_marketplace_pb2.ApplicationStatus, str]] = ..., actor: _Optional[str] = ...) -> None: ...

class WorkerProfileChanged(_message.Message):
    __slots__ = ("worker", "profile")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    worker: str
    profile: _marketplace_pb2.WorkerProfile
    def __init__(self, worker: _Optional[str] = ..., profile: _Optional[_Union[_marketplace_pb2.WorkerProfile, _Mapping]] = ...) -> None: ...
