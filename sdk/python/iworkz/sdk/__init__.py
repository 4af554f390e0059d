"""iWORKZ Python client: one channel, every service stub, auth, deadlines, retries.

    async with Client("localhost:8443") as client:
        await client.login("aiko@example.com", "correct horse battery")
        jobs = await client.marketplace.SearchJobs(marketplace_pb2.SearchJobsRequest(prefecture="JP-27"))

Per-method deadlines and retries come from `service_config.json`, generated
from the contracts (reads are retried on UNAVAILABLE; every call has a
deadline; a creating call whose request has an AIP-155 `request_id` gets a fresh
one when the caller left it empty, and is then retried on UNAVAILABLE too, since
the service applies a repeated request id once). The client attaches the bearer token to every call and, after a
login, refreshes it before it expires.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import pathlib
import time
import uuid
from typing import Any

import grpc

from iworkz.identity.v1 import identity_pb2, identity_pb2_grpc
from iworkz.marketplace.v1 import marketplace_pb2_grpc
from iworkz.notifications.v1 import notifications_pb2, notifications_pb2_grpc

SERVICE_CONFIG = json.loads((pathlib.Path(__file__).parent / "service_config.json").read_text())
_REFRESH_MARGIN_SECONDS = 60
# RPCs that establish credentials carry none: an expired access token sent
# along would make the edge refuse the very call that replaces it.
_CREDENTIAL_RPCS = frozenset(
    f"/iworkz.identity.v1.IdentityService/{name}"
    for name in ("SignUp", "Login", "RefreshToken", "Logout", "ExchangeApiKey", "GetJwks")
)


class _Auth:
    """Adds the bearer token to a call's metadata."""

    def __init__(self, client: Client) -> None:
        self.client = client

    async def _details(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        method = details.method.decode() if isinstance(details.method, bytes) else details.method
        if method in _CREDENTIAL_RPCS:
            return details
        token = await self.client.access_token()
        if not token:
            return details
        metadata = grpc.aio.Metadata(*(details.metadata or ()))
        if "authorization" not in metadata:
            metadata.add("authorization", f"Bearer {token}")
        return details._replace(metadata=metadata)


# grpc.aio files an interceptor under the first call kind it implements only,
# so unary, server-streaming and bidirectional calls each need their own interceptor object.
class _UnaryAuth(_Auth, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(self, continuation, details, request):
        return await continuation(await self._details(details), with_request_id(request))


def with_request_id(request: Any) -> Any:
    """`request` with a fresh AIP-155 request id if it has the field and it is empty (a copy; the
    caller's message is left alone). Every retry of the call then carries the same id."""
    descriptor = getattr(request, "DESCRIPTOR", None)
    if descriptor is None or "request_id" not in descriptor.fields_by_name or request.request_id:
        return request
    copy = type(request)()
    copy.CopyFrom(request)
    copy.request_id = str(uuid.uuid4())
    return copy


class _StreamAuth(_Auth, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(self, continuation, details, request):
        return await continuation(await self._details(details), request)


class _UploadAuth(_Auth, grpc.aio.StreamUnaryClientInterceptor):
    """Client-streaming calls (uploads such as the agent's ParseResume)."""

    async def intercept_stream_unary(self, continuation, details, request_iterator):
        return await continuation(await self._details(details), request_iterator)


class _BidiAuth(_Auth, grpc.aio.StreamStreamClientInterceptor):
    """Bidirectional calls (the voice service's Converse)."""

    async def intercept_stream_stream(self, continuation, details, request_iterator):
        return await continuation(await self._details(details), request_iterator)


class Client:
    """A connection to the platform (edge or a service) with every service's stub."""

    def __init__(
        self,
        target: str,
        *,
        token: str = "",
        credentials: grpc.ChannelCredentials | None = None,
        options: list[tuple[str, object]] | None = None,
    ) -> None:
        self._token = token
        self._refresh_token = ""
        self._expires_at = 0.0
        opts = [("grpc.service_config", json.dumps(SERVICE_CONFIG)), ("grpc.enable_retries", 1), *(options or [])]
        interceptors = [_UnaryAuth(self), _StreamAuth(self), _UploadAuth(self), _BidiAuth(self)]
        if credentials is not None:
            self.channel = grpc.aio.secure_channel(target, credentials, options=opts, interceptors=interceptors)
        else:
            self.channel = grpc.aio.insecure_channel(target, options=opts, interceptors=interceptors)
        self.identity = identity_pb2_grpc.IdentityServiceStub(self.channel)
        self.marketplace = marketplace_pb2_grpc.MarketplaceServiceStub(self.channel)
        self.notifications = notifications_pb2_grpc.NotificationServiceStub(self.channel)

    def __getattr__(self, name: str) -> Any:
        """`client.<service>`: the stub of package `iworkz.<service>.v1`'s gRPC service, for every
        service the SDK has code for (`client.agent`, `client.credentials`, ...), made on first use."""
        if name.startswith("_") or "channel" not in self.__dict__:
            raise AttributeError(name)
        try:
            module = importlib.import_module(f"iworkz.{name}.v1.{name}_pb2_grpc")
        except ModuleNotFoundError:
            raise AttributeError(f"the SDK has no service {name!r}") from None
        stubs = [value for key, value in vars(module).items() if key.endswith("Stub")]
        if len(stubs) != 1:
            raise AttributeError(f"iworkz.{name}.v1 has {len(stubs)} gRPC services; make their stubs on client.channel")
        stub = stubs[0](self.channel)
        setattr(self, name, stub)
        return stub

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        await self.channel.close()

    def use_tokens(self, tokens: identity_pb2.TokenPair) -> None:
        """Adopt a token pair (from sign-up, login, refresh or an API-key exchange)."""
        self._token = tokens.access_token
        self._refresh_token = tokens.refresh_token
        self._expires_at = time.time() + tokens.access_token_expires_in.seconds

    async def access_token(self) -> str:
        """The current access token, refreshed first when it is about to expire."""
        if self._refresh_token and time.time() > self._expires_at - _REFRESH_MARGIN_SECONDS:
            refresh, self._refresh_token = self._refresh_token, ""
            response = await self.identity.RefreshToken(identity_pb2.RefreshTokenRequest(refresh_token=refresh))
            self.use_tokens(response.tokens)
        return self._token

    async def sign_up(self, **fields) -> identity_pb2.SignUpResponse:
        response = await self.identity.SignUp(identity_pb2.SignUpRequest(**fields))
        self.use_tokens(response.tokens)
        return response

    async def login(self, email: str, password: str) -> identity_pb2.LoginResponse:
        """Log in. For an account with a second factor the response carries
        `second_factor` and no tokens: finish with `verify_second_factor`."""
        response = await self.identity.Login(identity_pb2.LoginRequest(email=email, password=password))
        if not response.HasField("second_factor"):
            self.use_tokens(response.tokens)
        return response

    async def verify_second_factor(self, challenge: str, code: str) -> identity_pb2.VerifySecondFactorResponse:
        """The second step of a login: a TOTP code or a recovery code for the challenge."""
        response = await self.identity.VerifySecondFactor(
            identity_pb2.VerifySecondFactorRequest(challenge=challenge, code=code)
        )
        self.use_tokens(response.tokens)
        return response

    async def login_with_api_key(self, secret: str) -> None:
        response = await self.identity.ExchangeApiKey(identity_pb2.ExchangeApiKeyRequest(secret=secret))
        self.use_tokens(response.tokens)

    async def notification_stream(self, parent: str, last_event_id: str = "", *, reconnect_delay: float = 1.0):
        """Yield `parent`'s notifications live, reconnecting after a broken stream.

        Each reconnect resumes after the last notification received, so none is
        missed or repeated. Heartbeats are consumed here. Stops on any error
        other than UNAVAILABLE (e.g. PERMISSION_DENIED).
        """
        while True:
            call = self.notifications.Subscribe(
                notifications_pb2.SubscribeRequest(parent=parent, last_event_id=last_event_id)
            )
            try:
                async for item in call:
                    if item.HasField("notification"):
                        last_event_id = item.notification.event_id
                        yield item.notification
            except grpc.aio.AioRpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE:
                    raise
            finally:
                call.cancel()
            await asyncio.sleep(reconnect_delay)
