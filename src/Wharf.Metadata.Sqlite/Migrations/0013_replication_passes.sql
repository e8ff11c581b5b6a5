-- Wharf metadata, version 13: the listing passes of pull replication rules (docs/design/replication.md). One row per
-- rule: when its next pass is due, which instance holds the pass (a lease, so one instance lists each rule at a time),
-- and how the last pass went. Times are Unix milliseconds.
CREATE TABLE replication_passes (
    rule         TEXT    PRIMARY KEY,
    next_pass_at INTEGER NOT NULL,
    lease_owner  TEXT,
    lease_until  INTEGER,
    last_pass_at INTEGER,          -- when the last pass finished (null: none yet)
    last_jobs    INTEGER NOT NULL DEFAULT 0, -- how many jobs it wrote
    last_error   TEXT              -- why it failed (null: it listed everything)
);
