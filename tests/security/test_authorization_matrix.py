"""Every RPC × every role × own / other's resource, over gRPC, gRPC-web and REST through the edge.

The expected outcome of each cell comes from the RPC's `(iworkz.auth.v1.access)`
rule in the descriptor image, read as the contract documents it: public RPCs
are open to all; otherwise no token is UNAUTHENTICATED; a role the rule does not
list is PERMISSION_DENIED (admins pass every role and ownership rule); an
ownership rule refuses another's resource. A cell the rule allows must not be
refused with UNAUTHENTICATED or PERMISSION_DENIED (it may still be NOT_FOUND,
FAILED_PRECONDITION... for made-up ids). Requests are built from the contracts'
validation rules (`valid_requests.py`), so a refusal is the access rule's, not
validation's.

`make test` checks every refused cell and one allowed cell per RPC (allowed
calls run the servicer, and are slow), each over one transport chosen by a hash
of the cell (about a third each, the same every run); IWORKZ_SECURITY_FULL=1
checks every cell over all three transports. A cell the access rule allows but
a service's own domain rule refuses (only an organisation's admins manage its
API keys) is listed, not failed: the access layer's refusals are recognised by
their messages.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
from urllib.parse import unquote

import grpc
import httpx
from attackers import Callers, signing_claims
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.json_format import MessageToDict
from grpc_web_frames import frame, parse
from valid_requests import SAMPLE_ID, owned_name, valid_request, violations

import contracts
from buf.validate import validate_pb2
from iworkz.auth.v1 import access_pb2
from services.runtime.access import ROLE_NAMES

# The services the test edge routes to (gateway/tests' `edge`); matching's RPCs are
# checked by its own suite (services/matching/tests).
SERVED = {
    "iworkz.identity.v1.IdentityService",
    "iworkz.marketplace.v1.MarketplaceService",
    "iworkz.notifications.v1.NotificationService",
    "iworkz.credentials.v1.CredentialService",
    "iworkz.agent.v1.AgentService",
    "iworkz.voice.v1.VoiceService",
}
ROLES = ("anonymous", "worker", "employer", "issuer", "admin", "partner")
TRANSPORTS = ("grpc", "grpc-web", "rest")
DENIALS = ("UNAUTHENTICATED", "PERMISSION_DENIED")
FULL = os.environ.get("IWORKZ_SECURITY_FULL") == "1"
# Cells the rule allows that are not executed: their effect reaches every other test of the run.
# Their denied cells are still checked.
NOT_EXECUTED_WHEN_ALLOWED = {"/iworkz.identity.v1.IdentityService/RotateSigningKey"}
QUIET_STREAM_SECONDS = 2  # a stream refused is refused at once; one allowed may wait for events
HTTP_CODES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}


def expected(rule: access_pb2.AccessRule | None, roles: set[str], whose: str, own_id: str) -> str:
    """ALLOWED, UNAUTHENTICATED or PERMISSION_DENIED, from the contract's rule alone."""
    if rule is None:
        return "PERMISSION_DENIED"
    if rule.public:
        return "ALLOWED"
    if not roles:
        return "UNAUTHENTICATED"
    admin = "admin" in roles
    if rule.roles and not admin and not ({ROLE_NAMES[r] for r in rule.roles} & roles):
        return "PERMISSION_DENIED"
    if rule.HasField("owner") and not admin and (whose == "other" or not own_id):
        return "PERMISSION_DENIED"
    return "ALLOWED"


def _pattern(message_class, path: str) -> str:
    descriptor = message_class.DESCRIPTOR
    *parents, last = path.split(".")
    for part in parents:
        descriptor = descriptor.fields_by_name[part].message_type
    rules = descriptor.fields_by_name[last].GetOptions().Extensions[validate_pb2.field]
    return rules.string.pattern if rules.HasField("string") else ""


class Cell:
    def __init__(self, rpc: contracts.Rpc, role: str, whose: str, callers: Callers) -> None:
        self.rpc, self.role, self.whose = rpc, role, whose
        self.caller = callers.mine.get(role)
        self.roles = set(signing_claims(self.caller.token).get("roles", [])) if self.caller else set()
        cls = message_factory.GetMessageClass(descriptor_pool.Default().FindMessageTypeByName(rpc.input_type))
        overrides = {}
        self.own_id = ""
        owner = rpc.access.owner if rpc.access is not None and rpc.access.HasField("owner") else None
        if owner is not None:
            by_org = owner.claim == access_pb2.OWNER_CLAIM_ORGANIZATION
            if self.caller is not None:
                self.own_id = self.caller.organization if by_org else self.caller.user
            other = callers.others["employer"].organization if by_org else callers.others["worker"].user
            target = self.own_id if whose == "own" and self.own_id else other if whose == "other" else SAMPLE_ID
            template = next((v[1] for b in rpc.bindings for v in b.variables if v[0] == owner.field), "")
            overrides[owner.field] = owned_name(_pattern(cls, owner.field), owner.collection, target, template)
        self.request = valid_request(cls, overrides)
        self.invalid = violations(self.request)
        self.expect = expected(rpc.access, self.roles, whose, self.own_id)

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return self.caller.metadata if self.caller else ()

    @property
    def headers(self) -> dict[str, str]:
        return self.caller.headers if self.caller else {}

    def transports(self) -> list[str]:
        usable = [t for t in TRANSPORTS if t != "rest" or self.rpc.bindings]
        if self.rpc.client_streaming:
            usable = [t for t in usable if t == "grpc"]  # gRPC-web and REST send one message
        if FULL:
            return usable
        return [usable[self.digest[0] % len(usable)]]

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(f"{self.rpc.grpc_path}|{self.role}|{self.whose}".encode()).digest()

    def __str__(self) -> str:
        return f"{self.rpc.service.split('.')[-1]}.{self.rpc.name} as {self.role} on {self.whose}"


def cells(image: contracts.Contracts, callers: Callers) -> list[Cell]:
    found = []
    for rpc in image.rpcs:
        if rpc.service not in SERVED:
            continue
        has_owner = rpc.access is not None and rpc.access.HasField("owner")
        for role in ROLES:
            for whose in ("own", "other") if has_owner else ("any",):
                found.append(Cell(rpc, role, whose, callers))
    return found


# What the access layer (the runtime's access rules and the edge's JWT check) says when it refuses;
# a service's own domain rules (organisation admins only, your own second factor only) say other things.
ACCESS_LAYER = re.compile(
    r"needs a valid bearer token|needs one of the roles|does not belong to the caller|declares no access rule|Jwt"
)


async def first_outcome(call) -> str:
    """A call's status code name; a stream that delivers (or keeps quiet a while) without one is OK."""
    try:
        if hasattr(call, "__aiter__"):
            try:
                await asyncio.wait_for(call.__aiter__().__anext__(), QUIET_STREAM_SECONDS)
            except StopAsyncIteration:
                return f"{(await call.code()).name}|{await call.details()}"
            except TimeoutError:
                pass
            call.cancel()
            return "OK"
        await call
        return "OK"
    except grpc.aio.AioRpcError as err:
        return f"{err.code().name}|{err.details()}"


async def over_grpc(channel: grpc.aio.Channel, cell: Cell) -> str:
    rpc, body = cell.rpc, cell.request.SerializeToString()
    ident = {"request_serializer": lambda b: b, "response_deserializer": lambda b: b}
    if rpc.client_streaming:

        async def one():
            yield body

        factory = channel.stream_stream if rpc.server_streaming else channel.stream_unary
        return await first_outcome(factory(rpc.grpc_path, **ident)(one(), metadata=cell.metadata, timeout=15))
    factory = channel.unary_stream if rpc.server_streaming else channel.unary_unary
    return await first_outcome(factory(rpc.grpc_path, **ident)(body, metadata=cell.metadata, timeout=15))


async def over_grpc_web(client: httpx.AsyncClient, cell: Cell) -> str:
    headers = {
        "content-type": "application/grpc-web+proto",
        "accept": "application/grpc-web+proto",
        "x-grpc-web": "1",
        **cell.headers,
    }
    async with client.stream(
        "POST", cell.rpc.grpc_path, content=frame(cell.request.SerializeToString()), headers=headers
    ) as response:
        if "grpc-status" in response.headers:  # trailers-only: refused before any message
            code = grpc.StatusCode(_code(int(response.headers["grpc-status"]))).name
            return f"{code}|{unquote(response.headers.get('grpc-message', ''))}"
        raw = b""
        try:
            async with asyncio.timeout(QUIET_STREAM_SECONDS):
                async for chunk in response.aiter_raw():
                    raw += chunk
        except TimeoutError:
            return "OK"  # a live stream that has not ended
    _, trailers = parse(raw)
    code = grpc.StatusCode(_code(int(trailers.get("grpc-status", "0")))).name
    return f"{code}|{unquote(trailers.get('grpc-message', ''))}"


def _code(number: int) -> tuple[int, str]:
    return next(c.value for c in grpc.StatusCode if c.value[0] == number)


_VARIABLE = re.compile(r"\{([^}=]+)(?:=[^}]*)?\}")


def _field(message, path: str):
    value = message
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _query(values: dict, prefix: str = "") -> list[tuple[str, str]]:
    out = []
    for key, value in values.items():
        if isinstance(value, dict):
            out += _query(value, f"{prefix}{key}.")
        elif isinstance(value, list):
            out += [(prefix + key, str(v)) for v in value if not isinstance(v, dict)]
        else:
            out.append((prefix + key, str(value).lower() if isinstance(value, bool) else str(value)))
    return out


async def over_rest(client: httpx.AsyncClient, cell: Cell) -> str:
    binding = cell.rpc.bindings[0]
    used = [m[1] for m in _VARIABLE.finditer(binding.template)]
    path = _VARIABLE.sub(lambda m: str(_field(cell.request, m[1])), binding.template)
    remaining = type(cell.request)()
    remaining.CopyFrom(cell.request)
    for variable in used:
        *parents, last = variable.split(".")
        _field(remaining, ".".join(parents)).ClearField(last) if parents else remaining.ClearField(last)
    kwargs: dict = {}
    if binding.body == "*":
        kwargs["json"] = MessageToDict(remaining)
    elif binding.body:
        kwargs["json"] = MessageToDict(getattr(remaining, binding.body))
        remaining.ClearField(binding.body)
    if binding.body != "*":
        kwargs["params"] = _query(MessageToDict(remaining))
    async with client.stream(binding.method, path, headers=cell.headers, **kwargs) as response:
        if response.status_code < 300:
            return "OK"
        body = await response.aread()
    try:
        error = json.loads(body)
        return f"{grpc.StatusCode(_code(error['code'])).name}|{error.get('message', '')}"
    except (ValueError, KeyError, StopIteration):
        return f"{HTTP_CODES.get(response.status_code, f'HTTP {response.status_code}')}|{body[:200]!r}"


async def test_every_cell_of_the_matrix_gets_the_contracts_outcome(edge, edge_image, callers, rest):
    image = contracts.load(edge_image)
    matrix = cells(image, callers)
    assert {c.rpc.service for c in matrix} == SERVED
    sampled_allowed: dict[str, Cell] = {}
    for cell in sorted((c for c in matrix if c.expect == "ALLOWED"), key=lambda c: c.digest):
        sampled_allowed.setdefault(cell.rpc.grpc_path, cell)
    unbuildable = [f"{c}: {c.invalid}" for c in matrix if c.invalid and c.expect == "ALLOWED" and c.whose != "any"]
    wrong: list[str] = []
    domain: list[str] = []  # allowed by the access rule, refused by the service's own domain rule
    checked = 0
    channel = grpc.aio.secure_channel(edge.target, grpc.ssl_channel_credentials(edge.ca.read_bytes()))
    try:
        for cell in matrix:
            if cell.expect == "ALLOWED" and cell.rpc.grpc_path in NOT_EXECUTED_WHEN_ALLOWED:
                continue
            if cell.expect == "ALLOWED" and not FULL and cell is not sampled_allowed.get(cell.rpc.grpc_path):
                continue
            for transport in cell.transports():
                if transport == "grpc":
                    got = await over_grpc(channel, cell)
                elif transport == "grpc-web":
                    got = await over_grpc_web(rest, cell)
                else:
                    got = await over_rest(rest, cell)
                checked += 1
                code, _, message = got.partition("|")
                if cell.expect != "ALLOWED":
                    if code != cell.expect:
                        wrong.append(f"{cell} over {transport}: expected {cell.expect}, got {got}")
                elif code in DENIALS and cell.rpc.public and code == "UNAUTHENTICATED" and "Jwt" not in message:
                    domain.append(f"{cell} over {transport}: {got}")  # Login's wrong password, a bad secret...
                elif code in DENIALS and (ACCESS_LAYER.search(message) or not message):
                    wrong.append(f"{cell} over {transport}: allowed by the contract, refused: {got}")
                elif code in DENIALS:
                    domain.append(f"{cell} over {transport}: {got}")
    finally:
        await channel.close()
    print(f"authorisation matrix: {len(matrix)} cells, {checked} calls; refused by domain rules:")
    print("\n".join(domain))
    assert not wrong, f"{len(wrong)} of {checked} calls:\n" + "\n".join(wrong)
    assert not unbuildable, "\n".join(unbuildable)
    denied = sum(1 for c in matrix if c.expect != "ALLOWED")
    assert denied and denied < len(matrix)


def test_the_expected_outcomes_follow_the_rules_not_a_table():
    """The reading of a rule, on rules made up here (so the generator itself can fail)."""
    owner = access_pb2.Ownership(field="name", collection="workers", claim=access_pb2.OWNER_CLAIM_USER)
    worker_only = access_pb2.AccessRule(roles=[access_pb2.ROLE_WORKER], owner=owner)
    assert expected(worker_only, {"worker"}, "own", "me") == "ALLOWED"
    assert expected(worker_only, {"worker"}, "other", "me") == "PERMISSION_DENIED"
    assert expected(worker_only, {"employer"}, "own", "me") == "PERMISSION_DENIED"
    assert expected(worker_only, {"admin"}, "other", "") == "ALLOWED"
    assert expected(worker_only, set(), "own", "") == "UNAUTHENTICATED"
    assert expected(access_pb2.AccessRule(public=True), set(), "any", "") == "ALLOWED"
    assert expected(access_pb2.AccessRule(), {"issuer"}, "any", "") == "ALLOWED"
    assert expected(None, {"admin"}, "any", "") == "PERMISSION_DENIED"
