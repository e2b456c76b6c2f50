-- How often a phone may ask for a login code is now the rate limiter's
-- (pgstore's limit_windows, shared by every process): the table keeps the
-- pending code alone.
ALTER TABLE server_login_codes DROP COLUMN sent_ns;
