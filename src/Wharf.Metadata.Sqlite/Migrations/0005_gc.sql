-- Wharf metadata, version 5: garbage collection review queues (docs/design/gc.md). Times are Unix milliseconds (UTC).
-- A row names a candidate and when it became one (since); the worker re-checks it under lock before deleting anything.

-- Manifests that lost their last tag, parent index or subject, or were pushed untagged.
CREATE TABLE gc_manifest_reviews (
    repository_id INTEGER NOT NULL,
    digest        TEXT    NOT NULL,
    since         INTEGER NOT NULL,
    PRIMARY KEY (repository_id, digest)
) WITHOUT ROWID;

CREATE INDEX gc_manifest_reviews_by_since ON gc_manifest_reviews (since);

-- Blob links made by an upload or mount, or left by a deleted manifest, that no manifest may reference.
CREATE TABLE gc_link_reviews (
    repository_id INTEGER NOT NULL,
    digest        TEXT    NOT NULL,
    since         INTEGER NOT NULL,
    PRIMARY KEY (repository_id, digest)
) WITHOUT ROWID;

CREATE INDEX gc_link_reviews_by_since ON gc_link_reviews (since);

-- Blobs whose last link went away; since is also moved forward by an upload commit that holds the digest.
CREATE TABLE gc_blob_reviews (
    digest TEXT    PRIMARY KEY,
    since  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX gc_blob_reviews_by_since ON gc_blob_reviews (since);

-- Totals since the store was created: blobs_deleted, bytes_reclaimed, links_deleted, manifests_deleted, last_cycle_at.
CREATE TABLE gc_totals (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

-- "Is any repository linking this blob?" is asked by every blob review.
CREATE INDEX repository_blobs_by_digest ON repository_blobs (digest);

-- What the store already holds: every link, untagged manifest and unlinked blob is reviewed one grace period from now.
INSERT INTO gc_link_reviews (repository_id, digest, since)
SELECT repository_id, digest, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) FROM repository_blobs;

INSERT INTO gc_manifest_reviews (repository_id, digest, since)
SELECT m.repository_id, m.digest, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) FROM manifests m
WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = m.repository_id AND t.digest = m.digest);

INSERT INTO gc_blob_reviews (digest, since)
SELECT b.digest, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) FROM blobs b
WHERE NOT EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.digest = b.digest);

-- Pull figures of manifests deleted before this version.
DELETE FROM manifest_pulls
WHERE NOT EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = manifest_pulls.repository_id AND m.digest = manifest_pulls.digest);
