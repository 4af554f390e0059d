-- WatchMatches: each subject's match stream (a worker, or a job), written in the event
-- consumer's transaction with the change that caused it. `seq` is contiguous per subject
-- (the subject's row in match_subjects is locked while its matches are numbered), so a
-- subscriber that sees a jump knows it missed something and reads the gap from here.
CREATE TABLE match_subjects (
    subject  text PRIMARY KEY,                  -- workers/{user} or employers/{org}/jobs/{job}
    last_seq bigint NOT NULL
);

CREATE TABLE matches (
    subject    text NOT NULL,
    seq        bigint NOT NULL,
    worker     text NOT NULL,
    job        text NOT NULL,
    score      double precision NOT NULL,
    body_en    bytea NOT NULL,                  -- iworkz.matching.v1.MatchEvent, reasons in English
    body_ja    bytea NOT NULL,                  -- the same, reasons in Japanese
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, seq)
);

-- The best score each pair was announced with: a pair is announced again only when it
-- improves clearly; `notified` once a StrongMatchFound was emitted for it.
CREATE TABLE matched (
    worker   text NOT NULL,
    job      text NOT NULL,
    score    double precision NOT NULL,
    notified boolean NOT NULL DEFAULT false,
    PRIMARY KEY (worker, job)
);
CREATE INDEX matched_job ON matched (job);
