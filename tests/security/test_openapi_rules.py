"""The OpenAPI document is no looser than what the services enforce, for path parameters.

Each path parameter fills part of a request field (`name` = `workers/{worker}`);
when the field's buf.validate pattern refuses a value for that part, the
parameter's documented schema must refuse it too, so generated clients and
fuzzers see the rule. (Body and query fields carry their rules through
`gateway/openapi.py`'s field schemas.)
"""

from __future__ import annotations

import re

import pytest
from valid_requests import SAMPLE_ID, solve_pattern

import contracts
from buf.validate import validate_pb2
from gateway import openapi

PROBES = ("not-an-id", "x", "00000000-0000-0000-0000-00000000000g", SAMPLE_ID)
_FILLS = re.compile(r"Fills `([^`]+)` = `([^`]+)`")


@pytest.fixture(scope="module")
def document(edge_image):
    image = contracts.load(edge_image)
    return image, openapi.build(image)


def _field_pattern(image, input_type: str, path: str) -> str:
    message = image.messages[input_type]
    *parents, last = path.split(".")
    for part in parents:
        field = next(f for f in message.field if f.name == part)
        message = image.messages[field.type_name.lstrip(".")]
    field = next(f for f in message.field if f.name == last)
    rules = field.options.Extensions[validate_pb2.field]
    return rules.string.pattern if rules.HasField("string") else ""


def test_no_path_parameter_accepts_what_its_field_refuses(document):
    image, doc = document
    input_of = {f"{r.service.split('.')[-1]}_{r.name}": r.input_type for r in image.rpcs}
    looser, checked = [], 0
    for path, item in doc["paths"].items():
        for verb, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            input_type = input_of.get(operation["operationId"], "")
            # The other parameters of the path get a value their documented pattern accepts.
            patterns = {
                p["name"]: solve_pattern(p["schema"]["pattern"])
                for p in operation.get("parameters", [])
                if p.get("in") == "path"
            }
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "path":
                    continue
                fills = _FILLS.search(parameter.get("description", ""))
                if not fills or not input_type:
                    continue
                field_path, shape = fills[1], fills[2]
                rule = _field_pattern(image, input_type, field_path)
                if not rule:
                    continue
                documented = parameter["schema"]["pattern"]
                for probe in PROBES:
                    value = _fill(shape, parameter["name"], probe, patterns)
                    field_ok = re.search(rule, value) is not None
                    doc_ok = re.search(documented, probe) is not None
                    checked += 1
                    if doc_ok and not field_ok:
                        looser.append(f"{verb.upper()} {path} {parameter['name']}={probe!r}: {documented} vs {rule}")
    assert checked > 100
    assert not looser, f"{len(looser)} path parameters documented looser than enforced:\n" + "\n".join(looser)


def _fill(shape: str, name: str, probe: str, others: dict[str, str]) -> str:
    """`shape` (`issuers/{issuer}/statusLists/{statusList}`) with `probe` for `name`, valid values elsewhere."""
    return re.sub(r"\{([^}]+)\}", lambda m: probe if m[1] == name else others[m[1]], shape)
