-- Package follow's store: citizens following reports (a me-too is a follow
-- whose me_too is set, kept after an unfollow so that it counts once) and
-- watched areas. The area's box (for a circle) or district is what
-- AreasAt filters on; the exact circle is checked by the caller.
CREATE TABLE follows (
    user_id    text NOT NULL,
    hazard_id  uuid NOT NULL,
    ref        text NOT NULL,
    me_too     boolean NOT NULL,
    active     boolean NOT NULL,
    created_ns bigint NOT NULL,
    PRIMARY KEY (user_id, hazard_id)
);
-- A report's active followers in user order.
CREATE INDEX follows_hazard ON follows (hazard_id, user_id) WHERE active;

CREATE TABLE follow_areas (
    id         uuid PRIMARY KEY,
    user_id    text NOT NULL,
    district   text,
    min_lat    double precision,
    max_lat    double precision,
    min_lng    double precision,
    max_lng    double precision,
    created_ns bigint NOT NULL,
    doc        jsonb NOT NULL
);
CREATE INDEX follow_areas_user ON follow_areas (user_id, created_ns, id);
CREATE INDEX follow_areas_district ON follow_areas (district, id) WHERE district IS NOT NULL;
CREATE INDEX follow_areas_box ON follow_areas (min_lat, max_lat, id) WHERE min_lat IS NOT NULL;
