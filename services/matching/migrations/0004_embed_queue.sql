-- Texts waiting for a vector from the agent's Embed: written by the event consumer with the
-- job or profile change (only when the text differs from the one the stored vector came from),
-- taken in batches by any replica's embedder (FOR UPDATE SKIP LOCKED), deleted when the
-- vector is stored. A text changed again meanwhile keeps its newer row.
CREATE TABLE embed_queue (
    name      text PRIMARY KEY,                 -- a job's or worker's name, as in `vectors`
    kind      text NOT NULL CHECK (kind IN ('query', 'passage')),
    body      text NOT NULL,
    text_hash text NOT NULL,
    queued_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX embed_queue_age ON embed_queue (queued_at);
