-- Wharf metadata, version 3: auth state that every process on this database shares. Times are Unix milliseconds (UTC).

-- Token signing keys. The newest generation of an algorithm signs; every key not retired verifies.
-- UNIQUE (algorithm, generation) decides creation races: of two processes adding the same generation, one wins.
CREATE TABLE signing_keys (
    kid          TEXT    PRIMARY KEY,             -- base64url of the first 16 bytes of SHA-256 over the public key
    algorithm    TEXT    NOT NULL,                -- ES256 | RS256
    generation   INTEGER NOT NULL,                -- 1, 2, … per algorithm
    private_key  TEXT    NOT NULL,                -- PKCS#8 PEM
    created_at   INTEGER NOT NULL,
    retired_at   INTEGER,
    UNIQUE (algorithm, generation)
) WITHOUT ROWID;

-- Failed logins, one row per failure and key (ip:<address>, user:<name>); rows older than the throttle window are pruned.
CREATE TABLE login_failures (
    throttle_key  TEXT    NOT NULL,
    failed_at     INTEGER NOT NULL
);

CREATE INDEX login_failures_by_key ON login_failures (throttle_key, failed_at);
CREATE INDEX login_failures_by_time ON login_failures (failed_at);
