from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class StrongMatchFound(_message.Message):
    __slots__ = ("worker", "job", "title", "employer_display_name", "score")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    EMPLOYER_DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    worker: str
    job: str
    title: str
    employer_display_name: str
    score: float
    def __init__(self, worker: _Optional[str] = ..., job: _Optional[str] = ..., title: _Optional[str] = ..., employer_display_name: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...
