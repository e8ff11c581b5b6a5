-- Wharf metadata on PostgreSQL, version 10: announcements that keep every instance's in-process caches coherent.
-- Each statement that moves or removes a tag, removes a manifest or a blob link, or removes a repository sends one
-- NOTIFY on this schema's channel from its own transaction, so listeners hear of it when (and only if) it commits,
-- whichever process wrote it (a server, a wharf command, a hand-written query). Inserts are not announced: the
-- caches hold what exists, never a miss. Payload, one change a line ("\n" between lines; repository names, tags
-- and digests never hold spaces or newlines):
--   t <repository> <tag>      the tag moved to another manifest or went away
--   m <repository> <digest>   the manifest went away
--   l <repository> <digest>   the blob was unlinked from the repository
--   r <repository>            the repository went away, or too much of it changed to name
--   *                         too much changed to name: forget everything
-- See docs/design/cache-invalidation.md.

-- The channel of this schema (several schemas may share one database). The listener asks for it by name too.
CREATE FUNCTION cache_channel() RETURNS text LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
    SELECT 'wharf_cache_' || to_hex(hashtextextended(current_schema(), 0))
$$;

-- Sends one statement's changes. NOTIFY takes at most 8000 bytes: a longer list is replaced by its repository
-- (when it names one) or by "*".
CREATE FUNCTION cache_announce(lines text[], repositories text[]) RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    payload text;
BEGIN
    IF coalesce(cardinality(lines), 0) = 0 THEN
        RETURN;
    END IF;

    payload := array_to_string(lines, E'\n');
    IF octet_length(payload) > 7900 THEN
        payload := CASE WHEN cardinality(repositories) = 1 THEN 'r ' || repositories[1] ELSE '*' END;
    END IF;

    PERFORM pg_notify(cache_channel(), payload);
END
$$;

CREATE FUNCTION cache_announce_removed_tags() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM cache_announce(array_agg('t ' || r.name || ' ' || o.name), array_agg(DISTINCT r.name))
    FROM old_rows o JOIN repositories r ON r.id = o.repository_id;
    RETURN NULL;
END
$$;

-- A push that leaves the tag where it was (the same manifest again) changes nothing cached and is not announced.
CREATE FUNCTION cache_announce_moved_tags() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM cache_announce(array_agg('t ' || r.name || ' ' || o.name), array_agg(DISTINCT r.name))
    FROM old_rows o JOIN repositories r ON r.id = o.repository_id
    WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.repository_id = o.repository_id AND n.name = o.name AND n.digest = o.digest);
    RETURN NULL;
END
$$;

CREATE FUNCTION cache_announce_removed_manifests() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM cache_announce(array_agg('m ' || r.name || ' ' || o.digest), array_agg(DISTINCT r.name))
    FROM old_rows o JOIN repositories r ON r.id = o.repository_id;
    RETURN NULL;
END
$$;

CREATE FUNCTION cache_announce_removed_links() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM cache_announce(array_agg('l ' || r.name || ' ' || o.digest), array_agg(DISTINCT r.name))
    FROM old_rows o JOIN repositories r ON r.id = o.repository_id;
    RETURN NULL;
END
$$;

CREATE FUNCTION cache_announce_removed_repositories() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM cache_announce(array_agg('r ' || o.name), array_agg(o.name)) FROM old_rows o;
    RETURN NULL;
END
$$;

-- Statement triggers: one NOTIFY per statement, however many rows (a repository delete removes all its tags at once).
CREATE TRIGGER tags_removed_announce AFTER DELETE ON tags
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_removed_tags();
CREATE TRIGGER tags_moved_announce AFTER UPDATE ON tags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_moved_tags();
CREATE TRIGGER manifests_removed_announce AFTER DELETE ON manifests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_removed_manifests();
CREATE TRIGGER links_removed_announce AFTER DELETE ON repository_blobs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_removed_links();
CREATE TRIGGER repositories_removed_announce AFTER DELETE ON repositories
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cache_announce_removed_repositories();
