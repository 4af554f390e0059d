-- Events a consumer has handled. The row is written in the same transaction
-- as the handler's effect, so an event delivered again (Redis delivers at
-- least once) is recognised and skipped: its effect happens once.
CREATE TABLE processed_events (
    consumer     text NOT NULL,
    event_id     text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX processed_events_age ON processed_events (processed_at);
