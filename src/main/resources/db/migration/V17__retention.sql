-- The daily cleanup's deletions (db/Retention) find their rows by index: past appointments by end, conflict reports by
-- their appointment's start. (Mirror rows are pruned calendar by calendar through the existing per-calendar indexes.)
CREATE INDEX appointments_end ON appointments (end_at);
CREATE INDEX conflict_reports_appt_start ON conflict_reports (appt_start);
