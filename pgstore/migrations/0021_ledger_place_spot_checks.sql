-- The reconciliation ledger of a district or an industry as a range of an
-- index, and the spot checks' listing.
--
-- 1. Each hazard found at a unit keeps its unit's district and industry as
-- the register holds them now (NULL when the hazard is at no unit, or at a
-- unit the register does not know). No writer names these columns:
-- PostgreSQL keeps them from risk_units, on both sides.
--   * A hazard inserted, or whose unit_id changes, reads its unit's row
--     FOR SHARE: a concurrent change of the unit's district waits for the
--     hazard's transaction (and then moves it too), or the hazard's read
--     waits for that change and reads the new district.
--   * A hazard at a unit not yet registered takes the transaction lock
--     that unit registrations take (one key for all, rare) and reads again,
--     so that a registration in flight either sees the committed hazard or
--     is seen by it.
--   * A unit registered, or whose district or industry changes, moves its
--     hazards.
ALTER TABLE hazards ADD COLUMN unit_district text, ADD COLUMN unit_industry text;

CREATE FUNCTION hazards_unit_place() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    found_unit boolean := false;
BEGIN
    NEW.unit_district := NULL;
    NEW.unit_industry := NULL;
    IF NEW.unit_id = '' THEN
        RETURN NEW;
    END IF;
    SELECT true, u.district, u.industry INTO found_unit, NEW.unit_district, NEW.unit_industry
        FROM risk_units u WHERE u.id::text = NEW.unit_id FOR SHARE;
    IF NOT coalesce(found_unit, false) THEN
        PERFORM pg_advisory_xact_lock(1970170228, 0); -- 'unit': registrations
        SELECT u.district, u.industry INTO NEW.unit_district, NEW.unit_industry
            FROM risk_units u WHERE u.id::text = NEW.unit_id FOR SHARE;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER hazards_unit_place_insert BEFORE INSERT ON hazards
    FOR EACH ROW EXECUTE FUNCTION hazards_unit_place();
CREATE TRIGGER hazards_unit_place_update BEFORE UPDATE ON hazards
    FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id) EXECUTE FUNCTION hazards_unit_place();

CREATE FUNCTION risk_units_registered() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(1970170228, 0);
    UPDATE hazards h SET unit_district = n.district, unit_industry = n.industry
        FROM registered n WHERE h.unit_id = n.id::text;
    RETURN NULL;
END $$;

CREATE TRIGGER risk_units_registered AFTER INSERT ON risk_units
    REFERENCING NEW TABLE AS registered FOR EACH STATEMENT EXECUTE FUNCTION risk_units_registered();

CREATE FUNCTION risk_units_moved() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE hazards SET unit_district = NEW.district, unit_industry = NEW.industry WHERE unit_id = NEW.id::text;
    RETURN NULL;
END $$;

CREATE TRIGGER risk_units_moved AFTER UPDATE ON risk_units
    FOR EACH ROW WHEN (OLD.district IS DISTINCT FROM NEW.district OR OLD.industry IS DISTINCT FROM NEW.industry)
    EXECUTE FUNCTION risk_units_moved();

UPDATE hazards h SET unit_district = u.district, unit_industry = u.industry
    FROM risk_units u WHERE h.unit_id <> '' AND u.id::text = h.unit_id;

-- A district's (an industry's) hazards in the ledger's order, oldest
-- first, covering what its counts read: a page is a short index range
-- from the cursor, the counts one index-only range scan.
CREATE INDEX hazards_ledger_district ON hazards (unit_district, created_ns, id)
    INCLUDE (department, state, stat_workflow, stat_workflow_version, stat_severity, stat_closed_at, stat_deadline)
    WHERE unit_district IS NOT NULL;
CREATE INDEX hazards_ledger_industry ON hazards (unit_industry, created_ns, id)
    INCLUDE (department, state, stat_workflow, stat_workflow_version, stat_severity, stat_closed_at, stat_deadline)
    WHERE unit_industry IS NOT NULL;

-- 2. Spot checks: the columns their listing filters by, written with the
-- document (the department drawn from, when it was drawn, the verdicts its
-- items have and the units they are at).
ALTER TABLE inspection_spot_checks
    ADD COLUMN department text NOT NULL DEFAULT '',
    ADD COLUMN created_ns bigint NOT NULL DEFAULT 0,
    ADD COLUMN verdicts text[] NOT NULL DEFAULT '{}',
    ADD COLUMN unit_ids text[] NOT NULL DEFAULT '{}';
UPDATE inspection_spot_checks SET
    department = coalesce(doc->'query'->>'department', doc->'query'->>'Department', ''),
    created_ns = (extract(epoch FROM (doc->>'created_at')::timestamptz) * 1000000)::bigint * 1000,
    verdicts = ARRAY(SELECT DISTINCT it->>'verdict' FROM jsonb_array_elements(
        CASE jsonb_typeof(doc->'items') WHEN 'array' THEN doc->'items' ELSE '[]' END) AS it ORDER BY 1),
    unit_ids = ARRAY(SELECT DISTINCT it->>'unit_id' FROM jsonb_array_elements(
        CASE jsonb_typeof(doc->'items') WHEN 'array' THEN doc->'items' ELSE '[]' END) AS it
        WHERE coalesce(it->>'unit_id', '') <> '' ORDER BY 1);
-- Listings newest first by ID: a department's by its index, a unit's by
-- the units' inverted index.
CREATE INDEX inspection_spot_checks_department ON inspection_spot_checks (department, id DESC);
CREATE INDEX inspection_spot_checks_units ON inspection_spot_checks USING gin (unit_ids);
