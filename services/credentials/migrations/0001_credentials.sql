-- Issuers: organisations that issue credentials, with their DID.
CREATE TABLE issuers (
    id           uuid PRIMARY KEY,            -- the organisation's id
    display_name text NOT NULL,
    did          text NOT NULL UNIQUE,
    did_method   text NOT NULL CHECK (did_method IN ('web', 'key')),
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Signing keys. The private key is encrypted with the service's data keys
-- (runtime/fieldcrypt.py), bound to its row. Retired keys stop signing but stay
-- in the DID document, so what they signed still verifies.
CREATE TABLE issuer_keys (
    id               uuid PRIMARY KEY,
    issuer_id        uuid NOT NULL REFERENCES issuers (id),
    method_id        text NOT NULL UNIQUE,     -- DID URL of the verification method
    suite            text NOT NULL,            -- ecdsa-rdfc-2019 | eddsa-rdfc-2022
    public_multibase text NOT NULL,
    private_key_enc  bytea NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    retired_at       timestamptz
);
CREATE INDEX issuer_keys_issuer ON issuer_keys (issuer_id, created_at DESC);

-- The trust registry: which types an issuer may issue, over which period.
CREATE TABLE accreditations (
    id               uuid PRIMARY KEY,
    issuer_id        uuid NOT NULL REFERENCES issuers (id),
    credential_types text[] NOT NULL,
    valid_from       timestamptz NOT NULL,
    valid_until      timestamptz,
    withdrawn_at     timestamptz,
    withdraw_reason  text NOT NULL DEFAULT '',
    granted_by       text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accreditations_issuer ON accreditations (issuer_id);

-- Bitstring status lists, one row per list; `signed` is the current signed
-- BitstringStatusListCredential and `etag` names its content.
CREATE TABLE status_lists (
    issuer_id     uuid NOT NULL REFERENCES issuers (id),
    purpose       text NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    number        int NOT NULL,
    next_sequence int NOT NULL DEFAULT 0,
    bits          bytea NOT NULL,
    signed        jsonb,
    etag          text NOT NULL DEFAULT '',
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer_id, purpose, number)
);

-- Issued credentials.
CREATE TABLE credentials (
    id               uuid PRIMARY KEY,
    issuer_id        uuid NOT NULL REFERENCES issuers (id),
    vc_id            text NOT NULL UNIQUE,     -- the credential's `id` (urn:uuid:...)
    type             text NOT NULL,
    format           text NOT NULL CHECK (format IN ('data-integrity', 'sd-jwt')),
    suite            text NOT NULL,
    subject_user     uuid,                     -- the platform worker, if any
    subject_did      text NOT NULL,
    state            text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'suspended', 'revoked')),
    status_reason    text NOT NULL DEFAULT '',
    state_changed_at timestamptz NOT NULL DEFAULT now(),
    valid_from       timestamptz NOT NULL,
    valid_until      timestamptz,
    issued_at        timestamptz NOT NULL DEFAULT now(),
    document         jsonb,                    -- Data Integrity: the signed VC
    sd_jwt           text,                     -- SD-JWT: the issuance with every disclosure
    digest           bytea NOT NULL UNIQUE,
    status_list      int NOT NULL,
    status_index     int NOT NULL,             -- the same index in the revocation and suspension lists
    evidence         jsonb NOT NULL DEFAULT '{}',
    accredited       boolean NOT NULL
);
CREATE INDEX credentials_issuer ON credentials (issuer_id, issued_at DESC, id DESC);
CREATE INDEX credentials_subject ON credentials (subject_user, issued_at DESC, id DESC);

-- Anchoring: digests wait in anchor_leaves until a batch takes them; a batch
-- is built (root computed, leaves assigned) in one transaction and anchored
-- in one chain transaction afterwards. Restart-safe: a built batch is sent
-- again (after checking the chain for it), never rebuilt.
CREATE TABLE anchor_batches (
    id           bigserial PRIMARY KEY,
    root         bytea NOT NULL UNIQUE,
    leaf_count   int NOT NULL,
    state        text NOT NULL DEFAULT 'built' CHECK (state IN ('built', 'anchored')),
    chain_id     bigint,
    contract     text NOT NULL DEFAULT '',
    tx_hash      text NOT NULL DEFAULT '',
    block_number bigint,
    attempts     int NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    anchored_at  timestamptz
);

CREATE TABLE anchor_leaves (
    digest        bytea PRIMARY KEY,
    credential_id uuid NOT NULL REFERENCES credentials (id),
    seq           bigserial,
    batch_id      bigint REFERENCES anchor_batches (id),
    leaf_index    int,
    proof         bytea[]
);
CREATE INDEX anchor_leaves_pending ON anchor_leaves (seq) WHERE batch_id IS NULL;
CREATE INDEX anchor_leaves_batch ON anchor_leaves (batch_id, leaf_index);

-- The AnchorRegistry deployed by this service on a chain (when not configured).
CREATE TABLE anchor_registries (
    chain_id   bigint PRIMARY KEY,
    address    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Workers' wallets: a holder key (P-256 did:key), the private key encrypted.
CREATE TABLE wallets (
    user_id          uuid PRIMARY KEY,
    holder_did       text NOT NULL UNIQUE,
    private_key_enc  bytea NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- Share links: a presentation a verifier can fetch by token until it expires.
CREATE TABLE share_links (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    presentation jsonb NOT NULL,
    format       text NOT NULL,
    one_time     boolean NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
