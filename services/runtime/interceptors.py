"""The server's interceptors. `build_interceptors` assembles them in one place.

Each interceptor wraps the method handler's behaviour, so it sees the
deserialized request (validation and ownership need it) and works the same
for unary and server-streaming RPCs. A bidirectional stream is checked on its
first message (which names the resource), before the servicer starts; each
later message is validated as the servicer reads it. Order, outermost first:

    tracing (when spans are recorded) → call context → observe (logs, metrics) → errors →
    authentication + roles → validation → ownership → request ids → servicer

The request-id interceptor (AIP-155, `idempotency.py`) is innermost: a
repeated request id is answered only after the caller was authenticated and
the request validated and found to be theirs.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import protovalidate
from google.protobuf import descriptor_pool
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status
from opentelemetry import trace
from prometheus_client import Counter, Histogram

from buf.validate import validate_pb2
from iworkz.auth.v1 import access_pb2
from services.runtime import access, context, telemetry
from services.runtime.errors import (
    DomainError,
    FieldViolation,
    InvalidArgument,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)
from services.runtime.idempotency import IdempotentCalls
from services.runtime.redisconn import TRANSIENT_ERRORS
from services.runtime.tokens import TokenVerifier

log = logging.getLogger("iworkz.rpc")

REQUESTS = Counter("iworkz_grpc_server_handled_total", "RPCs completed, by status code", ["service", "method", "code"])
LATENCY = Histogram(
    "iworkz_grpc_server_handling_seconds",
    "RPC handling time",
    ["service", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

# A successful call at least this long is logged at INFO (faster ones at DEBUG), as the sidecars do.
SLOW_CALL_SECONDS = 1.0

# grpc ships no type information: requests are messages, contexts grpc.aio.ServicerContext.
Request = Any
Ctx = Any
Behaviour = Callable[[Request, Ctx], Any]
_INFRASTRUCTURE = (
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1alpha.ServerReflection/",
    "/grpc.reflection.v1.ServerReflection/",
)


class WrappingInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Base: wrap unary-unary, unary-stream and stream-unary behaviours with `around`."""

    # Interceptors that enforce the contracts leave the stock health and
    # reflection services alone: they carry no access rules.
    contracts_only = False

    async def intercept_service(
        self, continuation: Callable[[Any], Awaitable[Any]], details: grpc.HandlerCallDetails
    ) -> Any:
        handler = await continuation(details)
        method = details.method
        if handler is None or (self.contracts_only and method.startswith(_INFRASTRUCTURE)):
            return handler
        # The wrapped handler depends only on the method and the handler inside: built once per
        # method, not per call (each interceptor inside returns its cached one, so the chain is stable).
        cached = self._wrapped.get(method)
        if cached is not None and cached[0] is handler:
            return cached[1]
        wrapped = self._wrap(method, handler)
        self._wrapped[method] = (handler, wrapped)
        return wrapped

    @property
    def _wrapped(self) -> dict[str, tuple[Any, Any]]:
        """method -> (the handler inside, the wrapped one); subclasses need not call a base __init__."""
        cache: dict[str, tuple[Any, Any]] | None = self.__dict__.get("_wrapped_handlers")
        if cache is None:
            cache = self.__dict__["_wrapped_handlers"] = {}
        return cache

    def _wrap(self, method: str, handler: Any) -> Any:
        if handler.unary_unary:
            inner = handler.unary_unary

            async def unary(request: Request, ctx: Ctx) -> Any:
                return await self.around(method, request, ctx, inner)

            return grpc.unary_unary_rpc_method_handler(unary, handler.request_deserializer, handler.response_serializer)
        if handler.unary_stream:
            # `around_stream` itself is the handler (grpc.aio takes a partial of an async generator
            # function as one): no generator of ours in between that only passes items on. Every item
            # of a server stream crosses each layer twice (in and out of each wait), so a live stream
            # pays per message for every layer it does not need.
            stream = functools.partial(self.around_stream, method, call=handler.unary_stream)
            return grpc.unary_stream_rpc_method_handler(
                stream, handler.request_deserializer, handler.response_serializer
            )
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(
                self._client_stream(method, handler.stream_unary, handler.request_deserializer),
                handler.request_deserializer,
                handler.response_serializer,
            )
        if handler.stream_stream:
            return grpc.stream_stream_rpc_method_handler(
                self._bidi_stream(method, handler.stream_stream),
                handler.request_deserializer,
                handler.response_serializer,
            )
        return handler

    def _client_stream(
        self, method: str, inner: Behaviour, deserialize: Callable[[bytes], Any]
    ) -> Callable[[AsyncIterator[Any], Ctx], Awaitable[Any]]:
        """A client stream goes through `around` with its first message as the request (authentication,
        validation and ownership look at it; an upload names its resource there); the behaviour then
        reads the whole stream, first message included."""

        async def client_stream(requests: AsyncIterator[Any], ctx: Ctx) -> Any:
            iterator = requests.__aiter__()
            try:
                first = await iterator.__anext__()
                empty = False
            except StopAsyncIteration:
                first, empty = deserialize(b""), True

            async def replay() -> AsyncIterator[Any]:
                if not empty:
                    yield first
                async for item in iterator:
                    yield item

            return await self.around(method, first, ctx, lambda _first, c: inner(replay(), c))

        return client_stream

    def _bidi_stream(self, method: str, inner: Behaviour) -> Callable[[AsyncIterator[Any], Ctx], AsyncIterator[Any]]:
        """A bidirectional stream goes through `around_stream` with its first message as the request
        (authentication, validation and ownership look at it: it names the resource), before the
        behaviour starts; every later message goes through `each` as the behaviour reads it."""

        async def bidi(requests: AsyncIterator[Any], ctx: Ctx) -> AsyncIterator[Any]:
            iterator = requests.__aiter__()
            try:
                first = await iterator.__anext__()
            except StopAsyncIteration:
                return  # the caller sent nothing: nothing to answer

            async def replay() -> AsyncIterator[Any]:
                yield first
                async for item in iterator:
                    await self.each(method, item, ctx)
                    yield item

            async for item in self.around_stream(method, first, ctx, lambda _first, c: inner(replay(), c)):
                yield item

        return bidi

    async def around(self, method: str, request: Request, ctx: Ctx, call: Behaviour) -> Any:
        await self.before(method, request, ctx)
        return await call(request, ctx)

    async def around_stream(self, method: str, request: Request, ctx: Ctx, call: Behaviour) -> AsyncIterator[Any]:
        items = await self._start_stream(method, request, ctx, call)
        if items is not None:
            async for item in items:
                yield item

    async def _start_stream(
        self, method: str, request: Request, ctx: Ctx, call: Behaviour
    ) -> AsyncIterator[Any] | None:
        """`before`, then the behaviour: its items to pass on, or None for a behaviour that wrote with
        ctx.write() (it returns a coroutine, awaited here). Overrides of `around_stream` iterate what
        this returns rather than `super().around_stream()`, one generator layer fewer per item."""
        await self.before(method, request, ctx)
        result = call(request, ctx)
        if inspect.isasyncgen(result):
            return result
        await result
        return None

    async def before(self, method: str, request: Request, ctx: Ctx) -> None:
        """Checks to run before the call; raise a DomainError to refuse it."""

    async def each(self, method: str, request: Request, ctx: Ctx) -> None:
        """Checks of each later message of a stream from the caller; raise a DomainError to end the call."""


def _metadata(ctx: Ctx) -> dict[str, str]:
    """The call's text metadata, read once per call (kept in the call state)."""
    state = context.current()
    if state is not None and state.metadata is not None:
        return state.metadata
    return {k: v for k, v in (ctx.invocation_metadata() or ()) if isinstance(v, str)}


def _rule(method: str) -> access_pb2.AccessRule | None:
    """The method's access rule from its descriptor, cached."""
    if method in _RULES:
        return _RULES[method]
    rule = None
    try:
        service_name, method_name = method.lstrip("/").rsplit("/", 1)
        service = descriptor_pool.Default().FindServiceByName(service_name)
        options = service.methods_by_name[method_name].GetOptions()
        if options.HasExtension(access_pb2.access):
            rule = options.Extensions[access_pb2.access]
    except (KeyError, ValueError):
        rule = None
    _RULES[method] = rule
    return rule


_RULES: dict[str, access_pb2.AccessRule | None] = {}


class CallContextInterceptor(WrappingInterceptor):
    """Opens the per-call state: request id, trace ids, peer, mesh identity."""

    def __init__(self, trust_forwarded_client_cert: bool, spans: bool = True) -> None:
        self.trust_xfcc = trust_forwarded_client_cert
        # True: OpenTelemetry's interceptor (outside this one) opened the call's span; False: no span,
        # the trace ids come from the caller's traceparent header (see `trace_ids`).
        self.spans = spans

    def _state(self, method: str, ctx: Ctx) -> context.CallState:
        md = _metadata(ctx)
        # Only a proxy we sit behind (the mesh sidecar) may say who the client is;
        # a direct caller's x-forwarded-for is its own claim and is ignored.
        forwarded = md.get("x-forwarded-for", "") if self.trust_xfcc else ""
        request_id = md.get("x-request-id")
        state = context.CallState(
            method=method,
            peer=forwarded or ctx.peer() or "",
            metadata=md,
            request_id=request_id[:128] if request_id else uuid.uuid4().hex,
        )
        left = ctx.time_remaining()
        if left is not None:  # calls this one makes get no more time (runtime/deadlines.py)
            state.deadline = time.monotonic() + left
        if self.spans:
            span = trace.get_current_span().get_span_context()
            if span.is_valid:
                state.trace_id = f"{span.trace_id:032x}"
                state.traceparent = f"00-{span.trace_id:032x}-{span.span_id:016x}-{span.trace_flags:02x}"
        else:
            state.trace_id, state.traceparent = telemetry.trace_ids(md.get("traceparent", ""))
        if self.trust_xfcc and md.get("x-forwarded-client-cert"):
            state.service_identity = spiffe_service(md["x-forwarded-client-cert"])
        return state

    async def around(self, method: str, request: Request, ctx: Ctx, call: Behaviour) -> Any:
        token = context.begin(self._state(method, ctx))
        try:
            return await call(request, ctx)
        finally:
            context.end(token)

    async def around_stream(self, method: str, request: Request, ctx: Ctx, call: Behaviour) -> AsyncIterator[Any]:
        token = context.begin(self._state(method, ctx))
        try:
            items = await self._start_stream(method, request, ctx, call)
            if items is not None:
                async for item in items:
                    yield item
        finally:
            context.end(token)


@functools.lru_cache(maxsize=1024)
def spiffe_service(xfcc: str) -> str:
    """The service account in the `URI=spiffe://.../sa/<name>` of an XFCC header's last element.

    Cached: a sidecar sends the same header for every call of one caller (its certificate's hash
    and URI), and parsing it character by character cost more than the rest of a trivial call.

    A proxy appends the certificate it verified as the last element; earlier
    elements came from further away and a caller could have forged them.
    Values may be double-quoted and then hold `,` and `;` (`Subject="CN=a,O=b"`).
    """
    for element in _split_unquoted(_split_unquoted(xfcc, ",")[-1], ";"):
        key, _, value = element.partition("=")
        if key.strip() == "URI" and "/sa/" in value:
            return value.strip().strip('"').rsplit("/sa/", 1)[1]
    return ""


def _split_unquoted(text: str, separator: str) -> list[str]:
    """Split on `separator` outside double quotes (a backslash escapes a quote)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


class ObserveInterceptor(WrappingInterceptor):
    """Metrics per RPC, with its final status code, and a JSON log line for a call that failed or was
    slow (every call at DEBUG)."""

    def __init__(self, service: str) -> None:
        self.service = service
        # Labelled metric children by (method, code) and method: a dict lookup per call instead of
        # prometheus_client's labels() (argument checks and a lock) twice per call.
        self._handled: dict[tuple[str, str], Any] = {}
        self._latency: dict[str, Any] = {}

    def _done(self, method: str, started: float) -> None:
        state = context.current()
        code = state.code if state else "UNKNOWN"
        elapsed = time.perf_counter() - started
        handled = self._handled.get((method, code))
        if handled is None:
            handled = self._handled[(method, code)] = REQUESTS.labels(self.service, method, code)
        handled.inc()
        latency = self._latency.get(method)
        if latency is None:
            latency = self._latency[method] = LATENCY.labels(self.service, method)
        latency.observe(elapsed)
        if code in ("INTERNAL", "UNKNOWN", "DATA_LOSS"):
            level = logging.ERROR
        elif code != "OK" or elapsed >= SLOW_CALL_SECONDS:
            level = logging.INFO
        else:
            # The edge logs every request (with its request id); a replica's log keeps what failed or
            # was slow, and every call at IWORKZ_LOG_LEVEL=DEBUG. Formatting and writing a line per
            # successful call was the largest single cost of a trivial RPC.
            level = logging.DEBUG
        if not log.isEnabledFor(level):
            return  # the record and its fields are built only for a log that is written
        caller = state.caller.subject if state and state.caller else ""
        log.log(
            level,
            "rpc",
            extra={
                "code": code,
                "duration_ms": round(elapsed * 1000, 2),
                "caller": caller,
                "peer": state.peer if state else "",
            },
        )

    async def around(self, method: str, request: Request, ctx: Ctx, call: Behaviour) -> Any:
        started = time.perf_counter()
        try:
            return await call(request, ctx)
        finally:
            self._done(method, started)

    async def around_stream(self, method: str, request: Request, ctx: Ctx, call: Behaviour) -> AsyncIterator[Any]:
        started = time.perf_counter()
        try:
            items = await self._start_stream(method, request, ctx, call)
            if items is not None:
                async for item in items:
                    yield item
        finally:
            self._done(method, started)


def status_for(error: DomainError) -> status_pb2.Status:
    """The google.rpc.Status for a domain error, with field violations as details."""
    status = status_pb2.Status(code=getattr(code_pb2, error.code, code_pb2.UNKNOWN), message=error.message)
    if isinstance(error, InvalidArgument) and error.violations:
        violations = validate_pb2.Violations()
        bad_request = error_details_pb2.BadRequest()
        for v in error.violations:
            item = violations.violations.add(rule_id=v.rule_id, message=v.description)
            for part in v.field.replace("[", ".[").split("."):
                if part and not part.startswith("["):
                    item.field.elements.add(field_name=part)
                elif part:
                    item.field.elements[-1].index = int(part.strip("[]"))
            bad_request.field_violations.add(field=v.field, description=v.description)
        status.details.add().Pack(bad_request)
        status.details.add().Pack(violations)
    if isinstance(error, ResourceExhausted) and error.retry_after_seconds:
        info = error_details_pb2.RetryInfo()
        info.retry_delay.seconds = error.retry_after_seconds
        status.details.add().Pack(info)
    return status


class ErrorInterceptor(WrappingInterceptor):
    """Maps domain errors to statuses; Redis away or its pool exhausted becomes UNAVAILABLE (worth a
    retry; the database layer raises `Unavailable` itself); anything else becomes a bare INTERNAL."""

    async def _fail(self, ctx: Ctx, exc: BaseException) -> None:
        state = context.current()
        if isinstance(exc, TRANSIENT_ERRORS):
            log.warning("redis unavailable: %s", exc)
            exc = Unavailable("a dependency is unavailable; try again shortly")
        if isinstance(exc, DomainError):
            status = status_for(exc)
            if state:
                state.code = exc.code
            await ctx.abort_with_status(rpc_status.to_status(status))
        log.exception("unhandled error")
        if state:
            state.code = "INTERNAL"
        request_id = state.request_id if state else ""
        await ctx.abort(grpc.StatusCode.INTERNAL, f"internal error (request id {request_id})")

    @staticmethod
    def _passthrough(exc: BaseException, ctx: Ctx) -> bool:
        # A servicer may abort on its own (ctx.abort raises); record its code and let it through.
        code = ctx.code()
        if code is not None and code != grpc.StatusCode.OK:
            state = context.current()
            if state:
                state.code = code.name
            return True
        return False

    async def around(self, method: str, request: Request, ctx: Ctx, call: Behaviour) -> Any:
        try:
            return await call(request, ctx)
        except Exception as exc:
            if self._passthrough(exc, ctx):
                raise
            await self._fail(ctx, exc)

    async def around_stream(self, method: str, request: Request, ctx: Ctx, call: Behaviour) -> AsyncIterator[Any]:
        try:
            items = await self._start_stream(method, request, ctx, call)
            if items is not None:
                async for item in items:
                    yield item
        except Exception as exc:
            if self._passthrough(exc, ctx):
                raise
            await self._fail(ctx, exc)


class AuthenticationInterceptor(WrappingInterceptor):
    """Verifies the bearer token (when present) and the rule's roles."""

    contracts_only = True

    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier

    async def before(self, method: str, request: Request, ctx: Ctx) -> None:
        state = context.require()
        header = _metadata(ctx).get("authorization", "")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthenticated("authorization must be `Bearer <token>`")
            state.caller = await self.verifier.verify(token.strip())
        access.check_caller(_rule(method), state.caller, state.service_identity)


def _field_path(violation: Any) -> str:
    # protovalidate 2.x reports paths as its own messages: the list index or map
    # key is a `subscript` oneof (`Oneof(field="index", value=0)`), not HasField(),
    # and a rule on the request message itself has no `field` at all (None).
    parts: list[str] = []
    path = violation.proto.field
    for element in path.elements if path is not None else ():
        name = element.field_name
        subscript = element.subscript
        if subscript is not None and subscript.field == "index":
            name += f"[{subscript.value}]"
        elif subscript is not None:
            name += f"[{subscript.value!r}]"
        parts.append(name)
    return ".".join(parts)


class ValidationInterceptor(WrappingInterceptor):
    """Checks every request against the contract's buf.validate rules."""

    contracts_only = True

    def __init__(self) -> None:
        self.validator = protovalidate.Validator()

    async def each(self, method: str, request: Request, ctx: Ctx) -> None:
        await self.before(method, request, ctx)

    async def before(self, method: str, request: Request, ctx: Ctx) -> None:
        found = self.validator.collect_violations(request)
        if found:
            violations = [FieldViolation(_field_path(v) or "request", v.proto.message, v.proto.rule_id) for v in found]
            summary = "; ".join(f"{v.field}: {v.description}" for v in violations[:5])
            raise InvalidArgument(f"invalid request: {summary}", violations)


class OwnershipInterceptor(WrappingInterceptor):
    """Enforces the rule's ownership requirement (admins exempt)."""

    contracts_only = True

    async def before(self, method: str, request: Request, ctx: Ctx) -> None:
        state = context.require()
        access.check_ownership(_rule(method), state.caller, request)


class RequestIdInterceptor(WrappingInterceptor):
    """Applies a request carrying an AIP-155 `request_id` at most once (see `idempotency`)."""

    contracts_only = True

    def __init__(self, calls: IdempotentCalls) -> None:
        self.calls = calls

    async def around(self, method: str, request: Request, ctx: Ctx, call: Behaviour) -> Any:
        return await self.calls.run(method, request, lambda: call(request, ctx))


def build_interceptors(
    service: str, verifier: TokenVerifier, trust_xfcc: bool, calls: IdempotentCalls | None = None
) -> list[Any]:
    """Every interceptor a service runs, outermost first (`calls`: where request ids are kept)."""
    from opentelemetry.instrumentation.grpc import aio_server_interceptor

    request_ids = [RequestIdInterceptor(calls)] if calls is not None else []
    spans = telemetry.spans_recorded()
    return [
        *([aio_server_interceptor()] if spans else []),  # type: ignore[no-untyped-call]
        CallContextInterceptor(trust_xfcc, spans),
        ObserveInterceptor(service),
        ErrorInterceptor(),
        AuthenticationInterceptor(verifier),
        ValidationInterceptor(),
        OwnershipInterceptor(),
        *request_ids,
    ]
