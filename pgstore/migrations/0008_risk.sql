-- Package risk's register: units, their risk points and assessments, and
-- the due-date index of the planner. Each row keeps its value as a JSON
-- document (doc); the columns beside it are what listings filter and
-- order by.
CREATE TABLE risk_units (
    id          uuid PRIMARY KEY,
    credit_code text NOT NULL UNIQUE,
    district    text NOT NULL,
    grid        text NOT NULL,
    industry    text NOT NULL,
    grade       text NOT NULL,
    version     bigint NOT NULL,
    doc         jsonb NOT NULL
);
-- Listings by district, grid, industry and grade, in ID order.
CREATE INDEX risk_units_district ON risk_units (district, id);
CREATE INDEX risk_units_grid ON risk_units (grid, id);
CREATE INDEX risk_units_industry ON risk_units (industry, id);
CREATE INDEX risk_units_grade ON risk_units (grade, id);

-- One row per department responsible for a unit, with the unit's due
-- date (NULL for none) and grade: the department listing reads the primary
-- key, the planner the due index, without touching risk_units.
CREATE TABLE risk_unit_departments (
    department text NOT NULL,
    unit_id    uuid NOT NULL REFERENCES risk_units (id),
    due_on     date,
    grade      text NOT NULL,
    PRIMARY KEY (department, unit_id)
);
CREATE INDEX risk_unit_departments_due ON risk_unit_departments (department, due_on, unit_id)
    INCLUDE (grade) WHERE due_on IS NOT NULL;
CREATE INDEX risk_unit_departments_unit ON risk_unit_departments (unit_id);

CREATE TABLE risk_points (
    id      uuid PRIMARY KEY,
    unit_id uuid NOT NULL REFERENCES risk_units (id),
    version bigint NOT NULL,
    doc     jsonb NOT NULL
);
CREATE INDEX risk_points_unit ON risk_points (unit_id, id);

-- Assessments are never changed; n orders a point's history.
CREATE TABLE risk_assessments (
    id       uuid PRIMARY KEY,
    n        bigserial NOT NULL,
    point_id uuid NOT NULL REFERENCES risk_points (id),
    doc      jsonb NOT NULL
);
CREATE INDEX risk_assessments_point ON risk_assessments (point_id, n);
