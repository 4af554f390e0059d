-- A rotated key is published (JWKS) before it signs anything, so verifiers
-- that cache the JWKS (the edge refreshes every 30 s) know it in advance.
-- NULL means active from creation.
ALTER TABLE signing_keys ADD COLUMN active_from timestamptz;
