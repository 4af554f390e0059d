"""Read the contracts' descriptor image: RPCs, HTTP bindings, access rules, comments.

The edge renderer and the OpenAPI generator both see the platform through
this module, so "which RPCs exist, how they are bound to HTTP and who may
call them" is decided in one place, from the image alone.
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, field

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from buf.validate import validate_pb2  # noqa: F401  (registers buf.validate options for parsing)
from iworkz.auth.v1 import access_pb2

# Rich-error detail types the services send (google.rpc.*); the transcoder needs
# their descriptors to print `details` as JSON, and the image may not import them.
ERROR_FILES = (code_pb2, status_pb2, error_details_pb2)

_VARIABLE = re.compile(r"\{([^}=]+)(?:=([^}]*))?\}")


@dataclass(frozen=True)
class HttpBinding:
    """One HTTP binding of an RPC: `GET /v1/{name=users/*}`."""

    method: str  # GET, POST, PATCH, PUT, DELETE (or a custom verb's kind)
    template: str  # the path template as written in the contract
    body: str  # "", "*" or a request field name
    response_body: str

    @property
    def variables(self) -> list[tuple[str, str]]:
        """(field path, segment pattern) for each `{var=pattern}` in the template."""
        return [(m[1], m[2] or "*") for m in _VARIABLE.finditer(self.template)]

    def path_regex(self) -> str:
        """An RE2 regex matching every URL path this binding accepts (and, at worst, a few more).

        `*` is one segment, `**` any number; a trailing slash is tolerated. Used
        to match REST requests before transcoding (edge JWT rules), so it errs
        on the side of matching: a `[^/]+` segment also accepts `:verb` suffixes.
        """
        out, pos = [], 0
        for m in _VARIABLE.finditer(self.template):
            out.append(_literal(self.template[pos : m.start()]))
            out.append(_segments(m[2] or "*"))
            pos = m.end()
        out.append(_literal(self.template[pos:]))
        return "^" + "".join(out) + "/?$"


def _literal(text: str) -> str:
    return "".join("\\" + c if c in ".^$*+?()[]{}|\\" else c for c in text)


def _segments(pattern: str) -> str:
    parts = []
    for segment in pattern.split("/"):
        if segment == "**":
            parts.append(".+")
        elif segment == "*":
            parts.append("[^/]+")
        else:
            parts.append(_literal(segment))
    return "/".join(parts)


@dataclass(frozen=True)
class Rpc:
    """One RPC of the contracts."""

    package: str
    service: str  # fully qualified, e.g. iworkz.identity.v1.IdentityService
    name: str  # method name, e.g. SignUp
    input_type: str  # fully qualified, no leading dot
    output_type: str
    server_streaming: bool
    client_streaming: bool
    bindings: tuple[HttpBinding, ...]
    access: access_pb2.AccessRule | None
    comment: str

    @property
    def grpc_path(self) -> str:
        return f"/{self.service}/{self.name}"

    @property
    def public(self) -> bool:
        return bool(self.access is not None and self.access.public)

    @property
    def idempotent_read(self) -> bool:
        """Bound to HTTP GET: safe to retry (the SDK's service config says the same)."""
        return bool(self.bindings) and self.bindings[0].method == "GET"


@dataclass
class Contracts:
    """The image's files, messages, enums and RPCs, with comments by element path."""

    image: descriptor_pb2.FileDescriptorSet
    rpcs: list[Rpc] = field(default_factory=list)
    messages: dict[str, descriptor_pb2.DescriptorProto] = field(default_factory=dict)
    enums: dict[str, descriptor_pb2.EnumDescriptorProto] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)  # full name (msg, field, enum value) -> text
    file_of: dict[str, str] = field(default_factory=dict)  # full name -> file name

    def services(self) -> list[str]:
        seen: dict[str, None] = {}
        for rpc in self.rpcs:
            seen.setdefault(rpc.service, None)
        return list(seen)

    def rpcs_of(self, services) -> list[Rpc]:
        wanted = set(services)
        return [r for r in self.rpcs if r.service in wanted]


def _bindings(rule: http_pb2.HttpRule) -> list[HttpBinding]:
    found = []
    kind = rule.WhichOneof("pattern")
    if kind == "custom":
        found.append(HttpBinding(rule.custom.kind.upper(), rule.custom.path, rule.body, rule.response_body))
    elif kind:
        found.append(HttpBinding(kind.upper(), getattr(rule, kind), rule.body, rule.response_body))
    for extra in rule.additional_bindings:
        found.extend(_bindings(extra))
    return found


def _clean(comment: str) -> str:
    lines = [line[1:] if line.startswith(" ") else line for line in comment.strip("\n").split("\n")]
    return "\n".join(lines).strip()


def _walk_comments(file: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], str]:
    return {
        tuple(loc.path): _clean(loc.leading_comments)
        for loc in file.source_code_info.location
        if loc.leading_comments.strip()
    }


def load(image_path: pathlib.Path | str) -> Contracts:
    """Read a descriptor image (FileDescriptorSet, built with imports and source info)."""
    image = descriptor_pb2.FileDescriptorSet.FromString(pathlib.Path(image_path).read_bytes())
    return from_image(image)


def from_bytes(data: bytes) -> Contracts:
    """Contracts from a serialized FileDescriptorSet (e.g. `transcoder_descriptor_set`'s)."""
    return from_image(descriptor_pb2.FileDescriptorSet.FromString(data))


def from_image(image: descriptor_pb2.FileDescriptorSet) -> Contracts:
    """Contracts from a FileDescriptorSet: every file's messages, enums, RPCs and comments."""
    # Options were parsed with the extensions registered in this process; reparse
    # a copy so extensions added after the first parse are resolved too.
    image = descriptor_pb2.FileDescriptorSet.FromString(image.SerializeToString())
    contracts = Contracts(image)
    for file in image.file:
        _FileReader(contracts, file).read()
    return contracts


class _FileReader:
    """Adds one file of the image to `contracts` (comments are keyed by source-info path)."""

    def __init__(self, contracts: Contracts, file: descriptor_pb2.FileDescriptorProto) -> None:
        self.contracts = contracts
        self.file = file
        self.comments = _walk_comments(file)

    def _full(self, name: str) -> str:
        return f"{self.file.package}.{name}" if self.file.package else name

    def read(self) -> None:
        for i, message in enumerate(self.file.message_type):
            self.message(message, self._full(message.name), (4, i))
        for i, enum in enumerate(self.file.enum_type):
            self.enum(enum, self._full(enum.name), (5, i))
        for i, service in enumerate(self.file.service):
            self.service(service, (6, i))

    def _comment(self, name: str, path: tuple[int, ...]) -> None:
        if path in self.comments:
            self.contracts.comments[name] = self.comments[path]

    def message(self, message: descriptor_pb2.DescriptorProto, name: str, path: tuple[int, ...]) -> None:
        self.contracts.messages[name] = message
        self.contracts.file_of[name] = self.file.name
        self._comment(name, path)
        for i, fld in enumerate(message.field):
            self._comment(f"{name}.{fld.name}", (*path, 2, i))
        for i, nested in enumerate(message.nested_type):
            self.message(nested, f"{name}.{nested.name}", (*path, 3, i))
        for i, enum in enumerate(message.enum_type):
            self.enum(enum, f"{name}.{enum.name}", (*path, 4, i))

    def enum(self, enum: descriptor_pb2.EnumDescriptorProto, name: str, path: tuple[int, ...]) -> None:
        self.contracts.enums[name] = enum
        self.contracts.file_of[name] = self.file.name
        self._comment(name, path)
        for i, value in enumerate(enum.value):
            self._comment(f"{name}.{value.name}", (*path, 2, i))

    def service(self, service: descriptor_pb2.ServiceDescriptorProto, path: tuple[int, ...]) -> None:
        full = self._full(service.name)
        self._comment(full, path)
        for i, method in enumerate(service.method):
            options = method.options
            access = options.Extensions[access_pb2.access] if options.HasExtension(access_pb2.access) else None
            self.contracts.rpcs.append(
                Rpc(
                    package=self.file.package,
                    service=full,
                    name=method.name,
                    input_type=method.input_type.lstrip("."),
                    output_type=method.output_type.lstrip("."),
                    server_streaming=method.server_streaming,
                    client_streaming=method.client_streaming,
                    bindings=tuple(_bindings(options.Extensions[annotations_pb2.http])),
                    access=access,
                    comment=self.comments.get((*path, 2, i), ""),
                )
            )


def transcoder_descriptor_set(contracts: Contracts) -> bytes:
    """The image plus the google.rpc error types, in dependency order, as one FileDescriptorSet.

    Envoy's transcoder builds its descriptor pool from this set, so every file
    must come after the files it imports, and the rich-error detail types
    (BadRequest, RetryInfo, ...) must be present to print `details` as JSON.
    """
    files: dict[str, descriptor_pb2.FileDescriptorProto] = {f.name: f for f in contracts.image.file}
    for module in ERROR_FILES:
        if module.DESCRIPTOR.name not in files:
            proto = descriptor_pb2.FileDescriptorProto()
            module.DESCRIPTOR.CopyToProto(proto)
            files[proto.name] = proto
    ordered: list[descriptor_pb2.FileDescriptorProto] = []
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...] = ()) -> None:
        if name in done:
            return
        if name not in files:
            raise ValueError(
                f"descriptor image lacks {name} (imported by {trail[-1] if trail else '?'}); build it with imports"
            )
        if name in trail:
            raise ValueError(f"import cycle through {name}")
        for dependency in files[name].dependency:
            visit(dependency, trail + (name,))
        done.add(name)
        ordered.append(files[name])

    for name in sorted(files):
        visit(name)
    out = descriptor_pb2.FileDescriptorSet()
    out.file.extend(ordered)
    return out.SerializeToString(deterministic=True)
