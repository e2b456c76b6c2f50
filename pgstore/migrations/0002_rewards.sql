-- Rewards: the full reward as a JSONB document plus the columns that
-- totals, listings and the sweeps use. Times are in Unix nanoseconds.
CREATE TABLE rewards (
    id               uuid PRIMARY KEY,
    hazard_id        uuid NOT NULL,
    reporter         text NOT NULL,
    policy           text NOT NULL,
    amount           bigint NOT NULL CHECK (amount > 0),
    status           text NOT NULL,
    issued_ns        bigint NOT NULL,
    claim_by_ns      bigint NOT NULL,
    claim_started_ns bigint,
    version          bigint NOT NULL,
    doc              jsonb NOT NULL,
    -- A hazard gets at most one reward per policy name.
    UNIQUE (hazard_id, policy)
);

CREATE INDEX rewards_reporter ON rewards (reporter, id DESC);
CREATE INDEX rewards_reporter_status ON rewards (reporter, status, id DESC);
-- Caps and budgets count the rewards that are not expired.
CREATE INDEX rewards_cap ON rewards (policy, reporter, issued_ns) INCLUDE (amount) WHERE status <> 'expired';
CREATE INDEX rewards_budget ON rewards (policy, issued_ns) INCLUDE (amount) WHERE status <> 'expired';
-- The sweeps: pending rewards by end of claim window, claims by start.
CREATE INDEX rewards_due ON rewards (claim_by_ns, id) WHERE status = 'pending';
CREATE INDEX rewards_claiming ON rewards (claim_started_ns, id) WHERE status = 'claiming';
