-- Wharf metadata, version 15: small blobs kept whole in the database (docs/design/storage.md, "Small blobs"), so that a
-- small push's bytes become durable with the WAL commit that links them instead of with two file flushes of their own.
-- Keyed by the blob's storage path (blobs/<algorithm>/<xx>/<hex>), so the storage tree shows them where files would be.
CREATE TABLE blob_bytes (
    path        TEXT    NOT NULL PRIMARY KEY,
    bytes       BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
);
