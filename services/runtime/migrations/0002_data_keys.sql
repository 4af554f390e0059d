-- Data keys for field encryption, each wrapped (AES-256-GCM) by a master key
-- from the environment. The newest active key encrypts; all decrypt.
CREATE TABLE data_keys (
    id            uuid PRIMARY KEY,
    master_key_id text NOT NULL,
    wrapped       bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    retired_at    timestamptz
);
