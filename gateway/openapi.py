"""An OpenAPI 3.1 document for the REST/JSON API, generated from the descriptor image.

    document = build(contracts.load("build/iworkz.binpb"))

- paths come from the `google.api.http` bindings: path parameters from the
  template (`/v1/{name=users/*}` is written `/v1/users/{user}`, and the
  parameter's description says which field it fills), query parameters for
  the fields neither the path nor the body binds, a request body per `body`;
- schemas follow the proto3 JSON mapping: lowerCamelCase names, enums as
  their names, 64-bit integers as strings, Timestamp/Duration/FieldMask/Any/
  wrappers and google.type Money/Date/LatLng as their JSON forms;
- `buf.validate` rules become schema constraints (minLength, maxLength,
  pattern, minimum/maximum, enum, minItems/maxItems, format email/uri/uuid...),
  CEL rules are quoted in the description;
- descriptions are the proto comments; security comes from each RPC's
  `iworkz.auth.v1.access` rule (public RPCs have `security: []`);
- every operation's errors use the `Error` schema, the same JSON the edge
  returns for its own errors and for the services' (`code`, `message`, `details`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from google.protobuf import descriptor_pb2

from buf.validate import validate_pb2
from contracts import Contracts, HttpBinding, Rpc
from iworkz.auth.v1 import access_pb2

FD = descriptor_pb2.FieldDescriptorProto
# A FieldDescriptorProto, as an annotation (the protobuf stubs do not declare FD as a class).
Field = Any
ERROR_SCHEMA = "Error"
ANY_SCHEMA = "google.protobuf.Any"

_SCALARS: dict[int, dict] = {
    FD.TYPE_DOUBLE: {"type": "number", "format": "double"},
    FD.TYPE_FLOAT: {"type": "number", "format": "float"},
    FD.TYPE_INT32: {"type": "integer", "format": "int32"},
    FD.TYPE_SINT32: {"type": "integer", "format": "int32"},
    FD.TYPE_SFIXED32: {"type": "integer", "format": "int32"},
    FD.TYPE_UINT32: {"type": "integer", "format": "uint32", "minimum": 0},
    FD.TYPE_FIXED32: {"type": "integer", "format": "uint32", "minimum": 0},
    # proto3 JSON writes 64-bit integers as strings (JavaScript numbers lose precision).
    FD.TYPE_INT64: {"type": "string", "format": "int64", "pattern": "^-?[0-9]+$"},
    FD.TYPE_SINT64: {"type": "string", "format": "int64", "pattern": "^-?[0-9]+$"},
    FD.TYPE_SFIXED64: {"type": "string", "format": "int64", "pattern": "^-?[0-9]+$"},
    FD.TYPE_UINT64: {"type": "string", "format": "uint64", "pattern": "^[0-9]+$"},
    FD.TYPE_FIXED64: {"type": "string", "format": "uint64", "pattern": "^[0-9]+$"},
    FD.TYPE_BOOL: {"type": "boolean"},
    FD.TYPE_STRING: {"type": "string"},
    FD.TYPE_BYTES: {"type": "string", "format": "byte", "contentEncoding": "base64"},
}

_WRAPPERS = {
    "google.protobuf.DoubleValue": FD.TYPE_DOUBLE,
    "google.protobuf.FloatValue": FD.TYPE_FLOAT,
    "google.protobuf.Int64Value": FD.TYPE_INT64,
    "google.protobuf.UInt64Value": FD.TYPE_UINT64,
    "google.protobuf.Int32Value": FD.TYPE_INT32,
    "google.protobuf.UInt32Value": FD.TYPE_UINT32,
    "google.protobuf.BoolValue": FD.TYPE_BOOL,
    "google.protobuf.StringValue": FD.TYPE_STRING,
    "google.protobuf.BytesValue": FD.TYPE_BYTES,
}

# Well-known types and google.type messages whose JSON form is fixed by their spec.
WELL_KNOWN: dict[str, dict] = {
    "google.protobuf.Timestamp": {
        "type": "string",
        "format": "date-time",
        "description": "RFC 3339 time in UTC, e.g. `2026-04-01T09:30:00Z`.",
    },
    "google.protobuf.Duration": {
        "type": "string",
        "pattern": r"^-?[0-9]+(\.[0-9]{1,9})?s$",
        "description": "Seconds with an `s` suffix, e.g. `900s` or `1.5s`.",
    },
    "google.protobuf.FieldMask": {
        "type": "string",
        "description": "Comma-separated field paths in lowerCamelCase, e.g. `displayName,location`.",
    },
    "google.protobuf.Struct": {"type": "object", "additionalProperties": True},
    "google.protobuf.Value": {"description": "Any JSON value."},
    "google.protobuf.ListValue": {"type": "array", "items": {}},
    "google.protobuf.Empty": {"type": "object", "additionalProperties": False},
    "google.protobuf.Any": {
        "type": "object",
        "required": ["@type"],
        "additionalProperties": True,
        "properties": {
            "@type": {"type": "string", "description": "`type.googleapis.com/` and the message's full name."}
        },
        "description": "A message of any type; `@type` names it, its fields follow.",
    },
    "google.type.Money": {
        "type": "object",
        "additionalProperties": False,
        "description": "An amount of money: `units` whole units plus `nanos` billionths.",
        "properties": {
            "currencyCode": {
                "type": "string",
                "pattern": "^[A-Z]{3}$",
                "description": "ISO 4217 currency code, e.g. `JPY`.",
            },
            "units": {
                "type": "string",
                "format": "int64",
                "pattern": "^-?[0-9]+$",
                "description": "Whole units of the amount.",
            },
            "nanos": {
                "type": "integer",
                "format": "int32",
                "minimum": -999999999,
                "maximum": 999999999,
                "description": "Billionths of a unit; same sign as `units`.",
            },
        },
    },
    "google.type.Date": {
        "type": "object",
        "additionalProperties": False,
        "description": "A calendar date; `year` 0 means a date without a year.",
        "properties": {
            "year": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 9999},
            "month": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 12},
            "day": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 31},
        },
    },
    "google.type.LatLng": {
        "type": "object",
        "additionalProperties": False,
        "description": "A latitude/longitude pair in degrees (WGS84).",
        "properties": {
            "latitude": {"type": "number", "format": "double", "minimum": -90, "maximum": 90},
            "longitude": {"type": "number", "format": "double", "minimum": -180, "maximum": 180},
        },
    },
}

# Messages whose JSON form is one string or number: a single query parameter each.
_QUERY_SCALARS = {"google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask", *_WRAPPERS}

_STRING_FORMATS = {
    "email": "email",
    "uri": "uri",
    "uri_ref": "uri-reference",
    "uuid": "uuid",
    "hostname": "hostname",
    "ipv4": "ipv4",
    "ipv6": "ipv6",
}
_ROLE_NAMES = {v.number: v.name.removeprefix("ROLE_").lower() for v in access_pb2.Role.DESCRIPTOR.values}


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _split_top_level(pattern: str) -> list[str] | None:
    """`pattern` split at the slashes outside groups and classes; None if a group spans a slash."""
    parts, current, depth, in_class, escaped = [], "", 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "/" and depth == 0:
            parts.append(current)
            current = ""
            continue
        elif char == "/":
            return None
        current += char
    parts.append(current)
    return parts


def _alternatives(pattern: str) -> list[str]:
    """`(a|b)` or `(a)?` as its alternatives (an optional group's empty case cannot be a path), else [pattern]."""
    if pattern.startswith("(") and pattern.endswith((")", ")?")):
        inner = pattern[1 : -1 if pattern.endswith(")") else -2]
        if _split_top_level(inner.replace("|", "/")) is not None and "(" not in inner and ")" not in inner:
            return inner.split("|")
    return [pattern]


def _lower_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


class _Builder:
    def __init__(self, contracts: Contracts) -> None:
        self.contracts = contracts
        self.schemas: dict[str, dict] = {}

    # ---- schemas -------------------------------------------------------
    def ref(self, type_name: str) -> dict:
        """A `$ref` to the component schema of a message or enum, generating it on first use."""
        name = type_name.lstrip(".")
        if name not in self.schemas:
            self.schemas[name] = {}  # placeholder: recursive messages refer to themselves
            if name in WELL_KNOWN:
                self.schemas[name] = dict(WELL_KNOWN[name])
            elif name in _WRAPPERS:
                scalar = dict(_SCALARS[_WRAPPERS[name]])
                scalar["type"] = [scalar["type"], "null"]
                self.schemas[name] = scalar
            elif name in self.contracts.enums:
                self.schemas[name] = self.enum_schema(name)
            elif name in self.contracts.messages:
                self.schemas[name] = self.message_schema(name)
            else:
                raise KeyError(f"type {name} is not in the descriptor image")
        return {"$ref": f"#/components/schemas/{name}"}

    def enum_schema(self, name: str, allowed: set[int] | None = None) -> dict:
        enum = self.contracts.enums[name]
        values = [v for v in enum.value if allowed is None or v.number in allowed]
        lines = []
        for v in values:
            text = self.contracts.comments.get(f"{name}.{v.name}", "")
            lines.append(f"- `{v.name}`" + (f": {text}" if text else ""))
        description = "\n".join(filter(None, [self.contracts.comments.get(name, ""), "\n".join(lines)]))
        return {"type": "string", "enum": [v.name for v in values], "description": description}

    def message_schema(self, name: str, exclude: tuple[str, ...] = ()) -> dict:
        message = self.contracts.messages[name]
        schema: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": {}}
        if self.contracts.comments.get(name):
            schema["description"] = self.contracts.comments[name]
        required = []
        for field in message.field:
            if field.name in exclude:
                continue
            json_name = field.json_name or _lower_camel(field.name)
            prop, is_required = self.field_schema(name, field)
            schema["properties"][json_name] = prop
            if is_required:
                required.append(json_name)
        if required:
            schema["required"] = required
        notes = [f"Rule: {c.message or c.expression}" for c in message.options.Extensions[validate_pb2.message].cel]
        oneofs: dict[int, list[str]] = {}
        for field in message.field:
            if field.HasField("oneof_index") and not field.proto3_optional and field.name not in exclude:
                oneofs.setdefault(field.oneof_index, []).append(field.json_name or _lower_camel(field.name))
        for index, names in oneofs.items():
            if message.oneof_decl[index].options.Extensions[validate_pb2.oneof].required:
                # Exactly one: the transcoder refuses two members, the rule refuses none.
                schema.setdefault("allOf", []).append({"oneOf": [{"required": [n]} for n in names]})
                notes.append(f"Exactly one of: {', '.join(f'`{n}`' for n in names)}.")
            else:
                notes.append(f"At most one of: {', '.join(f'`{n}`' for n in names)}.")
        if notes:
            schema["description"] = "\n\n".join(filter(None, [schema.get("description", ""), *notes]))
        return schema

    def _map_entry(self, field: Field) -> descriptor_pb2.DescriptorProto | None:
        if field.type != FD.TYPE_MESSAGE or field.label != FD.LABEL_REPEATED:
            return None
        entry = self.contracts.messages.get(field.type_name.lstrip("."))
        return entry if entry is not None and entry.options.map_entry else None

    def value_schema(self, field: Field) -> dict:
        """The schema of one value of the field (an item, if repeated)."""
        if field.type in (FD.TYPE_MESSAGE, FD.TYPE_GROUP, FD.TYPE_ENUM):
            return self.ref(field.type_name)
        return dict(_SCALARS[field.type])

    def field_schema(self, parent: str, field: Field) -> tuple[dict, bool]:
        """(schema, required) of a message field, with its validation rules applied."""
        rules = (
            field.options.Extensions[validate_pb2.field]
            if field.options.HasExtension(validate_pb2.field)
            else validate_pb2.FieldRules()
        )
        entry = self._map_entry(field)
        if entry is not None:
            value_field = next(f for f in entry.field if f.name == "value")
            schema: dict = {"type": "object", "additionalProperties": self.value_schema(value_field)}
            if rules.HasField("map"):
                if rules.map.HasField("min_pairs"):
                    schema["minProperties"] = rules.map.min_pairs
                if rules.map.HasField("max_pairs"):
                    schema["maxProperties"] = rules.map.max_pairs
        elif field.label == FD.LABEL_REPEATED:
            item = self.value_schema(field)
            if rules.HasField("repeated") and rules.repeated.HasField("items"):
                item = self.constrain(field, item, rules.repeated.items)
            schema = {"type": "array", "items": item}
            if rules.HasField("repeated"):
                r = rules.repeated
                if r.HasField("min_items"):
                    schema["minItems"] = r.min_items
                if r.HasField("max_items"):
                    schema["maxItems"] = r.max_items
                if r.unique:
                    schema["uniqueItems"] = True
        else:
            schema = self.constrain(field, self.value_schema(field), rules)
        description = self.contracts.comments.get(f"{parent}.{field.name}", "")
        cel = [c.message or c.expression for c in rules.cel]
        if cel:
            description = "\n\n".join(filter(None, [description, *[f"Rule: {c}" for c in cel]]))
        if rules.HasField("field_mask") and getattr(rules.field_mask, "in"):
            schema = {**schema, "pattern": _field_mask_pattern(getattr(rules.field_mask, "in"))}
            description = "\n\n".join(
                filter(
                    None,
                    [
                        description,
                        "Paths allowed: "
                        + ", ".join(f"`{_lower_camel(p)}`" for p in getattr(rules.field_mask, "in"))
                        + ".",
                    ],
                )
            )
        if description.lower().startswith("output only"):
            schema["readOnly"] = True
        if description:
            # OpenAPI 3.1 allows siblings of $ref: the field's own words sit next to the type's.
            schema = {**schema, "description": description}
        return schema, bool(rules.required)

    def constrain(self, field: Field, schema: dict, rules: validate_pb2.FieldRules) -> dict:
        """Apply one value's buf.validate rules as JSON Schema keywords."""
        kind = rules.WhichOneof("type")
        extra: dict[str, Any] = {}
        if kind == "string":
            extra = _string_keywords(rules.string)
        elif kind == "enum":
            extra = self._enum_keywords(field, rules.enum)
        elif kind in _NUMBER_KINDS:
            extra = _number_keywords(kind, getattr(rules, kind))
        elif kind == "bytes":
            extra = _bytes_keywords(rules.bytes)
        if not extra:
            return schema
        constrained = {**schema, **extra}
        if rules.ignore == validate_pb2.IGNORE_IF_ZERO_VALUE and schema.get("type") == "string":
            # The rules apply only when a value is set: the empty string is also fine.
            base = {k: v for k, v in constrained.items() if k not in extra}
            return {**base, "anyOf": [{"const": ""}, extra]}
        return constrained

    def _enum_keywords(self, field: Field, e: validate_pb2.EnumRules) -> dict[str, Any]:
        enum_name = field.type_name.lstrip(".")
        numbers = [v.number for v in self.contracts.enums[enum_name].value]
        allowed: set[int] | None = None
        if getattr(e, "in"):
            allowed = set(getattr(e, "in"))
        if e.not_in:
            allowed = (allowed if allowed is not None else set(numbers)) - set(e.not_in)
        if e.HasField("const"):
            allowed = {e.const}
        if allowed is None:
            return {}
        self.ref(enum_name)
        return {"enum": [v.name for v in self.contracts.enums[enum_name].value if v.number in allowed]}

    # ---- operations ----------------------------------------------------
    def field_at(self, message: str, path: str) -> Field | None:
        current = message
        field = None
        for part in path.split("."):
            msg = self.contracts.messages.get(current)
            if msg is None:
                return None
            field = next((f for f in msg.field if f.name == part), None)
            if field is None:
                return None
            current = field.type_name.lstrip(".")
        return field

    def path_and_parameters(self, rpc: Rpc, binding: HttpBinding) -> tuple[str, list[dict], set[str]]:
        """The OpenAPI path, its path parameters, and the request fields they bind."""
        parameters: list[dict] = []
        bound: set[str] = set()
        used: set[str] = set()
        out = binding.template
        for match in reversed(list(re.finditer(r"\{([^}=]+)(?:=([^}]*))?\}", binding.template))):
            field_path, pattern = match[1], match[2] or "*"
            bound.add(field_path)
            segments = pattern.split("/")
            rule_segments = self._rule_segments(rpc.input_type, field_path, segments)
            rendered = []
            names = []
            for i, segment in enumerate(segments):
                if segment in ("*", "**"):
                    base = (
                        _singular(segments[i - 1])
                        if i > 0 and segments[i - 1] not in ("*", "**")
                        else _lower_camel(field_path.replace(".", "_"))
                    )
                    name = base
                    n = 2
                    while name in used:
                        name, n = f"{base}{n}", n + 1
                    used.add(name)
                    names.append(name)
                    rendered.append("{" + name + "}")
                    parameters.append(
                        {
                            "name": name,
                            "in": "path",
                            "required": True,
                            "schema": {
                                "type": "string",
                                # The field's own rule for this segment when it has one (`[0-9a-f-]{36}`).
                                "pattern": f"^{rule_segments[i]}$"
                                if rule_segments
                                else "^[^/]+$"
                                if segment == "*"
                                else "^.+$",
                            },
                        }
                    )
                else:
                    rendered.append(segment)
            shape = "/".join(rendered)
            comment = self.contracts.comments.get(f"{rpc.input_type}.{field_path}", "") if "." not in field_path else ""
            note = f"Fills `{field_path}` = `{shape}`."
            if comment and comment.strip("`.") != shape:
                note += " " + comment
            for p in parameters[-len(names) :]:
                p["description"] = note
            out = out[: match.start()] + shape + out[match.end() :]
        # Parameters were collected right to left.
        order = {name: i for i, name in enumerate(re.findall(r"\{([^}]+)\}", out))}
        parameters.sort(key=lambda p: order.get(p["name"], 0))
        return out, parameters, bound

    def _rule_segments(self, message: str, field_path: str, segments: list[str]) -> list[str] | None:
        """The field's buf.validate pattern cut at its top-level slashes, one regex per template
        segment, when it lines up with the template (`^workers/[0-9a-f-]{36}$` with `workers/*`)."""
        field = self.field_at(message, field_path)
        if field is None or not field.options.HasExtension(validate_pb2.field):
            return None
        pattern = field.options.Extensions[validate_pb2.field].string.pattern
        if not (pattern.startswith("^") and pattern.endswith("$")) or "**" in segments:
            return None
        for alternative in _alternatives(pattern[1:-1]):
            parts = _split_top_level(alternative)
            if parts is not None and len(parts) == len(segments):
                if all(segment == "*" or part == segment for part, segment in zip(parts, segments, strict=True)):
                    return parts
        return None

    def query_parameters(self, message: str, bound: set[str], prefix: str = "", depth: int = 0) -> list[dict]:
        """Query parameters for every field not bound by the path (messages flattened with dots)."""
        found: list[dict] = []
        for field in self.contracts.messages[message].field:
            path = f"{prefix}{field.name}"
            if path in bound:
                continue
            json_path = ".".join(_lower_camel(p) for p in path.split("."))
            type_name = field.type_name.lstrip(".")
            if field.type == FD.TYPE_MESSAGE and type_name not in _QUERY_SCALARS:
                if (
                    type_name.startswith("google.protobuf.")
                    or self._map_entry(field) is not None
                    or field.label == FD.LABEL_REPEATED
                    or depth >= 3
                ):
                    continue  # not expressible as query parameters
                found += self.query_parameters(type_name, bound, path + ".", depth + 1)
                continue
            schema, required = self.field_schema(message, field)
            description = schema.pop("description", None)
            # Only a top-level field's rule makes the parameter necessary (a nested one applies when its
            # parent message is set).
            parameter = {"name": json_path, "in": "query", "required": required and not prefix, "schema": schema}
            if field.label == FD.LABEL_REPEATED:
                parameter["style"], parameter["explode"] = "form", True
            if description:
                parameter["description"] = description
            found.append(parameter)
        return found

    def body_schema(self, rpc: Rpc, binding: HttpBinding, bound: set[str]) -> dict:
        if binding.body == "*":
            top_level = tuple(b for b in bound if "." not in b)
            if not top_level:
                return self.ref(rpc.input_type)
            self.ref(rpc.input_type)
            return self.message_schema(rpc.input_type, exclude=top_level)
        field = self.field_at(rpc.input_type, binding.body)
        if field is None:
            raise ValueError(f"{rpc.grpc_path}: body field {binding.body} does not exist")
        schema, _ = self.field_schema(rpc.input_type, field)
        return schema

    def response_schema(self, rpc: Rpc, binding: HttpBinding) -> dict:
        if binding.response_body:
            field = self.field_at(rpc.output_type, binding.response_body)
            if field is None:
                raise ValueError(f"{rpc.grpc_path}: response_body {binding.response_body} does not exist")
            return self.field_schema(rpc.output_type, field)[0]
        return self.ref(rpc.output_type)

    def operation(self, rpc: Rpc, binding: HttpBinding, index: int) -> tuple[str, str, dict]:
        path, parameters, bound = self.path_and_parameters(rpc, binding)
        if not binding.body:
            parameters += self.query_parameters(rpc.input_type, bound)
        elif binding.body != "*":
            parameters += self.query_parameters(rpc.input_type, bound | {binding.body})
        first_sentence = (
            re.split(r"(?<=\.)\s", rpc.comment.replace("\n", " "), maxsplit=1)[0] if rpc.comment else rpc.name
        )
        service_short = rpc.service.rsplit(".", 1)[1]
        op: dict[str, Any] = {
            "operationId": f"{service_short}_{rpc.name}" + (f"_{index}" if index else ""),
            "tags": [service_short],
            "summary": first_sentence,
            "description": rpc.comment + "\n\n" + _access_words(rpc) if rpc.comment else _access_words(rpc),
            "x-grpc-method": rpc.grpc_path,
        }
        if parameters:
            op["parameters"] = parameters
        if binding.body:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": self.body_schema(rpc, binding, bound)}},
            }
        if rpc.server_streaming:
            content = {
                "text/event-stream": {
                    "schema": {
                        "type": "string",
                        "description": f"Server-Sent Events: each event's `data:` is one `{rpc.output_type}` as JSON.",
                    },
                    "x-event-schema": self.response_schema(rpc, binding),
                }
            }
            ok = {"description": "A stream of events (Server-Sent Events), one per message.", "content": content}
        else:
            ok = {"description": "OK", "content": {"application/json": {"schema": self.response_schema(rpc, binding)}}}
        responses: dict[str, Any] = {"200": ok}
        responses["400"] = {"$ref": "#/components/responses/InvalidArgument"}
        if not rpc.public:
            responses["401"] = {"$ref": "#/components/responses/Unauthenticated"}
            responses["403"] = {"$ref": "#/components/responses/PermissionDenied"}
        responses["429"] = {"$ref": "#/components/responses/RateLimited"}
        responses["default"] = {"$ref": "#/components/responses/Error"}
        op["responses"] = responses
        if rpc.public:
            op["security"] = []
        if rpc.access is not None:
            op["x-iworkz-access"] = _access_extension(rpc.access)
        return path, binding.method.lower(), op


def _access_words(rpc: Rpc) -> str:
    rule = rpc.access
    if rule is None:
        return "**Access:** not declared (closed)."
    if rule.public:
        return "**Access:** public, no token needed."
    roles = ", ".join(_ROLE_NAMES.get(r, str(r)) for r in rule.roles) or "any signed-in caller"
    words = f"**Access:** bearer token; roles: {roles}"
    if rule.HasField("owner"):
        words += f"; `{rule.owner.field}` must name the caller's own `{rule.owner.collection}` (admins exempt)"
    return words + "."


def _access_extension(rule: access_pb2.AccessRule) -> dict:
    out: dict[str, Any] = {"public": rule.public, "roles": [_ROLE_NAMES.get(r, str(r)) for r in rule.roles]}
    if rule.HasField("owner"):
        claim = access_pb2.OwnerClaim.Name(rule.owner.claim or access_pb2.OWNER_CLAIM_USER)
        out["owner"] = {
            "field": rule.owner.field,
            "collection": rule.owner.collection,
            "claim": claim.removeprefix("OWNER_CLAIM_").lower(),
        }
    return out


def _error_components(builder: _Builder) -> dict:
    details = {
        "type": "array",
        "items": builder.ref(ANY_SCHEMA),
        "description": "Typed details, e.g. `google.rpc.BadRequest` (field violations), "
        "`buf.validate.Violations`, `google.rpc.RetryInfo`.",
    }
    for known in ("google.rpc.BadRequest", "google.rpc.RetryInfo", "google.rpc.ErrorInfo", "buf.validate.Violations"):
        if known in builder.contracts.messages:
            builder.ref(known)
    builder.schemas[ERROR_SCHEMA] = {
        "type": "object",
        "required": ["code", "message"],
        "description": "Every error, from the services or from the edge itself: a `google.rpc.Status` "
        "as JSON. The HTTP status follows the gRPC code (400 INVALID_ARGUMENT, "
        "401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, "
        "409 ALREADY_EXISTS/ABORTED, 413 body too large, 429 RESOURCE_EXHAUSTED, "
        "503 UNAVAILABLE, ...).",
        "properties": {
            "code": {
                "type": "integer",
                "format": "int32",
                "minimum": 0,
                "maximum": 16,
                "description": "The `google.rpc.Code` (3 INVALID_ARGUMENT, 16 UNAUTHENTICATED, ...).",
            },
            "message": {"type": "string", "description": "What went wrong, for a developer."},
            "details": details,
        },
        "examples": [
            {
                "code": 3,
                "message": "invalid request: email: value must be a valid email address",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.BadRequest",
                        "fieldViolations": [{"field": "email", "description": "value must be a valid email address"}],
                    }
                ],
            }
        ],
    }

    def response(description: str) -> dict:
        return {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}},
        }

    return {
        "InvalidArgument": response(
            "INVALID_ARGUMENT (code 3): a field breaks its rules, an unknown query "
            "parameter, or malformed JSON. `details` names each field."
        ),
        "Unauthenticated": response("UNAUTHENTICATED (code 16): no bearer token, or an invalid or expired one."),
        "PermissionDenied": response(
            "PERMISSION_DENIED (code 7): the caller lacks the role or does not own the resource."
        ),
        "RateLimited": response(
            "RESOURCE_EXHAUSTED (code 8): too many requests from this caller for this "
            "method; see the `x-ratelimit-*` headers."
        ),
        "Error": response("Any other error, same shape."),
    }


def build(
    contracts: Contracts, services: list[str] | None = None, *, title: str = "iWORKZ API", version: str = "v1"
) -> dict:
    """The OpenAPI 3.1 document of the RPCs with HTTP bindings (of `services`, default all)."""
    builder = _Builder(contracts)
    wanted = contracts.services() if not services else [s for s in contracts.services() if s in services]
    paths: dict[str, dict] = {}
    tags = []
    for service in wanted:
        short = service.rsplit(".", 1)[1]
        tags.append({"name": short, "description": contracts.comments.get(service, "")})
        for rpc in contracts.rpcs_of([service]):
            for index, binding in enumerate(rpc.bindings):
                path, method, op = builder.operation(rpc, binding, index)
                if method in paths.get(path, {}):
                    raise ValueError(
                        f"{method.upper()} {path} is bound twice "
                        f"({paths[path][method]['x-grpc-method']} and {rpc.grpc_path})"
                    )
                paths.setdefault(path, {})[method] = op
    responses = _error_components(builder)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": title,
            "version": version,
            "summary": "REST/JSON API of the iWORKZ platform, generated from its protobuf contracts.",
            "description": (
                "Every operation is also a gRPC method (see `x-grpc-method`) reachable at the same "
                "address over gRPC and gRPC-web. Field names are lowerCamelCase; enums are sent and "
                "returned by name; 64-bit integers are strings; zero values are always present in "
                "responses. Send `Authorization: Bearer <accessToken>` (from `POST /v1/auth:login`) "
                'to operations that need a token. Errors are JSON: `{"code", "message", "details"}`. '
                "Server-streaming operations answer with Server-Sent Events."
            ),
        },
        "servers": [{"url": "/"}],
        "tags": tags,
        "security": [{"bearerAuth": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "ES256 access token from sign-up, login, refresh or an API-key exchange.",
                }
            },
            "responses": responses,
            "schemas": dict(sorted(builder.schemas.items())),
        },
    }


_NUMBER_KINDS = (
    "int32",
    "int64",
    "uint32",
    "uint64",
    "sint32",
    "sint64",
    "fixed32",
    "fixed64",
    "sfixed32",
    "sfixed64",
    "float",
    "double",
)


def _string_keywords(s: validate_pb2.StringRules) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if s.HasField("len"):
        extra["minLength"] = extra["maxLength"] = s.len
    if s.HasField("min_len"):
        extra["minLength"] = s.min_len
    if s.HasField("max_len"):
        extra["maxLength"] = s.max_len
    patterns = []
    if s.HasField("pattern"):
        patterns.append(s.pattern)
    if s.HasField("prefix"):
        patterns.append("^" + re.escape(s.prefix))
    if s.HasField("suffix"):
        patterns.append(re.escape(s.suffix) + "$")
    if s.HasField("contains"):
        patterns.append(re.escape(s.contains))
    if patterns:
        extra["pattern"] = patterns[0]
        if len(patterns) > 1:
            extra["allOf"] = [{"pattern": p} for p in patterns[1:]]
    for rule, fmt in _STRING_FORMATS.items():
        if s.HasField(rule) and getattr(s, rule):
            extra["format"] = fmt
    if getattr(s, "in"):
        extra["enum"] = list(getattr(s, "in"))
    if s.not_in:
        extra["not"] = {"enum": list(s.not_in)}
    if s.HasField("const"):
        extra["const"] = s.const
    return extra


def _number_keywords(kind: str, n: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for rule, keyword in (
        ("gt", "exclusiveMinimum"),
        ("gte", "minimum"),
        ("lt", "exclusiveMaximum"),
        ("lte", "maximum"),
    ):
        if n.HasField(rule):
            extra[keyword] = getattr(n, rule)
    if getattr(n, "in"):
        extra["enum"] = list(getattr(n, "in"))
    if n.not_in:
        extra["not"] = {"enum": list(n.not_in)}
    if n.HasField("const"):
        extra["const"] = n.const
    wide = kind.endswith("64") and kind != "double"
    if wide and any(k.endswith("imum") for k in extra):
        # 64-bit integers travel as strings, where numeric keywords do not apply: say it in words.
        bounds = {k: extra.pop(k) for k in list(extra) if k.endswith("imum")}
        extra["description"] = "Range: " + ", ".join(f"{k} {v}" for k, v in bounds.items()) + "."
    if wide and "enum" in extra:
        extra["enum"] = [str(v) for v in extra["enum"]]
    return extra


def _bytes_keywords(b: validate_pb2.BytesRules) -> dict[str, Any]:
    """Byte lengths, and the lengths of their base64 text (what JSON Schema can check)."""
    extra: dict[str, Any] = {}
    if b.HasField("min_len"):
        extra["x-min-bytes"] = b.min_len
        extra["minLength"] = 4 * ((b.min_len + 2) // 3) if b.min_len else 0
    if b.HasField("max_len"):
        extra["x-max-bytes"] = b.max_len
        extra["maxLength"] = 4 * ((b.max_len + 2) // 3)
    return extra


def _field_mask_pattern(paths: Iterable[str]) -> str:
    """A FieldMask's JSON (comma-separated lowerCamelCase paths) limited to `paths` and their sub-paths."""
    one = "(" + "|".join(re.escape(_lower_camel(p)) for p in paths) + r")(\.[A-Za-z0-9_]+)*"
    return f"^{one}(,{one})*$"


def main(argv: list[str] | None = None) -> int:
    """`python -m gateway.openapi OUT [--image build/iworkz.binpb]`: the document the edge serves at
    `/openapi.json`, written offline (the web app generates its API types from it at build time)."""
    import argparse
    import json
    import pathlib

    import contracts as contracts_module

    parser = argparse.ArgumentParser(prog="python -m gateway.openapi", description=main.__doc__)
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--image", default=str(pathlib.Path(__file__).resolve().parents[1] / "build" / "iworkz.binpb"))
    args = parser.parse_args(argv)
    image = contracts_module.load(args.image)
    document = build(contracts_module.from_bytes(contracts_module.transcoder_descriptor_set(image)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
