-- The reconciliation ledger of a district reads through indexes only.
--
-- A district's units with their industry, by an index-only scan
-- (risk.Store.UnitRefs: the first step of a district's ledger).
CREATE INDEX risk_units_district_refs ON risk_units (district, id) INCLUDE (industry);

-- What hazard.Stats counts of a hazard beside its indexed columns, kept
-- by PostgreSQL from the document (no writer names them), so that the
-- hazards of a district's units are read from one covering index by unit
-- (HazardStore.StatsRows) and not from the scattered rows of the table.
ALTER TABLE hazards
    ADD COLUMN stat_severity text GENERATED ALWAYS AS (coalesce(doc->>'severity', '')) STORED,
    ADD COLUMN stat_workflow text GENERATED ALWAYS AS (coalesce(doc->>'workflow', '')) STORED,
    ADD COLUMN stat_workflow_version int GENERATED ALWAYS AS (coalesce((doc->>'workflow_version')::int, 0)) STORED,
    ADD COLUMN stat_closed_at text GENERATED ALWAYS AS (coalesce(doc->>'closed_at', '')) STORED,
    ADD COLUMN stat_deadline text GENERATED ALWAYS AS (coalesce(doc->>'deadline', '')) STORED,
    ADD COLUMN stat_rectified boolean GENERATED ALWAYS AS (NOT open AND doc ? 'evidence') STORED;

CREATE INDEX hazards_unit_stats ON hazards (unit_id, id DESC) INCLUDE (ref, category, state, department, source, open, created_ns,
    stat_severity, stat_workflow, stat_workflow_version, stat_closed_at, stat_deadline, stat_rectified)
    WHERE unit_id <> '';
