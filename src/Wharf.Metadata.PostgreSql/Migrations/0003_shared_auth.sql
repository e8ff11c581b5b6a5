-- Wharf metadata on PostgreSQL, version 3: auth state shared by every instance. Times are Unix milliseconds (UTC).

-- Token signing keys. The newest generation of an algorithm signs; every key not retired verifies.
-- UNIQUE (algorithm, generation) decides creation races: of two instances adding the same generation, one wins.
CREATE TABLE signing_keys (
    kid          text COLLATE "C" PRIMARY KEY,   -- base64url of the first 16 bytes of SHA-256 over the public key
    algorithm    text COLLATE "C" NOT NULL,      -- ES256 | RS256
    generation   integer NOT NULL,               -- 1, 2, … per algorithm
    private_key  text NOT NULL,                  -- PKCS#8 PEM
    created_at   bigint NOT NULL,
    retired_at   bigint,
    UNIQUE (algorithm, generation)
);

-- Failed logins, one row per failure and key (ip:<address>, user:<name>); rows older than the throttle window are pruned.
CREATE TABLE login_failures (
    throttle_key  text COLLATE "C" NOT NULL,
    failed_at     bigint NOT NULL
);

CREATE INDEX login_failures_by_key ON login_failures (throttle_key, failed_at);
CREATE INDEX login_failures_by_time ON login_failures (failed_at);
