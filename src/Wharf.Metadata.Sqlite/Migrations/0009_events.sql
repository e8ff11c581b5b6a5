-- Wharf metadata, version 9: the webhook outbox (docs/design/webhooks.md). An event is written in the transaction of
-- the change it reports, with one delivery row per endpoint that wants it. Times are Unix milliseconds.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,        -- increasing in commit order (one writer): the order of a repository's line
    event_id    TEXT    NOT NULL UNIQUE,    -- the stable id receivers see
    created_at  INTEGER NOT NULL,
    repository  TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    payload     TEXT    NOT NULL            -- the event as JSON
);

CREATE INDEX events_by_time ON events (created_at);

CREATE TABLE event_deliveries (
    event_id        INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    endpoint        TEXT    NOT NULL,
    repository      TEXT    NOT NULL,       -- the event's, so a line (endpoint, repository) is read from this table alone
    state           TEXT    NOT NULL,       -- pending | done | dead
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER,
    last_status     INTEGER,
    last_error      TEXT,
    PRIMARY KEY (endpoint, event_id)
);

CREATE INDEX event_deliveries_due ON event_deliveries (state, next_attempt_at);
CREATE INDEX event_deliveries_line ON event_deliveries (endpoint, repository, event_id) WHERE state = 'pending';
CREATE INDEX event_deliveries_by_event ON event_deliveries (event_id);
