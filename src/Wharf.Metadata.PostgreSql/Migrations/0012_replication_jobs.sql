-- Wharf metadata on PostgreSQL, version 12: replication jobs (docs/design/replication.md). A push job is written in the
-- transaction of the manifest push that matches a push rule; workers claim due jobs with a lease (SKIP LOCKED), the jobs
-- of one rule and repository in id order. Times are Unix milliseconds. (Version 11 belongs to another feature.)
CREATE TABLE replication_jobs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule            text COLLATE "C" NOT NULL,
    repository      text COLLATE "C" NOT NULL,
    reference       text COLLATE "C" NOT NULL, -- the tag pushed (or a digest)
    digest          text COLLATE "C" NOT NULL, -- what the reference resolved to when the job was written: the image copied
    state           text COLLATE "C" NOT NULL, -- pending | done | dead
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at bigint  NOT NULL,
    lease_owner     text,
    lease_until     bigint,
    last_error      text,
    created_at      bigint  NOT NULL
);

CREATE INDEX replication_jobs_due ON replication_jobs (state, next_attempt_at);
CREATE INDEX replication_jobs_line ON replication_jobs (rule, repository, id) WHERE state = 'pending';
