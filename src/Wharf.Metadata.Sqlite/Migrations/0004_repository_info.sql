-- Wharf metadata, version 4: what users see about a repository (description, README), usage figures counted
-- off the hot path, and the search index. Times are Unix milliseconds (UTC). See docs/design/search.md.
ALTER TABLE repositories ADD COLUMN description    TEXT    NOT NULL DEFAULT '';
ALTER TABLE repositories ADD COLUMN pull_count     INTEGER NOT NULL DEFAULT 0;
ALTER TABLE repositories ADD COLUMN last_pushed_at INTEGER;
ALTER TABLE repositories ADD COLUMN last_pulled_at INTEGER;
-- Last, so that reading the columns before it never touches a long README's overflow pages.
ALTER TABLE repositories ADD COLUMN readme         TEXT    NOT NULL DEFAULT '';

-- Repositories pushed before this version: their newest manifest or tag is the best guess of the last push.
UPDATE repositories SET last_pushed_at = (
    SELECT max(t) FROM (
        SELECT max(created_at) AS t FROM manifests WHERE manifests.repository_id = repositories.id
        UNION ALL
        SELECT max(updated_at) FROM tags WHERE tags.repository_id = repositories.id));

-- Listing by pulls or by last push reads these in order (backwards for the reversed order).
CREATE INDEX repositories_by_pulls ON repositories (pull_count DESC, name);
CREATE INDEX repositories_by_push ON repositories (last_pushed_at DESC, name);

-- Pulls (manifest GETs) per manifest digest, added in batches.
CREATE TABLE manifest_pulls (
    repository_id  INTEGER NOT NULL REFERENCES repositories (id),
    digest         TEXT    NOT NULL,
    pull_count     INTEGER NOT NULL,
    last_pulled_at INTEGER NOT NULL,
    PRIMARY KEY (repository_id, digest)
) WITHOUT ROWID;

-- Substring search over names and descriptions: an FTS5 trigram index over the repositories table itself
-- (external content, so the text is stored once), kept in step by triggers.
CREATE VIRTUAL TABLE repository_search USING fts5 (name, description, content = 'repositories', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO repository_search (repository_search) VALUES ('rebuild');

CREATE TRIGGER repository_search_insert AFTER INSERT ON repositories BEGIN
    INSERT INTO repository_search (rowid, name, description) VALUES (new.id, new.name, new.description);
END;

CREATE TRIGGER repository_search_update AFTER UPDATE OF name, description ON repositories BEGIN
    INSERT INTO repository_search (repository_search, rowid, name, description) VALUES ('delete', old.id, old.name, old.description);
    INSERT INTO repository_search (rowid, name, description) VALUES (new.id, new.name, new.description);
END;

CREATE TRIGGER repository_search_delete AFTER DELETE ON repositories BEGIN
    INSERT INTO repository_search (repository_search, rowid, name, description) VALUES ('delete', old.id, old.name, old.description);
END;
