-- What the assistant remembers between turns of a conversation (the last jobs it listed, by number).
ALTER TABLE conversations ADD COLUMN state jsonb NOT NULL DEFAULT '{}';
