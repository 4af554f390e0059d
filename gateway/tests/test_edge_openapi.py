"""/openapi.json (OpenAPI 3.1 from the contracts) and /docs, as the edge serves them."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess

import jsonschema
import pytest
from edge_testing import sign_up

import contracts

SERVED = (
    "iworkz.identity.v1.IdentityService",
    "iworkz.marketplace.v1.MarketplaceService",
    "iworkz.credentials.v1.CredentialService",
)
SHIM = r"""
// A fake DOM, just enough for docs.html's script; then count what it rendered.
const fs = require("fs");
const [script, specPath] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(specPath, "utf8"));
const all = [];
class Node {
  constructor(tag) { this.tagName = (tag || "").toUpperCase(); this.children = []; this.attrs = {};
    this.className = ""; this.textContent = ""; this.value = ""; this.open = false; all.push(this); }
  append(...nodes) { for (const n of nodes) this.children.push(n); }
  replaceChildren(...nodes) { this.children = nodes; }
  replaceWith(node) { this.replaced = node; }
  setAttribute(k, v) { this.attrs[k] = v; if (k === "id") this.id = v; }
  addEventListener() {}
  querySelector() { return new Node("input"); }
}
global.Node = Node;
const byId = {};
global.document = {
  createElement: (tag) => new Node(tag),
  createTextNode: (text) => Object.assign(new Node("#text"), { textContent: text }),
  getElementById: (id) => byId[id] || (byId[id] = new Node("div")),
  title: "",
};
global.sessionStorage = { getItem: () => "", setItem: () => {} };
global.location = { hash: "" };
global.window = { addEventListener: () => {} };
global.fetch = async () => ({ ok: true, json: async () => spec });
eval(fs.readFileSync(script, "utf8"));
setTimeout(() => {
  const ops = all.filter((n) => n.tagName === "DETAILS" && n.className === "op").length;
  const failed = byId.main && byId.main.replaced;
  console.log(JSON.stringify({ ops, failed: Boolean(failed) }));
}, 200);
"""


@pytest.fixture(scope="module")
async def document(edge):
    import httpx

    async with httpx.AsyncClient(base_url=edge.url, http2=True, verify=str(edge.ca)) as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


@pytest.fixture(scope="module")
def served_rpcs(edge_image):
    return [r for r in contracts.load(edge_image).rpcs_of(SERVED) if r.bindings]


def openapi_path(template: str) -> re.Pattern:
    """The OpenAPI path a template becomes: each `*` is some `{param}`; literals stay."""

    def variable(match):
        return "/".join(
            r"\{[A-Za-z0-9]+\}" if seg in ("*", "**") else re.escape(seg) for seg in (match[2] or "*").split("/")
        )

    pattern = ""
    last = 0
    for match in re.finditer(r"\{([^}=]+)(?:=([^}]*))?\}", template):
        pattern += re.escape(template[last : match.start()]) + variable(match)
        last = match.end()
    return re.compile("^" + pattern + re.escape(template[last:]) + "$")


def schema_for(document: dict, schema: dict) -> dict:
    """A standalone JSON Schema for one schema of the document (its $refs resolve inside)."""
    return {**schema, "components": document["components"]}


def test_document_is_openapi_31(document):
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] and document["info"]["version"]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    for path, item in document["paths"].items():
        assert path.startswith("/")
        declared = set(re.findall(r"\{([^}]+)\}", path))
        for method, op in item.items():
            assert method in ("get", "put", "post", "delete", "patch")
            params = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert params == declared, (path, method)
            assert "200" in op["responses"] and "default" in op["responses"]


def test_every_schema_is_valid_json_schema_and_every_ref_resolves(document):
    for schema in document["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    refs = set(re.findall(r'"\$ref": "([^"]+)"', json.dumps(document)))
    for ref in refs:
        node = document
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        assert node is not None, ref


def test_every_http_binding_is_documented(document, served_rpcs):
    operations = {(path, method): op for path, item in document["paths"].items() for method, op in item.items()}
    for rpc in served_rpcs:
        for binding in rpc.bindings:
            pattern = openapi_path(binding.template)
            found = [
                op
                for (path, method), op in operations.items()
                if method == binding.method.lower() and pattern.match(path) and op["x-grpc-method"] == rpc.grpc_path
            ]
            assert found, f"{binding.method} {binding.template} ({rpc.grpc_path}) is not documented"


def test_validation_rules_become_schema_constraints(document):
    schemas = document["components"]["schemas"]
    sign_up_request = schemas["iworkz.identity.v1.SignUpRequest"]["properties"]
    assert sign_up_request["email"]["maxLength"] == 254
    assert sign_up_request["email"]["format"] == "email"
    assert sign_up_request["password"]["minLength"] == 12
    assert sign_up_request["accountType"]["enum"] == [
        "ACCOUNT_TYPE_WORKER",
        "ACCOUNT_TYPE_EMPLOYER",
        "ACCOUNT_TYPE_ISSUER",
    ]
    search = {p["name"]: p for p in document["paths"]["/v1/jobs:search"]["get"]["parameters"]}
    assert search["prefecture"]["schema"]["pattern"].startswith("^(JP-")
    assert search["pageSize"]["schema"]["maximum"] == 100
    assert "wageAtLeast.units" in search  # messages in queries are flattened with dots
    skills = schemas["iworkz.marketplace.v1.WorkerProfile"]["properties"]["skills"]
    assert skills["maxItems"] == 100
    api_key_roles = schemas["iworkz.identity.v1.ApiKey"]["properties"]["roles"]
    assert api_key_roles["minItems"] == 1 and api_key_roles["uniqueItems"] is True


def test_proto3_json_mapping(document):
    schemas = document["components"]["schemas"]
    user = schemas["iworkz.identity.v1.User"]["properties"]
    assert "displayName" in user and "display_name" not in user
    assert schemas["google.protobuf.Timestamp"]["format"] == "date-time"
    assert schemas["google.type.Money"]["properties"]["units"]["type"] == "string"
    assert schemas["iworkz.type.v1.VisaStatus"]["type"] == "string"
    assert "VISA_STATUS_SSW_1" in schemas["iworkz.type.v1.VisaStatus"]["enum"]
    assert "Specified Skilled Worker" in schemas["iworkz.type.v1.VisaStatus"]["description"]
    assert user["displayName"]["description"] == "Name shown to others."


def test_security_follows_the_access_rules(document, served_rpcs):
    by_rpc = {op["x-grpc-method"]: op for item in document["paths"].values() for op in item.values()}
    for rpc in served_rpcs:
        op = by_rpc[rpc.grpc_path]
        if rpc.public:
            assert op["security"] == [], rpc.grpc_path
        else:
            assert "security" not in op, rpc.grpc_path  # the document's default: bearerAuth
            assert "401" in op["responses"]
    assert document["security"] == [{"bearerAuth": []}]
    assert by_rpc["/iworkz.identity.v1.IdentityService/ListUsers"]["x-iworkz-access"]["roles"] == ["admin"]


async def test_real_responses_match_their_schemas(rest, document):
    """The transcoder's JSON and the edge's own errors validate against the document."""
    worker = await sign_up(rest)
    signed_up = document["paths"]["/v1/auth:signUp"]["post"]["responses"]["200"]["content"]["application/json"]
    user = await rest.get(f"/v1/users/{worker['id']}", headers=worker["auth"])
    get_user = document["paths"]["/v1/users/{user}"]["get"]["responses"]["200"]["content"]["application/json"]
    jsonschema.validate(user.json(), schema_for(document, get_user["schema"]))
    jsonschema.validate(
        {k: v for k, v in worker.items() if k not in ("auth", "id", "email")}, schema_for(document, signed_up["schema"])
    )
    search = await rest.get("/v1/jobs:search", params={"pageSize": 2})
    ok = document["paths"]["/v1/jobs:search"]["get"]["responses"]["200"]["content"]["application/json"]
    jsonschema.validate(search.json(), schema_for(document, ok["schema"]))
    error = {"$ref": "#/components/schemas/Error"}
    for response in (
        await rest.get("/v1/users"),
        await rest.get("/v1/jobs:search", params={"prefecture": "JP-99"}),
        await rest.get("/v1/jobs:search", params={"nope": "1"}),
    ):
        jsonschema.validate(response.json(), schema_for(document, error))


async def test_docs_page_is_self_contained_html(rest):
    home = await rest.get("/")
    assert home.status_code == 302 and home.headers["location"].endswith("/docs")
    response = await rest.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "connect-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    assert "<script>" in page and "/openapi.json" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "the docs page must not load anything remote"


async def test_docs_page_renders_every_operation(document, tmp_path):
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed: the docs page's script is checked with node")
    from gateway.render import DOCS_PAGE

    page = DOCS_PAGE.read_text()
    (tmp_path / "page.js").write_text(page[page.index("<script>") + 8 : page.index("</script>")])
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    (tmp_path / "shim.js").write_text(SHIM)
    result = await asyncio.to_thread(
        subprocess.run,
        [node, str(tmp_path / "shim.js"), str(tmp_path / "page.js"), str(tmp_path / "openapi.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rendered = json.loads(result.stdout.strip().splitlines()[-1])
    operations = sum(len(item) for item in document["paths"].values())
    assert rendered == {"ops": operations, "failed": False}
