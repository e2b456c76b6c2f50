-- A district's units with their industry, read by an index-only scan
-- (risk.Store.UnitRefs: the first step of a district's ledger).
CREATE INDEX risk_units_district_refs ON risk_units (district, id) INCLUDE (industry);
