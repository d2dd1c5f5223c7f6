-- Indexes for the retention sweep, which deletes request events and guard
-- scans older than the configured number of days across all organisations.
-- Keep in step with ../sqlite/0006_retention_indexes.sql.
CREATE INDEX request_events_time ON request_events (created_at);
CREATE INDEX guard_scans_time ON guard_scans (created_at);
