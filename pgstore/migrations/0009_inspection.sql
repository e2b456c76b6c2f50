-- Package inspection's records: checklist versions, visits (inspections
-- and self-checks), spot checks, supervision orders and training records.
-- Each row keeps its value as a JSON document (doc); the columns beside it
-- are what listings filter and order by.
CREATE TABLE inspection_checklists (
    id         text NOT NULL,
    version    int NOT NULL,
    industry   text NOT NULL,
    department text NOT NULL,
    doc        jsonb NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE inspections (
    id          uuid PRIMARY KEY,
    unit_id     uuid NOT NULL,
    department  text NOT NULL,
    district    text NOT NULL,
    industry    text NOT NULL,
    kind        text NOT NULL,
    status      text NOT NULL,
    finished_at timestamptz,
    version     bigint NOT NULL,
    doc         jsonb NOT NULL
);
CREATE INDEX inspections_unit ON inspections (unit_id, id DESC);
CREATE INDEX inspections_department ON inspections (department, id DESC);
CREATE INDEX inspections_district ON inspections (district, id DESC);
-- A campaign's figures: the visits finished in a period.
CREATE INDEX inspections_finished ON inspections (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE inspection_spot_checks (
    id      uuid PRIMARY KEY,
    version bigint NOT NULL,
    doc     jsonb NOT NULL
);

CREATE TABLE inspection_orders (
    id         uuid PRIMARY KEY,
    hazard_id  uuid,
    unit_id    uuid,
    department text NOT NULL,
    status     text NOT NULL,
    deadline   timestamptz NOT NULL,
    version    bigint NOT NULL,
    doc        jsonb NOT NULL
);
CREATE INDEX inspection_orders_hazard ON inspection_orders (hazard_id, id DESC) WHERE hazard_id IS NOT NULL;
CREATE INDEX inspection_orders_department ON inspection_orders (department, id DESC);
-- The overdue sweep: open orders by deadline.
CREATE INDEX inspection_orders_due ON inspection_orders (deadline) WHERE status = 'open';

CREATE TABLE inspection_trainings (
    id         uuid PRIMARY KEY,
    department text NOT NULL,
    unit_id    uuid,
    day        timestamptz NOT NULL,
    doc        jsonb NOT NULL
);
CREATE INDEX inspection_trainings_department ON inspection_trainings (department, id DESC);

-- The reconciliation ledger joins hazards to the register's units by the
-- unit's ID as text (hazards.unit_id): a district's or an industry's
-- ledger reads risk_units_district or risk_units_industry, then each
-- unit's hazards through hazards_unit; a department's reads
-- hazards_department and finds each hazard's unit through this index.
CREATE INDEX risk_units_id_text ON risk_units ((id::text));
