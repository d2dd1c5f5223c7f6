-- IBAC challenges. Keep in step with ../postgres/0003_challenges.sql.
-- The verification token is kept only as its SHA-256; `status` moves from
-- `pending` to `verified` or `failed`. A verified challenge is the grant that
-- lets the same end user and category through until it expires.
CREATE TABLE challenges (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    proxy_id     TEXT NOT NULL,
    end_user_id  TEXT NOT NULL,
    category     TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    status       TEXT NOT NULL,
    failure      TEXT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    verified_at  BIGINT
);
CREATE INDEX challenges_grant ON challenges (org_id, proxy_id, end_user_id, category, status, expires_at);
CREATE INDEX challenges_expiry ON challenges (expires_at);
