-- Credentials as matching knows them from credentials' events (issued, suspended,
-- unsuspended, revoked): who holds each, its state and validity. The keys each proves
-- stay in `verified` while the credential is not revoked; they count only while the
-- credential is ACTIVE, from an accredited issuer and within its validity.
CREATE TABLE credentials (
    name        text PRIMARY KEY,               -- issuers/{issuer}/credentials/{credential}
    worker      text NOT NULL,                  -- workers/{user}
    type        text NOT NULL,
    state       text NOT NULL CHECK (state IN ('ACTIVE', 'SUSPENDED', 'REVOKED')),
    accredited  boolean NOT NULL,
    valid_until timestamptz,
    changed_at  timestamptz NOT NULL            -- occur time of the event that set the state
);
CREATE INDEX credentials_worker ON credentials (worker);
