-- AIP-155 request ids: the response a creating RPC gave to a caller's request
-- id, so a retry gets it back instead of a second effect. The row commits in
-- the same transaction as the RPC's own writes. The response is encrypted
-- with the service's field cipher (it may hold personal data). Rows older than
-- 24 hours no longer count and are deleted by the retention task.
CREATE TABLE idempotency_keys (
    caller      text NOT NULL,
    method      text NOT NULL,
    request_id  text NOT NULL,
    fingerprint bytea NOT NULL,
    response    bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, method, request_id)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
