-- Account safety: email verification, password reset, sessions (devices),
-- TOTP second factor with recovery codes.

-- NULL: not verified. The TOTP secret is encrypted with the service's field
-- cipher; `totp_pending` holds an enrolment not yet confirmed, and
-- `totp_last_step` the 30-second step of the last accepted code (no replay).
ALTER TABLE users
    ADD COLUMN email_verified_at timestamptz,
    ADD COLUMN totp_secret       bytea,
    ADD COLUMN totp_pending      bytea,
    ADD COLUMN totp_last_step    bigint NOT NULL DEFAULT 0;

-- Single-use tokens sent by email, kept only as SHA-256 hashes.
CREATE TABLE account_tokens (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id),
    purpose    text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

-- Recovery codes for the second factor, SHA-256 hashed, each usable once.
CREATE TABLE recovery_codes (
    code_hash bytea PRIMARY KEY,
    user_id   uuid NOT NULL REFERENCES users (id),
    used_at   timestamptz
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- The device a session (a refresh-token family) began on.
CREATE TABLE session_devices (
    family_id      uuid PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users (id),
    user_agent     text NOT NULL DEFAULT '',
    client_address text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);
