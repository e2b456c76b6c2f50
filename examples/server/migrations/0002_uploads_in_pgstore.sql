-- Uploads moved into the library (hazard.Uploads; pgstore's tables uploads
-- and upload_hazards, migration 0007_uploads.sql, which runs first). The
-- rows this server wrote keep their meaning: a used upload (held for or
-- attached to a report) is attached and never expires, an unused one is
-- pending from the same time; they have no public copy yet, which the
-- library then makes when the photo is read. Each hazard's reference to a
-- blob is kept.
INSERT INTO uploads (owner, key, public_key, content_type, size, created_ns, state)
SELECT owner, key, '', content_type, size, created_ns, CASE WHEN used THEN 'attached' ELSE 'pending' END
FROM server_uploads
ON CONFLICT (owner, key) DO NOTHING;

INSERT INTO upload_hazards (key, hazard_id)
SELECT key, hazard_id FROM server_photo_refs
ON CONFLICT DO NOTHING;

DROP TABLE server_uploads;
DROP TABLE server_photo_refs;
