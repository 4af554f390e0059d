"""The three audit logs over REST through the real edge: identity's, marketplace's and credentials'.

An admin reads a worker's personal data (GET /v1/workers/...) and finds that read in
marketplace's log (GET /v1/marketplace/auditEvents); each log's path reaches its own
service; non-admins get 403 and bad filters 400 with the field named.
"""

from __future__ import annotations

import uuid

from edge_testing import PASSWORD, assert_error_shape, sign_up

from services.cli import create_admin

PATHS = {
    "identity": "/v1/auditEvents",
    "marketplace": "/v1/marketplace/auditEvents",
    "credentials": "/v1/credentials/auditEvents",
}


async def _admin(rest, database_url) -> tuple[dict[str, str], str]:
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    row = await create_admin(database_url, email, "Admin", PASSWORD, actor="test")
    login = await rest.post("/v1/auth:login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"authorization": f"Bearer {login.json()['tokens']['accessToken']}"}, f"users/{row.id}"


async def test_an_admin_reading_personal_data_is_in_marketplaces_log_over_rest(rest, database_url):
    worker = await sign_up(rest, "WORKER")
    profile = {"displayName": "Nguyen Van An", "phone": "+818012345678", "visaStatus": "VISA_STATUS_PERMANENT_RESIDENT"}
    saved = await rest.patch(f"/v1/workers/{worker['id']}", json=profile, headers=worker["auth"])
    assert saved.status_code == 200, saved.text
    admin, me = await _admin(rest, database_url)
    read = await rest.get(f"/v1/workers/{worker['id']}", headers=admin)
    assert read.status_code == 200 and read.json()["profile"]["phone"] == "+818012345678"

    target = f"workers/{worker['id']}"
    listed = await rest.get(PATHS["marketplace"], params={"target": target, "pageSize": 10}, headers=admin)

    assert listed.status_code == 200, listed.text
    [entry] = listed.json()["auditEvents"]
    assert (entry["actor"], entry["action"], entry["target"]) == (me, "read_worker_personal_data", target)
    assert entry["detail"] == {"fields": ["phone"]} and "+818012345678" not in listed.text
    assert entry["name"].startswith("auditEvents/") and entry["createTime"].endswith("Z")
    # The same filter on identity's log (another service's table) does not see marketplace's entry.
    elsewhere = await rest.get(PATHS["identity"], params={"target": target, "action": entry["action"]}, headers=admin)
    assert elsewhere.status_code == 200 and elsewhere.json()["auditEvents"] == []
    # Each path reaches its own service: credentials' log answers too (with its own entries).
    credentials = await rest.get(PATHS["credentials"], params={"actor": me}, headers=admin)
    assert credentials.status_code == 200 and credentials.json()["auditEvents"] == []


async def test_audit_logs_are_admin_only_and_validate_their_filters_over_rest(rest, database_url):
    worker, employer = await sign_up(rest, "WORKER"), await sign_up(rest, "EMPLOYER")
    admin, _ = await _admin(rest, database_url)
    for service, path in PATHS.items():
        assert_error_shape(await rest.get(path), 401, 16)
        for caller in (worker, employer):
            assert_error_shape(await rest.get(path, headers=caller["auth"]), 403, 7)
        bad = await rest.get(path, params={"actor": "bob"}, headers=admin)
        body = assert_error_shape(bad, 400, 3)
        fields = [v["field"] for d in body["details"] for v in d.get("fieldViolations", [])]
        assert fields == ["actor"], (service, body)
        backwards = {"startTime": "2026-12-02T00:00:00Z", "endTime": "2026-12-01T00:00:00Z"}
        body = assert_error_shape(await rest.get(path, params=backwards, headers=admin), 400, 3)
        assert "end_time must be after start_time" in body["message"], (service, body)
