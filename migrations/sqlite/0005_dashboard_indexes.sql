-- Indexes for the dashboard's org-wide views over time: the threats list and
-- statistics (guard scans) and the IBAC analytics (challenges).
-- Keep in step with ../postgres/0005_dashboard_indexes.sql.
CREATE INDEX guard_scans_org_time ON guard_scans (org_id, created_at);
CREATE INDEX challenges_org_time ON challenges (org_id, created_at);
