-- Matching's own projection of marketplace's jobs and profiles, built from its events
-- (JobPublished/JobUpdated/JobClosed, WorkerProfileChanged), and what it learns from
-- applications (labels for the weights, applicants per seat for exposure control).
-- Every replica rebuilds its in-memory index from these tables at start.
CREATE TABLE jobs (
    name         text PRIMARY KEY,              -- employers/{organization}/jobs/{job}
    body         bytea NOT NULL,                -- iworkz.marketplace.v1.Job
    published_at timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workers (
    name       text PRIMARY KEY,                -- workers/{user}
    body       bytea NOT NULL,                  -- WorkerProfile without personal data
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Text vectors from the agent's Embed (centred e5), per job or worker and text.
CREATE TABLE vectors (
    name      text PRIMARY KEY,
    model     text NOT NULL,
    text_hash text NOT NULL,
    vector    real[] NOT NULL
);

-- Skills and licences proven by verified, unrevoked credentials, per worker.
CREATE TABLE verified (
    worker      text NOT NULL,
    credential  text NOT NULL,
    taxonomy_id text NOT NULL,
    PRIMARY KEY (worker, credential, taxonomy_id)
);

-- Implicit and explicit feedback: application outcomes and RecordFeedback.
CREATE TABLE feedback (
    worker     text NOT NULL,
    job        text NOT NULL,
    source     text NOT NULL,                   -- 'application' or 'explicit'
    outcome    text NOT NULL,                   -- APPLIED ... HIRED, NOT_INTERESTED, SAVED
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (worker, job, source)
);
CREATE INDEX feedback_job ON feedback (job) WHERE source = 'application';

-- Weights learned from feedback, newest in use.
CREATE TABLE weights (
    version    text PRIMARY KEY,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
