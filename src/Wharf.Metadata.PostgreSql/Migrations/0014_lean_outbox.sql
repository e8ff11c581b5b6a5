-- Wharf metadata on PostgreSQL, version 14: a leaner webhook outbox, as on SQLite. The stable id receivers see is in
-- the payload; pruning walks the id, which follows time; deliveries are keyed by (event, endpoint), which also serves
-- the cascade from events; dead deliveries get a small index of their own.
ALTER TABLE events DROP COLUMN event_id;
DROP INDEX events_by_time;
DROP INDEX event_deliveries_by_event;
ALTER TABLE event_deliveries DROP CONSTRAINT event_deliveries_pkey;
ALTER TABLE event_deliveries ADD PRIMARY KEY (event_id, endpoint);
DROP INDEX event_deliveries_due;
CREATE INDEX event_deliveries_due ON event_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX event_deliveries_dead ON event_deliveries (endpoint) WHERE state = 'dead';
