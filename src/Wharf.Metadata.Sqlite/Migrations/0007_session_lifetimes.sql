-- Wharf metadata, version 7: sessions and refresh tokens end with a password change and never outlive their user.
-- A user's session_epoch is random, written into every web session and refresh token issued to them, and replaced
-- when the password changes; a user removed and added again under the same name gets a new one. Existing users get
-- one now: sessions and refresh tokens issued before this version end (sign in again once).
ALTER TABLE users ADD COLUMN session_epoch TEXT NOT NULL DEFAULT '';
UPDATE users SET session_epoch = lower(hex(randomblob(16)));

-- Refresh token families: one per sign-in that asked for a refresh token; every refresh token is used once and
-- replaced by the next of its family. Presenting a spent one (current_id differs) revokes the whole family.
-- A reusable family (dockerd's identity token from `docker login`, which dockerd never replaces) keeps its one token.
CREATE TABLE refresh_families (
    family      TEXT    PRIMARY KEY,
    subject     TEXT    NOT NULL,                -- the user (or robot) the family was issued to
    current_id  TEXT    NOT NULL,                -- the one refresh token of the family that may still be used
    expires_at  INTEGER NOT NULL,
    reusable    INTEGER NOT NULL DEFAULT 0,
    revoked_at  INTEGER
) WITHOUT ROWID;

CREATE INDEX refresh_families_by_subject ON refresh_families (subject);
CREATE INDEX refresh_families_by_expiry ON refresh_families (expires_at);
