-- failed_jobs keeps one row per integration, kind and error class: occurrences counts the failures, first_failed_at
-- is the first and failed_at the latest (error, payload and attempts are the latest failure's).
ALTER TABLE failed_jobs ADD COLUMN occurrences int NOT NULL DEFAULT 1;
ALTER TABLE failed_jobs ADD COLUMN first_failed_at timestamptz;
UPDATE failed_jobs f SET occurrences = g.n, first_failed_at = g.first
  FROM (SELECT max(id) AS keep, count(*) AS n, min(failed_at) AS first FROM failed_jobs
        GROUP BY integration_id, kind, error_class) g
  WHERE f.id = g.keep;
DELETE FROM failed_jobs WHERE first_failed_at IS NULL;
ALTER TABLE failed_jobs ALTER COLUMN first_failed_at SET DEFAULT now(), ALTER COLUMN first_failed_at SET NOT NULL;
CREATE UNIQUE INDEX failed_jobs_class ON failed_jobs (integration_id, kind, error_class);

-- Set when an integration's job moves to failed_jobs, cleared by its next successful sync: an integration that keeps
-- failing shows in status and metrics (calsync_integrations_failing) instead of only adding failures.
ALTER TABLE user_integrations ADD COLUMN failing_since timestamptz;

-- Events a sync could not map (the rest of the calendar synced); see mirror.SkippedEvents.
CREATE TABLE skipped_events (
  calendar_id      bigint NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
  google_event_id  text   NOT NULL,
  reason           text   NOT NULL,
  first_seen       timestamptz NOT NULL DEFAULT now(),
  last_seen        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (calendar_id, google_event_id)
);

-- Deletions met by an incremental listing still in progress, by run; see mirror.StagedDeletions.
CREATE TABLE staged_deletions (
  run_id           uuid   NOT NULL,
  calendar_id      bigint NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
  google_event_id  text   NOT NULL,
  staged_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, google_event_id)
);
CREATE INDEX staged_deletions_calendar ON staged_deletions (calendar_id, staged_at);
