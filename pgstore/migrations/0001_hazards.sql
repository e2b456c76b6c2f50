-- Hazards: the full hazard as a JSONB document plus the columns that
-- filters, cursors and the duplicate search use, each kept in step with the
-- document by the adapter.
CREATE TABLE hazards (
    id          uuid PRIMARY KEY,
    ref         text NOT NULL UNIQUE,
    category    text NOT NULL,
    state       text NOT NULL,
    department  text NOT NULL,
    reporter    text NOT NULL,
    source      text NOT NULL,
    open        boolean NOT NULL,
    created_ns  bigint NOT NULL,            -- CreatedAt in Unix nanoseconds (exact)
    lat         double precision,           -- WGS-84, NULL without a point
    lng         double precision,
    version     bigint NOT NULL,
    idem_key    text,                       -- NULL without an idempotency key
    doc         jsonb NOT NULL
);

-- Idempotency keys are unique per reporter.
CREATE UNIQUE INDEX hazards_idem ON hazards (reporter, idem_key) WHERE idem_key IS NOT NULL;

-- Listing: every filter column leads an index that ends in the cursor order.
CREATE INDEX hazards_state ON hazards (state, id DESC);
CREATE INDEX hazards_category ON hazards (category, id DESC);
CREATE INDEX hazards_department ON hazards (department, id DESC);
CREATE INDEX hazards_reporter ON hazards (reporter, id DESC);
CREATE INDEX hazards_source ON hazards (source, id DESC);
CREATE INDEX hazards_open ON hazards (open, id DESC);
CREATE INDEX hazards_box ON hazards (lat, lng) WHERE lat IS NOT NULL;

-- Duplicate search: open hazards of a category in a latitude band.
CREATE INDEX hazards_nearby ON hazards (category, lat, lng) WHERE open AND lat IS NOT NULL;

-- The event log. seq is assigned from event_seq inside the writing
-- statement, so that sequence numbers commit in order and without gaps.
CREATE TABLE events (
    seq       bigint PRIMARY KEY,
    hazard_id uuid NOT NULL REFERENCES hazards (id),
    doc       jsonb NOT NULL
);
CREATE INDEX events_hazard ON events (hazard_id, seq);

CREATE TABLE event_seq (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    n   bigint NOT NULL
);
INSERT INTO event_seq (n) VALUES (0);

-- Named counters of NextSeq.
CREATE TABLE counters (
    name text PRIMARY KEY,
    n    bigint NOT NULL
);

-- Consumer cursors and parked events.
CREATE TABLE consumer_cursors (
    consumer text PRIMARY KEY,
    seq      bigint NOT NULL
);

CREATE TABLE parked_events (
    consumer text NOT NULL,
    seq      bigint NOT NULL,
    doc      jsonb NOT NULL,
    PRIMARY KEY (consumer, seq)
);
CREATE INDEX parked_events_seq ON parked_events (seq, consumer);
