-- Wharf metadata on PostgreSQL, version 2: accounts, shared by every instance. Times are Unix milliseconds (UTC).
CREATE TABLE users (
    name           text COLLATE "C" PRIMARY KEY,
    password_hash  text NOT NULL,
    groups         text NOT NULL DEFAULT '',   -- space-separated group names
    created_at     bigint NOT NULL
);

-- Personal access tokens (kind 0, subject = user name) and robot accounts (kind 1, subject = robot.<name>).
CREATE TABLE access_tokens (
    id           text COLLATE "C" PRIMARY KEY,
    subject      text COLLATE "C" NOT NULL,
    kind         integer NOT NULL,
    secret_hash  text NOT NULL,                -- SHA-256 of the secret, hex
    scopes       text NOT NULL,                -- one Docker token scope per line
    description  text NOT NULL DEFAULT '',
    created_at   bigint NOT NULL,
    expires_at   bigint,
    revoked_at   bigint
);

CREATE INDEX access_tokens_by_subject ON access_tokens (subject, created_at);
