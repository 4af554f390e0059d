-- The assistant's conversations, one row per conversation, owned by one user.
CREATE TABLE conversations (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    title text NOT NULL DEFAULT '',
    language text NOT NULL DEFAULT '',
    -- An action waiting for the user's explicit "yes" (tool name and arguments), or NULL.
    pending_action jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_by_user ON conversations (user_id, updated_at DESC, id DESC);

CREATE TABLE messages (
    id uuid PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq bigserial NOT NULL,
    role smallint NOT NULL,
    text text NOT NULL,
    intent text NOT NULL DEFAULT '',
    tool_calls jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);
