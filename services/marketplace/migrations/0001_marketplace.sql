-- Worker profiles: the serialized profile without personal data in `body`;
-- personal data encrypted per field (AES-256-GCM, see runtime/fieldcrypt.py).
CREATE TABLE worker_profiles (
    user_id            uuid PRIMARY KEY,
    body               bytea NOT NULL,
    display_name       text NOT NULL DEFAULT '',
    visa_status        int NOT NULL DEFAULT 0,
    ssw_field          int NOT NULL DEFAULT 0,
    japanese_level     int NOT NULL DEFAULT 0,
    prefecture         text NOT NULL DEFAULT '',
    phone_enc          bytea,
    address_enc        bytea,
    birth_date_enc     bytea,
    residence_card_enc bytea,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE employer_profiles (
    org_id       uuid PRIMARY KEY,
    body         bytea NOT NULL,
    display_name text NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE jobs (
    id                     uuid PRIMARY KEY,
    org_id                 uuid NOT NULL,
    body                   bytea NOT NULL,
    state                  int NOT NULL,
    title                  text NOT NULL,
    search_text            text NOT NULL,
    prefecture             text NOT NULL DEFAULT '',
    wage_min               bigint NOT NULL DEFAULT 0,
    wage_max               bigint NOT NULL DEFAULT 0,
    wage_period            int NOT NULL DEFAULT 0,
    -- Wages normalised to a month (160 hours, 20 days) so filters and
    -- ordering compare hourly, daily, monthly and annual offers fairly.
    monthly_wage_max       bigint GENERATED ALWAYS AS (
        CASE wage_period WHEN 1 THEN wage_max * 160 WHEN 2 THEN wage_max * 20
                         WHEN 4 THEN wage_max / 12 ELSE wage_max END) STORED,
    monthly_wage_min       bigint GENERATED ALWAYS AS (
        CASE wage_period WHEN 1 THEN wage_min * 160 WHEN 2 THEN wage_min * 20
                         WHEN 4 THEN wage_min / 12 ELSE wage_min END) STORED,
    employment_type        int NOT NULL DEFAULT 0,
    min_japanese_level     int NOT NULL DEFAULT 0,
    eligible_visa_statuses int[] NOT NULL DEFAULT '{}',
    eligible_ssw_fields    int[] NOT NULL DEFAULT '{}',
    offers_sponsorship     boolean NOT NULL DEFAULT false,
    search                 tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    published_at           timestamptz
);
CREATE INDEX jobs_org ON jobs (org_id, created_at DESC, id DESC);
CREATE INDEX jobs_open_recent ON jobs (published_at DESC, id DESC) WHERE state = 2;
CREATE INDEX jobs_search ON jobs USING gin (search);

CREATE TABLE applications (
    id                  uuid PRIMARY KEY,
    job_id              uuid NOT NULL REFERENCES jobs (id),
    org_id              uuid NOT NULL,
    worker_id           uuid NOT NULL,
    status              int NOT NULL,
    cover_letter        text NOT NULL DEFAULT '',
    job_title           text NOT NULL DEFAULT '',
    worker_display_name text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (job_id, worker_id)
);
CREATE INDEX applications_worker ON applications (worker_id, created_at DESC, id DESC);
CREATE INDEX applications_org ON applications (org_id, created_at DESC, id DESC);

CREATE TABLE application_events (
    id             bigserial PRIMARY KEY,
    application_id uuid NOT NULL REFERENCES applications (id),
    from_status    int NOT NULL,
    to_status      int NOT NULL,
    actor          text NOT NULL,
    note           text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX application_events_app ON application_events (application_id, id);
