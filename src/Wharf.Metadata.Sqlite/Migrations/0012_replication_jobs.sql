-- Wharf metadata, version 12: replication jobs (docs/design/replication.md). A push job is written in the transaction of
-- the manifest push that matches a push rule; workers claim due jobs with a lease, the jobs of one rule and repository
-- in id order. Times are Unix milliseconds. (Version 11 belongs to another feature; the runner applies what is missing.)
CREATE TABLE replication_jobs (
    id              INTEGER PRIMARY KEY,    -- increasing in commit order (one writer): the order of a (rule, repository) line
    rule            TEXT    NOT NULL,
    repository      TEXT    NOT NULL,
    reference       TEXT    NOT NULL,       -- the tag pushed (or a digest)
    digest          TEXT    NOT NULL,       -- what the reference resolved to when the job was written: the image copied
    state           TEXT    NOT NULL,       -- pending | done | dead
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL
);

CREATE INDEX replication_jobs_due ON replication_jobs (state, next_attempt_at);
CREATE INDEX replication_jobs_line ON replication_jobs (rule, repository, id) WHERE state = 'pending';
