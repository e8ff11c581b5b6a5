-- Wharf metadata on PostgreSQL, version 9: the webhook outbox (docs/design/webhooks.md). An event is written in the
-- transaction of the change it reports, after that transaction has locked its repository's row, so the ids of one
-- repository's events follow commit order. One delivery row per endpoint that wants the event. Times are Unix milliseconds.
CREATE TABLE events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    text COLLATE "C" NOT NULL UNIQUE, -- the stable id receivers see
    created_at  bigint NOT NULL,
    repository  text COLLATE "C" NOT NULL,
    action      text COLLATE "C" NOT NULL,
    payload     text   NOT NULL             -- the event as JSON
);

CREATE INDEX events_by_time ON events (created_at);

CREATE TABLE event_deliveries (
    event_id        bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    endpoint        text COLLATE "C" NOT NULL,
    repository      text COLLATE "C" NOT NULL, -- the event's, so a line (endpoint, repository) is read from this table alone
    state           text COLLATE "C" NOT NULL, -- pending | done | dead
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at bigint  NOT NULL,
    lease_owner     text,
    lease_until     bigint,
    last_status     integer,
    last_error      text,
    PRIMARY KEY (endpoint, event_id)
);

CREATE INDEX event_deliveries_due ON event_deliveries (state, next_attempt_at);
CREATE INDEX event_deliveries_line ON event_deliveries (endpoint, repository, event_id) WHERE state = 'pending';
CREATE INDEX event_deliveries_by_event ON event_deliveries (event_id);
