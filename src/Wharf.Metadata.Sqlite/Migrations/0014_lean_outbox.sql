-- Wharf metadata, version 14: a leaner webhook outbox. Every B-tree an event touches is a page the push's commit
-- writes to the WAL and the next checkpoint writes again; version 9 touched eight per event, this touches three.
--   events: its rowid alone (the stable id receivers see is in the payload; pruning walks the rowid, which follows time).
--   event_deliveries: one B-tree keyed by (event, endpoint), which also serves the cascade from events; the line index
--   holds only pending deliveries (claims and counts read it), and dead ones get a small index of their own.
CREATE TABLE events_v14 (
    id          INTEGER PRIMARY KEY,        -- increasing in commit order (one writer): the order of a repository's line
    created_at  INTEGER NOT NULL,
    repository  TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    payload     TEXT    NOT NULL            -- the event as JSON, with its stable id
);

INSERT INTO events_v14 (id, created_at, repository, action, payload) SELECT id, created_at, repository, action, payload FROM events;

CREATE TABLE event_deliveries_v14 (
    event_id        INTEGER NOT NULL REFERENCES events_v14 (id) ON DELETE CASCADE,
    endpoint        TEXT    NOT NULL,
    repository      TEXT    NOT NULL,       -- the event's, so a line (endpoint, repository) is read from this table alone
    state           TEXT    NOT NULL,       -- pending | done | dead
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER,
    last_status     INTEGER,
    last_error      TEXT,
    PRIMARY KEY (event_id, endpoint)
) WITHOUT ROWID;

INSERT INTO event_deliveries_v14 (event_id, endpoint, repository, state, attempts, next_attempt_at, lease_owner, lease_until, last_status, last_error)
SELECT event_id, endpoint, repository, state, attempts, next_attempt_at, lease_owner, lease_until, last_status, last_error FROM event_deliveries;

DROP TABLE event_deliveries;
DROP TABLE events;
ALTER TABLE events_v14 RENAME TO events;
ALTER TABLE event_deliveries_v14 RENAME TO event_deliveries;

CREATE INDEX event_deliveries_line ON event_deliveries (endpoint, repository, event_id) WHERE state = 'pending';
CREATE INDEX event_deliveries_dead ON event_deliveries (endpoint) WHERE state = 'dead';
