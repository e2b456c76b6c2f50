-- The retention of originals (hazard.OriginalPurger): once an original's
-- period ended its blob is deleted and its uploads are marked, so that
-- staff get the public copy and the purge does not look at it again.
ALTER TABLE uploads ADD COLUMN original_purged boolean NOT NULL DEFAULT false;
-- PurgeOriginals pages the originals not purged yet that have a public
-- copy of their own, by key.
CREATE INDEX uploads_originals ON uploads (key, created_ns)
    WHERE NOT original_purged AND public_key <> '' AND public_key <> key;
