"""Compare the OpenAPI document with the contracts' buf.validate rules, field by field.

For every operation, every field a request can carry (the body, recursively through its
messages, lists and maps; every query parameter) is looked up in the descriptor image, and
each of its rules is checked against the documented schema, read as JSON Schema reads it:

| rule | the schema must have |
|---|---|
| `required` | the field in its object's `required` (a query parameter: `required: true`) |
| string `min_len` / `max_len` / `len` | `minLength` at least / `maxLength` at most the rule's |
| string `pattern` | the same pattern (in `pattern` or an `allOf`) |
| string `email` / `uri` / `uuid` | that `format` |
| string `in`, enum `in` / `not_in` / `const` | an `enum` with only allowed values |
| numbers `gte` / `lte` / `gt` / `lt` / `in` | `minimum` / `maximum` (exclusive) no wider, an `enum` within |
| repeated `min_items` `max_items` `unique` `items` | `minItems` `maxItems` no wider, `uniqueItems`, items alike |
| bytes `max_len` | `maxLength` of the base64 text no longer than the rule allows |
| field mask `in` | a `pattern` that refuses a path outside the list |
| oneof `required` | a `oneOf` of the members' `required` (directly or in an `allOf`) |

CEL rules (`cel`) cannot be written in JSON Schema: the document quotes them, the comparison
only checks they are quoted. `ignore: IGNORE_IF_ZERO_VALUE` lets the zero value through, which
the document writes as `anyOf: [{const: ""}, ...]`; the constraints are looked for in either form.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from google.protobuf import descriptor_pb2

import contracts
from buf.validate import validate_pb2

FD = descriptor_pb2.FieldDescriptorProto
NUMBER_KINDS: tuple[str, ...] = ("int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64")
NUMBER_KINDS += ("sfixed32", "sfixed64", "float", "double")
FORMATS = {"email": "email", "uri": "uri", "uuid": "uuid", "hostname": "hostname", "uri_ref": "uri-reference"}


class Document:
    """The OpenAPI document with `$ref`s resolved."""

    def __init__(self, doc: dict) -> None:
        self.doc = doc

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**self.doc["components"]["schemas"][name], **extra}
        return schema

    def operations(self) -> Iterator[tuple[str, dict]]:
        for path, item in self.doc["paths"].items():
            for verb, operation in item.items():
                if isinstance(operation, dict) and "operationId" in operation:
                    yield f"{verb.upper()} {path}", operation


def _branches(schema: dict) -> list[dict]:
    """The schema and, for a rule that lets the zero value through, its constrained branch."""
    return [schema, *[b for b in schema.get("anyOf", []) if b.get("const") != ""]]


def _has(schema: dict, key: str, ok) -> bool:
    return any(key in b and ok(b[key]) for b in _branches(schema))


def _patterns(schema: dict) -> set[str]:
    found = set()
    for branch in _branches(schema):
        if "pattern" in branch:
            found.add(branch["pattern"])
        found |= {a["pattern"] for a in branch.get("allOf", []) if "pattern" in a}
    return found


def _enum(schema: dict) -> list | None:
    for branch in _branches(schema):
        if "enum" in branch:
            return branch["enum"]
    return None


class Comparison:
    def __init__(self, image: contracts.Contracts, doc: dict) -> None:
        self.image = image
        self.doc = Document(doc)
        self.looser: list[str] = []
        self.checked = 0

    def fail(self, where: str, what: str) -> None:
        self.looser.append(f"{where}: {what}")

    # ---- one value --------------------------------------------------------------
    def value(self, where: str, field, rules: validate_pb2.FieldRules, schema: dict) -> None:
        schema = self.doc.resolve(schema)
        kind = rules.WhichOneof("type")
        if kind == "string":
            self.string(where, rules.string, schema)
        elif kind == "enum":
            self.enum(where, field, rules.enum, schema)
        elif kind in NUMBER_KINDS:
            self.number(where, getattr(rules, kind), schema, wide=kind.endswith("64") and kind != "double")
        elif kind == "bytes":
            self.bytes(where, rules.bytes, schema)
        elif kind == "field_mask":
            self.field_mask(where, rules.field_mask, schema)
        if rules.cel:
            self.checked += 1
            text = schema.get("description", "")
            for rule in rules.cel:
                if (rule.message or rule.expression) not in text:
                    self.fail(where, f"CEL rule {rule.id} not quoted")

    def string(self, where: str, s: validate_pb2.StringRules, schema: dict) -> None:
        low = max([s.min_len] if s.HasField("min_len") else [] + ([s.len] if s.HasField("len") else []), default=0)
        if s.HasField("len"):
            low = s.len
        high = s.len if s.HasField("len") else s.max_len if s.HasField("max_len") else None
        if low:
            self.checked += 1
            if not _has(schema, "minLength", lambda v: v >= low):
                self.fail(where, f"minLength {low} missing")
        if high is not None:
            self.checked += 1
            if not _has(schema, "maxLength", lambda v: v <= high):
                self.fail(where, f"maxLength {high} missing")
        if s.HasField("pattern"):
            self.checked += 1
            if s.pattern not in _patterns(schema):
                self.fail(where, f"pattern {s.pattern} missing")
        for rule, fmt in FORMATS.items():
            if s.HasField(rule) and getattr(s, rule):
                self.checked += 1
                if not _has(schema, "format", lambda v, fmt=fmt: v == fmt):
                    self.fail(where, f"format {fmt} missing")
        allowed = set(getattr(s, "in")) or ({s.const} if s.HasField("const") else set())
        if allowed:
            self.checked += 1
            enum = _enum(schema) or ([schema["const"]] if "const" in schema else None)
            if enum is None or not set(enum) <= allowed:
                self.fail(where, f"enum {sorted(allowed)} missing")

    def enum(self, where: str, field, e: validate_pb2.EnumRules, schema: dict) -> None:
        values = {v.number: v.name for v in self.image.enums[field.type_name.lstrip(".")].value}
        allowed = set(values)
        if getattr(e, "in"):
            allowed &= set(getattr(e, "in"))
        allowed -= set(e.not_in)
        if e.HasField("const"):
            allowed &= {e.const}
        self.checked += 1
        enum = _enum(schema)
        if enum is None or not {n for n in enum} <= {values[n] for n in allowed}:
            self.fail(where, f"enum {sorted(values[n] for n in allowed)} vs {enum}")

    def number(self, where: str, n, schema: dict, wide: bool) -> None:
        bounds = []
        if n.HasField("gte"):
            bounds.append(("minimum", n.gte, lambda v, b=n.gte: v >= b))
        if n.HasField("gt"):
            bounds.append(("exclusiveMinimum", n.gt, lambda v, b=n.gt: v >= b))
        if n.HasField("lte"):
            bounds.append(("maximum", n.lte, lambda v, b=n.lte: v <= b))
        if n.HasField("lt"):
            bounds.append(("exclusiveMaximum", n.lt, lambda v, b=n.lt: v <= b))
        for keyword, bound, ok in bounds:
            self.checked += 1
            if wide:  # 64-bit integers are strings in JSON: the range can only be said in words
                if str(bound) not in schema.get("description", ""):
                    self.fail(where, f"range {keyword} {bound} not stated")
            elif not _has(schema, keyword, ok):
                self.fail(where, f"{keyword} {bound} missing")
        if getattr(n, "in"):
            self.checked += 1
            enum = _enum(schema)
            allowed = {str(v) if wide else v for v in getattr(n, "in")}
            if enum is None or not set(enum) <= allowed:
                self.fail(where, f"enum {sorted(allowed)} missing")

    def bytes(self, where: str, b: validate_pb2.BytesRules, schema: dict) -> None:
        if b.HasField("max_len"):
            self.checked += 1
            longest = 4 * math.ceil(b.max_len / 3)
            if not _has(schema, "maxLength", lambda v: v <= longest):
                self.fail(where, f"maxLength {longest} (base64 of {b.max_len} bytes) missing")

    def field_mask(self, where: str, m, schema: dict) -> None:
        allowed = list(getattr(m, "in"))
        if not allowed:
            return
        self.checked += 1
        patterns = _patterns(schema)
        camel = [_lower_camel(p) for p in allowed]
        good, bad = ",".join(camel), camel[0] + ",notAField"
        if not patterns or not all(re.search(p, good) for p in patterns) or all(re.search(p, bad) for p in patterns):
            self.fail(where, f"field mask paths {camel} not enforced by a pattern")

    # ---- fields and messages ----------------------------------------------------
    def field(self, where: str, field, schema: dict, seen: set[str]) -> None:
        rules = field.options.Extensions[validate_pb2.field]
        schema = self.doc.resolve(schema)
        entry = self._map_entry(field)
        if field.label == FD.LABEL_REPEATED and entry is None:
            if rules.HasField("repeated"):
                r = rules.repeated
                if r.HasField("min_items"):
                    self.checked += 1
                    if schema.get("minItems", 0) < r.min_items:
                        self.fail(where, f"minItems {r.min_items} missing")
                if r.HasField("max_items"):
                    self.checked += 1
                    if schema.get("maxItems", math.inf) > r.max_items:
                        self.fail(where, f"maxItems {r.max_items} missing")
                if r.unique:
                    self.checked += 1
                    if not schema.get("uniqueItems"):
                        self.fail(where, "uniqueItems missing")
                if r.HasField("items"):
                    self.value(f"{where}[]", field, r.items, schema.get("items", {}))
            self.nested(f"{where}[]", field, schema.get("items", {}), seen)
            return
        if entry is not None:
            if rules.HasField("map"):
                if rules.map.HasField("min_pairs") and schema.get("minProperties", 0) < rules.map.min_pairs:
                    self.fail(where, "minProperties missing")
                if rules.map.HasField("max_pairs") and schema.get("maxProperties", math.inf) > rules.map.max_pairs:
                    self.fail(where, "maxProperties missing")
            value = next(f for f in entry.field if f.name == "value")
            self.nested(f"{where}{{}}", value, schema.get("additionalProperties", {}), seen)
            return
        self.value(where, field, rules, schema)
        self.nested(where, field, schema, seen)

    def nested(self, where: str, field, schema: dict, seen: set[str]) -> None:
        if field.type != FD.TYPE_MESSAGE:
            return
        name = field.type_name.lstrip(".")
        if name.startswith("google.protobuf.") or name in seen:
            return
        self.message(where, name, self.doc.resolve(schema), seen | {name})

    def message(
        self, where: str, name: str, schema: dict, seen: set[str], exclude: frozenset[str] | set[str] = frozenset()
    ) -> None:
        message = self.image.messages[name]
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        for field in message.field:
            if field.name in exclude:
                continue
            json_name = field.json_name or field.name
            at = f"{where}.{json_name}" if where else json_name
            if json_name not in properties:
                self.fail(at, "not documented")
                continue
            rules = field.options.Extensions[validate_pb2.field]
            if rules.required:
                self.checked += 1
                if json_name not in required:
                    self.fail(at, "required, documented optional")
            self.field(at, field, properties[json_name], seen)
        for index, oneof in enumerate(message.oneof_decl):
            if oneof.options.Extensions[validate_pb2.oneof].required:
                self.checked += 1
                members = {f.json_name for f in message.field if f.HasField("oneof_index") and f.oneof_index == index}
                alternatives = [a for part in [schema, *schema.get("allOf", [])] for a in part.get("oneOf", [])]
                named = {r for a in alternatives for r in a.get("required", [])}
                if not alternatives or not members - exclude <= named | set(exclude):
                    self.fail(where or name, f"one of {sorted(members)} required, documented optional")

    def _map_entry(self, field):
        if field.type != FD.TYPE_MESSAGE or field.label != FD.LABEL_REPEATED:
            return None
        entry = self.image.messages.get(field.type_name.lstrip("."))
        return entry if entry is not None and entry.options.map_entry else None

    def field_at(self, message: str, path: str):
        field = None
        for part in path.split("."):
            field = next((f for f in self.image.messages[message].field if (f.json_name or f.name) == part), None)
            if field is None:
                return None
            message = field.type_name.lstrip(".")
        return field

    # ---- operations -------------------------------------------------------------
    def operation(self, where: str, operation: dict, rpc: contracts.Rpc, binding: contracts.HttpBinding) -> None:
        bound = {v[0] for v in binding.variables}
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            field = self.field_at(rpc.input_type, parameter["name"])
            at = f"{where} ?{parameter['name']}"
            if field is None:
                self.fail(at, "no such field")
                continue
            if field.options.Extensions[validate_pb2.field].required and "." not in parameter["name"]:
                self.checked += 1
                if not parameter.get("required"):
                    self.fail(at, "required, documented optional")
            self.field(at, field, parameter["schema"], {rpc.input_type})
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if body is None:
            return
        if binding.body == "*":
            top = {b for b in bound if "." not in b}
            self.message(f"{where} body", rpc.input_type, self.doc.resolve(body), {rpc.input_type}, top)
        else:
            field = next(f for f in self.image.messages[rpc.input_type].field if f.name == binding.body)
            self.field(f"{where} body", field, body, {rpc.input_type})


def _lower_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def compare(image: contracts.Contracts, doc: dict) -> tuple[list[str], int, set[str]]:
    """(every field documented looser than its rules, how many rules were checked, the operations with one)."""
    comparison = Comparison(image, doc)
    by_id: dict[str, tuple[contracts.Rpc, contracts.HttpBinding]] = {}
    for rpc in image.rpcs:
        for index, binding in enumerate(rpc.bindings):
            by_id[f"{rpc.service.rsplit('.', 1)[1]}_{rpc.name}" + (f"_{index}" if index else "")] = (rpc, binding)
    loose_operations: set[str] = set()
    for where, operation in comparison.doc.operations():
        before = len(comparison.looser)
        comparison.operation(where, operation, *by_id[operation["operationId"]])
        if len(comparison.looser) > before:
            loose_operations.add(where)
    return comparison.looser, comparison.checked, loose_operations
