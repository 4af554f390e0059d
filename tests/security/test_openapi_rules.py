"""The OpenAPI document is no looser than what the services enforce: path parameters, and every
body field and query parameter of every operation (`openapi_rules.py` reads the rules).

Each path parameter fills part of a request field (`name` = `workers/{worker}`);
when the field's buf.validate pattern refuses a value for that part, the
parameter's documented schema must refuse it too, so generated clients and
fuzzers see the rule. (Body and query fields carry their rules through
`gateway/openapi.py`'s field schemas.)
"""

from __future__ import annotations

import copy
import re

import pytest
from openapi_rules import compare
from valid_requests import SAMPLE_ID, solve_pattern

import contracts
from buf.validate import validate_pb2
from gateway import openapi

PROBES = ("not-an-id", "x", "00000000-0000-0000-0000-00000000000g", SAMPLE_ID)
_FILLS = re.compile(r"Fills `([^`]+)` = `([^`]+)`")


@pytest.fixture(scope="module")
def document(edge_image):
    image = contracts.from_bytes(contracts.transcoder_descriptor_set(contracts.load(edge_image)))
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


def test_no_body_field_or_query_parameter_is_documented_looser_than_its_rules(document):
    image, doc = document
    looser, checked, operations = compare(image, doc)
    print(f"{checked} rules compared over {sum(1 for p in doc['paths'].values() for _ in p)} operations")
    assert checked > 300
    assert not looser, f"{len(operations)} operations documented looser than enforced:\n" + "\n".join(looser)


@pytest.mark.parametrize("keyword", ["maxLength", "pattern", "minimum", "maxItems", "enum", "required", "oneOf"])
def test_the_comparison_finds_a_rule_the_document_drops(document, keyword):
    """The comparison can fail: the document with one kind of constraint taken out of every schema."""
    image, doc = document
    loosened = copy.deepcopy(doc)

    def strip(node):
        if isinstance(node, dict):
            if keyword in ("required", "oneOf"):
                node.pop(keyword, None)
            elif "type" in node or "$ref" in node or "anyOf" in node:
                node.pop(keyword, None)
            for value in node.values():
                strip(value)
        elif isinstance(node, list):
            for value in node:
                strip(value)

    strip(loosened["components"]["schemas"])
    for item in loosened["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter["in"] == "query":
                    strip(parameter)
    looser, _, _ = compare(image, loosened)
    assert looser, f"taking every {keyword} out went unnoticed"
