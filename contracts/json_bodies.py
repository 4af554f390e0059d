"""The JSON request bodies of the REST bindings, as the field names each object may hold.

Envoy's gRPC-JSON transcoder drops a JSON field the request message does not define and
forwards the rest (it has no option to refuse them), so a misspelt or made-up field would
pass unseen. The edge refuses such bodies before transcoding (`envoy.edge_policy`'s
unknown-field filter); this module gives it, from the descriptor image:

- `body_routes`: for every binding with a body, its method, a path pattern and the message
  its body is (`body: "*"`: the request; `body: "job"`: the `job` field's message);
- `known_fields`: for each message reachable from those bodies, the JSON keys it accepts
  (the lowerCamelCase name and the proto name, as proto3 JSON parsers do) and what the value
  of each is checked against: a message (its own keys), a map (any key, values checked as
  the map's value message) or nothing (scalars, enums, and the well-known types whose JSON
  form is free: Struct, Value, ListValue, Any).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from google.protobuf import descriptor_pb2

from contracts.image import Contracts

FD = descriptor_pb2.FieldDescriptorProto
# Messages whose JSON form is not an object of their fields: never looked into.
OPAQUE_PREFIX = "google.protobuf."
# A body bound to an HttpBody is the raw bytes of the request (audio, a file), not JSON.
RAW_BODY = "google.api.HttpBody"

_VARIABLE = re.compile(r"\{([^}=]+)(?:=([^}]*))?\}")


@dataclass(frozen=True)
class BodyRoute:
    """A REST binding with a JSON body: `POST /v1/auth:logout` carries an `identity.v1.LogoutRequest`."""

    method: str
    template: str
    message: str  # fully qualified, no leading dot
    grpc_path: str
    body_field: str = ""  # the request field the body fills ("" for `body: "*"`)

    def segments(self) -> list[str]:
        """The path as segments: literals, `*` (one segment) and `**` (any number), verbs kept
        on their segment (`auth:logout`, `{name=users/*}:publish` ends in `*:publish`)."""
        flat = _VARIABLE.sub(lambda m: m[2] or "*", self.template)
        return flat.strip("/").split("/")

    @property
    def specificity(self) -> int:
        """Literal characters in the template: a more literal binding is tried first, as the transcoder does."""
        return len(_VARIABLE.sub("", self.template))


@dataclass(frozen=True)
class FieldCheck:
    """What a known key's value is checked against: `message` (its keys), `map_of` (a map: any key,
    each value checked as `map_of`, "" for scalar values) or neither (not looked into)."""

    message: str = ""
    map_of: str | None = None


def _message_of(contracts: Contracts, field: descriptor_pb2.FieldDescriptorProto) -> str:
    """The message a field's JSON value is an object of, or "" (scalar, enum or opaque well-known type)."""
    if field.type not in (FD.TYPE_MESSAGE, FD.TYPE_GROUP):
        return ""
    name = field.type_name.lstrip(".")
    return "" if name.startswith(OPAQUE_PREFIX) or name not in contracts.messages else name


def _field_at(contracts: Contracts, message: str, path: str) -> descriptor_pb2.FieldDescriptorProto:
    field = None
    for part in path.split("."):
        field = next(f for f in contracts.messages[message].field if f.name == part)
        message = field.type_name.lstrip(".")
    assert field is not None
    return field


def body_routes(contracts: Contracts, services: list[str]) -> list[BodyRoute]:
    """Every binding of `services` that takes a JSON body whose fields can be checked, most literal first."""
    routes = []
    for rpc in contracts.rpcs_of(services):
        if rpc.client_streaming:
            continue
        for binding in rpc.bindings:
            if not binding.body:
                continue
            if binding.body == "*":
                message = rpc.input_type
            else:
                message = _message_of(contracts, _field_at(contracts, rpc.input_type, binding.body))
            if message and message != RAW_BODY:
                body_field = "" if binding.body == "*" else binding.body
                routes.append(BodyRoute(binding.method, binding.template, message, rpc.grpc_path, body_field))
    return sorted(routes, key=lambda r: -r.specificity)


def known_fields(contracts: Contracts, roots: list[str]) -> dict[str, dict[str, FieldCheck]]:
    """The JSON keys of every message reachable from `roots`, with what each value is checked against."""
    out: dict[str, dict[str, FieldCheck]] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in out:
            continue
        keys: dict[str, FieldCheck] = {}
        out[name] = keys
        for field in contracts.messages[name].field:
            check = _check(contracts, field)
            for key in {field.name, field.json_name or field.name}:
                keys[key] = check
            for child in (check.message, check.map_of):
                if child:
                    pending.append(child)
    return out


def _check(contracts: Contracts, field: descriptor_pb2.FieldDescriptorProto) -> FieldCheck:
    child = _message_of(contracts, field)
    if child and field.label == FD.LABEL_REPEATED and contracts.messages[child].options.map_entry:
        value = next(f for f in contracts.messages[child].field if f.name == "value")
        return FieldCheck(map_of=_message_of(contracts, value))
    return FieldCheck(message=child)


def body_checks(
    contracts: Contracts, services: list[str]
) -> tuple[list[tuple[str, list[str], str, str]], dict[str, dict]]:
    """`body_routes` and `known_fields` of `services` as plain data, for a filter that checks bodies:
    routes (method, path segments, message, body field) and, per message, its keys -> "" (not looked into),
    a message name, or {"map": message or ""}."""
    routes = body_routes(contracts, services)
    fields = known_fields(contracts, sorted({r.message for r in routes}))
    messages = {
        name: {key: {"map": check.map_of} if check.map_of is not None else check.message for key, check in keys.items()}
        for name, keys in fields.items()
    }
    return [(r.method, r.segments(), r.message, r.body_field) for r in routes], messages
