"""Requests that pass the contracts' buf.validate rules, built from the rules themselves.

The authorisation matrix needs requests the validation interceptor lets
through (ownership is checked after validation), and the fuzzers need a valid
starting point. `valid_request` fills every field a rule makes necessary
(required, minimum lengths, patterns, enum sets, minimum items, numeric
bounds) with the simplest value that satisfies it; a pattern is solved by
walking its parsed form (first alternative, fewest repeats, lowest character).
`violations` says whether the result is valid, so a test can tell a request
it could not build from a refusal.
"""

from __future__ import annotations

import functools
import importlib
import re
import uuid

import protovalidate
from google.protobuf import descriptor as d
from google.protobuf.message import Message

from buf.validate import validate_pb2

# re's private parser (no typeshed stub in every environment): the pattern's syntax tree.
_parser = importlib.import_module("re._parser")

SAMPLE_ID = "3f2b9c1e-8d4a-4b6f-9e2d-7a1c5b3e9f04"  # an id no resource has
_ZERO_ID = re.compile(r"[0-]{36}")
_VALIDATOR = protovalidate.Validator()


def rules_of(field: d.FieldDescriptor) -> validate_pb2.FieldRules:
    return field.GetOptions().Extensions[validate_pb2.field]


@functools.cache
def solve_pattern(pattern: str) -> str:
    """The simplest string matching `pattern` (ids in it made real-looking uuids)."""
    found = "".join(_simplest(_parser.parse(pattern)))
    if not re.search(pattern, found):
        raise ValueError(f"cannot solve the pattern {pattern!r} (got {found!r})")
    return _ZERO_ID.sub(SAMPLE_ID, found)


def _simplest(parsed) -> list[str]:
    """The shortest text a parsed regex accepts: first alternatives, fewest repeats, lowest characters."""
    out: list[str] = []
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "IN":
            out.append(_first_in(arg))
        elif name == "ANY":
            out.append("a")
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, item = arg
            out += _simplest(item) * low
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            out += _simplest(arg[-1])
        elif name == "BRANCH":
            out += _simplest(arg[1][0])
        elif name == "CATEGORY":
            out.append(_CATEGORY.get(str(arg), "a"))
        elif name == "NOT_LITERAL":
            out.append("a" if arg != ord("a") else "b")
    return out


_CATEGORY = {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " ", "CATEGORY_NOT_SPACE": "a"}


def _first_in(items) -> str:
    if str(items[0][0]) == "NEGATE":
        return next(c for c in "a0-_." if not re.fullmatch(_in_regex(items), c))
    op, arg = items[0]
    if str(op) == "LITERAL":
        return chr(arg)
    if str(op) == "RANGE":
        return chr(arg[0])
    return _CATEGORY.get(str(arg), "a")


def _in_regex(items) -> str:
    return "[" + "".join("^" if str(o) == "NEGATE" else "" for o, _ in items) + "]"


def _string(rules: validate_pb2.StringRules) -> str | None:
    if rules.example:
        return rules.example[0]
    if rules.HasField("const"):
        return rules.const
    if rules.__getattribute__("in"):
        return rules.__getattribute__("in")[0]
    if rules.HasField("pattern"):
        value = solve_pattern(rules.pattern)
        return value if len(value) >= rules.min_len else value + "a" * (rules.min_len - len(value))
    kind = rules.WhichOneof("well_known")
    if kind == "email":
        return "someone@example.com"
    if kind in ("uri", "uri_ref"):
        return "https://example.com/x"
    if kind in ("uuid", "tuuid"):
        return SAMPLE_ID if kind == "uuid" else SAMPLE_ID.replace("-", "")
    if kind == "hostname":
        return "example.com"
    if rules.min_len or rules.min_bytes or rules.prefix or rules.suffix or rules.contains:
        core = "a" * max(rules.min_len, rules.min_bytes, 1)
        return rules.prefix + core + rules.contains + rules.suffix
    return None


def _enum(field: d.FieldDescriptor, rules: validate_pb2.EnumRules) -> int | None:
    values = [v.number for v in field.enum_type.values]
    allowed = list(rules.__getattribute__("in")) or [v for v in values if v != 0]
    allowed = [v for v in allowed if v not in rules.not_in]
    if rules.HasField("const"):
        return rules.const
    if rules.defined_only or rules.not_in or rules.__getattribute__("in"):
        return allowed[0] if allowed else None
    return None


def _number(rules: validate_pb2.FieldRules) -> int | float | None:
    kind = rules.WhichOneof("type")
    if kind not in ("int32", "int64", "uint32", "uint64", "sint32", "sint64", "double", "float", "fixed32"):
        return None
    numeric = getattr(rules, kind)
    if numeric.__getattribute__("in"):
        return numeric.__getattribute__("in")[0]
    low = None
    if numeric.HasField("gte"):
        low = numeric.gte
    elif numeric.HasField("gt"):
        low = numeric.gt + 1
    return low


def _fill(message: Message, depth: int = 0) -> None:
    if depth > 6:
        return
    descriptor = message.DESCRIPTOR
    required_oneofs = {o.name for o in descriptor.oneofs if o.GetOptions().Extensions[validate_pb2.oneof].required}
    for field in descriptor.fields:
        oneof = field.containing_oneof
        if oneof is not None and oneof.name in required_oneofs:
            if message.WhichOneof(oneof.name) is None:
                _set(message, field, rules_of(field), depth, force=True)
            continue
        _set(message, field, rules_of(field), depth, force=False)


def _set(message: Message, field: d.FieldDescriptor, rules: validate_pb2.FieldRules, depth: int, force: bool) -> None:
    if field.is_repeated:
        _set_repeated(message, field, rules, depth)
        return
    if field.message_type is not None:
        if rules.required or force:
            _fill(getattr(message, field.name), depth + 1)
            getattr(message, field.name).SetInParent()
        return
    value = _scalar(field, rules, rules.required or force)
    if value is not None:
        setattr(message, field.name, value)


def _set_repeated(message: Message, field: d.FieldDescriptor, rules: validate_pb2.FieldRules, depth: int) -> None:
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        return
    items = rules.repeated.min_items if rules.HasField("repeated") else 0
    if not items:
        return
    container = getattr(message, field.name)
    item_rules = rules.repeated.items
    for i in range(items):
        if field.message_type is not None:
            _fill(container.add(), depth + 1)
        elif field.type == d.FieldDescriptor.TYPE_ENUM:
            allowed = _enum(field, item_rules.enum) or 1
            choices = [v for v in list(item_rules.enum.__getattribute__("in")) or [allowed] if v]
            container.append(choices[i % len(choices)] if choices else allowed)
        elif field.type == d.FieldDescriptor.TYPE_STRING:
            container.append((_string(item_rules.string) or "a") + ("" if i == 0 else str(i)))


def _scalar(field: d.FieldDescriptor, rules: validate_pb2.FieldRules, needed: bool) -> object:
    force = needed
    value: object = None
    if field.type == d.FieldDescriptor.TYPE_STRING:
        value = _string(rules.string) if rules.HasField("string") else None
        if value is None and (rules.required or force):
            value = "a"
    elif field.type == d.FieldDescriptor.TYPE_ENUM:
        value = _enum(field, rules.enum) if rules.HasField("enum") else None
        if value is None and (rules.required or force):
            value = 1
    elif field.type == d.FieldDescriptor.TYPE_BOOL:
        value = True if (rules.required or force) else None
    elif field.type == d.FieldDescriptor.TYPE_BYTES:
        value = b"a" if (rules.required or force or (rules.HasField("bytes") and rules.bytes.min_len)) else None
        if value is not None and rules.HasField("bytes") and rules.bytes.min_len:
            value = b"a" * rules.bytes.min_len
    else:
        value = _number(rules)
        if value is None and (rules.required or force):
            value = 1
    return value


def valid_request(message_class: type[Message], overrides: dict[str, str] | None = None) -> Message:
    """The simplest request satisfying its rules, then `overrides` (dotted field path -> value)."""
    message = message_class()
    _fill(message)
    for path, value in (overrides or {}).items():
        set_path(message, path, value)
    _repair(message, set(overrides or {}))
    return message


def _candidates(message: Message, prefix: str = "") -> list[tuple[str, Message, d.FieldDescriptor]]:
    found = []
    for field, value in message.ListFields():
        found.append((prefix + field.name, message, field))
        if field.message_type is not None and not field.is_repeated:
            found += _candidates(value, prefix + field.name + ".")
    for field in message.DESCRIPTOR.fields:
        simple = field.type in (d.FieldDescriptor.TYPE_ENUM, d.FieldDescriptor.TYPE_BOOL)
        if simple and not field.is_repeated and not getattr(message, field.name):
            found.append((prefix + field.name, message, field))
    return found


def _repair(message: Message, keep: set[str]) -> None:
    """Message-level (CEL) rules name no field: try, greedily, clearing a field or another enum value."""
    for _ in range(8):
        broken = len(violations(message))
        if not broken:
            return
        best: tuple[int, Message] | None = None
        for path, _owner, field in _candidates(message):
            if path in keep:
                continue
            trials = []
            if field.type == d.FieldDescriptor.TYPE_ENUM and not field.is_repeated:
                trials = [("set", v.number) for v in field.enum_type.values]
            elif field.type == d.FieldDescriptor.TYPE_BOOL and not field.is_repeated:
                trials = [("set", True)]
            trials.append(("clear", None))
            for action, value in trials:
                attempt = type(message)()
                attempt.CopyFrom(message)
                target = attempt
                for part in path.split(".")[:-1]:
                    target = getattr(target, part)
                if action == "clear":
                    target.ClearField(field.name)
                else:
                    setattr(target, field.name, value)
                count = len(violations(attempt))
                if count < broken and (best is None or count < best[0]):
                    best = (count, attempt)
        if best is None:
            return
        message.CopyFrom(best[1])


def set_path(message: Message, path: str, value: object) -> None:
    *parents, last = path.split(".")
    target = message
    for part in parents:
        target = getattr(target, part)
    setattr(target, last, value)


def violations(message: Message) -> list[str]:
    """The rules `message` breaks ([] when valid)."""
    return [f"{v.proto.rule_id}: {v.proto.message}" for v in _VALIDATOR.collect_violations(message)]


def owned_name(pattern: str, collection: str, owner: str, template: str = "") -> str:
    """A name matching `pattern` (else the HTTP binding's `template`, `employers/*/jobs/*`) whose id
    after `collection/` is `owner`."""
    if pattern:
        base = solve_pattern(pattern)
    elif template:
        base = "/".join(SAMPLE_ID if part in ("*", "**") else part for part in template.split("/"))
    else:
        base = f"{collection}/{SAMPLE_ID}"
    parts = base.split("/")
    if collection in parts:
        parts[parts.index(collection) + 1] = owner
        return "/".join(parts)
    return f"{collection}/{owner}"


def new_id() -> str:
    return str(uuid.uuid4())
