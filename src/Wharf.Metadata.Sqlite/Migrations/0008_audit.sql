-- Wharf metadata, version 8: the audit log. Who did what, from where, when: pushes, deletes, logins, token and user
-- changes; only ever appended to, and pruned by age (Audit:Retention). Times are Unix milliseconds.
CREATE TABLE audit_events (
    id              INTEGER PRIMARY KEY,        -- increasing: newest first is id descending; pages continue below an id
    at              INTEGER NOT NULL,
    actor           TEXT    NOT NULL,           -- a user or robot name, a CLI operator, or '' for anonymous callers
    actor_kind      TEXT    NOT NULL,           -- user | robot | anonymous | cli
    client_address  TEXT,
    action          TEXT    NOT NULL,           -- manifest.push, tag.delete, login.failure, token.create, …
    repository      TEXT,
    target          TEXT,                       -- a tag, digest, token id or user name
    detail          TEXT,
    request_id      TEXT
);

CREATE INDEX audit_events_by_time ON audit_events (at);
CREATE INDEX audit_events_by_actor ON audit_events (actor, id);
CREATE INDEX audit_events_by_action ON audit_events (action, id);
CREATE INDEX audit_events_by_repository ON audit_events (repository, id);
