-- The unit (enterprise) an account of role enterprise works for: its
-- scope is the hazards found there (Hazard.UnitID). Notices to a unit's
-- safety managers select accounts by role and unit.
ALTER TABLE server_users ADD COLUMN unit text NOT NULL DEFAULT '';
CREATE INDEX server_users_role_unit ON server_users (role, unit, id);
