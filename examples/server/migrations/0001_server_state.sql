-- The example server's own state, shared by every server process on the
-- database. Times are Unix nanoseconds (exact round trip).

-- Accounts: staff and citizens. A phone and a resident ID number (kept as
-- a SHA-256 only) belong to one account each.
CREATE TABLE server_users (
    id              text PRIMARY KEY,
    role            text NOT NULL,
    department      text NOT NULL DEFAULT '',
    name            text NOT NULL DEFAULT '',
    phone           text UNIQUE,
    verified        boolean NOT NULL DEFAULT false,
    verified_ns     bigint,
    resident_hash   text UNIQUE,
    resident_masked text NOT NULL DEFAULT '',
    created_ns      bigint NOT NULL
);
CREATE INDEX server_users_role ON server_users (role, department, id);

-- Login codes per phone: the HMAC of the pending code and the send times
-- within the last hour.
CREATE TABLE server_login_codes (
    phone      text PRIMARY KEY,
    mac        bytea,
    expires_ns bigint NOT NULL DEFAULT 0,
    attempts   integer NOT NULL DEFAULT 0,
    sent_ns    bigint[] NOT NULL DEFAULT '{}'
);

-- Uploads: who uploaded which blob, and whether a report uses it.
CREATE TABLE server_uploads (
    owner        text NOT NULL,
    key          text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL,
    created_ns   bigint NOT NULL,
    used         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (owner, key)
);
CREATE INDEX server_uploads_key ON server_uploads (key);
CREATE INDEX server_uploads_pending ON server_uploads (created_ns) WHERE NOT used;

-- Which hazards refer to which blobs, for /photos access.
CREATE TABLE server_photo_refs (
    key       text NOT NULL,
    hazard_id uuid NOT NULL,
    PRIMARY KEY (key, hazard_id)
);

-- The knowledge section, with an optimistic version.
CREATE TABLE server_articles (
    id           text PRIMARY KEY,
    kind         text NOT NULL,
    title        text NOT NULL,
    body         text NOT NULL,
    html         text NOT NULL,
    source       text NOT NULL DEFAULT '',
    published    boolean NOT NULL DEFAULT false,
    version      bigint NOT NULL,
    created_ns   bigint NOT NULL,
    updated_ns   bigint NOT NULL,
    published_ns bigint
);
CREATE INDEX server_articles_list ON server_articles (created_ns DESC, id DESC);
