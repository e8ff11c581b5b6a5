-- Wharf metadata on PostgreSQL, version 1. Times are Unix milliseconds (UTC), as in the SQLite store.
CREATE TABLE repositories (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text COLLATE "C"   NOT NULL UNIQUE,
    created_at  bigint NOT NULL
);

-- Blobs whose bytes are durable in storage, shared by all repositories.
CREATE TABLE blobs (
    digest      text COLLATE "C"   PRIMARY KEY,
    size        bigint NOT NULL,
    created_at  bigint NOT NULL
);

-- Which repository may see which blob.
CREATE TABLE repository_blobs (
    repository_id bigint NOT NULL REFERENCES repositories (id),
    digest        text COLLATE "C"   NOT NULL REFERENCES blobs (digest),
    created_at    bigint NOT NULL,
    PRIMARY KEY (repository_id, digest)
);

CREATE INDEX repository_blobs_by_digest ON repository_blobs (digest);

-- Manifests, byte-exact, per repository.
CREATE TABLE manifests (
    repository_id  bigint NOT NULL REFERENCES repositories (id),
    digest         text COLLATE "C"   NOT NULL,
    media_type     text COLLATE "C"   NOT NULL,
    artifact_type  text,
    subject_digest text,
    annotations    text,
    payload        bytea  NOT NULL,
    created_at     bigint NOT NULL,
    PRIMARY KEY (repository_id, digest)
);

CREATE INDEX manifests_by_subject ON manifests (repository_id, subject_digest) WHERE subject_digest IS NOT NULL;

-- What a manifest refers to: kind 0 = blob (config, layer), 1 = child manifest (index entry).
CREATE TABLE manifest_references (
    repository_id bigint   NOT NULL,
    parent_digest text COLLATE "C"     NOT NULL,
    child_digest  text COLLATE "C"     NOT NULL,
    kind          smallint NOT NULL,
    PRIMARY KEY (repository_id, parent_digest, child_digest)
);

CREATE INDEX manifest_references_by_child ON manifest_references (repository_id, child_digest);

CREATE TABLE tags (
    repository_id bigint NOT NULL REFERENCES repositories (id),
    name          text COLLATE "C"   NOT NULL,
    digest        text COLLATE "C"   NOT NULL,
    updated_at    bigint NOT NULL,
    PRIMARY KEY (repository_id, name)
);

CREATE INDEX tags_by_digest ON tags (repository_id, digest);

CREATE TABLE upload_sessions (
    id          text COLLATE "C"   PRIMARY KEY,
    repository  text COLLATE "C"   NOT NULL,
    size        bigint NOT NULL,
    started_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
);

CREATE INDEX upload_sessions_by_activity ON upload_sessions (updated_at);
