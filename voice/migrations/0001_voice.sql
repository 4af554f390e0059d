-- Agent conversations the voice service has spoken in, with the spoken
-- confirmation it is waiting for (push-to-talk `Ask` calls are separate
-- requests, and a `Converse` stream may reconnect: the gate must survive both).
CREATE TABLE conversations (
    conversation     text PRIMARY KEY,          -- users/{user}/conversations/{id} (the agent's name)
    user_id          uuid NOT NULL,
    language_code    text NOT NULL DEFAULT '',
    pending_prompt   text NOT NULL DEFAULT '',  -- '' = no confirmation awaited
    pending_language text NOT NULL DEFAULT '',
    unclear          integer NOT NULL DEFAULT 0, -- unclear answers to the pending prompt so far
    utterances       integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_user ON conversations (user_id, updated_at DESC);
