-- Wharf metadata on PostgreSQL, version 4: what users see about a repository (description, README), usage
-- figures counted off the hot path, and the search indexes. Times are Unix milliseconds (UTC). See docs/design/search.md.

-- Rarely written: only when someone describes the repository.
ALTER TABLE repositories
    ADD COLUMN description text NOT NULL DEFAULT '',
    ADD COLUMN readme      text NOT NULL DEFAULT '';

-- Written by every usage flush, so kept apart: an update makes a new row version, and here it touches only
-- these small B-trees, never the repositories row, its README or the trigram indexes. One row per repository
-- (made by the trigger below); the name is a copy (names never change) so that listings by pulls or by last
-- push read an index in order without a join.
CREATE TABLE repository_stats (
    repository_id  bigint PRIMARY KEY REFERENCES repositories (id),
    name           text COLLATE "C" NOT NULL,
    pull_count     bigint NOT NULL DEFAULT 0,
    last_pulled_at bigint,
    last_pushed_at bigint
);

-- Repositories pushed before this version: their newest manifest or tag is the best guess of the last push.
INSERT INTO repository_stats (repository_id, name, last_pushed_at)
SELECT r.id, r.name, greatest(
    (SELECT max(created_at) FROM manifests m WHERE m.repository_id = r.id),
    (SELECT max(updated_at) FROM tags t WHERE t.repository_id = r.id))
FROM repositories r;

-- SET search_path FROM CURRENT: the function finds this schema's table whoever inserts the repository.
CREATE FUNCTION repository_stats_row() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO repository_stats (repository_id, name) VALUES (NEW.id, NEW.name);
    RETURN NULL;
END
$$;

CREATE TRIGGER repository_stats_insert AFTER INSERT ON repositories FOR EACH ROW EXECUTE FUNCTION repository_stats_row();

-- Listing by pulls or by last push reads these in order (backwards for the reversed order).
CREATE INDEX repository_stats_by_pulls ON repository_stats (pull_count DESC, name);
CREATE INDEX repository_stats_by_push ON repository_stats (last_pushed_at DESC NULLS LAST, name);

-- Pulls (manifest GETs) per manifest digest, added in batches.
CREATE TABLE manifest_pulls (
    repository_id  bigint NOT NULL REFERENCES repositories (id),
    digest         text COLLATE "C" NOT NULL,
    pull_count     bigint NOT NULL,
    last_pulled_at bigint NOT NULL,
    PRIMARY KEY (repository_id, digest)
);

-- Substring search over names and descriptions: trigram GIN indexes (pg_trgm, in PostgreSQL's contrib, which
-- the database owner may create since PostgreSQL 13). The extension goes to the public schema, shared by every
-- Wharf schema of the database, or is used wherever it already is. Without it, search still works by scanning
-- (docs/design/search.md says how to add the indexes later).
DO $$
DECLARE
    trgm_schema text;
BEGIN
    SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    IF trgm_schema IS NULL THEN
        BEGIN
            CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
        EXCEPTION WHEN OTHERS THEN
            -- No right to create it, or another schema's migration created it at the same moment: look again below.
            RAISE NOTICE 'wharf: could not create extension pg_trgm: %', SQLERRM;
        END;
        SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    END IF;

    IF trgm_schema IS NULL THEN
        RAISE WARNING 'wharf: pg_trgm is not available; repository search will scan the repositories table';
    ELSE
        EXECUTE format('CREATE INDEX repositories_name_trgm ON repositories USING gin (name %I.gin_trgm_ops)', trgm_schema);
        EXECUTE format('CREATE INDEX repositories_description_trgm ON repositories USING gin (description %I.gin_trgm_ops)', trgm_schema);
    END IF;
END
$$;
