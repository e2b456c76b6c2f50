-- The unit (enterprise) a hazard was found at: Hazard.UnitID, '' when
-- none, for List's UnitID filter. The document already keeps it (as
-- "unit_id", absent when empty); rows written before it existed have none.
ALTER TABLE hazards ADD COLUMN unit_id text NOT NULL DEFAULT '';
UPDATE hazards SET unit_id = doc->>'unit_id' WHERE doc->>'unit_id' <> '';

-- Listing by unit, in the cursor order, as every filter column.
CREATE INDEX hazards_unit ON hazards (unit_id, id DESC);
