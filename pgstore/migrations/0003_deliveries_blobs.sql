-- The notification delivery log: one row per idempotency key delivered, so
-- that every process drops a redelivery (notify.DeliveryLog).
CREATE TABLE deliveries (
    key        text PRIMARY KEY,
    channel    text NOT NULL,
    user_id    text NOT NULL,
    at_ns      bigint NOT NULL
);
CREATE INDEX deliveries_at ON deliveries (at_ns);

-- Photos by the SHA-256 of their content (hazard.BlobStore). Content is at
-- most hazard.MaxPhotoSize bytes, kept out of line by TOAST.
CREATE TABLE blobs (
    key          text PRIMARY KEY CHECK (key ~ '^[0-9a-f]{64}$'),
    content_type text NOT NULL,
    size         bigint NOT NULL CHECK (size >= 0),
    content      bytea NOT NULL
);
