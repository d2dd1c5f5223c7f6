-- What content scanning decided for each request. Keep in step with ../postgres/0002_request_threats.sql.
ALTER TABLE request_events ADD COLUMN scan_action TEXT;
ALTER TABLE request_events ADD COLUMN risk_score DOUBLE PRECISION;
-- JSON list of findings; matched personal data and secrets are not stored.
ALTER TABLE request_events ADD COLUMN threats TEXT;
