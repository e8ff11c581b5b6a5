-- Wharf metadata, version 2: accounts. Times are Unix milliseconds (UTC).
CREATE TABLE users (
    name           TEXT    PRIMARY KEY,
    password_hash  TEXT    NOT NULL,
    groups         TEXT    NOT NULL DEFAULT '',   -- space-separated group names
    created_at     INTEGER NOT NULL
) WITHOUT ROWID;

-- Personal access tokens (kind 0, subject = user name) and robot accounts (kind 1, subject = robot.<name>).
CREATE TABLE access_tokens (
    id           TEXT    PRIMARY KEY,
    subject      TEXT    NOT NULL,
    kind         INTEGER NOT NULL,
    secret_hash  TEXT    NOT NULL,                -- SHA-256 of the secret, hex
    scopes       TEXT    NOT NULL,                -- one Docker token scope per line
    description  TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    revoked_at   INTEGER
) WITHOUT ROWID;

CREATE INDEX access_tokens_by_subject ON access_tokens (subject, created_at);
