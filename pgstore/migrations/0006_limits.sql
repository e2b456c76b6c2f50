-- Rate limits (hazard.Limiter): one row per key with the times, in Unix
-- nanoseconds, of the units taken within its sliding window (at most the
-- limit's Max), and when the last of them leaves the window. A take locks
-- the key's row for one short transaction, so that processes sharing the
-- database share every limit exactly. Rows whose window ended are swept.
CREATE TABLE limit_windows (
    key     text PRIMARY KEY,
    hits_ns bigint[] NOT NULL,
    ends_ns bigint NOT NULL
);
CREATE INDEX limit_windows_ends ON limit_windows (ends_ns);
