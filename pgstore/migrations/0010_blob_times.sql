-- When each blob was last put (hazard.BlobSweeper): Put of stored content
-- renews it, and the sweep of unreferenced blobs deletes only blobs put
-- longer ago than its grace period. Existing blobs count as put now.
ALTER TABLE blobs ADD COLUMN put_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX blobs_put_at ON blobs (put_at, key);
