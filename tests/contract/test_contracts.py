"""Contract tests: read the descriptor image and check every RPC's promises.

Every public RPC has an HTTP binding and an access rule; every string a
caller can send has a length limit; the image and generated code are fresh.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest
from google.api import annotations_pb2
from google.protobuf import descriptor_pb2

from buf.validate import validate_pb2
from iworkz.auth.v1 import access_pb2

ROOT = pathlib.Path(__file__).resolve().parents[2]
IMAGE = ROOT / "build" / "iworkz.binpb"


@pytest.fixture(scope="module")
def image() -> descriptor_pb2.FileDescriptorSet:
    subprocess.run([sys.executable, str(ROOT / "tools" / "protobuild.py"), "generate"], check=True, capture_output=True)
    return descriptor_pb2.FileDescriptorSet.FromString(IMAGE.read_bytes())


def _ours(image):
    return [f for f in image.file if f.package.startswith("iworkz.")]


def _methods(image):
    for f in _ours(image):
        for service in f.service:
            for method in service.method:
                yield f, service, method


def _messages(image) -> dict[str, descriptor_pb2.DescriptorProto]:
    found = {}

    def walk(prefix, messages):
        for m in messages:
            found[f"{prefix}.{m.name}"] = m
            walk(f"{prefix}.{m.name}", m.nested_type)

    for f in image.file:
        walk(f".{f.package}", f.message_type)
    return found


def test_every_rpc_has_http_binding_and_access_rule(image):
    methods = list(_methods(image))
    assert len(methods) >= 30
    missing = []
    for _f, service, method in methods:
        http = method.options.Extensions[annotations_pb2.http]
        if not http.WhichOneof("pattern"):
            missing.append(f"{service.name}.{method.name}: no google.api.http binding")
        if not method.options.HasExtension(access_pb2.access):
            missing.append(f"{service.name}.{method.name}: no iworkz.auth.v1.access rule")
    assert missing == []


def test_ownership_rules_name_real_request_fields(image):
    messages = _messages(image)
    for _f, _service, method in _methods(image):
        rule = method.options.Extensions[access_pb2.access]
        if not rule.HasField("owner"):
            continue
        message = messages[method.input_type]
        for part in rule.owner.field.split("."):
            field = next((x for x in message.field if x.name == part), None)
            assert field is not None, f"{method.name}: owner field {rule.owner.field} does not exist"
            if field.type == field.TYPE_MESSAGE:
                message = messages[field.type_name]
        assert field.type == field.TYPE_STRING, f"{method.name}: owner field must be a string"
        http = method.options.Extensions[annotations_pb2.http]
        path = getattr(http, http.WhichOneof("pattern"))
        assert f"{rule.owner.collection}/" in path, f"{method.name}: owner collection not in {path}"


def test_public_rules_carry_no_roles(image):
    for _f, _service, method in _methods(image):
        rule = method.options.Extensions[access_pb2.access]
        if rule.public:
            assert not rule.roles and not rule.HasField("owner"), method.name


def _string_fields_without_limit(image) -> list[str]:
    """Every string a caller can send (request messages and what they nest) lacks max_len?"""
    messages = _messages(image)
    problems, seen = [], set()

    def check(type_name: str, path: str) -> None:
        if type_name in seen or not type_name.startswith(".iworkz."):
            return
        seen.add(type_name)
        for field in messages[type_name].field:
            rules = field.options.Extensions[validate_pb2.field]
            if field.type == field.TYPE_STRING:
                limit = rules.repeated.items.string if field.label == field.LABEL_REPEATED else rules.string
                if not (limit.HasField("max_len") or limit.HasField("len") or len(limit.__getattribute__("in"))):
                    problems.append(f"{path}.{field.name}")
            elif field.type == field.TYPE_MESSAGE:
                check(field.type_name, f"{path}.{field.name}")

    for _f, _service, method in _methods(image):
        check(method.input_type, method.input_type.rsplit(".", 1)[1])
    return problems


def test_every_string_input_has_a_length_limit(image):
    assert _string_fields_without_limit(image) == []


def test_requests_are_named_per_rpc(image):
    for _f, _service, method in _methods(image):
        assert method.input_type.endswith(f".{method.name}Request")
        assert method.output_type.endswith(f".{method.name}Response")


def test_generated_code_is_fresh():
    """`make proto` leaves no diff: the committed SDK matches the contracts."""
    subprocess.run([sys.executable, str(ROOT / "tools" / "protobuild.py"), "generate"], check=True, capture_output=True)
    diff = subprocess.run(
        ["git", "status", "--porcelain", "--", "sdk/python"], cwd=ROOT, capture_output=True, text=True
    )
    if diff.returncode != 0:
        pytest.skip("not a git checkout")
    assert diff.stdout.strip() == "", "generated code differs from the committed code: run `make proto`"


def test_buf_lint_passes():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "protobuild.py"), "lint"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
