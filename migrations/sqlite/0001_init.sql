-- rampart schema, SQLite dialect. Keep in step with ../postgres/0001_init.sql.
-- Times are unix milliseconds (BIGINT) and ids are TEXT so that one query text
-- serves both databases.

CREATE TABLE orgs (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

CREATE TABLE memberships (
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE proxies (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    provider          TEXT NOT NULL,
    base_url          TEXT,
    provider_key_enc  TEXT,
    settings          TEXT NOT NULL DEFAULT '{}',
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX proxies_org ON proxies (org_id);

CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    proxy_id      TEXT NOT NULL REFERENCES proxies(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    secret_hash   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX api_keys_org ON api_keys (org_id);

CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE request_events (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    proxy_id       TEXT NOT NULL,
    api_key_id     TEXT NOT NULL,
    api            TEXT NOT NULL,
    model          TEXT NOT NULL,
    stream         BIGINT NOT NULL,
    status         BIGINT NOT NULL,
    latency_ms     BIGINT NOT NULL,
    input_tokens   BIGINT,
    output_tokens  BIGINT,
    end_user_id    TEXT,
    session_id     TEXT,
    app_context    TEXT,
    error          TEXT,
    created_at     BIGINT NOT NULL
);
CREATE INDEX request_events_org_time ON request_events (org_id, created_at);

-- A single row whose version every instance polls: a change made through one
-- instance's dashboard reaches the in-memory snapshots of all the others.
CREATE TABLE config_version (
    id       BIGINT PRIMARY KEY,
    version  BIGINT NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 1);
