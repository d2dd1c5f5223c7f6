-- Webhook endpoints, their delivery outbox, and guard API scans. Keep in step with ../sqlite/0004_webhooks.sql.
-- The signing secret is encrypted with the master key, like provider keys,
-- because it must be readable to sign; it is shown to the user once.
CREATE TABLE webhook_endpoints (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    url          TEXT NOT NULL,
    secret_enc   TEXT NOT NULL,
    description  TEXT NOT NULL,
    enabled      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_id, created_at);

-- The outbox: one row per event and endpoint, written in the same transaction
-- as the event that caused it. `id` is the `webhook-id` the receiver sees on
-- every attempt, so it can deduplicate. `status` is pending, delivered or
-- failed. A worker claims a due row by setting `lease_token` and
-- `locked_until`; a row whose lease ran out (its worker died) is due again.
-- `last_error` never holds secrets or the endpoint's URL.
CREATE TABLE webhook_deliveries (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    endpoint_id       TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_type        TEXT NOT NULL,
    payload           TEXT NOT NULL,
    status            TEXT NOT NULL,
    attempts          BIGINT NOT NULL,
    next_attempt_at   BIGINT NOT NULL,
    locked_until      BIGINT NOT NULL,
    lease_token       TEXT,
    last_status_code  BIGINT,
    last_error        TEXT,
    created_at        BIGINT NOT NULL,
    delivered_at      BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (org_id, endpoint_id, created_at);

-- Guard API scans (scan-content, scan-output), for the content stats. The
-- findings are stored without the matched personal data or secrets;
-- `threat_types` is the JSON list of the distinct types found.
CREATE TABLE guard_scans (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    proxy_id      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    source        TEXT NOT NULL,
    action        TEXT NOT NULL,
    risk_score    DOUBLE PRECISION NOT NULL,
    threat_types  TEXT NOT NULL,
    threats       TEXT,
    end_user_id   TEXT,
    duration_us   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX guard_scans_proxy_time ON guard_scans (org_id, proxy_id, created_at);
