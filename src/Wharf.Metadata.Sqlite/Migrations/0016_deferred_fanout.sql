-- Wharf metadata, version 16: deliveries made after the change's commit (docs/design/webhooks.md, "Deferred fan-out").
-- A change's transaction writes its event row alone, with the names of the endpoints that want it; each claim first
-- makes the pending deliveries of the events after the cursor. SQLite's one writer gives ids in commit order, so the
-- cursor never passes an event that commits later. Every event already written has its deliveries.
ALTER TABLE events ADD COLUMN endpoints TEXT;   -- the endpoints that want the event, comma-separated (names have no commas)

CREATE TABLE event_fanout (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id   INTEGER NOT NULL            -- every event up to here has its deliveries
);

INSERT INTO event_fanout (id, last_event_id) SELECT 1, COALESCE(MAX(id), 0) FROM events;
