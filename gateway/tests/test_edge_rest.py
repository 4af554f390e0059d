"""REST/JSON through the real edge: the worker's journey, rich errors, Envoy's own errors as JSON."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import uuid

from edge_testing import PASSWORD, assert_error_shape, sign_up

JOB = {
    "title": "TIG welder",
    "description": "Stainless TIG welding for food machinery.",
    "location": {"prefecture": "JP-27", "city": "Higashiosaka"},
    "wageMin": {"currencyCode": "JPY", "units": "1400"},
    "wageMax": {"currencyCode": "JPY", "units": "1800"},
    "wagePeriod": "WAGE_PERIOD_HOURLY",
    "employmentType": "EMPLOYMENT_TYPE_FULL_TIME",
    "headcount": 2,
    "minJapaneseLevel": "JAPANESE_LEVEL_N4",
    "eligibleVisaStatuses": ["VISA_STATUS_SSW_1"],
    "eligibleSswFields": ["SSW_FIELD_MANUFACTURING"],
}


async def test_worker_signs_up_logs_in_fills_profile_finds_a_job_and_applies(rest):
    tag = uuid.uuid4().hex[:8]
    employer = await sign_up(rest, "EMPLOYER")
    org = employer["organization"]["name"].split("/")[1]
    created = await rest.post(
        f"/v1/employers/{org}/jobs", json={**JOB, "title": f"TIG welder {tag}"}, headers=employer["auth"]
    )
    assert created.status_code == 200, created.text
    job = created.json()["job"]
    assert job["state"] == "JOB_STATE_DRAFT"
    published = await rest.post(f"/v1/{job['name']}:publish", json={}, headers=employer["auth"])
    assert published.status_code == 200, published.text

    worker = await sign_up(rest, "WORKER")
    login = await rest.post("/v1/auth:login", json={"email": worker["email"], "password": PASSWORD})
    assert login.status_code == 200, login.text
    auth = {"authorization": f"Bearer {login.json()['tokens']['accessToken']}"}
    # proto3 JSON: lowerCamelCase, enums by name, zero values printed, int64 as strings.
    assert login.json()["user"]["disabled"] is False
    assert login.json()["tokens"]["accessTokenExpiresIn"].endswith("s")

    profile = {
        "displayName": "Nguyen Van An",
        "phone": "+818012345678",
        "residenceCardNumber": "AB12345678CD",
        "visaStatus": "VISA_STATUS_SSW_1",
        "sswField": "SSW_FIELD_MANUFACTURING",
        "languages": [{"language": "ja", "jlptLevel": "JAPANESE_LEVEL_N3"}],
        "location": {"prefecture": "JP-27", "city": "Osaka"},
    }
    updated = await rest.patch(f"/v1/workers/{worker['id']}", json=profile, headers=auth)
    assert updated.status_code == 200, updated.text
    got = await rest.get(f"/v1/workers/{worker['id']}", headers=auth)
    assert got.status_code == 200
    assert got.json()["profile"]["residenceCardNumber"] == "AB12345678CD"
    assert got.json()["profile"]["summary"] == ""  # zero values are printed

    found = await rest.get(
        "/v1/jobs:search",
        params={
            "query": tag,
            "prefecture": "JP-27",
            "visaStatus": "VISA_STATUS_SSW_1",
            "sswField": "SSW_FIELD_MANUFACTURING",
            "japaneseLevel": "JAPANESE_LEVEL_N3",
        },
    )
    assert found.status_code == 200, found.text
    assert [j["name"] for j in found.json()["jobs"]] == [job["name"]]
    assert found.json()["jobs"][0]["wageMax"]["units"] == "1800"

    applied = await rest.post(f"/v1/{job['name']}/applications", json={"coverLetter": "TIG, 5 years"}, headers=auth)
    assert applied.status_code == 200, applied.text
    application = applied.json()["application"]
    assert application["status"] == "APPLICATION_STATUS_APPLIED"
    mine = await rest.get(f"/v1/workers/{worker['id']}/applications", headers=auth)
    assert [a["name"] for a in mine.json()["applications"]] == [application["name"]]
    moved = await rest.post(
        f"/v1/{application['name']}:updateStatus",
        json={"status": "APPLICATION_STATUS_SHORTLISTED"},
        headers=employer["auth"],
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["application"]["status"] == "APPLICATION_STATUS_SHORTLISTED"


async def test_invalid_argument_is_400_with_field_violations(rest):
    response = await rest.post(
        "/v1/auth:signUp",
        json={"email": "not-an-email", "password": "short", "displayName": "X", "accountType": "ACCOUNT_TYPE_WORKER"},
    )
    body = assert_error_shape(response, 400, 3)
    by_type = {d["@type"].rsplit("/", 1)[1]: d for d in body["details"]}
    fields = {v["field"] for v in by_type["google.rpc.BadRequest"]["fieldViolations"]}
    assert {"email", "password"} <= fields
    assert by_type["buf.validate.Violations"]["violations"]


async def test_query_parameters_are_validated_too(rest):
    response = await rest.get("/v1/jobs:search", params={"prefecture": "JP-99"})
    body = assert_error_shape(response, 400, 3)
    assert body["details"][0]["fieldViolations"][0]["field"] == "prefecture"


async def test_unknown_query_parameter_is_json_400(rest):
    response = await rest.get("/v1/jobs:search", params={"prefecture": "JP-27", "sort": "wage"})
    body = assert_error_shape(response, 400, 3)
    assert "sort" in body["message"]


async def test_unknown_path_is_json_404_for_a_signed_in_caller(rest):
    worker = await sign_up(rest)
    response = await rest.get("/v1/no/such/thing", headers=worker["auth"])
    assert_error_shape(response, 404, 5)
    # A method the path does not have is unknown too.
    response = await rest.delete("/v1/jobs:search", headers=worker["auth"])
    assert_error_shape(response, 404, 5)


async def test_unknown_path_without_a_token_is_401_default_deny(rest):
    # What is protected never depends on the edge guessing which paths exist.
    response = await rest.get("/v1/no/such/thing")
    assert_error_shape(response, 401, 16)


async def test_oversize_body_is_json_413(rest, edge):
    import topology

    limit = topology.load().edge.max_request_bytes
    big = {
        "email": "a@example.com",
        "password": "x" * (limit + 1024),
        "displayName": "X",
        "accountType": "ACCOUNT_TYPE_WORKER",
    }
    response = await rest.post("/v1/auth:signUp", content=json.dumps(big), headers={"content-type": "application/json"})
    assert_error_shape(response, 413, 8)


async def test_malformed_json_is_json_400(rest):
    response = await rest.post("/v1/auth:login", content=b"{not json", headers={"content-type": "application/json"})
    assert_error_shape(response, 400, 3)


async def test_conflicting_path_and_body_are_rejected(rest):
    worker = await sign_up(rest)
    response = await rest.patch(
        f"/v1/workers/{worker['id']}", json={"name": "workers/someone-else"}, headers=worker["auth"]
    )
    assert_error_shape(response, 400, 3)


async def test_http1_works_too(edge):
    import httpx

    async with httpx.AsyncClient(base_url=edge.url, http2=False, verify=str(edge.ca)) as client:
        response = await client.get("/v1/jobs:search", params={"pageSize": 1})
    assert response.status_code == 200
    assert response.http_version == "HTTP/1.1"
    assert set(response.json()) == {"jobs", "nextPageToken", "totalSize"}


async def test_jwks_is_served_by_transcoding_identity(rest):
    response = await rest.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert keys and all(k["kty"] == "EC" and k["alg"] == "ES256" and k["kid"] for k in keys)


async def test_access_log_is_json_lines_with_request_ids(rest, edge):
    marker = uuid.uuid4().hex
    response = await rest.get("/v1/jobs:search", params={"query": marker})
    assert response.status_code == 200
    for _ in range(100):
        lines = edge.access_log.read_text().splitlines() if edge.access_log.exists() else []
        entries = [json.loads(line) for line in lines if marker in line]
        if entries:
            break
        await asyncio.sleep(0.2)
    assert entries, "the request never appeared in the access log"
    entry = entries[-1]
    assert entry["status"] == 200 and entry["http_method"] == "GET"
    assert entry["rpc"] == "/iworkz.marketplace.v1.MarketplaceService/SearchJobs"
    assert entry["cluster"] == "svc_marketplace" and entry["request_id"]


async def test_a_reconnecting_client_resumes_its_tls_session(edge):
    """TLS 1.3 session tickets: a browser or SDK that reconnects skips the full handshake (its
    signature and key exchange, the costliest part of a new connection, on both sides)."""
    context = ssl.create_default_context(cafile=str(edge.ca))
    context.set_alpn_protocols(["http/1.1"])
    session, reused = None, []
    for _ in range(2):
        with (
            socket.create_connection(("127.0.0.1", edge.port), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname="localhost", session=session) as tls,
        ):
            tls.sendall(b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            while tls.recv(65536):  # the ticket comes after the handshake: read to the end
                pass
            assert tls.version() == "TLSv1.3"
            reused.append(tls.session_reused)
            session = tls.session
    assert reused == [False, True]
