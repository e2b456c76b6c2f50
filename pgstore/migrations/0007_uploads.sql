-- Uploads (hazard.Uploads): who uploaded which blob, with the key of its
-- public copy without metadata ('' for uploads recorded before public
-- copies were kept), and whether a use case holds it or a hazard refers to
-- it. Times are Unix nanoseconds (exact round trip).
CREATE TABLE uploads (
    owner        text NOT NULL,
    key          text NOT NULL,
    public_key   text NOT NULL DEFAULT '',
    content_type text NOT NULL,
    size         bigint NOT NULL,
    created_ns   bigint NOT NULL,
    state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'held', 'attached')),
    PRIMARY KEY (owner, key)
);
-- Lookup and Expire find a blob's uploads by either of its keys.
CREATE INDEX uploads_key ON uploads (key);
CREATE INDEX uploads_public_key ON uploads (public_key) WHERE public_key <> '';
-- Expire scans the pending uploads by age; Reserve counts an owner's.
CREATE INDEX uploads_pending ON uploads (created_ns) WHERE state = 'pending';
CREATE INDEX uploads_owner_pending ON uploads (owner) WHERE state = 'pending';

-- Which hazards refer to which blobs, each pair once.
CREATE TABLE upload_hazards (
    key       text NOT NULL,
    hazard_id uuid NOT NULL,
    PRIMARY KEY (key, hazard_id)
);
