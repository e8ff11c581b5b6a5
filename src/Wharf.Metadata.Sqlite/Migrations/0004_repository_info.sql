-- Wharf metadata, version 4: what users see about a repository (description, README), usage figures counted
-- off the hot path, and the search index. Times are Unix milliseconds (UTC). See docs/design/search.md.

-- Rarely written: only when someone describes the repository.
ALTER TABLE repositories ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE repositories ADD COLUMN readme      TEXT NOT NULL DEFAULT '';

-- Written by every usage flush, so kept apart: updating a count never rewrites a README or touches the search
-- index. One row per repository (made by the trigger below); the name is a copy (names never change) so that
-- listings by pulls or by last push read an index in order without a join.
CREATE TABLE repository_stats (
    repository_id  INTEGER PRIMARY KEY REFERENCES repositories (id),
    name           TEXT    NOT NULL,
    pull_count     INTEGER NOT NULL DEFAULT 0,
    last_pulled_at INTEGER,
    last_pushed_at INTEGER
);

-- Repositories pushed before this version: their newest manifest or tag is the best guess of the last push.
INSERT INTO repository_stats (repository_id, name, last_pushed_at)
SELECT id, name, (SELECT max(t) FROM (
    SELECT max(created_at) AS t FROM manifests WHERE manifests.repository_id = repositories.id
    UNION ALL
    SELECT max(updated_at) FROM tags WHERE tags.repository_id = repositories.id))
FROM repositories;

CREATE TRIGGER repository_stats_insert AFTER INSERT ON repositories BEGIN
    INSERT INTO repository_stats (repository_id, name) VALUES (new.id, new.name);
END;

-- Listing by pulls or by last push reads these in order (backwards for the reversed order).
CREATE INDEX repository_stats_by_pulls ON repository_stats (pull_count DESC, name);
CREATE INDEX repository_stats_by_push ON repository_stats (last_pushed_at DESC, name);

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
