-- Moderation (hazard.ModerationStore): one row per moderated hazard, its
-- version for optimistic concurrency, whether a held report was released
-- (for HeldHazards) and the document (pgstore's moderationDoc).
CREATE TABLE moderations (
    hazard_id uuid PRIMARY KEY REFERENCES hazards (id),
    version   bigint NOT NULL,
    released  boolean NOT NULL,
    doc       jsonb NOT NULL
);

-- Reports held for moderation: their EventHeld, found without scanning
-- the log.
CREATE INDEX events_held ON events (hazard_id) WHERE doc->>'type' = 'held';

-- Response templates (reply.Store): every version of every template is
-- kept; the latest is the one with the highest version.
CREATE TABLE reply_templates (
    id      text NOT NULL,
    version bigint NOT NULL,
    deleted boolean NOT NULL,
    doc     jsonb NOT NULL,
    PRIMARY KEY (id, version)
);

-- The latest version of each template, for the checks of a save (the
-- version read, the number of templates not deleted) without reading every
-- version.
CREATE TABLE reply_template_heads (
    id      text PRIMARY KEY,
    version bigint NOT NULL,
    deleted boolean NOT NULL
);
