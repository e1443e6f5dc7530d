-- Consecutive job runs that ended rate limited after the in-sync retries: the exponent of the next job-level delay.
-- Such runs do not count as attempts (sustained rate limits never move a job to failed_jobs); success resets it.
ALTER TABLE jobs ADD COLUMN rate_limited int NOT NULL DEFAULT 0;
