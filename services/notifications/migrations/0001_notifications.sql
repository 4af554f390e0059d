-- People notifications are for, as learnt from identity's events (UserSignedUp),
-- with their preferences and the counter that numbers their notifications.
CREATE TABLE recipients (
    user_id         uuid PRIMARY KEY,
    email           text NOT NULL DEFAULT '',
    display_name    text NOT NULL DEFAULT '',
    locale          text NOT NULL DEFAULT '',
    organization_id uuid,
    -- Preferences: a language that overrides the locale, and channels per
    -- category for the categories the user changed ({"1": [1, 2], ...}).
    language_code   text NOT NULL DEFAULT '',
    channels        jsonb NOT NULL DEFAULT '{}',
    -- Event id of the user's newest notification. Bumped in the transaction
    -- that adds one, so a user's notifications commit in event-id order.
    last_seq        bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recipients_organization ON recipients (organization_id) WHERE organization_id IS NOT NULL;

-- The inbox: the source of truth for lists, unread counts and stream resumes.
CREATE TABLE notifications (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL,
    seq        bigint NOT NULL,
    event_id   text NOT NULL,        -- the domain event it came from
    category   int NOT NULL,
    title      text NOT NULL,
    body       text NOT NULL,
    link       text NOT NULL DEFAULT '',
    language   text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz,
    UNIQUE (user_id, seq),
    UNIQUE (user_id, event_id)
);
CREATE INDEX notifications_unread ON notifications (user_id, seq) WHERE read_at IS NULL;

-- Messages sent through other channels (email; later SMS, push). Written in
-- the transaction that handles the event; the dispatcher sends them.
CREATE TABLE deliveries (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL,
    notification_id uuid REFERENCES notifications (id),
    event_id        text NOT NULL,
    category        int NOT NULL,
    channel         text NOT NULL,
    address         text NOT NULL,
    language        text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_user ON deliveries (user_id, created_at);
