-- Wharf metadata, version 1. Times are Unix milliseconds (UTC).
CREATE TABLE repositories (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

-- Blobs whose bytes are durable in storage, shared by all repositories.
CREATE TABLE blobs (
    digest      TEXT    PRIMARY KEY,
    size        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Which repository may see which blob.
CREATE TABLE repository_blobs (
    repository_id INTEGER NOT NULL REFERENCES repositories (id),
    digest        TEXT    NOT NULL REFERENCES blobs (digest),
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (repository_id, digest)
) WITHOUT ROWID;

-- Manifests, byte-exact, per repository.
CREATE TABLE manifests (
    repository_id  INTEGER NOT NULL REFERENCES repositories (id),
    digest         TEXT    NOT NULL,
    media_type     TEXT    NOT NULL,
    artifact_type  TEXT,
    subject_digest TEXT,
    annotations    TEXT,
    payload        BLOB    NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (repository_id, digest)
) WITHOUT ROWID;

CREATE INDEX manifests_by_subject ON manifests (repository_id, subject_digest) WHERE subject_digest IS NOT NULL;

-- What a manifest refers to: kind 0 = blob (config, layer), 1 = child manifest (index entry).
CREATE TABLE manifest_references (
    repository_id INTEGER NOT NULL,
    parent_digest TEXT    NOT NULL,
    child_digest  TEXT    NOT NULL,
    kind          INTEGER NOT NULL,
    PRIMARY KEY (repository_id, parent_digest, child_digest)
) WITHOUT ROWID;

CREATE INDEX manifest_references_by_child ON manifest_references (repository_id, child_digest);

CREATE TABLE tags (
    repository_id INTEGER NOT NULL REFERENCES repositories (id),
    name          TEXT    NOT NULL,
    digest        TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (repository_id, name)
) WITHOUT ROWID;

CREATE INDEX tags_by_digest ON tags (repository_id, digest);

CREATE TABLE upload_sessions (
    id          TEXT    PRIMARY KEY,
    repository  TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX upload_sessions_by_activity ON upload_sessions (updated_at);
