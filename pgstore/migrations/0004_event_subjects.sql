-- The event log carries events of any subject. A hazard's event keeps its
-- hazard in hazard_id and has no subject columns; an event of another
-- subject (a unit, an inspection, an account) has no hazard and names its
-- subject in subject_kind and subject_id. Rows written before this
-- migration are hazards' events and read back unchanged.
ALTER TABLE events ALTER COLUMN hazard_id DROP NOT NULL;
ALTER TABLE events ADD COLUMN subject_kind text, ADD COLUMN subject_id text;
ALTER TABLE events ADD CONSTRAINT events_one_subject CHECK (
    (hazard_id IS NULL) = (subject_kind IS NOT NULL)
    AND (subject_kind IS NULL) = (subject_id IS NULL));

-- Reading one subject's events in Seq order (hazards' events use
-- events_hazard).
CREATE INDEX events_subject ON events (subject_kind, subject_id, seq) WHERE subject_kind IS NOT NULL;
