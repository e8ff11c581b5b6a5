-- Wharf metadata on PostgreSQL, version 5: garbage collection review queues (docs/design/gc.md). Times are Unix
-- milliseconds (UTC). A row names a candidate and when it became one (since); the worker re-checks it under lock.

CREATE TABLE gc_manifest_reviews (
    repository_id bigint NOT NULL,
    digest        text COLLATE "C" NOT NULL,
    since         bigint NOT NULL,
    PRIMARY KEY (repository_id, digest)
);

CREATE INDEX gc_manifest_reviews_by_since ON gc_manifest_reviews (since);

CREATE TABLE gc_link_reviews (
    repository_id bigint NOT NULL,
    digest        text COLLATE "C" NOT NULL,
    since         bigint NOT NULL,
    PRIMARY KEY (repository_id, digest)
);

CREATE INDEX gc_link_reviews_by_since ON gc_link_reviews (since);

CREATE TABLE gc_blob_reviews (
    digest text COLLATE "C" PRIMARY KEY,
    since  bigint NOT NULL
);

CREATE INDEX gc_blob_reviews_by_since ON gc_blob_reviews (since);

CREATE TABLE gc_totals (
    name  text COLLATE "C" PRIMARY KEY,
    value bigint NOT NULL
);

INSERT INTO gc_link_reviews (repository_id, digest, since)
SELECT repository_id, digest, (extract(epoch FROM clock_timestamp()) * 1000)::bigint FROM repository_blobs;

INSERT INTO gc_manifest_reviews (repository_id, digest, since)
SELECT m.repository_id, m.digest, (extract(epoch FROM clock_timestamp()) * 1000)::bigint FROM manifests m
WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = m.repository_id AND t.digest = m.digest);

INSERT INTO gc_blob_reviews (digest, since)
SELECT b.digest, (extract(epoch FROM clock_timestamp()) * 1000)::bigint FROM blobs b
WHERE NOT EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.digest = b.digest);

DELETE FROM manifest_pulls
WHERE NOT EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = manifest_pulls.repository_id AND m.digest = manifest_pulls.digest);
