-- Erasures under way (hazard.ErasureJournal): the one place where a
-- person's user ID and their pseudonym meet, until every store has
-- forgotten the person; the row is then deleted.
CREATE TABLE erasures (
    user_id      text PRIMARY KEY,
    pseudonym    text NOT NULL UNIQUE,
    requested_ns bigint NOT NULL
);
CREATE INDEX erasures_requested ON erasures (requested_ns, user_id);

-- An erasure finds the events a person acted in, and the events of a
-- subject with their ID, by these.
CREATE INDEX events_actor ON events ((doc #>> '{actor,id}'));
CREATE INDEX events_subject_id ON events (subject_id) WHERE subject_id IS NOT NULL;
