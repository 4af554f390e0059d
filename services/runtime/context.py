"""Per-call state shared by the interceptors, the servicer and the logs.

One `CallState` per RPC lives in a context variable, so the servicer can ask
who is calling (`caller()`) and every log line carries the request and trace
ids without passing them around.
"""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass, field

from services.runtime.errors import Unauthenticated


@dataclass(frozen=True)
class Caller:
    """Who is calling: a user, a partner key, or a mesh service."""

    subject: str  # user id, API key id, or service name
    kind: str  # "user", "api_key" or "service"
    roles: frozenset[str] = frozenset()  # "worker", "employer", "issuer", "admin", "partner"
    organization: str = ""  # organisation id, "" if none
    token_id: str = ""
    session: str = ""  # the sign-in session (refresh-token family) a user's token belongs to, if known

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def user_name(self) -> str:
        """`users/{id}` for a user caller."""
        return f"users/{self.subject}"


@dataclass
class CallState:
    method: str
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    trace_id: str = ""
    traceparent: str = ""
    peer: str = ""
    caller: Caller | None = None
    service_identity: str = ""  # mesh identity of the calling service, from mTLS
    code: str = "OK"
    metadata: dict[str, str] | None = None  # the call's text metadata, read once by the call-context interceptor
    deadline: float | None = None  # the caller's deadline (time.monotonic()), if it sent one


_current: contextvars.ContextVar[CallState | None] = contextvars.ContextVar("iworkz_call", default=None)


def begin(state: CallState) -> contextvars.Token[CallState | None]:
    return _current.set(state)


def end(token: contextvars.Token[CallState | None]) -> None:
    _current.reset(token)


def current() -> CallState | None:
    """The state of the RPC being served, or None outside an RPC."""
    return _current.get()


def require() -> CallState:
    """The state of the RPC being served (the call-context interceptor opened it)."""
    state = _current.get()
    if state is None:
        raise RuntimeError("no RPC is being served")
    return state


def caller() -> Caller:
    """The authenticated caller of the current RPC; Unauthenticated if none."""
    state = _current.get()
    if state is None or state.caller is None:
        raise Unauthenticated("this call needs a signed-in caller")
    return state.caller


def optional_caller() -> Caller | None:
    """The caller of the current RPC, or None for an anonymous call."""
    state = _current.get()
    return state.caller if state else None
