CREATE TABLE organizations (
    id           uuid PRIMARY KEY,
    display_name text NOT NULL,
    type         text NOT NULL CHECK (type IN ('employer', 'issuer')),
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id              uuid PRIMARY KEY,
    email           text NOT NULL UNIQUE,
    password_hash   text NOT NULL,
    display_name    text NOT NULL,
    roles           text[] NOT NULL DEFAULT '{}',
    organization_id uuid REFERENCES organizations (id),
    member_role     text NOT NULL DEFAULT '' CHECK (member_role IN ('', 'member', 'admin')),
    locale          text NOT NULL DEFAULT 'en',
    disabled        boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_created ON users (created_at DESC, id DESC);
CREATE INDEX users_organization ON users (organization_id);

CREATE TABLE refresh_tokens (
    token_hash bytea PRIMARY KEY,
    family_id  uuid NOT NULL,
    user_id    uuid NOT NULL REFERENCES users (id),
    issued_at  timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- Private keys are encrypted with the service's field cipher.
CREATE TABLE signing_keys (
    kid         text PRIMARY KEY,
    private_key bytea NOT NULL,
    public_jwk  jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE api_keys (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    display_name    text NOT NULL,
    roles           text[] NOT NULL,
    prefix          text NOT NULL,
    secret_hash     bytea NOT NULL UNIQUE,
    created_by      uuid NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz,
    last_used_at    timestamptz
);
CREATE INDEX api_keys_organization ON api_keys (organization_id, created_at DESC);
