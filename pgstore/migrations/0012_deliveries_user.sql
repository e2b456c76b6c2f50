-- A person's download of their own data lists the notices sent to them
-- (notify.UserDeliveries), newest first.
CREATE INDEX deliveries_user ON deliveries (user_id, at_ns DESC, key DESC);
